"""Worker slices and skip: disjoint, their union exact, in the search's order."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import errors
from toolkit.ops.recovery.slices import STRIPE, Slice, walk


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 5 * STRIPE * 3), st.integers(1, 5), st.integers(0, 3 * STRIPE))
def test_slices_are_disjoint_and_cover_exactly(total, n, skip):
    seen: list[int] = []
    for k in range(1, n + 1):
        part = Slice(worker=k, workers=n, skip=skip)
        ranges = list(part.ranges(total))
        assert all(a < b for a, b in ranges) and ranges == sorted(ranges)
        indexes = [i for a, b in ranges for i in range(a, b)]
        assert all(i in part for i in indexes)
        assert part.size(total) == len(indexes)
        seen += indexes
    assert sorted(seen) == list(range(skip, total))


def test_walk_is_the_slice_in_order():
    stream = [f"c{i}" for i in range(3 * STRIPE + 5)]
    one, two = Slice.make((1, 2)), Slice.make((2, 2))
    a, b = list(walk(stream, one)), list(walk(stream, two))
    assert [i for i, _ in a] == [i for s, e in one.ranges(len(stream)) for i in range(s, e)]
    assert sorted(a + b) == list(enumerate(stream))
    assert list(walk(stream, Slice(skip=7)))[0] == (7, "c7")


@pytest.mark.parametrize("worker", [(0, 2), (3, 2), (1, 0), "1/2", (True, 2)])
def test_bad_slices_refused(worker):
    with pytest.raises(errors.CandidatesError):
        Slice.make(worker)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 4 * STRIPE * 3), st.integers(1, 4), st.data())
def test_local_numbering_maps_both_ways(total, n, data):
    k = data.draw(st.integers(1, n))
    skip = data.draw(st.integers(0, 2 * STRIPE * n))
    part = Slice(worker=k, workers=n, skip=skip)
    mine = [i for a, b in part.ranges(total) for i in range(a, b)]
    assert part.size(total) == len(mine)
    assert [part.stream_index(j) for j in range(len(mine))] == mine
    assert [part.local(i) for i in mine] == list(range(len(mine)))
    lo = data.draw(st.integers(0, len(mine)))
    hi = data.draw(st.integers(lo, len(mine)))
    assert [i for a, b in part.stream_ranges(lo, hi) for i in range(a, b)] == mine[lo:hi]
