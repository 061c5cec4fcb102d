"""The Compare form (DiffForm): two backups, their differences coloured and exposed, mistakes in words."""

from __future__ import annotations

from tests.conftest import DESKTOP, LEGACY, SAMPLES, assert_no_secret, deliver_upload, sample_password

LATER = SAMPLES / "wallet-export-later.json"


def test_diff_two_backups_coloured_and_exposed() -> None:
    from toolkit.widgets import DiffForm

    form = DiffForm()
    form.old.path.value = str(DESKTOP)
    deliver_upload(form.new.upload, LATER)
    form.old_password.value = sample_password(DESKTOP)
    form.new_password.value = sample_password(LATER)
    form.button.click()
    form.wait()

    assert form.error is None, form.status.value
    assert form.old_password.value == form.new_password.value == ""
    assert list(form.changes.columns) == ["table", "key", "name", "change", "field", "old", "new"]
    assert list(form.summary.columns) == ["added", "removed", "changed"]
    assert form.old_backup is not None and form.new_backup is not None
    renamed = form.changes[(form.changes["table"] == "accounts") & (form.changes["change"] == "changed")]
    assert len(renamed) == 1 and renamed.iloc[0]["field"] == "name"
    table_html = form.results.children[-2].value
    from toolkit.widgets.theme import ROW_TINTS

    assert f'class="ctk-added" style="background:{ROW_TINTS["added"]}"' in table_html
    assert f'class="ctk-changed" style="background:{ROW_TINTS["changed"]}"' in table_html
    assert renamed.iloc[0]["new"] in table_html
    added = int(form.summary["added"].sum())
    assert f"{added} added" in form.status.value
    assert "background-color" in form.styled().to_html()
    assert repr(form).startswith("<DiffForm: ")
    assert_no_secret(form)


def test_diff_same_password_box_and_identical_files() -> None:
    from toolkit.widgets import DiffForm

    form = DiffForm()
    form.old.path.value = str(DESKTOP)
    form.new.path.value = str(DESKTOP)
    form.same_password.value = True
    assert form.new_password.disabled
    form.old_password.value = sample_password(DESKTOP)
    result = form.run()
    assert result is not None and result.empty
    assert "hold the same records" in form.status.value
    assert form.results.children == ()


def test_diff_refuses_a_desktop_file_against_a_legacy_one_in_words() -> None:
    from toolkit.widgets import DiffForm

    form = DiffForm()
    form.old.path.value = str(DESKTOP)
    form.new.path.value = str(LEGACY)
    assert form.run(old_password=sample_password(DESKTOP), new_password=sample_password(LEGACY)) is None
    assert form.error is not None and form.error.code == "incompatible-kinds"
    assert "(code: incompatible-kinds)" in form.status.value
    assert form.changes is None and form.results.children == ()


def test_diff_wrong_second_password_names_the_form_remedy() -> None:
    from toolkit.widgets import DiffForm

    form = DiffForm()
    form.old.path.value = str(DESKTOP)
    form.new.path.value = str(LATER)
    assert form.run(old_password=sample_password(DESKTOP), new_password="nope-nope") is None
    assert form.error is not None and form.error.code == "wrong-password"
    assert "password recovery form" in form.status.value
    assert "concordium-backup" not in form.status.value
