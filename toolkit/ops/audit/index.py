"""What the audit rules look at, computed once per audit: the records of each kind and the sets they refer to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from toolkit.model.backup import Backup
from toolkit.model.kinds import DESKTOP, LEGACY, lists_of
from toolkit.model.records import key_function

from .text import as_int, clean


def _text(value: Any) -> bool:
    return isinstance(value, str)


@dataclass
class Index:
    """One backup, indexed for the rules.  Record lists keep the file's order (and its odd entries);
    the sets hold only well-typed values."""

    backup: Backup
    today: date
    legacy: bool
    document: dict[str, Any]
    #: Records of each list (Desktop: every list but genesis; legacy: identities (objects only), accounts,
    #: recipients).
    records: dict[str, list[Any]]
    wallet_ids: set[int] = field(default_factory=set)
    identity_ids: set[int] = field(default_factory=set)
    account_addresses: set[str] = field(default_factory=set)
    book_addresses: set[str] = field(default_factory=set)
    own_cred_ids: set[str] = field(default_factory=set)
    identity_by_id: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: Identity ids that have an initial account (``isInitial`` true).
    with_initial: set[int | None] = field(default_factory=set)

    #: ``record -> key`` per table (:func:`toolkit.model.records.key_function`), made on first use.
    key_functions: dict[str, Callable[[dict[str, Any]], Any] | None] = field(default_factory=dict)

    def key(self, table: str, record: Any, index: int) -> str:
        """A finding's ``key``: the record's :func:`toolkit.model.records.record_key` (what the diff shows), cleaned
        for printing; ``#N`` (its place in the list) when it has no usable key."""
        if table not in self.key_functions:
            self.key_functions[table] = key_function(table, self.backup)
        fn = self.key_functions[table]
        value = fn(record) if fn is not None and isinstance(record, dict) else None
        if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
            return f"#{index + 1}"
        return clean(str(value), 100)

    def __getitem__(self, name: str) -> list[Any]:
        return self.records.get(name, [])

    @property
    def value(self) -> dict[str, Any]:
        """A legacy file's ``value`` object ({} when missing)."""
        value = self.document.get("value")
        return value if isinstance(value, dict) else {}


def build_index(backup: Backup, today: date) -> Index:
    """Index ``backup`` once for every rule."""
    doc = backup.document
    if backup.is_legacy:
        records = {name: list(backup.records(name)) for name in lists_of(LEGACY)}
        records["identities"] = [x for x in records["identities"] if isinstance(x, dict)]  # they hold the accounts
        return Index(backup, today, True, doc, records)
    records = {name: list(backup.records(name)) for name in lists_of(DESKTOP)}
    dicts = {name: [r for r in recs if isinstance(r, dict)] for name, recs in records.items()}
    return Index(
        backup,
        today,
        False,
        doc,
        records,
        wallet_ids={as_int(w.get("id")) for w in dicts["wallets"]} - {None},
        identity_ids={as_int(x.get("id")) for x in dicts["identities"]} - {None},
        account_addresses={a["address"] for a in dicts["accounts"] if _text(a.get("address"))},
        book_addresses={e["address"] for e in dicts["addressBook"] if _text(e.get("address"))},
        own_cred_ids={c["credId"] for c in dicts["credentials"] if _text(c.get("credId"))},
        identity_by_id={as_int(x.get("id")): x for x in dicts["identities"] if as_int(x.get("id")) is not None},
        with_initial={as_int(a.get("identityId")) for a in dicts["accounts"] if a.get("isInitial") is True},
    )
