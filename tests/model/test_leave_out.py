"""A way out of every stop: leave out records (library, merge and reexport), or import B alone.

The case from issue 20: an older and a newer backup of one wallet, an identity pending in the older one and
confirmed in the newer one.  The Desktop Wallet's import of one into a wallet holding the other stops
("The imported data is not compatible with existing data.", importHelpers.ts:600-604 at 0ce97cb).
"""

from __future__ import annotations

import copy

import pytest

from tests.conftest import make_file, run_cli
from toolkit import errors
from toolkit.format.jsonio import dumps_js
from toolkit.model import kinds
from toolkit.model.backup import Backup, open_backup
from toolkit.ops.merge import NOT_COMPATIBLE, preview_import
from toolkit.testing import synthetic

PW, PW_OUT = "older-and-newer", "merged-password"


def newer() -> dict:
    return synthetic.desktop_document(seed=11, identities=2, accounts_per_identity=1, contacts=1)


def older() -> dict:
    """The same wallet before the second identity was confirmed: pending, with a pending account, no credential."""
    doc = copy.deepcopy(newer())
    ident = doc["identities"][1]
    ident.update(status="pending", identityObject=None)
    for acc in doc["accounts"]:
        if acc["identityId"] == ident["id"]:
            acc["status"] = "pending"
    doc["credentials"] = [c for c in doc["credentials"] if c["identityId"] != ident["id"]]
    return doc


def empty_wallet(genesis: dict) -> Backup:
    return Backup({**{name: [] for name in kinds.lists_of(kinds.DESKTOP)}, "genesis": dict(genesis)})


def identity_key(doc: dict, n: int) -> str:
    ident = doc["identities"][n]
    ledger = {w["id"]: w["identifier"] for w in doc["wallets"]}[ident["walletId"]]
    return f"{ledger}/{ident['identityNumber']}"


@pytest.mark.parametrize("order", ["older-then-newer", "newer-then-older"])
def test_the_preview_offers_a_way_out_and_taking_it_gives_a_file_the_wallet_imports(order):
    a, b = (older(), newer()) if order == "older-then-newer" else (newer(), older())
    preview = preview_import(Backup(copy.deepcopy(a)), Backup(copy.deepcopy(b)))
    assert not preview.ok and preview.outcome == NOT_COMPATIBLE
    key = identity_key(b, 1)
    assert preview.stops_at["table"] == "identities" and preview.stops_at["key"] == key
    assert preview.stops_at["code"] == "identity-conflict"
    ways = {f["fix"]: f for f in preview.fixes}
    assert ways["leave_out"]["key"] == key
    message = preview.refusal.message
    # the way out named once, naming the record; never a pointer back at the preview itself
    assert message.count("Way out") == 1 and f"leave out identity {key} of backup B" in message
    assert "see the import preview" not in message and "--" not in message
    # B holds everything A holds only when B is the newer file (the older one lacks a credential)
    assert ("import_into_empty_wallet" in ways) == (order == "older-then-newer")
    if order == "older-then-newer":
        assert "import B into a new, empty wallet" in message

    fixed = preview_import(Backup(copy.deepcopy(a)), Backup(copy.deepcopy(b)), leave_out=[key])
    assert fixed.ok and fixed.outcome == "ok"
    gone = {(d["table"], d["key"]) for d in fixed.dropped}
    assert ("identities", key) in gone  # and the records that refer to it
    assert {
        ("accounts", acc["address"]) for acc in b["accounts"] if acc["identityId"] == b["identities"][1]["id"]
    } <= gone
    merged = fixed.backup
    # the merged backup is one the wallet imports: into an empty wallet, and again into the wallet holding A
    assert preview_import(empty_wallet(a["genesis"]), merged).ok
    assert preview_import(Backup(copy.deepcopy(a)), merged).ok
    # and B alone into a new, empty wallet goes through too (the other way out)
    assert preview_import(empty_wallet(a["genesis"]), Backup(copy.deepcopy(b))).ok


def test_leave_out_writes_a_consistent_file(tmp_path):
    doc = newer()
    key = identity_key(doc, 1)
    backup = Backup(copy.deepcopy(doc))
    data = backup.encrypt(PW_OUT, leave_out=[key])
    written = open_backup(data, PW_OUT)
    ident_id = doc["identities"][1]["id"]
    assert [i["id"] for i in written.document["identities"]] == [doc["identities"][0]["id"]]
    assert all(r.get("identityId") != ident_id for name in ("accounts", "credentials") for r in written.document[name])
    assert backup.document == doc  # the opened backup itself is unchanged
    result = backup.save(tmp_path / "out.json", PW_OUT, leave_out=[f"identities:{key}"])
    assert open_backup(result.path, PW_OUT).document == written.document
    with pytest.raises(errors.SelectionError):
        backup.encrypt(PW_OUT, leave_out=["no-such-key"])


def test_cli_merge_and_reexport_leave_out(tmp_path, capsys, monkeypatch):
    a, b = older(), newer()
    pa, pb, out, out_b = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "out.json", tmp_path / "b2.json"
    pa.write_bytes(make_file(dumps_js(a), PW))
    pb.write_bytes(make_file(dumps_js(b), PW))
    env = {"CONCORDIUM_BACKUP_PASSWORD": PW, "CONCORDIUM_BACKUP_NEW_PASSWORD": PW_OUT}
    key = identity_key(b, 1)
    code, stdout, err = run_cli(["merge", pa, pb, out], capsys, monkeypatch, env)
    assert code == 2 and not out.exists()
    assert f"--leave-out {key}" in err and err.count("Way out") == 1 and "see the import preview" not in err
    code, stdout, err = run_cli(["merge", pa, pb, out, "--leave-out", key], capsys, monkeypatch, env)
    assert code == 0, err
    assert preview_import(empty_wallet(a["genesis"]), open_backup(out, PW_OUT)).ok
    code, stdout, err = run_cli(["reexport", pb, out_b, "--leave-out", key], capsys, monkeypatch, env)
    assert code == 0, err
    assert f"left out the record identities {key}" in stdout
    assert preview_import(open_backup(pa, PW), open_backup(out_b, PW_OUT)).ok


def test_leave_out_in_a_legacy_file_takes_an_identitys_accounts_along():
    from toolkit.model.kinds import legacy_identity_key

    doc = synthetic.legacy_document(identities=2, accounts_per_identity=2, recipients=1, seed=4)
    backup = Backup(copy.deepcopy(doc))
    key = legacy_identity_key(doc["value"]["identities"][0])
    written = open_backup(backup.encrypt(PW_OUT, leave_out=[key]), PW_OUT)
    assert written.counts() == {"identities": 1, "accounts": 2, "recipients": 1}
    assert written.document["value"]["identities"] == doc["value"]["identities"][1:]
