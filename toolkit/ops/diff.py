"""Compare two backups: one row per changed field, records aligned on their natural keys.

``diff_backups(old, new)`` returns a :class:`BackupDiff`: a ``changes`` frame
(``table, key, name, change, field, old, new``) and a per-table ``summary`` counting
*records* added, removed and changed.  ``name`` is what a person knows the record
by, beside its key: the account's, identity's or address book entry's name; for a
credential its account's name; for a wallet (a Ledger) the names of its identities.
The new side's name is shown, the old one for a removed record.

How records are matched (``key``, :func:`toolkit.model.records.record_key`, also the audit's ``key``):

- accounts, addressBook, recipients (legacy): ``address``
- credentials, externalCredentials: ``credId``
- wallets: ``identifier`` (the Ledger's pairing key)
- identities (Desktop): ``"IDENTIFIER/identityNumber"``, the identity's
  Ledger (its wallet's identifier) and number — stable where ``walletId``, a
  database row id, is not (an import re-numbers it; two machines differ);
  ``"wallet WALLETID/identityNumber"`` when the file lacks that wallet,
  ``randomness-sha256:…`` (a digest: the randomness is secret) when both are missing.  Legacy identities: their public
  ``idCredPub``, else ``name:NAME``
- genesis (Desktop): one record, key ``genesis``; file: the top-level fields
  that are not lists of records (legacy: ``v``, ``environment``, ...; Desktop:
  fields the toolkit does not know, listed only when a file has some), key ``file``

How values are compared:

- Fields holding JSON text (identityObject, identityProvider, policy, ...) and
  object fields (transactionFilter, legacy identityObject, ...) are compared by
  content; a change inside them is reported per leaf, as a dotted path such as
  ``identityObject.value.attributeList.validTo``.  Lists count as one value;
  null against JSON text is one row with both raw values.
- Secret fields (:data:`toolkit.model.records.SECRET_FIELDS`: legacy accountKeys,
  encryptionSecretKey, privateIdObjectData, commitmentsRandomness; Desktop
  identity/credential ``randomness``) are never shown: a change there reads
  ``(changed, redacted)`` on both sides; unchanged, they are not listed.

The cross-version rule (an old-format file against a new one):

- A field missing from a record on one side is not a change when the other
  side's value is empty or a default: null, ``""``, ``0``, ``false``, ``[]``,
  ``{}``, ``"[]"`` or ``"{}"``.  So ``rewardFilter: "[]"`` (old files),
  ``transactionFilter: {}`` and ``version: 0`` (new files) never show, while a
  real value on one side only (``version: 1``, a non-empty ``rewardFilter``) does,
  with ``None`` for the side that lacks it.
- A list one file lacks entirely (``externalCredentials`` in old files) counts
  as an empty list: its records in the other file are ``added``/``removed``.
- ``genesis`` is compared only when both files have one (a file without it
  names no network, which matches any).
- Null and a missing field are the same; when both sides have a field, any
  other difference (null vs ``""``, ``0`` vs null) is a change.
- Values are compared as JSON values (:func:`toolkit.format.jsonio.same_value`): ``true`` against ``1`` or
  ``false`` against ``0`` is a change, at any depth (the wallets' JSON is typed; Python's ``==`` calls them
  equal); ``1`` against ``1.0`` is not (one JSON number).

Records are aligned with pandas indexes and fields compared a column at a
time; only the few cells that differ are looked at one by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain, compress, repeat
from operator import is_, is_not, ne, not_
from typing import Any

import numpy as np
import pandas as pd

from toolkit import errors
from toolkit.format import jsonio
from toolkit.model.backup import Backup
from toolkit.model.kinds import (
    DESKTOP,
    LEGACY,
    kind_of,
    kinds_of,
    lists_of,
    secret_fields,
    shapes_of,
    table_names,
)
from toolkit.model.records import key_function
from toolkit.model.shapes import Shape

CHANGE_COLUMNS = ("table", "key", "name", "change", "field", "old", "new")
SUMMARY_COLUMNS = ("added", "removed", "changed")
#: Change rows a notebook shows of a :class:`BackupDiff` (``.changes`` holds them all).
HTML_ROWS = 50
#: What a changed secret shows instead of its value.
REDACTED = "(changed, redacted)"

_ABSENT: Any = type("_Absent", (), {"__repr__": lambda self: "<absent>"})()
_DEFAULT_SCALARS = ("", 0, "[]", "{}")


# --------------------------------------------------------------------------- keys


#: Fields not compared as part of a record because they are a table of their own.
_NESTED_TABLES = {"identities": frozenset({"accounts"})}


class _FieldKey:
    """``record -> record.get(field)``: a kind keyed by one field, read for many records at once in C."""

    def __init__(self, field: str) -> None:
        self.field = field

    def __call__(self, record: dict[str, Any]) -> Any:
        return record.get(self.field)


def _key_function(backup: Backup, table: str):
    kind = kind_of(backup.file_kind, table)
    if kind is not None and isinstance(kind.key, str):
        return _FieldKey(kind.key)
    return key_function(table, backup)


def _text_name(record: dict[str, Any]) -> str | None:
    name = record.get("name")
    return name if isinstance(name, str) and name.strip() else None


def name_function(backup: Backup, table: str):
    """``record -> name a person knows it by`` (or None) for ``table`` of ``backup``; None for unnamed tables.

    What a name needs from the whole file (the accounts' names, the identities per wallet) is gathered on the
    first call: a diff names only the records it lists."""
    kind = kind_of(backup.file_kind, table)
    if kind is not None and "name" in kind.shape.known:  # a record that has a name is known by it
        return _text_name
    if backup.is_legacy or table not in ("credentials", "externalCredentials", "wallets"):
        return None
    if table == "wallets":

        def identities_by_wallet() -> dict[Any, list[str]]:
            by_wallet: dict[Any, list[str]] = {}
            for identity in backup.records("identities"):
                if _text_name(identity):
                    by_wallet.setdefault(identity.get("walletId"), []).append(identity["name"])
            return by_wallet

        by_wallet = _Once(identities_by_wallet)

        def wallet_name(record: dict[str, Any]) -> str | None:
            names = by_wallet().get(record.get("id"))
            return f"Ledger of {', '.join(names)}" if names else None

        return wallet_name

    def account_names() -> dict[Any, str]:
        accounts = _names_by_address(backup.records("addressBook"))
        accounts.update(_names_by_address(backup.records("accounts")))
        return accounts

    accounts = _Once(account_names)

    def account_name(record: dict[str, Any]) -> str | None:
        return accounts().get(record.get("accountAddress"))

    return account_name


def _names_by_address(records: list[dict[str, Any]]) -> dict[Any, str]:
    """``address -> name`` of the records that have a name (:func:`_text_name`); the last one wins."""
    try:  # read in C when every record is an object and every name non-blank text
        names = list(map(dict.get, records, repeat("name")))
        if not set(map(type, names)) - {str} and all(map(str.strip, names)):
            return dict(zip(map(dict.get, records, repeat("address")), names, strict=True))
    except TypeError:  # a record that is not an object
        pass
    return {r.get("address"): r["name"] for r in records if _text_name(r)}


class _Once:
    """``build()``'s result, built on the first call and kept."""

    def __init__(self, build) -> None:
        self._build = build
        self._value: Any = _ABSENT

    def __call__(self) -> Any:
        if self._value is _ABSENT:
            self._value = self._build()
        return self._value


def _unique_keys(records: list[dict[str, Any]], key_fn) -> list[str]:
    """One string key per record; a missing key becomes ``#POSITION``, a repeated one ``KEY#N``."""
    keys = _plain_keys(records, key_fn)
    if keys is None:
        keys = []
        for i, r in enumerate(records):
            value = key_fn(r) if isinstance(r, dict) else None
            keys.append(f"#{i}" if value is None or value == "" else str(value))
    if len(set(keys)) == len(keys):
        return keys
    seen: dict[str, int] = {}
    out = []
    for k in keys:
        n = seen.get(k, 0) + 1
        seen[k] = n
        out.append(k if n == 1 else f"{k}#{n}")
    return out


def _plain_keys(records: list[Any], key_fn) -> list[str] | None:
    """The keys of records keyed by one field when every record is an object and every key non-empty text
    (read in C, as the loop of :func:`_unique_keys` would read them); else None."""
    if not isinstance(key_fn, _FieldKey):
        return None
    try:
        values = list(map(dict.get, records, repeat(key_fn.field)))
    except TypeError:  # a record that is not an object
        return None
    if set(map(type, values)) - {str} or "" in values:
        return None
    return values


# --------------------------------------------------------------------------- values


def _is_default(value: Any) -> bool:
    """Empty or a default: what a missing field may stand for (the cross-version rule)."""
    if value is None or value is _ABSENT:
        return True
    if isinstance(value, float):
        return value != value or value == 0  # NaN (a missing cell) or 0.0
    if isinstance(value, (dict, list)):
        return not value
    if isinstance(value, bool):
        return value is False
    return isinstance(value, (str, int)) and value in _DEFAULT_SCALARS


_same = jsonio.same_value


def _maybe_json(value: Any) -> Any:
    """The content of a JSON-text field, or ``_ABSENT`` when ``value`` is not JSON text (or JSON text beyond
    :func:`toolkit.format.jsonio.loads_text`'s bounds: then it is compared as text, with no memory spent)."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return jsonio.loads_text(value)
        except jsonio.JSONError:
            return _ABSENT
    return _ABSENT


def _leaf_changes(path: str, old: dict[str, Any], new: dict[str, Any], out: list) -> None:
    """Append ``(dotted path, old, new)`` for each leaf that differs, in the objects' key order.

    A walk with its own stack (depth-first, as a recursion would go), so no nesting depth ends in a
    RecursionError.
    """
    stack: list[tuple[str, dict[str, Any], dict[str, Any], Any]] = [(path, old, new, iter(_keys(old, new)))]
    while stack:
        where, o_obj, n_obj, keys = stack[-1]
        k = next(keys, _ABSENT)
        if k is _ABSENT:
            stack.pop()
            continue
        o, n = o_obj.get(k, _ABSENT), n_obj.get(k, _ABSENT)
        sub = f"{where}.{k}"
        if o is _ABSENT or n is _ABSENT:
            if not _is_default(n if o is _ABSENT else o):
                out.append((sub, None if o is _ABSENT else o, None if n is _ABSENT else n))
        elif isinstance(o, dict) and isinstance(n, dict):
            stack.append((sub, o, n, iter(_keys(o, n))))
        elif not _same(o, n):
            out.append((sub, o, n))


def _keys(old: dict[str, Any], new: dict[str, Any]) -> list[Any]:
    return list(old) + [k for k in new if k not in old]


def field_changes(field: str, old: Any, new: Any, *, secret: bool = False) -> list[tuple[str, Any, Any]]:
    """How one field differs, as ``(field or dotted path, old, new)`` rows; ``[]`` when equal by content.

    ``old``/``new`` are the record's values, or ``_ABSENT`` when the record lacks the field.
    """
    if old is _ABSENT or new is _ABSENT:
        present = new if old is _ABSENT else old
        if _is_default(present):
            return []
        if secret:
            return [(field, None if old is _ABSENT else REDACTED, None if new is _ABSENT else REDACTED)]
        return [(field, None if old is _ABSENT else old, None if new is _ABSENT else new)]
    if _same(old, new):
        return []
    if secret:
        return [(field, REDACTED, REDACTED)]
    po, pn = _maybe_json(old), _maybe_json(new)
    if po is not _ABSENT and pn is not _ABSENT:
        if _same(po, pn):
            return []  # the same content spelled differently
        if isinstance(po, dict) and isinstance(pn, dict):
            out: list[tuple[str, Any, Any]] = []
            _leaf_changes(field, po, pn, out)
            return out or [(field, old, new)]
        return [(field, old, new)]
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        _leaf_changes(field, old, new, out)
        return out or [(field, old, new)]
    return [(field, old, new)]


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class TableDiff:
    """Rows and record counts of one table."""

    rows: list[tuple[Any, ...]]
    added: int
    removed: int
    changed: int


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    return frame[name].to_numpy(dtype=object)


def _unequal_frames(
    old_sub: list[Any], new_sub: list[Any], retypable: frozenset[str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, list[int]]:
    """The aligned records as two frames (one row per pair, a column per field, in first-seen order), and
    each row's position in the lists.

    A pair of objects that are the same JSON value yields no change, so when every record is an object only
    the other pairs become rows: those unequal as Python values, and those equal as Python values that hold
    ``true`` against ``1`` in one of the ``retypable`` fields (:func:`toolkit.format.jsonio.typed_unequal`, field
    by field; None: any field), both found in C, as most pairs are equal.  The columns are still those of all the records, so each
    row compares as it would among them all.
    """
    if set(map(type, old_sub)) - {dict} or set(map(type, new_sub)) - {dict}:
        return pd.DataFrame(old_sub, dtype=object), pd.DataFrame(new_sub, dtype=object), list(range(len(old_sub)))
    if retypable is not None and not retypable:  # no field where equal records can differ as JSON
        at = list(compress(range(len(old_sub)), map(ne, old_sub, new_sub)))
        equal: list[int] = []
    else:
        unequal = list(map(ne, old_sub, new_sub))
        at = list(compress(range(len(old_sub)), unequal))
        equal = list(compress(range(len(old_sub)), map(not_, unequal)))
    if equal:  # equal as Python values, but true against 1 is a change: find those pairs (in C, mostly)
        old_eq, new_eq = list(map(old_sub.__getitem__, equal)), list(map(new_sub.__getitem__, equal))
        retyped: set[int] = set()
        # Equal pairs have the same fields on both sides.
        fields = retypable if retypable is not None else set(chain.from_iterable(map(dict.keys, old_eq)))
        for field in fields:
            olds = list(map(dict.get, old_eq, repeat(field)))
            if set(map(type, olds)) <= _TEXT_OR_NULL:  # equal to text or null only the same text or null
                continue
            retyped.update(jsonio.typed_unequal(olds, list(map(dict.get, new_eq, repeat(field)))))
        if retyped:
            at = sorted(at + [equal[i] for i in retyped])
    if not at:
        return pd.DataFrame(), pd.DataFrame(), at
    old_rows, new_rows = list(map(old_sub.__getitem__, at)), list(map(new_sub.__getitem__, at))
    fields = set().union(*old_rows, *new_rows)
    old_df = pd.DataFrame(old_rows, columns=_first_seen(old_sub, fields), dtype=object)
    new_df = pd.DataFrame(new_rows, columns=_first_seen(new_sub, fields), dtype=object)
    return old_df, new_df, at


#: Types whose values are equal (``==``) only to values of the same type.
_TEXT_OR_NULL = frozenset({str, type(None)})


def _differ(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Which cells of two aligned columns hold different JSON values (missing, NaN and null are one).

    ``!=`` compares in C; of the cells it calls equal only those where the two sides' types differ, or that
    hold objects or lists, can still differ as JSON (``true`` against ``1``): only those are looked at."""
    missing = pd.isna(x) & pd.isna(y)
    differ = (x != y) & ~missing
    for i in np.flatnonzero(~differ & ~missing):
        a, b = x[i], y[i]
        if type(a) is not type(b) or type(a) in (dict, list):
            differ[i] = not _same(a, b)
    return differ


def retypable_fields(table: str, shape: Shape | None, old: Backup, new: Backup) -> frozenset[str] | None:
    """The fields of ``table`` where records equal as Python values may still differ as JSON values (``true``
    against ``1``); None when they cannot be told.

    Once both backups passed :meth:`toolkit.model.backup.Backup.check_shape`, a field to which ``shape`` gives
    one JSON scalar type (text, boolean or number; null aside) holds only that type (the check refuses ``true``
    or ``1.5`` where a number belongs), so two equal values there are the same JSON value.  That leaves the
    fields it gives objects, lists or several types, and those it does not know (the check lists them)."""
    unknown_old, unknown_new = old.unknown_fields(table), new.unknown_fields(table)
    if shape is None or unknown_old is None or unknown_new is None:
        return None
    declared = {**shape.required, **shape.optional}
    return frozenset(f for f, types in declared.items() if not _one_scalar_type(types)) | unknown_old | unknown_new


def _one_scalar_type(types: tuple[type | None, ...]) -> bool:
    kinds = {_CATEGORY.get(t) for t in types if t is not None}
    return len(kinds) == 1 and None not in kinds


#: JSON's scalar types (None: a container, never typed by one look).
_CATEGORY = {str: "text", bool: "boolean", int: "number", float: "number"}


def _first_seen(records: list[dict[str, Any]], fields: set[str]) -> list[str]:
    """Those of ``fields`` that some record has, in the order a frame of all ``records`` has its columns
    (first seen first); the others (no row to compare has them) leave every row's changes as they are."""
    head = dict.fromkeys(chain.from_iterable(map(dict.keys, records[:_HEAD])))
    if not fields <= head.keys():  # a field first seen further on: look at every record
        head = dict.fromkeys(chain.from_iterable(map(dict.keys, records)))
    return [c for c in head if c in fields]


#: Records whose fields are looked at first for the column order (most files give every record one order).
_HEAD = 64


def diff_records(
    table: str,
    old_records: list[dict[str, Any]],
    new_records: list[dict[str, Any]],
    key_fn,
    *,
    new_key=None,
    skip: frozenset[str] = frozenset(),
    retypable: frozenset[str] | None = None,
    secrets: frozenset[str] = frozenset(),
    old_name=None,
    new_name=None,
) -> TableDiff:
    """Align two record lists on their keys (``new_key`` for the new side, if it differs) and
    compare them column by column; ``old_name``/``new_name`` give each row's ``name``.  ``retypable``: the only
    fields where records equal as Python values may differ as JSON values (:func:`retypable_fields`; None: any)."""

    def named(fn, record: Any) -> str | None:
        return fn(record) if fn is not None and isinstance(record, dict) else None

    old_keys = _unique_keys(old_records, key_fn)
    new_keys = _unique_keys(new_records, new_key or key_fn)
    # Aligned by dictionaries (the keys are unique): positions in ascending order, looked up in C.
    new_at = dict(zip(new_keys, range(len(new_keys)), strict=True))
    in_new = list(map(new_at.get, old_keys))
    in_old = set(old_keys)
    removed = list(compress(range(len(old_keys)), map(is_, in_new, repeat(None))))
    added = list(compress(range(len(new_keys)), map(not_, map(in_old.__contains__, new_keys))))
    common_old = list(compress(range(len(old_keys)), map(is_not, in_new, repeat(None))))
    common_new = list(map(in_new.__getitem__, common_old))

    rows: list[tuple[Any, ...]] = [
        (table, new_keys[i], named(new_name, new_records[i]), "added", None, None, None) for i in added
    ]
    rows += [(table, old_keys[i], named(old_name, old_records[i]), "removed", None, None, None) for i in removed]

    changed = 0
    if common_old:
        old_sub = list(map(old_records.__getitem__, common_old))
        new_sub = list(map(new_records.__getitem__, common_new))
        old_df, new_df, at = _unequal_frames(old_sub, new_sub, retypable)
        columns = [c for c in old_df.columns if c not in skip]
        columns += [c for c in new_df.columns if c not in skip and c not in old_df.columns]
        flagged: dict[int, list[str]] = {}
        for col in columns:
            if col in old_df.columns and col in new_df.columns:
                x, y = _column(old_df, col), _column(new_df, col)
                differ = _differ(x, y)
            else:  # a field only one side's records carry: only non-defaults count
                values = _column(old_df if col in old_df.columns else new_df, col)
                differ = np.fromiter((not _is_default(v) for v in values), dtype=bool, count=len(values))
            for row in np.flatnonzero(differ):
                flagged.setdefault(at[int(row)], []).append(col)
        for row in sorted(flagged):
            o_rec, n_rec = old_sub[row], new_sub[row]
            key = old_keys[common_old[row]]
            name = named(new_name, n_rec) or named(old_name, o_rec)
            found = False
            for col in flagged[row]:
                for field, o, n in field_changes(
                    col, o_rec.get(col, _ABSENT), n_rec.get(col, _ABSENT), secret=col in secrets
                ):
                    rows.append((table, key, name, "changed", field, o, n))
                    found = True
            changed += found
    return TableDiff(rows=rows, added=len(added), removed=len(removed), changed=changed)


# --------------------------------------------------------------------------- backups


@dataclass(frozen=True)
class BackupDiff:
    """The changes from ``old`` to ``new``.

    ``changes``: one row per changed field (``table, key, name, change, field, old,
    new``; added/removed records are one row each with ``field`` None; ``name``
    is what a person knows the record by, or None).
    ``summary``: indexed by table, columns ``added, removed, changed`` counting records.
    """

    changes: pd.DataFrame
    summary: pd.DataFrame
    kind: str

    @property
    def empty(self) -> bool:
        return self.changes.empty

    def counts(self) -> dict[str, int]:
        """Records added, removed and changed over all tables."""
        return {c: int(self.summary[c].sum()) for c in SUMMARY_COLUMNS}

    def __repr__(self) -> str:
        if self.empty:
            return f"<BackupDiff {self.kind}: no differences>"
        counts = self.counts()
        tables = [str(t) for t, row in self.summary.iterrows() if row.sum()]
        return (
            f"<BackupDiff {self.kind}: {counts['added']} added, {counts['removed']} removed, "
            f"{counts['changed']} changed records in {', '.join(tables)}; {len(self.changes)} rows in .changes>"
        )

    def _repr_html_(self) -> str:
        """In a notebook: the tables that differ, then the first rows of the changes (values escaped)."""
        import html

        head = f"<p>{html.escape(repr(self))}</p>"
        if self.empty:
            return head
        summary = self.summary[self.summary.sum(axis=1) > 0]
        shown = self.changes.head(HTML_ROWS)
        more = f"<p>… {len(self.changes) - HTML_ROWS:,} more rows in <code>.changes</code></p>"
        return (
            head
            + summary.to_html(escape=True, border=0)
            + shown.to_html(index=False, escape=True, border=0, na_rep="")
            + (more if len(self.changes) > HTML_ROWS else "")
        )

    def to_dict(self) -> dict[str, Any]:
        """``{"summary": {TABLE: {added, removed, changed}}, "changes": [...]}`` (what ``diff --json`` prints)."""
        summary = {
            str(t): {c: int(v) for c, v in counts.items()} for t, counts in self.summary.to_dict("index").items()
        }
        return {"summary": summary, "changes": self.changes.to_dict("records")}


def _top_level(document: dict[str, Any], exclude: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k not in exclude}


def diff_backups(old: Backup, new: Backup) -> BackupDiff:
    """Compare two opened backups of the same kind (see the module docstring for the rules).

    A legacy mobile file against a Desktop Wallet file raises :class:`IncompatibleKindsError`.
    """
    if old.file_kind != new.file_kind:  # a wallet database compares with a Desktop backup
        raise errors.IncompatibleKindsError("A legacy mobile wallet file and a Desktop Wallet file cannot be compared")
    old.check_shape()
    new.check_shape()
    results: dict[str, TableDiff] = {}
    if old.is_legacy:
        for table in lists_of(LEGACY):
            results[table] = diff_records(
                table,
                old.records(table),
                new.records(table),
                _key_function(old, table),
                skip=_NESTED_TABLES.get(table, frozenset()),
                retypable=retypable_fields(table, shapes_of(LEGACY).get(table), old, new),
                secrets=secret_fields(LEGACY),
                old_name=name_function(old, table),
                new_name=name_function(new, table),
            )
        old_file = _top_level(old.document, ("value",))
        new_file = _top_level(new.document, ("value",))
        for side, doc in ((old_file, old.document), (new_file, new.document)):
            value = doc.get("value") if isinstance(doc.get("value"), dict) else {}
            side.update({f"value.{k}": v for k, v in value.items() if k not in lists_of(LEGACY)})
        results["file"] = diff_records("file", [old_file], [new_file], lambda r: "file")
    else:
        tables = [t for t in lists_of(DESKTOP) if t in old.document or t in new.document]
        for table in tables:
            old_key, new_key = _key_function(old, table), _key_function(new, table)
            results[table] = diff_records(
                table,
                old.records(table),
                new.records(table),
                old_key,
                new_key=new_key,
                retypable=retypable_fields(table, shapes_of(DESKTOP).get(table), old, new),
                secrets=secret_fields(DESKTOP),
                old_name=name_function(old, table),
                new_name=name_function(new, table),
            )
        for kind in kinds_of(DESKTOP):  # a single record (genesis) is compared only when both files have it
            og, ng = old.document.get(kind.name), new.document.get(kind.name)
            if kind.single and (og is not None or ng is not None):
                both = isinstance(og, dict) and isinstance(ng, dict)
                key = kind.key_function(old)
                results[kind.name] = diff_records(kind.name, [og] if both else [], [ng] if both else [], key)
        known = table_names(DESKTOP)
        old_file, new_file = _top_level(old.document, known), _top_level(new.document, known)
        if old_file or new_file:
            results["file"] = diff_records("file", [old_file], [new_file], lambda r: "file")
    rows = [row for result in results.values() for row in result.rows]
    changes = pd.DataFrame(rows, columns=list(CHANGE_COLUMNS), dtype=object)
    summary = pd.DataFrame(
        [[r.added, r.removed, r.changed] for r in results.values()],
        index=pd.Index(list(results), name="table"),
        columns=list(SUMMARY_COLUMNS),
        dtype="int64",
    )
    return BackupDiff(changes=changes, summary=summary, kind=old.kind)
