"""A real Dask cluster for tests: a scheduler and workers as separate processes on 127.0.0.1, free ports.

Each process logs to its own file (``scheduler.log``, ``worker-N.log``) so tests can scan the logs.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0


@dataclass
class Cluster:
    address: str
    folder: Path
    scheduler: subprocess.Popen
    workers: list[subprocess.Popen] = field(default_factory=list)
    tls_args: list[str] = field(default_factory=list)

    def logs(self) -> str:
        return "".join(p.read_text(errors="replace") for p in sorted(self.folder.glob("*.log")))

    def registered(self) -> int:
        return self.logs().count("Registered to:")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["DASK_DISTRIBUTED__WORKER__DAEMON"] = "False"
    env["DASK_LOGGING__DISTRIBUTED"] = "debug"  # the most a log can say: scanned for candidates
    env["DASK_LOGGING__TOOLKIT"] = "debug"  # the toolkit's own log on the workers too
    env["DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED"] = "False"  # as docs/RECOVERY.md recommends for recovery
    return env


def wait_until(predicate, what: str, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise TimeoutError(f"{what} did not start within {timeout} s")


def start_worker(
    cluster: Cluster, n: int, preload: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.Popen:
    """One more single-threaded worker (it finds the scheduler through the scheduler file); ``preload``: a module
    file the worker loads first (``dask worker --preload``), ``env``: more environment for it."""
    log = open(cluster.folder / f"worker-{n}.log", "wb")  # noqa: SIM115 - owned by the process
    where = ["--scheduler-file", str(cluster.folder / "scheduler.json")]
    proc = subprocess.Popen(
        [sys.executable, "-m", "dask", "worker", *where, "--nthreads", "1", "--no-nanny"]
        + ["--host", "127.0.0.1", "--dashboard-address", "127.0.0.1:0", "--name", f"w{n}"]
        + ["--local-directory", str(cluster.folder / f"worker-{n}"), *cluster.tls_args]
        + (["--preload", str(preload)] if preload else []),
        stdout=log,
        stderr=subprocess.STDOUT,
        env=dict(_env(), **(env or {})),
        cwd=cluster.folder,
    )
    cluster.workers.append(proc)
    return proc


@contextlib.contextmanager
def local_cluster(
    folder: Path,
    workers: int = 2,
    tls: dict[str, str] | None = None,
    preload: Path | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[Cluster]:
    """Scheduler + ``workers`` single-threaded workers; ``tls``: {"ca", "cert", "key"} files for tls://;
    ``preload``/``env``: see :func:`start_worker`."""
    folder.mkdir(parents=True, exist_ok=True)
    sched_file = folder / "scheduler.json"
    tls_args: list[str] = []
    if tls:
        tls_args = ["--tls-ca-file", tls["ca"], "--tls-cert", tls["cert"], "--tls-key", tls["key"]]
    log = open(folder / "scheduler.log", "wb")  # noqa: SIM115 - owned by the process
    protocol = ["--protocol", "tls"] if tls else []
    sched = subprocess.Popen(
        [sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", "0", *protocol]
        + ["--scheduler-file", str(sched_file), "--dashboard-address", "127.0.0.1:0", *tls_args],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=_env(),
        cwd=folder,
    )
    cluster = Cluster(address="", folder=folder, scheduler=sched, tls_args=tls_args)
    try:
        for n in range(workers):  # they start (import) while the scheduler does, and wait for its file
            start_worker(cluster, n, preload, env)
        wait_until(lambda: sched_file.exists() and sched_file.stat().st_size > 0, "the scheduler")
        cluster.address = json.loads(sched_file.read_text())["address"]
        wait_until(lambda: cluster.registered() >= workers, "the workers")
        yield cluster
    finally:
        for proc in [*cluster.workers, sched]:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in [*cluster.workers, sched]:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
