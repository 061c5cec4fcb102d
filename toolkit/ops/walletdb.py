"""The Desktop Wallet's database, in memory: its tables as its migrations leave them.

The import preview (:mod:`toolkit.ops.merge`) writes through :class:`WalletDB`, so
the constraints, ignored upserts and defaults of the wallet's SQLite database
apply by construction.  Facts (Concordium/concordium-desktop-wallet, commit
0ce97cb, ``app/database/migrations/``):

- ``wallet``: id increments, identifier UNIQUE NOT NULL, type NOT NULL
  (20210426140801_create_wallet_table.ts:8-10).
- ``identities``: id increments, identityNumber, name, status, detail, codeUri,
  identityProvider, identityObject, randomness, walletId NOT NULL → wallet.id
  (20201210111425_create_identities_table.ts:8-21); version NOT NULL DEFAULT 0
  (20211109124703_add_identity_versions.ts:8).
- ``accounts``: rebuilt by 20210618092200_account_table_update.ts:25-48
  (identityId NOT NULL → identities.id, name/status NOT NULL, defaults,
  address PRIMARY KEY); rewardFilter dropped and transactionFilter DEFAULT
  '{}' added (20210909102800_add_preferences_alter_account_filter.ts:21-27);
  maxTransactionId dropped (20211108144203_create_decrypted_amounts_table.ts:18-20).
- ``credentials``: identityId NOT NULL → identities.id, credId PRIMARY KEY,
  UNIQUE (credentialIndex, accountAddress) and (credentialNumber, identityId)
  (20210304140424_create_credentials_table.ts:8-19); randomness
  (20210719144100_add_credential_randomness.ts:6).
- ``addressBook``: address UNIQUE, readOnly DEFAULT false
  (20201221133955_create_addressbook_table.ts:8-11).
- ``external_credentials``: accountAddress → accounts.address, credId PRIMARY
  KEY, note DEFAULT '' (20210618111900_create_external_credentials_table.ts:8-15).
- Foreign keys are on (``PRAGMA foreign_keys = ON``,
  app/database/productionKnexFile.ts:24); knex runs with ``useNullAsDefault``
  (productionKnexFile.ts:20): in a multi-row insert a field missing from one
  record is NULL, not the column's default.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from toolkit.model.kinds import DESKTOP, kinds_of

#: Tables referred to come first (wallet ← identities ← accounts ← credentials, external credentials).
_LOAD_ORDER = ("wallets", "identities", "accounts", "credentials", "addressBook", "externalCredentials")

#: Document list name → the wallet's table (each kind's :attr:`~toolkit.model.kinds.RecordKind.db_table`), in the
#: order the import preview loads a wallet: a table before the tables that refer to it.
TABLES = {
    k.name: k.db_table
    for k in sorted(kinds_of(DESKTOP), key=lambda k: _LOAD_ORDER.index(k.name) if k.name in _LOAD_ORDER else 99)
    if k.db_table and not k.single and k.in_file
}

SCHEMA = """
CREATE TABLE wallet (
  id integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  identifier varchar(255) NOT NULL UNIQUE,
  type varchar(255) NOT NULL);
CREATE TABLE genesis (
  id integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  genesisBlock varchar(255) NOT NULL UNIQUE);
CREATE TABLE identities (
  id integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  identityNumber integer, name varchar(255), status varchar(255), detail varchar(255),
  codeUri varchar(255), identityProvider varchar(255), identityObject varchar(255),
  randomness varchar(255),
  walletId integer NOT NULL REFERENCES wallet (id),
  version integer NOT NULL DEFAULT '0');
CREATE TABLE accounts (
  identityId integer NOT NULL REFERENCES identities (id),
  name varchar(255) NOT NULL, status varchar(255) NOT NULL,
  selfAmounts varchar(255) NOT NULL DEFAULT '', incomingAmounts varchar(255) NOT NULL DEFAULT '[]',
  signatureThreshold integer NOT NULL DEFAULT '1', totalDecrypted varchar(255) NOT NULL DEFAULT '0',
  allDecrypted boolean NOT NULL DEFAULT '1', deploymentTransactionId varchar(255),
  isInitial boolean NOT NULL DEFAULT '0',
  address varchar(255) PRIMARY KEY,
  transactionFilter varchar(255) DEFAULT '{}');
CREATE TABLE credentials (
  identityId integer NOT NULL REFERENCES identities (id),
  accountAddress varchar(255), credId varchar(255) PRIMARY KEY,
  credentialNumber integer, credentialIndex integer, policy json, randomness varchar(255),
  UNIQUE (credentialIndex, accountAddress), UNIQUE (credentialNumber, identityId));
CREATE TABLE addressBook (
  name varchar(255), address varchar(50) UNIQUE, note varchar(255), readOnly boolean DEFAULT '0');
CREATE TABLE external_credentials (
  accountAddress varchar(255) REFERENCES accounts (address) ON UPDATE CASCADE ON DELETE CASCADE,
  credId varchar(255) PRIMARY KEY, note varchar(255) DEFAULT '');
"""
#: Not the wallet's: an index for the preview's speed (``getCredentialsForIdentity``); it changes no result.
_SPEED = "CREATE INDEX credentials_identity ON credentials (identityId);"


def _columns() -> dict[str, tuple[str, ...]]:
    con = sqlite3.connect(":memory:")
    try:
        con.executescript(SCHEMA)
        return {doc: tuple(r[1] for r in con.execute(f"PRAGMA table_info({table})")) for doc, table in TABLES.items()}
    finally:
        con.close()


#: Document list name → the columns of the wallet's table, in table order.
COLUMNS: dict[str, tuple[str, ...]] = _columns()
#: Columns the wallet reads back as booleans or JSON (parseAccounts, accountDao.ts:14-25; addressBookDao.ts:7-9).
_BOOLEANS = {"accounts": ("allDecrypted", "isInitial"), "addressBook": ("readOnly",)}
_JSON = {"accounts": ("transactionFilter",)}
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class SqlFailure(Exception):
    """A statement the wallet's database rejects: ``sql`` as knex prints it, ``reason`` as node-sqlite3 says it."""

    table: str
    sql: str
    reason: str

    def __str__(self) -> str:
        return f"{self.sql} - {self.reason}"

    @property
    def unknown_column(self) -> str | None:
        m = re.search(r"has no column named (.*)$", self.reason)
        return m.group(1) if m else None


def _text(value: str) -> str:
    """A JavaScript string as node-sqlite3 encodes it (lone surrogates become U+FFFD)."""
    return _SURROGATE.sub("\ufffd", value)


def bind(value: Any) -> Any:
    """A JSON value as the wallet's JavaScript hands it to SQLite (booleans 1/0, numbers as doubles)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        if -(2**53) <= value <= 2**53:
            return value
        try:
            return float(value)
        except OverflowError:  # JSON.parse gives ±Infinity
            return math.inf if value > 0 else -math.inf
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, (dict, list)):
        return _text(js_string(value))
    return value


def js_string(value: Any, depth: int = 0) -> str:
    """JavaScript's ``String(value)`` for a JSON value (what node-sqlite3 binds for an object)."""
    if isinstance(value, dict):
        return "[object Object]"
    if isinstance(value, list):
        if depth > 200:  # JavaScript would overflow its stack here too; any text will do
            return ""
        return ",".join("" if v is None else js_string(v, depth + 1) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float):
        return repr(value) if not value.is_integer() or abs(value) >= 1e21 else str(int(value))
    if isinstance(value, int):
        if abs(value) >= 10**300:
            return "Infinity" if value > 0 else "-Infinity"
        return str(bind(value))
    return str(value)


def _plain(value: Any) -> Any:
    """:func:`bind` without looking into strings (a lone surrogate then fails, and :func:`bind` is used)."""
    kind = type(value)
    return value if kind is str or kind is float or value is None else bind(value)


def _quote(name: str) -> str:
    return "`" + _text(name).replace("`", "``") + "`"


def _literal(value: Any) -> str:
    value = bind(value)
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def _knex_insert(table: str, columns: list[str], rows: list[list[Any]], suffix: str = "") -> str:
    """The SQL text knex shows in its error message (bindings filled in; long inserts cut after 3 rows).

    knex 0.95.5 (the wallet's, package.json:207) prefixes node-sqlite3's message with the query
    (lib/execution/internal/query-executioner.js:37-41): ``SQL - SQLITE_CONSTRAINT: …``.
    """
    cols = ", ".join(_quote(c) for c in columns)
    if not columns:
        return f"insert into {_quote(table)} default values"
    if len(rows) == 1:
        body = f"values ({', '.join(_literal(v) for v in rows[0])})"
    else:  # sqlite-querycompiler.js:100-125 (knex 0.95.5): every value aliased, "where true" before upserts
        blocks = [", ".join(f"{_literal(v)} as {_quote(c)}" for c, v in zip(columns, r, strict=True)) for r in rows[:3]]
        body = "select " + " union all select ".join(blocks) + (" union all select …" if len(rows) > 3 else "")
        suffix = (" where true" + suffix) if suffix else ""
    return f"insert into {_quote(table)} ({cols}) {body}{suffix}"


def _reason(exc: Exception) -> str:
    kind = "SQLITE_CONSTRAINT" if isinstance(exc, sqlite3.IntegrityError) else "SQLITE_ERROR"
    return f"{kind}: {_text(str(exc))}"


class WalletDB:
    """One wallet database (SQLite in memory, foreign keys on) holding a wallet's records."""

    def __init__(self) -> None:
        self.con = sqlite3.connect(":memory:", isolation_level=None)
        self.con.executescript(SCHEMA + _SPEED)
        #: records of the loaded document the database could not hold (table, index, reason)
        self.unloaded: list[tuple[str, int, str]] = []

    def close(self) -> None:
        self.con.close()

    def load(self, document: dict[str, Any]) -> None:
        """The wallet's own content (file A): its known columns, foreign keys off while loading."""
        self.con.execute("PRAGMA foreign_keys = OFF")
        self.con.execute("BEGIN")
        for doc_name, table in TABLES.items():
            records = document.get(doc_name)
            groups: dict[tuple[str, ...], list[tuple[int, list[Any]]]] = {}
            for n, record in enumerate(records if isinstance(records, list) else []):
                if not isinstance(record, dict):
                    continue
                known = {k: v for k, v in record.items() if k in COLUMNS[doc_name]}
                if doc_name == "accounts" and isinstance(known.get("transactionFilter"), (dict, list)):
                    known["transactionFilter"] = json.dumps(known["transactionFilter"])
                groups.setdefault(tuple(known), []).append((n, list(known.values())))
            for columns, rows in groups.items():  # one executemany per column set (files are uniform)
                sql = self._insert_sql(table, list(columns), "OR IGNORE")
                self.con.execute("SAVEPOINT load")
                try:  # strings and nulls as they are: the common case, fast
                    self.con.executemany(sql, [[_plain(v) for v in values] for _n, values in rows])
                    self.con.execute("RELEASE load")
                except (sqlite3.Error, ValueError, OverflowError):
                    self.con.execute("ROLLBACK TO load")
                    self.con.execute("RELEASE load")
                    for n, values in rows:  # find the rows it cannot hold; keep the others
                        try:
                            self.con.execute(sql, [bind(v) for v in values])
                        except (sqlite3.Error, ValueError, OverflowError) as exc:
                            self.unloaded.append((doc_name, n, _reason(exc)))
        self.con.execute("COMMIT")
        self.con.execute("PRAGMA foreign_keys = ON")
        self.con.execute("BEGIN")  # the import itself: never committed, it lives in memory

    def load_rows(self, image: bytes) -> None:
        """The wallet's own content from its database (file A is the database itself): every row of its tables as
        stored, with each table's AUTOINCREMENT counter, into this schema — what the wallet's import meets.

        More than the export document holds: rows the Export's inner joins drop (an account or credential whose
        identity row is gone, accountDao.ts:45-58) still hold their address and credId here, as in the wallet's
        table that its ``findAccounts`` and inserts meet (preload/database/accountDao.ts:96-102); and the
        counters (``sqlite_sequence``) give new wallets and identities the ids the wallet's database gives
        them (deleted identities' ids are not used again: DeleteIdentity.tsx:20, identityDao.ts:150-160).
        Values stay as stored (booleans 0/1, the transaction filter's own text).  Columns this schema lacks (a
        newer wallet's) are left out, as :meth:`load` does; rows the schema refuses are in :attr:`unloaded`.
        """
        from toolkit.format.sqlcipher import PAGE_SIZE, limit_work

        con = self.con
        con.execute("PRAGMA trusted_schema = OFF")  # the image's views and triggers never run here
        con.execute("ATTACH ':memory:' AS img")
        limit_work(con, len(image) // PAGE_SIZE)  # a crafted image costs at most linear time
        try:
            con.deserialize(image, name="img")
            con.execute("PRAGMA foreign_keys = OFF")
            con.execute("BEGIN")
            present = {r[0] for r in con.execute("SELECT name FROM img.sqlite_schema WHERE type = 'table'")}
            for table in ("wallet", "genesis", *(t for t in TABLES.values() if t != "wallet")):
                if table not in present:
                    continue
                mine = [r[1] for r in con.execute(f"PRAGMA main.table_info({_quote(table)})")]
                theirs = {r[1] for r in con.execute(f"PRAGMA img.table_info({_quote(table)})")}
                cols = ", ".join(_quote(c) for c in mine if c in theirs)
                if not cols:
                    continue
                before = con.execute(f"SELECT count(*) FROM img.{_quote(table)}").fetchone()[0]
                moved = con.execute(
                    f"INSERT OR IGNORE INTO main.{_quote(table)} (rowid, {cols}) "
                    f"SELECT rowid, {cols} FROM img.{_quote(table)} ORDER BY rowid"
                ).rowcount
                if moved < before:
                    self.unloaded.append((table, -1, f"{before - moved} of its {before} rows break its constraints"))
            if "sqlite_sequence" in present:  # the counters: never below what the rows need
                con.execute(
                    "INSERT OR REPLACE INTO main.sqlite_sequence (rowid, name, seq) "
                    "SELECT m.rowid, i.name, max(i.seq, coalesce(m.seq, 0)) FROM img.sqlite_sequence i "
                    "LEFT JOIN main.sqlite_sequence m ON m.name = i.name "
                    "WHERE i.name IN ('wallet', 'identities', 'genesis') AND typeof(i.seq) = 'integer'"
                )
            con.execute("COMMIT")
        except sqlite3.Error:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
        finally:
            con.set_progress_handler(None, 0)
            con.execute("DETACH img")
        con.execute("PRAGMA foreign_keys = ON")
        con.execute("BEGIN")  # the import itself: never committed, it lives in memory

    @staticmethod
    def _insert_sql(table: str, columns: list[str], verb: str = "", suffix: str = "") -> str:
        if not columns:
            return f"INSERT {verb} INTO {_quote(table)} DEFAULT VALUES{suffix}"
        cols = ", ".join(_quote(c) for c in columns)
        return f"INSERT {verb} INTO {_quote(table)} ({cols}) VALUES ({', '.join('?' * len(columns))}){suffix}"

    def _execute(self, table: str, columns: list[str], rows: list[list[Any]], verb: str = "", suffix: str = "") -> int:
        """Insert rows as one statement (all or nothing); the rowid of the last one."""
        cursor = None
        several = len(rows) > 1  # one statement: a multi-row insert is all or nothing
        try:
            sql = self._insert_sql(table, columns, verb, suffix)
            if several:
                self.con.execute("SAVEPOINT stmt")
            for row in rows:
                cursor = self.con.execute(sql, [bind(v) for v in row])
        except (sqlite3.Error, ValueError, OverflowError, UnicodeError) as exc:
            if several:
                self.con.execute("ROLLBACK TO stmt")
                self.con.execute("RELEASE stmt")
            knex_suffix = " on conflict (`credId`) do nothing" if "ON CONFLICT" in suffix else ""
            raise SqlFailure(table, _knex_insert(table, columns, rows, knex_suffix), _reason(exc)) from None
        if several:
            self.con.execute("RELEASE stmt")
        return cursor.lastrowid if cursor is not None else 0

    def insert(self, doc_name: str, record: dict[str, Any]) -> int:
        """knex ``insert(record)``: the record's own fields, the column defaults for the rest; the new rowid."""
        return self._execute(TABLES[doc_name], list(record), [list(record.values())])

    def insert_many(
        self, doc_name: str, records: list[dict[str, Any]], *, ignore_conflict_on: str | None = None
    ) -> None:
        """knex ``insert([...])`` (``.onConflict(col).ignore()``): one statement, a missing field is NULL.

        knex 0.95.5 writes several rows as ``insert into t (cols) select ? as c, … union all select …``
        (sqlite-querycompiler.js:100-125); the same statement runs here, so SQLite's limits on it
        (500 compound terms) apply as in the wallet.
        """
        columns: list[str] = []
        for r in records:
            columns += [k for k in r if k not in columns]
        rows = [[r.get(c) for c in columns] for r in records]
        conflict = f" ON CONFLICT ({_quote(ignore_conflict_on)}) DO NOTHING" if ignore_conflict_on else ""
        table = TABLES[doc_name]
        if len(rows) <= 1 or not columns:
            self._execute(table, columns, rows, suffix=conflict)
            return
        term = ", ".join(f"? AS {_quote(c)}" for c in columns)
        head = f"INSERT INTO {_quote(table)} ({', '.join(_quote(c) for c in columns)}) SELECT "
        sql = head + " UNION ALL SELECT ".join([term] * len(rows)) + (f" WHERE true{conflict}" if conflict else "")
        try:
            self.con.execute(sql, [bind(v) for row in rows for v in row])
        except (sqlite3.Error, ValueError, OverflowError, UnicodeError) as exc:
            knex_suffix = " on conflict (`credId`) do nothing" if conflict else ""
            raise SqlFailure(table, _knex_insert(table, columns, rows, knex_suffix), _reason(exc)) from None

    def update(self, doc_name: str, where: dict[str, Any], values: dict[str, Any]) -> None:
        """knex ``where(where).update(values)``; raises :class:`SqlFailure`."""
        table = TABLES[doc_name]
        sets = ", ".join(f"{_quote(k)} = ?" for k in values)
        cond = " AND ".join(f"{_quote(k)} = ?" for k in where)
        try:
            self.con.execute(
                f"UPDATE {_quote(table)} SET {sets} WHERE {cond}",
                [bind(v) for v in (*values.values(), *where.values())],
            )
        except (sqlite3.Error, ValueError, OverflowError, UnicodeError) as exc:
            text = f"update {_quote(table)} set " + ", ".join(f"{_quote(k)} = {_literal(v)}" for k, v in values.items())
            raise SqlFailure(table, text, _reason(exc)) from None

    def exported(self, doc_name: str, rowid: int) -> dict[str, Any]:
        """One row as the wallet reads it back and exports it (booleans and JSON parsed)."""
        table = TABLES[doc_name]
        cur = self.con.execute(f"SELECT * FROM {_quote(table)} WHERE rowid = ?", [rowid])
        values = cur.fetchone()
        record = dict(zip([d[0] for d in cur.description], values, strict=True)) if values else {}
        for name in _BOOLEANS.get(doc_name, ()):
            if name in record:
                record[name] = bool(record[name])
        for name in _JSON.get(doc_name, ()):
            if isinstance(record.get(name), str):
                try:
                    record[name] = json.loads(record[name])
                except ValueError:
                    pass
        return record

    def values(self, doc_name: str, column: str) -> set[Any]:
        """The values of one column (e.g. the account addresses the wallet holds)."""
        return {r[0] for r in self.con.execute(f"SELECT {_quote(column)} FROM {_quote(TABLES[doc_name])}")}

    def rowid_of(self, doc_name: str, column: str, value: Any) -> int | None:
        """The rowid of the first row whose ``column`` is ``value`` (None if none)."""
        row = self.con.execute(
            f"SELECT rowid FROM {_quote(TABLES[doc_name])} WHERE {_quote(column)} IS ? LIMIT 1", [bind(value)]
        ).fetchone()
        return row[0] if row else None

    def has_credential(self, cred_id: Any) -> bool:
        """Whether the wallet holds this external credential (its insert would then be ignored)."""
        return self.rowid_of("externalCredentials", "credId", cred_id) is not None

    def credential_ids(self, identity_id: Any) -> list[Any]:
        """``getCredentialsForIdentity`` (credentialDao.ts:77-85): the credIds of one identity."""
        return [
            r[0] for r in self.con.execute("SELECT credId FROM credentials WHERE identityId = ?", [bind(identity_id)])
        ]

    def next_id(self, doc_name: str) -> int:
        """The id AUTOINCREMENT gives the next row (max id + 1; the real wallet may have used more)."""
        row = self.con.execute(f"SELECT max(id) FROM {_quote(TABLES[doc_name])}").fetchone()
        return (row[0] if isinstance(row[0], int) else 0) + 1


def drop_unknown_fields(document: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, Any, str]]]:
    """A copy of a Desktop document whose records hold only fields the wallet's tables have, and what was
    dropped (``(list, record key, field)``): :func:`toolkit.model.select.without_unknown_fields`."""
    from toolkit.model.backup import Backup
    from toolkit.model.select import without_unknown_fields

    backup, dropped = without_unknown_fields(Backup(document, kind=DESKTOP))
    return dict(backup.document), dropped
