"""The parallel password search: many processes, one cheap check per guess.

Per candidate a worker process derives the key with the backup's own PBKDF2
parameters and decrypts **one** block, comparing it with the known start of
either wallet's plaintext (FORMAT.md §1).  Only a hit is confirmed, in the
main process, by a full decrypt, parse and classification.

The main process walks the candidate stream, sends chunks of consecutive
candidates (each about a quarter of a second of work) to a
:class:`~concurrent.futures.ProcessPoolExecutor`, keeps at most two chunks per
worker in flight, and records finished chunks as index ranges in the
checkpoint.  Stopping (the ``stop`` signal, or Ctrl-C) cancels the waiting
chunks, lets the running ones finish, and saves the checkpoint.

Used by ``concordium-backup recover-password`` and by the notebook form; both
pass a progress callback and a stop signal::

    search = PasswordSearch("wallet-export.json", Candidates(files=["guesses.txt"], typos=1),
                            checkpoint="wallet-export.json.recovery-checkpoint")
    print(search.total, "candidates")
    result = search.run(progress=lambda tried, total, rate: ..., stop=threading.Event())
    if result.found: ...
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from .. import container as ct
from .. import errors
from ..backup import classify, parse_plaintext
from . import checkpoint as cp
from .candidates import CandidateCount, Candidates

log = logging.getLogger("toolkit.recovery")

#: progress(tried, total, rate): tried counts every checked candidate (resumed ones too);
#: rate is guesses per second in this run.
ProgressCallback = Callable[[int, int, float], None]
StopSignal = threading.Event | Callable[[], bool] | None

#: Aim for chunks of about this many seconds of work (a stop waits for at most one).
CHUNK_SECONDS = 0.25
MAX_CHUNK = 4096
IN_FLIGHT_PER_WORKER = 2
PROGRESS_INTERVAL = 0.2
DEFAULT_CHECKPOINT_INTERVAL = 15.0


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
    #: "desktop-wallet" / "legacy-mobile-wallet" when found and confirmed.
    kind: str | None = None
    #: Found, but the file cannot be used (damaged beyond the first block, or not a wallet export).
    problem: errors.BackupError | None = None
    #: First-block matches a full decrypt refused (expected: 0).
    false_hits: int = 0
    #: The checkpoint left behind for a resume (only when stopped).
    checkpoint: str | None = None

    @property
    def status(self) -> str:
        """``found``, ``exhausted`` or ``stopped``."""
        return "found" if self.found else "stopped" if self.stopped else "exhausted"


# --------------------------------------------------------------------------- workers

_WORKER_CONTAINER: ct.Container | None = None


def _init_worker(kdf: ct.KdfParams, iv: bytes, first_block: bytes) -> None:
    # Ctrl-C reaches the whole process group: the main process handles it, workers must not.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _WORKER_CONTAINER
    _WORKER_CONTAINER = ct.Container(ciphertext=first_block, iv=iv, kdf=kdf, metadata={})


def _check_chunk(start: int, passwords: list[str]) -> tuple[int, list[int]]:
    """Offsets in ``passwords`` whose key decrypts the first block to a known start."""
    box = _WORKER_CONTAINER
    assert box is not None
    kdf = box.kdf
    return start, [i for i, pw in enumerate(passwords) if ct.first_block_matches(box, ct.derive_key(pw, kdf))]


def available_cpus() -> int:
    """Cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _stop_callable(stop: StopSignal) -> Callable[[], bool]:
    if stop is None:
        return lambda: False
    if isinstance(stop, threading.Event):
        return stop.is_set
    if callable(stop):
        return stop
    raise TypeError("stop must be a threading.Event, a callable returning bool, or None")


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """While workers start (forked children inherit it), Ctrl-C is ignored; then restored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


# --------------------------------------------------------------------------- the search


class PasswordSearch:
    """One search of one backup file: prepared (file parsed, checkpoint read, candidates counted), then run.

    ``source``: a path, the file's bytes or a binary file object.  ``checkpoint``:
    where progress is kept (resumed from if it exists and matches); None keeps none.
    Raises a :class:`~toolkit.errors.BackupError` if the file cannot be searched.
    """

    def __init__(
        self,
        source: Any,
        candidates: Candidates,
        *,
        checkpoint: str | os.PathLike[str] | None = None,
    ) -> None:
        data = ct.read_source(source)
        self.container = ct.parse_container(data)
        if len(self.container.ciphertext) < ct.BLOCK:
            raise errors.DamagedError(
                f"The encrypted data is {len(self.container.ciphertext)} bytes, less than one 16-byte block, "
                "so no password can be checked",
                hint="Use another copy of the backup.",
            )
        self.candidates = candidates
        self.checkpoint_path = os.fspath(checkpoint) if checkpoint is not None else None
        self._file_sha256 = hashlib.sha256(data).hexdigest()
        self._search = cp.search_fingerprint(candidates.definition_digest(), self.container.kdf)
        saved = cp.load(self.checkpoint_path) if self.checkpoint_path else None
        if saved is not None:
            if saved.file_sha256 != self._file_sha256:
                raise errors.CheckpointError(f"The checkpoint {self.checkpoint_path} is for another backup file")
            if saved.search != self._search:
                raise errors.CheckpointError(
                    f"The checkpoint {self.checkpoint_path} is for other candidates or options",
                    hint="Run with the same candidate files and options to resume, or delete it to start afresh.",
                )
        self.counts: CandidateCount = candidates.count()
        if saved is not None and saved.total != self.counts.total:
            raise errors.CheckpointError(
                f"The checkpoint {self.checkpoint_path} counted {saved.total:,} candidates, now there are "
                f"{self.counts.total:,}"
            )
        self._progress = saved or cp.Checkpoint(
            file_sha256=self._file_sha256, search=self._search, total=self.counts.total
        )
        self._progress.options = candidates.options()
        log.debug(
            "search prepared: %d candidates, %d resumed, %d iterations",
            self.counts.total,
            self._progress.tried,
            self.container.kdf.iterations,
        )

    def __repr__(self) -> str:
        return f"<PasswordSearch {self.total:,} candidates, {self.resumed:,} done>"

    @property
    def total(self) -> int:
        """Distinct candidates in the stream."""
        return self.counts.total

    @property
    def resumed(self) -> int:
        """Candidates the checkpoint says are done."""
        return self._progress.tried

    # ------------------------------------------------------------------ run
    def _chunks(self, size: int) -> Iterator[tuple[int, list[str]]]:
        """Consecutive not-yet-done candidates, as (first index, candidates)."""
        progress = self._progress
        start, chunk = 0, []
        for index, candidate in enumerate(self.candidates):
            if progress.is_done(index):
                if chunk:
                    yield start, chunk
                    chunk = []
                continue
            if not chunk:
                start = index
            chunk.append(candidate)
            if len(chunk) >= size:
                yield start, chunk
                chunk = []
        if chunk:
            yield start, chunk

    def _chunk_size(self, workers: int) -> int:
        t0 = time.perf_counter()
        ct.derive_key(b"calibration", self.container.kdf)
        per_guess = max(time.perf_counter() - t0, 1e-6)
        size = int(CHUNK_SECONDS / per_guess)
        remaining = self.total - self.resumed
        # Small searches: still give every worker several chunks.
        size = min(size, max(1, -(-remaining // (workers * 4))))
        return max(1, min(size, MAX_CHUNK))

    def _confirm(self, password: str) -> tuple[bool, str | None, errors.BackupError | None]:
        """(right password?, kind, problem) from a full decrypt."""
        key = ct.derive_key(password, self.container.kdf)
        try:
            decrypted = ct.decrypt_with_key(self.container, key)
        except errors.WrongPasswordError:
            return False, None, None
        except errors.BackupError as exc:
            return True, None, exc
        try:
            document = parse_plaintext(decrypted.plaintext, decrypted.first_block_kind)
            return True, classify(document), None
        except errors.WrongPasswordError:
            return False, None, None
        except errors.BackupError as exc:
            return True, None, exc

    def _save(self) -> None:
        if self.checkpoint_path:
            cp.save(self.checkpoint_path, self._progress)

    def run(
        self,
        *,
        workers: int | None = None,
        progress: ProgressCallback | None = None,
        stop: StopSignal = None,
        chunk_size: int | None = None,
        checkpoint_interval: float = DEFAULT_CHECKPOINT_INTERVAL,
    ) -> RecoveryResult:
        """Search until found, exhausted or stopped.

        ``workers``: processes (default: every core).  ``progress(tried, total, rate)``
        is called about five times a second.  ``stop``: a :class:`threading.Event` or a
        callable; when it turns true the search stops within about a chunk's time
        (a quarter of a second), saves the checkpoint and returns ``stopped=True``.
        A KeyboardInterrupt does the same and is then re-raised.  The checkpoint is
        deleted when the search ends (found or exhausted).
        """
        should_stop = _stop_callable(stop)
        workers = workers or available_cpus()
        if workers < 1:
            raise ValueError("workers must be at least 1")
        state = self._progress
        total = self.total
        resumed = state.tried
        started = time.perf_counter()
        found_password: str | None = None
        kind: str | None = None
        problem: errors.BackupError | None = None
        false_hits = 0
        stopped = False
        finished = False

        def report(force: bool = False) -> None:
            nonlocal last_report
            now = time.perf_counter()
            if progress is not None and (force or now - last_report >= PROGRESS_INTERVAL):
                last_report = now
                elapsed = now - started
                progress(state.tried, total, (state.tried - resumed) / elapsed if elapsed > 0 else 0.0)

        last_report = 0.0
        report(force=True)
        if state.tried >= total or should_stop():
            stopped = state.tried < total
            if stopped:
                self._save()
            elif self.checkpoint_path:
                cp.remove(self.checkpoint_path)
            return self._result(False, None, resumed, stopped, started, workers, None, None, 0)

        self._save()  # fails now, not after an hour, if the checkpoint cannot be written
        size = chunk_size or self._chunk_size(workers)
        log.debug("search started: %d workers, chunks of %d", workers, size)
        chunks = self._chunks(size)
        in_flight: dict[Future[tuple[int, list[int]]], list[str]] = {}
        max_in_flight = workers * IN_FLIGHT_PER_WORKER
        last_save = time.perf_counter()
        c = self.container
        executor = ProcessPoolExecutor(
            max_workers=workers, initializer=_init_worker, initargs=(c.kdf, c.iv, c.first_block)
        )

        def settle(future: Future[tuple[int, list[int]]]) -> None:
            nonlocal found_password, kind, problem, false_hits
            passwords = in_flight.pop(future)
            start, hits = future.result()
            state.mark(start, start + len(passwords))
            for offset in hits:
                if found_password is not None:
                    break
                right, what, trouble = self._confirm(passwords[offset])
                if right:
                    found_password, kind, problem = passwords[offset], what, trouble
                else:
                    false_hits += 1
                    log.debug("a first-block match was refused by the full decrypt")

        try:
            exhausted_stream = False
            first = True
            while True:
                if should_stop():
                    stopped = True
                    break
                while not exhausted_stream and len(in_flight) < max_in_flight:
                    item = next(chunks, None)
                    if item is None:
                        exhausted_stream = True
                        break
                    if first:
                        with _sigint_ignored():  # the first submit starts the worker processes
                            future = executor.submit(_check_chunk, *item)
                        first = False
                    else:
                        future = executor.submit(_check_chunk, *item)
                    in_flight[future] = item[1]
                if not in_flight:
                    finished = True
                    break
                done, _ = wait(list(in_flight), timeout=0.1, return_when=FIRST_COMPLETED)
                for future in done:
                    settle(future)
                if found_password is not None:
                    break
                report()
                if self.checkpoint_path and time.perf_counter() - last_save >= checkpoint_interval:
                    self._save()
                    last_save = time.perf_counter()
        finally:
            chunks.close()
            # Cancel what waits, let what runs finish (a chunk is ~0.25 s), count it.
            for future in list(in_flight):
                if future.cancel():
                    in_flight.pop(future)
            executor.shutdown(wait=True, cancel_futures=True)
            for future in list(in_flight):
                if future.done() and not future.cancelled() and future.exception() is None:
                    settle(future)
                else:
                    in_flight.pop(future)
            if found_password is not None or (finished and not stopped):
                if self.checkpoint_path:
                    cp.remove(self.checkpoint_path)
            else:
                self._save()  # also on KeyboardInterrupt and errors: resume where it stopped
        stopped = stopped and found_password is None
        report(force=True)
        log.debug("search ended: %s after %d candidates", "found" if found_password else "not found", state.tried)
        return self._result(
            found_password is not None,
            found_password,
            resumed,
            stopped,
            started,
            workers,
            kind,
            problem,
            false_hits,
        )

    def _result(
        self,
        found: bool,
        password: str | None,
        resumed: int,
        stopped: bool,
        started: float,
        workers: int,
        kind: str | None,
        problem: errors.BackupError | None,
        false_hits: int,
    ) -> RecoveryResult:
        elapsed = time.perf_counter() - started
        tried = self._progress.tried
        return RecoveryResult(
            found=found,
            password=password,
            tried=tried,
            total=self.total,
            resumed=resumed,
            stopped=stopped,
            elapsed=elapsed,
            rate=(tried - resumed) / elapsed if elapsed > 0 else 0.0,
            workers=workers,
            kind=kind,
            problem=problem,
            false_hits=false_hits,
            checkpoint=self.checkpoint_path if stopped else None,
        )


def recover_password(
    source: Any,
    candidates: Candidates,
    *,
    checkpoint: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
    stop: StopSignal = None,
) -> RecoveryResult:
    """Search ``candidates`` (a :class:`Candidates`, or a list of words) for the password of the backup
    ``source`` (see :class:`PasswordSearch`)."""
    if not isinstance(candidates, Candidates):
        candidates = Candidates(words=[candidates] if isinstance(candidates, str) else list(candidates))
    return PasswordSearch(source, candidates, checkpoint=checkpoint).run(workers=workers, progress=progress, stop=stop)
