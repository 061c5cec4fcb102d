"""Candidate generation: candidate files, token syntax, typos, dedupe, counts."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import errors
from toolkit.ops.recovery import Candidates, TokenSet, parse_tokens, typo_variants
from toolkit.ops.recovery.candidates import TYPO_KINDS, js_length
from toolkit.ops.recovery.keyboards import neighbours


def brute_tokens(lines: list[tuple[bool, list[str]]]) -> list[str]:
    """Every combination in order, duplicates included (the reference)."""
    choices = [alts if required else ["", *alts] for required, alts in lines]
    return ["".join(p) for p in itertools.product(*choices)]


def token_text(lines: list[tuple[bool, list[str]]]) -> str:
    return "\n".join(("+ " if required else "") + " ".join(alts) for required, alts in lines)


# --------------------------------------------------------------------------- candidate files


def test_candidate_file_lines(tmp_path):
    path = tmp_path / "list.txt"
    path.write_bytes(b"\xef\xbb\xbffirst-one\r\n\n  spaced pass  \nsecond-one\nsecond-one\nshort\n")
    c = Candidates(files=[path])
    assert list(c) == ["first-one", "  spaced pass  ", "second-one"]
    assert c.count().total == 3
    assert c.count().duplicates == 1
    assert c.count().too_short == 1


def test_candidate_file_not_utf8_names_line_only(tmp_path):
    path = tmp_path / "list.txt"
    path.write_bytes(b"good-password\nbad-\xff-secret\n")
    c = Candidates(files=[path])
    with pytest.raises(errors.CandidatesError) as exc:
        list(c)
    assert "Line 2" in exc.value.message
    assert "secret" not in exc.value.message


def test_missing_sources_and_bad_options(tmp_path):
    with pytest.raises(errors.CandidatesError):
        Candidates()
    with pytest.raises(errors.CannotReadError):
        Candidates(files=[tmp_path / "nope.txt"])
    with pytest.raises(errors.CandidatesError):
        Candidates(words=["abcdefg"], typos=9)
    with pytest.raises(errors.CandidatesError):
        Candidates(words=["abcdefg"], typos=1, typo_kinds=[])
    with pytest.raises(errors.CandidatesError):
        Candidates(words=["abcdefg"], typos=1, typo_kinds=["bogus"])


def test_repr_never_shows_candidates():
    c = Candidates(words=["hunter2-secret"], tokens="+ tok-secret")
    assert "secret" not in repr(c)
    assert "secret" not in repr(TokenSet.from_text("+ tok-secret"))
    assert "secret" not in repr(parse_tokens("+ tok-secret"))


def test_min_length_counts_like_javascript():
    emoji = "\U0001f600" * 3  # 3 code points, JavaScript length 6: the Desktop Wallet accepts it
    assert js_length(emoji) == 6
    assert list(Candidates(words=[emoji, "abcde", "abcdef"])) == [emoji, "abcdef"]
    assert list(Candidates(words=["abc"], min_length=0)) == ["abc"]


# --------------------------------------------------------------------------- tokens


def test_token_syntax():
    lines = parse_tokens("# comment\n+ rex Rex rex\n\n  19%d%d\n%s%% %+ %# %t\n")
    assert [line.required for line in lines] == [True, False, False]
    assert lines[0].alternatives == ("rex", "Rex")  # a repeated token is ignored
    assert len(lines[1].alternatives) == 100 and lines[1].alternatives[0] == "1900"
    assert lines[2].alternatives == (" %", "+", "#", "\t")


def test_token_order_and_count():
    c = Candidates(tokens="+ rex Rex REX\n+ 19%d%d 20%d%d\n! !!")
    out = list(c)
    assert c.count().total == len(out) == 3 * 200 * 3
    assert out[:4] == ["rex1900", "rex1900!", "rex1900!!", "rex1901"]


@pytest.mark.parametrize(
    "text, why",
    [
        ("+\n", "required"),
        ("a%x\n", "sequence %x"),
        ("abc%\n", "lone %"),
        ("# only a comment\n", "no pieces"),
        ("%d%d%d%d%d%d\n", "alternatives"),
    ],
)
def test_token_errors(text, why):
    with pytest.raises(errors.CandidatesError) as exc:
        TokenSet.from_text(text)
    assert why in exc.value.message


def test_too_many_combinations_refused():
    with pytest.raises(errors.CandidatesError) as exc:
        TokenSet.from_text("%d%d%d%d\n" * 3)
    assert "combinations" in exc.value.message


def test_token_duplicates_exact():
    # "ab"+"c" = "a"+"bc"; "a"+"" = "a": the same string from several combinations is produced once.
    lines = [(True, ["a", "ab"]), (False, ["c", "bc"]), (False, ["c"])]
    expected = list(dict.fromkeys(s for s in brute_tokens(lines) if s))
    tokens = TokenSet.from_text(token_text(lines))
    assert list(tokens) == expected
    assert Candidates(tokens=token_text(lines), min_length=0).count().total == len(expected)
    assert len(expected) < tokens.combinations


_TOKEN = st.text(alphabet="ab", min_size=1, max_size=3)
_LINES = st.lists(st.tuples(st.booleans(), st.lists(_TOKEN, min_size=1, max_size=3)), min_size=1, max_size=4)


@settings(max_examples=300, deadline=None)
@given(_LINES)
def test_token_stream_is_exactly_the_distinct_combinations(lines):
    text = token_text(lines)
    expected = list(dict.fromkeys(s for s in brute_tokens(lines) if s))
    out = list(TokenSet.from_text(text))
    assert out == expected  # no duplicates, every combination reachable, first-occurrence order
    assert Candidates(tokens=text, min_length=0).count().total == len(expected)
    # With no dedupe set at all the count stays exact.
    assert Candidates(tokens=text, min_length=0, dedupe_limit=0).count().total == len(expected)


# --------------------------------------------------------------------------- typos


def single_typos(s: str, kinds: frozenset[str], inserts: str) -> set[str]:
    """Every one-typo variant, written straight from the definitions."""
    out = set()
    for i in range(len(s)):
        if "case" in kinds and len(s[i].swapcase()) == 1:
            out.add(s[:i] + s[i].swapcase() + s[i + 1 :])
        if "replace" in kinds:
            out |= {s[:i] + x + s[i + 1 :] for x in neighbours(s[i])}
        if "swap" in kinds and i + 1 < len(s):
            out.add(s[:i] + s[i + 1] + s[i] + s[i + 2 :])
        if "delete" in kinds:
            out.add(s[:i] + s[i + 1 :])
        if "repeat" in kinds:
            out.add(s[:i] + s[i] * 2 + s[i + 1 :])
    if "insert" in kinds:
        out |= {s[:i] + x + s[i:] for i in range(len(s) + 1) for x in inserts}
    if "capslock" in kinds:
        out.add(s.swapcase())
    return out


def reference_variants(s: str, n: int, kinds: frozenset[str], inserts: str) -> set[str]:
    """Up to n typos at different positions: every edit script over all positions at once."""

    def ops(t: str, i: int) -> list[tuple[str, int]]:  # (replacement, positions used)
        if i == len(t):
            return [(x, 1) for x in inserts] if "insert" in kinds else []
        c = t[i]
        out = []
        if "case" in kinds and len(c.swapcase()) == 1 and c.swapcase() != c:
            out.append((c.swapcase(), 1))
        if "replace" in kinds:
            out += [(x, 1) for x in neighbours(c)]
        if "swap" in kinds and i + 1 < len(t) and t[i + 1] != c:
            out.append((t[i + 1] + c, 2))
        if "delete" in kinds:
            out.append(("", 1))
        if "repeat" in kinds:
            out.append((c + c, 1))
        if "insert" in kinds:
            out += [(x + c, 1) for x in inserts]
        return out

    def scripts(t: str, i: int, budget: int):
        if i > len(t):
            yield ""
            return
        keep = t[i] if i < len(t) else ""
        for rest in scripts(t, i + 1, budget):
            yield keep + rest
        if budget:
            for rep, used in ops(t, i):
                for rest in scripts(t, i + used, budget - 1):
                    yield rep + rest

    result = set(scripts(s, 0, n))
    if "capslock" in kinds and n and s.swapcase() != s:
        result |= set(scripts(s.swapcase(), 0, n - 1))
    return result


def test_typo_examples():
    out = set(typo_variants("abC", 1, ["case", "swap"]))
    assert out == {"AbC", "aBC", "abc", "baC", "aCb"}
    assert set(typo_variants("abC", 1, ["capslock"])) == {"ABc"}
    assert set(typo_variants("ab", 1, ["insert"], "x")) == {"xab", "axb", "abx"}
    assert set(typo_variants("ab", 1, ["delete", "repeat"])) == {"b", "a", "aab", "abb"}


_KINDS = st.sets(st.sampled_from(TYPO_KINDS), min_size=1).map(frozenset)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="aAb", min_size=1, max_size=5), _KINDS, st.sampled_from(["", "a", "ab"]))
def test_one_typo_is_every_single_edit(s, kinds, inserts):
    c = Candidates(words=[s], typos=1, typo_kinds=kinds, insert_chars=inserts or "z", min_length=0)
    inserts = c.insert_chars
    out = list(c)
    assert len(out) == len(set(out)) == c.count().total
    assert set(out) == ({s} | single_typos(s, kinds, inserts)) - {""}


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="aAb", min_size=1, max_size=5),
    st.integers(min_value=1, max_value=2),
    _KINDS,
    st.sampled_from(["a", "ab"]),
)
def test_typos_distinct_and_complete(s, n, kinds, inserts):
    c = Candidates(words=[s], typos=n, typo_kinds=kinds, insert_chars=inserts, min_length=0)
    out = list(c)
    assert len(out) == len(set(out)) == c.count().total  # no duplicates, exact count
    assert set(out) == reference_variants(s, n, kinds, inserts) - {""}  # every variant reachable
    assert out[0] == s  # as written first, then typos


def test_typo_stages_ordered_and_short_variants_skipped():
    c = Candidates(words=["abcdef", "zyxwvu"], typos=1, typo_kinds=["delete", "case"])
    out = list(c)
    assert out[:2] == ["abcdef", "zyxwvu"]
    assert all(len(x) == 6 for x in out)  # deletions would be 5 characters: skipped
    # Bases that can never reach the length are skipped whole.
    assert list(Candidates(words=["abc"], typos=1, typo_kinds=["insert"], insert_chars="x")) == []


def test_dedupe_bound_never_loses_candidates():
    kw = dict(words=["aab", "aab", "aba"], typos=1, min_length=0)
    exact = list(Candidates(**kw))
    unbounded = list(Candidates(**kw, dedupe_limit=0))
    assert len(unbounded) > len(exact)
    assert set(unbounded) == set(exact)
    assert Candidates(**kw, dedupe_limit=0).count().total == len(unbounded)


def test_definition_digest_follows_content(tmp_path):
    path = tmp_path / "list.txt"
    path.write_text("password-one\n")
    a = Candidates(files=[path]).definition_digest()
    assert a == Candidates(files=[path]).definition_digest()
    assert a != Candidates(files=[path], typos=1).definition_digest()
    path.write_text("password-two\n")
    assert a != Candidates(files=[path]).definition_digest()


# --------------------------------------------------------------------------- estimate and line caps


@pytest.mark.parametrize(
    "kwargs",
    [
        {"words": ["abcdefghij", "Passw0rd!", "aa-bb-cc"], "typos": 2},
        {"words": ["Zebra-Crossing"], "typos": 1, "typo_kinds": ["case", "swap"]},
        {"tokens": "+ a ab abc\nbc c cd\n%d", "min_length": 3},
        {"tokens": "+ rex Rex\n+ 19%d%d\n! ?", "typos": 1, "insert_chars": "xy"},
    ],
)
def test_estimate_is_an_upper_bound_close_to_the_count(kwargs):
    c = Candidates(**kwargs)
    total = c.count().total
    assert total <= c.estimate() <= 1.5 * total + 10


def test_estimate_of_a_huge_space_is_immediate():
    import time

    started = time.perf_counter()
    assert (
        80_000_000
        < Candidates(words=["abcdefghijklmnopqrst"], typos=3, typo_kinds=set(TYPO_KINDS) - {"replace"}).estimate()
        < 90_000_000
    )
    assert time.perf_counter() - started < 1


def test_candidate_lines_are_capped(tmp_path):
    from toolkit.ops.recovery.candidates import MAX_LINE_BYTES

    ok = tmp_path / "ok.txt"
    ok.write_bytes(b"\xef\xbb\xbf" + b"a" * MAX_LINE_BYTES + b"\r\nshort-one\n")
    assert list(Candidates(files=[ok])) == ["a" * MAX_LINE_BYTES, "short-one"]
    long = tmp_path / "long.txt"
    long.write_bytes(b"first-line\n" + b"b" * (MAX_LINE_BYTES + 1) + b"\n")
    with pytest.raises(errors.LineTooLongError, match="Line 2"):
        Candidates(files=[long]).count()
    with pytest.raises(errors.LineTooLongError):
        Candidates(words=["c" * (MAX_LINE_BYTES + 1)])


def test_a_tokens_file_of_thousands_of_lines_needs_no_recursion(tmp_path):
    """Issue 21 #9: a tokens file of ~1,500 lines ended in RecursionError (the first-combination check recursed
    once per line); it is a walk with its own stack now."""
    lines = ["+ a"] * 3000 + ["+ b bb", "+ b bb"]  # two lengths on the last lines: the check runs over every line
    path = tmp_path / "tokens.txt"
    path.write_text("\n".join(lines) + "\n")
    candidates = Candidates(tokens_files=[path])
    assert list(candidates) == ["a" * 3000 + "bb", "a" * 3000 + "bbb", "a" * 3000 + "bbbb"]
    assert candidates.count().total == 3 and candidates.count().duplicates == 1
    ambiguous = TokenSet.from_text("\n".join(["+ a aa"] * 8 + ["+ x"] * 1500))  # the searches go 1,500 lines deep
    assert list(ambiguous) == ["a" * k + "x" * 1500 for k in range(8, 17)]
