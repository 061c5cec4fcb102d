"""``concordium-backup diff OLD NEW``: what changed between two backups.

A thin skin over :func:`toolkit.ops.diff.diff_backups`.  Exit 0 whether or not
there are differences (the summary says), 2 when a file cannot be opened or
the two are of different kinds.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from toolkit.model.backup import open_input
from toolkit.ops.diff import diff_backups
from toolkit.textsafe import cut, safe_text

from .common import PASSWORD_ENV, add_json_flag, emit, get_password, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "diff",
        help="compare two backups record by record",
        description=(
            "Compare two backups of the same kind: records added, removed and changed, field by field. "
            "Legacy private keys are never shown."
        ),
    )
    p.add_argument("old", help="the older backup")
    p.add_argument("new", help="the newer backup")
    p.add_argument(
        "--password-file",
        metavar="PATH",
        help=f"password for both files, from the first line of PATH (else ${PASSWORD_ENV}, else a prompt)",
    )
    p.add_argument("--old-password-file", metavar="PATH", help="password for OLD only")
    p.add_argument("--new-password-file", metavar="PATH", help="password for NEW only")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    old_pw = get_password(args.old_password_file or args.password_file, what=Path(args.old).name)
    old = open_input(args.old, old_pw, subject="old", what="the old backup")
    new_pw = get_password(args.new_password_file or args.password_file, what=Path(args.new).name)
    new = open_input(args.new, new_pw, subject="new", what="the new backup")
    result = diff_backups(old, new)
    if args.json:
        print_json(result.to_dict())
        return 0
    emit(render(result.to_dict()))
    return 0


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
