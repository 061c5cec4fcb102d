"""Typos: the variants of a candidate with exactly ``n`` slips of the fingers.

A variant with n typos changes n *different* positions, each by one of
(positional kinds, in the order they are tried at a position):

- ``case``: flip the case of one letter (``a`` ↔ ``A``),
- ``replace``: type a neighbouring key instead (the ``keyboard`` layout's
  neighbours, :mod:`.keyboards`) or, given ``replace_chars``, any of those,
- ``swap``: swap a character with the next one,
- ``delete``: leave one character out,
- ``repeat``: type one character twice,
- ``insert``: type an extra character (from ``insert_chars``) before a character or at the end;

and whole-candidate typos, each counting as one:

- ``capslock``: the case of every letter inverted,
- the **typos map** (btcrecover's ``--typos-map`` file format: each line lists
  characters, whitespace, then their replacements; ``#`` starts a comment):
  one rule ``o → 0`` applied *everywhere* in the candidate (every ``o`` typed
  as ``0``) is one typo.  This differs from btcrecover, which spends one typo per
  replaced position; owners who habitually type ``0`` for ``o`` do it every time.

``caps`` limits a kind (``{"swap": 1}``: at most one swap per variant, as
btcrecover's ``--max-typos-swap``).
"""

from __future__ import annotations

import os
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations, product

from toolkit import errors

from .keyboards import DEFAULT_KEYBOARD, KEYBOARDS, neighbour_table, neighbours

POSITIONAL_KINDS: tuple[str, ...] = ("case", "replace", "swap", "delete", "repeat", "insert")
#: The kinds ``typos=N`` tries unless told otherwise (the map joins them when one is given).
TYPO_KINDS: tuple[str, ...] = (*POSITIONAL_KINDS, "capslock")
CAP_KINDS: tuple[str, ...] = (*TYPO_KINDS, "map")
DEFAULT_INSERT_CHARS = string.ascii_lowercase + string.digits
MAX_MAP_FILE = 64 * 1024


def capslock(text: str) -> str:
    return "".join(c.swapcase() if len(c.swapcase()) == 1 else c for c in text)


def parse_typos_map(text: str) -> tuple[tuple[str, str], ...]:
    """btcrecover's map format → ((character, its replacements), ...) in file order."""
    rules: dict[str, str] = {}
    for line_no, raw in enumerate(text.splitlines(), 1):
        if raw.startswith("#"):
            continue
        parts = raw.strip("\r\n").split(None, 1)
        if not parts:
            continue
        if len(parts) == 1:
            raise errors.CandidatesError(f"Line {line_no} of the typos map lists no replacement")
        sources, replacements = parts[0], parts[1].rstrip()
        for c in sources:
            merged = "".join(dict.fromkeys(rules.get(c, "") + replacements))
            rules[c] = merged.replace(c, "")
    return tuple((c, r) for c, r in rules.items() if r)


def read_typos_map(path: str | os.PathLike[str]) -> tuple[tuple[str, str], ...]:
    path = os.fspath(path)
    with errors.reading(path, "typos map"), open(path, "rb") as fh:
        data = fh.read(MAX_MAP_FILE + 1)
    if len(data) > MAX_MAP_FILE:
        raise errors.CandidatesError(f"The typos map {path} is larger than 64 KB")
    try:
        return parse_typos_map(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise errors.CandidatesError(f"The typos map {path} is not UTF-8 text") from None


@dataclass(frozen=True)
class TypoModel:
    """Which typos to try (see the module docstring).  Holds no candidate."""

    kinds: frozenset[str] = frozenset(TYPO_KINDS)
    insert_chars: str = DEFAULT_INSERT_CHARS
    #: ``None``: replace by keyboard neighbours.
    replace_chars: str | None = None
    keyboard: str = DEFAULT_KEYBOARD
    #: ((kind, at most), ...)
    caps: tuple[tuple[str, int], ...] = ()
    typos_map: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(TYPO_KINDS)
        if unknown:
            raise errors.CandidatesError(f"Unknown typo kinds {sorted(unknown)}; known: {', '.join(TYPO_KINDS)}")
        if self.keyboard not in KEYBOARDS:
            raise errors.CandidatesError(f"Unknown keyboard layout; known: {', '.join(KEYBOARDS)}")
        for kind, most in self.caps:
            if kind not in CAP_KINDS:
                raise errors.CandidatesError(f"Unknown typo kind in a limit; known: {', '.join(CAP_KINDS)}")
            if isinstance(most, bool) or not isinstance(most, int) or most < 0:
                raise errors.CandidatesError("A typo kind's limit must be a whole number, 0 or more")

    @classmethod
    def make(
        cls,
        kinds: object = TYPO_KINDS,
        insert_chars: str = DEFAULT_INSERT_CHARS,
        replace_chars: str | None = None,
        keyboard: str = DEFAULT_KEYBOARD,
        caps: Mapping[str, int] | None = None,
        typos_map: tuple[tuple[str, str], ...] = (),
    ) -> TypoModel:
        return cls(
            kinds=frozenset(kinds),  # type: ignore[arg-type]
            insert_chars="".join(dict.fromkeys(insert_chars)),
            replace_chars=None if replace_chars is None else "".join(dict.fromkeys(replace_chars)),
            keyboard=keyboard,
            caps=tuple(sorted((caps or {}).items())),
            typos_map=tuple(typos_map),
        )

    @cached_property
    def active(self) -> frozenset[str]:
        """The kinds that can produce a variant (``map`` only with a map, limits of 0 removed)."""
        kinds = set(self.kinds) | ({"map"} if self.typos_map else set())
        return frozenset(k for k in kinds if dict(self.caps).get(k, 1) > 0)

    def settings(self) -> dict[str, object]:
        """For checkpoints' digests: everything that decides the variants."""
        return {
            "kinds": sorted(self.kinds),
            "insertChars": self.insert_chars,
            "replaceChars": self.replace_chars,
            "keyboard": self.keyboard,
            "caps": [list(c) for c in self.caps],
            "map": [list(r) for r in self.typos_map],
        }

    # ------------------------------------------------------------------ positional
    def _position_ops(self, text: str) -> list[list[tuple[str, bool, str]]]:
        """Per position (0..len, the last "after the end"): (replacement, consumes-next, kind)."""
        kinds = self.active
        ops: list[list[tuple[str, bool, str]]] = []
        n = len(text)
        inserts = self.insert_chars if "insert" in kinds else ""
        for i, ch in enumerate(text):
            here: list[tuple[str, bool, str]] = []
            if "case" in kinds:
                flipped = ch.swapcase()
                if len(flipped) == 1 and flipped != ch:
                    here.append((flipped, False, "case"))
            if "replace" in kinds:
                pool = neighbours(ch, self.keyboard) if self.replace_chars is None else self.replace_chars
                here.extend((c, False, "replace") for c in pool if c != ch)
            if "swap" in kinds and i + 1 < n and text[i + 1] != ch:
                here.append((text[i + 1] + ch, True, "swap"))
            if "delete" in kinds:
                here.append(("", False, "delete"))
            if "repeat" in kinds:
                here.append((ch + ch, False, "repeat"))
            here.extend((extra + ch, False, "insert") for extra in inserts)
            ops.append(here)
        ops.append([(extra, False, "insert") for extra in inserts])
        return ops

    def _position_sizes(self, text: str) -> list[int]:
        """``len()`` of each of :meth:`_position_ops`'s lists, without building them (estimates are hot)."""
        kinds = self.active
        inserts = len(self.insert_chars) if "insert" in kinds else 0
        fixed = inserts + ("delete" in kinds) + ("repeat" in kinds)
        case, replace, swap = "case" in kinds, "replace" in kinds, "swap" in kinds
        pool = self.replace_chars
        table = neighbour_table(self.keyboard) if replace and pool is None else None
        n = len(text)
        sizes = []
        for i, ch in enumerate(text):
            c = fixed
            if case:
                flipped = ch.swapcase()
                c += len(flipped) == 1 and flipped != ch
            if replace:
                c += len(table.get(ch, "")) if table is not None else len(pool) - (ch in pool)  # type: ignore[arg-type]
            if swap and i + 1 < n and text[i + 1] != ch:
                c += 1
            sizes.append(c)
        sizes.append(inserts)
        return sizes

    def _positional(self, text: str, n: int, caps: dict[str, int]) -> Iterator[str]:
        if n == 0:
            yield text
            return
        ops = self._position_ops(text)
        pieces = [*text, ""]
        usable = [i for i, choices in enumerate(ops) if choices]
        for positions in combinations(usable, n):
            chosen = set(positions)
            for picks in product(*(ops[i] for i in positions)):
                if caps:
                    used: dict[str, int] = {}
                    over = False
                    for _, _, kind in picks:
                        used[kind] = used.get(kind, 0) + 1
                        if used[kind] > caps.get(kind, n):
                            over = True
                            break
                    if over:
                        continue
                out = pieces[:]
                ok = True
                for pos, (replacement, consumes_next, _) in zip(positions, picks, strict=True):
                    out[pos] = replacement
                    if consumes_next:
                        if pos + 1 in chosen:  # a swap takes its neighbour: that position is not free
                            ok = False
                            break
                        out[pos + 1] = ""
                if ok:
                    yield "".join(out)

    # ------------------------------------------------------------------ whole-candidate
    def _global_ops(self, text: str) -> list[tuple[str, str, str]]:
        """(kind, from, to): capslock is ("capslock", "", "")."""
        kinds = self.active
        ops: list[tuple[str, str, str]] = []
        if "capslock" in kinds and capslock(text) != text:
            ops.append(("capslock", "", ""))
        if "map" in kinds:
            ops.extend(("map", c, r) for c, rs in self.typos_map if c in text for r in rs)
        return ops

    def _global_sets(self, text: str, n: int, caps: dict[str, int]) -> Iterator[tuple[str, int, dict[str, int]]]:
        """(text after whole-candidate typos, how many, the limits left for positional ones)."""
        ops = self._global_ops(text)
        for g in range(0, min(n, len(ops)) + 1):
            for chosen in combinations(ops, g):
                sources = [c for kind, c, _ in chosen if kind == "map"]
                if len(sources) != len(set(sources)):
                    continue  # one rule per character
                maps = len(sources)
                if maps > caps.get("map", n) or (g - maps) > caps.get("capslock", 1):
                    continue
                out = text
                for kind, c, r in chosen:
                    out = capslock(out) if kind == "capslock" else out.replace(c, r)
                yield out, g, caps

    def variants(self, text: str, n: int) -> Iterator[str]:
        """Every variant of ``text`` with exactly ``n`` typos.

        Not deduplicated: the same string may come more than once (``aa`` less either
        ``a``), and may even equal ``text`` or a variant with fewer typos.
        """
        if n <= 0:
            yield text
            return
        caps = dict(self.caps)
        for base, g, left in self._global_sets(text, n, caps):
            yield from self._positional(base, n - g, left)

    def bound(self, text: str, n: int) -> int:
        """At most how many strings :meth:`variants` yields (closed form; limits not applied)."""
        if n <= 0:
            return 1
        total = 0
        for base, g, _ in self._global_sets(text, n, {}):
            sizes = self._position_sizes(base)
            k = n - g
            e = [1] + [0] * k  # elementary symmetric sums e_0..e_k of the per-position choices
            for c in sizes:
                if c:
                    for j in range(k, 0, -1):
                        e[j] += e[j - 1] * c
            total += e[k]
        return total

    @property
    def reach(self) -> int:
        """At most how many UTF-16 units one typo adds (an insert or a repeat: 2; a map rule
        to a character outside the BMP could add any number: then no candidate is skipped by length)."""
        if any(ord(r) > 0xFFFF for _, rs in self.typos_map for r in rs):
            return 10**6
        return 2


def typo_variants(
    text: str,
    n: int,
    kinds: object = TYPO_KINDS,
    insert_chars: str = DEFAULT_INSERT_CHARS,
    **options: object,
) -> Iterator[str]:
    """Every variant of ``text`` with exactly ``n`` typos (a :class:`TypoModel` made of the arguments)."""
    return TypoModel.make(kinds, insert_chars, **options).variants(text, n)  # type: ignore[arg-type]
