"""Password-recovery throughput next to the raw PBKDF2 rate, in the same run.

    .venv/bin/python bench/bench_recovery.py [--iterations 10000] [--seconds 8] [--rounds 3]

Measures, per round (the best round is reported):

- raw: ``cryptography``'s PBKDF2HMAC(SHA256).derive with the file's iterations,
  in a loop in this process (one core); and the same loop in one process per
  core at once (the machine's parallel ceiling);
- engine: :class:`toolkit.recovery.PasswordSearch` over a candidate list that
  does not hold the password, with 1 worker and with every core.  The engine's
  time runs from ``run()`` to its return: calibration, worker start-up, the
  search and its tail are all in it (counting the candidates is not).

Targets (issue 5): engine 1 worker >= 90% of raw; every core (2) >= 1.8x one worker.
About rounds x 3 x seconds in all (~75 s by default).  The machine may be shared: each
measurement also prints how many cores *other* programs kept busy meanwhile
(from /proc/stat), and the summary uses the best round of each measurement.
The last line, guesses per CPU-second this program used (workers and main
process, counting included), is not disturbed by other programs.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from toolkit import container
from toolkit.recovery import Candidates, PasswordSearch, available_cpus

PLAINTEXT = b'{"accounts":[],"identities":[],"addressBook":[],"credentials":[],"wallets":[]}'


def _busy_seconds() -> float | None:
    """CPU seconds the whole machine has been busy (Linux), to tell how much others used."""
    try:
        with open("/proc/stat") as fh:
            fields = [int(x) for x in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _own_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


@dataclass
class Measure:
    rate: float  # guesses per second of wall time
    per_cpu: float  # guesses per CPU-second this program used (not disturbed by other programs)
    other: float  # cores other programs kept busy meanwhile


def measured(fn: Callable[..., tuple[int, float]], *args: object) -> Measure:
    """Run ``fn`` (returning guesses, seconds) and note the CPU it and others used."""
    busy0, own0 = _busy_seconds(), _own_seconds()
    t0 = time.perf_counter()
    guesses, seconds = fn(*args)
    wall = time.perf_counter() - t0
    busy1, own1 = _busy_seconds(), _own_seconds()
    other = float("nan") if busy0 is None or busy1 is None else max(0.0, (busy1 - busy0) - (own1 - own0)) / wall
    return Measure(rate=guesses / seconds, per_cpu=guesses / max(own1 - own0, 1e-9), other=other)


def raw_loop(iterations: int, seconds: float, salt: bytes = b"\x01" * 16) -> tuple[int, float]:
    """PBKDF2-HMAC-SHA256 derives in a loop on one core: (derives, seconds)."""
    n = 0
    start = time.perf_counter()
    while True:
        PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations).derive(b"pw-%d" % n)
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n, elapsed


def raw_parallel(iterations: int, seconds: float, processes: int) -> tuple[int, float]:
    """One raw loop per process, all at once: (derives, seconds)."""
    with multiprocessing.Pool(processes) as pool:
        results = pool.starmap(raw_loop, [(iterations, seconds)] * processes)
    return sum(n for n, _ in results), max(t for _, t in results)


def engine(data: bytes, workers: int, candidates: int) -> tuple[int, float]:
    """A search that exhausts ``candidates`` (counting excluded): (tried, seconds)."""
    words = [f"bench-candidate-{i:08d}" for i in range(candidates)]
    search = PasswordSearch(data, Candidates(words=words))
    result = search.run(workers=workers)
    assert not result.found and result.tried == candidates
    return result.tried, result.elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=container.DESKTOP_ITERATIONS)
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each engine measurement")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    cores = available_cpus()
    data = container.encrypt(PLAINTEXT, "the-real-password", iterations=args.iterations)
    print(f"PBKDF2-HMAC-SHA256, {args.iterations:,} iterations; {cores} cores; Python {sys.version.split()[0]}")
    print("guesses/s per measurement; [n] = cores other programs kept busy meanwhile (0 = a quiet machine)")
    names = ("raw 1 core", "engine 1", f"raw {cores} cores", f"engine {cores}")
    print(f"{'round':>5} " + " ".join(f"{n:>15}" for n in names))
    rows: list[tuple[Measure, ...]] = []
    for r in range(1, args.rounds + 1):
        raw = measured(raw_loop, args.iterations, args.seconds / 2)
        one = measured(engine, data, 1, max(50, int(raw.rate * args.seconds)))
        raw_all = measured(raw_parallel, args.iterations, args.seconds / 2, cores)
        every = measured(engine, data, cores, max(100, int(raw.rate * cores * args.seconds)))
        rows.append((raw, one, raw_all, every))
        print(f"{r:>5} " + " ".join(f"{m.rate:9.1f} [{m.other:.1f}]" for m in rows[-1]), flush=True)

    raw, one, raw_all, every = (max(m.rate for m in col) for col in zip(*rows, strict=True))
    raw_cpu, one_cpu, _, every_cpu = (max(m.per_cpu for m in col) for col in zip(*rows, strict=True))
    print("\nbest of the rounds:")
    print(f"raw PBKDF2, 1 core:      {raw:9.1f} /s")
    print(f"raw PBKDF2, {cores} cores:     {raw_all:9.1f} /s  = {raw_all / raw:.2f}x 1 core")
    print(f"engine, 1 worker:        {one:9.1f} /s  = {one / raw:.1%} of raw 1 core (target >= 90%)")
    print(
        f"engine, {cores} workers:       {every:9.1f} /s  = {every / one:.2f}x engine 1 worker (target >= 1.8x with 2),"
        f" {every / raw:.2f}x raw 1 core, {every / raw_all:.1%} of raw {cores} cores"
    )
    print(
        f"per CPU-second (unaffected by other programs): raw {raw_cpu:.1f}, engine 1 worker {one_cpu:.1f} "
        f"({one_cpu / raw_cpu:.1%}), {cores} workers {every_cpu:.1f} ({every_cpu / raw_cpu:.1%})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
