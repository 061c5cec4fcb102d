"""The Export form: a verified file under a new password, written or offered as a download."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import DESKTOP, LEGACY, assert_no_secret, opened_form, visible_text
from toolkit import open_backup
from toolkit.widgets import OpenForm


def test_export_writes_a_verified_file_that_opens_with_the_new_password(tmp_path: Path) -> None:
    from toolkit.widgets import ExportForm

    source = opened_form(DESKTOP)
    form = ExportForm(source)
    out = tmp_path / "new-export.json"
    form.path.value = str(out)
    form.new_password.value = form.confirm_password.value = "brand-new-pass"
    form.button.click()
    form.wait()

    assert form.error is None, form.status.value
    assert form.new_password.value == form.confirm_password.value == ""
    assert form.result is not None and form.result.verified and form.result.path == str(out)
    assert open_backup(out, "brand-new-pass").document == source.backup.document
    text = visible_text(form)
    assert "Written and verified" in text and form.result.sha256 in text
    assert_no_secret(form, "brand-new-pass")

    # again: the file exists now; the form says what to do in its own words
    form.new_password.value = form.confirm_password.value = "brand-new-pass"
    assert form.run() is None
    assert form.error is not None and form.error.code == "output-exists"
    assert "Replace an existing file" in form.status.value
    form.force.value = True
    form.new_password.value = form.confirm_password.value = "brand-new-pass"
    assert form.run() is not None


@pytest.mark.parametrize(
    ("new", "again", "code"),
    [
        ("short", "short", "password-too-short"),
        ("long-enough", "long-enougH", "password-mismatch"),
        ("", "", "password-missing"),
    ],
)
def test_export_password_rules(tmp_path: Path, new: str, again: str, code: str) -> None:
    from toolkit.widgets import ExportForm

    form = ExportForm(opened_form(DESKTOP))
    form.path.value = str(tmp_path / "x.json")
    form.new_password.value, form.confirm_password.value = new, again
    assert form.run() is None
    assert form.error is not None and form.error.code == code
    assert not (tmp_path / "x.json").exists()
    assert form.new_password.value == form.confirm_password.value == ""


def test_export_offers_a_download_of_a_verified_legacy_file() -> None:
    from tests.skins.test_downloads import fetch
    from toolkit.widgets import ExportForm

    source = opened_form(LEGACY)
    form = ExportForm(source)
    form.download.value = True
    form.new_password.value = form.confirm_password.value = "mobile-new-pass"
    assert form.run() is not None
    assert form.result is not None and form.result.path == "concordium-backup-new.concordiumwallet"
    assert form.downloads in form.results.children and "on its way" in form.status.value
    form.downloads._on_msg(form.downloads, {"event": "shown"}, [])  # the page drew the button: now "ready"
    assert "ready" in form.status.value
    messages, data = fetch(form.downloads, "file")
    assert messages[0]["filename"] == "concordium-backup-new.concordiumwallet"
    assert data == form.data
    assert "base64" not in str(form.downloads.get_state())
    again = open_backup(data, "mobile-new-pass")
    assert again.is_legacy and again.document == source.backup.document


def test_export_without_an_opened_backup_says_so() -> None:
    from toolkit.widgets import ExportForm

    form = ExportForm(OpenForm())
    form.path.value = "anything.json"
    form.new_password.value = form.confirm_password.value = "long-enough"
    assert form.run() is None
    assert form.error is not None and "No backup to write yet" in form.status.value
