"""Choosing records of a backup: a subset that keeps chosen ones, leaving out named ones, and leaving out the
fields the Desktop Wallet's tables lack.  What :meth:`toolkit.Backup.encrypt` and :meth:`toolkit.Backup.save`
apply before they write.

A smaller backup holding only chosen identities and accounts, with everything they refer to.

For support work: send someone a file with just the accounts in question.
``subset_backup(backup, identities=[...], accounts=[...])`` returns a new
:class:`Backup`; records keep their fields, key order and unknown fields.

Desktop Wallet files — what is kept:

- each chosen identity with **all** its accounts; each chosen account with
  its identity (but not that identity's other accounts);
- the wallets (Ledgers) those identities belong to;
- the credentials of the kept accounts that belong to kept identities;
- the address-book entries of the kept accounts (contacts only with
  ``include_contacts=True``) and the external credentials on kept accounts;
- genesis and any top-level field the toolkit does not know.

Legacy mobile files: chosen identities with all their accounts, identities
of chosen accounts with just those accounts (``nextAccountNumber`` is kept
as is, so no account number is ever reused); recipients whose address is a
kept account (all of them with ``include_contacts=True``).

An identity is named by its ``id``, ``walletId/identityNumber``, its diff key
(``IDENTIFIER/identityNumber``) or its exact name (legacy: its name or ``idCredPub``); an account by its address
or exact name.  A name that matches nothing, or several records, raises
:class:`SelectionError` listing what there is.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from toolkit import errors

from .kinds import DESKTOP, RecordKind, kinds_of, legacy_identity_key, lists_of
from .records import identity_key, wallet_identifiers

if TYPE_CHECKING:
    from .backup import Backup


def _desktop_identity_labels(identifiers: dict[Any, str]):
    def labels(r: dict[str, Any]) -> set[str]:
        out = {str(r[k]) for k in ("name", "id") if r.get(k) is not None}
        if r.get("walletId") is not None and r.get("identityNumber") is not None:
            out.add(f"{r['walletId']}/{r['identityNumber']}")
        key = identity_key(r, identifiers)
        if key:
            out.add(key)
        return out

    return labels


def _labels_legacy_identity(r: dict[str, Any]) -> set[str]:
    out = {str(r.get("name"))} if r.get("name") is not None else set()
    key = legacy_identity_key(r)
    if key and not key.startswith("name:"):
        out.add(key)
    return out


def _labels_account(r: dict[str, Any]) -> set[str]:
    return {str(r[k]) for k in ("address", "name") if r.get(k) is not None}


def _which(kind: str, record: dict[str, Any]) -> str:
    """One of several records a name matched, as a person tells them apart (address, or id and number)."""
    if kind != "identity":
        return str(record.get("address"))
    if record.get("walletId") is not None and record.get("identityNumber") is not None:
        return f"id {record.get('id')} ({record['walletId']}/{record['identityNumber']})"
    return str(legacy_identity_key(record) or record.get("name"))


def _choose(kind: str, records: list[dict[str, Any]], tokens: Iterable[Any], labels) -> list[int]:
    """Positions of the records the tokens name; each token must name exactly one record."""
    chosen: list[int] = []
    for token in tokens:
        text = str(token).strip()
        hits = [n for n, r in enumerate(records) if text in labels(r)]
        if not hits:
            there = ", ".join(sorted({str(r.get("name")) for r in records})[:12]) or "none"
            raise errors.SelectionError(f"No {kind} {text!r} in the backup (there are: {there})")
        if len(hits) > 1:
            how = "its id or walletId/identityNumber" if kind == "identity" else "its address"
            listed = "; ".join(_which(kind, records[n]) for n in hits[:12]) + ("; ..." if len(hits) > 12 else "")
            raise errors.SelectionError(
                f"{len(hits)} {kind}s match {text!r}: {listed}", hint=f"Name the one you mean by {how}."
            )
        if hits[0] not in chosen:
            chosen.append(hits[0])
    return chosen


def subset_backup(
    backup: Backup,
    *,
    identities: Iterable[str | int] = (),
    accounts: Iterable[str] = (),
    include_contacts: bool = False,
) -> Backup:
    """Only the chosen identities and accounts, kept consistent (see the module docstring)."""
    identities, accounts = list(identities), list(accounts)
    if not identities and not accounts:
        raise errors.SelectionError("Choose at least one identity or account to keep")
    backup.check_shape()
    document = _subset_legacy if backup.is_legacy else _subset_desktop
    doc = copy.deepcopy(document(backup, identities, accounts, include_contacts))  # never shares records
    # Pass the original bytes on: a selection of everything re-exports them unchanged.
    return backup.derived(doc, same_bytes=True)


def _subset_desktop(backup: Backup, identities: list[Any], accounts: list[Any], contacts: bool) -> dict[str, Any]:
    all_identities = backup.records("identities")
    all_accounts = backup.records("accounts")
    labels = _desktop_identity_labels(wallet_identifiers(backup.document))
    picked_identities = _choose("identity", all_identities, identities, labels)
    picked_accounts = _choose("account", all_accounts, accounts, _labels_account)

    identity_ids = {all_identities[n].get("id") for n in picked_identities}
    keep_accounts = {all_accounts[n].get("address") for n in picked_accounts}
    keep_accounts |= {a.get("address") for a in all_accounts if a.get("identityId") in identity_ids}
    identity_ids |= {all_accounts[n].get("identityId") for n in picked_accounts}
    wallet_ids = {i.get("walletId") for i in all_identities if i.get("id") in identity_ids}

    def keep(name: str, test) -> list[dict[str, Any]]:
        return [r for r in backup.records(name) if test(r)]

    lists = {
        "accounts": keep("accounts", lambda r: r.get("address") in keep_accounts),
        "identities": keep("identities", lambda r: r.get("id") in identity_ids),
        "addressBook": keep(
            "addressBook",
            lambda r: r.get("address") in keep_accounts or (contacts and not r.get("readOnly")),
        ),
        "credentials": keep(
            "credentials",
            lambda r: r.get("accountAddress") in keep_accounts and r.get("identityId") in identity_ids,
        ),
        "externalCredentials": keep("externalCredentials", lambda r: r.get("accountAddress") in keep_accounts),
        "wallets": keep("wallets", lambda r: r.get("id") in wallet_ids),
    }
    kept = {"accounts": {"address": keep_accounts}, "identities": {"id": identity_ids}, "wallets": {"id": wallet_ids}}
    for kind in kinds_of(DESKTOP):  # other kinds: a record whose references all point at kept records
        if kind.name not in lists and not kind.single and kind.refs:
            lists[kind.name] = keep(kind.name, lambda r, k=kind: _refers_to_kept(r, k, kept))
    return {k: (lists[k] if k in lists and isinstance(v, list) else v) for k, v in backup.document.items()}


def _subset_legacy(backup: Backup, identities: list[Any], accounts: list[Any], contacts: bool) -> dict[str, Any]:
    value = backup.document.get("value") or {}
    all_identities = [i for i in value.get("identities") or [] if isinstance(i, dict)]
    picked_identities = set(_choose("identity", all_identities, identities, _labels_legacy_identity))
    owners = [(n, a) for n, i in enumerate(all_identities) for a in i.get("accounts") or []]
    picked = _choose("account", [a for _, a in owners], accounts, _labels_account)
    picked_addresses = {owners[k][1].get("address") for k in picked}
    with_accounts = {owners[k][0] for k in picked}

    kept = []
    for n, ident in enumerate(all_identities):
        if n in picked_identities:
            kept.append(ident)
        elif n in with_accounts:
            own = [a for a in ident.get("accounts") or [] if a.get("address") in picked_addresses]
            kept.append({k: (own if k == "accounts" else v) for k, v in ident.items()})
    addresses = {a.get("address") for i in kept for a in i.get("accounts") or []}
    new_value: dict[str, Any] = {}
    for k, v in value.items():
        if k == "identities":
            new_value[k] = kept
        elif k == "recipients" and isinstance(v, list):
            new_value[k] = [r for r in v if contacts or (isinstance(r, dict) and r.get("address") in addresses)]
        else:
            new_value[k] = v
    return {k: (new_value if k == "value" else v) for k, v in backup.document.items()}


def _refers_to_kept(record: dict[str, Any], kind: RecordKind, kept: dict[str, dict[str, set[Any]]]) -> bool:
    for field, (target, target_field) in kind.refs.items():
        values = kept.get(target, {}).get(target_field)
        if values is not None and record.get(field) not in values:
            return False
    return True


# --------------------------------------------------------------------------- leaving records out


def leave_out(backup: Backup, keys: Iterable[str]) -> tuple[Backup, list[dict[str, Any]]]:
    """``backup`` without the records ``keys`` name, and without the records that refer to them.

    A key is a record's key as the diff, the audit and the import preview print it (an account's address,
    an identity's ``IDENTIFIER/identityNumber``, a credential's credId, …), optionally ``table:KEY`` to
    name the list.  The records referring to a left-out one go too (an identity's accounts and
    credentials, an account's credentials), so the file stays consistent.  Returns the new backup and
    what was left out (``table, key, field`` with field None, as :attr:`ImportPreview.dropped`).  A key
    that names nothing raises :class:`~toolkit.errors.SelectionError`.
    """
    keys = [str(k).strip() for k in keys]
    if not keys:
        return backup, []
    backup.check_shape()
    kinds = [k for k in kinds_of(backup.file_kind) if not k.single]
    found: dict[str, set[int]] = {k.name: set() for k in kinds}
    keyed = {k.name: _keys(backup, k) for k in kinds}
    for token in keys:
        table, _, rest = token.partition(":")
        wanted = [(table, rest)] if table in found and rest else [(k.name, token) for k in kinds]
        hits = [(t, n) for t, key in wanted for n, own in enumerate(keyed[t]) if own == key]
        if not hits:
            raise errors.SelectionError(f"No record of the backup has the key {token!r}", subject="leave_out")
        for t, n in hits:
            found[t].add(n)
    _follow_references(backup, kinds, found)
    if backup.is_legacy and found.get("identities"):  # a legacy identity holds its accounts
        n = 0
        for i, ident in enumerate(backup.records("identities")):
            held = len(ident.get("accounts") or []) if isinstance(ident, dict) else 0
            if i in found["identities"]:
                found["accounts"].update(range(n, n + held))
            n += held
    dropped = [{"table": t, "key": keyed[t][n], "field": None} for t in found for n in sorted(found[t])]
    return _without(backup, found), dropped


def _keys(backup: Backup, kind: RecordKind) -> list[str]:
    key_of = kind.key_function(backup)
    out = []
    for r in backup.records(kind.name):
        value = key_of(r) if isinstance(r, dict) else None
        out.append("" if value is None else str(value))
    return out


def _follow_references(backup: Backup, kinds: list[RecordKind], found: dict[str, set[int]]) -> None:
    """Add to ``found`` every record whose references (:attr:`RecordKind.refs`) point at a found one."""
    changed = True
    while changed:
        changed = False
        for kind in kinds:
            for field, (target, target_field) in kind.refs.items():
                records = backup.records(target)
                gone = {_hashable(records[n].get(target_field)) for n in found.get(target, ())}
                gone.discard(None)
                for n, r in enumerate(backup.records(kind.name)):
                    if n not in found[kind.name] and isinstance(r, dict) and _hashable(r.get(field)) in gone:
                        found[kind.name].add(n)
                        changed = True


def _hashable(value: Any) -> Any:
    return None if isinstance(value, (dict, list)) else value


def _without(backup: Backup, found: dict[str, set[int]]) -> Backup:
    if backup.is_legacy:
        value = dict(backup.document.get("value") or {})
        gone_accounts = {id(a) for n, a in enumerate(backup.records("accounts")) if n in found.get("accounts", ())}
        for name in lists_of(backup.file_kind):
            if name != "accounts" and isinstance(value.get(name), list):
                value[name] = [r for n, r in enumerate(value[name]) if n not in found.get(name, ())]
        value["identities"] = [
            {
                k: ([a for a in v if id(a) not in gone_accounts] if k == "accounts" and isinstance(v, list) else v)
                for k, v in i.items()
            }
            if isinstance(i, dict)
            else i
            for i in value.get("identities") or []
        ]
        doc = {k: (value if k == "value" else v) for k, v in backup.document.items()}
    else:
        doc = {
            k: ([r for n, r in enumerate(v) if n not in found[k]] if k in found and isinstance(v, list) else v)
            for k, v in backup.document.items()
        }
    return backup.derived(copy.deepcopy(doc))


# --------------------------------------------------------------------------- fields the wallet's tables lack


def without_unknown_fields(backup: Backup) -> tuple[Backup, list[tuple[str, Any, str]]]:
    """``backup`` without the record fields the Desktop Wallet's tables lack, and what was dropped.

    The wallet inserts imported records into tables with fixed columns (each kind's
    :attr:`~toolkit.model.kinds.RecordKind.columns`, its table's); a new record with any other field makes its
    import stop ("The imported data is not compatible with existing data.").  Returns a new :class:`Backup`
    (the same one when nothing is dropped) and ``(list, record key, field)`` per dropped field.  Accounts
    leave ``rewardFilter`` out silently (the wallet strips it itself).  Legacy mobile files raise
    :class:`IncompatibleKindsError`.
    """
    if backup.is_legacy:
        raise errors.IncompatibleKindsError(
            "Only Desktop Wallet files have the wallet's table columns; this is a legacy mobile export"
        )
    out = dict(backup.document)
    dropped: list[tuple[str, Any, str]] = []
    for kind in kinds_of(DESKTOP):
        records = backup.document.get(kind.name)
        if kind.db_table is None or kind.single or not isinstance(records, list):
            continue
        columns, key_of = frozenset(kind.columns), kind.key_function(backup)
        kept = []
        for r in records:
            if isinstance(r, dict):
                extra = [k for k in r if k not in columns]
                silent = (
                    ("rewardFilter",) if kind.name == "accounts" else ()
                )  # sanitizeAccount (importHelpers.ts:270-273)
                dropped += [(kind.name, key_of(r), k) for k in extra if k not in silent]
                r = {k: v for k, v in r.items() if k in columns} if extra else r
            kept.append(r)
        out[kind.name] = kept
    return (backup.derived(out) if dropped else backup), dropped
