"""The diff's fast paths give the frame the slow, obvious ones give (issue 22, P2).

The slow paths: every aligned pair of records compared in one frame per side, keys read by the kind's key
function record by record, names gathered with a comprehension.  The fast ones: equal pairs left out in C,
single-field keys and names read in C, records aligned by dictionaries.
"""

from __future__ import annotations

import copy

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.model import kinds
from toolkit.model.backup import Backup
from toolkit.ops import diff
from toolkit.testing import synthetic


def _slow_frames(old_sub, new_sub, retypable=None):
    return pd.DataFrame(old_sub, dtype=object), pd.DataFrame(new_sub, dtype=object), list(range(len(old_sub)))


def _slow_names(records):
    return {r.get("address"): r["name"] for r in records if diff._text_name(r)}


def _both(old: Backup, new: Backup, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = diff.diff_backups(old, new)
    with monkeypatch.context() as m:
        m.setattr(diff, "_unequal_frames", _slow_frames)
        m.setattr(diff, "_plain_keys", lambda records, key_fn: None)
        m.setattr(diff, "_names_by_address", _slow_names)
        slow = diff.diff_backups(old, new)
    pd.testing.assert_frame_equal(fast.changes, slow.changes, check_exact=True)
    pd.testing.assert_frame_equal(fast.summary, slow.summary, check_exact=True)
    assert repr(fast.changes.to_dict("records")) == repr(slow.changes.to_dict("records"))


_BASE = synthetic.large_desktop_document(40, 40, 30, rich=True, seed=3)
_VALUES = st.sampled_from(
    # with values Python's == calls equal that are different JSON values (true and 1), or the same one (1, 1.0)
    [None, "", "x", "[]", "{}", 0, 1, [], {}, {"a": {"b": 1}}, '{"a":1}', "Løn"]
    + [True, False, 1.0, 0.0, [True], [1], {"a": {"b": True}}, {"a": {"b": 1.0}}, '{"a":true}', '{"a":1.0}']
)
_EDIT = st.tuples(
    st.sampled_from([n for n in kinds.lists_of(kinds.DESKTOP) if n in _BASE]),
    st.integers(0, 10**6),
    st.sampled_from(["set", "delete", "extra", "reorder", "remove", "copy", "blank-name", "same-key"]),
    _VALUES,
)


def _apply(doc: dict, edits: list) -> dict:
    doc = copy.deepcopy(doc)
    for table, n, op, value in edits:
        records = doc[table]
        if not records:
            continue
        record = records[n % len(records)]
        fields = list(record)
        field = fields[n % len(fields)] if fields else "name"
        if op == "set" and field not in ("address", "credId", "identifier"):
            record[field] = value
        elif op == "delete" and field not in ("address", "credId", "identifier"):
            record.pop(field, None)
        elif op == "extra":
            record[f"extra{n % 3}"] = value
        elif op == "reorder":  # the same fields in another order: a field first seen further on
            items = list(record.items())[::-1]
            record.clear()
            record.update(items)
        elif op == "remove":
            records.remove(record)
        elif op == "copy":
            records.append(copy.deepcopy(record))
        elif op == "blank-name" and "name" in record:
            record["name"] = "  "
        elif op == "same-key" and len(records) > 1:  # a repeated key: KEY#2
            other = records[(n + 1) % len(records)]
            for key in ("address", "credId", "identifier"):
                if key in record and key in other:
                    record[key] = other[key]
    return doc


@settings(max_examples=150, deadline=None)
@given(st.lists(_EDIT, max_size=12), st.lists(_EDIT, max_size=12))
def test_fast_diff_equals_slow_diff(old_edits, new_edits):
    old, new = Backup(_apply(_BASE, old_edits)), Backup(_apply(_BASE, new_edits))
    try:
        old.check_shape()
        new.check_shape()
    except Exception:  # an edit the shape check refuses: no diff to compare
        return
    with pytest.MonkeyPatch.context() as m:
        _both(old, new, m)


def test_a_field_first_seen_late_keeps_the_column_order(monkeypatch):
    doc = synthetic.large_desktop_document(200, 10, 10, seed=5)
    new = copy.deepcopy(doc)
    late = new["accounts"][150]
    items = list(late.items())[::-1]  # the changed record lists its fields in reverse
    late.clear()
    late.update(items)
    late["name"] += " (renamed)"
    late["status"] = "rejected"
    late["rare"] = "x"  # a field no record before it has
    doc["accounts"][150]["rare"] = "y"
    _both(Backup(doc), Backup(new), monkeypatch)
    changed = diff.diff_backups(Backup(doc), Backup(new)).changes
    assert changed["field"].tolist() == ["name", "status", "rare"]


def test_large_pair_equals_slow_diff(monkeypatch):
    old = synthetic.large_desktop_document(2000, 2000, 1000, seed=9)
    new = copy.deepcopy(old)
    for i in range(0, 2000, 37):
        new["accounts"][i]["name"] += "!"
        new["credentials"][i]["credentialIndex"] = None
    del new["addressBook"][5]
    new["addressBook"].append(dict(new["addressBook"][0], address="new-address"))
    _both(Backup(old), Backup(new), monkeypatch)
