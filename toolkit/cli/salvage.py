"""``concordium-backup salvage FILE OUT``: recover what can still be read from a damaged backup.

A thin skin over :func:`toolkit.ops.salvage.salvage_to`.  FILE is only read; OUT
is written atomically and verified, with FILE's password unless a new one is
given (``--new-password-file`` or $CONCORDIUM_BACKUP_NEW_PASSWORD).
Exit 0 when OUT was written (also when records were lost: ``--json`` says
what), 2 when nothing can be recovered or OUT cannot be written.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from toolkit import errors
from toolkit.format.files import refuse_same_file

from .common import (
    NEW_PASSWORD_ENV,
    about_input,
    add_force_option,
    add_json_flag,
    add_new_password_option,
    add_password_option,
    emit,
    get_new_password,
    get_password,
    input_name,
    output_to_stdout,
    print_json,
    read_stdin_once,
)

if TYPE_CHECKING:
    from toolkit.ops.salvage import SalvageResult


def configure(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Decrypt every intact block of a damaged or cut-short backup, recover every record that is still "
        "complete, and write them to OUT (verified). FILE is never changed."
    )
    p.add_argument("file", help="the damaged backup ('-': standard input)")
    p.add_argument("out", help="the recovered backup to write ('-': standard output, not a terminal)")
    add_password_option(p, of="FILE")
    add_new_password_option(p, default="FILE's password")
    add_force_option(p)
    p.add_argument(
        "--wallet",
        action="append",
        default=[],
        type=_wallet,
        metavar="ID=IDENTIFIER",
        help="a lost wallet entry: its id and the Ledger's identifier (see 'concordium-backup ledger')",
    )
    add_json_flag(p)
    p.set_defaults(func=run)


def _wallet(text: str) -> tuple[int, str]:
    wid, sep, identifier = text.partition("=")
    if not sep or not wid.strip().isdigit():
        raise errors.UsageError(f"--wallet {text!r} is not ID=IDENTIFIER (e.g. 1=<64 hex characters>)")
    return int(wid), identifier.strip().lower()


def run(args: argparse.Namespace) -> int:
    from toolkit.ops.salvage import salvage_to

    read_stdin_once(FILE=args.file, password_file=args.password_file, new_password_file=args.new_password_file)
    to_stdout = output_to_stdout(args.out, as_json=args.json)
    refuse_same_file(args.out, (args.file, args.password_file, args.new_password_file))  # before any password
    password = get_password(args.password_file, what=input_name(args.file))
    new_password = None
    if args.new_password_file or os.environ.get(NEW_PASSWORD_ENV):
        new_password = get_new_password(args.new_password_file)
    from toolkit.model.backup import is_database_source

    if is_database_source(args.file):  # the wallet's own database: salvaged page by page
        return _run_database(args, password, new_password)
    with about_input(args.file, what="the damaged backup"):
        result = salvage_to(
            args.file,
            args.out,
            password,
            new_password=new_password,
            force=args.force,
            wallets=dict(args.wallet) or None,
        )
    if args.json:
        print_json(result.to_dict())
        return 0
    emit(
        render(result, name=input_name(args.file), new_password=new_password is not None),
        sys.stderr if to_stdout else sys.stdout,
    )
    return 0


def _run_database(args: argparse.Namespace, password: str, new_password: str | None) -> int:
    from toolkit.ops.salvage_db import salvage_database_to

    result, written = salvage_database_to(args.file, args.out, password, new_password=new_password, force=args.force)
    if args.json:
        print_json({**result.to_dict(), "output": written.to_dict()})
        return 0
    state = "intact" if result.intact else f"damaged: pages {', '.join(map(str, result.bad_pages)) or 'none'} lost"
    lines = [f"{input_name(args.file)}: wallet database, {result.pages} pages, {state}", "", "recovered rows:"]
    for table, n in result.recovered.items():
        lost = result.lost.get(table) or []
        extra = f"   (lost: page {', '.join(str(r.page) for r in lost)})" if lost else ""
        lines.append(f"  {table:<26} {n:>6}{extra}")
    lines += [f"note: {n}" for n in result.backup.notices()]
    lines += ["", f"wrote {written.path} (read back and verified)"]
    emit("\n".join(lines))
    return 0


def render(result: SalvageResult, *, name: str, new_password: bool = False) -> str:
    """What was recovered and lost, in lines a person reads."""
    from toolkit.ops.salvage import LOST_WALLET_NOTE

    lines = [result.headline(name), f"kind: {result.kind}", "", "recovered:"]
    for table, n in result.recovered.items():
        extra = []
        if result.damaged.get(table):
            n_bad = result.damaged[table]
            extra.append(f"{n_bad} unreadable stretch{'es' if n_bad != 1 else ''}")
        if table in result.unread:
            extra.append("its part of the file is unreadable")
        lines.append(f"  {table:<20} {n:>6}" + (f"   ({'; '.join(extra)})" if extra else ""))
    if result.unread:
        lines += ["", result.unread_text()]
    for note in result.notes:
        lines.append(f"note: {note}")
        if note.startswith(LOST_WALLET_NOTE):
            lines.append(
                "note: give it as --wallet ID=IDENTIFIER (read the identifier with 'concordium-backup ledger')."
            )
    if result.output:
        which = "the new password" if new_password else "the same password as the original"
        if result.output.path == "-":
            lines += ["", f"wrote the backup to standard output (decrypted again and verified; {which})"]
        else:
            lines += ["", f"wrote {result.output.path} (read back and verified; {which})"]
    return "\n".join(lines)
