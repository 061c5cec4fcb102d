"""One session per page: every backup a form opens, merges or salvages joins one list the other forms pick from."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import DESKTOP, SAMPLES, deliver_upload, sample_password, widget_state_text
from toolkit import open_backup
from toolkit.widgets import OpenForm


def test_a_salvaged_backup_is_exported_from_the_session_as_a_download(tmp_path: Path) -> None:
    from toolkit.ops.salvage import salvage
    from toolkit.widgets import ExportForm, SalvageForm
    from toolkit.widgets.session import Session

    bitrot = SAMPLES / "wallet-export-bitrot.json"
    session = Session()
    export = ExportForm(session=session)
    assert "Export will write: —" in export.picker.line.value
    form = SalvageForm(session=session)
    deliver_upload(form.file.upload, bitrot)
    form.password.value = sample_password(bitrot)
    form.button.click()
    form.wait()
    assert form.error is None, form.status.value
    entry = session.latest
    assert entry is not None and entry.how == "salvaged" and entry.backup is form.backup
    assert "Export will write: <b>#1 wallet-export-bitrot.json (salvaged, damage in" in export.picker.line.value

    export.new_password.value = export.confirm_password.value = "fresh-pass-10"
    export.button.click()
    export.wait()
    assert export.error is None, export.status.value
    assert export.result.path == "wallet-export-bitrot-new.json" and not list(tmp_path.iterdir())
    again = open_backup(export.data, "fresh-pass-10")
    assert again.counts() == salvage(bitrot, sample_password(bitrot)).backup.counts()
    assert "fresh-pass-10" not in widget_state_text(export)


def test_merged_and_opened_backups_feed_diff_and_audit_without_passwords() -> None:
    from toolkit.widgets import AuditForm, DiffForm, MergeForm
    from toolkit.widgets.session import Session

    session = Session()
    merge = MergeForm(session=session)
    merge.wallet.path.value = str(DESKTOP)
    merge.imported.path.value = str(SAMPLES / "wallet-export-later.json")
    merge.run(wallet_password=sample_password(DESKTOP), imported_password=sample_password(DESKTOP))
    assert merge.backup is not None and session.latest.how == "merged by the import preview"

    opened = OpenForm(session=session)
    opened.file.path.value = str(DESKTOP)
    opened.run(password=sample_password(DESKTOP))
    by_how = {e.how: e for e in session.entries}
    assert [e.name for e in session.entries if e.how == "opened"] == ["wallet-export.json", "wallet-export-later.json"]
    diff = DiffForm(session=session)
    diff.old.pick.value = session.entries[0]  # opened A (Open's is the same entry)
    diff.new.pick.value = by_how["merged by the import preview"]
    assert diff.run() is not None and diff.error is None, diff.status.value
    assert int(diff.summary["added"].sum()) > 0

    audit = AuditForm(session=session)
    audit.file.pick.value = by_how["merged by the import preview"]
    assert audit.run() is not None
    assert "wallet-export.json + wallet-export-later.json" in audit.status.value
    assert audit.save_report().endswith("audit-report.html") and b"<html" in audit.report_data.lower()


def test_every_backup_a_form_opens_joins_the_list_once_and_open_shows_its_tables() -> None:
    from toolkit.widgets import DiffForm, MergeForm
    from toolkit.widgets.session import Session

    later = SAMPLES / "wallet-export-later.json"
    session = Session()
    diff = DiffForm(session=session)
    diff.old.path.value, diff.new.path.value = str(DESKTOP), str(later)
    assert diff.run(old_password=sample_password(DESKTOP), new_password=sample_password(later)) is not None
    assert [(e.name, e.how) for e in session.entries] == [
        ("wallet-export.json", "opened"),
        ("wallet-export-later.json", "opened"),
    ]
    merge = MergeForm(session=session)  # no upload, no password: both from the list
    merge.wallet.pick.value, merge.imported.pick.value = session.entries
    assert merge.run() is not None and merge.preview.ok, merge.status.value
    merged = session.latest
    assert merged.how == "merged by the import preview" and len(session.entries) == 3

    opened = OpenForm(session=session)  # a merged backup's tables can be seen
    opened.file.pick.value = merged
    assert opened.run() is opened.backup and opened.error is None, opened.status.value
    assert len(opened.tables["accounts"]) == 13 and opened.name == merged.name
    assert "13 accounts" in opened.status.value and len(session.entries) == 3

    for _ in range(2):  # the same file opened again (a second click) is one entry
        opened.file.path.value = str(DESKTOP)
        opened.run(password=sample_password(DESKTOP))
    assert len(session.entries) == 3 and opened.backup is session.entries[0].backup


def test_open_hands_a_damaged_file_and_its_password_to_the_salvage_form() -> None:
    from toolkit.widgets import SalvageForm
    from toolkit.widgets.session import Session

    bitrot = SAMPLES / "wallet-export-bitrot.json"
    session = Session()
    salvage_form = SalvageForm(session=session)
    assert salvage_form.handed.layout.display == "none"
    opened = OpenForm(session=session)
    deliver_upload(opened.file.upload, bitrot)
    opened.password.value = sample_password(bitrot)
    opened.button.click()
    opened.wait()
    assert opened.error is not None and opened.error.code == "damaged"
    status = opened.status.value
    assert "wallet-export-bitrot.json" in status and "salvage form has this file" in status
    assert status.count("The password is right") == 1
    assert salvage_form.handed.layout.display is None and "wallet-export-bitrot.json" in salvage_form.handed.value
    assert sample_password(bitrot) not in widget_state_text(salvage_form) + repr(session.handoff)
    salvage_form.button.click()  # nothing uploaded or typed again
    salvage_form.wait()
    assert salvage_form.error is None, salvage_form.status.value
    assert session.latest.how == "salvaged" and session.latest.name == "wallet-export-bitrot.json"

    deliver_upload(salvage_form.file.upload, DESKTOP)  # a file chosen in the form replaces the handed one
    assert session.handoff is None and salvage_form.handed.layout.display == "none"
