"""The Desktop Wallet's own database: fixtures made by the wallet's own code (tests/walletdb/, made by
scripts/walletdb-fixtures/make.mjs on @journeyapps/sqlcipher 5.2.0), read by the toolkit and compared
with what the wallet's Export code wrote from the same database, and with a second SQLCipher."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

import toolkit
from tests.conftest import ROOT, walletdb_damage
from toolkit import errors
from toolkit.format import jsonio
from toolkit.format import sqlcipher as sc
from toolkit.model import kinds
from toolkit.model.database import KIND

FIXTURES = ROOT / "tests" / "walletdb"
#: fixture → the password that opens it (seed.json; "rekeyed" opens only with the prefix the bug left)
PASSWORDS = {"wallet": "Wallet-DB-2026", "history": "Wallet-DB-2026", "rekeyed": "new"}


@pytest.fixture(scope="module")
def opened() -> dict[str, toolkit.Backup]:
    return {name: toolkit.open_backup(FIXTURES / f"{name}.sqlite3", pw) for name, pw in PASSWORDS.items()}


@pytest.mark.parametrize("name", sorted(PASSWORDS))
def test_reexport_plaintext_is_the_wallets_own_export(opened, name):
    backup = opened[name]
    assert backup.kind == KIND and "database" in backup.kind
    expected = (FIXTURES / f"{name}.export.json").read_bytes()
    assert jsonio.loads(backup.to_plaintext()) == jsonio.loads(expected)  # record for record
    assert backup.to_plaintext() == expected  # and byte for byte: key order, booleans, numbers


def test_genesis_or_no_genesis_key_as_the_export_writes(opened):
    assert opened["wallet"].document["genesis"]["genesisBlock"]
    assert "genesis" not in opened["history"].document  # never connected to a node: no key at all
    assert opened["wallet"].network == "mainnet"


def test_types_are_the_exports_not_the_columns(opened):
    doc = opened["wallet"].document
    assert all(type(a["allDecrypted"]) is bool and type(a["isInitial"]) is bool for a in doc["accounts"])
    assert all(isinstance(a["transactionFilter"], dict) for a in doc["accounts"])
    assert all(type(e["readOnly"]) is bool for e in doc["addressBook"])
    assert not any("identityName" in a or "identityNumber" in a for a in doc["accounts"])
    names = [e["name"] for e in doc["addressBook"]]
    assert names == sorted(names, key=str.casefold)  # COLLATE NOCASE (ASCII names here)


def test_reexport_writes_an_importable_desktop_backup(opened, tmp_path):
    from toolkit.ops.export import reexport

    out = tmp_path / "wallet-export.json"
    result = reexport(opened["wallet"], out, "New-Export-Pass-1", to="desktop", iterations=1000)
    assert result.kind == "desktop-wallet"
    again = toolkit.open_backup(out, "New-Export-Pass-1")
    assert again.kind == "desktop-wallet"
    assert again.to_plaintext() == (FIXTURES / "wallet.export.json").read_bytes()


def test_diff_database_against_a_backup(opened, tmp_path):
    backup = toolkit.Backup(jsonio.loads((FIXTURES / "wallet.export.json").read_bytes()))
    same = toolkit.diff_backups(opened["wallet"], backup)
    assert same.changes.empty
    older = toolkit.Backup(jsonio.loads((FIXTURES / "wallet.export.json").read_bytes()))
    dropped = older.document["accounts"].pop()
    lacks = toolkit.diff_backups(older, opened["wallet"])
    added = lacks.changes[(lacks.changes["table"] == "accounts") & (lacks.changes["change"] == "added")]
    assert list(added["key"]) == [dropped["address"]]


def test_history_tables_with_secrets_redacted(opened):
    tables = opened["history"].tables()
    for name in ("transactions", "multiSignatureProposals", "decryptedAmounts", "settings", "preferences"):
        assert name in tables
    assert len(tables["transactions"]) == 6 and len(tables["multiSignatureProposals"]) == 2
    assert set(tables["decryptedAmounts"]["amount"]) == {"‹redacted›"}
    redacted = ["‹redacted›", None, None, "‹redacted›", None, None]  # None stays None: "has none" is no secret
    assert [v if isinstance(v, str) else None for v in tables["transactions"]["decryptedAmount"]] == redacted
    assert any("never connected to a node" in n for n in opened["history"].notices())
    shown = opened["history"].tables(reveal_secrets=True)
    assert set(shown["decryptedAmounts"]["amount"]) == {"0", "1500"}
    settings = shown["settings"].set_index("name")
    assert settings.loc["foundationTransactionsEnabled", "value"] == "1"
    assert opened["history"].summary()["history"]["transactions"] == 6
    assert opened["history"].summary()["migrations"] == 29


def _sqlcipher3_rows(path: Path, password: str) -> dict[str, list[tuple]]:
    sqlcipher3 = pytest.importorskip("sqlcipher3")
    con = sqlcipher3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        con.execute(f"PRAGMA key = '{password}'")
        names = [r[0] for r in con.execute("select name from sqlite_master where type = 'table' order by name")]
        return {
            n: con.execute(f'select * from "{n}" order by rowid').fetchall() for n in names if n != "sqlite_sequence"
        }
    finally:
        con.close()


@pytest.mark.parametrize("name", sorted(PASSWORDS))
def test_same_rows_as_sqlcipher_itself(name):
    path = FIXTURES / f"{name}.sqlite3"
    expected = _sqlcipher3_rows(path, PASSWORDS[name])
    decrypted = sc.decrypt_database(path.read_bytes(), PASSWORDS[name])
    assert decrypted.intact and decrypted.pages == path.stat().st_size // sc.PAGE_SIZE
    con = sc.connect_image(decrypted.image)
    try:
        mine = {n: con.execute(f'select * from "{n}" order by rowid').fetchall() for n in expected}
    finally:
        con.close()
    assert mine == expected
    assert len(expected) >= 15 and any(expected.values())


def test_wrong_password_mentions_the_password_change_bug():
    with pytest.raises(errors.WrongPasswordError) as info:
        toolkit.open_backup(FIXTURES / "wallet.sqlite3", "Wallet-DB-2027")
    assert info.value.code == "wrong-password"
    assert "'.'" in info.value.message and "' as '" in info.value.message
    assert "Wallet-DB" not in info.value.message


def test_rekeyed_database_opens_only_with_the_prefix():
    path = FIXTURES / "rekeyed.sqlite3"
    for password in ("old-Password-1", "new.Password-2"):
        with pytest.raises(errors.WrongPasswordError):
            toolkit.open_backup(path, password)
    page1 = path.read_bytes()[: sc.PAGE_SIZE]
    assert sc.password_opens(page1, "new") and not sc.password_opens(page1, "new.Password-2")


def test_a_damaged_page_is_named(tmp_path):
    data = (FIXTURES / "history.sqlite3").read_bytes()
    bad = tmp_path / "db.sqlite3"
    bad.write_bytes(walletdb_damage().flip(data, 7))
    decrypted = sc.decrypt_database(bad.read_bytes(), PASSWORDS["history"])
    assert decrypted.bad_pages == (7,)
    with pytest.raises(errors.DamagedError) as info:
        toolkit.open_backup(bad, PASSWORDS["history"])
    assert info.value.code == "damaged" and "page 7 of 41" in info.value.message


def test_a_cut_short_database_is_damaged_not_foreign(tmp_path):
    data = (FIXTURES / "history.sqlite3").read_bytes()
    cut = tmp_path / "db.sqlite3"
    cut.write_bytes(walletdb_damage().truncate(data))
    with pytest.raises(errors.DamagedError) as info:
        toolkit.open_backup(cut, PASSWORDS["history"])
    assert "cut short" in info.value.message
    whole_pages = tmp_path / "db2.sqlite3"
    whole_pages.write_bytes(data[: 20 * sc.PAGE_SIZE])
    with pytest.raises(errors.DamagedError, match="21 pages missing"):
        toolkit.open_backup(whole_pages, PASSWORDS["history"])


def test_what_is_not_a_wallet_database(tmp_path):
    odd = tmp_path / "odd.bin"
    odd.write_bytes(bytes(range(256)) * 20)  # 5120 bytes: not whole pages, no SQLCipher page 1
    with pytest.raises(errors.NotDatabaseError) as info:
        toolkit.open_backup(odd, "whatever-pass")
    assert info.value.code == "not-wallet-database"
    plain = tmp_path / "plain.sqlite3"
    con = sqlite3.connect(plain)
    con.execute("create table t (x)")
    con.commit()
    con.close()
    with pytest.raises(errors.NotDatabaseError, match="unencrypted"):
        sc.decrypt_database(plain.read_bytes(), "whatever-pass")


def test_nothing_is_written_beside_the_database(tmp_path):
    path = tmp_path / "concordium-desktop-wallet-database.sqlite3"
    path.write_bytes((FIXTURES / "wallet.sqlite3").read_bytes())
    os.chmod(path, 0o444)
    before = (sorted(os.listdir(tmp_path)), path.stat().st_mtime_ns)
    toolkit.open_backup(path, PASSWORDS["wallet"]).tables()
    assert (sorted(os.listdir(tmp_path)), path.stat().st_mtime_ns) == before


def test_the_fixtures_provenance():
    provenance = json.loads((FIXTURES / "provenance.json").read_text())
    assert provenance["sqlcipher"] == "5.2.0" and provenance["knex"] == "0.95.5"
    assert {f["cipher_version"]["cipher_version"] for k, f in provenance["fixtures"].items() if "." not in k} == {
        "4.4.2 community"
    }
    from toolkit.model.database import EXPORT_SQL

    for name, sql in provenance["sql"].items():
        assert EXPORT_SQL[name] == sql  # the reader runs the SQL knex generated for the wallet's DAO calls


def test_find_wallet_db_per_os(tmp_path):
    from toolkit.ops.find_db import candidate_paths, find_wallet_databases

    linux = tmp_path / ".config" / "Concordium Wallet testnet"
    linux.mkdir(parents=True)
    (linux / "concordium-desktop-wallet-database.sqlite3").write_bytes(b"x" * 8192)
    found = find_wallet_databases("linux", {}, str(tmp_path))
    assert [(Path(f.path).parent.name, f.network, f.size) for f in found] == [
        ("Concordium Wallet testnet", "testnet", 8192)
    ]
    mac = {str(p) for p, _ in candidate_paths("darwin", {}, "/Users/u")}
    assert "/Users/u/Library/Application Support/Concordium Wallet/concordium-desktop-wallet-database.sqlite3" in mac
    win = candidate_paths("win32", {"APPDATA": "C:/Users/u/AppData/Roaming"}, "C:/Users/u")
    assert (
        str(win[0][0])
        .replace("\\", "/")
        .endswith("Roaming/Concordium Wallet/concordium-desktop-wallet-database.sqlite3")
    )


def test_find_wallet_db_command(tmp_path, capsys):
    from toolkit.cli import main

    folder = tmp_path / "Library" / "Application Support" / "Concordium Wallet"
    folder.mkdir(parents=True)
    (folder / "concordium-desktop-wallet-database.sqlite3").write_bytes((FIXTURES / "wallet.sqlite3").read_bytes())
    assert main(["find-wallet-db", "--home", str(tmp_path), "--os", "macos", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(d["network"], d["size"]) for d in out["databases"]] == [("mainnet", 167936)]


def test_inspect_json_counts_the_history(capsys, monkeypatch):
    from toolkit.cli import main

    monkeypatch.setenv("CONCORDIUM_BACKUP_PASSWORD", PASSWORDS["history"])
    assert main(["inspect", str(FIXTURES / "history.sqlite3"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == KIND and out["history"]["transactions"] == 6 and out["counts"]["accounts"] == 6


def test_salvage_of_an_intact_database_is_the_export():
    from toolkit.ops.salvage_db import salvage_database

    result = salvage_database(FIXTURES / "history.sqlite3", PASSWORDS["history"])
    assert result.intact and result.recovered["transactions"] == 6
    assert result.backup.to_plaintext() == (FIXTURES / "history.export.json").read_bytes()


@pytest.mark.parametrize("page", [12, 36, 40])  # addressBook's leaf; one of two identities leaves; accounts' leaf
def test_salvage_loses_only_the_damaged_pages_rows(page):
    from toolkit.ops.salvage_db import salvage_database

    data = walletdb_damage().flip((FIXTURES / "wallet.sqlite3").read_bytes(), page)
    result = salvage_database(data, PASSWORDS["wallet"])
    assert result.bad_pages == (page,) and not result.intact
    [(table, ranges)] = [(t, r) for t, r in result.lost.items() if r]
    assert [r.page for r in ranges] == [page]
    expected = jsonio.loads((FIXTURES / "wallet.export.json").read_bytes())
    got = result.backup.document
    # every record the wallet's export holds is recovered, but those that lived on the damaged page
    # (and, as in the wallet's own Export, accounts and credentials whose identity row was there)
    for name in kinds.lists_of(kinds.DESKTOP):
        assert all(r in expected[name] for r in got.get(name, [])), name
    lost = {n: len(expected[n]) - len(got[n]) for n in expected if isinstance(expected[n], list)}
    if table == "addressBook":
        assert lost == {**dict.fromkeys(lost, 0), "addressBook": 17}
    elif table == "accounts":
        assert lost == {**dict.fromkeys(lost, 0), "accounts": 12}
    else:  # page 36 is the leaf of identities 1-2 (page 37 holds 3-4)
        assert ranges[0].upto == 2 and lost["identities"] == 2
        assert lost["accounts"] == 6 and result.backup.database.salvage_notices


def test_salvage_command_writes_an_importable_backup(tmp_path, capsys, monkeypatch):
    from toolkit.cli import main

    bad = tmp_path / "concordium-desktop-wallet-database.sqlite3"
    bad.write_bytes(walletdb_damage().flip((FIXTURES / "wallet.sqlite3").read_bytes(), 12))
    out = tmp_path / "rescued.json"
    monkeypatch.setenv("CONCORDIUM_BACKUP_PASSWORD", PASSWORDS["wallet"])
    monkeypatch.setenv("CONCORDIUM_BACKUP_NEW_PASSWORD", "Rescue-Pass-1")
    assert main(["salvage", str(bad), str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["badPages"] == [12] and report["lost"] == {
        "addressBook": [{"page": 12, "rowidAfter": None, "rowidUpTo": None}]
    }
    rescued = toolkit.open_backup(out, "Rescue-Pass-1")
    assert rescued.kind == "desktop-wallet" and len(rescued.document["accounts"]) == 12
    assert rescued.document["addressBook"] == []


def test_a_newer_wallets_tables_and_columns_are_read_and_listed(tmp_path):
    sqlcipher3 = pytest.importorskip("sqlcipher3")
    path = tmp_path / "newer.sqlite3"
    path.write_bytes((FIXTURES / "history.sqlite3").read_bytes())
    con = sqlcipher3.connect(str(path))
    con.execute(f"PRAGMA key = '{PASSWORDS['history']}'")
    con.execute("alter table accounts add column nickname varchar(255) default 'n'")
    con.execute("create table plt_tokens (id integer primary key, symbol text)")
    con.commit()
    con.close()
    backup = toolkit.open_backup(path, PASSWORDS["history"])
    assert backup.database.unknown_tables == ["plt_tokens"] and backup.database.unknown_columns == ["accounts.nickname"]
    assert all(a["nickname"] == "n" for a in backup.document["accounts"])  # accounts.* carries it, as the wallet would
    notices = " ".join(backup.notices())
    assert "plt_tokens" in notices and "accounts.nickname" in notices
    assert backup.summary()["unknownColumns"] == ["accounts.nickname"]


def test_a_crafted_view_cannot_loop_for_ever(tmp_path):
    sqlcipher3 = pytest.importorskip("sqlcipher3")
    path = tmp_path / "crafted.sqlite3"
    path.write_bytes((FIXTURES / "history.sqlite3").read_bytes())
    con = sqlcipher3.connect(str(path))
    con.execute(f"PRAGMA key = '{PASSWORDS['history']}'")
    con.execute("drop table external_credentials")
    con.execute(
        "create view external_credentials as with recursive c(x) as (select 1 union all select x + 1 from c) "
        "select x as credId from c"
    )
    con.commit()
    con.close()
    # a view named like a table is not read as one (the export then has no external credentials) ...
    assert toolkit.open_backup(path, PASSWORDS["history"]).document["externalCredentials"] == []
    # ... and a query that would never end is cut off by the work cap
    image = sc.decrypt_database(path.read_bytes(), PASSWORDS["history"]).image
    reader = sc.connect_image(image)
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        reader.execute("select count(*) from main.external_credentials").fetchall()
    reader.close()


@pytest.mark.parametrize(
    ("new", "key"),
    [  # what knex 0.95.5 + @journeyapps/sqlcipher 5.2.0 did to each (run on the real binding)
        ("new.Password-2", "new"),
        ("X AS y.z", "X"),
        ("a.b as c", "a"),
        ("pass as x", "pass"),
        ("p.q", "p"),
        ("pass as", None),
        ("no-dot-or-as", None),
    ],
)
def test_the_key_the_password_change_bug_sets(new, key):
    assert sc.rekeyed_password(new) == key


def test_the_rekeyed_fixture_opens_with_the_predicted_key():
    assert toolkit.open_backup(FIXTURES / "rekeyed.sqlite3", sc.rekeyed_password("new.Password-2")).kind == KIND


def test_a_database_the_wallet_is_writing_is_refused(tmp_path):
    db = tmp_path / "concordium-desktop-wallet-database.sqlite3"
    db.write_bytes((FIXTURES / "wallet.sqlite3").read_bytes())
    journal = tmp_path / (db.name + "-journal")
    journal.write_bytes(b"\0" * 512)
    with pytest.raises(errors.DatabaseInUseError) as info:
        toolkit.open_backup(db, PASSWORDS["wallet"])
    assert info.value.code == "database-in-use" and "Close the Desktop Wallet" in info.value.message
    journal.write_bytes(b"")  # an empty journal is what SQLite leaves in some modes: no write under way
    assert toolkit.open_backup(db, PASSWORDS["wallet"]).kind == KIND


def test_audit_runs_the_desktop_rules_on_a_database(opened):
    from_db = toolkit.audit_backup(opened["wallet"])
    from_export = toolkit.audit_backup(toolkit.Backup(jsonio.loads((FIXTURES / "wallet.export.json").read_bytes())))
    assert len(from_db) > 0  # the sample holds pending accounts and identities: findings
    assert sorted(from_db["rule"]) == sorted(from_export["rule"])
