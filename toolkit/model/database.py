"""The Desktop Wallet's own database as a backup: the document its Export page would write, plus history.

:func:`open_database` decrypts the SQLCipher file (:mod:`toolkit.format.sqlcipher`), reads it with the
standard library's ``sqlite3`` in memory, and builds the export document exactly as the wallet's Export
page does (concordium-desktop-wallet@0ce97cb app/pages/exportImport/Export.tsx:43-69; docs/FORMAT.md §7)
from the rows as the wallet loads them:

* accounts: ``accounts.*`` inner-joined with identities (preload/database/accountDao.ts:45-58), in the
  query's order reversed (features/AccountSlice.ts:311), ``allDecrypted``/``isInitial`` as JavaScript's
  ``Boolean()``, ``transactionFilter`` JSON-parsed (accountDao.ts:14-24); ``identityName`` and
  ``identityNumber`` stripped (Export.tsx:44-48);
* identities, wallets, externalCredentials: every row of their table (preload/database/general.ts:61-64,
  externalCredentialDao.ts getAllExternalCredentials);
* addressBook: ordered by ``name COLLATE NOCASE``, ``readOnly`` as a boolean (addressBookDao.ts:7-20);
* credentials: ``credentials.*`` inner-joined with identities (credentialDao.ts getCredentials),
  ``identityNumber`` stripped (Export.tsx:50-55);
* genesis: the table's first row, and no ``genesis`` key when it has none (``JSON.stringify`` drops
  ``undefined``; GenesisDao.ts, general.ts selectFirst).

The queries are the SQL text knex 0.95.5 generates for those calls (printed by
scripts/walletdb-fixtures/make.mjs).  The tables no backup holds (transactions, multi-signature
proposals, decrypted amounts, settings, preferences) are kept as history frames, secrets redacted.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from toolkit import errors
from toolkit.format import jsonio
from toolkit.format import sqlcipher as sc

if TYPE_CHECKING:
    import pandas as pd

KIND = "desktop-wallet-database"
FILE_NAME = "concordium-desktop-wallet-database.sqlite3"

#: The SQL knex 0.95.5 generates for the DAO calls the Export page's data comes from.
EXPORT_SQL = {
    "accounts": (
        "select `accounts`.*, `identities`.`name` as `identityName`, `identities`.`identityNumber` as "
        "`identityNumber` from `accounts` inner join `identities` on `accounts`.`identityId` = `identities`.`id`"
    ),
    "identities": "select * from `identities`",
    "addressBook": "select * from `addressBook` order by name COLLATE NOCASE ASC",
    "credentials": (
        "select `credentials`.*, `identities`.`identityNumber` as `identityNumber` from `credentials` "
        "inner join `identities` on `credentials`.`identityId` = `identities`.`id`"
    ),
    "externalCredentials": "select * from `external_credentials`",
    "wallets": "select * from `wallet`",
    "genesis": "select * from `genesis` limit 1",
}

#: The history tables (app/constants/databaseNames.json) → their frame's name.
HISTORY_TABLES = {
    "transactions": "transactions",
    "multi_signature_proposal": "multiSignatureProposals",
    "decrypted_amounts": "decryptedAmounts",
    "setting": "settings",
    "preferences": "preferences",
}
#: Columns that hold what a shielded transfer hid: redacted unless asked for.
HISTORY_SECRET_FIELDS = {"decrypted_amounts": ("amount",), "transactions": ("decryptedAmount",)}
#: Every table the wallet's migrations create at 0ce97cb (and knex's and SQLite's own), with its columns
#: (as read from tests/walletdb/wallet.sqlite3, made by the wallet's own migrations).
KNOWN_COLUMNS: dict[str, tuple[str, ...]] = {
    "accounts": (
        "identityId", "name", "status", "selfAmounts", "incomingAmounts", "signatureThreshold", "totalDecrypted",
        "allDecrypted", "deploymentTransactionId", "isInitial", "address", "transactionFilter",
    ),
    "addressBook": ("name", "address", "note", "readOnly"),
    "credentials": (
        "identityId", "accountAddress", "credId", "credentialNumber", "credentialIndex", "policy", "randomness",
    ),
    "decrypted_amounts": ("transactionHash", "amount"),
    "external_credentials": ("accountAddress", "credId", "note"),
    "genesis": ("id", "genesisBlock"),
    "global": ("onChainCommitmentKey", "bulletproofGenerators", "genesisString"),
    "identities": (
        "id", "identityNumber", "name", "status", "detail", "codeUri", "identityProvider", "identityObject",
        "randomness", "walletId", "version",
    ),
    "knex_migrations": ("id", "name", "batch", "migration_time"),
    "knex_migrations_lock": ("index", "is_locked"),
    "multi_signature_proposal": ("id", "transaction", "threshold", "status"),
    "preferences": ("key", "value"),
    "setting": ("id", "name", "type", "value", "group"),
    "setting_group": ("id", "name"),
    "sqlite_sequence": ("name", "seq"),
    "transactions": (
        "transactionKind", "id", "blockHash", "blockTime", "transactionHash", "subtotal", "cost", "decryptedAmount",
        "encrypted", "schedule", "fromAddress", "toAddress", "status", "rejectReason", "memo",
    ),
    "wallet": ("id", "identifier", "type"),
}  # fmt: skip
KNOWN_TABLES = frozenset(KNOWN_COLUMNS)


@dataclass
class DatabaseInfo:
    """What a wallet database holds beside its export document (``Backup.database``)."""

    #: Rows of the history tables, keyed by frame name (as read; secrets not yet redacted).
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: Tables in the file that this version of the toolkit does not know (a newer wallet's).
    unknown_tables: list[str] = field(default_factory=list)
    #: "table.column" for columns of known tables that the toolkit does not know (kept in the export).
    unknown_columns: list[str] = field(default_factory=list)
    #: The applied migrations (``knex_migrations.name``), the schema's version.
    migrations: list[str] = field(default_factory=list)
    #: What a salvage of the file lost, in sentences (set by toolkit.ops.salvage_db).
    salvage_notices: list[str] = field(default_factory=list)
    #: The decrypted database (a plain SQLite image, in memory only): the wallet's own rows, for the import
    #: preview (:meth:`rows_image`).  Never shown.
    image: bytes | None = field(default=None, repr=False, compare=False)
    #: A digest of the export document as read with :attr:`image` (an edited document no longer matches).
    image_of: str | None = field(default=None, repr=False, compare=False)

    def keep_image(self, image: bytes, document: dict[str, Any]) -> None:
        """Keep the database's rows (``image``) as belonging to ``document``, the export built from them."""
        self.image, self.image_of = image, document_digest(document)

    def rows_image(self, document: dict[str, Any]) -> bytes | None:
        """The database's own rows when ``document`` is still the export read with them (None once edited)."""
        if self.image is None or self.image_of is None or document_digest(document) != self.image_of:
            return None
        return self.image

    def history_counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.history.items()}

    def notices(self, network: str) -> list[str]:
        out = []
        if network == "none":
            out.append(
                "The database has no genesis row (the wallet never connected to a node): its export names no network."
            )
        if self.unknown_tables:
            out.append(
                "The database has tables this toolkit does not know (a newer wallet?): "
                + ", ".join(self.unknown_tables[:20])
            )
        if self.unknown_columns:
            out.append(
                "The database has columns this toolkit does not know (a newer wallet?), kept as they are: "
                + ", ".join(self.unknown_columns[:20])
            )
        return out + self.salvage_notices

    def summary(self) -> dict[str, Any]:
        return {
            "history": self.history_counts(),
            "migrations": len(self.migrations),
            "unknownTables": list(self.unknown_tables),
            "unknownColumns": list(self.unknown_columns),
        }

    def frames(self, *, reveal_secrets: bool = False) -> dict[str, pd.DataFrame]:
        """One frame per history table (secret columns redacted unless ``reveal_secrets``)."""
        import pandas as pd

        from .tables import REDACTED

        frames = {}
        for table, name in HISTORY_TABLES.items():
            df = pd.DataFrame(self.history.get(name, []))
            for col in HISTORY_SECRET_FIELDS.get(table, ()):
                if col in df.columns and not reveal_secrets:
                    df[col] = [None if pd.isna(v) else REDACTED for v in df[col].tolist()]
            frames[name] = df
        return frames


def document_digest(document: dict[str, Any]) -> str | None:
    """SHA-256 of a document's JSON (None for values JSON cannot hold as they are, e.g. huge integers)."""
    import hashlib

    import orjson

    try:
        return hashlib.sha256(orjson.dumps(document)).hexdigest()
    except (TypeError, orjson.JSONEncodeError):
        return None


# --------------------------------------------------------------------------- JavaScript's view of a row


def js_truthy(value: Any) -> bool:
    """JavaScript's ``Boolean(value)`` for what node-sqlite3 returns (0, '', null are false; '0' is true)."""
    if value is None:
        return False
    if isinstance(value, float) and value != value:
        return False
    return bool(value) if isinstance(value, (int, float, str)) else True


def js_value(value: Any) -> Any:
    """A column value as node-sqlite3 hands it to JavaScript and ``JSON.stringify`` writes it."""
    if isinstance(value, bytes):  # a Buffer
        return {"type": "Buffer", "data": list(value)}
    if isinstance(value, int) and abs(value) > 2**53:  # a JavaScript number
        return float(value)
    return value


def _js_rows(con: sqlite3.Connection, sql: str) -> list[dict[str, Any]]:
    return [{k: js_value(v) for k, v in row.items()} for row in sc.rows(con, sql)]


def _json_parse(value: Any, where: str) -> Any:
    """``JSON.parse(value)``; the wallet's own load fails on what does not parse, so that is an error here."""
    if value is None or isinstance(value, (int, float)):
        return value
    try:
        return jsonio.loads(value)
    except jsonio.JSONError:
        raise errors.UnexpectedContentError(
            f"{where} is not JSON, so the wallet itself cannot load its accounts",
            hint="Open it with salvage, which keeps the text as it is.",
        ) from None


def export_document(con: sqlite3.Connection) -> dict[str, Any]:
    """The document the wallet's Export page writes from this database (see the module docstring)."""
    accounts = []
    for row in reversed(_js_rows(con, EXPORT_SQL["accounts"])):
        row["allDecrypted"] = js_truthy(row.get("allDecrypted"))
        row["isInitial"] = js_truthy(row.get("isInitial"))
        row["transactionFilter"] = _json_parse(row.get("transactionFilter"), f"Account {row.get('address')!r}'s filter")
        row.pop("identityName", None)
        row.pop("identityNumber", None)
        accounts.append(row)
    address_book = _js_rows(con, EXPORT_SQL["addressBook"])
    for row in address_book:
        row["readOnly"] = js_truthy(row.get("readOnly"))
    credentials = _js_rows(con, EXPORT_SQL["credentials"])
    for row in credentials:
        row.pop("identityNumber", None)
    document: dict[str, Any] = {
        "accounts": accounts,
        "identities": _js_rows(con, EXPORT_SQL["identities"]),
        "addressBook": address_book,
        "credentials": credentials,
        "externalCredentials": _js_rows(con, EXPORT_SQL["externalCredentials"]),
        "wallets": _js_rows(con, EXPORT_SQL["wallets"]),
    }
    genesis = _js_rows(con, EXPORT_SQL["genesis"])
    if genesis:
        document["genesis"] = genesis[0]
    return document


def history_rows(con: sqlite3.Connection, present: set[str]) -> dict[str, list[dict[str, Any]]]:
    """The history tables' rows, keyed by frame name (the settings with their group's name)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for table, name in HISTORY_TABLES.items():
        if table not in present:
            out[name] = []
        elif table == "setting" and "setting_group" in present:
            out[name] = sc.rows(
                con,
                "select s.*, g.name as groupName from setting s left join setting_group g on s.`group` = g.id "
                "order by s.id",
            )
        else:
            out[name] = sc.rows(con, f"select * from `{table}` order by rowid")
    return out


def read_connection(con: sqlite3.Connection) -> tuple[dict[str, Any], DatabaseInfo]:
    """The export document and the :class:`DatabaseInfo` of an open connection to a decrypted wallet database."""
    try:
        present = {r[0] for r in con.execute("select name from sqlite_schema where type = 'table'")}
        missing = {"accounts", "identities", "addressBook", "wallet"} - present
        if missing:
            raise errors.UnexpectedContentError(
                "The database opens but has no " + ", ".join(sorted(missing)) + " table",
                hint="It is not the Concordium Desktop Wallet's database.",
            )
        document = _export_document_tolerant(con, present)
        info = DatabaseInfo(history=history_rows(con, present))
        if "knex_migrations" in present:
            info.migrations = [r[0] for r in con.execute("select name from knex_migrations order by id")]
        info.unknown_tables = sorted(present - KNOWN_TABLES)
        info.unknown_columns = [
            f"{table}.{column}"
            for table in sorted(present & KNOWN_TABLES)
            for column in _columns(con, table)
            if column not in KNOWN_COLUMNS[table]
        ]
    except sqlite3.DatabaseError as exc:
        raise errors.DamagedError(f"The password is right, but the database is damaged ({exc})") from None
    return document, info


def _columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in con.execute(f'pragma table_info("{table}")')]


def _export_document_tolerant(con: sqlite3.Connection, present: set[str]) -> dict[str, Any]:
    """:func:`export_document`, with an empty list for a table an older schema lacks."""
    if {"credentials", "external_credentials", "genesis"} <= present:
        return export_document(con)
    # an older wallet: create the missing tables empty in this in-memory copy's temp schema
    con.execute("PRAGMA query_only = OFF")
    try:
        for table, ddl in (
            ("credentials", "create temp table credentials (identityId integer)"),
            ("external_credentials", "create temp table external_credentials (credId text)"),
            ("genesis", "create temp table genesis (id integer)"),
        ):
            if table not in present:
                con.execute(ddl)
    finally:
        con.execute("PRAGMA query_only = ON")
    return export_document(con)


def read_database(
    source: Any, password: str | bytes, *, max_size: int = sc.MAX_DATABASE_SIZE
) -> tuple[dict[str, Any], DatabaseInfo, str | None]:
    """Read the Desktop Wallet's database file (path or bytes) read-only: (export document, history and
    schema facts, path).  :func:`toolkit.open_backup` makes it a backup of kind ``desktop-wallet-database``.

    Raises :class:`~toolkit.errors.WrongPasswordError` (with a word on the wallet's password-change
    bug), :class:`~toolkit.errors.NotDatabaseError`, or :class:`~toolkit.errors.DamagedError` naming the
    pages that failed their check or the missing end of a cut-short file.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data, name = bytes(source), None
    else:
        name = os.path.expanduser(os.fspath(source))
        data = sc.read_database_file(name, max_size=max_size)
        journal = sc.hot_journal(name)
        if journal:
            raise errors.DatabaseInUseError(
                f"A journal ({os.path.basename(journal)}) lies beside the database: the wallet is writing to it, "
                "or stopped mid-write, so the file alone may be inconsistent"
            )
    decrypted = sc.decrypt_database(data, password)
    if not decrypted.intact:
        raise errors.DamagedError(
            f"The password is right, but the database is damaged: {decrypted.damage()}",
            hint="Salvage recovers the rows on the intact pages; or use another copy of the database.",
        )
    con = sc.connect_image(decrypted.image)
    try:
        document, info = read_connection(con)
    finally:
        con.close()
    info.keep_image(decrypted.image, document)
    return document, info, name
