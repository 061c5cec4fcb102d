"""Candidate passwords from what the owner remembers: lists, tokens and typos.

A :class:`Candidates` object describes one deterministic stream of distinct
candidate passwords.  The stream can be walked any number of times and always
yields the same strings in the same order, which is what lets a search count
its candidates before starting and resume from a position (an index into this
stream) without writing any candidate down.

Sources
-------
- **candidate files**: UTF-8 text, one candidate per line.  Only the line
  ending (``\\n`` or ``\\r\\n``) is removed: spaces are kept, since they may be
  part of a password.  Empty lines are skipped; a UTF-8 BOM is ignored.
- **words**: an in-memory list (for the library and the notebook form).
- **token files**: pieces combined in order (syntax below).

Token file syntax (btcrecover-style, pieces in the order of the lines)
----------------------------------------------------------------------
- Each non-blank line is one *piece*; a candidate is one choice from each
  line, joined with nothing in between, lines in file order.
- The tokens on a line are *alternatives* (separated by spaces or tabs):
  exactly one of them is used.
- A line is **optional** (it may also be left out) unless its first word is a
  lone ``+``, which makes it **required**.
- A line whose first non-blank character is ``#`` is a comment.
- Escapes inside a token: ``%s`` space, ``%t`` tab, ``%%`` percent sign,
  ``%+`` plus sign, ``%#`` hash sign, ``%d`` any one digit (``19%d%d`` is the
  100 tokens ``1900`` … ``1999``).  Any other ``%`` sequence is an error.

Example::

    # "It was my dog's name, maybe capitalised, then a year, perhaps a '!'"
    + rex Rex REX
    + 19%d%d 20%d%d
    ! !!

tries ``rex1900``, ``rex1900!``, ``rex1900!!``, ``rex1901`` … — 3 × 200 × 3 =
1,800 candidates.  Order: optional lines try "left out" first, then their
tokens left to right; the last line varies fastest.  Duplicate tokens on a
line are ignored, and a candidate that several combinations spell (``ab`` +
``c`` and ``a`` + ``bc``) is produced once, at its first combination: the
stream of a token file has no duplicates and its count is exact, however large
it is, without holding a set (each combination is checked by a small parse of
the string it spells).

Typos
-----
With ``typos=N`` every candidate is followed (after all candidates have been
tried as written) by its variants with 1 typo, then 2, … up to N.  A variant
with n typos changes n *different* positions of the candidate, each by one of:

- ``case``: flip the case of one letter (``a`` ↔ ``A``),
- ``swap``: swap a character with the next one,
- ``delete``: leave one character out,
- ``repeat``: type one character twice,
- ``insert``: type an extra character (from ``insert_chars``, default
  lower-case letters and digits) before a character or at the end,

and ``capslock`` (the case of every letter inverted) counts as one typo too.
Each kind can be switched off.  Variants shorter than ``min_length`` are
skipped before any work is spent on them, and so are whole candidates whose
variants can never reach it.

Length
------
``min_length`` (default 6, the Desktop Wallet's rule) counts characters the
way the wallet does (JavaScript string length: an emoji counts as 2).

Duplicates and the memory bound
-------------------------------
Token combinations are free of duplicates by construction (above).  Duplicates
between candidate lines, between sources, and among typo variants are removed
with a set of 64-bit fingerprints (BLAKE2b) of the candidates already
produced.  The set holds at most ``dedupe_limit`` entries (default 1,000,000,
about 80 MB); once full it is still consulted but no longer grows, so a
candidate first seen after that may be tried twice — costing time, never
skipping a candidate.  Within the bound the stream is exactly the distinct
candidates (a 64-bit collision, about 1 in 10^13 per candidate, could only
drop a *different* candidate that shares a fingerprint).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import string
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations, islice, product

from toolkit import errors


class CountStopped(Exception):  # noqa: N818 - a signal, not an error
    """:meth:`Candidates.count` was asked to stop; ``args[0]`` is how many were counted."""


TYPO_KINDS: tuple[str, ...] = ("case", "swap", "delete", "repeat", "insert", "capslock")
DEFAULT_INSERT_CHARS = string.ascii_lowercase + string.digits
#: The Desktop Wallet refuses export passwords shorter than this.
DEFAULT_MIN_LENGTH = 6
MAX_TYPOS = 3
DEFAULT_DEDUPE_LIMIT = 1_000_000
#: A token file spelling more raw combinations than this is refused (it could not be searched anyway).
MAX_TOKEN_COMBINATIONS = 10**9
MAX_LINE_ALTERNATIVES = 100_000
MAX_TOKENS_FILE = 1024 * 1024
#: A candidate line longer than this (bytes) is refused: no password is that long, and
#: ``/dev/zero`` must not be read without bound.
MAX_LINE_BYTES = 4096
#: Token sets with more combinations than this are estimated from their first ones.
ESTIMATE_SAMPLE = 20_000
#: Changes whenever the stream a definition produces changes (checkpoints then refuse to resume).
STREAM_VERSION = 1

_BOM = b"\xef\xbb\xbf"
_ESCAPES = {"s": " ", "t": "\t", "%": "%", "+": "+", "#": "#"}


def js_length(text: str) -> int:
    """The length JavaScript reports (UTF-16 code units), as the Desktop Wallet counts it."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _fingerprint(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class TokenLine:
    """One line of a token file: its alternatives (never shown) and whether it is required."""

    alternatives: tuple[str, ...] = field(repr=False)
    required: bool = True


def _expand_token(word: str, line_no: int) -> list[str]:
    """Resolve escapes; ``%d`` multiplies the token into ten."""
    parts: list[list[str]] = []
    i = 0
    while i < len(word):
        ch = word[i]
        if ch != "%":
            parts.append([ch])
            i += 1
            continue
        if i + 1 >= len(word):
            raise errors.CandidatesError(f"Line {line_no} of the tokens ends a token with a lone %")
        code = word[i + 1]
        if code == "d":
            parts.append(list(string.digits))
        elif code in _ESCAPES:
            parts.append([_ESCAPES[code]])
        else:
            raise errors.CandidatesError(
                f"Line {line_no} of the tokens has an unknown escape %{code} (known: %s %t %% %+ %# %d)"
                if code.isascii() and code.isprintable()
                else f"Line {line_no} of the tokens has an unknown escape after %"
            )
        i += 2
    count = 1
    for p in parts:
        count *= len(p)
    if count > MAX_LINE_ALTERNATIVES:
        raise errors.CandidatesError(
            f"A token on line {line_no} stands for {count:,} alternatives, more than {MAX_LINE_ALTERNATIVES:,}"
        )
    return ["".join(t) for t in product(*parts)]


def parse_tokens(text: str) -> list[TokenLine]:
    """Parse token-file text (syntax in the module docstring); errors name the line, never a token."""
    lines: list[TokenLine] = []
    for line_no, raw in enumerate(text.splitlines(), 1):
        words = raw.split()
        if not words or words[0].startswith("#"):
            continue
        required = words[0] == "+"
        if required:
            words = words[1:]
            if not words:
                raise errors.CandidatesError(f"Line {line_no} of the tokens is required (+) but lists no tokens")
        seen: dict[str, None] = {}
        for word in words:
            for alt in _expand_token(word, line_no):
                seen.setdefault(alt, None)
                if len(seen) > MAX_LINE_ALTERNATIVES:
                    raise errors.CandidatesError(
                        f"Line {line_no} of the tokens has more than {MAX_LINE_ALTERNATIVES:,} alternatives"
                    )
        lines.append(TokenLine(alternatives=tuple(seen), required=required))
    if not lines:
        raise errors.CandidatesError("The tokens list no pieces (only blank or comment lines)")
    return lines


class TokenSet:
    """The distinct strings a token file spells, in a fixed order, without a set of seen strings."""

    def __init__(self, lines: Sequence[TokenLine]) -> None:
        if not lines:
            raise errors.CandidatesError("The tokens list no pieces")
        #: Per line, its choices in order; an optional line's first choice is "left out" ("").
        self._choices: list[tuple[str, ...]] = [
            line.alternatives if line.required else ("", *line.alternatives) for line in lines
        ]
        # For the first-combination check: per line, (length, {choice: index}) for each distinct length.
        self._by_len: list[list[tuple[int, dict[str, int]]]] = []
        for choices in self._choices:
            groups: dict[int, dict[str, int]] = {}
            for j, alt in enumerate(choices):
                groups.setdefault(len(alt), {})[alt] = j
            self._by_len.append(sorted(groups.items()))
        self.required = tuple(line.required for line in lines)
        # Combinations are unambiguous (each string spelled once) when every line's choices have one length.
        self._fixed = all(len(groups) == 1 for groups in self._by_len)
        combos = 1
        for choices in self._choices:
            combos *= len(choices)
        #: Raw combinations, duplicates included (an upper bound of the distinct count).
        self.combinations = combos
        if combos > MAX_TOKEN_COMBINATIONS:
            raise errors.CandidatesError(
                f"The tokens spell {combos:,} combinations, more than the {MAX_TOKEN_COMBINATIONS:,} "
                "a search can get through; make some lines required or list fewer alternatives"
            )

    @classmethod
    def from_text(cls, text: str) -> TokenSet:
        return cls(parse_tokens(text))

    def __repr__(self) -> str:
        return f"<TokenSet {len(self._choices)} lines, {self.combinations:,} combinations>"

    def __iter__(self) -> Iterator[str]:
        """Each distinct string once, at its first combination (last line varies fastest)."""
        return self.iter_distinct([0])

    def iter_distinct(self, dropped: list[int]) -> Iterator[str]:
        """As iteration; ``dropped[0]`` counts combinations skipped as repeats of an earlier one."""
        indexed = [tuple(enumerate(choices)) for choices in self._choices]
        for combo in product(*indexed):
            text = "".join(alt for _, alt in combo)
            if not text:
                continue
            if self._fixed or self._is_first(text, combo):
                yield text
            else:
                dropped[0] += 1

    def _is_first(self, text: str, combo: tuple[tuple[int, str], ...]) -> bool:
        """Is ``combo`` the first combination (in iteration order) that spells ``text``?"""
        n = len(text)
        memo: dict[tuple[int, int], bool] = {}

        def can(i: int, p: int) -> bool:  # can lines i.. spell text[p:]?
            return self._can_spell(text, i, p, memo)

        p = 0
        for i, (j, alt) in enumerate(combo):
            for ln, table in self._by_len[i]:
                if p + ln > n:
                    break
                other = table.get(text[p : p + ln])
                if other is not None and other < j and can(i + 1, p + ln):
                    return False
            p += len(alt)
        return True

    def _can_spell(self, text: str, i0: int, p0: int, memo: dict[tuple[int, int], bool]) -> bool:
        """Can lines ``i0``.. spell ``text[p0:]``?  A depth-first search with a stack of its own (a token file
        may have thousands of lines: a recursion that deep would end in RecursionError), remembering each
        (line, position) it settled in ``memo``."""
        n, last = len(text), len(self._choices)
        # Each frame: [line, position, index of the next length group to try].
        stack: list[list[int]] = [[i0, p0, 0]]
        answer = False
        while stack:
            frame = stack[-1]
            i, p, g = frame
            if i == last:
                answer = p == n
                stack.pop()
            elif g == 0 and (i, p) in memo:
                answer = memo[(i, p)]
                stack.pop()
            else:
                groups = self._by_len[i]
                child = None
                while g < len(groups):
                    ln, table = groups[g]
                    g += 1
                    if p + ln <= n and text[p : p + ln] in table:
                        child = [i + 1, p + ln, 0]
                        break
                frame[2] = g
                if child is not None:
                    stack.append(child)
                    continue  # its answer comes back below
                memo[(i, p)] = answer = False
                stack.pop()
            # hand the answer to the frame waiting for it: true settles it, false lets it try its next group
            while stack and answer:
                top = stack.pop()
                memo[(top[0], top[1])] = True
        return answer


# --------------------------------------------------------------------------- typos


def _position_ops(text: str, kinds: frozenset[str], insert_chars: str) -> list[list[tuple[str, bool]]]:
    """Per position (0..len, the last being "after the end"): (replacement, also-consumes-next) choices."""
    ops: list[list[tuple[str, bool]]] = []
    n = len(text)
    for i, ch in enumerate(text):
        here: list[tuple[str, bool]] = []
        if "case" in kinds:
            flipped = ch.swapcase()
            if len(flipped) == 1 and flipped != ch:
                here.append((flipped, False))
        if "swap" in kinds and i + 1 < n and text[i + 1] != ch:
            here.append((text[i + 1] + ch, True))
        if "delete" in kinds:
            here.append(("", False))
        if "repeat" in kinds:
            here.append((ch + ch, False))
        if "insert" in kinds:
            here.extend((extra + ch, False) for extra in insert_chars)
        ops.append(here)
    ops.append([(extra, False) for extra in insert_chars] if "insert" in kinds else [])
    return ops


def _positional_variants(text: str, n: int, kinds: frozenset[str], insert_chars: str) -> Iterator[str]:
    ops = _position_ops(text, kinds, insert_chars)
    pieces = [*text, ""]
    usable = [i for i, choices in enumerate(ops) if choices]
    for positions in combinations(usable, n):
        chosen = set(positions)
        for picks in product(*(ops[i] for i in positions)):
            out = pieces[:]
            ok = True
            for pos, (replacement, consumes_next) in zip(positions, picks, strict=True):
                out[pos] = replacement
                if consumes_next:
                    if pos + 1 in chosen:  # a swap takes its neighbour: that position is not free
                        ok = False
                        break
                    out[pos + 1] = ""
            if ok:
                yield "".join(out)


def _capslock(text: str) -> str:
    return "".join(c.swapcase() if len(c.swapcase()) == 1 else c for c in text)


def typo_variants(
    text: str, n: int, kinds: Iterable[str] = TYPO_KINDS, insert_chars: str = DEFAULT_INSERT_CHARS
) -> Iterator[str]:
    """Every variant of ``text`` with exactly ``n`` typos (see the module docstring).

    Not deduplicated: the same string may come more than once (``aa`` less either ``a``),
    and may even equal ``text`` or a variant with fewer typos.
    """
    kinds = frozenset(kinds)
    if n <= 0:
        yield text
        return
    yield from _positional_variants(text, n, kinds, insert_chars)
    if "capslock" in kinds:
        inverted = _capslock(text)
        if inverted != text:
            yield from typo_variants(inverted, n - 1, kinds - {"capslock"}, insert_chars)


# --------------------------------------------------------------------------- the stream


@dataclass(frozen=True)
class CandidateCount:
    """What counting the stream found."""

    #: Distinct candidates the search will try.
    total: int
    #: Candidates produced again (by typos or repeated lines) and skipped.
    duplicates: int
    #: Candidates as listed or spelled (before typos) that are shorter than ``min_length``.
    too_short: int


class _Seen:
    """A bounded set of fingerprints (see "Duplicates and the memory bound")."""

    def __init__(self, limit: int) -> None:
        self._set: set[int] = set()
        self._limit = limit

    def add(self, text: str) -> bool:
        """True if ``text`` is new (and remember it while there is room)."""
        fp = _fingerprint(text)
        if fp in self._set:
            return False
        if len(self._set) < self._limit:
            self._set.add(fp)
        return True


def _read_lines(path: str) -> Iterator[str]:
    with errors.reading(path, "candidates file"):
        fh = open(path, "rb")  # noqa: SIM115 - closed below; a generator
    with fh:
        line_no = 0
        while True:
            raw = fh.readline(MAX_LINE_BYTES + 4)  # the line, a BOM and "\r\n" at most
            if not raw:
                break
            line_no += 1
            if line_no == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM) :]
            raw = raw.rstrip(b"\n")
            if raw.endswith(b"\r"):
                raw = raw[:-1]
            if len(raw) > MAX_LINE_BYTES:
                raise errors.LineTooLongError(
                    f"Line {line_no} of {path} is longer than {MAX_LINE_BYTES:,} bytes; no password is that long"
                )
            if not raw:
                continue
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                raise errors.CandidatesError(f"Line {line_no} of {path} is not UTF-8 text") from None


def _read_tokens_file(path: str) -> str:
    with errors.reading(path, "tokens file"):
        size = os.stat(path).st_size
        if size > MAX_TOKENS_FILE:
            raise errors.CandidatesError(f"The tokens file {path} is {size:,} bytes; a tokens file is at most 1 MB")
        with open(path, "rb") as fh:
            data = fh.read(MAX_TOKENS_FILE + 1)
        if len(data) > MAX_TOKENS_FILE:  # a device or a growing file: st_size said nothing
            raise errors.CandidatesError(f"The tokens file {path} is larger than 1 MB; a tokens file is at most 1 MB")
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise errors.CandidatesError(f"Line {line} of {path} is not UTF-8 text") from None


class Candidates:
    """A deterministic stream of distinct candidate passwords (see the module docstring).

    ``files``: candidate files (one per line); ``words``: candidates in memory;
    ``tokens_files`` / ``tokens``: token files / token text.  Sources are
    walked in that order.  Nothing here ever shows a candidate: the repr
    counts sources, errors name line numbers.
    """

    def __init__(
        self,
        *,
        files: Sequence[str | os.PathLike[str]] = (),
        words: Iterable[str] = (),
        tokens_files: Sequence[str | os.PathLike[str]] = (),
        tokens: str | Sequence[str] | None = None,
        typos: int = 0,
        typo_kinds: Iterable[str] = TYPO_KINDS,
        insert_chars: str = DEFAULT_INSERT_CHARS,
        min_length: int = DEFAULT_MIN_LENGTH,
        dedupe_limit: int = DEFAULT_DEDUPE_LIMIT,
    ) -> None:
        self.files = tuple(os.fspath(f) for f in files)
        self._words = tuple(words)
        for n, w in enumerate(self._words, 1):
            if not isinstance(w, str):
                raise TypeError("candidate words must be str")
            if len(w) > MAX_LINE_BYTES // 4 and len(w.encode("utf-8", "surrogatepass")) > MAX_LINE_BYTES:
                raise errors.LineTooLongError(f"Candidate {n} is longer than {MAX_LINE_BYTES:,} bytes")
        token_texts = [_read_tokens_file(os.fspath(p)) for p in tokens_files]
        if isinstance(tokens, str):
            token_texts.append(tokens)
        elif tokens is not None:
            token_texts.extend(tokens)
        self._token_texts = tuple(token_texts)
        self._token_sets = [TokenSet.from_text(t) for t in self._token_texts]
        for path in self.files:
            next(iter(_read_lines(path)), None)  # fail now, not after counting: missing or unreadable
        if not (self.files or self._words or self._token_sets):
            raise errors.CandidatesError("No candidates: give a candidates file, a tokens file, or words")

        if isinstance(typos, bool) or not isinstance(typos, int) or not 0 <= typos <= MAX_TYPOS:
            raise errors.CandidatesError(f"typos must be a whole number from 0 to {MAX_TYPOS}")
        kinds = frozenset(typo_kinds)
        unknown = kinds - set(TYPO_KINDS)
        if unknown:
            raise errors.CandidatesError(f"Unknown typo kinds {sorted(unknown)}; known: {', '.join(TYPO_KINDS)}")
        if typos and not kinds:
            raise errors.CandidatesError("Typos were asked for but every kind of typo is switched off")
        if typos and "insert" in kinds and not insert_chars:
            raise errors.CandidatesError("Insert typos need at least one character to insert")
        if isinstance(min_length, bool) or not isinstance(min_length, int) or min_length < 0:
            raise errors.CandidatesError("min_length must be a whole number, 0 or more")
        if isinstance(dedupe_limit, bool) or not isinstance(dedupe_limit, int) or dedupe_limit < 0:
            raise errors.CandidatesError("dedupe_limit must be a whole number, 0 or more")
        self.typos = typos
        self.typo_kinds = kinds if typos else frozenset()
        self.insert_chars = "".join(dict.fromkeys(insert_chars)) if "insert" in self.typo_kinds else ""
        self.min_length = min_length
        self.dedupe_limit = dedupe_limit
        self._count: CandidateCount | None = None

    def __repr__(self) -> str:
        return (
            f"<Candidates files={len(self.files)} words={len(self._words)} token_sets={len(self._token_sets)} "
            f"typos={self.typos} min_length={self.min_length}>"
        )

    # ------------------------------------------------------------------ facts
    def options(self) -> dict[str, object]:
        """The settings (no candidate, no token): for checkpoints and messages."""
        return {
            "typos": self.typos,
            "typoKinds": sorted(self.typo_kinds),
            "insertChars": len(self.insert_chars),
            "minLength": self.min_length,
            "dedupeLimit": self.dedupe_limit,
            "sources": {"files": len(self.files), "words": len(self._words), "tokenSets": len(self._token_sets)},
        }

    def definition_digest(self) -> bytes:
        """SHA-256 of everything that decides the stream (sources' contents and options).

        Derived from the candidates: never store it as is; :mod:`.checkpoint` slows it
        down with the backup's own PBKDF2 before writing it.
        """
        h = hashlib.sha256()
        settings = dict(self.options(), insertChars=self.insert_chars, version=STREAM_VERSION)
        h.update(json.dumps(settings, sort_keys=True).encode())

        def item(tag: bytes, data: bytes) -> None:
            h.update(tag + len(data).to_bytes(8, "big") + data)

        for path in self.files:
            fh_hash = hashlib.sha256()
            try:
                with open(path, "rb") as fh:
                    for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                        fh_hash.update(block)
            except OSError as exc:
                raise errors.CannotReadError(f"Cannot read {path}: {exc.strerror or exc}") from None
            item(b"F", fh_hash.digest())
        for word in self._words:
            item(b"W", word.encode("utf-8", "surrogatepass"))
        for text in self._token_texts:
            item(b"T", text.encode("utf-8", "surrogatepass"))
        return h.digest()

    # ------------------------------------------------------------------ stream
    def _bases(self, dropped: list[int] | None = None) -> Iterator[str]:
        for path in self.files:
            yield from _read_lines(path)
        yield from self._words
        for tokens in self._token_sets:
            yield from tokens.iter_distinct(dropped if dropped is not None else [0])

    def _needs_set(self) -> bool:
        sources = len(self.files) + (1 if self._words else 0) + len(self._token_sets)
        return bool(self.typos or self.files or self._words or sources > 1)

    def _generate(self, stats: list[int]) -> Iterator[str]:
        """The stream; ``stats`` collects [duplicates, too_short]."""
        seen = _Seen(self.dedupe_limit) if self._needs_set() else None
        min_len = self.min_length
        for base in self._bases(stats):
            if not base or js_length(base) < min_len:
                stats[1] += 1
                continue
            if seen is not None and not seen.add(base):
                stats[0] += 1
                continue
            yield base
        for n in range(1, self.typos + 1):
            reach = 2 * n  # inserted or repeated characters add at most 2 code units each
            for base in self._bases():
                if not base or js_length(base) + reach < min_len:
                    continue
                for variant in typo_variants(base, n, self.typo_kinds, self.insert_chars):
                    if not variant or js_length(variant) < min_len:
                        continue
                    if seen is not None and not seen.add(variant):
                        stats[0] += 1
                        continue
                    yield variant

    def __iter__(self) -> Iterator[str]:
        return self._generate([0, 0])

    def count(self, stop: object = None, progress: object = None) -> CandidateCount:
        """Walk the stream once and count it (cached).

        ``stop`` (a :class:`threading.Event`) ends a long count early: then
        :class:`CountStopped` is raised (control flow, not an error) and nothing is cached;
        ``progress(n)`` hears the count so far every 65,536 candidates.
        """
        if self._count is None:
            stats = [0, 0]
            total = 0
            for _ in self._generate(stats):
                total += 1
                if not total & 0xFFFF:
                    if stop is not None and stop.is_set():
                        raise CountStopped(total)
                    if progress is not None:
                        progress(total)
            self._count = CandidateCount(total=total, duplicates=stats[0], too_short=stats[1])
        return self._count

    def __len__(self) -> int:
        return self.count().total

    def iter_from(self, start: int) -> Iterator[str]:
        """The stream from index ``start`` on (the same strings as ``islice(self, start, None)``)."""
        return islice(self._generate([0, 0]), start, None)

    def portable(self) -> Candidates:
        """The same stream with the files' lines held in memory: a definition that can travel to
        another machine (the files need not exist there).  Walks the files once."""
        lines = tuple(line for path in self.files for line in _read_lines(path))
        other = copy.copy(self)
        other.files = ()
        other._words = lines + self._words
        return other

    def estimate(self) -> int:
        """An upper bound of the stream's size, computed without generating it.

        Closed form per base candidate (no duplicates removed, no length filter on
        variants): the variants with ``n`` typos are the elementary symmetric sum of the
        per-position choices, plus caps lock's.  Token sets larger than
        ``ESTIMATE_SAMPLE`` combinations are extrapolated from their first ones.
        """
        total = 0
        for base in self._estimate_bases():
            total += base[1] * sum(
                _variant_bound(base[0], n, self.typo_kinds, len(self.insert_chars)) for n in range(self.typos + 1)
            )
        return total

    def _estimate_bases(self) -> Iterator[tuple[str, int]]:
        """(base, weight): every listed candidate once; token sets sampled if large."""
        for path in self.files:
            for line in _read_lines(path):
                yield line, 1
        for word in self._words:
            yield word, 1
        for tokens in self._token_sets:
            if tokens.combinations <= ESTIMATE_SAMPLE or not self.typos:
                if not self.typos:
                    yield "", tokens.combinations  # "" stands for "one candidate each"
                    continue
                for text in tokens.iter_distinct([0]):
                    yield text, 1
                continue
            sample = list(islice(tokens.iter_distinct([0]), ESTIMATE_SAMPLE))
            weight = -(-tokens.combinations // max(1, len(sample)))
            for text in sample:
                yield text, weight


def _variant_bound(text: str, n: int, kinds: frozenset[str], inserts: int) -> int:
    """At most how many variants ``typo_variants(text, n, ...)`` yields (closed form)."""
    if n <= 0:
        return 1
    sizes = []
    length = len(text)
    for i, ch in enumerate(text):
        c = 0
        if "case" in kinds:
            flipped = ch.swapcase()
            c += len(flipped) == 1 and flipped != ch
        if "swap" in kinds and i + 1 < length and text[i + 1] != ch:
            c += 1
        c += ("delete" in kinds) + ("repeat" in kinds) + (inserts if "insert" in kinds else 0)
        sizes.append(c)
    sizes.append(inserts if "insert" in kinds else 0)
    e = [1] + [0] * n  # elementary symmetric sums e_0..e_n of the per-position choices
    for c in sizes:
        if c:
            for k in range(n, 0, -1):
                e[k] += e[k - 1] * c
    total = e[n]
    if "capslock" in kinds and _capslock(text) != text:
        total += _variant_bound(_capslock(text), n - 1, kinds - {"capslock"}, inserts)
    return total
