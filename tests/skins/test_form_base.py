"""What every form shares (toolkit.widgets.form, html, tables, downloads): the status while working, one run
per click, a stale result cleared at once, table downloads, words and numbers."""

from __future__ import annotations

import threading

import pandas as pd

from tests.conftest import DESKTOP, SAMPLES, sample_password
from toolkit.widgets import OpenForm


def test_the_status_says_working_at_once_and_the_button_waits() -> None:
    from toolkit.widgets.common import Form

    release = threading.Event()

    class Slow(Form):
        working = "thinking hard"

        def __init__(self) -> None:
            super().__init__([])

        def _run(self) -> str:
            release.wait(10)
            return "done"

    form = Slow()
    form.button.click()
    assert "Working…" in form.status.value and "thinking hard, since" in form.status.value
    assert form.button.disabled and form.busy
    release.set()
    form.wait(10)
    assert not form.button.disabled and not form.busy and "Working" not in form.status.value


def test_a_second_click_while_the_form_works_starts_nothing() -> None:
    from toolkit.widgets.session import Session

    session = Session()
    opened = OpenForm(session=session)
    opened.file.path.value = str(DESKTOP)
    opened.password.value = sample_password(DESKTOP)
    opened.button.click()
    opened.button.click()  # a double click arrives as two clicks, before the first run has ended
    opened.wait()
    opened.wait()
    assert opened.error is None and "12 accounts" in opened.status.value, opened.status.value
    assert len(session.entries) == 1


def test_new_work_or_another_file_clears_the_previous_result_at_once_and_errors_name_the_file() -> None:
    from toolkit.widgets import ExportForm
    from toolkit.widgets.session import Session

    later = SAMPLES / "wallet-export-later.json"
    session = Session()
    opened = OpenForm(session=session)
    opened.file.path.value = str(DESKTOP)
    opened.run(password=sample_password(DESKTOP))
    assert opened.results.children and opened.backup is not None
    opened.file.path.value = str(later)  # another file: the old tables and their downloads go at once
    assert opened.results.children == () and opened.status.value == "" and opened.backup is None

    opened.run(password=sample_password(later))
    assert opened.results.children
    opened.password.value = sample_password(later)
    worker = opened.start()  # the click: the old result is gone before the work begins, "Working…" names the file
    assert opened.results.children == () and "Working…" in opened.status.value
    assert "wallet-export-later.json" in opened.status.value
    worker.join()
    opened.wait()

    opened.password.value = "not-the-password"
    opened.run()
    assert opened.error.code == "wrong-password" and "(wallet-export-later.json)" in opened.status.value

    export = ExportForm(session=session)
    export.picker.dropdown.value = session.entries[0]
    export.new_password.value = export.confirm_password.value = "fresh-pass-20"
    export.run()
    assert export.result is not None and export.results.children
    export.picker.dropdown.value = session.entries[1]  # another backup picked: the old file's link goes
    assert export.result is None and export.downloads is None and export.results.children == ()
    assert export.status.value == ""


def test_table_downloads_are_whole_and_formula_neutral() -> None:
    import io

    from openpyxl import load_workbook

    from toolkit.widgets.common import MAX_ROWS, DownloadBar, table_file_bytes

    hostile = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "plain", None]
    frame = pd.DataFrame({"name": hostile * 100, "n": range(len(hostile) * 100)})
    assert len(frame) > MAX_ROWS
    text = table_file_bytes(frame, "csv").decode("utf-8-sig")
    lines = text.splitlines()
    assert len(lines) == len(frame) + 1 and lines[0] == "name,n"
    assert lines[1].startswith("\"'=HYPERLINK") and lines[2].startswith("'+1") and lines[7] == ",6"
    sheet = load_workbook(io.BytesIO(table_file_bytes(frame, "xlsx"))).active
    values = [c.value for c in sheet["A"]][1:8]
    assert values[:5] == ["'" + v for v in hostile[:5]] and values[5] == "plain"
    assert all(c.data_type == "s" for c in sheet["A"][1:6])

    bar = DownloadBar(frame, "accounts")
    assert bar.filename("xlsx") == "accounts.xlsx" and bar.downloads.offers[1]["note"] == "700 rows"
    made = load_workbook(io.BytesIO(bar.prepare("xlsx"))).active  # bytes differ: the file's own save time
    assert [[c.value for c in row] for row in made.rows] == [[c.value for c in row] for row in sheet.rows]
    assert bar.prepare("csv") == table_file_bytes(frame, "csv")


def test_words_and_numbers_no_nat_thousands_and_singulars() -> None:
    from toolkit.ops.salvage import salvage
    from toolkit.widgets.audit_form import counts_text
    from toolkit.widgets.html import frame_html
    from toolkit.widgets.open_form import headline

    frame = pd.DataFrame(
        {
            "month": pd.array([pd.Period("2028-11", "M"), pd.NaT], dtype="period[M]"),
            "when": [pd.Timestamp("2026-01-02"), pd.NaT],
            "fact": ["accounts", 20000],
        }
    )
    html = frame_html(frame)
    assert "NaT" not in html and "2028-11" in html and "20,000" in html
    assert counts_text({"error": 1, "warning": 15008, "info": 0}) == "1 error, 15,008 warnings, 0 info"

    from toolkit.model.backup import Backup
    from toolkit.testing import synthetic

    one = Backup(synthetic.desktop_document(seed=2, identities=1, accounts_per_identity=1))
    assert "— 1 account, 1 identity" in headline(one, "x.json")

    bitrot = SAMPLES / "wallet-export-bitrot.json"
    notes = " ".join(salvage(bitrot, sample_password(bitrot)).notes)
    assert "“Savings 1”" in notes and "belong to a wallet" in notes  # the lone accounts by name
