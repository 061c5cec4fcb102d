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

Token files (:mod:`.grammar` has the whole syntax)
--------------------------------------------------
- Each non-blank line is one *piece*; the tokens on a line are *alternatives*
  (separated by spaces or tabs): at most one of them is used.
- A line is **optional** unless its first word is a lone ``+`` (**required**).
- ``#`` at the start of a line makes it a comment.
- Escapes and wildcards: ``%s`` space, ``%t`` tab, ``%%`` ``%+`` ``%#`` ``%^``,
  ``%S`` (``$``); ``%d %a %A %n %N %y %Y %p %q %T %H %[set]``, ``%i…`` case-insensitive,
  lengths ``%2d`` and ranges ``%1,3a``.
- Anchors ``^tok`` (first), ``tok$`` (last), ``^N^tok`` (N-th), ``^M,N^tok`` (middle).

By default the pieces come **in the written order** (today's files keep their
meaning and their stream)::

    # "It was my dog's name, maybe capitalised, then a year, perhaps a '!'"
    + rex Rex REX
    + 19%d%d 20%d%d
    ! !!

tries ``rex1900``, ``rex1900!``, ``rex1900!!``, ``rex1901`` … — 3 × 200 × 3 =
1,800 candidates.  Order: optional lines try "left out" first, then their
tokens left to right; the last line varies fastest.  Duplicate tokens on a
line are ignored, and a candidate that several combinations spell (``ab`` +
``c`` and ``a`` + ``bc``) is produced once, at its first combination: the
stream of such a file has no duplicates and its count is exact, however large
it is, without holding a set (each combination is checked by a small parse of
the string it spells).

With ``any_order=True`` (btcrecover's default) the pieces may come in any
order; anchors and ``min_tokens``/``max_tokens`` (how many pieces a candidate
joins) apply in either mode.  Then fewer pieces come first, and for each
choice of pieces the written order before the others
(:class:`~.grammar.TokenCombos`); repeats are removed like other duplicates
(below).

Typos (:mod:`.typos` has the details)
-------------------------------------
With ``typos=N``, after every candidate has been tried as written, come all
their variants with 1 typo, then all with 2, … up to N — **the most likely
first**: typo level ascends across the whole stream, not per candidate.  Kinds:
``case``, ``replace`` (a keyboard neighbour, ``keyboard="us"|"uk"|"da"|"de"``,
or one of ``replace_chars``), ``swap``, ``delete``, ``repeat``, ``insert`` (from
``insert_chars``), ``capslock``, and with ``typos_map`` (btcrecover's map file,
or ``[(chars, replacements), ...]``) one substitution applied everywhere.
``typo_limits={"swap": 1}`` caps a kind.  Each kind can be switched off.
Variants shorter than ``min_length`` are skipped before any work is spent on
them, and so are whole candidates whose variants can never reach it.

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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice, product

from toolkit import errors

from .grammar import TokenCombos, TokenLine, parse_tokens
from .keyboards import DEFAULT_KEYBOARD
from .typos import DEFAULT_INSERT_CHARS, TYPO_KINDS, TypoModel, read_typos_map, typo_variants

__all__ = ["TokenLine", "parse_tokens", "typo_variants"]  # re-exported: the package's names


class CountStopped(Exception):  # noqa: N818 - a signal, not an error
    """:meth:`Candidates.count` was asked to stop; ``args[0]`` is how many were counted."""


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
STREAM_VERSION = 2

_BOM = b"\xef\xbb\xbf"


def js_length(text: str) -> int:
    """The length JavaScript reports (UTF-16 code units), as the Desktop Wallet counts it."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _fingerprint(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


# --------------------------------------------------------------------------- tokens


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


def _checked_words(words: Iterable[str]) -> tuple[str, ...]:
    """The candidate words given directly, each text and within the line bound."""
    out = tuple(words)
    for n, w in enumerate(out, 1):
        if not isinstance(w, str):
            raise TypeError("candidate words must be str")
        if len(w) > MAX_LINE_BYTES // 4 and len(w.encode("utf-8", "surrogatepass")) > MAX_LINE_BYTES:
            raise errors.LineTooLongError(f"Candidate {n} is longer than {MAX_LINE_BYTES:,} bytes")
    return out


def _typo_model(
    typos: int,
    typo_kinds: Iterable[str],
    insert_chars: str,
    replace_chars: str | None,
    keyboard: str,
    typo_limits: Mapping[str, int] | None,
    typos_map: str | os.PathLike[str] | Sequence[tuple[str, str]] | None,
) -> TypoModel:
    """The typo model :class:`Candidates` asked for, after checking the typo options make sense together."""
    if isinstance(typos, bool) or not isinstance(typos, int) or not 0 <= typos <= MAX_TYPOS:
        raise errors.CandidatesError(f"typos must be a whole number from 0 to {MAX_TYPOS}")
    kinds = frozenset(typo_kinds)
    if typos_map is None:
        rules: tuple[tuple[str, str], ...] = ()
    elif isinstance(typos_map, str | os.PathLike):
        rules = read_typos_map(typos_map)
    else:
        rules = tuple((str(c), str(r)) for c, r in typos_map)
    model = TypoModel.make(
        kinds,
        insert_chars if "insert" in kinds else "",
        replace_chars if "replace" in kinds else None,
        keyboard,
        typo_limits,
        rules,
    )
    if typos and not model.active:
        raise errors.CandidatesError("Typos were asked for but every kind of typo is switched off")
    if typos and "insert" in kinds and not insert_chars:
        raise errors.CandidatesError("Insert typos need at least one character to insert")
    if typos and "replace" in kinds and replace_chars == "":
        raise errors.CandidatesError("Replace typos need at least one character to replace with")
    return model


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
        any_order: bool = False,
        min_tokens: int | None = None,
        max_tokens: int | None = None,
        replace_chars: str | None = None,
        keyboard: str = DEFAULT_KEYBOARD,
        typo_limits: Mapping[str, int] | None = None,
        typos_map: str | os.PathLike[str] | Sequence[tuple[str, str]] | None = None,
    ) -> None:
        self.files = tuple(os.fspath(f) for f in files)
        self._words = _checked_words(words)
        token_texts = [_read_tokens_file(os.fspath(p)) for p in tokens_files]
        if isinstance(tokens, str):
            token_texts.append(tokens)
        elif tokens is not None:
            token_texts.extend(tokens)
        self._token_texts = tuple(token_texts)
        for name, value in (("min_tokens", min_tokens), ("max_tokens", max_tokens)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise errors.CandidatesError(
                    f"The {name.split('_')[0]}imum number of pieces must be a whole number, 1 or more"
                )
        if min_tokens is not None and max_tokens is not None and min_tokens > max_tokens:
            raise errors.CandidatesError("The minimum number of pieces is larger than the maximum: nothing to try")
        self.any_order = bool(any_order)
        self.min_tokens, self.max_tokens = min_tokens, max_tokens
        self._token_sets = [self._token_set(t) for t in self._token_texts]
        for path in self.files:
            next(iter(_read_lines(path)), None)  # fail now, not after counting: missing or unreadable
        if not (self.files or self._words or self._token_sets):
            raise errors.CandidatesError("No candidates: give a candidates file, a tokens file, or words")

        model = _typo_model(typos, typo_kinds, insert_chars, replace_chars, keyboard, typo_limits, typos_map)
        if isinstance(min_length, bool) or not isinstance(min_length, int) or min_length < 0:
            raise errors.CandidatesError("min_length must be a whole number, 0 or more")
        if isinstance(dedupe_limit, bool) or not isinstance(dedupe_limit, int) or dedupe_limit < 0:
            raise errors.CandidatesError("dedupe_limit must be a whole number, 0 or more")
        self.typos = typos
        self.typo_model = model if typos else TypoModel.make(frozenset(), "")
        self.typo_kinds = self.typo_model.active
        self.insert_chars = self.typo_model.insert_chars
        self.min_length = min_length
        self.dedupe_limit = dedupe_limit
        self._count: CandidateCount | None = None

    def __repr__(self) -> str:
        return (
            f"<Candidates files={len(self.files)} words={len(self._words)} token_sets={len(self._token_sets)} "
            f"typos={self.typos} min_length={self.min_length}>"
        )

    def _token_set(self, text: str) -> TokenSet | TokenCombos:
        """Written order without anchors or counts: :class:`TokenSet` (duplicate-free without a set);
        otherwise :class:`~.grammar.TokenCombos`."""
        lines = parse_tokens(text)
        if (
            self.any_order
            or self.min_tokens is not None
            or self.max_tokens is not None
            or any(ln.anchored for ln in lines)
        ):
            return TokenCombos(
                lines,
                any_order=self.any_order,
                min_tokens=self.min_tokens,
                max_tokens=self.max_tokens,
                limit=MAX_TOKEN_COMBINATIONS,
            )
        return TokenSet(lines)

    # ------------------------------------------------------------------ facts
    def options(self) -> dict[str, object]:
        """The settings (no candidate, no token): for checkpoints and messages."""
        opts: dict[str, object] = {
            "typos": self.typos,
            "typoKinds": sorted(self.typo_kinds),
            "insertChars": len(self.insert_chars),
            "minLength": self.min_length,
            "dedupeLimit": self.dedupe_limit,
            "sources": {"files": len(self.files), "words": len(self._words), "tokenSets": len(self._token_sets)},
        }
        if self.any_order or self.min_tokens is not None or self.max_tokens is not None:
            opts["tokens"] = {"anyOrder": self.any_order, "min": self.min_tokens, "max": self.max_tokens}
        if self.typos:
            m = self.typo_model
            opts["typoModel"] = {
                "keyboard": m.keyboard if m.replace_chars is None else None,
                "replaceChars": None if m.replace_chars is None else len(m.replace_chars),
                "limits": dict(m.caps),
                "mapRules": len(m.typos_map),
            }
        return opts

    def definition_digest(self) -> bytes:
        """SHA-256 of everything that decides the stream (sources' contents and options).

        Derived from the candidates: never store it as is; :mod:`.checkpoint` slows it
        down with the backup's own PBKDF2 before writing it.
        """
        h = hashlib.sha256()
        settings = dict(self.options(), typoModel=self.typo_model.settings(), version=STREAM_VERSION)
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
        combos = any(isinstance(t, TokenCombos) for t in self._token_sets)
        return bool(self.typos or self.files or self._words or sources > 1 or combos)

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
            reach = self.typo_model.reach * n  # inserted or repeated characters add at most 2 code units each
            for base in self._bases():
                if not base or js_length(base) + reach < min_len:
                    continue
                for variant in self.typo_model.variants(base, n):
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
        return sum(self.estimate_levels())

    def estimate_levels(self) -> list[int]:
        """Upper bounds of the candidates with 0, 1, … ``typos`` typos (the stream tries them in
        that order: every candidate as written before any variant with one typo, and so on)."""
        levels = [0] * (self.typos + 1)
        model = self.typo_model
        for text, weight in self._estimate_bases():
            for n in range(self.typos + 1):
                levels[n] += weight * model.bound(text, n)
        return levels

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
