"""The Import preview form, driven by setting values and clicking, as a person would."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SAMPLES, make_file
from toolkit import open_backup
from toolkit.format.jsonio import dumps_js
from toolkit.ops.merge import preview_import
from toolkit.testing import synthetic
from toolkit.widgets import ExportForm, MergeForm, password_for
from toolkit.widgets.html import esc

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


def test_stop_in_the_wallets_words_and_the_way_out(tmp_path: Path) -> None:
    a = synthetic.desktop_document(seed=1)
    b = synthetic.desktop_document(seed=13)
    b["accounts"][0]["extraField"] = "from a newer wallet"
    b["externalCredentials"] = [{"accountAddress": "9" * 40, "credId": "7" * 96, "note": ""}]
    pa, pb = tmp_path / "a.json", tmp_path / "b.json"
    pa.write_bytes(make_file(dumps_js(a), "pass-a-123"))
    pb.write_bytes(make_file(dumps_js(b), "pass-a-123"))
    form = _form(pa, pb)
    form.run(wallet_password="pass-a-123", imported_password="pass-a-123")
    assert form.error is None and form.backup is None
    assert form.preview.outcome == "The imported data is not compatible with existing data."
    status = form.status.value
    assert "would stop and show: The imported data is not compatible with existing data." in status
    assert "It stops at accounts" in status and "Way out" in status

    form.drop_unknown_fields.value = True
    form.run(wallet_password="pass-a-123", imported_password="pass-a-123")
    assert form.backup is None and "FOREIGN KEY constraint failed" in form.status.value
    assert "insert into `external_credentials`" in form.status.value.replace("&#x60;", "`")

    form.drop_orphans.value = True
    form.run(wallet_password="pass-a-123", imported_password="pass-a-123")
    assert form.preview.ok and form.backup is not None and "goes through" in form.status.value
    assert all("extraField" not in x for x in form.backup.records("accounts"))
    assert preview_import(open_backup(pa, "pass-a-123"), form.backup).ok  # the merged file imports cleanly


def test_form_keeps_the_wallets_external_credential_and_fills_defaults(tmp_path: Path) -> None:
    a = synthetic.desktop_document(seed=1)
    b = synthetic.desktop_document(seed=13)
    a["externalCredentials"] = [{"accountAddress": a["accounts"][0]["address"], "credId": "5" * 96, "note": ""}]
    b["externalCredentials"] = [dict(a["externalCredentials"][0], note="the file's note")]
    del b["identities"][0]["version"]
    pa, pb = tmp_path / "a.json", tmp_path / "b.json"
    pa.write_bytes(make_file(dumps_js(a), "pass-a-123"))
    pb.write_bytes(make_file(dumps_js(b), "pass-a-123"))
    form = _form(pa, pb)
    form.run(wallet_password="pass-a-123", imported_password="pass-a-123")
    assert form.preview.ok and "goes through" in form.status.value
    assert form.backup.records("externalCredentials") == a["externalCredentials"]
    ident = next(i for i in form.backup.records("identities") if i["randomness"] == b["identities"][0]["randomness"])
    assert ident["version"] == 0


def _older_newer(tmp_path: Path, order: str) -> tuple[Path, Path, str]:
    from tests.model.test_leave_out import identity_key, newer, older

    a, b = (older(), newer()) if order == "older-then-newer" else (newer(), older())
    pa, pb = tmp_path / "a.json", tmp_path / "b.json"
    pa.write_bytes(make_file(dumps_js(a), "same-wallet-pw"))
    pb.write_bytes(make_file(dumps_js(b), "same-wallet-pw"))
    return pa, pb, identity_key(b, 1)


@pytest.mark.parametrize("order", ["older-then-newer", "newer-then-older"])
def test_the_form_offers_the_way_out_naming_the_record_and_taking_it_merges(tmp_path: Path, order: str) -> None:
    from toolkit.ops.merge import empty_wallet

    pa, pb, key = _older_newer(tmp_path, order)
    form = _form(pa, pb)
    assert form.leave_out_box.layout.display == "none" and form.b_alone.layout.display == "none"
    form.run(wallet_password="same-wallet-pw", imported_password="same-wallet-pw")
    assert form.refusal is not None and form.backup is None
    # one leave-out choice, naming the record; the refusal names that checkbox once and never points at itself
    assert list(form.leave_out) == [key] and form.leave_out_box.layout.display is None
    label = form.leave_out[key].description
    assert key in label and label.startswith("Leave out identity")
    status = form.status.value
    assert status.count("Way out") == 1 and "see the import preview" not in status and esc(label) in status
    assert (form.b_alone.layout.display is None) == (order == "older-then-newer")

    form.leave_out[key].value = True
    form.run(wallet_password="same-wallet-pw", imported_password="same-wallet-pw")
    assert form.error is None and form.preview.ok, form.status.value
    assert "left out" in form.status.value and form.session.latest.backup is form.backup
    assert preview_import(empty_wallet(form.wallet_backup), form.backup).ok  # a file the wallet imports

    if order == "older-then-newer":  # the other way out: B alone into a new, empty wallet
        form.leave_out[key].value = False
        form.b_alone.value = True
        form.run(wallet_password="same-wallet-pw", imported_password="same-wallet-pw")
        assert form.preview.ok and "a new, empty wallet" in form.status.value
        assert form.backup.document["identities"] == form.imported_backup.document["identities"]

    form.imported.path.value = str(pa)  # another file: the choices found for the old one go
    assert form.leave_out == {} and form.leave_out_box.layout.display == "none" and not form.b_alone.value
