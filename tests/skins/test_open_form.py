"""The Open form, driven as a person would: a path or an upload, a password, what shows and what stays secret."""

from __future__ import annotations

import json
import re
from pathlib import Path

import ipywidgets as widgets
import pandas as pd
import pytest

from tests.conftest import (
    ALL_PASSWORDS,
    DAMAGED,
    DESKTOP,
    LEGACY,
    OLD,
    SAMPLES,
    assert_no_secret,
    deliver_upload,
    sample_password,
    visible_text,
    widget_state_text,
)
from toolkit import errors, open_backup
from toolkit.widgets import OpenForm


def test_open_by_path_shows_summary_and_tables_and_clears_the_password() -> None:
    form = OpenForm()
    form.file.path.value = str(DESKTOP)
    form.password.value = sample_password(DESKTOP)
    form.button.click()
    form.wait()

    assert form.error is None
    assert form.password.value == ""
    assert form.backup is not None and form.backup.kind == "desktop-wallet"
    assert form.name == "wallet-export.json"
    assert set(form.tables) >= {"accounts", "identities", "addressBook", "credentials", "wallets"}
    assert len(form.tables["accounts"]) == 12
    assert isinstance(form.summary, pd.DataFrame) and form.summary.loc["network", "value"] == "mainnet"
    assert "12 accounts" in form.status.value and "mainnet" in form.status.value

    tab = form.results.children[-1]
    assert isinstance(tab, widgets.Tab)
    assert tab.titles[tab.selected_index] == "accounts (12)"
    accounts_html = tab.children[tab.selected_index].children[0].value
    for name in form.tables["accounts"]["name"]:
        assert str(name) in accounts_html
    assert "<table" in accounts_html
    assert repr(form) == "<OpenForm: opened wallet-export.json: desktop-wallet, mainnet>"
    assert_no_secret(form)


def test_open_an_upload_whose_content_is_a_memoryview() -> None:
    form = OpenForm()
    deliver_upload(form.file.upload, DESKTOP, name="my-backup.json")
    assert isinstance(form.file.upload.value, tuple)
    assert isinstance(form.file.upload.value[0]["content"], memoryview)
    form.password.value = sample_password(DESKTOP)
    backup = form.run()

    assert backup is form.backup and backup is not None
    assert form.name == "my-backup.json"
    assert backup.counts() == open_backup(DESKTOP, sample_password(DESKTOP)).counts()
    assert "my-backup.json" in form.status.value


def test_the_file_chosen_last_counts() -> None:
    form = OpenForm()
    form.file.path.value = "somewhere/else.json"
    deliver_upload(form.file.upload, DESKTOP)
    assert form.file.path.value == ""
    assert form.file.chosen == "wallet-export.json"
    form.file.path.value = str(OLD)
    assert form.file.upload.value == ()
    assert form.file.chosen == str(OLD)


def test_wrong_password_shows_the_error_in_plain_words_and_no_table() -> None:
    form = OpenForm()
    form.file.path.value = str(DESKTOP)
    form.password.value = sample_password(DESKTOP)
    assert form.run() is not None

    form.password.value = "not-the-password"
    form.button.click()
    form.wait()

    assert form.password.value == ""
    assert isinstance(form.error, errors.WrongPasswordError)
    assert form.backup is None and form.tables == {} and form.summary is None
    assert form.results.children == ()
    text = visible_text(form)
    assert "Could not open the backup" in text
    assert "The password does not open this file" in text
    assert "wrong-password" in text
    assert "Traceback" not in text and "<table" not in form.status.value
    assert repr(form) == "<OpenForm: failed (wrong-password)>"
    assert_no_secret(form, "not-the-password", *ALL_PASSWORDS)


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        (lambda f: None, "cannot-read"),
        (lambda f: setattr(f.file.path, "value", str(DESKTOP)), "password-missing"),
        (lambda f: setattr(f.file.path, "value", "no/such/file.json"), "cannot-read"),
        (lambda f: setattr(f.file.path, "value", str(SAMPLES / "README.md")), "not-json"),
    ],
    ids=["nothing-chosen", "no-password", "missing-file", "not-a-backup"],
)
def test_mistakes_are_shown_with_their_code(setup, code: str) -> None:
    form = OpenForm()
    setup(form)
    if code != "password-missing":
        form.password.value = "whatever-password"
    assert form.run() is None
    assert form.error is not None and form.error.code == code
    assert f"(code: {code})" in form.status.value
    # nothing chosen / no such path: the typed password stays (finding 4); any other failure clears it
    assert form.password.value == ("whatever-password" if code == "cannot-read" else "")
    assert form.button.disabled is False


def test_damaged_file_says_damaged() -> None:
    form = OpenForm()
    form.file.path.value = str(DAMAGED)
    assert form.run(password=sample_password(DAMAGED)) is None
    assert form.error is not None and form.error.code in {"damaged", "not-json", "invalid-base64", "invalid-structure"}
    assert form.error.message in visible_text(form).replace("&#x27;", "'")


def test_legacy_file_has_secrets_redacted_and_the_notice_shown() -> None:
    form = OpenForm()
    form.file.path.value = str(LEGACY)
    form.run(password=sample_password(LEGACY))

    assert form.backup is not None and form.backup.is_legacy
    assert form.notices and "legacy mobile wallet" in form.notices[0]
    text = visible_text(form)
    assert "legacy mobile wallet export" in text and "redacted" in text
    # no piece of private key material reaches the widgets
    account = form.backup.records("accounts")[0]
    secret = json.dumps(account["accountKeys"])
    hexes = re.findall(r"[0-9a-f]{32,}", secret)
    assert hexes
    state = widget_state_text(form)
    for h in hexes:
        assert h not in state
    assert (form.tables["accounts"]["accountKeys"] == "‹redacted›").all()


def test_old_file_says_it_names_no_network() -> None:
    form = OpenForm()
    form.file.path.value = str(OLD)
    form.run(password=sample_password(OLD))
    assert form.backup is not None and form.backup.network == "none"
    assert "names no network" in visible_text(form)


def test_scripted_password_never_touches_the_widget() -> None:
    form = OpenForm()
    seen: list[str] = []
    form.password.observe(lambda change: seen.append(change["new"]), names="value")
    form.file.path.value = str(DESKTOP)
    assert form.run(password=sample_password(DESKTOP)) is not None
    assert sample_password(DESKTOP) not in seen


def test_an_unexpected_exception_is_one_line_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.widgets import open_form

    def broken(source, password):
        raise KeyError(f"boom {password}")

    monkeypatch.setattr(open_form, "open_backup", broken)
    form = OpenForm()
    form.file.path.value = str(DESKTOP)
    form.password.value = "secret-typed-here"
    assert form.run() is None
    assert "Internal error (KeyError)" in form.status.value
    assert "boom" not in form.status.value and "secret-typed-here" not in widget_state_text(form)
    assert form.password.value == "" and form.button.disabled is False


def test_password_for_reads_the_file_beside_the_backup_or_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from toolkit.widgets import password_for

    assert password_for(DESKTOP) == sample_password(DESKTOP)
    assert password_for(LEGACY) == sample_password(LEGACY)
    lonely = tmp_path / "mine.json"
    monkeypatch.delenv("CONCORDIUM_BACKUP_PASSWORD", raising=False)
    with pytest.raises(errors.PasswordMissingError):
        password_for(lonely)
    monkeypatch.setenv("CONCORDIUM_BACKUP_PASSWORD", "from-the-env")
    assert password_for(lonely) == "from-the-env"


def test_a_wrong_path_keeps_the_password_and_says_where_paths_start() -> None:
    form = OpenForm()
    form.file.path.value = "samples/wallet-export.json"  # relative to the wrong folder
    form.password.value = "typed-once"
    assert form.run() is None and form.error.code == "cannot-read"
    assert "relative paths start from the kernel&#x27;s folder" in form.status.value
    assert form.password.value == "typed-once"
    form.file.path.value = str(DESKTOP)
    form.password.value = sample_password(DESKTOP)
    assert form.run() is not None and form.password.value == ""


def test_the_open_app_alone_points_to_no_other_form() -> None:
    form = OpenForm(alone=True)
    form.file.path.value = str(DESKTOP)
    assert form.run(password="certainly-not-it") is None
    assert "wrong-password" in form.status.value and "recovery form" not in form.status.value
    assert "README" not in form.status.value and "form.backup" not in form.status.value
