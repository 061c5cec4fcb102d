"""``concordium-backup reexport IN OUT``: write a backup to a new file its wallet imports.

A thin skin over :func:`toolkit.ops.export.reexport` (atomic, verified, never over
an input): a new password, optionally only some identities or accounts.  OUT ``-``
writes the backup to standard output (never a terminal).
"""

from __future__ import annotations

import argparse
import sys

from toolkit.format.files import check_output_path

from .common import (
    about_input,
    add_force_option,
    add_json_flag,
    add_new_password_option,
    add_password_option,
    describe_write,
    emit,
    get_new_password,
    get_password,
    input_name,
    output_to_stdout,
    print_json,
    read_stdin_once,
)


def configure(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Decrypt IN and write it to OUT with a new password, exactly as its wallet writes it "
        "(AES-256, PBKDF2WithHmacSHA256, fresh salt and IV; every field kept). OUT is written "
        "through a temporary file and read back before success is reported."
    )
    p.add_argument("input", metavar="IN", help="the backup to re-export ('-': standard input)")
    p.add_argument(
        "output",
        metavar="OUT",
        help="the new file (never IN; an existing file only with --force; '-': standard output, not a terminal)",
    )
    add_password_option(p, of="IN")
    add_new_password_option(p)
    add_force_option(p)
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
    from toolkit.model.backup import open_backup
    from toolkit.ops.export import reexport

    read_stdin_once(IN=args.input, password_file=args.password_file, new_password_file=args.new_password_file)
    to_stdout = output_to_stdout(args.output, as_json=args.json)
    inputs = (args.input, args.password_file, args.new_password_file)
    check_output_path(args.output, inputs, force=args.force)  # before any password is asked
    password = get_password(args.password_file, what=input_name(args.input))
    with about_input(args.input):
        backup = open_backup(args.input, password)
    result = reexport(  # the new password is asked only once the kind and selection are known good
        backup,
        args.output,
        lambda: get_new_password(args.new_password_file),
        to=args.to,
        identities=args.identity,
        accounts=args.account,
        leave_out=args.leave_out,
        drop_unknown_fields=args.drop_unknown_fields,
        force=args.force,
        protect=inputs,
    )
    if args.json:
        extra = {"dropped": list(result.dropped)} if args.drop_unknown_fields or args.leave_out else {}
        print_json({**result.to_dict(), **extra})
        return 0
    out = sys.stderr if to_stdout else sys.stdout
    for notice in backup.notices():
        emit(f"note: {notice}", sys.stderr)
    for d in result.dropped:
        what = f"field {d['field']!r} of" if d["field"] else "the record"
        emit(f"left out {what} {d['table']} {d['key']}", out)
    emit(describe_write(result), out)
    return 0
