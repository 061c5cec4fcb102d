"""The tokens-file grammar: lines of alternative pieces, anchors, wildcards.

The syntax follows btcrecover's tokenlist (``docs/tokenlist_file.md`` in
3rdIteration/btcrecover) so that a file written for it means the same here;
the parts it has and this grammar leaves out are refused with a clear error,
never misread.  The "Tokens file" table of docs/RECOVERY.md is the user's reference.

- A non-blank line is one *piece*; its tokens (separated by spaces or tabs) are
  *alternatives*: at most one of them is used in a candidate.
- ``+`` as the first word makes the line **required**; otherwise it may be left out.
- ``#`` as the first character of a line makes it a comment.
- Anchors (only the *position* of a token among the tokens of one candidate):
  ``^tok`` first, ``tok$`` last, ``^N^tok`` exactly the N-th, ``^M,N^tok`` somewhere from
  the M-th to the N-th but never first or last (btcrecover's "middle anchor"; either
  number may be left out).
- Escapes and wildcards inside a token (``%`` then a code):
  ``%s`` space, ``%t`` tab, ``%%`` ``%+`` ``%#`` ``%^`` the sign itself, ``%S`` a dollar sign;
  ``%d`` digit, ``%a`` lower-case letter, ``%A`` upper-case letter, ``%n`` lower-case letter or
  digit, ``%N`` upper-case letter or digit, ``%y`` ASCII symbol, ``%Y`` digit or symbol,
  ``%p`` any printable ASCII but space, ``%q`` the same and space, ``%T`` space or tab,
  ``%H`` hex digit, ``%[chars]`` one of the listed characters (``a-f`` ranges allowed, ``]``
  first to include it); an ``i`` before ``a A n N [..]`` makes the set case-insensitive
  (``%ia`` = any letter); a length before the code repeats it: ``%2d`` exactly two digits,
  ``%1,3a`` one to three letters, ``%0,2d`` none to two.

A token's wildcards are expanded when the file is read (``%2d`` *is* the 100
alternatives ``00`` … ``99``, in that order; a range goes shortest first), so a
token stands for at most :data:`MAX_TOKEN_ALTERNATIVES` strings.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations, permutations, product

from toolkit import errors

#: One token (after expanding its wildcards) stands for at most this many strings.
MAX_TOKEN_ALTERNATIVES = 100_000
#: A wildcard repeats at most this many times (``%0,8d``).
MAX_WILDCARD_LENGTH = 8

_PRINTABLE = "".join(map(chr, range(33, 127)))
#: Wildcard sets, as btcrecover's ``init_wildcards`` (btcrecover/btcrpass.py) defines them.
WILDCARD_SETS: dict[str, str] = {
    "d": string.digits,
    "a": string.ascii_lowercase,
    "A": string.ascii_uppercase,
    "n": string.ascii_lowercase + string.digits,
    "N": string.ascii_uppercase + string.digits,
    "y": string.punctuation,
    "Y": string.digits + string.punctuation,
    "p": _PRINTABLE,
    "q": _PRINTABLE + " ",
    "T": " \t",
    "H": string.hexdigits,
    # escapes: a set of one
    "s": " ",
    "t": "\t",
    "%": "%",
    "+": "+",
    "#": "#",
    "^": "^",
    "S": "$",
}
#: Case-insensitive versions (``%ia``), as btcrecover's ``wildcard_nocase_sets``.
NOCASE_SETS: dict[str, str] = {
    "a": string.ascii_lowercase + string.ascii_uppercase,
    "A": string.ascii_uppercase + string.ascii_lowercase,
    "n": string.ascii_lowercase + string.ascii_uppercase + string.digits,
    "N": string.ascii_uppercase + string.ascii_lowercase + string.digits,
}
_KNOWN = "d a A n N y Y p q T H [..] and the escapes %s %t %% %+ %# %^ %S"
_LENGTH = re.compile(r"(\d+)(?:,(\d+))?")
_ANCHOR = re.compile(r"\^(?:(\d+)|(\d*),(\d*))\^")


@dataclass(frozen=True)
class Anchor:
    """Where a token may stand among the ``k`` tokens of a candidate (positions count from 1)."""

    first: bool = False
    last: bool = False
    #: An exact position (``^N^``).
    at: int | None = None
    #: A middle range (``^M,N^``): never first or last; ``None`` ends are open.
    middle: tuple[int | None, int | None] | None = None

    def allows(self, position: int, k: int) -> bool:
        if self.first and position != 1:
            return False
        if self.last and position != k:
            return False
        if self.at is not None and position != self.at:
            return False
        if self.middle is not None:
            lo, hi = self.middle
            if position == 1 or position == k:
                return False
            if (lo is not None and position < lo) or (hi is not None and position > hi):
                return False
        return True

    @property
    def free(self) -> bool:
        return not (self.first or self.last or self.at is not None or self.middle is not None)


FREE = Anchor()


@dataclass(frozen=True)
class TokenLine:
    """One line of a tokens file: its alternatives (never shown), anchors, and whether it is required.

    ``anchors[i]`` belongs to ``alternatives[i]``; a line without anchors has ``anchors == ()``.
    """

    alternatives: tuple[str, ...] = field(repr=False)
    required: bool = True
    anchors: tuple[Anchor, ...] = field(default=(), repr=False)

    @property
    def anchored(self) -> bool:
        return bool(self.anchors)

    def anchor(self, i: int) -> Anchor:
        return self.anchors[i] if self.anchors else FREE


def _set_body(word: str, i: int, line_no: int) -> tuple[str, int]:
    """``%[...]``: the characters (ranges expanded) and the index after ``]``."""
    j = word.find("]", i + 1)  # a "]" right after "[" belongs to the set
    if j < 0:
        raise errors.CandidatesError(f"Line {line_no} of the tokens opens a %[ set without closing it with ]")
    body = word[i:j]
    chars: list[str] = []
    k = 0
    while k < len(body):
        if k + 2 < len(body) and body[k + 1] == "-":
            lo, hi = ord(body[k]), ord(body[k + 2])
            if hi < lo or hi - lo > 1000:
                raise errors.CandidatesError(f"Line {line_no} of the tokens has a %[ set with a backwards range")
            chars.extend(map(chr, range(lo, hi + 1)))
            k += 3
        else:
            chars.append(body[k])
            k += 1
    return "".join(dict.fromkeys(chars)), j + 1


def _wildcard(word: str, i: int, line_no: int) -> tuple[list[str], int]:
    """The alternatives of the ``%`` sequence starting at ``word[i] == '%'`` and the index after it."""
    i += 1
    lo = hi = 1
    m = _LENGTH.match(word, i)
    if m:
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) is not None else lo
        i = m.end()
        if hi < lo or hi > MAX_WILDCARD_LENGTH:
            raise errors.CandidatesError(
                f"Line {line_no} of the tokens has a wildcard length range that is backwards or longer than "
                f"{MAX_WILDCARD_LENGTH}"
            )
    nocase = i < len(word) and word[i] == "i"
    if nocase:
        i += 1
    if i >= len(word):
        raise errors.CandidatesError(f"Line {line_no} of the tokens ends a token with an unfinished % sequence")
    code = word[i]
    if code == "[":
        chars, i = _set_body(word, i + 1, line_no)
        if not chars:
            raise errors.CandidatesError(f"Line {line_no} of the tokens has an empty %[] set")
        if nocase:
            chars = "".join(dict.fromkeys(chars + chars.swapcase()))
    elif nocase and code in NOCASE_SETS:
        chars, i = NOCASE_SETS[code], i + 1
    elif code in WILDCARD_SETS and not nocase:
        chars, i = WILDCARD_SETS[code], i + 1
    else:
        raise errors.CandidatesError(
            f"Line {line_no} of the tokens has an unknown or unsupported % sequence %{code} (known: {_KNOWN})"
            if code.isascii() and code.isprintable()
            else f"Line {line_no} of the tokens has an unknown % sequence"
        )
    if m is None:
        return list(chars), i
    size = sum(len(chars) ** n for n in range(lo, hi + 1))
    if size > MAX_TOKEN_ALTERNATIVES:
        raise errors.CandidatesError(
            f"A wildcard on line {line_no} stands for {size:,} alternatives, more than {MAX_TOKEN_ALTERNATIVES:,}"
        )
    return ["".join(p) for n in range(lo, hi + 1) for p in product(chars, repeat=n)], i


def _anchor(word: str, line_no: int) -> tuple[Anchor, str]:
    """Split a token's anchor off: (anchor, the rest)."""
    first = last = False
    at: int | None = None
    middle: tuple[int | None, int | None] | None = None
    if word.startswith("^r") and re.match(r"\^r\d+\^", word):
        raise errors.CandidatesError(f"Line {line_no} of the tokens uses a relative anchor (^rN^), not supported")
    m = _ANCHOR.match(word)
    if m:
        if m.group(1) is not None:
            at = int(m.group(1))
            if at < 1:
                raise errors.CandidatesError(
                    f"Line {line_no} of the tokens has a position anchor ^0^; positions start at 1"
                )
            if at == 1:
                at, first = None, True
        else:
            lo = int(m.group(2)) if m.group(2) else None
            hi = int(m.group(3)) if m.group(3) else None
            if (lo is not None and lo < 2) or (lo is not None and hi is not None and hi < lo):
                raise errors.CandidatesError(
                    f"Line {line_no} of the tokens has a middle anchor ^M,N^ whose range is backwards or starts "
                    "before 2 (a middle token is never first)"
                )
            middle = (lo, hi)
        word = word[m.end() :]
    elif word.startswith("^"):
        first, word = True, word[1:]
    if word.endswith("$"):
        if middle is not None or at is not None:
            raise errors.CandidatesError(f"Line {line_no} of the tokens anchors a token both at a position and last")
        last, word = True, word[:-1]
    if not word:
        raise errors.CandidatesError(f"Line {line_no} of the tokens has an anchor with no token")
    return Anchor(first=first, last=last, at=at, middle=middle), word


def expand_token(word: str, line_no: int) -> list[str]:
    """The strings one token (without its anchor) stands for, in order."""
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
        alts, i = _wildcard(word, i, line_no)
        parts.append(alts)
    count = 1
    for p in parts:
        count *= len(p)
    if count > MAX_TOKEN_ALTERNATIVES:
        raise errors.CandidatesError(
            f"A token on line {line_no} stands for {count:,} alternatives, more than {MAX_TOKEN_ALTERNATIVES:,}"
        )
    return ["".join(t) for t in product(*parts)]


def parse_tokens(text: str) -> list[TokenLine]:
    """Parse tokens-file text (syntax above); errors name the line, never a token."""
    lines: list[TokenLine] = []
    for line_no, raw in enumerate(text.splitlines(), 1):
        if raw.startswith("#"):
            continue
        words = raw.split()
        if not words or words[0].startswith("#"):
            continue
        required = words[0] == "+"
        if required:
            words = words[1:]
            if not words:
                raise errors.CandidatesError(f"Line {line_no} of the tokens is required (+) but lists no tokens")
        seen: dict[str, Anchor] = {}
        for word in words:
            anchor, body = _anchor(word, line_no)
            for alt in expand_token(body, line_no):
                seen.setdefault(alt, anchor)
                if len(seen) > MAX_TOKEN_ALTERNATIVES:
                    raise errors.CandidatesError(
                        f"Line {line_no} of the tokens has more than {MAX_TOKEN_ALTERNATIVES:,} alternatives"
                    )
        anchors = tuple(seen.values())
        lines.append(
            TokenLine(
                alternatives=tuple(seen),
                required=required,
                anchors=() if all(a.free for a in anchors) else anchors,
            )
        )
    if not lines:
        raise errors.CandidatesError("The tokens list no pieces (only blank or comment lines)")
    return lines


def _elementary(sizes: list[int], kmax: int, cap: int) -> list[int]:
    """e_0..e_kmax of ``sizes`` (the ways to pick k of the lines, one alternative each), each at most ``cap``
    (saturating: a 1,500-line file costs no huge integers)."""
    e = [1] + [0] * kmax
    for c in sizes:
        for k in range(kmax, 0, -1):
            if e[k - 1]:
                e[k] = min(e[k] + e[k - 1] * c, cap)
    return e


class TokenCombos:
    """The strings a tokens file spells when its pieces may come in any order (or with anchors or counts).

    Order: fewer tokens first (``min_tokens`` … ``max_tokens``); for each count, the
    required lines plus each choice of optional lines (in file order); for each, the
    orders of those lines (as written first, then the next permutation); for each
    order, the alternatives (last position varies fastest), keeping only tokens whose
    anchor allows their position.  ``any_order=False`` keeps the written order
    (anchors and counts still apply).  The same string may be spelled twice (``ab`` +
    ``c`` and ``c`` + ``ab`` … ); :class:`~.candidates.Candidates` removes repeats.
    """

    def __init__(
        self,
        lines: list[TokenLine],
        *,
        any_order: bool = True,
        min_tokens: int | None = None,
        max_tokens: int | None = None,
        limit: int,
    ) -> None:
        self.lines = lines
        self.any_order = any_order
        required = [i for i, ln in enumerate(lines) if ln.required]
        self._required = tuple(required)
        self._optional = tuple(i for i, ln in enumerate(lines) if not ln.required)
        lo = max(1, len(required)) if min_tokens is None else max(min_tokens, len(required), 1)
        hi = len(lines) if max_tokens is None else min(max_tokens, len(lines))
        self.min_tokens, self.max_tokens = lo, hi
        # An upper bound (anchors ignored): sum over k of k! (if any order) x ways to pick the lines.
        req = 1
        for i in required:
            req *= len(lines[i].alternatives)
        e = _elementary([len(lines[i].alternatives) for i in self._optional], max(0, hi - len(required)), limit + 1)
        total = 0
        for k in range(lo, hi + 1):
            ways = req * e[k - len(required)] if k >= len(required) else 0
            if any_order:
                for f in range(2, k + 1):
                    ways *= f
            total += ways
            if total > limit:
                break
        #: Raw combinations, duplicates included (an upper bound of the distinct count).
        self.combinations = total
        if total > limit:
            raise errors.CandidatesError(
                f"The tokens spell more than {limit:,} combinations, more than a search can get through; "
                "make some lines required, anchor some tokens, or allow fewer tokens"
            )

    def __repr__(self) -> str:
        return f"<TokenCombos {len(self.lines)} lines, {self.combinations:,} combinations>"

    def iter_distinct(self, dropped: list[int]):  # noqa: ANN201 - as TokenSet's; repeats are left to the caller
        return iter(self)

    def _allowed(self, line: int, position: int, k: int) -> tuple[str, ...]:
        ln = self.lines[line]
        if not ln.anchored:
            return ln.alternatives
        return tuple(alt for j, alt in enumerate(ln.alternatives) if ln.anchors[j].allows(position, k))

    def __iter__(self) -> Iterator[str]:
        required, optional = self._required, self._optional
        for k in range(self.min_tokens, self.max_tokens + 1):
            extra = k - len(required)
            if extra < 0 or extra > len(optional):
                continue
            for chosen in combinations(optional, extra):
                picked = tuple(sorted(required + chosen))
                orders = permutations(picked) if self.any_order else (picked,)
                for order in orders:
                    pools = [self._allowed(line, p, k) for p, line in enumerate(order, 1)]
                    if not all(pools):
                        continue
                    for combo in product(*pools):
                        yield "".join(combo)


def _literal(word: str) -> str:
    """A piece as a token that means exactly itself (escapes for what the grammar would read)."""
    out = word.replace("%", "%%").replace("#", "%#").replace("+", "%+")
    if out.startswith("^"):
        out = "%^" + out[1:]
    if out.endswith("$"):
        out = out[:-1] + "%S"
    return out


def pieces_tokens(
    pieces: Sequence[str],
    *,
    first: Sequence[str] = (),
    last: Sequence[str] = (),
    required: bool = True,
) -> str:
    """Tokens-file text from what an owner remembers, for a form: no grammar typed by hand.

    ``pieces``: one remembered piece per item, its alternatives separated by spaces
    (``"Tiger tiger"``), each taken literally (``%``, ``^`` … mean themselves); ``required``:
    every piece is in the password (else each may be left out).  ``first`` / ``last``: pieces
    that, if used, come at the start / end of the password (alternatives again), each optional.
    Combine with ``any_order=True`` for "in any order".
    """
    lines: list[str] = []
    for piece in pieces:
        words = [_literal(w) for w in piece.split()]
        if words:
            lines.append(("+ " if required else "") + " ".join(words))
    for items, anchor in ((first, "^{}"), (last, "{}$")):
        for piece in items:
            words = [anchor.format(_literal(w)) for w in piece.split()]
            if words:
                lines.append(" ".join(words))
    if not lines:
        raise errors.CandidatesError("No pieces: give at least one piece the password is made of")
    return "\n".join(lines) + "\n"
