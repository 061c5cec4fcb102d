"""The tokens grammar (any order, anchors, counts, wildcards) and the typo model (replace, limits, map).

Each feature against a hand-computed set; the numbering (count, index → candidate)
against enumeration with hypothesis.
"""

from __future__ import annotations

import itertools
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import make_file
from toolkit import errors
from toolkit.ops.recovery import Candidates, recover_password
from toolkit.ops.recovery.keyboards import KEYBOARDS, neighbours
from toolkit.ops.recovery.typos import parse_typos_map, typo_variants


def spelled(tokens: str, **kw) -> list[str]:
    c = Candidates(tokens=tokens, min_length=0, **kw)
    out = list(c)
    assert len(out) == len(set(out)) == c.count().total
    return out


# --------------------------------------------------------------------------- order and anchors


def test_written_order_files_keep_their_stream():
    # Today's files: written order, optional lines first left out, last line fastest.
    assert spelled("a A\n+ 1 2\n") == ["1", "2", "a1", "a2", "A1", "A2"]


def test_any_order_every_arrangement_once():
    assert set(spelled("a\nb\n+ c", any_order=True)) == {"c", "ac", "ca", "bc", "cb"} | {
        "abc",
        "acb",
        "bac",
        "bca",
        "cab",
        "cba",
    }
    # Alternatives on a line are never used together.
    assert set(spelled("a b\n+ c", any_order=True)) == {"c", "ac", "ca", "bc", "cb"}


def test_any_order_fewer_pieces_and_written_order_first():
    out = spelled("+ a\n+ b\nc", any_order=True)
    assert out[:2] == ["ab", "ba"]  # two pieces before three; as written first
    assert out[2] == "abc"


def test_begin_and_end_anchors():
    assert set(spelled("^x\nb\nc$", any_order=True)) == {"x", "b", "c", "xb", "xc", "bc", "xbc"}


def test_positional_anchor():
    assert set(spelled("^2^s\na\nb", any_order=True)) == {"a", "b", "as", "bs", "ab", "ba", "asb", "bsa"}
    # ^1^ is ^
    assert set(spelled("^1^s\na", any_order=True)) == set(spelled("^s\na", any_order=True)) == {"s", "a", "sa"}


def test_middle_anchor_never_first_or_last():
    assert set(spelled("^,^m\na\nb", any_order=True)) == {"a", "b", "ab", "ba", "amb", "bma"}
    assert set(spelled("^3,^m\na\nb\nc", any_order=True, min_tokens=4)) == {
        p[0] + p[1] + "m" + p[2] for p in itertools.permutations("abc")
    }


def test_anchors_and_counts_in_written_order():
    assert spelled("a\nb\nc", max_tokens=2) == ["a", "b", "c", "ab", "ac", "bc"]
    assert spelled("a\n^b\nc") == ["a", "b", "c", "ac", "bc"]  # b only first: never "ab", "abc"


def test_min_max_tokens():
    assert set(spelled("a\nb\nc", any_order=True, min_tokens=2, max_tokens=2)) == {
        "ab",
        "ac",
        "ba",
        "bc",
        "ca",
        "cb",
    }
    with pytest.raises(errors.CandidatesError):
        Candidates(tokens="a", min_tokens=3, max_tokens=2)


# --------------------------------------------------------------------------- wildcards


@pytest.mark.parametrize(
    "token, expected",
    [
        ("%2d", [f"{i:02d}" for i in range(100)]),
        ("a%0,1d", ["a", *(f"a{i}" for i in range(10))]),
        ("%1,2[xy]", ["x", "y", "xx", "xy", "yx", "yy"]),
        ("%a", list(string.ascii_lowercase)),
        ("%A", list(string.ascii_uppercase)),
        ("%n", list(string.ascii_lowercase + string.digits)),
        ("%ia", list(string.ascii_lowercase + string.ascii_uppercase)),
        ("%i[a-c]", list("abcABC")),
        ("%[]x]", ["]", "x"]),
        ("%y", list(string.punctuation)),
        ("%H", list(dict.fromkeys(string.hexdigits))),
        ("%p", [chr(c) for c in range(33, 127)]),
        ("x%s%t%%%+%#%^%S", ["x \t%+#^$"]),
        ("%^x", ["^x"]),  # escaped: not an anchor
    ],
)
def test_wildcards(token, expected):
    assert spelled(f"+ {token}") == expected


@pytest.mark.parametrize(
    "text, why",
    [
        ("%9d", "length"),
        ("%3p", "alternatives"),
        ("^r1^x", "relative anchor"),
        ("%[abc", "closing"),
        ("^0^x", "positions start at 1"),
        ("%[c-a]", "backwards"),
        ("%x", "unknown"),
        ("%ib", "unknown"),
    ],
)
def test_grammar_errors(text, why):
    with pytest.raises(errors.CandidatesError) as exc:
        Candidates(tokens=text)
    assert why in str(exc.value)


# --------------------------------------------------------------------------- numbering


def _reference(lines: list[tuple[bool, list[str]]], any_order: bool, lo: int | None, hi: int | None) -> set[str]:
    """Brute force: every ordered choice of lines, tokens with ^ / $ anchors checked by hand."""
    out = set()
    required = {i for i, (req, _) in enumerate(lines) if req}
    for k in range(1, len(lines) + 1):
        if (lo is not None and k < lo) or (hi is not None and k > hi):
            continue
        for order in itertools.permutations(range(len(lines)), k):
            if not required <= set(order) or (not any_order and list(order) != sorted(order)):
                continue
            for combo in itertools.product(*(lines[i][1] for i in order)):
                ok = True
                for p, tok in enumerate(combo, 1):
                    if tok.startswith("^") and p != 1 or tok.endswith("$") and p != k:
                        ok = False
                out |= {"".join(t.strip("^$") for t in combo)} if ok else set()
    return out - {""}


_TOKEN = st.sampled_from(["a", "b", "ab", "^a", "b$", "ba"])
_LINE = st.tuples(st.booleans(), st.lists(_TOKEN, min_size=1, max_size=2, unique=True))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(_LINE, min_size=1, max_size=4),
    st.booleans(),
    st.sampled_from([None, 1, 2]),
    st.sampled_from([None, 2, 3]),
    st.integers(min_value=0, max_value=40),
)
def test_numbering_is_exact(lines, any_order, lo, hi, skip):
    # Two tokens on a line that spell the same string once anchored and once not mean different things.
    if any(len({t.strip("^$") for t in toks}) < len(toks) for _, toks in lines):
        return
    text = "\n".join(("+ " if req else "") + " ".join(toks) for req, toks in lines)
    c = Candidates(tokens=text, any_order=any_order, min_tokens=lo, max_tokens=hi, min_length=0)
    out = list(c)
    assert len(out) == len(set(out)) == c.count().total == len(c)
    assert list(c.iter_from(skip)) == out[skip:]
    assert set(out) == _reference(lines, any_order, lo, hi)
    assert c.estimate() >= len(out)


# --------------------------------------------------------------------------- typos


def test_replace_by_us_keyboard_neighbours():
    # a: q w s z on a US keyboard; s: a d w e z x
    assert set(typo_variants("as", 1, ["replace"])) == {"qs", "ws", "ss", "zs", "aa", "ad", "aw", "ae", "az", "ax"}


@pytest.mark.parametrize(
    "layout, ch, expected",
    [
        ("us", "5", "46rt"),
        ("us", "A", "QWSZ"),
        ("uk", "z", "\\xas"),
        ("de", "y", "<xas"),
        ("de", "z", "tu67gh"),
        ("da", "ø", "æ'å-"),
    ],
)
def test_keyboard_tables(layout, ch, expected):
    assert set(neighbours(ch, layout)) == set(expected)
    assert layout in KEYBOARDS


def test_replace_chars_and_no_replace():
    assert set(typo_variants("ab", 1, ["replace"], replace_chars="xa")) == {"xb", "ax", "aa"}
    out = list(Candidates(words=["abcdef"], typos=1, typo_kinds=["case"], min_length=0))
    assert "qbcdef" not in out and "Abcdef" in out


def test_per_kind_limits():
    free = Candidates(words=["abcd"], typos=2, typo_kinds=["swap"], min_length=0)
    capped = Candidates(words=["abcd"], typos=2, typo_kinds=["swap"], typo_limits={"swap": 1}, min_length=0)
    assert list(free) == ["abcd", "bacd", "acbd", "abdc", "badc"]
    assert list(capped) == ["abcd", "bacd", "acbd", "abdc"]


def test_typos_map_same_substitution_everywhere(tmp_path):
    path = tmp_path / "map.txt"
    path.write_text("# btcrecover's format\no 0\nb 8\n")
    assert parse_typos_map(path.read_text()) == (("o", "0"), ("b", "8"))
    c = Candidates(words=["foo bob"], typos=2, typo_kinds=[], typos_map=path, min_length=0)
    assert list(c) == ["foo bob", "f00 b0b", "foo 8o8", "f00 808"]
    assert parse_typos_map("ab 12a\n") == (("a", "12"), ("b", "12a"))
    with pytest.raises(errors.CandidatesError):
        parse_typos_map("abc\n")


def test_typo_level_ascends_across_the_whole_stream():
    words = ["passw0rd", "letmein1"]
    c = Candidates(words=words, typos=2, typo_kinds=["case", "delete"], min_length=0)
    out = list(c)
    one = {v for w in words for v in typo_variants(w, 1, ["case", "delete"])}
    level = [0 if x in words else 1 if x in one else 2 for x in out]
    assert level == sorted(level) and level[:2] == [0, 0] and 2 in level
    levels = c.estimate_levels()
    assert levels[0] == 2 and sum(levels) >= len(out)


# --------------------------------------------------------------------------- found


def test_three_pieces_in_another_order_with_a_replaced_character_is_found():
    # The owner wrote the pieces down as "Tiger", "Oslo", "2019"; the password is 2019 + Oslo + Tiger
    # with the "i" typed as its neighbour "o".
    password = "2019OsloTogerx"[:-1]
    data = make_file(b'{"accounts":[],"identities":[],"addressBook":[],"credentials":[],"wallets":[]}', password)
    tokens = "+ Tiger tiger\n+ Oslo oslo\n+ 2019 2020\n"
    cands = Candidates(tokens=tokens, any_order=True, typos=1, typo_kinds=["replace"])
    assert password not in set(Candidates(tokens=tokens, any_order=True))
    result = recover_password(data, cands, workers=1)
    assert result.found and result.password == password


def test_pieces_tokens_from_a_form():
    from toolkit.ops.recovery.grammar import pieces_tokens

    text = pieces_tokens(["Tiger tiger", "50%"], first=["^x"], last=["!$"])
    assert text == "+ Tiger tiger\n+ 50%%\n^%^x\n!%S$\n"
    out = set(Candidates(tokens=text, any_order=True, min_length=0))
    assert "^xtiger50%" in out and "50%Tiger!$" in out and "Tiger^x50%" not in out and "!$Tiger50%" not in out
    assert out == {p for p in out if ("^x" not in p or p.startswith("^x")) and ("!$" not in p or p.endswith("!$"))}
    with pytest.raises(errors.CandidatesError):
        pieces_tokens([" "])


def test_a_long_tokens_file_in_any_order_is_linear():
    import time

    text = "".join(f"w{i}\n" for i in range(1500))
    started = time.perf_counter()
    c = Candidates(tokens=text, any_order=True, max_tokens=1, min_length=0)
    assert c.count().total == 1500
    with pytest.raises(errors.CandidatesError, match="more than"):
        Candidates(tokens=text, any_order=True)  # 1,500 pieces in any order: refused, quickly
    assert time.perf_counter() - started < 10


@settings(max_examples=100, deadline=None)
@given(
    st.text(alphabet="aAb1 ;ø", min_size=0, max_size=6),
    st.sets(st.sampled_from(["case", "replace", "swap", "delete", "repeat", "insert"]), min_size=1),
    st.sampled_from([None, "xa", ""]),
    st.sampled_from(["us", "da"]),
)
def test_position_sizes_match_the_ops(text, kinds, replace_chars, keyboard):
    from toolkit.ops.recovery.typos import TypoModel

    model = TypoModel.make(kinds, "xy", replace_chars, keyboard)
    assert model._position_sizes(text) == [len(ops) for ops in model._position_ops(text)]
