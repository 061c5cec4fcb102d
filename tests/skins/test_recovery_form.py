"""The Recovery form's estimate and confirmation (the search itself is tested in test_widgets.py)."""

from __future__ import annotations

from tests.conftest import SAMPLES

FORGOTTEN = SAMPLES / "wallet-export-forgotten.json"


def test_a_long_search_shows_its_estimate_and_waits_for_a_confirmation() -> None:
    from toolkit.widgets import RecoveryForm

    form = RecoveryForm()
    form.file.path.value = str(FORGOTTEN)
    form.words.value = "abcdefghijklmnopqrst\n"
    form.typos.value = 3
    assert form.run() is None
    assert form.error is not None and form.error.code == "confirm-needed"
    assert "--yes" not in form.error.message  # the form's own words, no CLI flag
    assert "At most 121,234,260 candidates" in form.estimate.value  # replace typos included since issue 23
    assert "with up to 2 typos within" in form.estimate.value  # the time to reach each typo level
    assert form.search is None and form.words.value == ""  # read once, kept for the confirmation
    assert form._pending is not None

    form.typos.value = 0  # changed inputs: what waited for a confirmation is dropped
    assert form._pending is None


def test_a_short_search_starts_without_asking() -> None:
    from toolkit.widgets import RecoveryForm

    form = RecoveryForm()
    form.file.path.value = str(FORGOTTEN)
    form.words.value = "guess-number-one\nguess-number-two\n"
    form.typos.value = 0
    result = form.run()
    assert result is not None and result.status == "exhausted" and result.tried == 2
    assert "At most 2 candidates" in form.estimate.value


def test_pieces_section_builds_the_tokens_definition() -> None:
    from toolkit.ops.recovery import Candidates
    from toolkit.widgets import RecoveryForm

    form = RecoveryForm()
    form.pieces.value = "Tiger tiger\nOslo\n"
    form.pieces_last.value = "! ?"
    form.any_order.value = True
    form.typos.value = 0
    got = form.candidates()
    assert form.pieces.value == form.pieces_last.value == ""  # the hints leave the widget state
    expected = Candidates(tokens="+ Tiger tiger\n+ Oslo\n!$ ?$\n", any_order=True)
    assert list(got) == list(expected)
    assert {"OsloTiger!", "tigerOslo?", "TigerOslo"} <= set(got) and "!OsloTiger" not in set(got)
