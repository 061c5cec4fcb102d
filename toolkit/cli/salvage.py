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
from pathlib import Path

from toolkit import errors
from toolkit.format.files import refuse_same_file
from toolkit.ops.salvage import LOST_WALLET_NOTE, SalvageResult, salvage_to

from .common import NEW_PASSWORD_ENV, PASSWORD_ENV, add_json_flag, emit, get_new_password, get_password, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "salvage",
        help="recover every readable record from a damaged backup into a new file",
        description=(
            "Decrypt every intact block of a damaged or cut-short backup, recover every record that is still "
            "complete, and write them to OUT (verified). FILE is never changed."
        ),
    )
    p.add_argument("file", help="the damaged backup")
    p.add_argument("out", help="the recovered backup to write")
    p.add_argument(
        "--password-file",
        metavar="PATH",
        help=f"read FILE's password from the first line of PATH (else ${PASSWORD_ENV}, else a hidden prompt)",
    )
    p.add_argument(
        "--new-password-file",
        metavar="PATH",
        help=f"protect OUT with the password in PATH (or ${NEW_PASSWORD_ENV}); default: FILE's password",
    )
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")
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
    refuse_same_file(args.out, (args.file, args.password_file, args.new_password_file))  # before any password
    password = get_password(args.password_file, what=Path(args.file).name)
    new_password = None
    if args.new_password_file or os.environ.get(NEW_PASSWORD_ENV):
        new_password = get_new_password(args.new_password_file)
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
    emit(render(result, name=Path(args.file).name, new_password=new_password is not None))
    return 0


def render(result: SalvageResult, *, name: str, new_password: bool = False) -> str:
    """What was recovered and lost, in lines a person reads."""
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
        lines += ["", f"wrote {result.output.path} (read back and verified; {which})"]
    return "\n".join(lines)
