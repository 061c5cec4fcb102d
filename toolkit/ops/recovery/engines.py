"""Where ranges run: the :class:`Engine` protocol, and every local core (:class:`LocalEngine`, the default).

An engine is built by the caller (the CLI, the form, a script) and handed to
:meth:`~.search.PasswordSearch.run`; the search then calls :meth:`Engine.open`
(connect, count workers), :meth:`Engine.start` with the :class:`~.ranges.RangeJob`
once, and then submits ranges ``(start, end)`` and collects their answers,
which an engine returns *validated* (:func:`~.ranges.validated`).  A Dask
cluster is :class:`~.cluster.DaskEngine` (in :mod:`.cluster`, where every
``distributed`` import is).  A new engine implements this protocol; nothing
in the search names an engine.

Local: a :class:`~concurrent.futures.ProcessPoolExecutor`; the job goes to each
process once, at its start.  The processes ignore Ctrl-C (the main process
handles it) and die with their parent (``PR_SET_PDEATHSIG`` where the kernel
has it, Linux; and a parent check when they start, everywhere), so a killed
search leaves no orphans.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor
from concurrent.futures import wait as wait_futures
from typing import Any, Protocol, runtime_checkable

from .ranges import RangeJob, RangeResult, check_range, validated


def available_cpus() -> int:
    """Cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


_PR_SET_PDEATHSIG = 1
_JOB: RangeJob | None = None
#: The signals that stop a search (SIGHUP only where the system has it: not on Windows).
STOP_SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@runtime_checkable
class Engine(Protocol):
    """Where a search's ranges run.  Handles (what :meth:`submit` returns) need ``done()`` and ``cancel()``."""

    #: "local", "dask", ...: named in results and ``--json``.
    name: str
    #: Workers (processes, threads) working now; set by :meth:`open`.
    workers: int
    #: A URL to watch the work, or None.
    dashboard: str | None
    #: Seconds of work one range should take (a stop waits for at most one locally).
    range_seconds: float
    #: Share of candidates the search re-checks here to catch a lying worker (0: none; local engines: 0).
    spot_check: float
    #: Whether a "not found" is this computer's own (False: the word of other machines).
    trusted: bool

    def open(self) -> None:
        """Connect and count workers (idempotent); errors are :class:`~toolkit.errors.BackupError`."""

    def describe(self) -> str:
        """Where the search runs, for a person: ``2 cores``, ``a Dask cluster (8 threads)``."""

    def notes(self) -> list[str]:
        """Things a person should know about this engine (version differences, ...), one line each."""

    def start(self, job: RangeJob) -> None:
        """Give the job to the workers (once per run)."""

    def capacity(self) -> int:
        """Workers now (they may come and go)."""

    def submit(self, start: int, end: int) -> Any:
        """Check candidates ``[start, end)``; a handle."""

    def wait(self, handles: list[Any], timeout: float) -> list[Any]:
        """The finished ones among ``handles``, waiting up to ``timeout`` for the first."""

    def result(self, handle: Any, start: int, end: int) -> RangeResult:
        """A finished range's validated answer (or a :class:`~toolkit.errors.BackupError`)."""

    def worker_of(self, handle: Any) -> str:
        """Which worker answered (for messages about a faulty one)."""

    def finished_result(self, handle: Any, start: int, end: int) -> RangeResult | None:
        """After :meth:`close`: the answer of a range that finished meanwhile, if it can still be counted."""

    def close(self) -> None:
        """Stop: cancel what waits; release what this engine opened."""


def _die_with_parent(parent: int) -> None:
    """Ask the kernel to kill this process when its parent dies; exit if that already happened."""
    if sys.platform.startswith("linux"):  # prctl exists only there; elsewhere the parent check below does it
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _init_local(job: RangeJob, parent: int) -> None:
    # Ctrl-C, SIGTERM and SIGHUP (to the whole group) are the main process's to handle: it stops the
    # workers itself, and they die with it if it is killed outright.
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    _die_with_parent(parent)
    global _JOB
    _JOB = job


def _check_local(start: int, end: int) -> RangeResult:
    assert _JOB is not None
    return check_range(_JOB, start, end)


@contextlib.contextmanager
def _signals_ignored() -> Iterator[None]:
    """While worker processes are forked (they inherit it), stop signals are ignored; then restored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {sig: signal.signal(sig, signal.SIG_IGN) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


class LocalEngine:
    """Every local core (or ``workers`` of them): one process per worker."""

    name = "local"
    dashboard: str | None = None
    range_seconds = 0.25
    spot_check = 0.0
    trusted = True

    def __init__(self, workers: int | None = None) -> None:
        if workers is not None and workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers or available_cpus()
        self._executor: ProcessPoolExecutor | None = None
        self._started = False

    def __repr__(self) -> str:
        return f"<LocalEngine {self.workers} workers>"

    def open(self) -> None:
        pass

    def describe(self) -> str:
        return f"{self.workers} {'core' if self.workers == 1 else 'cores'}"

    def notes(self) -> list[str]:
        return []

    def start(self, job: RangeJob) -> None:
        self.close()
        self._executor = ProcessPoolExecutor(
            max_workers=self.workers, initializer=_init_local, initargs=(job, os.getpid())
        )
        self._started = False

    def capacity(self) -> int:
        return self.workers

    def submit(self, start: int, end: int) -> Any:
        assert self._executor is not None, "start() first"
        if self._started:
            return self._executor.submit(_check_local, start, end)
        self._started = True
        with _signals_ignored():  # the first submit forks the workers: no signal between fork and initializer
            return self._executor.submit(_check_local, start, end)

    def result(self, future: Any, start: int, end: int) -> RangeResult:
        return validated(future.result(), start, end)

    def worker_of(self, future: Any) -> str:
        return "a local process"

    def finished_result(self, future: Any, start: int, end: int) -> RangeResult | None:
        """What a range that finished while stopping found (a local range is a quarter of a second)."""
        if future.done() and not future.cancelled() and future.exception() is None:
            return self.result(future, start, end)
        return None

    def wait(self, futures: list[Any], timeout: float) -> list[Any]:
        """The finished ones among ``futures``, waiting up to ``timeout`` for the first."""
        return list(wait_futures(futures, timeout=timeout, return_when=FIRST_COMPLETED).done)

    def close(self) -> None:
        """Cancel what waits; what runs finishes (a local range is a quarter of a second)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


def __getattr__(name: str) -> Any:
    """``DaskEngine``, ``tls_security`` and ``connect`` live in :mod:`.cluster` (imported only when asked for)."""
    if name in ("DaskEngine", "tls_security", "connect"):
        from . import cluster

        return getattr(cluster, name)
    raise AttributeError(name)
