"""--worker K/N and --skip in the search: disjoint slices whose union is the whole space, one finds,
each with its own checkpoint; the search tries exactly what walk() lists, in that order."""

from __future__ import annotations

import pytest

from tests.conftest import make_file
from toolkit import errors
from toolkit.ops.recovery import Candidates, PasswordSearch, recover_password, slices
from toolkit.ops.recovery.engines import LocalEngine
from toolkit.ops.recovery.slices import Slice, walk

DESKTOP_PT = b'{"accounts":[],"identities":[],"addressBook":[],"credentials":[],"wallets":[]}'
TOKENS = "+ a b c d e f g h\n+ 1 2 3 4 5 6 7 8\n"  # 64 candidates, written order
PASSWORD = "f3"


@pytest.fixture()
def narrow_stripes(monkeypatch):
    monkeypatch.setattr(slices, "STRIPE", 8)  # 64 candidates make 8 stripes: both slices have several


def cands() -> Candidates:
    return Candidates(tokens=TOKENS, min_length=0)


class RecordingEngine(LocalEngine):
    """The real local engine, noting the ranges it is given."""

    def __init__(self, workers: int) -> None:
        super().__init__(workers)
        self.submitted: list[tuple[int, int]] = []

    def submit(self, start: int, end: int):
        self.submitted.append((start, end))
        return super().submit(start, end)


def test_two_workers_disjoint_union_whole_and_one_finds(narrow_stripes, tmp_path):
    data = make_file(DESKTOP_PT, PASSWORD)
    stream = list(cands())
    seen: list[list[str]] = []
    found = []
    for k in (1, 2):
        engine = RecordingEngine(1)
        search = PasswordSearch(data, cands(), worker=(k, 2), checkpoint=tmp_path / f"cp-{k}")
        result = search.run(engine, range_size=3)
        tried = [stream[i] for a, b in engine.submitted for i in range(a, b)]
        listed = [c for _, c in walk(cands(), Slice.make((k, 2)))]  # what --list-candidates shows
        assert tried == listed[: len(tried)]  # in the same order (a found search stops early)
        if result.found:
            assert PASSWORD in tried
        else:
            assert result.tried == result.total == len(tried) == len(listed)
        seen.append(listed)
        found.append(result.found)
    assert not set(seen[0]) & set(seen[1])
    assert sorted(seen[0] + seen[1]) == sorted(stream)
    assert found.count(True) == 1 and found[stream.index(PASSWORD) // 8 % 2] is True


def test_each_slice_has_its_own_checkpoint(narrow_stripes, tmp_path):
    data = make_file(DESKTOP_PT, "not-in-it")
    path = tmp_path / "cp"
    search = PasswordSearch(data, cands(), worker=(1, 2), checkpoint=path)
    search.save()
    with pytest.raises(errors.CheckpointError):
        PasswordSearch(data, cands(), worker=(2, 2), checkpoint=path)
    with pytest.raises(errors.CheckpointError):
        PasswordSearch(data, cands(), checkpoint=path)
    assert PasswordSearch(data, cands(), worker=(1, 2), checkpoint=path).total == 32


def test_skip_starts_later():
    data = make_file(DESKTOP_PT, "a1")  # index 0: skipped
    result = recover_password(data, cands(), workers=1, skip=1)
    assert not result.found and result.total == result.tried == 63
    assert recover_password(make_file(DESKTOP_PT, "h8"), cands(), workers=1, skip=63).found


def test_estimate_per_typo_level():
    from toolkit.ops.recovery.search import plan

    c = Candidates(words=["password1", "letmein22"], typos=2)
    est = plan(make_file(DESKTOP_PT, "x"), c, LocalEngine(1))
    assert len(est.levels) == 3 and est.levels[0] == 2 and sum(est.levels) == est.candidates
    assert est.level_seconds == tuple(sorted(est.level_seconds)) and est.level_seconds[-1] == pytest.approx(est.seconds)
    assert "as written within" in est.text and "with up to 1 typo within" in est.text
    half = plan(make_file(DESKTOP_PT, "x"), c, LocalEngine(1), worker=(1, 2))
    assert half.levels[0] == 1 and half.candidates <= est.candidates // 2 + 3


def test_slices_on_a_dask_cluster(narrow_stripes, tmp_path):
    pytest.importorskip("distributed")
    from tests.dask_cluster import local_cluster
    from toolkit.ops.recovery.cluster import DaskEngine

    data = make_file(DESKTOP_PT, PASSWORD)
    stream = list(cands())
    with local_cluster(tmp_path / "dask") as cluster:
        results = [
            PasswordSearch(data, cands(), worker=(k, 2)).run(DaskEngine(cluster.address, insecure=True), range_size=5)
            for k in (1, 2)
        ]
    assert [r.found for r in results] == [stream.index(PASSWORD) // slices.STRIPE % 2 == k for k in (0, 1)]
    assert [r.total for r in results] == [32, 32] and sum(r.tried for r in results if not r.found) == 32
    assert all(r.engine == "dask" for r in results)
