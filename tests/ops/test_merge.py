"""Import preview: every Desktop Wallet import rule (docs/FORMAT.md §3) — the merged result and the message."""

from __future__ import annotations

import copy
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_file, run_cli
from toolkit import errors
from toolkit.format.jsonio import dumps_gson, dumps_js
from toolkit.model import kinds
from toolkit.model.backup import Backup, open_backup
from toolkit.ops.diff import diff_backups
from toolkit.ops.merge import (
    ALREADY_EXISTS,
    ALREADY_EXISTS_AS_ACCOUNT,
    BOOK_NOT_COMPATIBLE,
    DIFFERENT_NETWORK,
    NO_NETWORK,
    NOT_COMPATIBLE,
    merge_backups,
    preview_import,
)
from toolkit.testing import synthetic

TESTNET = "4221332d34e1694168c2a0c0b3fd0f273809612cb13d000d5c2e00e85f50f796"
MAINNET = "9dd9ca4d19e9393877d2c44b70f89acbfc0883c2243e5eeaecc0d1cd0503f478"


def wallet_a(seed: int = 1, **kw) -> dict:
    kw.setdefault("identities", 2)
    kw.setdefault("accounts_per_identity", 2)
    kw.setdefault("contacts", 2)
    return synthetic.desktop_document(seed=seed, **kw)


def message(preview, table: str, key) -> tuple[str, str]:
    """(result, message) of the row for ``key`` in ``table`` (exactly one)."""
    hits = preview.messages[(preview.messages["table"] == table) & (preview.messages["key"] == str(key))]
    assert len(hits) == 1, (table, key, preview.messages)
    row = hits.iloc[0]
    return row["result"], row["message"]


def ikey(doc: dict, ident: dict) -> str:
    ledger = {w["id"]: w["identifier"] for w in doc["wallets"]}[ident["walletId"]]
    return f"{ledger}/{ident['identityNumber']}"


def consistent(doc: dict) -> None:
    """The references the Desktop Wallet's database enforces hold."""
    wallet_ids = {w["id"] for w in doc["wallets"]}
    identity_ids = [i["id"] for i in doc["identities"]]
    assert len(identity_ids) == len(set(identity_ids))
    assert all(i["walletId"] in wallet_ids for i in doc["identities"])
    addresses = [a["address"] for a in doc["accounts"]]
    assert len(addresses) == len(set(addresses))
    assert all(a["identityId"] in identity_ids for a in doc["accounts"])
    assert all(c["identityId"] in identity_ids and c["accountAddress"] in addresses for c in doc["credentials"])
    book = [e["address"] for e in doc["addressBook"]]
    assert len(book) == len(set(book))
    identifiers = [w["identifier"] for w in doc["wallets"]]
    assert len(identifiers) == len(set(identifiers))


# --------------------------------------------------------------------------- genesis


def test_different_network_is_refused_and_nothing_changes():
    a = wallet_a()
    b = copy.deepcopy(a)
    b["genesis"]["genesisBlock"] = TESTNET
    b["accounts"].append(dict(b["accounts"][0], address=synthetic.random_address(random.Random(5))))
    preview = preview_import(Backup(a), Backup(b))
    assert isinstance(preview.refusal, errors.DifferentNetworkError) and not preview.ok
    assert message(preview, "genesis", TESTNET) == ("refused", DIFFERENT_NETWORK)
    assert "testnet" in preview.refusal.message and "mainnet" in preview.refusal.message
    assert preview.document == a
    with pytest.raises(errors.DifferentNetworkError):
        merge_backups(Backup(a), Backup(b))


def test_file_with_network_into_wallet_without_one_is_refused_unless_the_network_is_given():
    a = wallet_a(old_format=True)
    b = wallet_a(seed=2)
    preview = preview_import(Backup(a), Backup(b))
    assert isinstance(preview.refusal, errors.DifferentNetworkError)
    assert message(preview, "genesis", MAINNET) == ("refused", NO_NETWORK)
    ok = preview_import(Backup(a), Backup(b), wallet_network="mainnet")
    assert ok.ok
    assert ok.document["genesis"] == b["genesis"]
    assert list(ok.document)[-1] == "genesis"
    wrong = preview_import(Backup(a), Backup(b), wallet_network="testnet")
    assert isinstance(wrong.refusal, errors.DifferentNetworkError)


def test_file_without_network_imports_anywhere():
    a = wallet_a()
    b = wallet_a(seed=3, old_format=True)
    preview = preview_import(Backup(a), Backup(b))
    assert preview.ok
    assert preview.document["genesis"] == a["genesis"]
    assert "genesis" not in set(preview.messages["table"])


# --------------------------------------------------------------------------- wallets


def test_same_ledger_under_another_id_repoints_identities():
    a = wallet_a()
    b = copy.deepcopy(a)
    b["wallets"][0]["id"] = 5
    for ident in b["identities"]:
        ident["walletId"] = 5
    extra = dict(b["identities"][0], id=9, identityNumber=7, name="Ny identitet", randomness="77" * 32)
    b["identities"].append(extra)
    account = dict(b["accounts"][0], identityId=9, address=synthetic.random_address(random.Random(8)), name="Ny")
    b["accounts"].append(account)
    preview = preview_import(Backup(a), Backup(b))
    assert preview.ok
    merged = preview.document
    assert merged["wallets"] == a["wallets"]  # no second entry for the same Ledger
    new_ident = merged["identities"][-1]
    assert new_ident["name"] == "Ny identitet" and new_ident["walletId"] == 1 and new_ident["id"] == 3
    assert merged["accounts"][-1]["identityId"] == 3
    result, msg = message(preview, "wallets", a["wallets"][0]["identifier"])
    assert (result, msg) == ("exists", ALREADY_EXISTS)
    assert message(preview, "identities", ikey(merged, new_ident)) == ("added", "")
    for ident in a["identities"]:
        assert message(preview, "identities", ikey(a, ident)) == ("exists", ALREADY_EXISTS)
    consistent(merged)


def test_new_ledger_gets_the_next_ids_and_references_follow():
    a = wallet_a()
    b = wallet_a(seed=9, identities=2, accounts_per_identity=3)
    preview = preview_import(Backup(a), Backup(b))
    merged = preview.document
    assert [w["id"] for w in merged["wallets"]] == [1, 2]
    assert merged["wallets"][1]["identifier"] == b["wallets"][0]["identifier"]
    assert [i["id"] for i in merged["identities"]] == [1, 2, 3, 4]
    assert {i["walletId"] for i in merged["identities"][2:]} == {2}
    moved = {a_["address"]: a_["identityId"] for a_ in merged["accounts"][4:]}
    assert moved == {x["address"]: x["identityId"] + 2 for x in b["accounts"]}
    assert message(preview, "wallets", b["wallets"][0]["identifier"]) == ("added", "")
    consistent(merged)
    assert preview.summary()["accounts"]["added"] == 6


def test_identities_of_wallets_missing_from_the_file_are_skipped():
    a = wallet_a()
    b = wallet_a(seed=4)
    b["wallets"] = []
    b["externalCredentials"] = []  # B's own external credentials would name accounts the wallet lacks (FK)
    preview = preview_import(Backup(a), Backup(b))
    assert preview.ok and preview.document["identities"] == a["identities"]
    assert set(preview.messages[preview.messages["table"] == "identities"]["result"]) == {"skipped"}
    assert set(preview.messages[preview.messages["table"] == "accounts"]["result"]) == {"skipped"}


# --------------------------------------------------------------------------- identities


def test_identical_identity_already_exists_and_new_accounts_are_added():
    a = wallet_a()
    b = copy.deepcopy(a)
    new_address = synthetic.random_address(random.Random(3))
    b["accounts"].append(dict(b["accounts"][0], address=new_address, name="Endnu en"))
    b["credentials"].append(dict(b["credentials"][0], accountAddress=new_address, credId="d" * 96, credentialNumber=5))
    preview = preview_import(Backup(a), Backup(b))
    assert message(preview, "identities", ikey(a, a["identities"][0])) == ("exists", ALREADY_EXISTS)
    assert message(preview, "accounts", new_address) == ("added", "")
    assert message(preview, "credentials", "d" * 96) == ("added", "")
    assert preview.document["accounts"][-1]["address"] == new_address
    assert preview.document["credentials"][-1]["identityId"] == a["identities"][0]["id"]
    consistent(preview.document)


def test_identity_with_another_name_keeps_the_local_name():
    a = wallet_a()
    b = copy.deepcopy(a)
    b["identities"][0]["name"] = "Imported name"
    preview = preview_import(Backup(a), Backup(b))
    local = a["identities"][0]["name"]
    assert message(preview, "identities", ikey(a, a["identities"][0])) == ("exists", f"Already exists as: {local}")
    assert preview.document["identities"][0]["name"] == local


def test_recovered_placeholder_takes_the_imported_name():
    a = wallet_a()
    a["identities"][1]["status"] = "recovered"
    a["identities"][1]["name"] = "Recovered identity 1"
    b = copy.deepcopy(a)
    b["identities"][1]["status"] = "confirmed"
    b["identities"][1]["name"] = "Min rigtige identitet"
    preview = preview_import(Backup(a), Backup(b))
    assert message(preview, "identities", ikey(a, a["identities"][1])) == (
        "updated",
        "Replaces placeholder identity: Recovered identity 1",
    )
    assert preview.document["identities"][1]["name"] == "Min rigtige identitet"
    assert preview.document["identities"][1]["status"] == "recovered"  # only the name is taken here


def test_recovered_placeholder_with_other_content_is_replaced():
    a = wallet_a()
    placeholder = a["identities"][1]
    placeholder.update(status="recovered", name="Recovered 1", identityProvider="{}", identityObject=None)
    b = wallet_a()  # the real identity, from the same Ledger and number
    b["identities"][1]["randomness"] = "ab" * 32
    b_accounts = [x for x in b["accounts"] if x["identityId"] == 2]
    a["accounts"] = [x for x in a["accounts"] if x["identityId"] != 2]
    a["credentials"] = [x for x in a["credentials"] if x["identityId"] != 2]
    preview = preview_import(Backup(a), Backup(b))
    assert preview.ok, preview.refusal
    replaced = preview.document["identities"][1]
    assert replaced["id"] == placeholder["id"]
    assert {k: v for k, v in replaced.items() if k != "id"} == {
        k: v for k, v in b["identities"][1].items() if k != "id"
    }
    assert message(preview, "identities", ikey(b, b["identities"][1])) == (
        "updated",
        "Replaces placeholder identity: Recovered 1",
    )
    assert {x["address"] for x in preview.document["accounts"] if x["identityId"] == 2} == {
        x["address"] for x in b_accounts
    }
    consistent(preview.document)


def test_same_number_other_identity_stops_the_import_part_way():
    a = wallet_a()
    b = copy.deepcopy(a)
    new_address = synthetic.random_address(random.Random(11))
    b["accounts"].append(dict(b["accounts"][0], address=new_address, name="Imported first"))  # identity 1: fine
    b["identities"][1]["randomness"] = "cd" * 32  # identity 2: same number and Ledger, other identity
    b["addressBook"].append({"name": "Never reached", "address": new_address, "note": None, "readOnly": True})
    preview = preview_import(Backup(a), Backup(b))
    assert isinstance(preview.refusal, errors.IncompatibleDataError)
    assert preview.refusal.code == "incompatible-data"
    assert message(preview, "identities", ikey(b, b["identities"][1])) == ("refused", NOT_COMPATIBLE)
    assert f"(identity {ikey(b, b['identities'][1])[:40]}: it has the number" in preview.refusal.message
    assert "identitie:" not in preview.refusal.message  # a plural cut to a singular, once
    # the Desktop Wallet's import is not one transaction: what came before stays
    assert preview.document["accounts"][-1]["address"] == new_address
    assert ("accounts", new_address) in {(r["table"], r["key"]) for r in preview.imported_before_stop}
    assert ("addressBook", new_address) in {(r["table"], r["key"]) for r in preview.not_imported}
    assert preview.document["addressBook"] == a["addressBook"]
    with pytest.raises(errors.IncompatibleDataError):
        merge_backups(Backup(a), Backup(b))


# --------------------------------------------------------------------------- accounts


def test_account_names():
    a = wallet_a()
    b = copy.deepcopy(a)
    named, unnamed, same = a["accounts"][0], a["accounts"][1], a["accounts"][2]
    a["accounts"][1]["name"] = unnamed["address"][:6]  # an unnamed account shows part of its address
    b["accounts"][0]["name"] = "Imported name"
    b["accounts"][1]["name"] = "Given a name"
    preview = preview_import(Backup(a), Backup(b))
    assert message(preview, "accounts", named["address"]) == ("exists", f"Already exists as: {named['name']}")
    assert message(preview, "accounts", unnamed["address"]) == (
        "updated",
        f"Replaces name: {unnamed['address'][:6]}",
    )
    assert message(preview, "accounts", same["address"]) == ("exists", ALREADY_EXISTS)
    names = {x["address"]: x["name"] for x in preview.document["accounts"]}
    assert names[named["address"]] == named["name"]
    assert names[unnamed["address"]] == "Given a name"


def test_new_accounts_lose_the_obsolete_reward_filter():
    a = wallet_a()
    b = wallet_a(seed=6, old_format=True)
    assert all("rewardFilter" in x for x in b["accounts"])
    merged = merge_backups(Backup(a), Backup(b)).document
    assert all("rewardFilter" not in x for x in merged["accounts"])


def test_address_already_under_another_identity_is_refused():
    a = wallet_a()
    b = copy.deepcopy(a)
    b["accounts"][0]["identityId"] = 2  # the same address, now claimed by the other identity
    preview = preview_import(Backup(a), Backup(b))
    assert isinstance(preview.refusal, errors.IncompatibleDataError)
    assert message(preview, "accounts", a["accounts"][0]["address"]) == ("refused", NOT_COMPATIBLE)


# --------------------------------------------------------------------------- credentials


def test_credentials_are_added_only_if_new():
    a = wallet_a()
    b = copy.deepcopy(a)
    b["credentials"].append(dict(b["credentials"][0], credId="e" * 96, credentialNumber=9, credentialIndex=None))
    merged = merge_backups(Backup(a), Backup(b)).document
    assert len(merged["credentials"]) == len(a["credentials"]) + 1
    assert merged["credentials"][-1]["credId"] == "e" * 96


# --------------------------------------------------------------------------- external credentials


def test_external_credentials_keep_the_local_note():
    a = wallet_a()
    a["externalCredentials"] = [
        {"accountAddress": a["accounts"][0]["address"], "credId": "1" * 96, "note": "local note"},
        {"accountAddress": a["accounts"][0]["address"], "credId": "2" * 96, "note": ""},
    ]
    b = copy.deepcopy(a)
    b["externalCredentials"][0]["note"] = "imported note"
    b["externalCredentials"][1]["note"] = "fills the empty note"
    b["externalCredentials"].append({"accountAddress": a["accounts"][1]["address"], "credId": "3" * 96, "note": "new"})
    preview = preview_import(Backup(a), Backup(b))
    notes = {c["credId"][0]: c["note"] for c in preview.document["externalCredentials"]}
    # insert … onConflict('credId').ignore(): an external credential the wallet has is never updated,
    # not even an empty note (externalCredentialDao.ts:17-30)
    assert notes == {"1": "local note", "2": "", "3": "new"}
    assert message(preview, "externalCredentials", "3" * 96) == ("added", "")
    assert message(preview, "externalCredentials", "2" * 96) == ("exists", "")
    assert preview.ok and preview.summary()["externalCredentials"]["updated"] == 0


def test_external_credentials_list_is_created_in_the_wallets_order():
    a = wallet_a(old_format=True)
    b = wallet_a(seed=2, old_format=True)
    b["externalCredentials"] = [{"accountAddress": b["accounts"][0]["address"], "credId": "4" * 96, "note": "x"}]
    merged = merge_backups(Backup(a), Backup(b)).document
    assert list(merged) == [n for n in kinds.lists_of(kinds.DESKTOP) if n in merged]  # the wallet's order
    assert "externalCredentials" in merged


# --------------------------------------------------------------------------- address book


def book_case(local: dict, imported: dict):
    a = wallet_a(contacts=0)
    address = synthetic.random_address(random.Random(42))
    a["addressBook"].append(dict(local, address=address))
    b = copy.deepcopy(a)
    b["addressBook"][-1] = dict(imported, address=address)
    preview = preview_import(Backup(a), Backup(b))
    return message(preview, "addressBook", address), preview.document["addressBook"][-1], preview


def test_identical_address_book_entries_are_skipped_and_counted():
    a = wallet_a()
    preview = preview_import(Backup(a), Backup(copy.deepcopy(a)))
    assert set(preview.messages[preview.messages["table"] == "addressBook"]["result"]) == {"skipped"}
    assert preview.notes == [f"{len(a['addressBook'])} recipient accounts were not imported, as they already exist"]
    assert preview.document == a


def test_address_book_both_read_only_follows_the_account_rule():
    (result, msg), entry, _ = book_case(
        {"name": "Local", "note": None, "readOnly": True}, {"name": "Imported", "note": None, "readOnly": True}
    )
    assert (result, msg, entry["name"]) == ("exists", "Already exists as: Local", "Local")


def test_address_book_only_local_read_only_keeps_its_name():
    (result, msg), entry, _ = book_case(
        {"name": "My account", "note": "", "readOnly": True}, {"name": "A contact", "note": "", "readOnly": False}
    )
    assert (result, msg, entry["name"], entry["readOnly"]) == ("exists", ALREADY_EXISTS_AS_ACCOUNT, "My account", True)


def test_address_book_only_imported_read_only_takes_its_name():
    (result, msg), entry, _ = book_case(
        {"name": "Contact", "note": "x", "readOnly": False}, {"name": "Account", "note": "x", "readOnly": True}
    )
    assert (result, msg, entry["name"], entry["readOnly"]) == ("updated", "Replaces name: Contact", "Account", True)


def test_address_book_neither_read_only_keeps_local_name_and_note_falls_back():
    (result, msg), entry, _ = book_case(
        {"name": "Mor", "note": "", "readOnly": False}, {"name": "Mother", "note": "Husleje", "readOnly": False}
    )
    assert (result, msg) == ("updated", "Already exists as: Mor")
    assert (entry["name"], entry["note"]) == ("Mor", "Husleje")
    (_, msg), entry, _ = book_case(
        {"name": "Mor", "note": "lokal", "readOnly": False}, {"name": "Mor", "note": "importeret", "readOnly": False}
    )
    assert (msg, entry["note"]) == ("", "lokal")


def test_new_address_book_entries_are_added():
    a = wallet_a()
    b = copy.deepcopy(a)
    entry = {"name": "Ny", "address": synthetic.random_address(random.Random(77)), "note": None, "readOnly": False}
    b["addressBook"].append(entry)
    preview = preview_import(Backup(a), Backup(b))
    assert preview.document["addressBook"][-1] == entry
    assert message(preview, "addressBook", entry["address"]) == ("added", "")


# --------------------------------------------------------------------------- whole


def test_legacy_files_are_refused():
    with pytest.raises(errors.IncompatibleKindsError) as info:
        preview_import(Backup(wallet_a()), Backup(synthetic.legacy_document()))
    assert "Mobile Wallet" in info.value.message
    with pytest.raises(errors.IncompatibleKindsError):
        preview_import(Backup(synthetic.legacy_document()), Backup(wallet_a()))


def test_importing_a_backup_into_itself_changes_nothing():
    a = wallet_a(identities=3)
    preview = preview_import(Backup(a), Backup(copy.deepcopy(a)))
    assert preview.ok and preview.document == a
    assert diff_backups(Backup(a), preview.backup).empty
    assert set(preview.messages["result"]) <= {"exists", "skipped"}


def test_preview_does_not_touch_its_inputs():
    a, b = wallet_a(), wallet_a(seed=5)
    a_copy, b_copy = copy.deepcopy(a), copy.deepcopy(b)
    preview_import(Backup(a), Backup(b))
    assert a == a_copy and b == b_copy


def test_merged_backup_saves_and_reopens(tmp_path):
    from toolkit.model.save import save_backup

    a, b = wallet_a(), wallet_a(seed=12)
    merged = merge_backups(Backup(a), Backup(b))
    out = tmp_path / "merged.json"
    save_backup(merged, out, "merged-pass", iterations=1000)
    again = open_backup(out, "merged-pass")
    assert again.document == merged.document
    assert diff_backups(merged, again).empty


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed_a=st.integers(0, 500),
    seed_b=st.integers(0, 500),
    share=st.booleans(),
    renames=st.lists(st.integers(0, 5), max_size=3),
)
def test_merge_keeps_everything_consistent_and_is_idempotent(seed_a, seed_b, share, renames):
    a = wallet_a(seed_a, identities=3)
    b = copy.deepcopy(a) if share else wallet_a(seed_b, identities=2, wallets=2)
    for i in renames:
        if i < len(b["accounts"]):
            b["accounts"][i]["name"] += " (b)"
    preview = preview_import(Backup(a), Backup(b))
    if not preview.ok:  # two generated wallets may share a Ledger and identity number
        assert isinstance(preview.refusal, errors.IncompatibleDataError)
        return
    merged = preview.document
    consistent(merged)
    assert {x["address"] for x in a["accounts"]} <= {x["address"] for x in merged["accounts"]}
    assert {x["address"] for x in b["accounts"]} <= {x["address"] for x in merged["accounts"]}
    again = preview_import(preview.backup, Backup(b))
    assert again.ok and again.document == merged
    assert "added" not in set(again.messages["result"])


# --------------------------------------------------------------------------- CLI

PW_A, PW_B, PW_OUT = "pass-a-123", "pass-b-456", "pass-out-789"


@pytest.fixture
def cli_files(tmp_path):
    pa, pb = tmp_path / "a.json", tmp_path / "b.json"
    pa.write_bytes(make_file(dumps_js(wallet_a()), PW_A))
    pb.write_bytes(make_file(dumps_js(wallet_a(seed=13)), PW_B))
    files = {}
    for name, pw in (("a", PW_A), ("b", PW_B), ("out", PW_OUT)):
        files[name] = tmp_path / f"{name}.pw"
        files[name].write_text(pw + "\n")
    return pa, pb, files, tmp_path


def test_cli_merge_writes_the_merged_backup(cli_files, capsys, monkeypatch):
    pa, pb, pw, tmp = cli_files
    out = tmp / "merged.json"
    args = ["merge", pa, pb, out, "--a-password-file", pw["a"], "--b-password-file", pw["b"]]
    code, stdout, err = run_cli([*args, "--new-password-file", pw["out"]], capsys, monkeypatch)
    assert code == 0, err
    assert "added" in stdout and "wrote" in stdout and "verified" in stdout
    merged = open_backup(out, PW_OUT)
    a = open_backup(pa, PW_A)
    b = open_backup(pb, PW_B)
    assert merged.document == merge_backups(a, b).document
    for secret in (PW_A, PW_B, PW_OUT):
        assert secret not in stdout + err


def test_cli_merge_json_and_dry_run_write_nothing(cli_files, capsys, monkeypatch):
    pa, pb, pw, tmp = cli_files
    env = {"CONCORDIUM_BACKUP_PASSWORD": PW_A}
    code, stdout, err = run_cli(["merge", pa, pa, "--dry-run", "--json"], capsys, monkeypatch, env=env)  # A into itself
    assert code == 0, err
    obj = json.loads(stdout)
    assert obj["ok"] is True and obj["written"] is None and obj["refusal"] is None
    assert {m["result"] for m in obj["messages"]} <= {"exists", "skipped"}
    assert set(obj["messages"][0]) == {"table", "key", "name", "result", "message", "detail"}
    assert list(tmp.glob("merged*")) == []


def test_cli_merge_refusal_exits_2_and_writes_nothing(tmp_path, capsys, monkeypatch):
    a = wallet_a()
    b = copy.deepcopy(a)
    b["genesis"]["genesisBlock"] = TESTNET
    pa, pb = tmp_path / "a.json", tmp_path / "b.json"
    pa.write_bytes(make_file(dumps_js(a), PW_A))
    pb.write_bytes(make_file(dumps_js(b), PW_A))
    out = tmp_path / "out.json"
    env = {"CONCORDIUM_BACKUP_PASSWORD": PW_A, "CONCORDIUM_BACKUP_NEW_PASSWORD": PW_OUT}
    code, stdout, err = run_cli(["merge", pa, pb, out, "--json"], capsys, monkeypatch, env=env)
    assert code == 2 and not out.exists()
    obj = json.loads(stdout)
    assert obj["error"]["code"] == "different-network"
    assert obj["messages"][0]["message"] == DIFFERENT_NETWORK
    assert len(err.strip().splitlines()) == 1
    code, stdout, err = run_cli(["merge", pa, pb, out], capsys, monkeypatch, env=env)
    assert code == 2 and "would stop and show" in stdout and not out.exists()
    assert "would stop here" not in stdout  # said at the top and in the error line, not a third time


def test_cli_merge_refuses_output_over_an_input_before_asking_passwords(cli_files, capsys, monkeypatch):
    pa, pb, _pw, _tmp = cli_files
    before = pb.read_bytes()
    code, _stdout, err = run_cli(["merge", pa, pb, pb], capsys, monkeypatch)
    assert code == 2 and "same-file" in err and pb.read_bytes() == before
    code, _stdout, err = run_cli(["merge", pa, pb], capsys, monkeypatch)
    assert code == 2 and "usage" in err


def test_cli_merge_legacy_is_refused(tmp_path, capsys, monkeypatch):
    pa, pb = tmp_path / "a.json", tmp_path / "b.concordiumwallet"
    pa.write_bytes(make_file(dumps_js(wallet_a()), PW_A))
    pb.write_bytes(make_file(dumps_gson(synthetic.legacy_document()), PW_A, layout="legacy"))
    env = {"CONCORDIUM_BACKUP_PASSWORD": PW_A}
    code, _stdout, err = run_cli(["merge", pa, pb, "--dry-run"], capsys, monkeypatch, env=env)
    assert code == 2 and "incompatible-kinds" in err


def test_merged_document_shares_nothing_with_the_inputs():
    a, b = wallet_a(), wallet_a(seed=5)
    preview = preview_import(Backup(a), Backup(b))
    preview.document["accounts"][0]["name"] = "edited afterwards"
    preview.document["accounts"][-1]["name"] = "edited too"
    assert a["accounts"][0]["name"] != "edited afterwards"
    assert all(x["name"] != "edited too" for x in b["accounts"])


# --------------------------------------------------------------------------- the wallet's database


def new_records(seed: int = 13) -> tuple[dict, dict]:
    """A wallet and a file from another Ledger: every record of B is new to the wallet."""
    return wallet_a(), wallet_a(seed=seed)


def test_unknown_field_on_a_new_account_stops_part_way_in_the_wallets_words():
    a, b = new_records()
    b["accounts"][1]["extraField"] = "from a newer wallet"
    preview = preview_import(Backup(a), Backup(b))
    assert not preview.ok and preview.outcome == NOT_COMPATIBLE
    assert preview.refusal.code == "incompatible-data"
    assert "table accounts has no column named extraField" in preview.refusal.message
    assert preview.stops_at["table"] == "accounts" and preview.stops_at["key"] == b["accounts"][1]["address"]
    assert message(preview, "accounts", b["accounts"][1]["address"]) == ("refused", NOT_COMPATIBLE)
    # what came before stays: the wallet, the identity and the first account; the rest is never reached
    before = {(r["table"], r["key"]) for r in preview.imported_before_stop}
    assert ("accounts", b["accounts"][0]["address"]) in before
    assert {a_["address"] for a_ in preview.document["accounts"]} == {x["address"] for x in a["accounts"]} | {
        b["accounts"][0]["address"]
    }
    assert ("addressBook", b["addressBook"][0]["address"]) in {(r["table"], r["key"]) for r in preview.not_imported}
    assert [f["fix"] for f in preview.fixes] == ["drop_unknown_fields", "leave_out"]
    assert preview.fixes[1]["key"] == b["accounts"][1]["address"]
    assert preview.stops_at["code"] == "unknown-field"
    fixed = preview_import(Backup(a), Backup(b), drop_unknown_fields=True)
    assert fixed.ok and fixed.dropped == [
        {"table": "accounts", "key": b["accounts"][1]["address"], "field": "extraField"}
    ]
    assert all("extraField" not in x for x in fixed.document["accounts"])


def test_unknown_field_on_an_existing_record_does_not_matter():
    a = wallet_a()
    b = copy.deepcopy(a)
    b["accounts"][0]["extraField"] = 1
    b["identities"][0]["extraField"] = 1
    preview = preview_import(Backup(a), Backup(b))
    assert preview.ok and preview.document == a


@pytest.mark.parametrize(
    ("table", "outcome"),
    [("identities", NOT_COMPATIBLE), ("credentials", NOT_COMPATIBLE), ("addressBook", BOOK_NOT_COMPATIBLE)],
)
def test_unknown_field_on_new_identities_credentials_and_contacts(table, outcome):
    a, b = new_records()
    b[table][0]["extraField"] = "x"
    preview = preview_import(Backup(a), Backup(b))
    assert not preview.ok and preview.outcome == outcome and preview.stops_at["table"] == table
    assert "identitie:" not in preview.refusal.message
    assert preview_import(Backup(a), Backup(b), drop_unknown_fields=True).ok


def test_old_file_fields_the_wallet_dropped_make_the_insert_fail():
    a, b = new_records()
    b["accounts"][0]["maxTransactionId"] = "0"  # dropped by 20211108144203_create_decrypted_amounts_table.ts
    b["accounts"][1]["rewardFilter"] = "[]"  # stripped by sanitizeAccount: harmless
    preview = preview_import(Backup(a), Backup(b))
    assert preview.stops_at["key"] == b["accounts"][0]["address"]
    assert "maxTransactionId" in preview.stops_at["reason"]


def test_external_credential_of_an_account_not_in_the_wallet_fails_with_the_raw_sql_error():
    a, b = new_records()
    orphan = "9" * 40
    b["externalCredentials"] = [{"accountAddress": orphan, "credId": "7" * 96, "note": "n"}]
    preview = preview_import(Backup(a), Backup(b))
    assert not preview.ok
    assert preview.outcome.startswith("insert into `external_credentials` (`accountAddress`, `credId`, `note`)")
    assert preview.outcome.endswith(" - SQLITE_CONSTRAINT: FOREIGN KEY constraint failed")
    assert preview.stops_at == {
        "table": "externalCredentials",
        "key": "7" * 96,
        "name": None,
        "reason": "its account is not in the wallet after the import (the table's foreign key fails)",
        "code": "orphan-external-credential",
    }
    # everything else was imported before; the external credentials not at all
    assert {x["address"] for x in b["accounts"]} <= {x["address"] for x in preview.document["accounts"]}
    assert "externalCredentials" not in preview.document or all(
        c["credId"] != "7" * 96 for c in preview.document["externalCredentials"]
    )
    assert len(preview.imported_before_stop) > len(b["accounts"])
    assert [f["fix"] for f in preview.fixes] == ["drop_orphan_external_credentials", "leave_out"]
    fixed = preview_import(Backup(a), Backup(b), drop_orphan_external_credentials=True)
    assert fixed.ok and fixed.dropped == [{"table": "externalCredentials", "key": "7" * 96, "field": None}]
    # a credential the wallet already has is ignored by the insert, so its account does not matter
    a2 = copy.deepcopy(a)
    a2["externalCredentials"] = [{"accountAddress": a["accounts"][0]["address"], "credId": "7" * 96, "note": ""}]
    kept = preview_import(Backup(a2), Backup(b))
    assert kept.ok and kept.document["externalCredentials"] == a2["externalCredentials"]


def test_an_external_credential_of_an_account_imported_earlier_is_fine():
    a, b = new_records()
    b["externalCredentials"] = [{"accountAddress": b["accounts"][0]["address"], "credId": "7" * 96}]
    preview = preview_import(Backup(a), Backup(b))
    assert preview.ok
    assert preview.document["externalCredentials"][-1] == {
        "accountAddress": b["accounts"][0]["address"],
        "credId": "7" * 96,
        "note": "",  # the column's default
    }


def test_new_records_get_the_wallets_defaults_and_the_merged_file_holds_them(tmp_path):
    a, b = new_records()
    del b["identities"][0]["version"]
    for x in b["accounts"]:
        x.pop("transactionFilter", None)
        x.pop("deploymentTransactionId", None)
    del b["credentials"][0]["randomness"]
    preview = preview_import(Backup(a), Backup(b))
    assert preview.ok
    ident = next(
        i for i in preview.document["identities"] if i["identityObject"] == b["identities"][0]["identityObject"]
    )
    assert ident["version"] == 0
    added = [x for x in preview.document["accounts"] if x["address"] in {y["address"] for y in b["accounts"]}]
    assert added and all(x["transactionFilter"] == {} and x["deploymentTransactionId"] is None for x in added)
    cred = next(c for c in preview.document["credentials"] if c["credId"] == b["credentials"][0]["credId"])
    assert "randomness" in cred and cred["randomness"] is None
    from toolkit.model.save import save_backup

    save_backup(preview.backup, tmp_path / "m.json", PW_OUT)
    assert open_backup(tmp_path / "m.json", PW_OUT).document == preview.document


def test_placeholder_update_with_an_unknown_field_fails_unnoticed():
    a = wallet_a()
    b = copy.deepcopy(a)
    a["identities"][0].update(status="recovered", name="Recovered 0", identityObject="placeholder")
    b["identities"][0]["identityObject"] = "the real one"
    b["identities"][0]["extraField"] = "x"
    preview = preview_import(Backup(a), Backup(b))
    assert preview.ok  # updateIdentity is not awaited: the wallet goes on
    ident = preview.document["identities"][0]
    assert ident["identityObject"] == "placeholder" and ident["name"] == b["identities"][0]["name"]
    rows = preview.messages[preview.messages["key"] == ikey(b, b["identities"][0])]
    assert rows["result"].tolist() == ["updated"] and "fails unnoticed" in rows["detail"].iloc[0]


def test_repr_is_one_short_line():
    a, b = new_records()
    for n in range(300):
        b["addressBook"].append({"name": f"c{n}", "address": f"{n:040d}", "note": "", "readOnly": False})
    preview = preview_import(Backup(a), Backup(b))
    text = repr(preview)
    assert "\n" not in text and len(text) < 200 and text.startswith("<ImportPreview ok;")
    assert "<table" in preview._repr_html_()
    b["accounts"][0]["x"] = 1
    assert repr(preview_import(Backup(a), Backup(b))).startswith("<ImportPreview stops at accounts")


def test_cli_merge_shows_the_stop_and_the_fix_writes_a_file_the_wallet_imports(tmp_path, capsys, monkeypatch):
    a, b = new_records()
    b["accounts"][1]["extraField"] = "x"
    b["externalCredentials"] = [{"accountAddress": "9" * 40, "credId": "7" * 96, "note": ""}]
    pa, pb, out = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "out.json"
    pa.write_bytes(make_file(dumps_js(a), PW_A))
    pb.write_bytes(make_file(dumps_js(b), PW_A))
    env = {"CONCORDIUM_BACKUP_PASSWORD": PW_A, "CONCORDIUM_BACKUP_NEW_PASSWORD": PW_OUT}
    code, stdout, _err = run_cli(["merge", pa, pb, out, "--json"], capsys, monkeypatch, env=env)
    obj = json.loads(stdout)
    assert code == 2 and not out.exists()
    assert obj["outcome"] == NOT_COMPATIBLE and obj["stops_at"]["table"] == "accounts"
    assert obj["imported_before_stop"] and obj["not_imported"]
    code, stdout, err = run_cli(["merge", pa, pb, out], capsys, monkeypatch, env=env)
    assert stdout.startswith(f"The Desktop Wallet would stop and show: {NOT_COMPATIBLE}")
    assert "Already imported when it stops" in stdout
    # the ways out said once, in the error line, each with the option that takes it
    assert (stdout + err).count("Way out") == 1 and "see the import preview" not in stdout + err
    assert "--drop-unknown-fields" in err and f"--leave-out {b['accounts'][1]['address']}" in err
    args = ["merge", pa, pb, out, "--drop-unknown-fields", "--json"]
    code, stdout, _err = run_cli(args, capsys, monkeypatch, env=env)
    obj = json.loads(stdout)
    assert code == 2 and obj["outcome"].endswith("SQLITE_CONSTRAINT: FOREIGN KEY constraint failed")
    assert obj["fixes"][0]["fix"] == "drop_orphan_external_credentials"
    code, stdout, _err = run_cli([*args, "--drop-orphan-external-credentials"], capsys, monkeypatch, env=env)
    obj = json.loads(stdout)
    assert code == 0 and obj["outcome"] == "ok" and obj["stops_at"] is None and obj["written"]
    merged = open_backup(out, PW_OUT)
    assert preview_import(open_backup(pa, PW_A), merged).ok
    assert all("extraField" not in x for x in merged.document["accounts"])


def test_cli_reexport_drop_unknown_fields_makes_b_import_cleanly(tmp_path, capsys, monkeypatch):
    a, b = new_records()
    b["identities"][0]["extraField"] = "x"
    pa, pb, fixed = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "b-fixed.json"
    pa.write_bytes(make_file(dumps_js(a), PW_A))
    pb.write_bytes(make_file(dumps_js(b), PW_A))
    env = {"CONCORDIUM_BACKUP_PASSWORD": PW_A, "CONCORDIUM_BACKUP_NEW_PASSWORD": PW_OUT}
    code, stdout, err = run_cli(["reexport", pb, fixed, "--drop-unknown-fields"], capsys, monkeypatch, env=env)
    assert code == 0, err
    assert "left out field 'extraField' of identities" in stdout
    assert not preview_import(open_backup(pa, PW_A), open_backup(pb, PW_A)).ok
    assert preview_import(open_backup(pa, PW_A), open_backup(fixed, PW_OUT)).ok


# --------------------------------------------------------------------------- property: a user's history

MUTATIONS = (
    "rename",
    "unnamed",
    "new_account",
    "remove_record",
    "pending_to_confirmed",
    "placeholder_in_a",
    "placeholder_in_b",
    "wallet_id",
    "book_readonly",
    "book_name",
    "book_note",
    "ext_note",
    "ext_no_note",
    "ext_orphan",
    "ext_of_b_account",
    "no_genesis",
    "other_genesis",
    "old_file",
    "unknown_new",
    "unknown_existing",
)


def mutate(a: dict, b: dict, what: str, rng: random.Random) -> None:
    """One step of a user's history between the wallet A and the file B."""
    shared = [x for x in b["accounts"] if x["address"] in {y["address"] for y in a["accounts"]}]
    if what == "rename" and b["accounts"]:
        rng.choice(b["accounts"])["name"] += " (b)"
    elif what == "unnamed" and shared:
        acc = rng.choice(shared)
        local = next(x for x in a["accounts"] if x["address"] == acc["address"])
        local["name"] = acc["address"][:6]  # the wallet shows an unnamed account by its address
    elif what == "new_account" and b["identities"]:
        ident = rng.choice(b["identities"])
        address = synthetic.random_address(rng)
        b["accounts"].append(
            dict(b["accounts"][0], identityId=ident["id"], address=address, name="new", isInitial=False)
        )
    elif what == "remove_record":
        table = rng.choice(["accounts", "addressBook", "credentials"])
        doc = rng.choice([a, b])
        if doc[table]:
            doc[table].pop(rng.randrange(len(doc[table])))
    elif what == "pending_to_confirmed" and a["identities"]:
        n = rng.randrange(len(a["identities"]))
        a["identities"][n].update(status="pending", identityObject=None)
    elif what in ("placeholder_in_a", "placeholder_in_b"):
        doc = a if what == "placeholder_in_a" else b
        if doc["identities"]:
            rng.choice(doc["identities"]).update(status="recovered", identityObject=None, name="Recovered")
    elif what == "wallet_id" and b["wallets"]:
        old = b["wallets"][0]["id"]
        b["wallets"][0]["id"] = old + 7
        for i in b["identities"]:
            if i["walletId"] == old:
                i["walletId"] = old + 7
    elif what.startswith("book_") and b["addressBook"]:
        entry = rng.choice(b["addressBook"])
        field = {"book_readonly": "readOnly", "book_name": "name", "book_note": "note"}[what]
        entry[field] = (not entry["readOnly"]) if field == "readOnly" else rng.choice(["", None, "other"])
    elif what.startswith("ext_"):
        held = a["accounts"] + b["accounts"]
        address = {
            "ext_note": rng.choice(held)["address"] if held else None,
            "ext_no_note": rng.choice(held)["address"] if held else None,
            "ext_orphan": "9" * 50,
            "ext_of_b_account": rng.choice(b["accounts"])["address"] if b["accounts"] else None,
        }[what]
        cred = {"accountAddress": address, "credId": f"{rng.randrange(4):096d}"}
        if what != "ext_no_note":
            cred["note"] = rng.choice(["", "note"])
        b.setdefault("externalCredentials", []).append(cred)
        mine = {x["credId"] for x in a.get("externalCredentials") or []}  # A stays what a wallet can hold
        if (
            rng.random() < 0.5
            and what == "ext_note"
            and address in {x["address"] for x in a["accounts"]}
            and cred["credId"] not in mine
        ):
            a.setdefault("externalCredentials", []).append(dict(cred, note=rng.choice(["", "mine"])))
    elif what == "no_genesis":
        b.pop("genesis", None)
    elif what == "other_genesis":
        b["genesis"] = {"genesisBlock": TESTNET}
    elif what == "old_file":
        b.pop("externalCredentials", None)
        b.pop("genesis", None)
        for x in b["accounts"]:
            x.pop("transactionFilter", None)
            x["rewardFilter"] = "[]"
        for i in b["identities"]:
            i.pop("version", None)
    elif what in ("unknown_new", "unknown_existing"):
        mine = {x.get("address") for x in a["accounts"]} | {x.get("credId") for x in a["credentials"]}
        table = rng.choice(["accounts", "credentials", "addressBook", "identities"])
        candidates = [
            x
            for x in b[table]
            if ((x.get("address", x.get("credId")) in mine) == (what == "unknown_existing")) or table == "identities"
        ]
        if candidates:
            rng.choice(candidates)["extraField"] = "x"


def held_by_schema(doc: dict) -> None:
    """Every record of ``doc`` goes into the wallet's schema, foreign keys on, in the wallet's table order."""
    from toolkit.ops.walletdb import WalletDB

    db = WalletDB()
    try:
        for table in ("wallets", "identities", "accounts", "credentials", "addressBook", "externalCredentials"):
            for record in doc.get(table) or []:
                db.insert(table, record)  # raises SqlFailure on any constraint, unknown column, foreign key
    finally:
        db.close()


def keys_of(doc: dict) -> set[tuple[str, object]]:
    out = set()
    for table, field in (
        ("wallets", "identifier"),
        ("identities", "id"),
        ("accounts", "address"),
        ("credentials", "credId"),
        ("addressBook", "address"),
        ("externalCredentials", "credId"),
    ):
        out |= {(table, r.get(field)) for r in doc.get(table) or []}
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed_a=st.integers(0, 300),
    seed_b=st.integers(0, 300),
    share=st.booleans(),
    mutations=st.lists(st.sampled_from(MUTATIONS), max_size=6),
    rng_seed=st.integers(0, 2**16),
)
def test_property_a_users_history(seed_a, seed_b, share, mutations, rng_seed):
    rng = random.Random(rng_seed)
    a = wallet_a(seed_a, identities=3)
    b = copy.deepcopy(a) if share else wallet_a(seed_b, identities=2, wallets=2)
    if share and rng.random() < 0.5:  # a later export: a few more records
        extra = wallet_a(seed_b, identities=1)
        b["addressBook"] += extra["addressBook"][-1:]
    for what in mutations:
        mutate(a, b, what, rng)
    held_by_schema(a)  # the wallet could hold A
    preview = preview_import(Backup(a), Backup(b))
    merged = preview.document
    # the merged file (or what stays when the wallet stops) decrypts to the same document
    assert open_backup(make_file(dumps_js(merged), PW_OUT), PW_OUT).document == merged
    # every record of A is in it
    assert keys_of(a) <= keys_of(merged)
    # nothing promised that the wallet's schema forbids (also what stays after a stop is a valid database)
    held_by_schema(merged)
    if preview.ok:
        assert preview.outcome == "ok" and preview.stops_at is None and preview.not_imported == []
        again = preview_import(preview.backup, Backup(b))
        assert again.ok and "added" not in set(again.messages["result"])
    else:
        assert preview.stops_at is not None
        assert preview.outcome in (NOT_COMPATIBLE, BOOK_NOT_COMPATIBLE, DIFFERENT_NETWORK, NO_NETWORK) or (
            preview.outcome.startswith("insert into `external_credentials`") and "SQLITE_CONSTRAINT" in preview.outcome
        )
        options: dict = {}
        for fix in preview.fixes:  # each way out the toolkit offers makes the wallet go past this stop
            if fix["fix"] == "leave_out":
                options["leave_out"] = [f"{fix['table']}:{fix['key']}"]
            elif fix["fix"].startswith("drop_"):
                options[fix["fix"]] = True
        if options:
            fixed = preview_import(Backup(a), Backup(b), **options)
            assert fixed.ok or fixed.stops_at != preview.stops_at


def _nested(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


ODD_FIELDS = [
    (table, field)
    for table, fields in {
        "wallets": ("id", "identifier", "type"),
        "identities": ("id", "walletId", "identityNumber", "name", "status", "identityObject", "randomness"),
        "accounts": ("identityId", "address", "name", "transactionFilter", "rewardFilter"),
        "credentials": ("identityId", "credId", "credentialNumber", "credentialIndex", "accountAddress"),
        "addressBook": ("address", "name", "note", "readOnly"),
        "externalCredentials": ("accountAddress", "credId", "note"),
    }.items()
    for field in fields
] + [("accounts", "a`b"), ("addressBook", "\ud800"), ("credentials", "x\x00"), ("identities", "")]
ODD_VALUES = st.sampled_from(
    [10**5000, -(2**64), 2**63, 1.5, 1e308, "\ud800", "x\udfffy", True, False, None, {}, [], {"a": 1}, [1, "a"]]
    + [_nested(900), "", 0, "`'\"; drop table accounts", "\x00"]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    share=st.booleans(),
    edits=st.lists(
        st.tuples(st.booleans(), st.sampled_from(ODD_FIELDS), st.integers(0, 50), ODD_VALUES),
        max_size=4,
    ),
)
def test_type_confused_values_never_raise_an_internal_error(share, edits):
    from toolkit.cli.merge import render

    a = wallet_a(3)
    b = copy.deepcopy(a) if share else wallet_a(14)
    b.setdefault("externalCredentials", []).append({"accountAddress": a["accounts"][0]["address"], "credId": "c"})
    for in_a, (table, field), n, value in edits:
        records = (a if in_a else b)[table]
        if records:
            records[n % len(records)][field] = value
    try:
        preview = preview_import(Backup(a), Backup(b))
    except errors.BackupError:
        return
    assert "\n" not in repr(preview)
    render(preview)
    json.dumps(preview.to_dict(), default=str)


def test_more_than_500_new_contacts_exceed_the_wallets_one_statement_insert():
    # knex 0.95.5 inserts a list as one "select … union all select …"; SQLite takes 500 terms
    a, b = new_records()
    b["addressBook"] = [{"name": f"c{n}", "address": f"{n:040d}", "note": "", "readOnly": False} for n in range(501)]
    preview = preview_import(Backup(a), Backup(b))
    assert preview.outcome == BOOK_NOT_COMPATIBLE and preview.stops_at["table"] == "addressBook"
    assert "too many terms in compound SELECT" in preview.stops_at["reason"]
    assert not any(x["address"] == f"{0:040d}" for x in preview.document["addressBook"])
    b["addressBook"].pop()
    assert preview_import(Backup(a), Backup(b)).ok


def test_cli_merged_file_keeps_the_wallets_external_credential_and_holds_the_defaults(tmp_path, capsys, monkeypatch):
    a, b = new_records()
    a["externalCredentials"] = [{"accountAddress": a["accounts"][0]["address"], "credId": "5" * 96, "note": ""}]
    b["externalCredentials"] = [dict(a["externalCredentials"][0], note="the file's note")]
    del b["identities"][0]["version"]
    del b["accounts"][0]["transactionFilter"]
    del b["credentials"][0]["randomness"]
    pa, pb, out = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "out.json"
    pa.write_bytes(make_file(dumps_js(a), PW_A))
    pb.write_bytes(make_file(dumps_js(b), PW_A))
    env = {"CONCORDIUM_BACKUP_PASSWORD": PW_A, "CONCORDIUM_BACKUP_NEW_PASSWORD": PW_OUT}
    code, stdout, err = run_cli(["merge", pa, pb, out, "--json"], capsys, monkeypatch, env=env)
    assert code == 0, err
    rows = [m for m in json.loads(stdout)["messages"] if m["table"] == "externalCredentials"]
    assert [(m["result"], m["key"]) for m in rows] == [("exists", "5" * 96)]
    merged = open_backup(out, PW_OUT).document
    assert merged["externalCredentials"] == a["externalCredentials"]  # never updated
    ident = next(i for i in merged["identities"] if i["randomness"] == b["identities"][0]["randomness"])
    account = next(x for x in merged["accounts"] if x["address"] == b["accounts"][0]["address"])
    cred = next(c for c in merged["credentials"] if c["credId"] == b["credentials"][0]["credId"])
    assert ident["version"] == 0 and account["transactionFilter"] == {} and cred["randomness"] is None
