"""Password-recovery throughput next to the raw PBKDF2 rate, in the same run.

    .venv/bin/python bench/bench_recovery.py [--iterations 10000] [--seconds 8] [--rounds 3]

Measures, per round (the best round is reported):

- raw: ``cryptography``'s PBKDF2HMAC(SHA256).derive with the file's iterations,
  in a loop in this process (one core); and the same loop in one process per
  core at once (the machine's parallel ceiling);
- engine: :class:`toolkit.ops.recovery.PasswordSearch` over a candidate list that
  does not hold the password, with 1 worker and with every core.  The engine's
  time runs from ``run()`` to its return: calibration, worker start-up, the
  search and its tail are all in it (counting the candidates is not).

- cluster: the same search on a local Dask cluster (``distributed.LocalCluster``,
  one single-threaded worker process per core, on 127.0.0.1, the workers'
  statistical profiler off and a 1 s event-loop tick, as docs/RECOVERY.md recommends;
  ``--profile`` leaves the profiler on), started once
  before the rounds (its start-up time is printed, not counted), with the
  engine's own range size (about 2 s of work per range);
- overhead per range: empty ranges through the Dask engine, two in flight per
  worker thread, as the search keeps them.

Targets (issue 5, issue 15): engine 1 worker >= 90% of raw; every core (2) >= 1.8x one
worker; local engine and the 2-worker cluster each >= 95% of raw on 2 cores.
About rounds x 4 x seconds in all (~100 s by default).  The machine may be shared: each
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

from toolkit.format import container
from toolkit.ops.recovery import Candidates, PasswordSearch, available_cpus

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


def _workers_cpu(client: object) -> float:
    """CPU seconds the cluster's worker processes have used (they are not this program's children)."""
    import psutil

    pids = client.run(os.getpid).values()  # type: ignore[attr-defined]
    return sum(sum(psutil.Process(pid).cpu_times()[:2]) for pid in pids)


def cluster_engine(data: bytes, client: object, candidates: int) -> tuple[int, float]:
    """The same search on a Dask cluster: (tried, seconds); its workers' CPU goes to CLUSTER_CPU."""
    words = [f"bench-candidate-{i:08d}" for i in range(candidates)]
    cpu0 = _workers_cpu(client)
    from toolkit.ops.recovery.cluster import DaskEngine

    result = PasswordSearch(data, Candidates(words=words)).run(DaskEngine(client))
    CLUSTER_CPU.append(_workers_cpu(client) - cpu0)
    assert not result.found and result.tried == candidates and result.engine == "dask"
    return result.tried, result.elapsed


CLUSTER_CPU: list[float] = []


def range_overhead(data: bytes, client: object, ranges: int = 400) -> float:
    """Seconds of cluster time one range costs beyond its candidates (empty ranges, as the search keeps them)."""
    from toolkit.ops.recovery.cluster import DaskEngine

    search = PasswordSearch(data, Candidates(words=["bench-candidate"]))
    engine = DaskEngine(client)
    engine.start(search.job(portable=True))
    try:
        threads = engine.capacity()
        in_flight: list[object] = []
        t0 = time.perf_counter()
        for i in range(ranges):
            if len(in_flight) >= 2 * threads:
                in_flight.pop(0).result()  # type: ignore[attr-defined]
            in_flight.append(engine.submit(i, i))
        for f in in_flight:
            f.result()  # type: ignore[attr-defined]
        return (time.perf_counter() - t0) * threads / ranges
    finally:
        engine.close()


def start_cluster(workers: int, profile: bool) -> tuple[object, object, float]:
    """A local cluster as docs/RECOVERY.md recommends for recovery: the workers' statistical profiler off."""
    import dask
    from distributed import LocalCluster

    from toolkit.ops.recovery.cluster import connect

    t0 = time.perf_counter()
    dask.config.set(
        {
            "distributed.worker.profile.enabled": profile,
            "distributed.admin.tick.interval": "1s",  # as docs/RECOVERY.md recommends: fewer wake-ups per process
            "distributed.admin.system-monitor.interval": "2s",
        }
    )
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
        silence_logs=40,
    )
    client = connect(cluster.scheduler_address, insecure=True)  # the recovery's own client: loads no pickle
    client.wait_for_workers(workers)
    return cluster, client, time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=container.DESKTOP_ITERATIONS)
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each engine measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--profile", action="store_true", help="leave the Dask workers' statistical profiler on (Dask's default)"
    )
    args = parser.parse_args()

    cores = available_cpus()
    data = container.encrypt(PLAINTEXT, "the-real-password", iterations=args.iterations)
    print(f"PBKDF2-HMAC-SHA256, {args.iterations:,} iterations; {cores} cores; Python {sys.version.split()[0]}")
    print("guesses/s per measurement; [n] = cores other programs kept busy meanwhile (0 = a quiet machine)")
    dask_cluster, client, startup = start_cluster(cores, args.profile)
    overhead = range_overhead(data, client)
    print(f"local Dask cluster of {cores} worker processes: started in {startup:.1f} s")
    names = ("raw 1 core", "engine 1", f"raw {cores} cores", f"engine {cores}", f"cluster {cores}")
    print(f"{'round':>5} " + " ".join(f"{n:>15}" for n in names))
    rows: list[tuple[Measure, ...]] = []
    try:
        for r in range(1, args.rounds + 1):
            raw = measured(raw_loop, args.iterations, args.seconds / 2)
            one = measured(engine, data, 1, max(50, int(raw.rate * args.seconds)))
            raw_all = measured(raw_parallel, args.iterations, args.seconds / 2, cores)
            every = measured(engine, data, cores, max(100, int(raw.rate * cores * args.seconds)))
            n = max(100, int(raw.rate * cores * args.seconds))
            dask = measured(cluster_engine, data, client, n)
            dask.per_cpu = n / (n / dask.per_cpu + CLUSTER_CPU[-1])  # this program's CPU and the workers'
            rows.append((raw, one, raw_all, every, dask))
            print(f"{r:>5} " + " ".join(f"{m.rate:9.1f} [{m.other:.1f}]" for m in rows[-1]), flush=True)
    finally:
        client.close()  # type: ignore[attr-defined]
        dask_cluster.close()  # type: ignore[attr-defined]

    raw, one, raw_all, every, dask = (max(m.rate for m in col) for col in zip(*rows, strict=True))
    raw_cpu, one_cpu, _, every_cpu, dask_cpu = (max(m.per_cpu for m in col) for col in zip(*rows, strict=True))
    print("\nbest of the rounds:")
    print(f"raw PBKDF2, 1 core:      {raw:9.1f} /s")
    print(f"raw PBKDF2, {cores} cores:     {raw_all:9.1f} /s  = {raw_all / raw:.2f}x 1 core")
    print(f"engine, 1 worker:        {one:9.1f} /s  = {one / raw:.1%} of raw 1 core (target >= 90%)")
    print(
        f"engine, {cores} workers:       {every:9.1f} /s  = {every / one:.2f}x engine 1 worker (target >= 1.8x with 2),"
        f" {every / raw:.2f}x raw 1 core, {every / raw_all:.1%} of raw {cores} cores"
    )
    print(f"local engine, {cores} workers: {every / raw_all:.1%} of raw {cores} cores (target >= 95%)")
    print(f"Dask cluster, {cores} workers: {dask:9.1f} /s  = {dask / raw_all:.1%} of raw {cores} cores (target >= 95%)")
    print(f"Dask overhead per range: {overhead * 1000:.1f} ms of a worker's time (a range is ~2 s of work)")
    print(
        f"per CPU-second (unaffected by other programs): raw {raw_cpu:.1f}, engine 1 worker {one_cpu:.1f} "
        f"({one_cpu / raw_cpu:.1%}), {cores} workers {every_cpu:.1f} ({every_cpu / raw_cpu:.1%}), "
        f"Dask cluster {dask_cpu:.1f} ({dask_cpu / raw_cpu:.1%})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
