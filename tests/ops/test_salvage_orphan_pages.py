"""Salvage of a wallet database whose table lost an interior b-tree page: the intact leaf pages it no longer
reaches are found and their rows recovered — never a freed page's deleted rows.  The database is the wallet's
fixture with 400 more transactions written (and 100 deleted) by a second SQLCipher (sqlcipher3), freed pages
left unzeroed (``secure_delete`` off); the truth is what SQLCipher reads from the undamaged file."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import walletdb_damage
from toolkit.format import sqlcipher as sc
from toolkit.ops.salvage_db import salvage_database

from ..conftest import ROOT

sqlcipher3 = pytest.importorskip("sqlcipher3")

FIXTURES = ROOT / "tests" / "walletdb"
PASSWORD = "Wallet-DB-2026"


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, list[tuple], int]:
    """(the database's bytes, its transactions as SQLCipher reads them, the transactions table's root page)."""
    path = tmp_path_factory.mktemp("grown") / "concordium-desktop-wallet-database.sqlite3"
    shutil.copyfile(FIXTURES / "history.sqlite3", path)
    con = sqlcipher3.connect(str(path))
    try:
        con.execute(f"PRAGMA key = '{PASSWORD}'")
        con.execute("PRAGMA secure_delete = OFF")  # freed pages keep their old rows: they must not come back
        columns = [r[1] for r in con.execute("PRAGMA table_info(transactions)")]
        first = dict(zip(columns, con.execute("SELECT * FROM transactions LIMIT 1").fetchone(), strict=True))
        sql = f"INSERT INTO transactions ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        for i in range(400):
            row = dict(first, id=str(2000 + i), transactionHash=f"{i:064x}", memo=f"invoice {i}")
            con.execute(sql, list(row.values()))
        long_memo = "a memo longer than a page " * 600  # its row continues on overflow pages
        con.execute(sql, list(dict(first, id="2400", transactionHash="f" * 64, memo=long_memo).values()))
        con.commit()
        con.execute("DELETE FROM transactions WHERE CAST(id AS integer) BETWEEN 2100 AND 2199")
        con.commit()
        assert con.execute("PRAGMA freelist_count").fetchone()[0] > 0
        truth = con.execute("SELECT rowid, * FROM transactions ORDER BY rowid").fetchall()
        root = con.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'transactions'").fetchone()[0]
    finally:
        con.close()
    data = path.read_bytes()
    image = sc.decrypt_database(data, PASSWORD).image
    assert image[(root - 1) * sc.PAGE_SIZE] == 0x05  # an interior page: its leaves are other pages
    return data, truth, root


def test_a_lost_interior_page_costs_no_row(grown) -> None:
    data, truth, root = grown
    result = salvage_database(walletdb_damage().flip(data, root), PASSWORD)
    assert result.bad_pages == (root,) and not result.intact
    assert [r.page for r in result.lost["transactions"]] == [root]
    assert result.recovered["transactions"] == len(truth) == 307
    rows = result.backup.database.history["transactions"]
    assert [tuple(r.values()) for r in rows] == [t[1:] for t in truth]  # every row, as SQLCipher reads it
    assert len(result.adopted["transactions"]) > 1 and root not in result.adopted["transactions"]
    assert any(len(r["memo"] or "") > 10_000 for r in rows)  # the row on overflow pages, whole
    assert any("no longer reaches were found and recovered" in n for n in result.backup.notices())
    assert result.to_dict()["adopted"] == {"transactions": result.adopted["transactions"]}


def test_freed_pages_are_never_read_as_rows(grown) -> None:
    data, truth, root = grown
    image = sc.decrypt_database(data, PASSWORD).image
    from toolkit.format.sqlite_pages import PageReader

    free = PageReader(image, sc.PAGE_SIZE, sc.PAGE_SIZE - sc.RESERVED, set()).freelist()
    stale = [n for n in free if image[(n - 1) * sc.PAGE_SIZE] == 0x0D]
    assert stale  # deleted rows still lie on freed pages (secure_delete off) ...
    result = salvage_database(walletdb_damage().flip(data, root), PASSWORD)
    assert not set(result.adopted["transactions"]) & free  # ... and none of them comes back
    memos = {r["memo"] for r in result.backup.database.history["transactions"]}
    assert not any(f"invoice {i}" in memos for i in range(100, 200))


def test_without_a_readable_freelist_unreached_pages_are_not_searched(grown) -> None:
    data, truth, root = grown
    trunk = int.from_bytes(sc.decrypt_database(data, PASSWORD).image[32:36], "big")
    damaged = walletdb_damage().flip(walletdb_damage().flip(data, root), trunk)
    result = salvage_database(damaged, PASSWORD)
    assert result.recovered["transactions"] == 0 and not result.adopted
    assert any("free pages could not be read" in n for n in result.backup.notices())


def test_an_intact_database_adopts_nothing(grown) -> None:
    data, truth, _root = grown
    result = salvage_database(data, PASSWORD)
    assert result.intact and result.adopted == {} and result.recovered["transactions"] == len(truth)


@pytest.mark.parametrize("page", [12, 36, 40])  # leaves of addressBook, identities, accounts: nothing else to find
def test_sqlites_own_tables_pages_are_never_taken_for_a_lost_leaf(page: int) -> None:
    result = salvage_database(walletdb_damage().flip((FIXTURES / "wallet.sqlite3").read_bytes(), page), PASSWORD)
    assert result.bad_pages == (page,) and result.adopted == {}  # sqlite_sequence's leaf fits addressBook's shape
