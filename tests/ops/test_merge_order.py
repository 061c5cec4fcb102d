"""The import preview writes in the order the Desktop Wallet's import does (importHelpers.ts at 0ce97cb)."""

from __future__ import annotations

import copy

from toolkit.model.backup import Backup
from toolkit.ops.merge import NOT_COMPATIBLE, preview_import
from toolkit.testing import synthetic


def empty_wallet(genesis: dict) -> dict:
    return {
        "accounts": [],
        "identities": [],
        "addressBook": [],
        "credentials": [],
        "externalCredentials": [],
        "wallets": [],
        "genesis": dict(genesis),
    }


def two_ledgers() -> dict:
    """Two Ledgers, one identity each (the first one's identity refers to wallet 1, the second's to 2)."""
    doc = synthetic.desktop_document(seed=7, identities=2, accounts_per_identity=1, contacts=0, wallets=2)
    doc["identities"][0]["walletId"] = 1
    doc["identities"][1]["walletId"] = 2
    return doc


def test_a_stop_at_the_first_ledgers_identity_keeps_every_new_ledger_inserted():
    # importNewWallets (importHelpers.ts:389-436) inserts every new wallet (:411-428) before any identity
    # (:430-435): when the first identity's insert fails, the second Ledger is already in the wallet.
    b = two_ledgers()
    b["identities"][0]["nickname"] = "x"  # a field the identities table lacks: its insert fails
    preview = preview_import(Backup(empty_wallet(b["genesis"])), Backup(copy.deepcopy(b)))
    assert not preview.ok and preview.outcome == NOT_COMPATIBLE
    assert preview.stops_at["table"] == "identities"
    kept = {w["identifier"] for w in preview.document["wallets"]}
    assert kept == {w["identifier"] for w in b["wallets"]}  # both Ledgers stay in the wallet
    not_imported = {(r["table"], r["key"]) for r in preview.not_imported}
    assert not any(t == "wallets" for t, _ in not_imported), not_imported
    second = f"{b['wallets'][1]['identifier']}/{b['identities'][1]['identityNumber']}"
    assert ("identities", second) in not_imported  # never reached: the wallet stopped before it
    assert preview.document["identities"] == []
    assert {(r["table"], r["result"]) for r in preview.imported_before_stop} == {("wallets", "added")}


def test_identities_of_new_ledgers_are_inserted_in_ledger_order():
    # updateWalletIdReference (importHelpers.ts:134-147) gathers the identities per new wallet, in wallet
    # order: an identity of the first Ledger listed after one of the second is still inserted first.
    b = two_ledgers()
    b["identities"][0]["walletId"], b["identities"][1]["walletId"] = 2, 1
    preview = preview_import(Backup(empty_wallet(b["genesis"])), Backup(copy.deepcopy(b)))
    assert preview.ok
    names = [i["name"] for i in preview.document["identities"]]
    assert names == [b["identities"][1]["name"], b["identities"][0]["name"]]
