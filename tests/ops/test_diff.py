"""diff_backups: exactly the known changes, by content, across versions, never a secret; the diff CLI."""

from __future__ import annotations

import copy
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import VECTOR_FILES, make_file, run_cli
from toolkit import errors
from toolkit.format.jsonio import dumps_gson, dumps_js
from toolkit.model import kinds
from toolkit.model.backup import Backup, open_backup
from toolkit.ops.diff import REDACTED, diff_backups
from toolkit.testing import synthetic

PW = "diff-pass-1"


def rows(result) -> set[tuple]:
    """The changes as hashable tuples (values JSON-encoded)."""
    return {
        (r["table"], r["key"], r["change"], r["field"], json.dumps(r["old"]), json.dumps(r["new"]))
        for r in result.changes.to_dict("records")
    }


def counts(result) -> dict[str, dict[str, int]]:
    return result.to_dict()["summary"]


def zero(*tables: str) -> dict[str, dict[str, int]]:
    return {t: {"added": 0, "removed": 0, "changed": 0} for t in tables}


#: The tables a diff of two generated files lists: every kind they hold, none they lack.
DESKTOP_TABLES = tuple(t for t in kinds.table_names(kinds.DESKTOP) if t in synthetic.desktop_document(seed=11))


@pytest.fixture
def pair():
    old = synthetic.desktop_document(identities=3, accounts_per_identity=2, contacts=3, seed=11)
    return old, copy.deepcopy(old)


# --------------------------------------------------------------------------- known changes


def test_identical_backups_have_no_changes_and_every_table_in_summary(pair):
    old, new = pair
    result = diff_backups(Backup(old), Backup(new))
    assert result.empty
    assert counts(result) == zero(*DESKTOP_TABLES)
    assert list(result.changes.columns) == ["table", "key", "name", "change", "field", "old", "new"]


def test_generated_pair_with_known_changes_gives_exactly_those_rows(pair):
    old, new = pair
    acc = new["accounts"]
    renamed, removed = acc[0]["address"], acc[1]["address"]
    acc[0]["name"] = "Renamed account"
    del acc[1]
    added = synthetic.random_address(__import__("random").Random(99))
    acc.append(dict(acc[-1], address=added, name="Brand new"))
    contact = new["addressBook"][-1]
    contact["note"] = "changed note"
    ident = new["identities"][1]
    ident["status"] = "rejected"
    # inside JSON strings: the identity's validTo and provider name, a credential's policy
    obj = json.loads(new["identities"][0]["identityObject"])
    obj["value"]["attributeList"]["validTo"] = "209901"
    new["identities"][0]["identityObject"] = json.dumps(obj)  # other spacing: compared by content
    prov = json.loads(new["identities"][0]["identityProvider"])
    prov["ipInfo"]["ipDescription"]["name"] = "Renamed IP"
    new["identities"][0]["identityProvider"] = json.dumps(prov, separators=(",", ":"))
    cred = new["credentials"][3]
    policy = json.loads(cred["policy"])
    policy["revealedAttributes"] = {"nationality": "DK"}
    cred["policy"] = json.dumps(policy)

    result = diff_backups(Backup(old), Backup(new))
    old_validto = json.loads(old["identities"][0]["identityObject"])["value"]["attributeList"]["validTo"]
    old_ip = json.loads(old["identities"][0]["identityProvider"])["ipInfo"]["ipDescription"]["name"]
    ledger = old["wallets"][0]["identifier"]
    k0, k1 = f"{ledger}/0", f"{ledger}/1"
    expected = {
        ("accounts", renamed, "changed", "name", json.dumps(old["accounts"][0]["name"]), '"Renamed account"'),
        ("accounts", removed, "removed", None, "null", "null"),
        ("accounts", added, "added", None, "null", "null"),
        (
            "addressBook",
            contact["address"],
            "changed",
            "note",
            json.dumps(old["addressBook"][-1]["note"]),
            '"changed note"',
        ),
        ("identities", k1, "changed", "status", json.dumps(old["identities"][1]["status"]), '"rejected"'),
        (
            "identities",
            k0,
            "changed",
            "identityObject.value.attributeList.validTo",
            json.dumps(old_validto),
            '"209901"',
        ),
        (
            "identities",
            k0,
            "changed",
            "identityProvider.ipInfo.ipDescription.name",
            json.dumps(old_ip),
            '"Renamed IP"',
        ),
        ("credentials", cred["credId"], "changed", "policy.revealedAttributes.nationality", "null", '"DK"'),
    }
    assert rows(result) == expected
    want = zero(*DESKTOP_TABLES)
    want["accounts"] = {"added": 1, "removed": 1, "changed": 1}
    want["addressBook"]["changed"] = 1
    want["identities"]["changed"] = 2  # two records, three fields
    want["credentials"]["changed"] = 1
    assert counts(result) == want


def test_json_string_fields_compare_by_content_not_spelling(pair):
    old, new = pair
    for ident in new["identities"]:
        if ident["identityObject"]:
            obj = json.loads(ident["identityObject"])
            ident["identityObject"] = json.dumps(obj, indent=2, sort_keys=True)
    for cred in new["credentials"]:
        cred["policy"] = json.dumps(json.loads(cred["policy"]), indent=1)
    assert diff_backups(Backup(old), Backup(new)).empty


def test_renamed_account_shows_in_accounts_and_its_address_book_entry(pair):
    old, new = pair
    address = new["accounts"][2]["address"]
    new["accounts"][2]["name"] = "Ny konto"
    for entry in new["addressBook"]:
        if entry["address"] == address:
            entry["name"] = "Ny konto"
    result = diff_backups(Backup(old), Backup(new))
    assert {(r[0], r[1], r[3]) for r in rows(result)} == {
        ("accounts", address, "name"),
        ("addressBook", address, "name"),
    }


def test_identity_confirmed_from_pending_reports_status_and_identity_object():
    old = synthetic.desktop_document(identities=7, seed=3)
    pending = next(i for i in old["identities"] if i["status"] == "pending")
    new = copy.deepcopy(old)
    target = next(i for i in new["identities"] if i["id"] == pending["id"])
    target["status"] = "confirmed"
    target["identityObject"] = '{"v":0,"value":{"attributeList":{"validTo":"203001"}}}'
    result = diff_backups(Backup(old), Backup(new))
    fields = {(r["field"], r["old"]) for r in result.to_dict()["changes"]}
    assert fields == {("status", "pending"), ("identityObject", None)}
    assert counts(result)["identities"] == {"added": 0, "removed": 0, "changed": 1}


def test_wallet_and_external_credential_changes(pair):
    old, new = pair
    new["wallets"].append({"id": 2, "identifier": "ab" * 32, "type": "ledgernanos"})
    new["externalCredentials"][0]["note"] = "someone else's key"
    new["genesis"]["genesisBlock"] = "4221332d34e1694168c2a0c0b3fd0f273809612cb13d000d5c2e00e85f50f796"
    result = diff_backups(Backup(old), Backup(new))
    summary = counts(result)
    assert summary["wallets"] == {"added": 1, "removed": 0, "changed": 0}
    assert summary["externalCredentials"] == {"added": 0, "removed": 0, "changed": 1}
    assert summary["genesis"] == {"added": 0, "removed": 0, "changed": 1}
    assert ("genesis", "genesis", "genesisBlock") in {(r[0], r[1], r[3]) for r in rows(result)}


def test_unknown_fields_are_compared_too(pair):
    old, new = pair
    new["accounts"][0]["maxTransactionId"] = 17
    new["futureList"] = [{"x": 1}]
    result = diff_backups(Backup(old), Backup(new))
    got = {(r[0], r[3]) for r in rows(result)}
    assert got == {("accounts", "maxTransactionId"), ("file", "futureList")}


def test_repeated_keys_are_kept_apart():
    old = synthetic.desktop_document(seed=5)
    old["addressBook"].append(dict(old["addressBook"][-1]))
    new = copy.deepcopy(old)
    new["addressBook"][-1]["note"] = "the second copy"
    result = diff_backups(Backup(old), Backup(new))
    (change,) = result.to_dict()["changes"]
    assert change["key"] == new["addressBook"][-1]["address"] + "#2" and change["new"] == "the second copy"


# --------------------------------------------------------------------------- across versions


def upgraded(old_doc: dict) -> dict:
    """What a newer Desktop Wallet exports for the same data: defaults for the new fields."""
    new = copy.deepcopy(old_doc)
    for acc in new["accounts"]:
        acc.pop("rewardFilter", None)
        acc["transactionFilter"] = {}
    for ident in new["identities"]:
        ident["version"] = 0
    doc = {k: new[k] for k in ("accounts", "identities", "addressBook", "credentials")}
    doc["externalCredentials"] = []
    doc["wallets"] = new["wallets"]
    doc["genesis"] = {"id": 1, "genesisBlock": "9dd9ca4d19e9393877d2c44b70f89acbfc0883c2243e5eeaecc0d1cd0503f478"}
    return doc


def test_old_format_against_its_upgrade_has_no_changes():
    old = synthetic.desktop_document(seed=8, old_format=True)
    result = diff_backups(Backup(old), Backup(upgraded(old)))
    assert result.empty, result.changes
    assert counts(result) == zero(*DESKTOP_TABLES)  # genesis listed: the new file has one


def test_version_only_fields_with_real_values_are_reported():
    old = synthetic.desktop_document(seed=8, old_format=True)
    old["accounts"][0]["rewardFilter"] = '["bakingReward"]'
    new = upgraded(old)
    new["identities"][0]["version"] = 1
    new["externalCredentials"].append({"accountAddress": new["accounts"][0]["address"], "credId": "c" * 96, "note": ""})
    result = diff_backups(Backup(old), Backup(new))
    assert rows(result) == {
        ("accounts", old["accounts"][0]["address"], "changed", "rewardFilter", '"[\\"bakingReward\\"]"', "null"),
        ("identities", f"{old['wallets'][0]['identifier']}/0", "changed", "version", "null", "1"),
        ("externalCredentials", "c" * 96, "added", None, "null", "null"),
    }


def test_reference_vectors_old_against_new(vectors_dir):
    opened = {}
    for name, password, _plain, _kind in VECTOR_FILES:
        opened[name] = open_backup(vectors_dir / name, password)
    old, new = opened["desktop-reference-old.json"], opened["desktop-reference.json"]
    result = diff_backups(old, new)
    summary = counts(result)
    assert set(summary) == {t for t in kinds.table_names(kinds.DESKTOP) if t in old.document or t in new.document}
    assert summary["genesis"] == {"added": 0, "removed": 0, "changed": 0}  # the old file names no network
    # the two files share no record (other Ledgers, other accounts): every difference is a whole record
    assert set(result.changes["change"]) <= {"added", "removed"}
    for name, backup in opened.items():
        assert diff_backups(backup, backup).empty, name


# --------------------------------------------------------------------------- legacy


def secrets_of(doc: dict) -> list[str]:
    """Every hex secret string in a legacy document's private fields."""
    out: list[str] = []

    def walk(v):
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, str) and len(v) >= 32:
            out.append(v)

    for ident in doc["value"]["identities"]:
        walk(ident["privateIdObjectData"])
        for acc in ident["accounts"]:
            for f in ("accountKeys", "encryptionSecretKey", "commitmentsRandomness"):
                walk(acc[f])
    return out


def test_legacy_against_legacy_redacts_private_keys():
    old = synthetic.legacy_document(seed=4)
    new = copy.deepcopy(old)
    acc = new["value"]["identities"][0]["accounts"][0]
    acc["accountKeys"]["keys"]["0"]["keys"]["0"]["signKey"] = "ab" * 32
    acc["encryptionSecretKey"] = "cd" * 48
    acc["name"] = "Omdøbt"
    new["value"]["identities"][1]["privateIdObjectData"]["randomness"] = "ef" * 32
    new["value"]["recipients"].append(
        {"name": "Ny modtager", "address": synthetic.random_address(__import__("random").Random(1))}
    )
    new["environment"] = "testnet"
    result = diff_backups(Backup(old), Backup(new))
    got = {(r[0], r[2], r[3], r[4], r[5]) for r in rows(result)}
    red = json.dumps(REDACTED)
    assert got == {
        ("accounts", "changed", "accountKeys", red, red),
        ("accounts", "changed", "encryptionSecretKey", red, red),
        (
            "accounts",
            "changed",
            "name",
            json.dumps(old["value"]["identities"][0]["accounts"][0]["name"]),
            json.dumps("Omdøbt"),
        ),
        ("identities", "changed", "privateIdObjectData", red, red),
        ("recipients", "added", None, "null", "null"),
        ("file", "changed", "environment", '"mainnet"', '"testnet"'),
    }
    text = json.dumps(result.to_dict())
    for secret in secrets_of(old) + secrets_of(new):
        assert secret not in text
    assert counts(result)["accounts"] == {"added": 0, "removed": 0, "changed": 1}


def test_legacy_against_desktop_is_refused():
    with pytest.raises(errors.IncompatibleKindsError) as info:
        diff_backups(Backup(synthetic.legacy_document()), Backup(synthetic.desktop_document()))
    assert info.value.code == "incompatible-kinds"


# --------------------------------------------------------------------------- properties


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    rename=st.sets(st.integers(0, 11), max_size=5),
    drop=st.sets(st.integers(0, 11), max_size=4),
    renote=st.sets(st.integers(0, 14), max_size=5),
)
def test_random_edits_are_found_exactly(seed, rename, drop, renote):
    old = synthetic.desktop_document(identities=4, accounts_per_identity=3, contacts=3, seed=seed)
    new = copy.deepcopy(old)
    for i in rename:
        new["accounts"][i]["name"] += "*"
    for i in renote:
        new["addressBook"][i]["note"] = f"note {i}"
    kept = [a for i, a in enumerate(new["accounts"]) if i not in drop]
    new["accounts"] = kept
    result = diff_backups(Backup(old), Backup(new))
    summary = counts(result)
    assert summary["accounts"] == {"added": 0, "removed": len(drop), "changed": len(rename - drop)}
    want_notes = sum(1 for i in renote if old["addressBook"][i]["note"] != f"note {i}")
    assert summary["addressBook"]["changed"] == want_notes
    changed = {r["key"] for r in result.to_dict()["changes"] if r["table"] == "accounts" and r["change"] == "changed"}
    assert changed == {old["accounts"][i]["address"] for i in rename - drop}
    assert diff_backups(Backup(new), Backup(old)).to_dict()["summary"]["accounts"]["added"] == len(drop)


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def files(tmp_path):
    old = synthetic.desktop_document(seed=21)
    new = copy.deepcopy(old)
    new["accounts"][0]["name"] = "CLI rename"
    p_old, p_new = tmp_path / "old.json", tmp_path / "new.json"
    p_old.write_bytes(make_file(dumps_js(old), PW))
    p_new.write_bytes(make_file(dumps_js(new), "other-pass-2"))
    pw, pw2 = tmp_path / "pw", tmp_path / "pw2"
    pw.write_text(PW + "\n")
    pw2.write_text("other-pass-2\n")
    return p_old, p_new, pw, pw2, old


def test_cli_diff_json(files, capsys, monkeypatch):
    p_old, p_new, pw, pw2, old = files
    args = ["diff", p_old, p_new, "--old-password-file", pw, "--new-password-file", pw2, "--json"]
    code, out, err = run_cli(args, capsys, monkeypatch)
    assert code == 0, err
    obj = json.loads(out)
    assert set(obj) == {"summary", "changes"}
    assert set(obj["summary"]) == set(DESKTOP_TABLES)
    assert obj["summary"]["accounts"] == {"added": 0, "removed": 0, "changed": 1}
    assert obj["summary"]["wallets"] == {"added": 0, "removed": 0, "changed": 0}
    assert obj["changes"] == [
        {
            "table": "accounts",
            "key": old["accounts"][0]["address"],
            "name": "CLI rename",
            "change": "changed",
            "field": "name",
            "old": old["accounts"][0]["name"],
            "new": "CLI rename",
        }
    ]


def test_cli_diff_text_and_env_password(tmp_path, capsys, monkeypatch):
    doc = synthetic.desktop_document(seed=2)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_bytes(make_file(dumps_js(doc), PW))
    doc["addressBook"][-1]["note"] = "Ny note"
    b.write_bytes(make_file(dumps_js(doc), PW))
    code, out, err = run_cli(["diff", a, b], capsys, monkeypatch, env={"CONCORDIUM_BACKUP_PASSWORD": PW})
    assert code == 0, err
    assert "addressBook" in out and "note:" in out and "Ny note" in out
    assert PW not in out + err


def test_cli_diff_one_password_file_for_both(tmp_path, capsys, monkeypatch):
    doc = synthetic.desktop_document(seed=2)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_bytes(make_file(dumps_js(doc), PW))
    b.write_bytes(make_file(dumps_js(doc), PW))
    pw = tmp_path / "pw"
    pw.write_text(PW)
    code, out, _ = run_cli(["diff", a, b, "--password-file", pw], capsys, monkeypatch)
    assert code == 0 and "No differences." in out


def test_cli_diff_legacy_against_desktop_exits_2(tmp_path, capsys, monkeypatch):
    a, b = tmp_path / "a.concordiumwallet", tmp_path / "b.json"
    a.write_bytes(make_file(dumps_gson(synthetic.legacy_document()), PW, layout="legacy"))
    b.write_bytes(make_file(dumps_js(synthetic.desktop_document()), PW))
    pw = tmp_path / "pw"
    pw.write_text(PW)
    code, out, err = run_cli(["diff", a, b, "--password-file", pw, "--json"], capsys, monkeypatch)
    assert code == 2
    assert json.loads(out)["error"]["code"] == "incompatible-kinds"
    assert len(err.strip().splitlines()) == 1


def test_cli_diff_legacy_text_never_shows_keys(tmp_path, capsys, monkeypatch):
    old = synthetic.legacy_document(seed=9)
    new = copy.deepcopy(old)
    new["value"]["identities"][0]["accounts"][1]["encryptionSecretKey"] = "99" * 48
    a, b = tmp_path / "a.concordiumwallet", tmp_path / "b.concordiumwallet"
    a.write_bytes(make_file(dumps_gson(old), PW, layout="legacy"))
    b.write_bytes(make_file(dumps_gson(new), PW, layout="legacy"))
    code, out, err = run_cli(["diff", a, b], capsys, monkeypatch, env={"CONCORDIUM_BACKUP_PASSWORD": PW})
    assert code == 0, err
    assert REDACTED in out
    assert not re.search(r"[0-9a-f]{64}", out.replace(new["value"]["identities"][0]["accounts"][1]["address"], ""))


def test_identities_match_on_their_ledger_not_the_wallet_row_id(pair):
    old, new = pair
    new["wallets"][0]["id"] = 7  # the same Ledger under another database id (another machine, an import)
    for ident in new["identities"]:
        ident["walletId"] = 7
    result = diff_backups(Backup(old), Backup(new))
    summary = counts(result)
    assert summary["identities"] == {"added": 0, "removed": 0, "changed": len(old["identities"])}
    assert summary["wallets"] == {"added": 0, "removed": 0, "changed": 1}
    assert set(result.changes["field"]) == {"walletId", "id"}


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


def _default(value) -> bool:
    return value in (None, "", 0, False, "[]", "{}") or value == [] or value == {}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 1000), extra=st.lists(st.tuples(st.integers(0, 5), _JSON), max_size=6))
def test_unknown_fields_follow_the_missing_field_rule(seed, extra):
    old = synthetic.desktop_document(identities=2, accounts_per_identity=3, seed=seed)
    new = copy.deepcopy(old)
    for n, (i, value) in enumerate(extra):
        new["accounts"][i][f"x-{n}"] = value
    result = diff_backups(Backup(old), Backup(new))
    assert diff_backups(Backup(new), Backup(new)).empty
    want = {(old["accounts"][i]["address"], f"x-{n}") for n, (i, v) in enumerate(extra) if not _default(v)}
    got = {(r["key"], r["field"]) for r in result.to_dict()["changes"]}
    assert got == want
    assert counts(result)["accounts"]["changed"] == len({k for k, _ in want})
    assert all(r["old"] is None for r in result.to_dict()["changes"])
    json.dumps(result.to_dict())  # always JSON-ready


def _deep_text(depth: int, leaf: int) -> str:
    return '{"a":' * depth + str(leaf) + "}" * depth


@pytest.mark.parametrize("field", ["identityObject", "unknownField"])
@pytest.mark.parametrize("depth", [90, 1000, 5000])
def test_deeply_nested_json_text_fields_diff_without_recursion_error(pair, field, depth):
    """Issue 21 #9: a 1,000-deep JSON-text field ended diff in RecursionError.  Up to the document's depth
    bound it is compared by content (the changed leaf's dotted path); deeper, a field the toolkit reads
    (identityObject) is unexpected-content naming it, any other is compared as text."""
    old, new = pair
    old["identities"][0][field] = _deep_text(depth, 1)
    new["identities"][0][field] = _deep_text(depth, 2)
    if depth >= 100 and field == "identityObject":
        with pytest.raises(
            errors.UnexpectedContentError,
            match=r"identities\[0\].*identityObject.*(nesting over 100|nested too deeply)",
        ):
            diff_backups(Backup(old), Backup(new))
        return
    result = diff_backups(Backup(old), Backup(new))
    fields = result.changes[result.changes["table"] == "identities"]["field"].tolist()
    assert fields == ([field + ".a" * depth] if depth < 100 else [field])
