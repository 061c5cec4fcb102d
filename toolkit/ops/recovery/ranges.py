"""The work of one task: check the candidates with indexes ``[start, end)`` of a numbered stream.

What travels to a worker is the *definition* (a :class:`RangeJob`: the
candidate sources and options, and the file's cheap check — a backup's KDF
parameters, IV and first block, or a wallet database's first page; see
:mod:`.targets`), once; a task is only two numbers.  The worker regenerates its range
from the definition and answers with a :class:`RangeResult`: how many it
checked and the *indexes* whose key decrypted the first block to a known
start (a database: whose key passed page 1's HMAC) — never a candidate.  The caller regenerates candidate ``i`` itself and
confirms it with a full decrypt.

Regenerating is cheap next to PBKDF2 (microseconds against a millisecond or
more per guess), so each worker process keeps a cursor into the stream and
walks forward to the next range it is given; only a range before the cursor
(a retry) walks from the start again.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .candidates import Candidates
from .targets import Check


@dataclass(frozen=True)
class RangeJob:
    """The definition a worker needs; its repr shows no candidate and no key material."""

    candidates: Candidates = field(repr=False)
    #: The file's cheap check (:class:`~.targets.BlockCheck` or :class:`~.targets.PageCheck`).
    check: Check = field(repr=False)
    #: Random: names this search's cursors in a worker (and nothing else).
    ident: str = field(default_factory=lambda: secrets.token_hex(8))

    def __repr__(self) -> str:
        return f"<RangeJob {self.ident}>"


@dataclass(frozen=True)
class RangeResult:
    """A finished range: candidates checked and first-block matches, as stream indexes."""

    start: int
    end: int
    tried: int
    hits: tuple[int, ...] = ()

    def plain(self) -> tuple[int, int, int, list[int]]:
        """The answer as plain data (what a cluster worker sends back: msgpack, never a pickle)."""
        return (self.start, self.end, self.tried, list(self.hits))


#: An answer may name at most this many first-block matches per range (an honest one: almost always none; each
#: costs the client a full decrypt, so a peer may not ask for many).
MAX_HITS = 8


def validated(answer: Any, start: int, end: int) -> RangeResult:
    """A peer's answer for ``[start, end)`` as a :class:`RangeResult`, or ValueError saying what is wrong.

    It must be ``(start, end, tried, hits)`` of plain integers, for this range, ``0 <= tried <= end - start``,
    at most :data:`MAX_HITS` hits, each inside the checked part of the range, in increasing order.
    """

    def is_int(value: Any) -> bool:
        return type(value) is int

    if isinstance(answer, RangeResult):
        answer = answer.plain()
    if not (isinstance(answer, tuple | list) and len(answer) == 4):
        raise ValueError(f"an answer of type {type(answer).__name__}, not four numbers")
    a_start, a_end, tried, hits = answer
    if not (is_int(a_start) and is_int(a_end) and is_int(tried) and isinstance(hits, tuple | list)):
        raise ValueError("an answer that is not four numbers")
    if (a_start, a_end) != (start, end):
        raise ValueError(f"an answer for candidates {a_start}-{a_end}, asked for {start}-{end}")
    if not 0 <= tried <= end - start:
        raise ValueError(f"{tried} candidates tried in a range of {end - start}")
    if len(hits) > MAX_HITS:
        raise ValueError(f"{len(hits)} matches in one range (at most {MAX_HITS} are believed)")
    previous = start - 1
    for hit in hits:
        if not is_int(hit) or not previous < hit < start + tried:
            raise ValueError(f"a match outside candidates {start}-{start + tried}, or out of order")
        previous = hit
    return RangeResult(start, end, tried, tuple(hits))


class _Cursor:
    """A position in one job's stream, kept between tasks in one worker thread."""

    def __init__(self, job: RangeJob) -> None:
        self.job = job
        #: ``matches(candidate)``: the password that passed the check, or None.
        self.matches = job.check.matcher()
        self.stream: Iterator[str] = iter(job.candidates)
        self.position = 0  # index of the next candidate self.stream yields

    def seek(self, start: int) -> None:
        if start < self.position:
            self.stream, self.position = iter(self.job.candidates), 0
        for _ in range(start - self.position):
            if next(self.stream, None) is None:
                break
            self.position += 1
        self.position = max(self.position, start)


_local = threading.local()


def _cursor(job: RangeJob) -> _Cursor:
    cursors: dict[str, _Cursor] = getattr(_local, "cursors", None) or {}
    _local.cursors = cursors
    cur = cursors.get(job.ident)
    if cur is None:
        cursors.clear()  # one search at a time per thread: drop an old job's stream (and its memory)
        cur = cursors[job.ident] = _Cursor(job)
    return cur


def check_range(job: RangeJob, start: int, end: int) -> RangeResult:
    """Check candidates ``[start, end)``; errors say what failed, never which candidate."""
    try:
        cur = _cursor(job)
        cur.seek(start)
        matches = cur.matches
        hits: list[int] = []
        tried = 0
        for index in range(start, end):
            candidate = next(cur.stream, None)
            if candidate is None:
                break
            cur.position += 1
            tried += 1
            if matches(candidate) is not None:
                hits.append(index)
        return RangeResult(start, end, tried, tuple(hits))
    except Exception as exc:  # a message could quote a candidate: only its kind leaves this function
        raise RuntimeError(f"checking candidates {start}-{end} failed ({type(exc).__name__})") from None
