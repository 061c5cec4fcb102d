"""``concordium-backup merge A B OUT``: preview importing B into a wallet holding A, and write the result.

A thin skin over :func:`toolkit.ops.merge.preview_import` (the Desktop Wallet's
import rules, offline) and :func:`toolkit.model.save.save_backup`.  Prints the
messages the Desktop Wallet would show.  Exit 0; 2 when the wallet would
refuse the import (nothing is written) or a file cannot be opened or written.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from toolkit import errors
from toolkit.format.files import check_output_path
from toolkit.textsafe import safe_text

from .common import (
    add_force_option,
    add_input_password_options,
    add_json_flag,
    add_new_password_option,
    describe_write,
    emit,
    error_line,
    get_new_password,
    get_password,
    input_name,
    output_to_stdout,
    print_json,
    read_stdin_once,
    same_password,
)

if TYPE_CHECKING:
    from toolkit.ops.merge import ImportPreview


def configure(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Apply the Desktop Wallet's import rules to A and B offline, print the messages the wallet would "
        "show, and write the merged backup to OUT (a new Desktop Wallet file)."
    )
    p.add_argument("a", metavar="A", help="the backup of the wallet that imports ('-': standard input)")
    p.add_argument("b", metavar="B", help="the backup being imported ('-': standard input)")
    p.add_argument(
        "output",
        metavar="OUT",
        nargs="?",
        help="the merged backup to write (not needed with --dry-run; '-': standard output, not a terminal)",
    )
    add_input_password_options(p, "a", "b")
    add_new_password_option(p)
    p.add_argument(
        "--wallet-network",
        metavar="NETWORK",
        help="the network the wallet is on (mainnet, testnet, ... or a genesis hash) when A names none",
    )
    p.add_argument(
        "--drop-unknown-fields",
        action="store_true",
        help="import B without the record fields the wallet's tables lack (they make its insert fail)",
    )
    p.add_argument(
        "--drop-orphan-external-credentials",
        action="store_true",
        help="leave out B's external credentials whose account is not in the wallet (their insert fails)",
    )
    p.add_argument(
        "--leave-out",
        action="append",
        default=[],
        metavar="KEY",
        help="import B without its record KEY (as the preview prints it) and the records referring to it; repeatable",
    )
    p.add_argument("--dry-run", action="store_true", help="show what would happen; write nothing")
    add_force_option(p)
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from toolkit.model.backup import open_input
    from toolkit.model.save import save_backup
    from toolkit.ops.merge import NO_NETWORK, preview_import

    read_stdin_once(
        A=args.a,
        B=args.b,
        password_file=args.password_file,
        a_password_file=args.a_password_file,
        b_password_file=args.b_password_file,
        new_password_file=args.new_password_file,
    )
    inputs = [args.a, args.b, args.password_file, args.a_password_file, args.b_password_file, args.new_password_file]
    to_stdout = False
    if not args.dry_run:
        if not args.output:
            raise errors.UsageError("Name the output file OUT, or pass --dry-run")
        to_stdout = output_to_stdout(args.output, as_json=args.json)
        check_output_path(args.output, inputs, force=args.force)
    out = sys.stderr if to_stdout else sys.stdout
    a_pw = get_password(args.a_password_file or args.password_file, what=input_name(args.a))
    a = open_input(args.a, a_pw, subject="a", what="backup A")
    b_pw = same_password(a_pw, args.a_password_file, args.b_password_file, args.password_file) or get_password(
        args.b_password_file or args.password_file, what=input_name(args.b)
    )
    b = open_input(args.b, b_pw, subject="b", what="backup B")
    preview = preview_import(
        a,
        b,
        wallet_network=args.wallet_network,
        drop_unknown_fields=args.drop_unknown_fields,
        drop_orphan_external_credentials=args.drop_orphan_external_credentials,
        leave_out=args.leave_out,
    )

    if preview.refusal is not None:
        if args.json:
            print_json({"error": preview.refusal.to_dict(), **preview.to_dict(), "written": None})
        else:
            emit(render(preview), out)
        hint = " (--wallet-network NETWORK)" if preview.outcome == NO_NETWORK else ""
        hint += "".join(f" ({fix_flag(f)})" for f in preview.fixes if fix_flag(f))
        sys.stderr.write(error_line(preview.refusal).rstrip("\n") + hint + "\n")
        return 2

    written = None
    if not args.dry_run:
        password = get_new_password(args.new_password_file)
        written = save_backup(preview.backup, args.output, password, force=args.force, protect=inputs)
    if args.json:
        print_json({**preview.to_dict(), "written": written.to_dict() if written else None})
        return 0
    emit(render(preview), out)
    emit(describe_write(written) if written else "dry run: nothing written", out)
    return 0


def short_key(key: str) -> str:
    """A long key cut for reading: ``3qV4hKQfZXCv…``; an identity's ``IDENTIFIER/N`` as ``f5b16522…/N``."""
    if "/" in key:
        ledger, number = key.rsplit("/", 1)
        return f"{ledger[:8]}…/{number}" if len(ledger) > 12 else key
    return key if len(key) <= 16 else key[:12] + "…"


def _label(row: dict[str, Any]) -> str:
    name, key = row.get("name"), short_key(safe_text(row.get("key") or ""))
    name = safe_text(name) if name else name
    if name:
        return f"{name} ({key})" if key else str(name)
    return key


#: The fixes of :data:`toolkit.ops.merge.FIX_TEXT` as this command's options.
FIX_FLAGS = {
    "drop_unknown_fields": "--drop-unknown-fields",
    "drop_orphan_external_credentials": "--drop-orphan-external-credentials",
    "leave_out": "--leave-out",
}


def fix_flag(fix: dict[str, str]) -> str:
    """The option that takes a way out ("--leave-out KEY"); "" for one no option takes (import B alone)."""
    flag = FIX_FLAGS.get(fix["fix"], "")
    return f"{flag} {safe_text(fix['key'])}" if flag and fix.get("key") else flag


def _stop_lines(preview: ImportPreview) -> list[str]:
    """When the wallet stops: its words first, then what stays imported and what is not reached."""
    where = preview.stops_at or {}
    lines = [
        f"The Desktop Wallet would stop and show: {preview.outcome}",
        f"It stops at {where.get('table', '?')} {_label(where)}: {where.get('reason', '')}",
    ]
    done = preview.imported_before_stop
    lines.append(
        f"Already imported when it stops (stays in the wallet): {len(done)} record(s)"
        + "".join(f"\n  {r['result']:<8} {r['table']:<20} {_label(r)}" for r in done[:50])
        + ("\n  …" if len(done) > 50 else "")
    )
    missing = preview.not_imported
    lines.append(
        f"Not imported: the record it stops at and {len(missing)} more"
        + "".join(f"\n  {r['table']:<20} {_label(r)}" for r in missing[:50])
        + ("\n  …" if len(missing) > 50 else "")
    )
    return lines  # the ways out are said once, in the error line


def render(preview: ImportPreview) -> str:
    """The Desktop Wallet's messages per record, then the counts and notes; a stop says what stays."""
    lines = []
    if preview.refusal is not None:
        lines += _stop_lines(preview) + [""]
    for d in preview.dropped:
        what = f"field {d['field']!r} of" if d["field"] else "the whole record"
        lines.append(f"left out  {d['table']:<20} {what} {short_key(d['key'])}")
    for row in preview.messages.to_dict("records"):
        if row["result"] == "exists" and not row["message"] and row["table"] in ("credentials", "genesis"):
            continue  # silent in the wallet, and uninteresting
        text = f"{row['result']:<8} {row['table']:<20} {_label(row)}"
        if row["message"]:
            text += f"  — {row['message']}"
        if row["detail"]:
            text += f"  [{row['detail']}]"
        lines.append(text)
    lines.append("")
    for table, counts in preview.summary().items():
        shown = ", ".join(f"{n} {r}" for r, n in counts.items() if n)
        lines.append(f"{table}: {shown}")
    lines += preview.notes
    if preview.from_database_rows:
        lines.append("(the wallet is file A's database: the import met its own rows and id counters)")
    return "\n".join(lines)
