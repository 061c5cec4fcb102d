"""jsonio.loads_texts reads many small JSON texts in batches exactly as loads_text reads each one."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.format import jsonio


def deep(n: int) -> str:
    return "[" * n + "]" * n


#: Texts a field may hold: a wallet's, and each kind loads_text refuses (deep, a huge integer, NaN, not JSON,
#: too many values, a lone surrogate), and a float just inside and outside the 64-bit range.
POOL = [
    '{"v":0,"value":{"attributeList":{"maxAccounts":200,"createdAt":"202001","validTo":"202501"}}}',
    '{"ipInfo":{"ipIdentity":0,"ipDescription":{"name":"Notabene","url":"","description":""}}}',
    '{"createdAt":"202001","validTo":"202501","revealedAttributes":{"firstName":"Ann"}}',
    deep(100),
    deep(101),
    '{"a":' + deep(99) + "}",
    '{"a":' + deep(100) + "}",
    '{"maxAccounts":' + "9" * 30 + "}",
    '{"maxAccounts":18446744073709551615}',
    '{"maxAccounts":-9223372036854775809}',
    '{"maxAccounts":1e308}',
    '{"maxAccounts":1.5}',
    "[NaN]",
    "not json",
    "",
    "{",
    '"just text"',
    "7",
    '{"name":"\\ud800"}',
    "[" + ",".join(["0"] * (jsonio.MAX_TEXT_VALUES + 1)) + "]",
    "[" + ",".join(["0"] * (jsonio.MAX_TEXT_VALUES - 1)) + "]",
]


def one_by_one(text: str) -> tuple[Any, str | None, bool | None]:
    try:
        return jsonio.loads_text(text), None, None
    except jsonio.JSONError as exc:
        return None, str(exc), exc.content


def batched(texts: list[str], **bounds: int) -> list[tuple[Any, str | None, bool | None]]:
    out = {}
    for text, content, error in jsonio.loads_texts(texts, **bounds):
        out[text] = (content, None if error is None else str(error), None if error is None else error.content)
    assert set(out) == set(texts)  # every text answered
    return [out[t] for t in texts]


def same(a: Any, b: Any) -> bool:
    """Equal, NaN-proof and type-strict (1 is not 1.0, True is not 1)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True) and type(a) is type(b)


@pytest.mark.parametrize("text", POOL, ids=range(len(POOL)))
def test_each_text_alone_reads_as_loads_text_reads_it(text):
    [got] = batched([text])
    want = one_by_one(text)
    assert got[1:] == want[1:] and same(got[0], want[0])


@settings(max_examples=60, deadline=None)
@given(picks=st.lists(st.sampled_from(range(len(POOL))), min_size=1, max_size=40, unique=True))
def test_a_batch_reads_each_text_as_loads_text_reads_it(picks):
    """An odd text in a batch is named as loads_text names it, and the others around it still read."""
    texts = [POOL[i] for i in picks]
    for got, text in zip(batched(texts), texts, strict=True):
        want = one_by_one(text)
        assert got[1:] == want[1:] and same(got[0], want[0])


def test_batches_are_bounded_and_split_where_the_bound_falls():
    """With a small bound (values, hence characters, per batch) many texts make many batches, each read right;
    a text over the bound is refused as loads_text refuses it."""
    texts = [f'{{"i":{i},"deep":{deep(3 if i % 7 else 6)}}}' for i in range(50)]
    got = batched(texts, max_values=60, limit=6)
    for i, (content, error, _) in enumerate(got):
        if i % 7:
            assert error is None and content == jsonio.loads_text(texts[i], max_values=60, limit=6)
        else:  # nested 7 levels: over the limit of 6
            assert error is not None and error.startswith("nesting over 6 levels")
    [(content, error, content_error)] = batched(["[" + ",".join(["1"] * 61) + "]"], max_values=60)
    assert content is None and error == "more than 60 values" and content_error is True


def test_no_texts_no_answers():
    assert list(jsonio.loads_texts([])) == []
