"""The open's fast paths agree with the slow, obvious ones they stand in for (issue 14, P1)."""

from __future__ import annotations

import binascii

from cryptography.hazmat.primitives import padding
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import open_backup
from toolkit.format import container, jsonio
from toolkit.testing import synthetic


class _D(dict):
    pass


class _L(list):
    pass


_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**66), max_value=2**66),
    st.floats(allow_nan=False),
    st.text(max_size=3),
)
_TREE = st.recursive(
    _LEAF,
    lambda c: st.one_of(
        st.lists(c, max_size=4),
        st.dictionaries(st.text(max_size=2), c, max_size=4),
        st.builds(_D, st.dictionaries(st.text(max_size=2), c, max_size=3)),
        st.builds(_L, st.lists(c, max_size=3)),
    ),
    max_leaves=40,
)


@settings(max_examples=1500, deadline=None)
@given(_TREE, st.integers(1, 6))
def test_level_walk_finds_what_the_value_walk_finds(obj, limit):
    slow = jsonio._first_oddity(obj, limit) if type(obj) in (dict, list) else None
    assert jsonio.oddity(obj, limit) == slow


def test_depth_limit_is_exact():
    found = []
    for n in range(45, 52):  # each step nests two levels (an object in a list)
        doc = inner = {}
        for _ in range(n):
            inner["a"] = [{}]
            inner = inner["a"][0]
        odd = jsonio.oddity({"accounts": [doc]})
        assert odd == jsonio._first_oddity({"accounts": [doc]}, jsonio.MAX_DEPTH)
        found.append(odd is not None)
    assert found == sorted(found) and True in found and False in found


@settings(max_examples=3000, deadline=None)
@given(st.integers(1, 3).flatmap(lambda k: st.binary(min_size=16 * k, max_size=16 * k)), st.integers(0, 17))
def test_unpad_accepts_exactly_what_cryptography_accepts(raw, n):
    raw = raw[: len(raw) - min(n, 16)] + bytes([n]) * min(n, 16)
    unpadder = padding.PKCS7(128).unpadder()
    try:
        expected = unpadder.update(raw) + unpadder.finalize()
    except ValueError:
        expected = None
    assert container._unpad(raw) == expected


@given(st.binary(max_size=40))
def test_cipher_text_fast_path_decodes_as_strict_binascii(data):
    text = binascii.b2a_base64(data, newline=False)
    for value in (text, text.rstrip(b"="), text + b"=", text[:-1], b"=" + text, text.replace(b"A", b"-")):
        outer = b'{"cipherText":"' + value + b'","metadata":{}}'
        try:
            expected = binascii.a2b_base64(value, strict_mode=True)
        except binascii.Error:
            expected = None
        got = container._split_ciphertext(outer)[1]
        assert got == expected, value


def test_a_second_cipher_text_key_anywhere_takes_the_full_parse():
    body = binascii.b2a_base64(b"x" * 32, newline=False)
    for outer in (
        b'{"cipherText":"' + body + b'","metadata":{},"cipherText":""}',
        b'{"cipherText":"cipherText":"' + body + b'","metadata":{}}',
    ):
        assert container._split_ciphertext(outer) == (None, None), outer
    assert container._split_ciphertext(b'{"cipherText":"' + body + b'","metadata":{}}')[1] == b"x" * 32


def test_an_opened_backup_keeps_a_view_and_gives_bytes():
    plaintext = jsonio.dumps_js(synthetic.desktop_document(identities=1, contacts=1, seed=3))
    data = container.encrypt(plaintext, "pw", iterations=10)
    box = container.parse_container(data)
    key = container.derive_key("pw", box.kdf)
    assert container.decrypt_with_key(box, key, view=True).plaintext == plaintext
    backup = open_backup(data, "pw")
    assert backup.plaintext_bytes == len(plaintext)
    out = backup.to_plaintext()
    assert type(out) is bytes and out == plaintext


_JSON_TREE = st.recursive(
    st.one_of(
        st.integers(min_value=-(2**66), max_value=2**66),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=3),
    ),
    lambda c: st.one_of(st.lists(c, max_size=4), st.dictionaries(st.text(max_size=2), c, max_size=4)),
    max_leaves=30,
)


@settings(max_examples=500, deadline=None)
@given(_JSON_TREE)
def test_orjson_and_the_standard_library_refuse_the_same_integers(obj):
    """orjson reads an integer literal beyond 64 bits as a float: the open must still refuse it, as the exact
    parse does (and accept a float literal of any size, as the exact parse does)."""
    import json

    text = json.dumps(obj).encode()
    _, fast = jsonio.loads_checked(text)
    assert fast == jsonio.oddity(json.loads(text))


def _level_walk_by_iterators(obj, limit, integers, huge_floats):
    """The level walk as the last session wrote it (C iterators over each level): the reference."""
    from itertools import chain, compress, repeat
    from operator import is_

    level, depth = [obj], 1
    while level:
        values = list(chain.from_iterable([n.values() if type(n) is dict else n for n in level]))
        types = list(map(type, values))
        level = list(compress(values, map({dict, list}.__contains__, types)))
        if level and depth >= limit:
            return True
        if integers and int in types:
            ints = list(compress(values, map(is_, types, repeat(int))))
            if min(ints) < jsonio.MIN_INT or max(ints) > jsonio.MAX_INT:
                return True
        if huge_floats and float in types:
            floats = list(compress(values, map(is_, types, repeat(float))))
            if min(floats) <= jsonio.MIN_INT or max(floats) >= jsonio.MAX_INT:
                return True
        depth += 1
    return False


_FLOATS = st.one_of(st.floats(allow_nan=False), st.sampled_from([2.0**63, -(2.0**63), 2.0**64, -(2.0**63) - 1.0]))


@settings(max_examples=1500, deadline=None)
@given(
    st.recursive(
        st.one_of(_LEAF, _FLOATS),
        lambda c: st.one_of(st.lists(c, max_size=4), st.dictionaries(st.text(max_size=2), c, max_size=4)),
        max_leaves=40,
    ).filter(lambda o: type(o) in (dict, list)),
    st.integers(1, 6),
    st.booleans(),
    st.booleans(),
)
def test_level_walk_loop_answers_as_the_iterator_walk(obj, limit, integers, huge_floats):
    expected = _level_walk_by_iterators(obj, limit, integers, huge_floats)
    assert jsonio._any_oddity(obj, limit, integers, huge_floats) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.sampled_from(["confirmed", "pending", "weird", "", "genesis"]), st.text(max_size=2))
    )
)
def test_status_categories_are_pandas_own(values):
    import pandas as pd

    from toolkit.model import tables

    frame = tables._frame([{"status": v} for v in values] or [{}])
    if "status" not in frame:
        return
    fast, slow = frame.copy(), frame.copy()
    tables._category(fast, "status", tables.ACCOUNT_STATUSES)
    extra = sorted({v for v in slow["status"].dropna().unique() if v not in tables.ACCOUNT_STATUSES}, key=str)
    slow["status"] = pd.Categorical(slow["status"], categories=list(tables.ACCOUNT_STATUSES) + extra)
    pd.testing.assert_series_equal(fast["status"], slow["status"], check_exact=True, check_categorical=True)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=300), st.integers(0, 3))
def test_container_count_is_the_count_of_brackets(data, cut):
    expected = data.count(b"{") + data.count(b"[")
    assert jsonio.containers(data) == expected
    assert jsonio.containers(memoryview(data)[cut:]) == data[cut:].count(b"{") + data[cut:].count(b"[")
    assert jsonio.containers(bytearray(data)) == expected
    assert jsonio.containers(data.decode("latin-1")) == expected


def test_container_count_across_chunks():
    data = b'{"a":[1,"[x{"]},' * 700_000  # about 12 MB: several chunks, brackets on their edges
    expected = data.count(b"{") + data.count(b"[")
    assert jsonio.containers(memoryview(data)[1:]) == expected - 1
    assert jsonio.containers(data) == expected
