"""The Recovery form's estimate and confirmation and the search it runs."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.conftest import (
    SAMPLES,
    assert_no_secret,
    deliver_upload,
    progress_passes,
    sample_password,
    widget_state_text,
)

FORGOTTEN = SAMPLES / "wallet-export-forgotten.json"
CANDIDATES = SAMPLES / "forgotten-candidates.txt"


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
    # nothing hidden: the box keeps what would be searched, and Start again asks again (test_recovery_form_state.py
    # has the rest of the form's state between presses)
    assert form.search is None and form.words.value == "abcdefghijklmnopqrst\n"


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
    form.clear_typed()  # what a starting search does: the hints leave the widget state
    assert form.pieces.value == form.pieces_last.value == ""
    expected = Candidates(tokens="+ Tiger tiger\n+ Oslo\n!$ ?$\n", any_order=True)
    assert list(got) == list(expected)
    assert {"OsloTiger!", "tigerOslo?", "TigerOslo"} <= set(got) and "!OsloTiger" not in set(got)


def test_recovery_finds_the_forgotten_password_without_showing_it() -> None:
    from toolkit.widgets import RecoveryForm

    form = RecoveryForm()
    form.file.path.value = str(FORGOTTEN)
    form.candidates_file.path.value = str(CANDIDATES)
    form.typos.value = 1
    form.workers.value = 2
    result = form.run()

    assert result is not None and result.found and result.status == "found"
    assert form.backup is not None and form.backup.counts()["accounts"] == 12
    assert "Found the password" in form.status.value
    assert form.progress.value == result.tried and form.progress.max == result.total
    assert f"of {result.total:,} tried" in form.progress_text.value
    assert form.button.disabled is False and form.stop_button.disabled is True
    secret = sample_password(FORGOTTEN)
    assert result.password == secret  # there for code ...
    assert_no_secret(form, secret)  # ... never on screen, in the widget state or the repr
    assert secret not in repr(result)
    assert repr(form) == "<RecoveryForm: found>"


def test_recovery_typed_candidates_are_cleared_and_exhaustion_is_said() -> None:
    from toolkit.widgets import RecoveryForm

    form = RecoveryForm()
    form.file.path.value = str(FORGOTTEN)
    form.words.value = "guess-number-one\nguess-number-two\n"
    form.typos.value = 0
    result = form.run()
    assert result is not None and not result.found and result.status == "exhausted" and result.total == 2
    assert form.words.value == ""
    assert "None of the 2 candidates" in form.status.value
    assert form.backup is None


def test_recovery_stop_then_continue_resumes() -> None:
    from toolkit.widgets import RecoveryForm

    form = RecoveryForm()
    form.file.path.value = str(FORGOTTEN)
    form.tokens.value = "+ alpha beta gamma delta\n+ 19%d%d 20%d%d\n! ? #"
    form.typos.value = 1
    form.confirm.value = True  # about 1.7 M candidates: longer than an hour, so it asks first
    form.run(wait=False)
    assert form.running and not form.stop_button.disabled and form.button.disabled
    assert "Working…" in form.status.value  # at once, before the candidates are even counted
    assert progress_passes(form, 0, timeout=60), "the search reported no tried candidates within 60 s"
    form.stop_button.click()
    first = form.wait(30)
    assert first is not None and first.stopped and 0 < first.tried < first.total
    assert form.button.description == "Continue" and "Stopped after" in form.status.value
    assert form.tokens.value == ""

    form.run(wait=False)
    assert progress_passes(form, first.tried, timeout=60), "the resumed search reported no work within 60 s"
    form.stop()
    second = form.wait(30)
    assert second is not None and second.stopped and second.resumed == first.tried and second.tried > first.tried

    form.typos.value = 0  # new inputs: the next Start is a new search
    assert form.search is None and form.button.description == "Start"


def test_recovery_problems_are_shown_in_words() -> None:
    from toolkit.widgets import RecoveryForm

    form = RecoveryForm()
    form.file.path.value = str(FORGOTTEN)
    assert form.run() is None
    assert form.error is not None and form.error.code == "invalid-candidates"
    form.words.value = "something"
    form.file.path.value = ""
    assert form.run() is None
    assert form.error is not None and form.error.code == "cannot-read"


def test_progress_line_and_eta() -> None:
    from toolkit.widgets.recovery_form import duration, progress_line

    assert progress_line(1234, 3153, 590.4) == "1,234 of 3,153 tried · 590 passwords/s · about 3 s left"
    assert progress_line(0, 10, 0.0) == "0 of 10 tried"
    assert duration(3600 * 5) == "about 5.0 h" and duration(600) == "about 10 min"


def test_recovery_uploaded_candidates_leave_the_widget_state(tmp_path: Path) -> None:
    from toolkit.widgets import RecoveryForm

    guesses = tmp_path / "guesses.txt"
    guesses.write_text("\ufefffirst-guess\r\nsecond-guess\n\nthird guess \n", encoding="utf-8")
    form = RecoveryForm()
    form.file.path.value = str(FORGOTTEN)
    deliver_upload(form.candidates_file.upload, guesses)
    form.typos.value = 0
    result = form.run()
    assert result is not None and result.total == 3 and result.status == "exhausted"
    assert form.candidates_file.upload.value == ()
    assert "second-guess" not in widget_state_text(form)


def test_counting_candidates_can_be_stopped() -> None:
    from toolkit.ops.recovery import Candidates
    from toolkit.ops.recovery.candidates import CountStopped

    stop = threading.Event()
    stop.set()
    seen: list[int] = []
    candidates = Candidates(tokens="+ alpha beta gamma delta\n+ 19%d%d 20%d%d\n! ? #", typos=1)
    with pytest.raises(CountStopped):
        candidates.count(stop=stop, progress=seen.append)
    assert candidates.count(progress=seen.append).total > 65_536 and seen and seen[0] == 65_536
