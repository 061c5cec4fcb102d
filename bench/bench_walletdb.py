"""Benchmark: read a generated 20,000-account wallet database, next to SQLCipher's own ``SELECT *``.

The database has the schema the wallet's migrations leave (copied from tests/walletdb/wallet.sqlite3,
made by the wallet's own code) and the records of ``large_desktop_document`` (20,000 accounts and
credentials over 2,000 identities, 10,000 contacts), written by ``sqlcipher3`` with SQLCipher 4's
defaults.  Timed (best of N, same process):

- toolkit: ``open_backup`` — the KDF, every page's HMAC and AES, ``sqlite3`` in memory, the export
  document as the wallet's Export builds it, and the history rows;
- baseline: ``sqlcipher3.connect`` + ``PRAGMA key`` + ``SELECT *`` of every table (rows as tuples).

Both pay one PBKDF2-HMAC-SHA512 of 256,000 iterations; it is also timed alone, with the guesses per
second per core of ``hashlib`` and ``cryptography`` (what a password search costs).

    .venv/bin/python bench/bench_walletdb.py [--runs 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import sqlcipher3

from toolkit import open_backup
from toolkit.format import sqlcipher as sc
from toolkit.testing.synthetic import large_desktop_document

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-Password-1"
TABLES = {
    "wallets": "wallet",
    "identities": "identities",
    "accounts": "accounts",
    "credentials": "credentials",
    "addressBook": "addressBook",
    "externalCredentials": "external_credentials",
}


def make_database(path: Path, accounts: int) -> None:
    """A wallet database with the wallet's schema and ``accounts`` generated accounts."""
    fixture = ROOT / "tests" / "walletdb" / "wallet.sqlite3"
    con0 = sc.connect_image(sc.decrypt_database(fixture.read_bytes(), "Wallet-DB-2026").image)
    schema = [r[0] for r in con0.execute("select sql from sqlite_schema where sql is not null order by rowid")]
    columns = {t: [r[1] for r in con0.execute(f"pragma table_info(`{t}`)")] for t in TABLES.values()}
    con0.close()
    doc = large_desktop_document(accounts, accounts, accounts // 2)
    con = sqlcipher3.connect(str(path))
    con.execute(f"PRAGMA key = '{PASSWORD}'")
    for sql in schema:
        if "sqlite_sequence" not in sql:
            con.execute(sql)
    for name, table in TABLES.items():
        cols = columns[table]
        rows = []
        for record in doc.get(name) or []:
            row = []
            for c in cols:
                v = record.get(c)
                if isinstance(v, (dict, list)):
                    v = json.dumps(v)
                elif isinstance(v, bool):
                    v = int(v)
                row.append(v)
            rows.append(row)
        marks = ",".join("?" * len(cols))
        con.executemany(f"insert or ignore into `{table}` ({','.join(f'`{c}`' for c in cols)}) values ({marks})", rows)
    con.commit()
    con.close()


def sqlcipher_select_all(path: Path) -> int:
    con = sqlcipher3.connect(f"file:{path}?mode=ro", uri=True)
    con.execute(f"PRAGMA key = '{PASSWORD}'")
    names = [r[0] for r in con.execute("select name from sqlite_master where type = 'table'")]
    n = sum(len(con.execute(f"select * from `{t}`").fetchall()) for t in names)
    con.close()
    return n


def best(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def kdf_rates(n: int = 5) -> dict[str, float]:
    import hashlib

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    salt = os.urandom(16)
    out = {}
    for label, fn in (
        ("hashlib", lambda p: hashlib.pbkdf2_hmac("sha512", p, salt, sc.KDF_ITERATIONS, 32)),
        (
            "cryptography",
            lambda p: PBKDF2HMAC(algorithm=hashes.SHA512(), length=32, salt=salt, iterations=sc.KDF_ITERATIONS).derive(
                p
            ),
        ),
    ):
        cpu = time.process_time()
        for i in range(n):
            fn(b"guess-%d" % i)
        out[label] = n / (time.process_time() - cpu)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--accounts", type=int, default=20_000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "concordium-desktop-wallet-database.sqlite3"
        make_database(path, args.accounts)
        size = path.stat().st_size
        backup = open_backup(path, PASSWORD)
        assert len(backup.document["accounts"]) == args.accounts, len(backup.document["accounts"])
        toolkit_s = best(lambda: open_backup(path, PASSWORD), args.runs)
        baseline_s = best(lambda: sqlcipher_select_all(path), args.runs)
        salt = path.read_bytes()[:16]
        kdf_s = best(lambda: sc.derive_keys(PASSWORD, salt), args.runs)
    rates = kdf_rates()
    result = {
        "accounts": args.accounts,
        "bytes": size,
        "toolkit_s": round(toolkit_s, 3),
        "sqlcipher3_select_all_s": round(baseline_s, 3),
        "ratio": round(toolkit_s / baseline_s, 2),
        "kdf_s": round(kdf_s, 3),
        "toolkit_minus_kdf_s": round(toolkit_s - kdf_s, 3),
        "sqlcipher3_minus_kdf_s": round(baseline_s - kdf_s, 3),
        "pbkdf2_sha512_256k_guesses_per_s_per_core": {k: round(v, 2) for k, v in rates.items()},
    }
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k}: {v}")


if __name__ == "__main__":
    main()
