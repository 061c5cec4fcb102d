"""Import preview into the wallet whose database is file A: the import meets the database's own rows, not only
what its export holds.  The databases are the wallet's fixture changed with a second SQLCipher (sqlcipher3)
the way the wallet changes it; the truth is what SQLCipher itself does with the same insert."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import toolkit
from toolkit.format import jsonio
from toolkit.ops.merge import preview_import

from ..conftest import ROOT

sqlcipher3 = pytest.importorskip("sqlcipher3")

FIXTURES = ROOT / "tests" / "walletdb"
PASSWORD = "Wallet-DB-2026"
#: The owner's last backup, made before the changes below: the wallet's own export of the fixture.
LAST_BACKUP = FIXTURES / "wallet.export.json"
GONE = 4  # identity "Drift – Ida" (wallet 2): the one the changes remove


def changed_copy(tmp_path: Path, *statements: str, foreign_keys: bool = True) -> Path:
    path = tmp_path / "concordium-desktop-wallet-database.sqlite3"
    shutil.copyfile(FIXTURES / "wallet.sqlite3", path)
    con = sqlcipher3.connect(str(path))
    try:
        con.execute(f"PRAGMA key = '{PASSWORD}'")
        con.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        for sql in statements:
            con.execute(sql)
        con.commit()
    finally:
        con.close()
    return path


def next_identity_id(path: Path, identity: dict) -> int:
    """The id SQLCipher gives this identity inserted into the database at ``path`` (as insertIdentity does)."""
    con = sqlcipher3.connect(str(path))
    try:
        con.execute(f"PRAGMA key = '{PASSWORD}'")
        fields = {k: v for k, v in identity.items() if k != "id"}
        cur = con.execute(
            f"INSERT INTO identities ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})",
            list(fields.values()),
        )
        new_id = cur.lastrowid
        con.rollback()
        return new_id
    finally:
        con.close()


def last_backup() -> toolkit.Backup:
    return toolkit.Backup(jsonio.loads(LAST_BACKUP.read_bytes()))


def test_a_deleted_identitys_id_is_not_given_again(tmp_path: Path) -> None:
    """The owner deleted a rejected identity (DeleteIdentity → removeIdentityAndInitialAccount: its initial account,
    then the identity); importing the last backup brings it back under the id the database's counter gives."""
    path = changed_copy(
        tmp_path,
        f"DELETE FROM credentials WHERE identityId = {GONE}",  # a rejected identity has only its initial account
        f"DELETE FROM accounts WHERE identityId = {GONE} AND isInitial = 0",
        f"UPDATE identities SET status = 'rejected' WHERE id = {GONE}",
        f"DELETE FROM accounts WHERE identityId = {GONE} AND isInitial = 1",  # identityDao.ts:150-160
        f"DELETE FROM identities WHERE id = {GONE}",
    )
    wallet = toolkit.open_backup(path, PASSWORD)
    imported = last_backup()
    gone = next(i for i in imported.document["identities"] if i["id"] == GONE)
    truth = next_identity_id(path, gone)
    assert truth == GONE + 1  # AUTOINCREMENT: the deleted 4 is not used again

    preview = preview_import(wallet, imported)
    assert preview.ok and preview.from_database_rows
    row = preview.messages[(preview.messages["table"] == "identities") & (preview.messages["result"] == "added")]
    assert list(row["name"]) == [gone["name"]] and list(row["detail"]) == [f"id {GONE} becomes {truth}"]
    added = next(i for i in preview.document["identities"] if i["name"] == gone["name"])
    assert added["id"] == truth
    owned = {a["address"] for a in preview.document["accounts"] if a["identityId"] == truth}
    assert owned == {a["address"] for a in imported.document["accounts"] if a["identityId"] == GONE}

    from_export = preview_import(toolkit.Backup(dict(wallet.document)), imported)  # the export alone cannot know
    assert not from_export.from_database_rows
    assert next(i for i in from_export.document["identities"] if i["name"] == gone["name"])["id"] == GONE


def test_accounts_the_export_drops_still_hold_their_addresses(tmp_path: Path) -> None:
    """An identity row gone but its accounts left (foreign keys off, or a salvaged database): the Export's inner
    join drops those accounts, the table keeps them — and the wallet's insert of the same address fails."""
    path = changed_copy(tmp_path, f"DELETE FROM identities WHERE id = {GONE}", foreign_keys=False)
    wallet = toolkit.open_backup(path, PASSWORD)
    assert len(wallet.records("accounts")) == 9  # 3 of 12 dropped by the export's join
    preview = preview_import(wallet, last_backup())
    assert preview.from_database_rows and not preview.ok
    assert preview.stops_at["table"] == "accounts" and "UNIQUE constraint failed: accounts.address" in str(
        preview.stops_at["reason"]
    )
    assert preview.outcome == "The imported data is not compatible with existing data."
    assert preview_import(toolkit.Backup(dict(wallet.document)), last_backup()).ok  # what the export alone says


def test_an_edited_document_is_previewed_as_edited(tmp_path: Path) -> None:
    wallet = toolkit.open_backup(FIXTURES / "wallet.sqlite3", PASSWORD)
    assert preview_import(wallet, last_backup()).from_database_rows
    wallet.document["accounts"] = wallet.document["accounts"][1:]  # no longer what the rows say
    preview = preview_import(wallet, last_backup())
    assert not preview.from_database_rows
    assert (preview.messages["result"] == "added").sum() == 1  # the account left out comes back


def test_a_salvaged_database_is_previewed_from_its_recovered_rows() -> None:
    from toolkit.ops.salvage_db import salvage_database

    salvaged = salvage_database(FIXTURES / "wallet.sqlite3", PASSWORD).backup
    preview = preview_import(salvaged, last_backup())
    assert preview.ok and preview.from_database_rows
    assert set(preview.messages["result"]) <= {"exists", "skipped"}


def test_merge_cli_says_it_started_from_the_databases_rows(tmp_path: Path, capsys) -> None:
    from toolkit.cli import main
    from toolkit.format.container import encrypt

    backup = tmp_path / "wallet-export.json"
    backup.write_bytes(encrypt(LAST_BACKUP.read_bytes(), "Last-Backup-1", iterations=1000))
    (tmp_path / "a.pw").write_text(PASSWORD + "\n")
    (tmp_path / "b.pw").write_text("Last-Backup-1\n")
    args = [
        "merge", str(FIXTURES / "wallet.sqlite3"), str(backup), "--dry-run",
        "--a-password-file", str(tmp_path / "a.pw"), "--b-password-file", str(tmp_path / "b.pw"),
    ]  # fmt: skip
    assert main(args) == 0
    assert "the import met its own rows and id counters" in capsys.readouterr().out
    assert main([*args, "--json"]) == 0
    assert jsonio.loads(capsys.readouterr().out)["from_database_rows"] is True
