"""The diff shows the names a person knows beside the keys: in the library, the CLI's text and --json."""

from __future__ import annotations

import copy
import json

from tests.conftest import SAMPLES
from toolkit import open_backup
from toolkit.cli import main
from toolkit.model.backup import Backup
from toolkit.ops.diff import diff_backups

WALLET, LATER = SAMPLES / "wallet-export.json", SAMPLES / "wallet-export-later.json"
LEGACY = SAMPLES / "concordium-backup.concordiumwallet"


def _open(path):
    return open_backup(path, path.with_suffix(".password").read_text().strip())


def test_every_named_kind_shows_its_name_beside_the_key() -> None:
    old = _open(WALLET)
    doc = copy.deepcopy(old.document)
    gone = doc["accounts"].pop()  # removed: shown with the old file's name
    doc["identities"][0]["status"] = "rejected"
    doc["identities"][0]["name"] = "Renamed"  # changed: the new name
    doc["wallets"][0]["type"] = "other"
    result = diff_backups(old, Backup(doc))
    names = {(r["table"], r["change"], r["field"]): r["name"] for r in result.to_dict()["changes"]}
    assert names[("accounts", "removed", None)] == gone["name"]
    assert names[("identities", "changed", "status")] == "Renamed"
    wallet_id = doc["wallets"][0]["id"]
    on_ledger = [i["name"] for i in doc["identities"] if i["walletId"] == wallet_id]
    assert names[("wallets", "changed", "type")] == "Ledger of " + ", ".join(on_ledger)
    assert list(result.changes.columns[:3]) == ["table", "key", "name"]


def test_credentials_are_named_by_their_account_and_legacy_records_by_theirs() -> None:
    old = _open(WALLET)
    doc = copy.deepcopy(old.document)
    cred = doc["credentials"].pop(0)
    account = next(a["name"] for a in doc["accounts"] if a["address"] == cred["accountAddress"])
    (row,) = diff_backups(Backup(doc), old).changes.to_dict("records")
    assert (row["table"], row["change"], row["name"]) == ("credentials", "added", account)

    legacy = _open(LEGACY)
    ldoc = copy.deepcopy(legacy.document)
    ldoc["value"]["recipients"][0]["address"] = "3" + "x" * 49
    rows = diff_backups(legacy, Backup(ldoc)).changes
    recipient = legacy.document["value"]["recipients"][0]["name"]
    assert set(rows["name"]) == {recipient}


def test_cli_text_and_json_show_names(capsys, monkeypatch) -> None:
    monkeypatch.delenv("CONCORDIUM_BACKUP_PASSWORD", raising=False)
    args = [str(WALLET), str(LATER), "--old-password-file", str(WALLET.with_suffix(".password"))]
    args += ["--new-password-file", str(LATER.with_suffix(".password"))]
    assert main(["diff", *args, "--json"]) == 0
    changes = json.loads(capsys.readouterr().out)["changes"]
    identity = next(c for c in changes if c["table"] == "identities")
    assert identity["name"] and identity["key"].endswith("/1")
    assert main(["diff", *args]) == 0
    text = capsys.readouterr().out
    assert f"identities {identity['name']} ({identity['key']})" in text
