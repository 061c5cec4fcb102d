"""Opening, classifying, tabulating and summarising backups."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.conftest import VECTOR_FILES, make_file
from toolkit import Backup, errors, open_backup
from toolkit.format.jsonio import dumps_gson, dumps_js
from toolkit.model import kinds
from toolkit.model.network import GENESIS_HASHES
from toolkit.model.tables import REDACTED, summary_frame
from toolkit.testing import synthetic

PW = "table-pass"


def _open(name, vectors_dir):
    row = next(v for v in VECTOR_FILES if v[0] == name)
    return open_backup(vectors_dir / name, row[1])


def test_vector_tables_row_counts(vectors_dir):
    current = _open("desktop-reference.json", vectors_dir).tables()
    plain = json.loads((vectors_dir / "desktop-reference.plaintext.json").read_bytes())
    for name in kinds.lists_of(kinds.DESKTOP):
        assert len(current[name]) == len(plain.get(name, [])), name
    assert len(current["genesis"]) == 1
    old = _open("desktop-reference-old.json", vectors_dir)
    assert old.counts()["externalCredentials"] is None
    assert old.network == "none"
    assert len(old.tables()["genesis"]) == 0 and len(old.tables()["externalCredentials"]) == 0
    legacy = _open("legacy-reference.concordiumwallet", vectors_dir)
    lplain = json.loads((vectors_dir / "legacy-reference.plaintext.json").read_bytes())
    t = legacy.tables()
    assert len(t["identities"]) == len(lplain["value"]["identities"])
    assert len(t["accounts"]) == sum(len(i["accounts"]) for i in lplain["value"]["identities"])
    assert len(t["recipients"]) == len(lplain["value"]["recipients"])


def test_vector_kinds_and_networks(vectors_dir):
    assert _open("desktop-reference.json", vectors_dir).network == "mainnet"
    legacy = _open("legacy-reference.concordiumwallet", vectors_dir)
    assert legacy.kind == "legacy-mobile-wallet" and legacy.network == "mainnet"
    assert "cannot be imported into the Desktop Wallet" in legacy.notices()[0]


def test_dtypes_and_joins(vectors_dir):
    t = _open("desktop-reference.json", vectors_dir).tables()
    acc, ids, creds = t["accounts"], t["identities"], t["credentials"]
    assert acc["identityId"].dtype == "Int64" and acc["isInitial"].dtype == "boolean"
    assert isinstance(acc["status"].dtype, pd.CategoricalDtype)
    assert set(acc["status"].dtype.categories) >= {"confirmed", "pending", "rejected", "genesis"}
    assert ids["validTo"].dtype == "period[M]" and ids["maxAccounts"].dtype == "Int64"
    first = ids.set_index("id").loc[1]
    assert first["identityProviderName"] == "Notabene (Identity Verification)"
    assert str(first["createdAt"]) == "2023-11" and str(first["validTo"]) == "2028-11"
    assert first["maxAccounts"] == 200
    assert first["walletIdentifier"] == "a61982b41d7abb259874f9ded69d6779c58c5684a6dc4c87da568d31d205b729"
    # accounts are joined to their identity's name; credentials to account and identity
    hovedkonto = acc.set_index("name").loc["Hovedkonto"]
    assert hovedkonto["identityName"] == "Privat – Søren"
    assert set(creds["accountName"].dropna()) <= set(acc["name"])
    assert str(creds.iloc[0]["policyValidTo"]) == "2027-11"
    assert "identityObject" not in ids and "policy" not in creds  # parsed, raw left out by default
    assert t["addressBook"]["readOnly"].dtype == "boolean"


def test_unknown_fields_become_columns_and_are_kept():
    doc = synthetic.desktop_document(seed=1)
    doc["accounts"][0]["futureField"] = {"x": 1}
    doc["brandNewList"] = [1, 2]
    backup = open_backup(make_file(dumps_js(doc), PW), PW)
    assert "futureField" in backup.tables()["accounts"].columns
    assert backup.document == doc and list(backup.document) == list(doc)
    assert backup.to_plaintext() == dumps_js(doc)


@pytest.mark.parametrize("network", ["mainnet", "testnet", "stagenet", "old-testnet"])
def test_network_names(network):
    doc = synthetic.desktop_document(network=network)
    assert Backup(doc).network == network


def test_unknown_and_absent_network():
    doc = synthetic.desktop_document()
    doc["genesis"]["genesisBlock"] = "00" * 32
    assert Backup(doc).network == "unknown"
    del doc["genesis"]
    assert Backup(doc).network == "none"
    assert len(GENESIS_HASHES) == 4


def test_legacy_secrets_redacted_unless_asked():
    doc = synthetic.legacy_document(seed=5)
    backup = open_backup(make_file(dumps_gson(doc), PW, layout="legacy"), PW)
    hidden = backup.tables()
    secret = doc["value"]["identities"][0]["accounts"][0]["encryptionSecretKey"]
    text = "".join(df.to_csv() for df in hidden.values())
    assert secret not in text and REDACTED in text
    assert set(hidden["accounts"]["accountKeys"]) == {REDACTED}
    shown = backup.tables(reveal_secrets=True)
    assert secret in set(shown["accounts"]["encryptionSecretKey"])


def test_summary_and_counts():
    doc = synthetic.desktop_document(identities=2, accounts_per_identity=3, contacts=1, seed=2)
    backup = open_backup(make_file(dumps_js(doc), PW), PW)
    s = backup.summary()
    assert s["kind"] == "desktop-wallet" and s["network"] == "mainnet"
    assert s["counts"] == dict.fromkeys(kinds.lists_of(kinds.DESKTOP)) | {  # None: a list the file lacks
        "accounts": 6,
        "identities": 2,
        "addressBook": 7,
        "credentials": 6,
        "externalCredentials": 1,
        "wallets": 1,
    }
    assert s["encryption"]["iterations"] == 1000
    assert summary_frame(backup).loc["accounts", "value"] == 6


@pytest.mark.parametrize(
    ("doc", "why"),
    [
        ({"accounts": [], "identities": []}, "addressBook"),
        ({"accounts": {}, "identities": [], "addressBook": []}, "accounts is not a list"),
        ({"accounts": [1], "identities": [], "addressBook": []}, r"accounts\[0\]"),
        ({"type": "something-else"}, "something-else"),
        ({"type": "concordium-mobile-wallet-data", "v": 1}, "value"),
    ],
)
def test_unexpected_content_says_why(doc, why):
    with pytest.raises(errors.UnexpectedContentError, match=why):
        open_backup(make_file(json.dumps(doc).encode(), PW), PW)


def test_open_accepts_path_bytes_and_file_object(tmp_path):
    data = make_file(dumps_js(synthetic.desktop_document()), PW)
    path = tmp_path / "wallet-export.json"
    path.write_bytes(data)
    assert open_backup(path, PW).source == str(path)
    assert open_backup(str(path), PW).counts() == open_backup(data, PW).counts()
    with open(path, "rb") as fh:
        assert open_backup(fh, PW).kind == "desktop-wallet"
    assert open_backup(memoryview(data), PW).kind == "desktop-wallet"


def test_to_plaintext_keeps_original_spelling(vectors_dir):
    raw = (vectors_dir / "legacy-reference.plaintext.json").read_bytes()
    backup = _open("legacy-reference.concordiumwallet", vectors_dir)
    assert backup.to_plaintext() == raw
    backup.document["value"]["recipients"][0]["name"] = "Changed <name>"
    out = backup.to_plaintext()
    assert out != raw and b"Changed \\u003cname\\u003e" in out
