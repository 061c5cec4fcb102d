"""Benchmark: the import preview into a 20,000-account wallet database, from its rows vs from its export.

The database is bench_walletdb's (the wallet's schema, ``large_desktop_document``'s records written by
``sqlcipher3``); the imported backup is its own export (every record already there: the preview's full
matching work).  Timed (best of N, same process, the database opened once):

- rows: ``preview_import(db_backup, b)`` — the wallet's state loaded from the database's own rows
  (``WalletDB.load_rows``: one INSERT … SELECT per table, with the id counters);
- baseline: ``preview_import(Backup(db_backup.document), b)`` — the same state built from the export document
  (``WalletDB.load``), as before.

    .venv/bin/python bench/bench_merge_walletdb.py [--accounts 20000] [--runs 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from bench_walletdb import PASSWORD, make_database

from toolkit import Backup, open_backup
from toolkit.ops.merge import preview_import


def best(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "concordium-desktop-wallet-database.sqlite3"
        make_database(path, args.accounts)
        db = open_backup(path, PASSWORD)
    imported = Backup(dict(db.document))
    plain = Backup(dict(db.document))
    assert preview_import(db, imported).from_database_rows and not preview_import(plain, imported).from_database_rows
    rows = best(lambda: preview_import(db, imported), args.runs)
    document = best(lambda: preview_import(plain, imported), args.runs)
    result = {"accounts": args.accounts, "rows_s": rows, "document_s": document, "ratio": rows / document}
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{args.accounts:,} accounts: preview from the database's rows {rows:.2f} s, "
            f"from its export {document:.2f} s (ratio {rows / document:.2f})"
        )


if __name__ == "__main__":
    main()
