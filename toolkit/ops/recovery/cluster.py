"""A Dask cluster as a search engine, built so that no peer runs code here and no lie passes as a result.

Every ``distributed`` import of the toolkit is in this module, inside functions: the rest of the toolkit
works without Dask installed.

Trust, by construction (docs/RECOVERY.md, "Trust"):

- **No pickle from a peer is ever loaded.**  The client is made here (:func:`connect`): it deserialises only
  msgpack (``deserializers=("msgpack",)``), gathers through the scheduler (``direct_to_workers=False``) and
  subscribes to no ``print``/``warn`` events (the ``warn`` handler unpickles).  Dask routes every other
  unpickling it does for a client — a result's type, a task's exception and traceback, a ``__Pickled__``
  frame, the ``pickle``/``dask`` serialisation families — through :func:`distributed.protocol.pickle.loads`;
  that function is wrapped (:func:`_install`) to refuse while this engine works (a context variable set
  only around this engine's calls and inherited by its client's event-loop tasks).  Elsewhere in the
  process Dask is untouched.
- **Answers are plain data, validated** (:func:`~.ranges.validated`): per range four integers, its own
  bounds, hits inside it and few of them; anything else is ``cluster-bad-answer`` naming the worker.  A hit
  counts only after this computer's own key derivation and full decrypt.
- **A worker's "no" is its word.**  It cannot be checked without redoing the work: a search the cluster
  exhausts is "not found by the cluster's workers".  ``spot_check`` re-tries that share of every range
  here; a disagreement is ``cluster-disagreement`` naming the worker (or, if the check found the password,
  the password and the worker's name).
- **Plain ``tcp://`` is opt-in** (``insecure=True``): anyone who reaches such a scheduler can join as a
  worker, see the hints and answer for the cluster.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

from toolkit import errors
from toolkit.extras import require
from toolkit.textsafe import safe_text

from .ranges import RangeJob, RangeResult, check_range, validated

log = logging.getLogger("toolkit.ops.recovery")

#: Schemes whose connections are encrypted and authenticated (with a :class:`distributed.security.Security`).
SECURE_SCHEMES = ("tls", "wss")
#: How long a finished range's answer may take to arrive.
RESULT_TIMEOUT = 60.0
#: With ranges in flight and none finishing for this long, the cluster is stuck (or its report stream broke).
STALL_SECONDS = 300.0


# --------------------------------------------------------------------------- no pickle from a peer


class _Refusing:
    """This engine's context: unpickling is refused while it is set (and how many times it was)."""

    def __init__(self) -> None:
        self.count = 0


_REFUSING: contextvars.ContextVar[_Refusing | None] = contextvars.ContextVar(
    "toolkit_recovery_refuse_pickles", default=None
)
_install_lock = threading.Lock()
_installed = False


class PickleRefusedError(TypeError):
    """Dask was about to unpickle data from a peer for a recovery engine.  (A TypeError: Dask's own handlers
    then treat the data as unreadable and go on.)"""


def _install() -> None:
    """Wrap :func:`distributed.protocol.pickle.loads` (and the names bound to it) to refuse in this context."""
    global _installed
    with _install_lock:
        if _installed:
            return
        import distributed.client  # noqa: F401 - binds `loads` by name: replaced below
        import distributed.core  # noqa: F401
        from distributed.protocol import pickle as dask_pickle

        original = dask_pickle.loads

        def loads(x: Any, *, buffers: Any = ()) -> Any:
            refusing = _REFUSING.get()
            if refusing is not None:
                refusing.count += 1
                raise PickleRefusedError("data from a Dask peer would be unpickled: refused")
            return original(x, buffers=buffers)

        loads.__wrapped__ = original  # type: ignore[attr-defined]
        for name, module in list(sys.modules.items()):
            if (name == "distributed" or name.startswith("distributed.")) and getattr(
                module, "loads", None
            ) is original:
                module.loads = loads  # type: ignore[attr-defined]
        dask_pickle.loads = loads
        _installed = True


@contextlib.contextmanager
def _refusing(state: _Refusing) -> Iterator[None]:
    token = _REFUSING.set(state)
    try:
        yield
    finally:
        _REFUSING.reset(token)


@functools.cache
def _client_class() -> type:
    from distributed import Client
    from distributed.client import _handle_print, _handle_warn

    class RecoveryClient(Client):
        """A client that takes no ``print``/``warn`` events (a worker's text would reach this terminal, and Dask's
        ``warn`` handler unpickles what the worker sent), and whose start is bounded in time: Dask's own
        ``timeout`` does not cover a peer that accepts the connection and never answers."""

        _toolkit_failed = False

        def subscribe_topic(self, topic: str, handler: Any) -> None:
            if handler in (_handle_print, _handle_warn):
                return
            super().subscribe_topic(topic, handler)

        def start(self, **kwargs: Any) -> None:
            if self.status != "newly-created" or self.asynchronous:
                return super().start(**kwargs)
            from distributed.utils import sync

            self._loop_runner.start()
            timeout = kwargs.get("timeout")
            try:
                sync(self.loop, self._start, callback_timeout=None if timeout is None else timeout + 2, **kwargs)
            except BaseException:
                self._toolkit_failed = True  # no close() from __del__: it waits again and prints a traceback
                with contextlib.suppress(Exception):
                    self._loop_runner.stop()
                raise

        def __del__(self) -> None:
            if not self._toolkit_failed:
                with contextlib.suppress(Exception):
                    super().__del__()

    return RecoveryClient


# --------------------------------------------------------------------------- connecting


def require_distributed() -> None:
    """The one check that Dask is installed (the toolkit's optional ``dask`` extra): ``missing-extra`` if not."""
    require("dask", "distributed")


def scheme_of(address: str) -> str:
    return address.split("://", 1)[0].lower() if "://" in address else "tcp"


def check_address(address: str, *, insecure: bool) -> None:
    """A plain scheduler (``tcp://``, ``ws://``) only with ``insecure``: :class:`~toolkit.errors.InsecureClusterError`."""
    if not isinstance(address, str) or not address.strip():
        raise errors.InvalidArgumentError("The cluster's address is empty", subject="cluster")
    scheme = scheme_of(address)
    if scheme not in SECURE_SCHEMES and not insecure:
        raise errors.InsecureClusterError(
            f"The scheduler {safe_text(address)} is plain {scheme}://, neither encrypted nor authenticated: "
            "anyone who reaches it can join as a worker, see the hints and answer for the cluster",
            subject="insecure",
        )


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
    require_distributed()
    from distributed.security import Security

    return Security(
        tls_ca_file=os.fspath(ca),  # type: ignore[arg-type]
        tls_client_cert=os.fspath(cert),  # type: ignore[arg-type]
        tls_client_key=os.fspath(key),  # type: ignore[arg-type]
        require_encryption=True,
    )


@contextlib.contextmanager
def dask_logs_quiet(quiet: bool = True) -> Iterator[None]:
    """Dask's own log (``distributed``) silent meanwhile: a refused peer makes it print tracebacks."""
    if not quiet:
        yield
        return
    with contextlib.suppress(ImportError):
        import distributed  # noqa: F401 - its import sets its logger's level: first, so that this one holds
    logger = logging.getLogger("distributed")
    old = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(old)


def connect(
    address: str, *, security: Any = None, insecure: bool = False, timeout: float = 10.0, _state: Any = None
) -> Any:
    """A :class:`distributed.Client` for ``address`` that loads no pickle from its peers (see the module's
    docstring), or :class:`~toolkit.errors.ClusterError` within ``timeout`` seconds.

    ``insecure`` must be True for a plain ``tcp://`` scheduler (:func:`check_address`).
    """
    check_address(address, insecure=insecure)
    require_distributed()
    _install()
    state = _state or _Refusing()
    started = time.monotonic()
    client = None
    with _refusing(state):
        try:
            client = _client_class()(
                address,
                security=security,
                timeout=timeout,
                set_as_default=False,
                deserializers=("msgpack",),
                direct_to_workers=False,
            )
        except (OSError, TimeoutError, ValueError, TypeError, RuntimeError) as exc:
            why = "timed out" if isinstance(exc, TimeoutError) or "Timed out" in str(exc) else type(exc).__name__
            if scheme_of(address) not in SECURE_SCHEMES and security is not None:
                why += "; TLS files were given for a plain address"
            elif scheme_of(address) == "tcp" and "tls" in str(exc).lower():
                why += "; the scheduler wants tls://"
            log.debug("connecting to the scheduler failed after %.1f s", time.monotonic() - started)
            raise errors.ClusterError(f"Cannot reach the Dask scheduler at {safe_text(address)} ({why})") from None
    client._toolkit_refusing = state
    return client


def _version_notes(versions: dict[str, Any]) -> list[str]:
    """What differs between this computer, the scheduler and the workers: one line per package (hostile text
    neutralised and cut)."""
    ours = versions.get("client", {}).get("packages", {}) if isinstance(versions, dict) else {}
    peers: list[tuple[str, Any]] = [("the scheduler", versions.get("scheduler"))]
    workers = versions.get("workers")
    if isinstance(workers, dict):
        peers += [(f"worker {safe_text(str(addr))[:80]}", info) for addr, info in workers.items()]
    notes: list[str] = [f"{who} did not say its versions" for who, info in peers if not isinstance(info, dict)]
    peers = [(who, info) for who, info in peers if isinstance(info, dict)]
    for package in ("python", "dask", "distributed", "msgpack", "cloudpickle", "toolkit"):
        mine = ours.get(package)
        differing: dict[str, list[str]] = {}
        for who, info in peers:
            packages = info.get("packages")
            theirs = packages.get(package) if isinstance(packages, dict) else None
            if (
                isinstance(theirs, str | type(None))
                and theirs != mine
                and (package != "toolkit" or who != "the scheduler")
            ):
                differing.setdefault(safe_text(str(theirs))[:40], []).append(who)
        for theirs, who in differing.items():
            shown = ", ".join(who[:3]) + (f" and {len(who) - 3} more" if len(who) > 3 else "")
            notes.append(f"{shown}: {package} {theirs}, this computer {safe_text(str(mine))[:40]}")
    return notes


# --------------------------------------------------------------------------- the engine


def _task(job: RangeJob, start: int, end: int) -> Any:
    """What a worker runs: the answer as msgpack-serialised plain data (the client loads nothing else)."""
    from distributed.protocol.serialize import Serialized, serialize

    return Serialized(*serialize(check_range(job, start, end).plain(), serializers=("msgpack",), on_error="raise"))


class DaskEngine:
    """A Dask cluster: a scheduler address (connected and closed here) or a client from :func:`connect`.

    ``security``: a :class:`distributed.security.Security` for ``tls://`` (:func:`tls_security`);
    ``insecure``: allow a plain ``tcp://`` scheduler; ``spot_check``: the share (0–1) of each range this
    computer re-tries itself; ``verbose``: leave Dask's own log on.
    """

    name = "dask"
    range_seconds = 2.0
    trusted = False

    def __init__(
        self,
        cluster: Any,
        *,
        security: Any = None,
        insecure: bool = False,
        timeout: float = 10.0,
        spot_check: float = 0.0,
        verbose: bool = False,
    ) -> None:
        if not (isinstance(spot_check, int | float) and 0 <= spot_check <= 1):
            raise errors.InvalidArgumentError("The spot-check share must be between 0 and 1", subject="spot_check")
        self._own = isinstance(cluster, str)
        if self._own:
            check_address(cluster, insecure=insecure)
        elif not hasattr(cluster, "_toolkit_refusing"):
            raise errors.InvalidArgumentError(
                "A Dask client made elsewhere would load what its peers send; give the scheduler's address, or a "
                "client from toolkit.ops.recovery.cluster.connect()",
                subject="cluster",
            )
        self._cluster = cluster
        self._state: _Refusing = _Refusing() if self._own else cluster._toolkit_refusing
        self.security, self.insecure, self.timeout = security, insecure, timeout
        self.spot_check = float(spot_check)
        self.verbose = verbose
        self.client: Any = None
        self.workers = 0
        self.dashboard: str | None = None
        self._notes: list[str] = []
        self._job: Any = None
        self._ident = ""
        self._finished = threading.Event()
        self._last_finish = time.monotonic()
        self._quiet: contextlib.ExitStack | None = None

    def __repr__(self) -> str:
        return f"<DaskEngine {self.workers} threads>"

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        with _refusing(self._state):
            yield

    def open(self) -> None:
        if self.client is not None:
            return
        self._quiet = contextlib.ExitStack()
        self._quiet.enter_context(dask_logs_quiet(not self.verbose))
        try:
            self.client = (
                connect(
                    self._cluster,
                    security=self.security,
                    insecure=self.insecure,
                    timeout=self.timeout,
                    _state=self._state,
                )
                if self._own
                else self._cluster
            )
            with self._guard():
                try:
                    self.client.wait_for_workers(1, timeout=self.timeout)
                except (TimeoutError, OSError):
                    raise errors.ClusterError(
                        "The Dask scheduler has no workers", hint="Start workers for it and run again."
                    ) from None
                services = self.client.scheduler_info().get("services", {})
                self.dashboard = self.client.dashboard_link if "dashboard" in services else None
                with contextlib.suppress(Exception):
                    self._notes = _version_notes(self.client.get_versions(check=False, packages=["toolkit"]))
            self.capacity()
        except BaseException:
            self.close()
            raise

    def describe(self) -> str:
        return f"a Dask cluster ({self.workers} {'thread' if self.workers == 1 else 'threads'})"

    def notes(self) -> list[str]:
        return list(self._notes)

    def start(self, job: RangeJob) -> None:
        self.open()
        with self._guard():
            self._job = self.client.scatter(job, broadcast=True, hash=False)
        self._ident = job.ident
        self._last_finish = time.monotonic()

    def capacity(self) -> int:
        """Threads across the cluster's workers now (workers may come and go)."""
        try:
            with self._guard():
                threads = self.client.nthreads()
            self.workers = max(1, sum(n for n in threads.values() if type(n) is int and 0 < n < 4096))
        except (OSError, TimeoutError, AttributeError, TypeError):
            pass
        return self.workers

    def submit(self, start: int, end: int) -> Any:
        with self._guard():
            future = self.client.submit(
                _task, self._job, start, end, key=f"concordium-recovery-{self._ident}-{start}-{end}", pure=False
            )
        future.add_done_callback(lambda _f: self._finished.set())
        return future

    def wait(self, futures: list[Any], timeout: float) -> list[Any]:
        """The finished ones among ``futures``, waiting up to ``timeout`` for the first.

        (Not ``distributed.wait``: it needs a default client, and the form runs in a thread.)
        """
        if not any(f.done() for f in futures):
            self._finished.wait(timeout)
        self._finished.clear()
        done = [f for f in futures if f.done()]
        now = time.monotonic()
        if done or not futures:
            self._last_finish = now
        else:
            report = getattr(self.client, "_handle_report_task", None)
            broken = report is not None and report.done()
            if broken:  # Dask's report stream ends at the first message this computer refuses to load
                raise errors.ClusterAnswerError(
                    "The cluster sent this computer data it does not load (a pickle: a task's error, or a hostile "
                    "peer's answer)",
                    hint="Check that every worker has this toolkit installed (the same version) and that no "
                    "stranger joined, then run again to resume.",
                )
            if now - self._last_finish > STALL_SECONDS:
                raise errors.ClusterError(
                    f"The Dask scheduler answered nothing for {STALL_SECONDS:.0f} s",
                    hint="Check the scheduler and its workers, then run again to resume.",
                )
        return done

    def worker_of(self, future: Any) -> str:
        """The worker holding a finished range's answer, as the scheduler says (neutralised), or "a worker"."""
        try:
            with self._guard():
                where = self.client.who_has([future]).get(future.key) or ()
            return f"worker {safe_text(str(where[0]))[:80]}" if where else "a worker"
        except Exception:
            return "a worker"

    def result(self, future: Any, start: int, end: int) -> RangeResult:
        """A finished range's answer, validated; else :class:`~toolkit.errors.ClusterError` (or a subclass)."""
        # "lost": its answer was on a worker that died after it finished; Dask computes it again while this
        # computer holds the future, so wait for it below like any other ("error"/"cancelled" never come back)
        if future.status in ("error", "cancelled"):
            raise errors.ClusterError(
                f"A range of candidates failed on the cluster ({safe_text(str(future.status))[:20]})",
                hint="Check that every worker has this toolkit installed (the same version), then run again to resume.",
            )
        try:
            with self._guard():
                answer = future.result(timeout=RESULT_TIMEOUT)
        except Exception as exc:
            raise errors.ClusterAnswerError(
                f"{self.worker_of(future)} answered candidates {start}-{end} with data this computer does not "
                f"load ({type(exc).__name__})"
            ) from None
        try:
            return validated(answer, start, end)
        except ValueError as why:
            raise errors.ClusterAnswerError(
                f"{self.worker_of(future)} answered candidates {start}-{end} with {why}"
            ) from None

    def finished_result(self, future: Any, start: int, end: int) -> RangeResult | None:
        return None  # after close the client is gone: the range is simply done again next time

    def close(self) -> None:
        try:
            if self.client is not None:
                with self._guard():
                    with contextlib.suppress(Exception):
                        if self._job is not None:
                            self.client.cancel([self._job], force=True)
                    if self._own:
                        with contextlib.suppress(Exception):
                            self.client.close(timeout=5)
            self._job = None
            if self._own:
                self.client = None
        finally:
            if self._quiet is not None:
                self._quiet.close()
                self._quiet = None
