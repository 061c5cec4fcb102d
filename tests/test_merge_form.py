"""The Import preview form, driven by setting values and clicking, as a person would."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SAMPLES, make_file
from toolkit import open_backup, synthetic
from toolkit.jsonio import dumps_js
from toolkit.widgets import ExportForm, MergeForm, password_for

WALLET = SAMPLES / "wallet-export.json"
LATER = SAMPLES / "wallet-export-later.json"
PW = password_for(WALLET)


def _form(a: Path, b: Path) -> MergeForm:
    form = MergeForm()
    form.wallet.path.value = str(a)
    form.imported.path.value = str(b)
    return form


def test_preview_goes_through_and_the_merged_backup_exports(tmp_path: Path) -> None:
    form = _form(WALLET, LATER)
    form.wallet_password.value = PW
    form.same_password.value = True
    form.button.click()
    form.wait()

    assert form.error is None, form.status.value
    assert form.wallet_password.value == form.imported_password.value == ""
    assert form.preview is not None and form.preview.ok and form.refusal is None
    new_account = form.messages[(form.messages["table"] == "accounts") & (form.messages["result"] == "added")]
    assert new_account["name"].tolist() == ["Opsparing 2"]
    assert "Already exists as: Savings 1" in set(form.messages["message"])
    assert "goes through" in form.status.value and any(
        "ctk-added" in getattr(w, "value", "") for w in form.results.children
    )
    assert len(form.backup.records("accounts")) == 13

    export = ExportForm(form)  # the merged wallet, written and verified
    export.path.value = str(tmp_path / "merged.json")
    export.new_password.value = export.confirm_password.value = "merged-pass"
    export.button.click()
    export.wait()
    assert export.error is None, export.status.value
    assert open_backup(tmp_path / "merged.json", "merged-pass").document == form.preview.document
    assert PW not in repr(form) and PW not in form.status.value


def test_refusal_from_another_network_is_shown_and_nothing_to_export(tmp_path: Path) -> None:
    testnet = tmp_path / "testnet.json"
    testnet.write_bytes(make_file(dumps_js(synthetic.desktop_document(network="testnet", seed=5)), "testnet-pw"))
    form = _form(WALLET, testnet)
    form.run(wallet_password=PW, imported_password="testnet-pw")
    assert form.error is None
    assert form.refusal is not None and form.refusal.code == "different-network"
    assert form.backup is None
    assert "would stop this import" in form.status.value and "different network" in form.status.value
    assert repr(form) == "<MergeForm: import refused (different-network)>"


def test_old_file_without_network_into_a_chosen_network() -> None:
    old = SAMPLES / "wallet-export-old.json"
    form = _form(WALLET, old)
    form.network.value = "testnet"  # ignored: A names mainnet; B names none, so it is accepted
    form.run(wallet_password=PW, imported_password=password_for(old))
    assert form.preview.ok and set(form.messages["result"]) == {"added"}


def test_wrong_password_is_one_line_in_the_form() -> None:
    form = _form(WALLET, LATER)
    form.wallet_password.value = PW
    form.imported_password.value = "not-the-password"
    form.button.click()
    form.wait()
    assert form.error is not None and form.error.code == "wrong-password"
    assert form.preview is None and form.backup is None and form.results.children == ()
    assert "password recovery form" in form.status.value  # the form's own words, not a CLI option
    assert form.wallet_password.value == form.imported_password.value == ""


def test_legacy_file_is_refused_in_words() -> None:
    legacy = SAMPLES / "concordium-backup.concordiumwallet"
    form = _form(WALLET, legacy)
    form.run(wallet_password=PW, imported_password=password_for(legacy))
    assert form.error is not None and form.error.code == "incompatible-kinds"
    assert "Mobile Wallet" in form.status.value
