"""``concordium-backup diff OLD NEW``: what changed between two backups.

A thin skin over :func:`toolkit.ops.diff.diff_backups`.  Exit 0 whether or not
there are differences (the summary says); with ``--exit-code`` (as ``git diff
--exit-code``) 0 when the backups hold the same records, 1 when they differ.
2 when a file cannot be opened or the two are of different kinds.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from toolkit.textsafe import cut, safe_text

from .common import (
    add_input_password_options,
    add_json_flag,
    emit,
    get_password,
    input_name,
    print_json,
    read_stdin_once,
    same_password,
)

EXIT_SAME, EXIT_DIFFERENT = 0, 1


def configure(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Compare two backups of the same kind: records added, removed and changed, field by field. "
        "Legacy private keys are never shown. Exit 0; with --exit-code 0 when they are the same, "
        "1 when they differ; 2 when a file cannot be opened."
    )
    p.add_argument("old", help="the older backup ('-': standard input)")
    p.add_argument("new", help="the newer backup ('-': standard input)")
    add_input_password_options(p, "old", "new")
    p.add_argument(
        "--exit-code",
        action="store_true",
        help="exit 1 when the backups differ, 0 when they are the same (as 'git diff --exit-code')",
    )
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from toolkit.model.backup import open_input
    from toolkit.ops.diff import diff_backups

    read_stdin_once(
        OLD=args.old,
        NEW=args.new,
        password_file=args.password_file,
        old_password_file=args.old_password_file,
        new_password_file=args.new_password_file,
    )
    old_pw = get_password(args.old_password_file or args.password_file, what=input_name(args.old))
    old = open_input(args.old, old_pw, subject="old", what="the old backup")
    new_pw = same_password(old_pw, args.old_password_file, args.new_password_file, args.password_file) or get_password(
        args.new_password_file or args.password_file, what=input_name(args.new)
    )
    new = open_input(args.new, new_pw, subject="new", what="the new backup")
    result = diff_backups(old, new)
    out = result.to_dict()
    if args.json:
        print_json(out)
    else:
        from .tabletext import terminal_width, wrap

        emit(wrap(safe_text(render(out), newlines=True), terminal_width(), indent=4))
    return EXIT_DIFFERENT if args.exit_code and not result.empty else EXIT_SAME


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    text = safe_text(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
    return cut(text, 80, "...")


def render(result: dict[str, Any]) -> str:
    """The summary table, then one line per change."""
    lines = [f"{'table':<20} {'added':>7} {'removed':>7} {'changed':>7}"]
    for table, c in result["summary"].items():
        lines.append(f"{table:<20} {c['added']:>7} {c['removed']:>7} {c['changed']:>7}")
    changes = result["changes"]
    if not changes:
        lines.append("\nNo differences.")
        return "\n".join(lines)
    lines.append("")
    for ch in changes:
        head = (
            f"{ch['table']} {safe_text(ch['name'])} ({safe_text(ch['key'])})"
            if ch.get("name")
            else f"{ch['table']} {safe_text(ch['key'])}"
        )
        if ch["change"] == "changed":
            lines.append(f"~ {head}  {safe_text(ch['field'])}: {_show(ch['old'])} -> {_show(ch['new'])}")
        else:
            lines.append(f"{'+' if ch['change'] == 'added' else '-'} {head}  ({ch['change']})")
    return "\n".join(lines)
