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

Records are aligned with pandas indexes and fields compared a column at a
time; only the few cells that differ are looked at one by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from toolkit import errors
from toolkit.format import jsonio
from toolkit.model.backup import Backup
from toolkit.model.kinds import DESKTOP, LEGACY, kind_of, kinds_of, lists_of, secret_fields, table_names
from toolkit.model.records import key_function

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


def _key_function(backup: Backup, table: str):
    return key_function(table, backup)


def _text_name(record: dict[str, Any]) -> str | None:
    name = record.get("name")
    return name if isinstance(name, str) and name.strip() else None


def name_function(backup: Backup, table: str):
    """``record -> name a person knows it by`` (or None) for ``table`` of ``backup``; None for unnamed tables."""
    kind = kind_of(backup.file_kind, table)
    if kind is not None and "name" in kind.shape.known:  # a record that has a name is known by it
        return _text_name
    if backup.is_legacy or table not in ("credentials", "externalCredentials", "wallets"):
        return None
    if table == "wallets":
        by_wallet: dict[Any, list[str]] = {}
        for identity in backup.records("identities"):
            if _text_name(identity):
                by_wallet.setdefault(identity.get("walletId"), []).append(identity["name"])

        def wallet_name(record: dict[str, Any]) -> str | None:
            names = by_wallet.get(record.get("id"))
            return f"Ledger of {', '.join(names)}" if names else None

        return wallet_name
    accounts = {r.get("address"): r["name"] for r in backup.records("addressBook") if _text_name(r)}
    accounts.update({r.get("address"): r["name"] for r in backup.records("accounts") if _text_name(r)})

    def account_name(record: dict[str, Any]) -> str | None:
        return accounts.get(record.get("accountAddress"))

    return account_name


def _unique_keys(records: list[dict[str, Any]], key_fn) -> list[str]:
    """One string key per record; a missing key becomes ``#POSITION``, a repeated one ``KEY#N``."""
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


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON values: ``true`` is not ``1``."""
    return a == b and isinstance(a, bool) == isinstance(b, bool)


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


def diff_records(
    table: str,
    old_records: list[dict[str, Any]],
    new_records: list[dict[str, Any]],
    key_fn,
    *,
    new_key=None,
    skip: frozenset[str] = frozenset(),
    secrets: frozenset[str] = frozenset(),
    old_name=None,
    new_name=None,
) -> TableDiff:
    """Align two record lists on their keys (``new_key`` for the new side, if it differs) and
    compare them column by column; ``old_name``/``new_name`` give each row's ``name``."""

    def named(fn, record: Any) -> str | None:
        return fn(record) if fn is not None and isinstance(record, dict) else None

    old_keys = pd.Index(_unique_keys(old_records, key_fn), dtype=object)
    new_keys = pd.Index(_unique_keys(new_records, new_key or key_fn), dtype=object)
    in_new = new_keys.get_indexer(old_keys)
    removed = np.flatnonzero(in_new < 0)
    added = np.flatnonzero(old_keys.get_indexer(new_keys) < 0)
    common_old = np.flatnonzero(in_new >= 0)
    common_new = in_new[common_old]

    rows: list[tuple[Any, ...]] = [
        (table, new_keys[i], named(new_name, new_records[i]), "added", None, None, None) for i in added
    ]
    rows += [(table, old_keys[i], named(old_name, old_records[i]), "removed", None, None, None) for i in removed]

    changed = 0
    if len(common_old):
        old_sub = [old_records[i] for i in common_old]
        new_sub = [new_records[i] for i in common_new]
        old_df = pd.DataFrame(old_sub, dtype=object)
        new_df = pd.DataFrame(new_sub, dtype=object)
        columns = [c for c in old_df.columns if c not in skip]
        columns += [c for c in new_df.columns if c not in skip and c not in old_df.columns]
        flagged: dict[int, list[str]] = {}
        for col in columns:
            if col in old_df.columns and col in new_df.columns:
                x, y = _column(old_df, col), _column(new_df, col)
                differ = (x != y) & ~(pd.isna(x) & pd.isna(y))
            else:  # a field only one side's records carry: only non-defaults count
                values = _column(old_df if col in old_df.columns else new_df, col)
                differ = np.fromiter((not _is_default(v) for v in values), dtype=bool, count=len(values))
            for row in np.flatnonzero(differ):
                flagged.setdefault(int(row), []).append(col)
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
