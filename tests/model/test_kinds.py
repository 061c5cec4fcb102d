"""One table of record kinds: a kind added there (and nowhere else) is seen by every part of the toolkit."""

from __future__ import annotations

import base64
import copy
import json

import pytest

from tests.conftest import make_file
from toolkit.format.jsonio import dumps_js
from toolkit.model import kinds
from toolkit.model.backup import Backup
from toolkit.model.kinds import DESKTOP, LEGACY, RecordKind
from toolkit.model.records import KNOWN_FIELDS, SECRET_FIELDS, record_key
from toolkit.model.shapes import Shape
from toolkit.model.tables import LEADING_COLUMNS
from toolkit.ops.audit import audit
from toolkit.ops.diff import diff_backups
from toolkit.ops.merge import preview_import
from toolkit.ops.salvage import salvage
from toolkit.ops.subset import subset_backup
from toolkit.ops.walletdb import COLUMNS, TABLES
from toolkit.testing import synthetic

PW = "kinds-password"

#: A kind no wallet writes: a note per account, in the Desktop Wallet's file after genesis.
NOTES = RecordKind(
    "stakeNotes",
    DESKTOP,
    "Stake note",
    "noteId",
    Shape(
        "stakeNotes",
        required={"noteId": (str,), "accountAddress": (str,)},
        optional={"amount": (int, None), "memo": (str, None)},
    ),
    columns=("noteId", "accountAddress", "amount"),
    leading=("noteId", "amount"),
    dtypes={"amount": "Int64"},
    secrets=frozenset({"memo"}),
    refs={"accountAddress": ("accounts", "address")},
)


@pytest.fixture()
def notes_kind(monkeypatch):
    monkeypatch.setattr(kinds, "KINDS", (*kinds.KINDS, NOTES))  # the one place a kind is added
    return NOTES


def with_notes(seed: int = 3) -> dict:
    doc = synthetic.desktop_document(seed=seed, identities=2, accounts_per_identity=2, contacts=1)
    doc["stakeNotes"] = [
        {"noteId": f"n{i}", "accountAddress": acc["address"], "amount": 10 * i, "memo": f"secret {i}"}
        for i, acc in enumerate(doc["accounts"])
    ]
    return doc


def test_a_kind_added_to_the_table_is_seen_everywhere(notes_kind, tmp_path):
    doc = with_notes()
    backup = Backup(copy.deepcopy(doc))
    first = doc["accounts"][0]["address"]

    # the shape check and tables: its own frame, leading columns, dtypes and secrets
    assert "stakeNotes" in backup.lists() and backup.counts()["stakeNotes"] == 4
    frame = backup.tables()["stakeNotes"]
    assert list(frame.columns[:2]) == ["noteId", "amount"] and str(frame["amount"].dtype) == "Int64"
    assert set(frame["memo"]) == {"‹redacted›"}
    bad = copy.deepcopy(doc)
    bad["stakeNotes"][0]["amount"] = "ten"
    with pytest.raises(Exception, match=r"stakeNotes\[0\] has amount as string"):
        Backup(bad).check_shape()

    # diff: matched on its key, its secret never shown
    new = copy.deepcopy(doc)
    new["stakeNotes"][1]["amount"] = 99
    new["stakeNotes"][2]["memo"] = "changed"
    result = diff_backups(Backup(copy.deepcopy(doc)), Backup(new))
    assert result.summary.loc["stakeNotes", "changed"] == 2
    rows = result.changes[result.changes["table"] == "stakeNotes"]
    assert set(rows["key"]) == {"n1", "n2"} and "changed" not in set(rows["new"].astype(str))
    assert record_key("stakeNotes", doc["stakeNotes"][3], backup) == "n3"

    # merge: the wallet's import does not read the list; the preview says so per record
    preview = preview_import(Backup(copy.deepcopy(doc)), Backup(copy.deepcopy(new)))
    notes = preview.messages[preview.messages["table"] == "stakeNotes"]
    assert preview.ok and len(notes) == 4 and set(notes["result"]) == {"skipped"}

    # subset: the notes of the kept accounts only (its reference to accounts)
    kept = subset_backup(Backup(copy.deepcopy(doc)), accounts=[first])
    assert [n["accountAddress"] for n in kept.document["stakeNotes"]] == [first]
    # leaving an account out leaves its notes out
    data = Backup(copy.deepcopy(doc)).encrypt(PW, leave_out=[f"accounts:{first}"])
    from toolkit.model.backup import open_backup

    assert first not in {n["accountAddress"] for n in open_backup(data, PW).document["stakeNotes"]}

    # audit labels: a finding names the record by the kind's label
    odd = copy.deepcopy(doc)
    del odd["stakeNotes"][0]["accountAddress"]
    findings = audit(Backup(odd))
    mine = findings[findings["table"] == "stakeNotes"]
    assert list(mine["rule"]) == ["invalid-record"]
    assert mine["message"].iloc[0].startswith("Stake note #1 lacks the field accountAddress")
    assert mine["key"].iloc[0] == "n0"
    assert "unknown-top-level" not in set(findings["rule"])

    # salvage: its records are found by their shape, also in a damaged file
    plaintext = dumps_js(doc)
    intact = salvage(make_file(plaintext, PW), PW)
    assert intact.intact and intact.recovered["stakeNotes"] == 4
    outer = json.loads(make_file(plaintext, PW))
    raw = bytearray(base64.b64decode(outer["cipherText"]))
    raw[64] ^= 0x55  # damage the start (the accounts); the notes at the end stay readable
    outer["cipherText"] = base64.b64encode(bytes(raw)).decode()
    damaged = salvage(json.dumps(outer).encode(), PW)
    assert not damaged.intact and damaged.backup.document["stakeNotes"] == doc["stakeNotes"]
    assert damaged.recovered["stakeNotes"] == 4


def test_the_derived_names_agree_with_the_table(vectors_dir):
    """The table against the wallets' own files (the conformance vectors), not against a second list of names:
    every list a reference file holds is a kind of its wallet, in the file's order."""
    plain = json.loads((vectors_dir / "desktop-reference.plaintext.json").read_bytes())
    desktop = [k.name for k in kinds.kinds_of(DESKTOP)]
    assert [n for n in desktop if n in plain] == list(plain)
    assert [n for n in kinds.lists_of(DESKTOP) if n in plain] == [n for n, v in plain.items() if isinstance(v, list)]
    legacy = json.loads((vectors_dir / "legacy-reference.plaintext.json").read_bytes())["value"]
    top = [n for n, v in legacy.items() if isinstance(v, list)]
    nested = [n for n, v in legacy["identities"][0].items() if isinstance(v, list) and v and isinstance(v[0], dict)]
    assert nested and set(nested) <= set(kinds.lists_of(LEGACY))
    assert [n for n in kinds.lists_of(LEGACY) if n in top] == top
    assert {
        "randomness",
        "accountKeys",
        "encryptionSecretKey",
        "privateIdObjectData",
        "commitmentsRandomness",
    } <= SECRET_FIELDS  # a new kind may add its own
    assert set(LEADING_COLUMNS) >= (set(plain) - {"externalCredentials"}) | set(top) | set(nested)
    # each Desktop kind's columns are its table's in the wallet's schema (walletdb cites the migrations)
    for kind in kinds.kinds_of(DESKTOP):
        if kind.name in TABLES:
            assert TABLES[kind.name] == kind.db_table
            assert COLUMNS[kind.name] == kind.columns == KNOWN_FIELDS[kind.name], kind.name
            assert set(kind.columns) <= kind.shape.known | {"rewardFilter"}


def test_a_database_only_kind_is_listed_but_looked_for_in_no_file(monkeypatch):
    proposals = RecordKind(
        "multiSignatureProposals",
        DESKTOP,
        "Multi-signature proposal",
        "id",
        Shape("multiSignatureProposals", required={"id": (int,)}, optional={}),
        db_table="multi_signature_transaction",
        in_file=False,
    )
    monkeypatch.setattr(kinds, "KINDS", (*kinds.KINDS, proposals))
    assert proposals in kinds.kinds_of(DESKTOP, in_file=False) and proposals in kinds.kinds_of(DESKTOP, in_file=None)
    assert "multiSignatureProposals" not in kinds.lists_of(DESKTOP)
    backup = Backup(synthetic.desktop_document(seed=1))
    assert "multiSignatureProposals" not in backup.tables() and "multiSignatureProposals" not in backup.counts()
