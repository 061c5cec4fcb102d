"""``concordium-backup find-wallet-db``: list the Desktop Wallet databases on this machine."""

from __future__ import annotations

import argparse
import datetime as dt

from .common import add_json_flag, emit, print_json


def configure(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Look for concordium-desktop-wallet-database.sqlite3 in the wallet's folder of each network "
        "build (docs/WALLET-DATABASE.md). Nothing is opened or changed."
    )
    p.add_argument("--home", metavar="DIR", help="search under this home folder (a copied disk) instead of yours")
    p.add_argument(
        "--os",
        choices=("windows", "macos", "linux"),
        help="with --home: the system that disk came from (default: this one)",
    )
    add_json_flag(p)
    p.set_defaults(func=run)


_PLATFORMS = {"windows": "win32", "macos": "darwin", "linux": "linux"}


def run(args: argparse.Namespace) -> int:
    from toolkit.ops.find_db import candidate_paths, find_wallet_databases

    platform = _PLATFORMS.get(args.os) if args.os else None
    env = {} if args.home else None  # a copied disk: its own folders, not this machine's variables
    found = find_wallet_databases(platform, env, args.home)
    if args.json:
        print_json({"databases": [f.to_dict() for f in found]})
        return 0
    if not found:
        emit("no wallet database found; looked in:")
        for path, net in candidate_paths(platform, env, args.home):
            emit(f"  {path}  ({net})")
        return 0
    for f in found:
        when = dt.datetime.fromtimestamp(f.modified).isoformat(timespec="seconds")
        emit(f"{f.path}  {f.network}  {f.size:,} bytes  modified {when}")
    return 0
