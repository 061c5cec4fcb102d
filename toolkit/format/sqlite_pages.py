"""Rows straight from SQLite's table b-tree pages, around pages that cannot be read (for salvage).

SQLite itself stops at the first damaged page a query meets.  A wallet database decrypted by
:mod:`toolkit.format.sqlcipher` marks which pages failed their HMAC; this walks each table's b-tree
from its root page (https://www.sqlite.org/fileformat2.html, sections 1.6 and 2.1), skips those pages
and reads every row on the others, overflow chains included.  What a lost page held is reported as
the rowid range its parent's keys bound.  Each page is visited at most once, so the cost is linear in
the file whatever a crafted file's pointers say.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

LEAF_TABLE = 0x0D
INTERIOR_TABLE = 0x05


class PageError(Exception):
    """A page that decrypted but is not what its parent says it is (treated as lost)."""


@dataclass
class LostRange:
    """A page of a table's b-tree that could not be read, and the rowids it may have held."""

    page: int
    #: rowid > after (None: from the start)
    after: int | None
    #: rowid <= upto (None: to the end)
    upto: int | None


@dataclass
class TableRows:
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    lost: list[LostRange] = field(default_factory=list)


def varint(buf: bytes | memoryview, pos: int) -> tuple[int, int]:
    """SQLite's big-endian varint at ``pos``: (value, next position)."""
    value = 0
    for i in range(8):
        b = buf[pos + i]
        value = (value << 7) | (b & 0x7F)
        if b < 0x80:
            return value, pos + i + 1
    value = (value << 8) | buf[pos + 8]
    if value >= 1 << 63:
        value -= 1 << 64
    return value, pos + 9


class PageReader:
    """The pages of a decrypted image, with the numbers of those that failed their check."""

    def __init__(self, image: bytes, page_size: int, usable: int, bad: set[int]) -> None:
        self.image = memoryview(image)
        self.page_size = page_size
        self.usable = usable
        self.bad = bad
        self.pages = len(image) // page_size
        self.seen: set[int] = set()
        #: Overflow pages of the rows read so far (never a b-tree page of their own).
        self.overflow: set[int] = set()

    def page(self, n: int) -> memoryview:
        if n < 1 or n > self.pages or n in self.bad:
            raise PageError(f"page {n} is missing or damaged")
        return self.image[(n - 1) * self.page_size : n * self.page_size]

    def table(self, root: int) -> TableRows:
        """Every readable row of the table b-tree rooted at ``root``, and the ranges lost."""
        out = TableRows()
        self._walk(root, None, None, out, 0)
        return out

    def _walk(self, n: int, after: int | None, upto: int | None, out: TableRows, depth: int) -> None:
        if n in self.seen or depth > 64:
            out.lost.append(LostRange(n, after, upto))
            return
        self.seen.add(n)
        try:
            page = self.page(n)
            start = 100 if n == 1 else 0
            kind = page[start]
            cells = struct.unpack(">H", page[start + 3 : start + 5])[0]
            if kind == LEAF_TABLE:
                out.rows.extend(self._leaf_rows(page, start, cells))
                return
            if kind != INTERIOR_TABLE:
                raise PageError(f"page {n} is not a table b-tree page")
            children = []
            low = after
            for p in _pointers(start, 12, cells):
                off = struct.unpack(">H", page[p : p + 2])[0]
                child = struct.unpack(">I", page[off : off + 4])[0]
                key, _ = varint(page, off + 4)
                children.append((child, low, key))
                low = key
            children.append((struct.unpack(">I", page[start + 8 : start + 12])[0], low, upto))
        except (PageError, IndexError, struct.error, ValueError):
            out.lost.append(LostRange(n, after, upto))
            return
        for child, lo, hi in children:
            self._walk(child, lo, hi, out, depth + 1)

    def _leaf_rows(self, page: memoryview, start: int, cells: int) -> list[tuple[int, list[Any]]]:
        return [self._leaf_cell(page, struct.unpack(">H", page[p : p + 2])[0]) for p in _pointers(start, 8, cells)]

    def leaf(self, n: int) -> list[tuple[int, list[Any]]]:
        """The rows of page ``n`` read as a table b-tree leaf on its own (an orphan: no parent reaches it).

        Raises :class:`PageError` unless the whole page reads as one: its type, every cell, every record, and
        rowids in ascending order, as SQLite keeps a leaf's cells.
        """
        if n == 1 or n in self.seen:
            raise PageError(f"page {n} is not an unreached page")
        page = self.page(n)
        if page[0] != LEAF_TABLE:
            raise PageError(f"page {n} is not a table leaf")
        try:
            cells = struct.unpack(">H", page[3:5])[0]
            if not 0 < cells <= self.usable // 4:
                raise PageError(f"page {n} has no plausible cell count")
            rows = self._leaf_rows(page, 0, cells)
        except (IndexError, struct.error, ValueError) as exc:
            raise PageError(f"page {n} does not read as a table leaf ({exc})") from None
        rowids = [r for r, _ in rows]
        if any(b <= a for a, b in zip(rowids, rowids[1:], strict=False)):
            raise PageError(f"page {n}'s rowids are not in order")
        self.seen.add(n)
        return rows

    def freelist(self) -> set[int] | None:
        """The pages on the database's freelist (header offsets 32 and 36), or None when it cannot be read whole.

        Freed pages may still hold deleted rows (unless SQLite zeroed them): they are never read as orphans.
        """
        header = self.image[:100]
        trunk, count = struct.unpack(">II", header[32:40])
        free: set[int] = set()
        while trunk:
            if trunk in free or len(free) > self.pages:
                return None
            try:
                page = self.page(trunk)
            except PageError:
                return None
            free.add(trunk)
            following, leaves = struct.unpack(">II", page[0:8])
            if leaves > (self.usable - 8) // 4:
                return None
            free.update(struct.unpack(f">{leaves}I", page[8 : 8 + 4 * leaves]))
            trunk = following
        return free if len(free) == count else None

    def _leaf_cell(self, page: memoryview, off: int) -> tuple[int, list[Any]]:
        size, pos = varint(page, off)
        rowid, pos = varint(page, pos)
        u = self.usable
        x = u - 35
        if size <= x:
            payload = bytes(page[pos : pos + size])
        else:
            m = ((u - 12) * 32 // 255) - 23
            k = m + ((size - m) % (u - 4))
            local = k if k <= x else m
            payload = bytes(page[pos : pos + local]) + self._overflow(
                struct.unpack(">I", page[pos + local : pos + local + 4])[0], size - local
            )
        if len(payload) != size:
            raise PageError("a row's payload is cut short")
        return rowid, record(payload)

    def _overflow(self, n: int, remaining: int) -> bytes:
        parts = []
        hops = 0
        while remaining > 0:
            hops += 1
            if hops > self.pages:
                raise PageError("an overflow chain loops")
            if n in self.overflow:  # SQLite never shares an overflow page: each is read once, whatever a file says
                raise PageError(f"overflow page {n} is claimed twice")
            page = self.page(n)
            self.overflow.add(n)
            take = min(remaining, self.usable - 4)
            parts.append(bytes(page[4 : 4 + take]))
            remaining -= take
            n = struct.unpack(">I", page[0:4])[0]
        return b"".join(parts)


def _pointers(start: int, header: int, cells: int) -> Iterator[int]:
    base = start + header
    return (base + 2 * i for i in range(cells))


def record(payload: bytes) -> list[Any]:
    """The values of an SQLite record (text decoded as UTF-8, as the wallet's database is)."""
    header_size, pos = varint(payload, 0)
    types = []
    while pos < header_size:
        t, pos = varint(payload, pos)
        types.append(t)
    values: list[Any] = []
    body = header_size
    for t in types:
        if t == 0:
            values.append(None)
        elif 1 <= t <= 6:
            n = (1, 2, 3, 4, 6, 8)[t - 1]
            values.append(int.from_bytes(payload[body : body + n], "big", signed=True))
            body += n
        elif t == 7:
            values.append(struct.unpack(">d", payload[body : body + 8])[0])
            body += 8
        elif t in (8, 9):
            values.append(t - 8)
        elif t >= 12:
            n = (t - 12) // 2 if t % 2 == 0 else (t - 13) // 2
            chunk = payload[body : body + n]
            values.append(bytes(chunk) if t % 2 == 0 else chunk.decode("utf-8", "replace"))
            body += n
        else:
            raise ValueError("reserved serial type")
    if body > len(payload):
        raise ValueError("record body cut short")
    return values
