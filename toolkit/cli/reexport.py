"""``concordium-backup reexport IN OUT``: write a backup to a new file its wallet imports.

A thin skin over :func:`toolkit.ops.export.reexport` (atomic, verified, never over
an input): a new password, optionally only some identities or accounts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from toolkit.format.files import check_output_path
from toolkit.format.passwords import MIN_PASSWORD_LENGTH
from toolkit.model.backup import open_backup
from toolkit.model.save import select
from toolkit.ops.export import check_target, reexport
from toolkit.textsafe import safe_text

from .common import (
    NEW_PASSWORD_ENV,
    PASSWORD_ENV,
    add_json_flag,
    describe_write,
    emit,
    get_new_password,
    get_password,
    print_json,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "reexport",
        help="write a backup to a new file with a new password (optionally a subset)",
        description=(
            "Decrypt IN and write it to OUT with a new password, exactly as its wallet writes it "
            "(AES-256, PBKDF2WithHmacSHA256, fresh salt and IV; every field kept). OUT is written "
            "through a temporary file and read back before success is reported."
        ),
    )
    p.add_argument("input", metavar="IN", help="the backup to re-export")
    p.add_argument("output", metavar="OUT", help="the new file (never IN; an existing file only with --force)")
    p.add_argument(
        "--password-file",
        metavar="PATH",
        help=f"IN's password from the first line of PATH (else ${PASSWORD_ENV}, else a prompt)",
    )
    p.add_argument(
        "--new-password-file",
        metavar="PATH",
        help=f"OUT's password (at least {MIN_PASSWORD_LENGTH} characters) from PATH (else ${NEW_PASSWORD_ENV}, else asked twice)",
    )
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")
    p.add_argument(
        "--identity",
        action="append",
        default=[],
        metavar="ID",
        help="keep only this identity (id, walletId/identityNumber or name) and its accounts; repeatable",
    )
    p.add_argument(
        "--account",
        action="append",
        default=[],
        metavar="ACCOUNT",
        help="keep only this account (address or name) and what it refers to; repeatable",
    )
    p.add_argument(
        "--to",
        choices=("desktop", "legacy"),
        help="the kind of file to write; it must be the input's kind (a legacy file stays legacy)",
    )
    p.add_argument(
        "--drop-unknown-fields",
        action="store_true",
        help="leave out record fields the Desktop Wallet's tables lack (its import stops on them)",
    )
    p.add_argument(
        "--leave-out",
        action="append",
        default=[],
        metavar="KEY",
        help="leave out the record KEY (as diff, audit and merge print it) and the records referring to it; repeatable",
    )
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_output_path(args.output, [args.input, args.password_file, args.new_password_file], force=args.force)
    password = get_password(args.password_file, what=Path(args.input).name)
    backup = open_backup(args.input, password)
    # Refuse a conversion or a wrong selection before asking for a new password.
    check_target(backup, args.to)
    chosen, dropped = select(
        backup,
        identities=args.identity,
        accounts=args.account,
        leave_out=args.leave_out,
        drop_unknown_fields=args.drop_unknown_fields,
    )
    new_password = get_new_password(args.new_password_file)
    result = reexport(
        chosen,
        args.output,
        new_password,
        to=args.to,
        force=args.force,
        protect=(args.input, args.password_file, args.new_password_file),
    )
    if args.json:
        extra = {"dropped": dropped} if args.drop_unknown_fields or args.leave_out else {}
        print_json({**result.to_dict(), **extra})
        return 0
    for notice in backup.notices():
        emit(f"note: {notice}", sys.stderr)
    for d in dropped:
        what = f"field {d['field']!r} of" if d["field"] else "the record"
        emit(safe_text(f"left out {what} {d['table']} {d['key']}"))
    emit(describe_write(result))
    return 0
