"""The parallel password search: many processes, one cheap check per guess.

Per candidate a worker process derives the key with the backup's own PBKDF2
parameters and decrypts **one** block, comparing it with the known start of
either wallet's plaintext (docs/FORMAT.md §1) — or, for the Desktop Wallet's own
database, checks page 1's HMAC (:mod:`.targets`).  Only a hit is confirmed, in the
main process, by a full decrypt, parse and classification.

The candidate stream is numbered: the main process hands out index ranges
(about a quarter of a second of work locally, two seconds on a Dask cluster)
from the gaps the checkpoint leaves, keeps two per worker in flight, and
records finished ranges in the checkpoint.  Workers regenerate their range
from the definition (:mod:`.ranges`) and answer with hit *indexes*; the main
process regenerates a hit and confirms it.  Where ranges run is an
:class:`~.engines.Engine` the caller builds (:class:`~.engines.LocalEngine`, the
default, or :class:`~.cluster.DaskEngine`); :func:`plan` sizes a search on one
before it is counted.  An engine that is not this computer (``trusted`` False)
may lie: every answer is validated, every claimed hit is re-derived here, and
``engine.spot_check`` re-tries that share of each range here.  A run's state (in
flight, found, last report and save) is a :class:`_Run`.  Stopping (the
``stop`` signal, or Ctrl-C) cancels the waiting ranges and saves the
checkpoint.

Used by ``concordium-backup recover-password`` and by the notebook form; both
pass a progress callback and a stop signal::

    engine = LocalEngine()          # or DaskEngine("tls://10.0.0.5:8786", security=...)
    print(plan("wallet-export.json", candidates, engine).text)
    search = PasswordSearch("wallet-export.json", Candidates(files=["guesses.txt"], typos=1),
                            checkpoint="wallet-export.json.recovery-checkpoint")
    result = search.run(engine, progress=lambda tried, total, rate: ..., stop=threading.Event())
    if result.found:
        ...                         # give the password to the user, then:
        search.forget()             # the checkpoint is kept until then
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from toolkit import errors
from toolkit.format import container as ct

from . import checkpoint as cp
from .candidates import CandidateCount, Candidates
from .engines import Engine, LocalEngine, available_cpus  # noqa: F401 - also this module's
from .ranges import RangeJob, RangeResult, _Cursor
from .slices import Slice
from .targets import NO_MATCH, Target, kdf_rate_key, read_target, seconds_per_guess

log = logging.getLogger("toolkit.ops.recovery")

#: progress(tried, total, rate): tried counts every checked candidate (resumed ones too);
#: rate is guesses per second in this run.
ProgressCallback = Callable[[int, int, float], None]
StopSignal = threading.Event | Callable[[], bool] | None

MAX_RANGE = 100_000
IN_FLIGHT_PER_WORKER = 2
#: How long to wait for a range before looking at the stop signal again.
WAIT_INTERVAL = 0.1
PROGRESS_INTERVAL = 0.2
DEFAULT_CHECKPOINT_INTERVAL = 15.0
#: A search expected to take longer than this (one hour) asks for a confirmation first.
CONFIRM_SECONDS = 3600.0


@dataclass(frozen=True)
class RecoveryResult:
    """How a search ended.  ``password`` is never shown by repr."""

    found: bool
    password: str | None = field(repr=False)
    #: Candidates checked, including those a checkpoint said were done.
    tried: int
    #: Distinct candidates in the stream.
    total: int
    #: Candidates skipped because the checkpoint said they were done.
    resumed: int
    #: True when the stop signal (or Ctrl-C) ended the search early.
    stopped: bool
    elapsed: float
    #: Guesses per second in this run.
    rate: float
    workers: int
    #: "desktop-wallet" / "legacy-mobile-wallet" / "desktop-wallet-database" when found and confirmed.
    kind: str | None = None
    #: Found, but the file cannot be used (damaged beyond the first block, or not a wallet export).
    problem: errors.BackupError | None = None
    #: First-block matches a full decrypt refused (expected: 0).
    false_hits: int = 0
    #: The checkpoint left behind for a resume (when stopped; when found, until :meth:`PasswordSearch.forget`).
    checkpoint: str | None = None
    #: "local" (this machine's cores) or "dask" (a cluster).
    engine: str = "local"
    #: Whether "not found" is this computer's own finding (False: the word of a cluster's workers).
    trusted: bool = True
    #: Candidates this computer re-tried itself to check a cluster's answers (``spot_check``).
    spot_checked: int = 0
    #: Workers whose answers disagreed with this computer's own check (the search stopped unless it found).
    failed_workers: tuple[str, ...] = ()
    #: A wallet database that opened with the part of a candidate before '.' or ' as ' (``password``): the key
    #: the wallet's password-change bug left (docs: WALLET-DB.md).
    rekeyed: bool = False

    @property
    def status(self) -> str:
        """``found``, ``exhausted`` or ``stopped``."""
        return "found" if self.found else "stopped" if self.stopped else "exhausted"


def _stop_callable(stop: StopSignal) -> Callable[[], bool]:
    if stop is None:
        return lambda: False
    if isinstance(stop, threading.Event):
        return stop.is_set
    if callable(stop):
        return stop
    raise TypeError("stop must be a threading.Event, a callable returning bool, or None")


# --------------------------------------------------------------------------- the search


class PasswordSearch:
    """One search of one backup file or wallet database: prepared (file parsed, checkpoint read, candidates
    counted), then run.

    ``source``: a path, the file's bytes, a binary file object or a :class:`~.targets.Target`; a wallet database
    is recognised by content.  ``checkpoint``:
    where progress is kept (resumed from if it exists and matches); None keeps none.
    Raises a :class:`~toolkit.errors.BackupError` if the file cannot be searched.
    """

    def __init__(
        self,
        source: Any,
        candidates: Candidates,
        *,
        checkpoint: str | os.PathLike[str] | None = None,
        worker: tuple[int, int] | None = None,
        skip: int = 0,
    ) -> None:
        #: The part of the numbered stream this search covers (``worker=(K, N)``, ``skip``; :mod:`.slices`).
        self.slice = Slice.make(worker, skip)
        #: What is searched: a backup file or a wallet database (:mod:`.targets`).
        self.target: Target = read_target(source)
        #: A backup's parsed container (None for a wallet database).
        self.container = getattr(self.target, "container", None)
        self.candidates = candidates
        self.checkpoint_path = os.fspath(checkpoint) if checkpoint is not None else None
        self._file_sha256 = hashlib.sha256(self.target.data).hexdigest()
        digest = candidates.definition_digest()
        if not self.slice.whole:  # each slice has its own checkpoint; another slice's is refused
            digest = hashlib.sha256(digest + json.dumps(self.slice.settings(), sort_keys=True).encode()).digest()
        secret = cp.search_secret(digest, self.target.secret_kdf, self._file_sha256)
        self._search = cp.search_fingerprint(secret)
        self._mac_key = cp.mac_key(secret)
        saved = cp.load(self.checkpoint_path) if self.checkpoint_path else None
        if saved is not None:
            if saved.file_sha256 != self._file_sha256:
                raise errors.CheckpointError(f"The checkpoint {self.checkpoint_path} is for another backup file")
            if saved.search != self._search:
                raise errors.CheckpointError(
                    f"The checkpoint {self.checkpoint_path} is for other candidates or options",
                    hint="Run with the same candidate files and options to resume, or delete it to start afresh.",
                )
            if not saved.verifies(self._mac_key):
                raise errors.CheckpointError(
                    f"The checkpoint {self.checkpoint_path} does not verify: its progress was changed "
                    "or written by another program",
                    hint="Delete it to start the search afresh.",
                )
        self.counts: CandidateCount = candidates.count()
        size = self.slice.size(self.counts.total)
        if saved is not None and saved.total != size:
            raise errors.CheckpointError(
                f"The checkpoint {self.checkpoint_path} counted {saved.total:,} candidates, now there are {size:,}"
            )
        # The checkpoint counts in the slice's own numbering (0 … size-1): the whole stream's when not split.
        self._progress = saved or cp.Checkpoint(file_sha256=self._file_sha256, search=self._search, total=size)
        self._progress.options = candidates.options()
        log.debug(
            "search prepared: %d candidates, %d resumed, a %s",
            self.counts.total,
            self._progress.tried,
            self.target.what,
        )

    def __repr__(self) -> str:
        return f"<PasswordSearch {self.total:,} candidates, {self.resumed:,} done>"

    @property
    def total(self) -> int:
        """Distinct candidates this search covers: the stream's, or its slice's (``worker``, ``skip``)."""
        return self._progress.total

    @property
    def stream_total(self) -> int:
        """Distinct candidates in the whole stream (all slices)."""
        return self.counts.total

    @property
    def resumed(self) -> int:
        """Candidates the checkpoint says are done (before a run; during one, see :attr:`tried`)."""
        return self._progress.tried

    @property
    def tried(self) -> int:
        """Candidates checked so far, resumed ones included (live while a run goes on)."""
        return self._progress.tried

    # ------------------------------------------------------------------ run
    def ranges(self, size: int) -> Iterator[tuple[int, int]]:
        """The not-yet-done stream index ranges ``[start, end)``, at most ``size`` long, in order."""
        state = self._progress
        position = state.done
        for start, end in [*state.done_ranges, (self.total, self.total)]:
            while position < start:
                stop = min(position + size, start)
                yield from self.slice.stream_ranges(position, stop)
                position = stop
            position = max(position, end)

    def per_guess(self) -> float:
        """Seconds one guess takes on this machine (one key derivation, timed once per process)."""
        return self.target.per_guess()

    def estimate(self) -> int:
        """An upper bound of the candidates, without counting them (see :meth:`Candidates.estimate`)."""
        return self.candidates.estimate()

    def _range_size(self, seconds: float, workers: int) -> int:
        size = int(seconds / self.per_guess())
        remaining = self.total - self.resumed
        # Small searches: still give every worker several ranges.
        size = min(size, max(1, -(-remaining // (workers * 4))))
        return max(1, min(size, MAX_RANGE))

    def candidate_at(self, index: int) -> str | None:
        """Candidate ``index`` of the stream, regenerated here (a worker only ever names the index)."""
        return next(self.candidates.iter_from(index), None)

    def check(self, password: str) -> Any:
        """This computer's own derivation and, when the cheap check matches, a full open: a
        :class:`~.targets.Verdict` (matched?, right?, the password that opened it, kind, problem, rekeyed?)."""
        return self.target.confirm(password)

    def confirm(self, password: str) -> tuple[bool, str | None, errors.BackupError | None]:
        """(right password?, kind, problem) from a full decrypt."""
        verdict = self.check(password)
        return verdict.right, verdict.kind, verdict.problem

    def save(self) -> None:
        if self.checkpoint_path:
            cp.save(self.checkpoint_path, self._progress, self._mac_key)

    def job(self, *, portable: bool = False) -> RangeJob:
        """The definition workers get (``portable``: file contents held in memory, for other machines)."""
        return RangeJob(candidates=self.candidates.portable() if portable else self.candidates, check=self.target.check)

    def run(
        self,
        engine: Engine | None = None,
        *,
        workers: int | None = None,
        progress: ProgressCallback | None = None,
        stop: StopSignal = None,
        range_size: int | None = None,
        checkpoint_interval: float = DEFAULT_CHECKPOINT_INTERVAL,
        on_engine: Callable[[Any], None] | None = None,
    ) -> RecoveryResult:
        """Search until found, exhausted or stopped.

        ``engine``: where ranges run (an :class:`~.engines.Engine`; default a :class:`~.engines.LocalEngine`
        of ``workers`` processes, every core if None); the search opens and starts it, and closes it at the
        end.  ``progress(tried, total, rate)`` is called about five times a second.  ``stop``: a
        :class:`threading.Event` or a callable; when it turns true the search stops (locally within a
        quarter of a second), saves the checkpoint and returns ``stopped=True``.  A KeyboardInterrupt does
        the same and is then re-raised.  The checkpoint is deleted when this run exhausts the search; when
        it finds the password it is kept (with the hit not marked done) until :meth:`forget`, so a password
        that never reached its user is found again by the same command.  ``on_engine(engine)`` is called
        once the engine runs.
        """
        should_stop = _stop_callable(stop)
        if engine is None:
            engine = LocalEngine(workers)
        run = _Run(self, progress, should_stop)
        run.report(force=True)
        if run.state.tried >= self.total or should_stop():
            # Nothing to try: a verified checkpoint said all was done, or stopped before starting.
            # The checkpoint is kept either way: this run tried nothing.
            run.stopped = run.state.tried < self.total
            if run.stopped:
                self.save()
            return run.result(engine)

        self.save()  # fails now, not after an hour, if the checkpoint cannot be written
        try:
            engine.open()
            engine.start(self.job(portable=engine.name != "local"))
            if on_engine is not None:
                on_engine(engine)
            size = range_size or self._range_size(engine.range_seconds, engine.workers)
            log.debug("search started: %s engine, %d workers, ranges of %d", engine.name, engine.workers, size)
            run.drive(engine, self.ranges(size), checkpoint_interval)
        finally:
            run.finish(engine)
        return run.result(engine)

    def forget(self) -> None:
        """The found password reached its user: delete the checkpoint (a stopped search's is kept)."""
        if self.checkpoint_path:
            cp.remove(self.checkpoint_path)


class _Run:
    """The state of one run: what is in flight, what was found, when progress was last shown and saved."""

    def __init__(self, search: PasswordSearch, progress: ProgressCallback | None, should_stop: Callable[[], bool]):
        self.search = search
        self.state = search._progress
        self.total = search.total
        self.resumed = self.state.tried
        self.progress = progress
        self.should_stop = should_stop
        self.started = time.perf_counter()
        self.last_report = 0.0
        self.last_save = self.started
        self.in_flight: dict[Any, tuple[int, int]] = {}
        self.password: str | None = None
        self.kind: str | None = None
        self.problem: errors.BackupError | None = None
        self.rekeyed = False
        self.false_hits = 0
        self.stopped = False
        self.finished = False
        self.samples: dict[Any, tuple[frozenset[int], dict[int, str]]] = {}
        self.spot_checked = 0
        self.failed_workers: list[str] = []
        self._cursor: _Cursor | None = None
        #: The found password's index: tried, but not marked done in the checkpoint.
        self.found_at: int | None = None

    def report(self, force: bool = False) -> None:
        now = time.perf_counter()
        if self.progress is not None and (force or now - self.last_report >= PROGRESS_INTERVAL):
            self.last_report = now
            elapsed = now - self.started
            self.progress(self.state.tried, self.total, (self.state.tried - self.resumed) / elapsed if elapsed else 0.0)

    def sample(self, engine: Engine, start: int, end: int) -> tuple[frozenset[int], dict[int, str]]:
        """Spot-check: a random share of ``[start, end)`` tried here: (indexes tried, those that matched)."""
        size = end - start
        count = min(size, max(1, round(engine.spot_check * size)))
        chosen = sorted(random.SystemRandom().sample(range(start, end), count))
        if self._cursor is None:
            self._cursor = _Cursor(self.search.job())
        cur = self._cursor
        matched: dict[int, str] = {}
        tried: list[int] = []
        for index in chosen:
            cur.seek(index)
            candidate = next(cur.stream, None)
            if candidate is None:
                break
            cur.position += 1
            tried.append(index)
            if cur.matches(candidate) is not None:
                matched[index] = candidate
        self.spot_checked += len(tried)
        return frozenset(tried), matched

    def settle(self, engine: Engine, future: Any) -> None:
        """Count a finished range once, and confirm its hits by regenerating and fully decrypting them."""
        start, end = self.in_flight.pop(future)
        _sampled, matched = self.samples.pop(future, (frozenset(), {}))
        done: RangeResult = engine.result(future, start, end)
        if done.tried != end - start and not engine.trusted:  # its definition travelled in memory: it cannot change
            raise errors.ClusterAnswerError(
                f"{engine.worker_of(future)} tried {done.tried} of candidates {start}-{end}"
            )
        if done.tried != end - start:
            raise errors.CandidatesError(
                "The candidates changed during the search (a file was edited?)",
                hint="Run again with unchanged candidate files.",
            )
        claimed = set(done.hits)
        hidden = sorted(set(matched) - claimed)  # the check here matched, the worker said nothing
        lie = bool(hidden)
        found_at = None
        for index in sorted(claimed | set(hidden)):
            if self.password is not None:
                break
            candidate = matched.get(index) or self.search.candidate_at(index)
            verdict = self.search.check(candidate) if candidate is not None else NO_MATCH
            if index in claimed and not verdict.matched and not engine.trusted:
                lie = True  # a claimed match this computer's own derivation refuses
            if verdict.right:
                self.password, self.kind, self.problem = verdict.password, verdict.kind, verdict.problem
                self.rekeyed, found_at = verdict.rekeyed, index
            elif verdict.matched:
                self.false_hits += 1
                log.debug("a first-block match was refused by the full decrypt")
        if lie:
            worker = engine.worker_of(future)
            self.failed_workers.append(worker)
            if self.password is None:
                raise errors.ClusterDisagreementError(
                    f"{worker}'s answer for candidates {start}-{end} disagrees with this computer's own check"
                )
        self.found_at = found_at if found_at is not None else self.found_at
        local = self.search.slice.local  # the checkpoint counts in the slice's numbering
        if found_at is None:
            self.state.mark(local(start), local(end))
        else:  # the hit stays not done: a checkpoint kept until the password reached its user finds it again
            self.state.mark(local(start), local(found_at))
            self.state.mark(local(found_at) + 1, local(end))

    def drive(self, engine: Engine, ranges: Iterator[tuple[int, int]], checkpoint_interval: float) -> None:
        """Keep the engine busy with ranges until found, exhausted or stopped."""
        exhausted = False
        capacity, capacity_at = engine.capacity(), time.perf_counter()
        while True:
            if self.should_stop():
                self.stopped = True
                return
            if time.perf_counter() - capacity_at > 2.0:
                capacity, capacity_at = engine.capacity(), time.perf_counter()
            while not exhausted and len(self.in_flight) < capacity * IN_FLIGHT_PER_WORKER:
                item = next(ranges, None)
                if item is None:
                    exhausted = True
                    break
                handle = engine.submit(*item)
                self.in_flight[handle] = item
                if engine.spot_check > 0:
                    self.samples[handle] = self.sample(engine, *item)
            if not self.in_flight:
                self.finished = True
                return
            for future in engine.wait(list(self.in_flight), WAIT_INTERVAL):
                self.settle(engine, future)
            if self.password is not None:
                return
            self.report()
            if time.perf_counter() - self.last_save >= checkpoint_interval:
                self.search.save()
                self.last_save = time.perf_counter()

    def finish(self, engine: Engine) -> None:
        """Stop the engine; count ranges that finished meanwhile; save or delete the checkpoint."""
        try:
            for future in list(self.in_flight):
                if future.cancel():
                    self.in_flight.pop(future)
            engine.close()
            for future, (start, end) in list(self.in_flight.items()):
                if engine.finished_result(future, start, end) is not None:
                    self.settle(engine, future)
                else:
                    self.in_flight.pop(future)
        finally:
            path = self.search.checkpoint_path
            if self.password is None and self.finished and not self.stopped:
                if path:
                    cp.remove(path)
            else:
                self.search.save()  # found (until forget()), stopped, KeyboardInterrupt, errors: kept
        self.stopped = self.stopped and self.password is None
        self.report(force=True)
        log.debug("search ended: %s after %d candidates", "found" if self.password else "not found", self.state.tried)

    def result(self, engine: Engine) -> RecoveryResult:
        elapsed = time.perf_counter() - self.started
        tried = self.state.tried + (self.found_at is not None)
        return RecoveryResult(
            found=self.password is not None,
            password=self.password,
            tried=tried,
            total=self.total,
            resumed=self.resumed,
            stopped=self.stopped,
            elapsed=elapsed,
            rate=(tried - self.resumed) / elapsed if elapsed > 0 else 0.0,
            workers=engine.workers,
            kind=self.kind,
            problem=self.problem,
            false_hits=self.false_hits,
            checkpoint=self.search.checkpoint_path if self.stopped or self.password is not None else None,
            engine=engine.name,
            trusted=engine.trusted,
            spot_checked=self.spot_checked,
            failed_workers=tuple(self.failed_workers),
            rekeyed=self.rekeyed,
        )


@dataclass(frozen=True)
class Estimate:
    """How big a search is and how long it may take, known before counting or starting it."""

    #: An upper bound of the candidates (no duplicates removed).
    candidates: int
    #: Expected guesses per second (this machine's measured rate per core × workers).
    rate: float
    workers: int
    #: Where it would run, for a person (the engine's :meth:`~.engines.Engine.describe`).
    where: str = ""
    #: Upper bounds per typo level (0 typos, 1, …): the search tries them in that order.
    levels: tuple[int, ...] = ()

    @property
    def level_seconds(self) -> tuple[float, ...]:
        """Worst-case seconds until every candidate with at most 0, 1, … typos has been tried."""
        if self.rate <= 0:
            return tuple(float("inf") for _ in self.levels)
        out, done = [], 0
        for n in self.levels:
            done += n
            out.append(done / self.rate)
        return tuple(out)

    @property
    def seconds(self) -> float:
        return self.candidates / self.rate if self.rate > 0 else float("inf")

    @property
    def needs_confirmation(self) -> bool:
        """Long enough (over :data:`CONFIRM_SECONDS`) that the user should say yes first."""
        return self.seconds > CONFIRM_SECONDS

    @property
    def text(self) -> str:
        """``At most 84,268,720 candidates: about 13.0 h at 1,800 guesses/s on 2 cores`` and, with typos,
        ``; as written within 2 s, with up to 1 typo within 25 min`` (worst cases: the levels come in order)."""
        text = (
            f"At most {self.candidates:,} candidates: about {format_duration(self.seconds)} at "
            f"{self.rate:,.0f} guesses/s on {self.where or self.workers}"
        )
        if len(self.levels) > 1:
            steps = [
                ("as written" if n == 0 else f"with up to {n} typo{'s' if n > 1 else ''}")
                + f" within {format_duration(t)}"
                for n, t in enumerate(self.level_seconds[:-1])
            ]
            text += "; " + ", ".join(steps)
        return text

    def confirmation(self) -> errors.ConfirmationNeededError | None:
        """The error to raise when the search should not start unconfirmed (None: it may)."""
        if not self.needs_confirmation:
            return None
        return errors.ConfirmationNeededError(f"This search may take {format_duration(self.seconds)}")


def plan(source: Any, candidates: Candidates, engine: Engine, *, worker: tuple[int, int] | None = None) -> Estimate:
    """The size of the search (closed form, see :meth:`Candidates.estimate`) and its expected time on
    ``engine`` (opened here: a cluster is connected and its threads counted), each worker as fast as this
    machine's core (a key derivation with the file's own KDF, timed once per process and kind of file: the
    same search gets the same estimate at every press; a wallet database's costs some 50 times a backup's,
    :func:`~.targets.seconds_per_guess`); per typo level too.  ``source``: what :class:`PasswordSearch` takes, or a backup's
    ``KdfParams``.  ``worker=(K, N)``: one slice's share (a 1/N of every level)."""
    share = Slice.make(worker).workers
    if isinstance(source, ct.KdfParams):
        kdf = source
        per_guess = seconds_per_guess(kdf_rate_key(kdf), lambda: ct.derive_key(b"calibration", kdf))
    else:
        per_guess = read_target(source).per_guess()
    engine.open()
    workers = max(1, engine.workers)
    levels = tuple(-(-n // share) for n in candidates.estimate_levels())
    return Estimate(
        candidates=sum(levels), rate=workers / per_guess, workers=workers, where=engine.describe(), levels=levels
    )


def format_duration(seconds: float) -> str:
    """ "3 s", "12 min", "5.2 h", "41 days", "3.1 years"."""
    if seconds == float("inf"):
        return "forever"
    for limit, unit, size in ((90, "s", 1), (5400, "min", 60), (172800, "h", 3600), (3 * 365 * 86400, "days", 86400)):
        if seconds < limit:
            value = seconds / size
            return f"{value:.1f} {unit}" if unit == "h" else f"{value:,.0f} {unit}"
    return f"{seconds / (365 * 86400):,.1f} years"


def recover_password(
    source: Any,
    candidates: Candidates | Iterable[str],
    *,
    checkpoint: str | os.PathLike[str] | None = None,
    engine: Engine | None = None,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
    stop: StopSignal = None,
    worker: tuple[int, int] | None = None,
    skip: int = 0,
) -> RecoveryResult:
    """Search ``candidates`` (a :class:`Candidates`, or a list of words) for the password of the backup
    ``source`` (see :class:`PasswordSearch`) on ``engine`` (default: ``workers`` local processes).

    The password is in the result: the checkpoint of a found search is deleted before returning.
    """
    if not isinstance(candidates, Candidates):
        candidates = Candidates(words=[candidates] if isinstance(candidates, str) else list(candidates))
    search = PasswordSearch(source, candidates, checkpoint=checkpoint, worker=worker, skip=skip)
    result = search.run(engine, workers=workers, progress=progress, stop=stop)
    if result.found:
        search.forget()
    return result
