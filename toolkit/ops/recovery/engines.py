"""Where ranges run: every local core (the default, no cluster needed) or a Dask cluster.

Both engines take a :class:`~.ranges.RangeJob` once and then ranges
``(start, end)``; both return futures with ``done()``, ``result()`` and
``cancel()`` whose result is a :class:`~.ranges.RangeResult`.

Local: a :class:`~concurrent.futures.ProcessPoolExecutor`; the job goes to each
process once, at its start.  The processes ignore Ctrl-C (the main process
handles it) and die with their parent (``PR_SET_PDEATHSIG`` on Linux, and a
parent check when they start), so a killed search leaves no orphans.

Dask: a :class:`distributed.Client` (given, or connected to an address); the
job is scattered to every worker once, under a random key; a task's key is
``concordium-recovery-<random>-<start>-<end>``.  A worker that dies mid-range
has its range rescheduled by the scheduler; the client counts a range once,
when its future finishes.
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
from typing import Any

from toolkit import errors

from .ranges import RangeJob, RangeResult, check_range

_PR_SET_PDEATHSIG = 1
_JOB: RangeJob | None = None


def _die_with_parent(parent: int) -> None:
    """Ask the kernel to kill this process when its parent dies; exit if that already happened."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _init_local(job: RangeJob, parent: int) -> None:
    # Ctrl-C, SIGTERM and SIGHUP (to the whole group) are the main process's to handle: it stops the
    # workers itself, and they die with it if it is killed outright.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
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
    sigs = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    old = {sig: signal.signal(sig, signal.SIG_IGN) for sig in sigs}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


class LocalEngine:
    """Every local core: one process per worker."""

    name = "local"
    dashboard: str | None = None

    def __init__(self, job: RangeJob, workers: int) -> None:
        self.workers = workers
        self._executor = ProcessPoolExecutor(max_workers=workers, initializer=_init_local, initargs=(job, os.getpid()))
        self._started = False

    def capacity(self) -> int:
        return self.workers

    def submit(self, start: int, end: int) -> Any:
        if self._started:
            return self._executor.submit(_check_local, start, end)
        self._started = True
        with _signals_ignored():  # the first submit forks the workers: no signal between fork and initializer
            return self._executor.submit(_check_local, start, end)

    def result(self, future: Any) -> RangeResult:
        return future.result()

    def wait(self, futures: list[Any], timeout: float) -> list[Any]:
        """The finished ones among ``futures``, waiting up to ``timeout`` for the first."""
        return list(wait_futures(futures, timeout=timeout, return_when=FIRST_COMPLETED).done)

    def close(self) -> None:
        """Cancel what waits; what runs finishes (a local range is a quarter of a second)."""
        self._executor.shutdown(wait=True, cancel_futures=True)


def tls_security(
    ca: str | os.PathLike[str] | None, cert: str | os.PathLike[str] | None, key: str | os.PathLike[str] | None
) -> Any:
    """A :class:`distributed.security.Security` for a ``tls://`` scheduler from three PEM files, or None when none
    is given: the CA that signed the cluster's certificates, this client's certificate and its private key.

    All three or none (``invalid-argument``, subject ``tls``); each must be readable (``cannot-read``).
    Encryption is then required: the client never falls back to plain TCP.
    """
    given = [ca, cert, key]
    if not any(given):
        return None
    if not all(given):
        raise errors.InvalidArgumentError(
            "A TLS connection needs the CA certificate, this client's certificate and its key: all three",
            subject="tls",
        )
    for path in given:
        with errors.reading(path, "TLS file"), open(path, "rb"):  # type: ignore[arg-type]
            pass
    from distributed.security import Security

    return Security(
        tls_ca_file=os.fspath(ca),  # type: ignore[arg-type]
        tls_client_cert=os.fspath(cert),  # type: ignore[arg-type]
        tls_client_key=os.fspath(key),  # type: ignore[arg-type]
        require_encryption=True,
    )


def connect(address: str, *, security: Any = None, timeout: float = 10.0) -> Any:
    """A :class:`distributed.Client` for ``address``, or :class:`~toolkit.errors.ClusterError` within ``timeout``."""
    from distributed import Client

    try:
        return Client(address, security=security, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError, RuntimeError) as exc:
        why = "timed out" if isinstance(exc, TimeoutError) or "Timed out" in str(exc) else type(exc).__name__
        raise errors.ClusterError(f"Cannot reach the Dask scheduler at {address} ({why})") from None


class DaskEngine:
    """A Dask cluster: a given :class:`distributed.Client`, or one connected to an address (and closed after)."""

    name = "dask"

    def __init__(self, job: RangeJob, cluster: Any, *, security: Any = None, timeout: float = 10.0) -> None:
        self._own = isinstance(cluster, str)
        self._finished = threading.Event()
        self.client = connect(cluster, security=security, timeout=timeout) if self._own else cluster
        self._ident = job.ident
        try:
            try:
                self.client.wait_for_workers(1, timeout=timeout)
            except (TimeoutError, OSError):
                raise errors.ClusterError(
                    "The Dask scheduler has no workers", hint="Start workers ('dask worker ADDRESS') and run again."
                ) from None
            self._job = self.client.scatter(job, broadcast=True, hash=False)
            services = self.client.scheduler_info().get("services", {})
            self.dashboard: str | None = self.client.dashboard_link if "dashboard" in services else None
        except BaseException:
            self.close()
            raise
        self.workers = self.capacity()

    def capacity(self) -> int:
        """Threads across the cluster's workers now (workers may come and go)."""
        try:
            self.workers = max(1, sum(self.client.nthreads().values()))
        except (OSError, TimeoutError):
            pass
        return self.workers

    def submit(self, start: int, end: int) -> Any:
        future = self.client.submit(
            check_range, self._job, start, end, key=f"concordium-recovery-{self._ident}-{start}-{end}", pure=False
        )
        future.add_done_callback(lambda _f: self._finished.set())
        return future

    def close(self) -> None:
        job = getattr(self, "_job", None)
        with contextlib.suppress(Exception):
            if job is not None:
                self.client.cancel([job], force=True)
        if self._own:
            with contextlib.suppress(Exception):
                self.client.close(timeout=5)

    def wait(self, futures: list[Any], timeout: float) -> list[Any]:
        """The finished ones among ``futures``, waiting up to ``timeout`` for the first.

        (Not ``distributed.wait``: it needs a default client, and the form runs in a thread.)
        """
        if not any(f.done() for f in futures):
            self._finished.wait(timeout)
        self._finished.clear()
        return [f for f in futures if f.done()]

    def result(self, future: Any) -> RangeResult:
        """A finished range's result; a cluster's failure becomes a :class:`~toolkit.errors.ClusterError`."""
        return _cluster_result(future)


def _cluster_result(future: Any) -> RangeResult:
    try:
        return future.result()
    except errors.BackupError:
        raise
    except Exception as exc:
        raise errors.ClusterError(
            f"A range of candidates failed on the cluster ({type(exc).__name__})",
            hint="Check the workers (they need this toolkit installed) and run again to resume.",
        ) from None
