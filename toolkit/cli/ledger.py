"""``concordium-backup ledger [FILE]``: is a Ledger ready, and is it the one FILE was made with?

A thin skin over :func:`toolkit.ops.ledger.check_ledger`.  USB by default;
``--tcp HOST:PORT`` (or LEDGER_PROXY_ADDRESS and LEDGER_PROXY_PORT, as
ledgerblue reads them) for Speculos or ``tests/ledger_sim.py``.

Exit codes:
  0  the state is ``ready`` (and, given FILE, this Ledger is one of its wallets)
  1  any other state, or FILE given and this Ledger is not one of its wallets
  2  FILE cannot be opened (wrong password, damaged, ...) or a usage mistake
"""

from __future__ import annotations

import argparse
import sys

from toolkit import errors
from toolkit.extras import require
from toolkit.ops.ledger import (
    BEFORE_ASKING,
    DEFAULT_TIMEOUT,
    STATES,
    LedgerCheck,
    check_ledger,
    parse_tcp,
    tcp_from_env,
)

from .common import (
    about_input,
    add_json_flag,
    add_password_option,
    emit,
    get_password,
    input_name,
    print_json,
    read_stdin_once,
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Report the Ledger's state (" + ", ".join(STATES) + ") with what to do next, read its pairing key"
        " (no confirmation on the device) and, given FILE, say which of the backup's wallets it is."
        " Exit 0 when ready (and matching FILE), 1 otherwise, 2 when FILE cannot be opened."
        " Close the Desktop Wallet and Ledger Live first: the check's two read-only requests can interrupt"
        " a transaction they are signing or a key waiting for confirmation on the Ledger."
    )
    parser.add_argument(
        "file", nargs="?", metavar="FILE", help="a Desktop Wallet backup to compare with ('-': standard input)"
    )
    parser.add_argument(
        "--tcp", type=_endpoint, metavar="HOST:PORT", help="Speculos or the simulator, e.g. 127.0.0.1:9999"
    )
    parser.add_argument("--device", metavar="N", help="which Ledger when several are connected (1, 2, ... or path)")
    parser.add_argument(
        "--timeout", type=_seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS", help="give up after this long"
    )
    add_password_option(parser, of="FILE")
    add_json_flag(parser)
    parser.set_defaults(func=run)


def _endpoint(text: str) -> tuple[str, int]:
    try:
        return parse_tcp(text)
    except errors.LedgerError:
        raise argparse.ArgumentTypeError(f"{text!r} is not HOST:PORT (e.g. 127.0.0.1:9999)") from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError("give between 0 and 600 seconds")
    return value


def run(args: argparse.Namespace) -> int:
    device = int(args.device) if args.device and args.device.isdigit() else args.device
    if args.tcp is not None and device is not None:
        raise errors.UsageError("--device picks a USB Ledger; it cannot be used with --tcp")
    require("ledger", "ledgerblue")  # before any password is asked for
    backup = None
    if args.file:  # open it first: a file that does not open is exit 2 before the device is asked
        from toolkit.model.backup import open_backup

        read_stdin_once(FILE=args.file, password_file=args.password_file)
        password = get_password(args.password_file, what=input_name(args.file))
        with about_input(args.file):
            backup = open_backup(args.file, password)
    print(BEFORE_ASKING, file=sys.stderr, flush=True)
    result = check_ledger(backup, tcp=args.tcp, device=device, timeout=args.timeout)
    if args.json:
        print_json(result.to_dict())
    else:
        emit(_text(result, over_tcp=args.tcp is not None or tcp_from_env() is not None))
    return 0 if result.ok else 1


#: What to do about a state, in this command's words (the library's messages name no option).
STATE_HINTS = {
    "several-devices": "Pick one with --device N.",
    "no-device": "For Speculos or the simulator, give --tcp HOST:PORT.",
}


def _text(result: LedgerCheck, *, over_tcp: bool = False) -> str:
    """The check in words; the first line starts with its verdict (the state, or "not the backup's Ledger").

    Text from the backup or the device is neutralised where it is printed (:func:`~toolkit.cli.common.emit`).
    """
    hint = "" if over_tcp else STATE_HINTS.get(result.state, "")  # --tcp given: its address is what to check
    lines = [f"{result.verdict}: {result.message}" + (f" {hint}" if hint else "")]
    if result.device:
        lines.append(f"  device: {result.device.describe()}")
    if result.app:
        lines.append(f"  app: {result.app.name} {result.app.version}")
    if result.pairing_key:
        lines.append(f"  pairing key: {result.pairing_key}")
    match = result.matches_wallet
    if match:
        lines.append(f"  wallet {match.id}: {match.identifier}")
        lines.extend(f"    identity {i['id']}: {i['name']}" for i in match.identities)
        lines.extend(f"    account {a['name']} ({a['address']})" for a in match.accounts)
    if len(result.devices) > 1:
        lines.extend(f"  {n}: {d.describe()} {d.path or ''}".rstrip() for n, d in enumerate(result.devices, 1))
    return "\n".join(lines)
