"""Salvage a damaged Desktop Wallet database: every row on the pages that pass their check.

SQLCipher authenticates each page on its own, so a damaged page costs only the rows it held.  The
pages are decrypted and checked one by one (:mod:`toolkit.format.sqlcipher`), every table's b-tree is
walked from the schema around the bad pages (:mod:`toolkit.format.sqlite_pages`), and the rows found
are loaded into a fresh in-memory copy of the schema, from which the export document is built exactly
as for an intact database (:func:`toolkit.model.database.read_connection`).  The result says which
pages were lost and, per table, which rowid ranges they held; its ``backup`` saves as an importable
Desktop Wallet backup.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from toolkit import errors
from toolkit.format import sqlcipher as sc
from toolkit.format.sqlite_pages import LostRange, PageError, PageReader
from toolkit.model.backup import Backup
from toolkit.model.database import KIND, read_connection

#: ``CREATE TABLE name (`` — a table defined by its columns (no subquery can follow in a column definition).
_PLAIN_CREATE = re.compile(
    r"\s*CREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?(\"[^\"]*\"|`[^`]*`|\[[^\]]*\]|[\w$]+)\s*\(", re.I
)


@dataclass
class DatabaseSalvage:
    """What a salvage of a wallet database recovered and lost."""

    backup: Backup
    pages: int
    bad_pages: tuple[int, ...]
    missing_pages: int
    #: table → rows recovered
    recovered: dict[str, int] = field(default_factory=dict)
    #: table → the pages of its b-tree that were lost, with the rowid ranges they held
    lost: dict[str, list[LostRange]] = field(default_factory=dict)
    #: table → rows read but refused by the table's constraints (a damaged row)
    rejected: dict[str, int] = field(default_factory=dict)
    #: table → unreached leaf pages whose rows were placed in it (its damaged interior page no longer reaches them)
    adopted: dict[str, list[int]] = field(default_factory=dict)

    @property
    def intact(self) -> bool:
        return not self.bad_pages and not self.missing_pages and not any(self.lost.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.backup.kind,
            "intact": self.intact,
            "pages": self.pages,
            "badPages": list(self.bad_pages),
            "missingPages": self.missing_pages,
            "recovered": dict(self.recovered),
            "lost": {
                t: [{"page": r.page, "rowidAfter": r.after, "rowidUpTo": r.upto} for r in ranges]
                for t, ranges in self.lost.items()
                if ranges
            },
            "rejected": {t: n for t, n in self.rejected.items() if n},
            "adopted": {t: list(p) for t, p in self.adopted.items() if p},
        }


def salvage_database(source: Any, password: str | bytes) -> DatabaseSalvage:
    """Recover every row on the intact pages of a wallet database (path or bytes); see the module docstring.

    Raises :class:`~toolkit.errors.WrongPasswordError` when page 1 does not open (nothing can be
    read without it) and :class:`~toolkit.errors.NotSalvageableError` when the schema is lost.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data, name = bytes(source), None
    else:
        name = os.path.expanduser(os.fspath(source))
        data = sc.read_database_file(name)
    decrypted = sc.decrypt_database(data, password)
    reader = PageReader(decrypted.image, sc.PAGE_SIZE, sc.PAGE_SIZE - sc.RESERVED, set(decrypted.bad_pages))
    schema = reader.table(1)
    tables = [
        (row[1], row[3], row[4])
        for _, row in schema.rows
        if len(row) >= 5 and row[0] == "table" and isinstance(row[3], int) and isinstance(row[4], str)
    ]
    if not tables:
        raise errors.NotSalvageableError("The password is right, but the database's list of tables is lost")
    con = sqlite3.connect(":memory:")
    sc.limit_work(con, decrypted.pages)
    result_rows: dict[str, int] = {}
    lost: dict[str, list[LostRange]] = {}
    rejected: dict[str, int] = {}
    try:
        for table, _, sql in tables:
            if not table.startswith("sqlite_"):
                try:
                    if not _PLAIN_CREATE.match(sql):  # only column definitions, never "AS SELECT"
                        raise sqlite3.DatabaseError("not a plain CREATE TABLE")
                    con.execute(sql)
                except sqlite3.DatabaseError:
                    lost[table] = [LostRange(0, None, None)]
        for table, root, _ in tables:
            if table.startswith("sqlite_") or table in lost:
                continue
            found = reader.table(root)
            recovered, refused = _load(con, table, found.rows)
            result_rows[table] = recovered
            rejected[table] = refused
            lost[table] = found.lost
        roots = [root for _, root, _ in tables]
        adopted, adoption_notes = _adopt_orphans(reader, con, roots, bool(schema.lost), lost, result_rows, rejected)
        if schema.lost:
            lost["sqlite_schema"] = schema.lost
            _recreate_lost_tables(con)
        con.commit()
        con.execute("PRAGMA query_only = ON")
        document, info = read_connection(con)
        info.keep_image(con.serialize(), document)  # the recovered rows, for the import preview
        backup = Backup(document, kind=KIND, source=name, database=info)
    finally:
        con.close()
    notices = list(adoption_notes)
    if schema.lost:
        s = "s" if len(schema.lost) > 1 else ""
        notices.append(
            f"The page{s} of the database's list of tables ({', '.join(str(r.page) for r in schema.lost)}) "
            "could not be read: tables defined there are left out (empty)"
        )
    kept = len(backup.document.get("accounts") or [])
    if result_rows.get("accounts", 0) > kept:
        notices.append(
            f"{result_rows['accounts'] - kept} recovered account(s) lost their identity's row: the export leaves "
            "them out, as the wallet's Export does"
        )
    info.salvage_notices = notices
    return DatabaseSalvage(
        backup,
        decrypted.pages,
        decrypted.bad_pages,
        decrypted.missing_pages,
        result_rows,
        lost,
        rejected,
        adopted,
    )


def _adopt_orphans(
    reader: PageReader,
    con: sqlite3.Connection,
    roots: list[int],
    schema_lost: bool,
    lost: dict[str, list[LostRange]],
    recovered: dict[str, int],
    rejected: dict[str, int],
) -> tuple[dict[str, list[int]], list[str]]:
    """Place the rows of intact leaf pages no table's b-tree reaches any more (its interior page was damaged).

    Every page no table's walk reached (each table of the schema is walked, SQLite's own too; nothing is
    searched when part of the schema is lost), that is not on the freelist (freed pages may keep deleted rows) nor a row's
    overflow, and that reads whole as a table leaf (:meth:`PageReader.leaf`), is matched against the tables
    that lost part of their b-tree: each of its rows must have that table's shape (no more values than its
    columns; NULL where the rowid is the primary key; a value in every NOT NULL column it holds) and a rowid in
    one of the ranges the table lost.  A page exactly one table matches joins it; one that several match is
    left out and said.  (table → pages adopted, notices)
    """
    wanting = {t: r for t, r in lost.items() if r and not t.startswith("sqlite_") and t in recovered}
    if not wanting:
        return {}, []
    if schema_lost:  # tables defined there have pages no walk reaches, whose rows are not the damaged tables'
        return {}, []
    for root in roots:  # every table's pages count as reached, SQLite's own and those not recreated included
        reader.table(root)
    free = reader.freelist()
    if free is None:
        return {}, [
            "The database's list of free pages could not be read, so pages its damaged tables no longer reach "
            "were not searched (they might hold deleted rows)"
        ]
    shapes = {t: _shape(con, t) for t in wanting}
    adopted: dict[str, list[int]] = {}
    ambiguous: list[int] = []
    for n in range(2, reader.pages + 1):
        if n in reader.seen or n in reader.bad or n in free or n in reader.overflow:
            continue
        try:
            rows = reader.leaf(n)
        except PageError:
            continue
        fits = [t for t in wanting if all(_fits(shapes[t], wanting[t], rowid, v) for rowid, v in rows)]
        if len(fits) > 1:
            ambiguous.append(n)
            continue
        if fits:
            loaded, refused = _load(con, fits[0], rows)
            recovered[fits[0]] += loaded
            rejected[fits[0]] = rejected.get(fits[0], 0) + refused
            adopted.setdefault(fits[0], []).append(n)
    notes = [
        f"{table}: the rows of {len(pages)} page{'s' if len(pages) > 1 else ''} its damaged page"
        f"{'s' if len(wanting[table]) > 1 else ''} {', '.join(str(r.page) for r in wanting[table])} no longer "
        f"reach{'' if len(wanting[table]) > 1 else 'es'} were found and recovered (pages "
        f"{', '.join(map(str, pages))})"
        for table, pages in adopted.items()
    ]
    if ambiguous:
        notes.append(
            f"Pages {', '.join(map(str, ambiguous))} hold rows that could belong to more than one damaged table: "
            "left out"
        )
    return adopted, notes


def _shape(con: sqlite3.Connection, table: str) -> tuple[int, int | None, frozenset[int]]:
    """(columns, the rowid alias's index or None, the NOT NULL columns' indexes) of ``table``."""
    info = con.execute(f'pragma table_info("{_quoted(table)}")').fetchall()
    pks = [c for c in info if c[5]]
    alias = pks[0][0] if len(pks) == 1 and str(pks[0][2]).upper() == "INTEGER" else None
    return len(info), alias, frozenset(c[0] for c in info if c[3] and c[0] != alias)


def _fits(
    shape: tuple[int, int | None, frozenset[int]], ranges: list[LostRange], rowid: int, values: list[Any]
) -> bool:
    columns, alias, not_null = shape
    if not 0 < len(values) <= columns:
        return False
    if alias is not None and alias < len(values) and values[alias] is not None:
        return False
    if any(values[i] is None for i in not_null if i < len(values)):
        return False
    return any((r.after is None or rowid > r.after) and (r.upto is None or rowid <= r.upto) for r in ranges)


def _recreate_lost_tables(con: sqlite3.Connection) -> None:
    """Empty tables, as the wallet's schema has them, for those whose definition was on a lost schema page."""
    from .walletdb import SCHEMA

    present = {r[0] for r in con.execute("select name from sqlite_schema where type = 'table'")}
    for statement in SCHEMA.split(";"):
        words = statement.split()
        if len(words) > 2 and words[0].upper() == "CREATE" and words[2] not in present:
            con.execute(statement)


def _load(con: sqlite3.Connection, table: str, rows: list[tuple[int, list[Any]]]) -> tuple[int, int]:
    """Insert ``rows`` (rowid, values) into ``table``, keeping rowids (the wallet's order); (loaded, refused)."""
    info = con.execute(f'pragma table_info("{_quoted(table)}")').fetchall()
    names = [c[1] for c in info]
    pks = [c for c in info if c[5]]
    alias = names.index(pks[0][1]) if len(pks) == 1 and str(pks[0][2]).upper() == "INTEGER" else None
    loaded = refused = 0
    for rowid, values in rows:
        values = list(values[: len(names)])
        if alias is not None and alias < len(values) and values[alias] is None:
            values[alias] = rowid
        cols = ", ".join(f'"{_quoted(c)}"' for c in names[: len(values)])
        marks = ", ".join("?" * len(values))
        try:
            con.execute(f'insert into "{_quoted(table)}" (rowid, {cols}) values (?, {marks})', (rowid, *values))
            loaded += 1
        except sqlite3.DatabaseError:
            refused += 1
    return loaded, refused


def _quoted(name: str) -> str:
    return name.replace('"', '""')


def salvage_database_to(
    source: Any,
    out: str | os.PathLike[str],
    password: str,
    *,
    new_password: str | None = None,
    force: bool = False,
) -> tuple[DatabaseSalvage, Any]:
    """:func:`salvage_database`, then write what was recovered as a Desktop Wallet backup at ``out``
    (verified; ``new_password`` or the database's own); returns the salvage and the ``WriteResult``."""
    from toolkit.model.save import save_backup

    result = salvage_database(source, password)
    protect = (source,) if isinstance(source, (str, os.PathLike)) else ()
    written = save_backup(result.backup, os.fspath(out), new_password or password, force=force, protect=protect)
    return result, written
