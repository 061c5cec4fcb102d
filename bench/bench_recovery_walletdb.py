"""Password recovery on the Desktop Wallet's own database, next to the raw key derivation, in the same run.

    .venv/bin/python bench/bench_recovery_walletdb.py [--guesses 24] [--workers 1]

Per CPU-second (this process and its worker processes), so that other programs on a shared machine do not
distort it:

- raw: SQLCipher 4's key derivation (:func:`toolkit.format.sqlcipher.derive_keys`: PBKDF2-HMAC-SHA512,
  256,000 iterations, and the 2-iteration HMAC key) in a loop in this process;
- engine: :class:`toolkit.ops.recovery.PasswordSearch` over tests/walletdb/wallet.sqlite3 with candidates
  that do not open it (no '.', so one guess each), on a :class:`~toolkit.ops.recovery.LocalEngine`
  (calibration, worker start-up and counting included);
- the checkpoint's slow secret (:func:`toolkit.ops.recovery.checkpoint.search_secret` with the database's
  own cost and salt): what testing one guessed hint against a checkpoint costs, against one guess.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from toolkit.format import container as ct
from toolkit.format import sqlcipher as sc
from toolkit.ops.recovery import Candidates, LocalEngine, PasswordSearch
from toolkit.ops.recovery import checkpoint as cp

DB = Path(__file__).resolve().parent.parent / "tests" / "walletdb" / "wallet.sqlite3"


def cpu() -> float:
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--guesses", type=int, default=24)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    data = DB.read_bytes()
    salt = data[: sc.SALT_LEN]

    t0 = cpu()
    for i in range(args.guesses):
        sc.derive_keys(f"raw-guess-{i}", salt)
    raw = args.guesses / (cpu() - t0)

    words = [f"engine-guess-{i:04d}" for i in range(args.guesses)]
    t0, w0 = cpu(), time.perf_counter()
    result = PasswordSearch(DB, Candidates(words=words)).run(LocalEngine(args.workers))
    engine_cpu, wall = cpu() - t0, time.perf_counter() - w0
    assert not result.found and result.tried == args.guesses
    engine = args.guesses / engine_cpu

    t0 = cpu()
    for i in range(3):
        cp.search_secret(
            b"%d" % i, ct.KdfParams(iterations=sc.KDF_ITERATIONS, salt=salt, hash_algorithm="sha512"), "0" * 64
        )
    secret = (cpu() - t0) / 3

    print(f"raw SQLCipher 4 key derivation: {raw:.2f} guesses per CPU-second (one core)")
    print(
        f"engine, {args.workers} worker(s): {engine:.2f} guesses per CPU-second = {engine / raw:.0%} of raw "
        f"({result.rate:.2f} guesses/s wall, {wall:.1f} s)"
    )
    print(f"checkpoint secret: {secret:.3f} CPU-s = {secret * raw:.2f}x one database guess")


if __name__ == "__main__":
    main()
