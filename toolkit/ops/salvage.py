"""Salvage: recover every record that can still be read from a damaged backup.

``salvage(source, password)`` reads a backup however damaged it is and returns
a :class:`SalvageResult`: the recovered :class:`~toolkit.model.backup.Backup`, how
many records of each table were recovered, and which byte ranges of the
decrypted text were unreadable.  ``salvage_to(source, out, password)`` also
writes the recovered backup through :meth:`toolkit.Backup.save`
(atomic, read back and verified) so the wallet can import it.  The damaged
original is only ever read.

How (docs/FORMAT.md §1, CBC facts):

1. The outer JSON is read tolerantly (:func:`toolkit.format.container.parse_container`
   with ``tolerant=True``): a cipherText cut short keeps all its
   whole blocks; characters that are not base64 cost only the blocks they
   fall in.  A Desktop Wallet file keeps its metadata *after* the encrypted
   data, so a Desktop file cut inside cipherText cannot be decrypted at all
   (the salt and IV are gone); a legacy file keeps it first.
2. Every whole block is decrypted without the padding check.  A damaged
   ciphertext block k garbles plaintext block k completely and changes one
   byte of block k+1; nothing else.  Garbled blocks are found by what text
   cannot contain (control characters, invalid UTF-8); each one, and the
   block after it, is treated as unreadable and blanked out, and so is the
   block before one that reads as text with a changed byte (its garbage
   happened to read as text).
3. A JSON-aware scan then finds each top-level list by its key and every
   ``{...}`` object in it that parses on its own, lies wholly in readable
   text and has exactly the shape of one record kind
   (:mod:`toolkit.model.shapes`).  Nothing is guessed: a record is either
   recovered exactly as written, or left out.

Time: each candidate record is decoded from a window of the text that starts
small and doubles only while the candidate runs past its end, so a failed
attempt costs what it read, never the text before it (the standard library's
decode error counts the lines from the start of its text: an attempt on the
whole text made crafted files quadratic, 280 s for 1.3 MB).  Candidates start
where an object's first key does (``{"key":``).  What stays above linear (an
attempt inside another's unfinished object re-reads it, up to the parser's
nesting limit) is bounded by a work budget proportional to the text
(:data:`WORK_PER_CHAR`): past it the scan stops and the result says how far it
got (``stopped == "budget"``), as it does when ``stop`` asks (``"stopped"``).
Measured with ``bench/bench_salvage.py``.

Limits: a damaged ciphertext block k costs plaintext blocks k and k+1, and
also k+2 when the changed bytes of block k+1 cannot be told from garbage
(several damaged bytes in one block, or a flip inside a non-Latin
character).  A garbled block passes for one with a single changed byte about
2 times in 10,000; a record would then also have to start inside the next
block and stay valid JSON of the right shape with its changed byte.  Measured
on 60,000 damaged synthetic exports (random flips, one flip per block, bursts
of 2-40 bytes): no record invented, one record lost beyond blocks k and k+1.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from toolkit import errors
from toolkit.format import container as ct
from toolkit.format.passwords import MIN_PASSWORD_LENGTH
from toolkit.model.addresses import is_hex64
from toolkit.model.backup import DESKTOP, LEGACY, LEGACY_TYPE, Backup, TooManyContainersError, classify, open_with_key
from toolkit.model.kinds import kinds_of, shapes_of, table_names
from toolkit.model.network import LEGACY_ENVIRONMENTS
from toolkit.model.save import WriteResult
from toolkit.model.shapes import Shape, matching_kinds
from toolkit.textsafe import safe_text

if TYPE_CHECKING:
    import pandas as pd

BLOCK = ct.BLOCK
#: Tables reported for each kind, in file order (:func:`toolkit.model.kinds.table_names`, read when salvaging).
DESKTOP_TABLES = table_names(DESKTOP)
LEGACY_TABLES = table_names(LEGACY)

_CONTROL = re.compile(rb"[\x00-\x1f]")
# One or more valid UTF-8 characters that JSON text may hold as they are (no control characters).
_VALID_RUN = re.compile(
    rb"(?:[\x20-\x7f]|[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2})+"
)
# Printable ASCII, Latin letters (U+00C0-U+024F) and general punctuation (U+2010-U+206F, e.g. – ’ …),
# or a character cut at the end: what a block with a flipped byte may hold besides the flip.
_COMMON_TEXT = re.compile(
    rb"(?:[\x20-\x7e]|[\xc3-\xc8][\x80-\xbf]|\xc9[\x80-\x8f]|\xe2\x80[\x90-\xbf]|\xe2\x81[\x80-\xaf])*"
    rb"(?:[\xc3-\xc9]|\xe2|\xe2[\x80\x81])?"
)
_CHUNK = 1 << 14
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Where a record may start: an object's first key (both wallets write compact JSON, spaces are allowed).
_RECORD_START = re.compile(r'\{\s*"(?:[^"\\\x00-\x1f]|\\.)*"\s*:')
#: The first window a candidate is decoded from (characters); doubled while the candidate runs past its end.
_WINDOW = 1024
#: A decode error this close to a window's end may be the window's doing: the window is doubled.
_WINDOW_TAIL = 16
#: The work budget: characters re-read by windows beyond the first, per character of text (plus
#: :data:`WORK_BASE`).  A damaged backup needs 2 to 4; past it the scan stops (``stopped == "budget"``).
WORK_PER_CHAR = 16
WORK_BASE = 1 << 24
#: How many candidates are tried between two looks at ``stop``.
_STOP_EVERY = 256


def _refuse(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_refuse)


@dataclass
class SalvageResult:
    """What was recovered, what was lost, and (after :func:`salvage_to`) what was written."""

    backup: Backup
    kind: str
    #: Records recovered per table (``genesis``: 1 or 0).
    recovered: dict[str, int]
    #: Unreadable byte ranges [start, end) of the decrypted text; end None: to the end (cut off).
    lost_bytes: list[tuple[int, int | None]]
    #: Per table: unreadable stretches inside that table's part of the text (each cost a record or more).
    damaged: dict[str, int]
    #: Tables whose place in the file could not be read at all (they may have held records).
    unread: list[str]
    #: Nothing was lost: the file decrypted and parsed as a whole.
    intact: bool
    #: The encrypted data was cut short (the end of the text is missing).
    truncated: bool
    #: Decrypted bytes available (readable or not).
    plaintext_bytes: int
    #: Plain sentences for the person: what the losses mean, what to do.
    notes: list[str] = field(default_factory=list)
    output: WriteResult | None = None
    #: Why the search for records ended before the end of the text: ``"stopped"`` (``stop`` asked) or
    #: ``"budget"`` (the file asked for far more work than its size; see :data:`WORK_PER_CHAR`); None: it did not.
    stopped: str | None = None
    #: Decrypted bytes searched for records (all of them unless ``stopped``).
    scanned_bytes: int | None = None

    @property
    def complete(self) -> bool:
        """Alias of :attr:`intact`."""
        return self.intact

    # What was recovered and lost, in the words every interface shows (the CLI and the form alike).
    def lost_text(self) -> str:
        """The unreadable byte ranges in words: ``bytes 4,992–5,024 and 12,000–12,032 of 19,876 decrypted``."""
        if not self.lost_bytes:
            return "nothing"
        spans = [f"{s:,}–{e:,}" if e is not None else f"{s:,} to the end" for s, e in self.lost_bytes]
        joined = spans[0] if len(spans) == 1 else ", ".join(spans[:-1]) + " and " + spans[-1]
        return f"bytes {joined} of {self.plaintext_bytes:,} decrypted"

    def headline(self, name: str) -> str:
        """One sentence: intact, or how many records were recovered and what is unreadable."""
        total = sum(self.recovered.values())
        if self.intact:
            return f"{name} is intact: all {total:,} records read, nothing lost."
        cut = " The file was cut short." if self.truncated else ""
        if self.stopped:
            why = "as asked" if self.stopped == "stopped" else "at the work budget"
            cut += f" The search stopped {why} after {self.scanned_bytes or 0:,} of {self.plaintext_bytes:,} bytes."
        return f"{name}: recovered {total:,} records; unreadable: {self.lost_text()}.{cut}"

    def unread_text(self) -> str:
        """The tables whose place in the file could not be read, as a sentence ("" when none)."""
        return f"Tables whose place could not be read: {', '.join(self.unread)}." if self.unread else ""

    def __repr__(self) -> str:
        total = sum(self.recovered.values())
        state = f"intact, {total:,} records" if self.intact else f"{total:,} records recovered, lost {self.lost_text()}"
        return f"<SalvageResult {self.kind}: {state}>"

    def _repr_html_(self) -> str:
        """In a notebook: the one-line summary, then records recovered per table."""
        import html

        return f"<p>{html.escape(repr(self))}</p>" + self.table().to_html(index=False, border=0)

    def to_dict(self) -> dict[str, Any]:
        """The ``salvage --json`` object."""
        out: dict[str, Any] = {
            "recovered": dict(self.recovered),
            "lost_bytes": [[s, e] for s, e in self.lost_bytes],
            "output": self.output.path if self.output else None,
            "kind": self.kind,
            "intact": self.intact,
            "truncated": self.truncated,
            "damaged": dict(self.damaged),
            "unread": list(self.unread),
            "plaintextBytes": self.plaintext_bytes,
            "notes": list(self.notes),
            "stopped": self.stopped,
            "scannedBytes": self.scanned_bytes,
        }
        if self.output:
            out["written"] = self.output.to_dict()
        return out

    def table(self) -> pd.DataFrame:
        """Per table: ``recovered``, ``damaged`` (unreadable stretches), ``unread`` (its place unreadable)."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "table": name,
                    "recovered": n,
                    "damaged": self.damaged.get(name, 0),
                    "unread": name in self.unread,
                }
                for name, n in self.recovered.items()
            ]
        )


# --------------------------------------------------------------------------- blocks


def _gaps(data: bytes) -> list[tuple[int, int]]:
    """Byte ranges of ``data`` that are not valid UTF-8 text without control characters.

    Checked in chunks cut at character boundaries; only a chunk that fails
    the fast check (decode, no control characters) is scanned byte by byte.
    """
    if not _CONTROL.search(data):
        try:
            data.decode("utf-8")
            return []
        except UnicodeDecodeError:
            pass
    out: list[tuple[int, int]] = []
    c0, n = 0, len(data)
    while c0 < n:
        c1 = min(c0 + _CHUNK, n)
        while c1 < n and c1 < c0 + _CHUNK + 3 and 0x80 <= data[c1] <= 0xBF:
            c1 += 1  # do not cut a character
        if _CONTROL.search(data, c0, c1) or not _decodes(data[c0:c1]):
            pos = c0
            for m in _VALID_RUN.finditer(data, c0, c1):
                if m.start() > pos:
                    out.append((pos, m.start()))
                pos = m.end()
            if pos < c1:
                out.append((pos, c1))
        c0 = c1
    # merge ranges that meet at a chunk edge
    merged: list[tuple[int, int]] = []
    for g in out:
        if merged and merged[-1][1] == g[0]:
            merged[-1] = (merged[-1][0], g[1])
        else:
            merged.append(g)
    return merged


def _decodes(chunk: bytes) -> bool:
    try:
        chunk.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _bad_blocks(plain: bytes) -> list[int]:
    """Blocks that hold something text cannot (see :func:`_block_defects`)."""
    candidates: set[int] = set()
    for s, e in _gaps(plain):
        candidates.update(range(s // BLOCK, (e - 1) // BLOCK + 1))
    return sorted(b for b in candidates if _block_defects(plain, b))


def _flip_only(plain: bytes, b: int) -> bool:
    """Is block ``b`` text with at most a byte or two changed (damage to the block before it), not garbled?

    A flipped byte shows as one defect (two when it breaks a multi-byte
    character).  The rest of the block must be plain printable ASCII: a
    random (garbled) block passes this about 4 times in 100,000.
    """
    bad = _block_defects(plain, b)
    if not bad:
        return True
    if bad[-1] - bad[0] >= 4:  # one flipped byte breaks at most one character
        return False
    start, end = _block_span(plain, b)
    rest = bytes(plain[p] for p in range(start, end) if p not in bad)
    return _COMMON_TEXT.fullmatch(rest) is not None


def _lost_blocks(plain: bytes, bad_blocks: list[int], known: set[int]) -> set[int]:
    lost = set(known)
    i = 0
    while i < len(bad_blocks):
        a = b = bad_blocks[i]
        while i + 1 < len(bad_blocks) and bad_blocks[i + 1] == b + 1:
            i += 1
            b = bad_blocks[i]
        lost.update(range(a, b + 1))
        if a > 0 and _flip_only(plain, a):
            # Block a reads as text with a changed byte: ciphertext block a-1 was damaged, so plaintext a-1
            # is garbled even though it happened to read as text (about 2 times in 10,000).
            lost.add(a - 1)
        if b == a or not _flip_only(plain, b):
            lost.add(b + 1)  # block b was garbled, so b+1 has a changed byte somewhere
        i += 1
    last = (len(plain) - 1) // BLOCK
    return {k for k in lost if 0 <= k <= last}


def _ranges(lost: set[int], length: int, tail_lost: bool) -> list[tuple[int, int | None]]:
    out: list[tuple[int, int | None]] = []
    for k in sorted(lost):
        s, e = k * BLOCK, min((k + 1) * BLOCK, length)
        if out and out[-1][1] == s:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    if tail_lost:
        if out and out[-1][1] == length:
            out[-1] = (out[-1][0], None)
        else:
            out.append((length, None))
    return out


def _password_confirmed(plain: bytes, nblocks: int) -> bool:
    if ct.classify_first_block(plain[:BLOCK]) is not None:
        return True
    # Without the known start: most blocks of a right key read as text, blocks of a wrong key almost never.
    last = (len(plain) - 1) // BLOCK
    sample = list(range(0, last + 1, max(1, (last + 1) // 256)))
    good = sum(1 for k in sample if _block_reads(plain, k))
    return len(sample) >= 3 and good * 2 > len(sample)


def _block_span(plain: bytes, b: int) -> tuple[int, int]:
    """Block ``b`` without the continuation bytes it starts with (they end a character of the block before)."""
    start, end = b * BLOCK, min((b + 1) * BLOCK, len(plain))
    s = start
    while s < min(start + 3, end) and 0x80 <= plain[s] <= 0xBF:
        s += 1
    return s, end


def _utf8_prefix(tail: bytes) -> bool:
    """Is ``tail`` the start of a multi-byte character (cut by the block edge)?"""
    lead = tail[0]
    need = 2 if 0xC2 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else 4 if 0xF0 <= lead <= 0xF4 else 0
    return len(tail) < need and all(0x80 <= c <= 0xBF for c in tail[1:])


def _block_defects(plain: bytes, b: int) -> list[int]:
    """Positions in block ``b`` that text cannot hold; a character split at either edge is no defect."""
    s, end = _block_span(plain, b)
    gaps = _gaps(plain[s:end])
    if gaps and gaps[-1][1] == end - s and _utf8_prefix(plain[s + gaps[-1][0] : end]):
        gaps.pop()
    return [p for g0, g1 in gaps for p in range(s + g0, s + g1)]


def _block_reads(plain: bytes, b: int) -> bool:
    return not _block_defects(plain, b)


# --------------------------------------------------------------------------- the tolerant scan


def _accept(obj: Any, shapes: dict[str, Shape], allowed: tuple[str, ...]) -> str | None:
    kinds = matching_kinds(obj, shapes, allowed)
    if len(kinds) != 1:
        return None
    if (
        shapes is shapes_of(LEGACY)
        and kinds[0] == "identities"
        and any(shapes["accounts"].problems(a) for a in obj["accounts"])
    ):
        return None
    return kinds[0]


def _junk(gap: str) -> bool:
    return bool(gap.strip(",[]{} \t\r\n"))


@dataclass
class _Region:
    name: str  # the table whose key opens it (or the first table that may lie in it)
    start: int
    end: int
    allowed: tuple[str, ...]


def _regions(
    text: str, order: tuple[str, ...], patterns: dict[str, str], stop: int | None
) -> tuple[list[_Region], set[str]]:
    """Where each table's part of the text starts, by its key; keys are looked for in file order."""
    found: list[tuple[str, int, int]] = []  # (name, key position, content start)
    pos = 0
    for name in order:
        i = text.find(patterns[name], pos)
        if i >= 0:
            content = i + len(patterns[name]) - (1 if patterns[name].endswith("{") else 0)
            found.append((name, i, content))
            pos = content
    limit = len(text) if stop is None else stop
    names = [f[0] for f in found]
    regions: list[_Region] = []
    bounds = [("", 0, 0), *found]
    for n, (name, _key, content) in enumerate(bounds):
        end = found[n][1] if n < len(found) else limit
        nxt = order.index(found[n][0]) if n < len(found) else len(order)
        first = order.index(name) if name else 0
        allowed = tuple(k for k in order[first:nxt] if k == name or k not in names)
        if not allowed:
            continue
        regions.append(_Region(name or allowed[0], content, max(content, end), allowed))
    return regions, set(names)


class _Work:
    """The scan's work budget and its way to be stopped; :attr:`stopped` says why it ended early, and :attr:`at`
    where (a character of the text)."""

    def __init__(self, length: int, stop: Any) -> None:
        self.left = WORK_PER_CHAR * length + WORK_BASE
        self._stop = getattr(stop, "is_set", stop)  # an Event or a callable
        self._count = 0
        self.stopped: str | None = None
        self.at: int | None = None

    def spend(self, chars: int) -> None:
        self.left -= chars

    def over(self, at: int) -> bool:
        """Should the scan end at character ``at``?  (The budget spent, or ``stop`` asks; looked at now and then.)"""
        if self.left < 0:
            self.stopped = "budget"
        else:
            self._count += 1
            if self._stop is not None and not self._count % _STOP_EVERY and self._stop():
                self.stopped = "stopped"
        if self.stopped:
            self.at = at
        return self.stopped is not None


def _decode(text: str, j: int, work: _Work) -> tuple[Any, int] | None:
    """The JSON value starting at ``text[j]`` and where it ends, or None: decoded from a window that doubles
    while the value runs past its end, so an attempt costs what it reads (an error of the standard library's
    decoder counts lines over all the text it was given)."""
    n = len(text)
    size = _WINDOW
    while True:
        end = min(n, j + size)
        window = text[j:end]
        if size > _WINDOW:
            work.spend(len(window))
        try:
            obj, e = _DECODER.raw_decode(window)
            return obj, j + e
        except json.JSONDecodeError as exc:
            cut = exc.pos >= len(window) - _WINDOW_TAIL or exc.msg.startswith("Unterminated string")
            if end >= n or not cut:
                return None
        except (ValueError, RecursionError):  # NaN and the like; nesting beyond the parser's limit
            return None
        size *= 2


def _scan(
    text: str, regions: list[_Region], shapes: dict[str, Shape], extra: tuple[str, ...] = (), work: _Work | None = None
) -> tuple[dict[str, list[Any]], dict[str, int]]:
    """Every complete record in each region, and the unreadable stretches per region (until ``work`` ends it)."""
    work = work or _Work(len(text), None)
    records: dict[str, list[Any]] = {k: [] for k in shapes}
    damaged: dict[str, int] = {}
    pos = 0
    for region in regions:
        allowed = region.allowed + tuple(k for k in extra if k not in region.allowed)
        i = last = max(region.start, pos)
        junk = 0
        while True:
            m = _RECORD_START.search(text, i, region.end)
            if m is None:
                break
            j = m.start()
            if work.over(j):
                break
            decoded = _decode(text, j, work)
            if decoded is None:
                i = j + 1
                continue
            obj, e = decoded
            kind = _accept(obj, shapes, allowed)
            if kind is None or _SURROGATE.search(text, j, e):  # an undecodable byte inside
                i = j + 1
                continue
            junk += _junk(text[last:j])
            records[kind].append(obj)
            i = last = e
        if work.stopped:  # what follows was not searched: neither records nor damage are known there
            if junk:
                damaged[region.name] = damaged.get(region.name, 0) + junk
            break
        pos = max(pos, last)
        junk += _junk(text[last : region.end]) if last < region.end else 0
        if junk:
            damaged[region.name] = damaged.get(region.name, 0) + junk
    return records, damaged


# --------------------------------------------------------------------------- the documents


def _desktop(
    text: str, lost_any: bool, work: _Work
) -> tuple[dict[str, Any], dict[str, int], dict[str, int], list[str]]:
    kinds = kinds_of(DESKTOP)
    order = tuple(k.name for k in kinds)
    patterns = {k.name: f'"{k.name}":' + ("{" if k.single else "[") for k in kinds}
    regions, found = _regions(text, order, patterns, None)
    recs, damaged = _scan(text, regions, shapes_of(DESKTOP), work=work)
    doc: dict[str, Any] = {}
    for kind in kinds:  # a list every writer writes is there even empty; one older files lack only when read
        if kind.single:
            if recs[kind.name]:
                doc[kind.name] = recs[kind.name][0]
        elif kind.always_written or kind.name in found or recs[kind.name]:
            doc[kind.name] = recs[kind.name]
    recovered = {k.name: (1 if recs[k.name] else 0) if k.single else len(recs[k.name]) for k in kinds}
    unread = [n for n in order if lost_any and n not in found and not recs[n]]
    return doc, recovered, damaged, unread


_LEGACY_ORDER = ("identities", "recipients")
_LEGACY_PATTERNS = {"identities": '"identities":[', "recipients": '"recipients":['}
_ENV = re.compile(r'"environment":"([A-Za-z0-9_.-]{1,40})"')
_VERSION = re.compile(r'"v":(\d{1,9})[,}]')


def _legacy(
    text: str, lost_any: bool, notes: list[str], work: _Work
) -> tuple[dict[str, Any], dict[str, int], dict[str, int], list[str]]:
    envs = list(_ENV.finditer(text))
    env_m = envs[-1] if envs else None  # the top-level field comes last
    regions, found = _regions(text, _LEGACY_ORDER, _LEGACY_PATTERNS, env_m.start() if env_m else None)
    recs, damaged = _scan(text, regions, shapes_of(LEGACY), extra=("accounts",), work=work)
    orphans = recs["accounts"]  # complete accounts outside any complete identity
    if orphans:
        notes.append(
            f"{len(orphans)} account(s) could be read but their identity could not; a mobile wallet file "
            "holds accounts only inside their identity, so they are not in the recovered file."
        )
    head = text[: regions[0].start] if regions else text
    v_m = _VERSION.search(head)
    value: dict[str, Any] = {"identities": recs["identities"]}
    if "recipients" in found or recs["recipients"]:
        value["recipients"] = recs["recipients"]
    doc: dict[str, Any] = {"type": LEGACY_TYPE, "v": int(v_m.group(1)) if v_m else 1, "value": value}
    if not v_m:
        notes.append("The version field could not be read; it was set to 1, the only version the mobile wallet writes.")
    if env_m:
        doc["environment"] = env_m.group(1)
        if env_m.group(1) not in LEGACY_ENVIRONMENTS:
            notes.append(f"The file names the environment '{env_m.group(1)}', which this toolkit does not know.")
    else:
        notes.append(
            "The network (environment) could not be read, so the recovered file names none; restore it only on "
            "the network it came from."
        )
    recovered = {
        "identities": len(recs["identities"]),
        "accounts": sum(len(i["accounts"]) for i in recs["identities"]),
        "recipients": len(recs["recipients"]),
    }
    unread = [n for n in _LEGACY_ORDER if lost_any and n not in found and not recs[n]]
    if "identities" in damaged:
        damaged["accounts"] = damaged["identities"]
    return doc, recovered, damaged, unread


def _add_wallets(doc: dict[str, Any], wallets: dict[int, str] | None, notes: list[str]) -> None:
    for wid, identifier in sorted((wallets or {}).items()):
        if isinstance(wid, bool) or not isinstance(wid, int) or not is_hex64(identifier):
            raise errors.InvalidArgumentError(
                f"Wallet {wid!r}: a wallet is given as its id and the Ledger's 64 lowercase hex pairing key",
                subject="wallets",
            )
        have = {w.get("id"): w for w in doc["wallets"]}
        if wid in have:
            if have[wid].get("identifier") != identifier:
                notes.append(f"Wallet {wid} was recovered from the file; the identifier given for it was not used.")
            continue
        doc["wallets"].append({"id": wid, "identifier": identifier, "type": "ledgernanos"})
        notes.append(f"Wallet {wid} was added with the Ledger identifier you gave.")


#: How the note about a lost wallet (Ledger) entry starts (an interface may add how to give its identifier).
LOST_WALLET_NOTE = "The entry of wallet"


def _names(identities: list[Any], accounts: list[Any], limit: int = 5) -> str:
    """`` (identity “Alice”; accounts “Savings 1”, “Spending”)``: the names lone records still have ("" if none)."""
    parts = []
    for one, many, records in (("identity", "identities", identities), ("account", "accounts", accounts)):
        names = [safe_text(r.get("name")) for r in records if isinstance(r, dict) and isinstance(r.get("name"), str)]
        if names:
            shown = ", ".join(f"“{n[:60]}”" for n in names[:limit]) + (", …" if len(names) > limit else "")
            parts.append(f"{one if len(names) == 1 else many} {shown}")
    return f" ({'; '.join(parts)})" if parts else ""


def _desktop_notes(doc: dict[str, Any], recovered: dict[str, int], lost_any: bool, notes: list[str]) -> None:
    wallet_ids = {w.get("id") for w in doc.get("wallets", [])}
    identities = doc.get("identities", [])
    lone_identities = [i for i in identities if i.get("walletId") not in wallet_ids]
    usable = {i.get("id") for i in identities if i.get("walletId") in wallet_ids}
    lone_accounts = [a for a in doc.get("accounts", []) if a.get("identityId") not in usable]
    lone_creds = [c for c in doc.get("credentials", []) if c.get("identityId") not in usable]
    parts = [
        f"{n} {word if n != 1 else word[:-1] if word != 'identities' else 'identity'}"
        for n, word in (
            (len(lone_identities), "identities"),
            (len(lone_accounts), "accounts"),
            (len(lone_creds), "credentials"),
        )
        if n
    ]
    if parts:
        listed = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
        one = len(lone_identities) + len(lone_accounts) + len(lone_creds) == 1
        named = _names(lone_identities, lone_accounts)
        notes.append(
            f"{listed}{named} {'belongs' if one else 'belong'} to a wallet (Ledger) entry or identity that was lost; "
            f"the Desktop Wallet imports {'it' if one else 'them'} only through {'its' if one else 'their'} wallet "
            f"and identity, so it will leave {'it' if one else 'them'} out ({'it is' if one else 'they are'} kept "
            "in the file)."
        )
    missing = sorted({i.get("walletId") for i in lone_identities if isinstance(i.get("walletId"), int)})
    if missing:
        ids = ", ".join(str(m) for m in missing)
        notes.append(
            f"{LOST_WALLET_NOTE} {ids} was lost. If you have that Ledger, read its identifier with the "
            "Ledger check and salvage again giving it for that wallet id to make these importable."
        )
    if lost_any and not recovered.get("genesis"):
        notes.append(
            "The network (genesis) could not be read, so the recovered file names none and the Desktop Wallet "
            "will import it on any network: import it only on the network it came from."
        )


# --------------------------------------------------------------------------- public API


def salvage(
    source: str | os.PathLike[str] | bytes,
    password: str | bytes,
    *,
    wallets: dict[int, str] | None = None,
    max_size: int = ct.MAX_FILE_SIZE,
    stop: Callable[[], bool] | threading.Event | None = None,
) -> SalvageResult:
    """Recover every complete record of a backup, however damaged; nothing is written.

    ``wallets`` maps a Desktop wallet id to its Ledger's identifier (64 hex),
    for wallet entries that were lost; they are added only where the file's
    own entry could not be read.  ``stop`` (a callable or a :class:`threading.Event`)
    is looked at during the search for records: when it says so, the search ends and
    the result holds what was found so far (``stopped == "stopped"``); so it does when
    the work budget is spent (``"budget"``; time stays linear in the file's size).
    Raises :class:`~toolkit.errors.WrongPasswordError` when the password cannot be
    confirmed, and :class:`~toolkit.errors.NotSalvageableError` when nothing can be
    decrypted or nothing readable is left.
    """
    data = ct.read_source(source, max_size=max_size)
    box = ct.parse_container(data, tolerant=True)
    key = ct.derive_key(password, box.kdf)
    name = os.fspath(source) if isinstance(source, (str, os.PathLike)) else None
    if not box.bad_ranges and not box.cut:
        result = _intact(box, key, name, list(box.notes), wallets)
        if result is not None:
            return result

    plain, padded, partial, known = _decrypt_damaged(box, key)
    text, lost_ranges = _readable_text(plain, known, padded)

    notes = list(box.notes)
    if not padded and not box.cut:
        notes.append(
            "The end of the encrypted data is damaged or missing; the text after the last readable block is lost."
        )
    lost_any = bool(lost_ranges)
    first_kind = ct.classify_first_block(plain[:BLOCK])
    kind = first_kind or _guess_kind(text, box.layout)
    work = _Work(len(text), stop)
    if kind == LEGACY:
        doc, recovered, damaged, unread = _legacy(text, lost_any, notes, work)
    else:
        doc, recovered, damaged, unread = _desktop(text, lost_any, work)
        _add_wallets(doc, wallets, notes)
        _desktop_notes(doc, recovered, lost_any, notes)
    scanned = len(plain) if work.at is None else len(text[: work.at].encode("utf-8", "surrogateescape"))
    if work.stopped:
        unread = []  # tables past the stop were not looked for: "unread" would say they were
        notes.insert(0, _stop_note(work.stopped, scanned, len(plain)))
    if not any(recovered.values()):
        raise _nothing_recovered(work.stopped, scanned, len(plain))
    classify(doc)  # the recovered document has its wallet's shape
    return SalvageResult(
        backup=Backup(doc, kind=kind),
        kind=kind,
        recovered=recovered,
        lost_bytes=lost_ranges,
        damaged=damaged,
        unread=unread,
        intact=False,
        truncated=box.cut or partial,
        plaintext_bytes=len(plain),
        notes=notes,
        stopped=work.stopped,
        scanned_bytes=scanned,
    )


def _decrypt_damaged(box: ct.Container, key: bytes) -> tuple[bytes, bool, bool, set[int]]:
    """Every block of a damaged file decrypted: (plaintext, whether its padding was found and removed,
    whether the ciphertext ends part-way into a block, the blocks the container's damage reaches).
    :class:`~toolkit.errors.WrongPasswordError` when the plaintext does not confirm the password."""
    ctext = box.ciphertext
    nblocks = len(ctext) // BLOCK
    if nblocks == 0:
        raise errors.NotSalvageableError(
            f"Only {len(ctext)} bytes of encrypted data are left, less than one 16-byte block"
        )
    raw = ct.decrypt_blocks(ctext, box.iv, key)
    known: set[int] = set()
    for s, e in box.bad_ranges:
        for k in range(s // BLOCK, (e - 1) // BLOCK + 1):
            known.update((k, k + 1))
    partial = len(ctext) % BLOCK != 0
    plain, padded = raw, False
    if not box.cut and not partial and (nblocks - 1) not in known:
        n = raw[-1]
        if 1 <= n <= BLOCK and raw[-n:] == bytes([n]) * n:
            plain, padded = raw[:-n], True
    if not _password_confirmed(plain, nblocks):
        raise errors.WrongPasswordError(
            "The password does not open this file (or the file is too damaged to tell)",
        )
    return plain, padded, partial, known


def _readable_text(plain: bytes, known: set[int], padded: bool) -> tuple[str, list[tuple[int, int | None]]]:
    """The plaintext as text with its lost blocks blanked (zero bytes), and the byte ranges lost."""
    lost = _lost_blocks(plain, _bad_blocks(plain), known)
    lost_ranges = _ranges(lost, len(plain), tail_lost=not padded)
    masked = bytearray(plain)
    for k in lost:
        masked[k * BLOCK : (k + 1) * BLOCK] = bytes(len(masked[k * BLOCK : (k + 1) * BLOCK]))
    return bytes(masked).decode("utf-8", "surrogateescape"), lost_ranges


def _stop_note(stopped: str, scanned: int, total: int) -> str:
    """The note that the search for records ended early: asked to stop, or its work budget spent."""
    where = f"after {scanned:,} of {total:,} decrypted bytes"
    if stopped == "stopped":
        return f"The search for records was stopped {where}, as asked; records after that point were not looked for."
    return (
        f"The search for records ended {where}: this file asks for far more work than a backup of its "
        "size (it holds text crafted to slow a search, or unusual damage); records after that point were "
        "not looked for."
    )


def _nothing_recovered(stopped: str | None, scanned: int, total: int) -> errors.NotSalvageableError:
    """The error when no complete record was read (saying so when the search ended early)."""
    if stopped:
        return errors.NotSalvageableError(
            f"The search for records ended after {scanned:,} of {total:,} decrypted bytes"
            + (", as asked," if stopped == "stopped" else " (the work budget was spent)")
            + " before any complete record was read"
        )
    return errors.NotSalvageableError("The password is right, but no complete record could be read from the file")


def _guess_kind(text: str, layout: str) -> str:
    if LEGACY_TYPE in text or '"privateIdObjectData":' in text or '"recipients":[' in text:
        return LEGACY
    if '"addressBook":[' in text or '"identityId":' in text:
        return DESKTOP
    return LEGACY if layout == "legacy" else DESKTOP


def _intact(
    box: ct.Container, key: bytes, name: str | None, notes: list[str], wallets: dict[int, str] | None
) -> SalvageResult | None:
    try:
        backup = open_with_key(box, key, source=name)
    except (errors.DamagedError, errors.WrongPasswordError, TooManyContainersError):
        return None  # too many objects to parse whole within the memory bound: read piece by piece
    # It decrypted with valid padding and parsed (or is acceptable-JSON-shaped): the password
    # is right and nothing is damaged, so content that is no wallet's is said as such.
    kind, doc = backup.kind, backup.document
    notes = list(notes)
    if kind == LEGACY:
        recovered = {t: backup.counts().get(t) or 0 for t in table_names(LEGACY)}
    else:
        recovered = {
            k.name: (1 if doc.get(k.name) else 0) if k.single else len(backup.records(k.name))
            for k in kinds_of(DESKTOP)
        }
        if wallets:
            _add_wallets(doc, wallets, notes)
            _desktop_notes(doc, recovered, False, notes)
    notes.insert(0, "The file is intact: everything was recovered and nothing was lost.")
    return SalvageResult(
        backup=backup,
        kind=kind,
        recovered=recovered,
        lost_bytes=[],
        damaged={},
        unread=[],
        intact=True,
        truncated=False,
        plaintext_bytes=backup.plaintext_bytes or 0,
        notes=notes,
        scanned_bytes=backup.plaintext_bytes or 0,
    )


def salvage_to(
    source: str | os.PathLike[str] | bytes,
    out: str | os.PathLike[str],
    password: str,
    *,
    new_password: str | None = None,
    force: bool = False,
    iterations: int | None = None,
    wallets: dict[int, str] | None = None,
) -> SalvageResult:
    """:func:`salvage`, then write the recovered backup to ``out`` (atomic, verified; never over ``source``).

    The recovered file keeps ``password`` unless ``new_password`` is given.
    """
    result = salvage(source, password, wallets=wallets)
    protect = (source,) if isinstance(source, (str, os.PathLike)) else ()
    try:
        result.output = result.backup.save(
            out,
            new_password if new_password is not None else password,
            force=force,
            protect=protect,
            iterations=iterations,
        )
    except errors.PasswordTooShortError:
        if new_password is not None:
            raise
        raise errors.PasswordTooShortError(
            f"The original password is shorter than the {MIN_PASSWORD_LENGTH} characters the Desktop Wallet requires",
            hint="Give a new password for the recovered file.",
            subject="new_password",
        ) from None
    return result
