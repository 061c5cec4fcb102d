"""The diff compares JSON values, not Python values: ``true`` is not ``1`` and ``false`` is not ``0``, at any depth
and in every path (the column compare, the equal pairs left out in C, object fields, lists, JSON text).  A
changed type is a change the user must see: the wallets' JSON is typed.  ``1`` and ``1.0`` are one JSON number
(the Desktop Wallet's ``JSON.parse`` reads both as the same Number), so they are no change."""

from __future__ import annotations

import copy
import json

import pytest

from toolkit.format import jsonio
from toolkit.model.backup import Backup
from toolkit.ops import diff
from toolkit.testing import synthetic

_BASE = synthetic.large_desktop_document(30, 30, 20, rich=True, seed=11)

#: (old, new) pairs Python's ``==`` calls equal that are different JSON values.
TYPED = [
    (True, 1),
    (False, 0),
    (1, True),
    (0, False),
    (True, 1.0),
    (False, 0.0),
    ([True], [1]),
    ([0, [False]], [0, [0]]),
    ({"a": True}, {"a": 1}),
    ({"a": {"b": [1, {"c": False}]}}, {"a": {"b": [1, {"c": 0}]}}),
]
#: Pairs that are the same JSON value.
SAME = [
    (1, 1.0),
    (0, 0.0),
    ([1, 2.0], [1.0, 2]),
    ({"a": 1}, {"a": 1.0}),
    (True, True),
    ({"a": [False]}, {"a": [False]}),
]


def _pair(field: str, old, new, table: str = "accounts", at: int = 7) -> tuple[Backup, Backup]:
    a, b = copy.deepcopy(_BASE), copy.deepcopy(_BASE)
    a[table][at][field] = old
    b[table][at][field] = new
    return Backup(a), Backup(b)


@pytest.mark.parametrize(("old", "new"), TYPED, ids=repr)
def test_a_changed_type_is_a_change(old, new):
    changes = diff.diff_backups(*_pair("extra", old, new)).changes
    assert len(changes) >= 1, "a changed JSON type was not reported"
    assert set(changes["table"]) == {"accounts"} and set(changes["change"]) == {"changed"}
    assert all(f == "extra" or f.startswith("extra.") for f in changes["field"])
    assert diff.diff_backups(*_pair("extra", old, new)).counts()["changed"] == 1


@pytest.mark.parametrize(("old", "new"), SAME, ids=repr)
def test_the_same_json_value_is_no_change(old, new):
    assert diff.diff_backups(*_pair("extra", old, new)).empty


def test_a_known_object_field_shows_the_leaf_whose_type_changed():
    a, b = _pair("transactionFilter", {"toDate": None, "showRewards": True}, {"toDate": None, "showRewards": 1})
    a.check_shape()
    b.check_shape()
    rows = diff.diff_backups(a, b).changes.to_dict("records")
    assert [(r["field"], r["old"], r["new"]) for r in rows] == [("transactionFilter.showRewards", True, 1)]
    assert type(rows[0]["old"]) is bool and type(rows[0]["new"]) is int


def test_inside_an_object_field_the_leaf_is_named():
    rows = diff.diff_backups(*_pair("extra", {"a": {"b": True, "c": 2}}, {"a": {"b": 1, "c": 2}})).changes
    assert rows[["field", "old", "new"]].values.tolist() == [["extra.a.b", True, 1]]


def test_inside_json_text_the_leaf_is_named():
    old = json.dumps({"v": 0, "value": {"flag": True, "n": 3}})
    new = json.dumps({"v": 0, "value": {"flag": 1, "n": 3.0}})
    rows = diff.diff_backups(*_pair("extra", old, new)).changes
    assert rows[["field", "old", "new"]].values.tolist() == [["extra.value.flag", True, 1]]


def test_json_text_holding_a_list_of_changed_types_is_a_change():
    rows = diff.diff_backups(*_pair("extra", "[true, 2]", "[1, 2]")).changes
    assert rows[["field", "old", "new"]].values.tolist() == [["extra", "[true, 2]", "[1, 2]"]]


def test_top_level_file_fields_and_genesis_compare_types_too():
    a, b = copy.deepcopy(_BASE), copy.deepcopy(_BASE)
    a["someFlag"], b["someFlag"] = False, 0
    a["genesis"]["extra"], b["genesis"]["extra"] = True, 1
    changes = diff.diff_backups(Backup(a), Backup(b)).changes
    assert sorted(changes[["table", "field"]].values.tolist()) == [["file", "someFlag"], ["genesis", "extra"]]


def test_legacy_files_compare_types_too():
    a = synthetic.legacy_document(seed=5)
    b = copy.deepcopy(a)
    a["value"]["identities"][0]["extra"] = True
    b["value"]["identities"][0]["extra"] = 1
    changes = diff.diff_backups(Backup(a), Backup(b)).changes
    assert changes["field"].tolist() == ["extra"]


def test_the_cross_version_rule_still_counts_false_and_zero_as_defaults():
    a, b = copy.deepcopy(_BASE), copy.deepcopy(_BASE)
    b["accounts"][4]["extra"] = False  # missing on one side, a default on the other: no change
    b["accounts"][5]["extra"] = 0
    assert diff.diff_backups(Backup(a), Backup(b)).empty


def test_field_changes_and_same_value_directly():
    for old, new in TYPED:
        assert not jsonio.same_value(old, new) and not jsonio.same_value(new, old)
        assert diff.field_changes("f", old, new)
    for old, new in SAME:
        assert jsonio.same_value(old, new) and jsonio.same_value(new, old)
        assert diff.field_changes("f", old, new) == []


def test_same_value_walks_deep_values_without_recursion_errors():
    deep_a: list = [True]
    deep_b: list = [1]
    for _ in range(200):
        deep_a, deep_b = [deep_a], [deep_b]
    assert not jsonio.same_value(deep_a, deep_b)
    assert jsonio.same_value(deep_a, copy.deepcopy(deep_a))
    assert not jsonio.same_value(2**70, 2**70 + 1) and jsonio.same_value([2**70], [2**70])  # beyond orjson's range
