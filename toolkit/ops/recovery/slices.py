"""Which candidate indexes a search covers: ``--skip N`` and ``--worker K/N``.

The candidate stream is numbered (:mod:`.candidates`); a *slice* is the part
of it one run covers.  ``worker=(K, N)`` splits the whole space into N disjoint
slices by **stripes**: index ``i`` belongs to worker ``(i // STRIPE) % N + 1``.
Stripes, not N consecutive blocks, so that every worker tries the most likely
candidates first (all candidates without typos come before any with one, and
each worker gets its share of every level at the same time) and the N slices'
union is exactly the whole space whatever its size (nothing needs counting
first).  ``skip`` leaves out the indexes below it, in every slice.

The stripe width is part of the definition: the N machines of one split must
run the same version (the checkpoint's fingerprint includes the slice).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from toolkit import errors

#: Indexes per stripe: about 4–6 s of one core's work on a Desktop Wallet file.
STRIPE = 4096


@dataclass(frozen=True)
class Slice:
    """The indexes one run covers: ``[skip, total)`` ∩ this worker's stripes."""

    worker: int = 1
    workers: int = 1
    skip: int = 0

    def __post_init__(self) -> None:
        for name in ("worker", "workers", "skip"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int):
                raise errors.CandidatesError(f"{name} must be a whole number")
        if self.workers < 1 or not 1 <= self.worker <= self.workers:
            raise errors.CandidatesError("A worker slice is K of N with 1 <= K <= N")
        if self.skip < 0:
            raise errors.CandidatesError("skip must be 0 or more")

    @classmethod
    def make(cls, worker: tuple[int, int] | None = None, skip: int = 0) -> Slice:
        if worker is None:
            return cls(skip=skip)
        if not isinstance(worker, tuple | list) or len(worker) != 2:
            raise errors.CandidatesError("worker must be a pair (K, N)")
        return cls(worker=worker[0], workers=worker[1], skip=skip)

    @property
    def whole(self) -> bool:
        return self.workers == 1 and self.skip == 0

    def settings(self) -> dict[str, int]:
        return {"worker": self.worker, "workers": self.workers, "stripe": STRIPE, "skip": self.skip}

    def __contains__(self, index: int) -> bool:
        return index >= self.skip and (index // STRIPE) % self.workers == self.worker - 1

    def ranges(self, total: int) -> Iterator[tuple[int, int]]:
        """This slice's indexes below ``total`` as ascending ``[start, end)`` ranges."""
        if self.workers == 1:
            if self.skip < total:
                yield self.skip, total
            return
        stripe = (self.skip // STRIPE // self.workers) * self.workers + (self.worker - 1)
        while stripe * STRIPE < total:
            start, end = max(stripe * STRIPE, self.skip), min((stripe + 1) * STRIPE, total)
            if start < end:
                yield start, end
            stripe += self.workers

    def size(self, total: int) -> int:
        """How many of ``total`` indexes are in this slice."""
        return self.local(total)

    # A slice numbers its own indexes 0, 1, … (its checkpoint counts in them: a contiguous prefix
    # stays contiguous); these map between that and the stream's numbering, in O(1).
    def _mine_below(self, x: int) -> int:
        """This worker's stripe indexes below ``x`` (skip not applied)."""
        cycle = self.workers * STRIPE
        full, rest = divmod(x, cycle)
        return full * STRIPE + min(max(0, rest - (self.worker - 1) * STRIPE), STRIPE)

    def local(self, index: int) -> int:
        """How many of this slice's indexes are below stream index ``index``."""
        return self._mine_below(index) - self._mine_below(min(index, self.skip))

    def stream_index(self, local: int) -> int:
        """The stream index of this slice's ``local``-th index."""
        j = local + self._mine_below(self.skip)
        cycle, offset = divmod(j, STRIPE)
        return cycle * self.workers * STRIPE + (self.worker - 1) * STRIPE + offset

    def stream_ranges(self, start: int, end: int) -> Iterator[tuple[int, int]]:
        """Local ``[start, end)`` as stream ranges (split where a stripe ends)."""
        while start < end:
            first = self.stream_index(start)
            room = STRIPE - first % STRIPE if self.workers > 1 else end - start
            n = min(room, end - start)
            yield first, first + n
            start += n


def walk(candidates: Iterable[str], part: Slice) -> Iterator[tuple[int, str]]:
    """(index, candidate) of ``part``, in the order a search tries them (ascending index).

    For ``--list-candidates`` and ``--count``: the same stream the search numbers, walked once.
    """
    if part.workers == 1:
        return zip(itertools.count(part.skip), itertools.islice(candidates, part.skip, None), strict=False)
    return ((i, c) for i, c in enumerate(candidates) if i in part)
