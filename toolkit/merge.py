"""Import preview: what the Desktop Wallet does when a wallet holding backup A imports backup B.

``preview_import(a, b)`` replays the Desktop Wallet's import (FORMAT.md §3, in
the order its import code runs) on a copy of A's document, offline, and returns
an :class:`ImportPreview`: the merged document, one row per imported record
with the message the wallet shows next to it, and the refusal, if any.
Nothing is written; ``toolkit.export.save_backup(preview.backup, ...)`` writes
the result.  ``merge_backups(a, b)`` is the same but raises the refusal.

What the Desktop Wallet does, rule by rule:

- **genesis**: B names a network and the wallet none, or another one: the
  whole import is refused ("The imported data was created on a different
  network.").  B without genesis is accepted anywhere.
- **wallets** (Ledgers) match on ``identifier``; same identifier with another
  ``id``: B's identities are re-pointed to A's wallet id.  New wallets get the
  next free id.
- **identities** match on identityNumber + identityObject + randomness (+ id
  and name: "Already exists"); the local name is kept ("Already exists as:
  NAME") unless the local identity is a recovered placeholder ("Replaces
  placeholder identity: NAME").  Same (identityNumber, walletId) but other
  content replaces a placeholder; with a real local identity the wallet stops
  ("The imported data is not compatible with existing data.").  Identities of
  wallets the file does not list are not imported.
- **accounts** match on address within their identity; the local name is kept
  ("Already exists as: NAME") unless it is part of the address (an unnamed
  account: "Replaces name: NAME"); same name: "Already exists".  New accounts
  are added without the obsolete ``rewardFilter``.
- **credentials**: added when the identity does not have that credId yet.
- **address book** (after the rest): identical entries are skipped (counted,
  "N recipient accounts were not imported, as they already exist"); a
  different name: both read-only → the account rule, only the local one →
  "Already exists as an account", only the imported one → its name ("Replaces
  name: NAME"), neither → local ("Already exists as: NAME"); note = local note,
  else the imported one; readOnly becomes true if the imported entry has it.
- **external credentials** (only if B has the list): new ones added; an
  existing one keeps its note if it has one.

The wallet's import is not one transaction: when it stops part-way, what it
imported before stays.  The preview does the same: ``document`` is then that
partial state, and ``refusal`` the error.  Ids of new records are the next
free ones (the wallet's database may pick others; references stay consistent).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, NoReturn

import orjson
import pandas as pd

from . import errors
from .backup import DESKTOP, DESKTOP_LISTS, Backup
from .diff import identity_key, wallet_identifiers
from .network import GENESIS_HASHES

MESSAGE_COLUMNS = ("table", "key", "name", "result", "message", "detail")
#: The result vocabulary of the messages table.
RESULTS = ("added", "exists", "updated", "skipped", "refused")

ALREADY_EXISTS = "Already exists"
ALREADY_EXISTS_AS_ACCOUNT = "Already exists as an account"
DIFFERENT_NETWORK = "The imported data was created on a different network."
NO_NETWORK = (
    "The imported data exists on a specific network, please connect to a node on the same network "
    "before importing the data."
)
NOT_COMPATIBLE = "The imported data is not compatible with existing data."
BOOK_NOT_COMPATIBLE = "The imported address book is not compatible with existing address book."
LEGACY_REFUSED = (
    "The selected file was an export from a Concordium Mobile Wallet. Exports from a Concordium Mobile "
    "Wallet are not compatible with the Concordium Desktop Wallet, and vice versa."
)


def already_exists_as(name: Any) -> str:
    return f"Already exists as: {name}"


def replaces_name(name: Any) -> str:
    return f"Replaces name: {name}"


def replaces_placeholder(name: Any) -> str:
    return f"Replaces placeholder identity: {name}"


_MISSING: Any = type("_Missing", (), {"__repr__": lambda self: "<missing>"})()


def _js_equal(a: Any, b: Any) -> bool:
    """JavaScript's ``===`` on JSON values as the wallet compares fields (objects never equal)."""
    if a is _MISSING or b is _MISSING:
        return a is b
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return False
    return a == b and isinstance(a, bool) == isinstance(b, bool) and (a is None) == (b is None)


def _js_token(value: Any) -> Any:
    """A hashable stand-in for a JSON value under ``===`` (None for objects and arrays: never equal)."""
    if value is _MISSING:
        return ("undefined",)
    if isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return ("boolean", value)
    if value is None:
        return ("null",)
    if isinstance(value, (int, float)):
        return ("number", value)
    return ("string", value)


def _js_key(record: dict[str, Any], fields: tuple[str, ...]) -> tuple[Any, ...] | None:
    """The fields of ``record`` as one hashable key (None when an object field makes it match nothing)."""
    parts = tuple(_js_token(record.get(f, _MISSING)) for f in fields)
    return None if any(p is None for p in parts) else parts


class _Lookup:
    """The wallet's ``isDuplicate(entry, list, fields)`` and ``list.find`` in O(1)."""

    def __init__(self, records: list[dict[str, Any]], fields: tuple[str, ...]) -> None:
        self.fields = fields
        self.first: dict[tuple[Any, ...], dict[str, Any]] = {}
        for r in records:
            key = _js_key(r, fields)
            if key is not None:
                self.first.setdefault(key, r)

    def find(self, entry: dict[str, Any]) -> dict[str, Any] | None:
        key = _js_key(entry, self.fields)
        return None if key is None else self.first.get(key)

    def __contains__(self, entry: dict[str, Any]) -> bool:
        return self.find(entry) is not None


def _truthy(value: Any) -> bool:
    """JavaScript truthiness of a JSON value (``"" || x`` picks ``x``)."""
    return bool(value) if not isinstance(value, (dict, list)) else True


class _Stop(Exception):
    """The wallet's import stops here (carries the error to report)."""

    def __init__(self, error: errors.BackupError) -> None:
        super().__init__(error.message)
        self.error = error


@dataclass
class ImportPreview:
    """The outcome of importing B into a wallet holding A.

    ``document``: the wallet's content afterwards (A's document, copied, with
    B merged in; the partial state if the import stops).  ``messages``: one
    row per record of B (``table, key, name, result, message, detail``):
    ``message`` is what the wallet shows beside the record ("" when nothing),
    ``result`` one of added/exists/updated/skipped/refused, ``detail`` says
    what the toolkit saw.  ``refusal``: the error that stops the import, or None.
    ``notes``: the wallet's summary lines (e.g. duplicate recipients).
    """

    document: dict[str, Any]
    messages: pd.DataFrame
    refusal: errors.BackupError | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.refusal is None

    @property
    def backup(self) -> Backup:
        """The merged document as a :class:`Backup` (to save, diff or tabulate)."""
        return Backup(self.document, kind=DESKTOP)

    def summary(self) -> dict[str, dict[str, int]]:
        """Per table, how many imported records had each result."""
        out: dict[str, dict[str, int]] = {}
        for table, result in zip(self.messages["table"], self.messages["result"], strict=True):
            counts = out.setdefault(table, dict.fromkeys(RESULTS, 0))
            counts[result] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        """What ``merge --json`` prints (the document itself is left out)."""
        return {
            "ok": self.ok,
            "refusal": self.refusal.to_dict() if self.refusal else None,
            "summary": self.summary(),
            "notes": list(self.notes),
            "messages": self.messages.to_dict("records"),
        }


class _Import:
    """One replay of the Desktop Wallet's import; the state is the wallet's database."""

    def __init__(self, a: Backup, b: Backup) -> None:
        self.snapshot = a.document  # what the wallet read before the import (never modified)
        self.doc: dict[str, Any] = {k: (list(v) if isinstance(v, list) else v) for k, v in a.document.items()}
        self.rows: list[tuple[Any, ...]] = []
        self.notes: list[str] = []
        self.imported = b.document
        self.identifiers = wallet_identifiers(b.document)
        # live indexes of the "database"
        self.account_at = {r.get("address"): i for i, r in enumerate(self.records("accounts"))}
        # the next database ids: one more than the largest in use
        self.next_id = {name: _max_id(self.records(name)) + 1 for name in ("wallets", "identities")}
        self.identity_at: dict[Any, int] = {}
        for n, i in enumerate(self.records("identities")):
            self.identity_at.setdefault(_js_token(i.get("id", _MISSING)), n)
        self.accounts_of: dict[Any, set[Any]] = {}
        for a in self.records("accounts"):
            self.accounts_of.setdefault(_js_token(a.get("identityId", _MISSING)), set()).add(a.get("address"))
        self.imported_by_identity: dict[str, dict[Any, list[dict[str, Any]]]] = {}
        for table in ("accounts", "credentials"):
            groups: dict[Any, list[dict[str, Any]]] = {}
            for r in self.imported_list(table):
                groups.setdefault(_js_token(r.get("identityId", _MISSING)), []).append(r)
            self.imported_by_identity[table] = groups
        self.creds_of_identity: dict[Any, set[Any]] = {}
        self.cred_number_keys: set[tuple[Any, Any]] = set()
        self.cred_index_keys: set[tuple[Any, Any]] = set()
        for c in self.records("credentials"):
            self._index_credential(c)

    # -------------------------------------------------------------- helpers
    def records(self, name: str) -> list[dict[str, Any]]:
        """A top-level list of the merged document, for reading ([] when absent)."""
        value = self.doc.get(name)
        return value if isinstance(value, list) else []

    def writable(self, name: str) -> list[dict[str, Any]]:
        """A top-level list of the merged document to change (created in the wallet's key order if absent)."""
        value = self.doc.get(name)
        if not isinstance(value, list):
            value = []
            self._set_top(name, value)
        return value

    def _set_top(self, name: str, value: Any) -> None:
        """Set a top-level key, placing a new one in the Desktop Wallet's key order."""
        if name in self.doc:
            self.doc[name] = value
            return
        order = (*DESKTOP_LISTS, "genesis")
        rank = order.index(name)
        items = list(self.doc.items())
        at = next((i for i, (k, _) in enumerate(items) if k in order and order.index(k) > rank), len(items))
        items.insert(at, (name, value))
        self.doc = dict(items)

    def ikey(self, identity: dict[str, Any], *, as_imported: bool = False) -> str | None:
        """An identity's key (its Ledger and number, see :mod:`toolkit.diff`).

        Identities on their way in carry the merged wallet ids, so their Ledger is looked up in the
        merged document; ``as_imported`` looks it up in the imported file instead.
        """
        return identity_key(identity, self.identifiers if as_imported else wallet_identifiers(self.doc))

    def row(self, table: str, key: Any, name: Any, result: str, message: str = "", detail: str = "") -> None:
        self.rows.append((table, "" if key is None else str(key), name, result, message, detail))

    def edit(self, table: str, index: int, **changes: Any) -> dict[str, Any]:
        """Copy-on-write update of one record of the merged document."""
        records = self.writable(table)
        record = dict(records[index])
        record.update(changes)
        records[index] = record
        return record

    def take_id(self, table: str) -> int:
        new_id = self.next_id[table]
        self.next_id[table] = new_id + 1
        return new_id

    def _index_credential(self, c: dict[str, Any]) -> None:
        self.creds_of_identity.setdefault(c.get("identityId"), set()).add(c.get("credId"))
        if c.get("credentialNumber") is not None:
            self.cred_number_keys.add((c.get("credentialNumber"), c.get("identityId")))
        if c.get("credentialIndex") is not None:
            self.cred_index_keys.add((c.get("credentialIndex"), c.get("accountAddress")))

    def imported_list(self, name: str) -> list[dict[str, Any]]:
        value = self.imported.get(name)
        return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []

    # -------------------------------------------------------------- the import
    def run(self, wallet_genesis: str | None) -> None:
        self.check_network(wallet_genesis)
        self.import_wallets()
        self.report_unattached()
        self.import_address_book()
        if isinstance(self.imported.get("externalCredentials"), list):
            self.import_external_credentials()

    def check_network(self, wallet_genesis: str | None) -> None:
        genesis = self.imported.get("genesis")
        theirs = genesis.get("genesisBlock") if isinstance(genesis, dict) else None
        if not genesis:
            return
        ours = wallet_genesis
        if ours is None:
            local = self.snapshot.get("genesis")
            ours = local.get("genesisBlock") if isinstance(local, dict) else None
        if ours is None:
            self.row("genesis", theirs, None, "refused", NO_NETWORK)
            raise _Stop(
                errors.DifferentNetworkError(
                    f"{DIFFERENT_NETWORK.rstrip('.')}: the imported file names network "
                    f"{_network_name(theirs)} and the wallet (file A) names none; "
                    "give the wallet's network (--wallet-network) if you know it"
                )
            )
        if ours != theirs:
            self.row("genesis", theirs, None, "refused", DIFFERENT_NETWORK)
            raise _Stop(
                errors.DifferentNetworkError(
                    f"{DIFFERENT_NETWORK.rstrip('.')}: the imported file is from {_network_name(theirs)}, "
                    f"the wallet from {_network_name(ours)}"
                )
            )
        if not isinstance(self.snapshot.get("genesis"), dict):
            self._set_top("genesis", dict(genesis))  # the wallet's database names its network
        self.row("genesis", theirs, None, "exists", "", f"same network ({_network_name(theirs)})")

    def import_wallets(self) -> None:
        wallets = self.imported_list("wallets")
        local = [w for w in self.snapshot.get("wallets") or [] if isinstance(w, dict)]
        by_id_and_identifier = _Lookup(local, ("id", "identifier"))
        by_identifier = _Lookup(local, ("identifier",))
        duplicates = [w for w in wallets if w in by_id_and_identifier]
        existing = [w for w in wallets if w not in by_id_and_identifier and w in by_identifier]
        new = [w for w in wallets if w not in by_identifier]
        identities = self.imported_list("identities")
        wanted = {_js_token(w.get("id", _MISSING)) for w in wallets}
        for ident in identities:
            if _js_token(ident.get("walletId", _MISSING)) not in wanted:
                self.row(
                    "identities",
                    self.ikey(ident, as_imported=True),
                    ident.get("name"),
                    "skipped",
                    "",
                    f"its wallet (walletId {ident.get('walletId')}) is not in the file; the wallet skips it",
                )

        for w in duplicates:
            self.row("wallets", w.get("identifier"), None, "exists", ALREADY_EXISTS)
        self.import_identities_of(duplicates, identities)

        remapped: list[dict[str, Any]] = []
        targets = []
        for w in existing:
            target = by_identifier.find(w)
            assert target is not None
            targets.append(target)
            self.row(
                "wallets",
                w.get("identifier"),
                None,
                "exists",
                ALREADY_EXISTS,
                f"the wallet has this Ledger as id {target.get('id')}; identities re-pointed from {w.get('id')}",
            )
            remapped = [
                dict(i, walletId=target.get("id")) for i in identities if _js_equal(i.get("walletId"), w.get("id"))
            ] + remapped
        self.import_identities_of(targets, remapped)

        for w in new:
            new_id = self.take_id("wallets")
            self.writable("wallets").append(dict(w, id=new_id))
            detail = "" if new_id == w.get("id") else f"id {w.get('id')} becomes {new_id}"
            self.row("wallets", w.get("identifier"), None, "added", "", detail)
            for ident in identities:
                if _js_equal(ident.get("walletId"), w.get("id")):
                    self.insert_identity(dict(ident, walletId=new_id))

    def import_identities_of(self, wallets: list[dict[str, Any]], identities: list[dict[str, Any]]) -> None:
        """The wallet's ``importDuplicateWallets``: identities of wallets it already has."""
        ids = {_js_token(w.get("id", _MISSING)) for w in wallets}
        attached = [i for i in identities if _js_token(i.get("walletId", _MISSING)) in ids]
        local = [i for i in self.snapshot.get("identities") or [] if isinstance(i, dict)]
        exact = _Lookup(local, ("id", "identityNumber", "identityObject", "name", "randomness"))
        same = _Lookup(local, ("identityNumber", "identityObject", "randomness"))
        by_number_and_wallet = _Lookup(local, ("identityNumber", "walletId"))
        by_number_and_randomness = _Lookup(local, ("identityNumber", "randomness"))

        duplicates, matching, recovered, replacing, new = [], [], [], [], []
        for i in attached:
            if i in exact:
                duplicates.append(i)
            elif i in same:
                matching.append(i)
            elif i.get("status") == "recovered" and i in by_number_and_wallet:
                recovered.append(i)
            elif i in by_number_and_wallet:
                replacing.append(i)
            else:
                new.append(i)

        for ident in duplicates:
            self.row("identities", self.ikey(ident), ident.get("name"), "exists", ALREADY_EXISTS)
            self.add_accounts_and_credentials(ident.get("id"), ident.get("id"))

        for ident in matching + recovered:
            local_ident = by_number_and_randomness.find(ident)
            if local_ident is None:
                self.refuse("identities", ident, "a recovered identity matches no local identity by randomness")
                return
            self.resolve_identity_name(ident, local_ident)
            self.add_accounts_and_credentials(ident.get("id"), local_ident.get("id"))

        for ident in replacing:
            local_ident = by_number_and_wallet.find(ident)
            assert local_ident is not None
            if local_ident.get("status") != "recovered":
                self.refuse(
                    "identities",
                    ident,
                    f"it has the number and wallet of identity {local_ident.get('name')!r} but other content, "
                    "and neither is a recovered placeholder",
                )
                return
            props = {k: v for k, v in ident.items() if k != "id"}
            self.edit("identities", self._identity_position(local_ident.get("id")), **props)
            local_name = local_ident.get("name")
            message = ALREADY_EXISTS if ident.get("name") == local_name else replaces_placeholder(local_name)
            self.row(
                "identities",
                self.ikey(ident),
                ident.get("name"),
                "updated",
                message,
                "replaces the recovered placeholder with the imported identity",
            )
            self.add_accounts_and_credentials(ident.get("id"), local_ident.get("id"))

        for ident in new:
            self.insert_identity(ident)

    def _identity_position(self, identity_id: Any) -> int:
        return self.identity_at[_js_token(identity_id)]

    def resolve_identity_name(self, imported: dict[str, Any], local: dict[str, Any]) -> None:
        key, name, local_name = self.ikey(imported), imported.get("name"), local.get("name")
        if name == local_name:
            self.row("identities", key, name, "exists", ALREADY_EXISTS)
        elif local.get("status") == "recovered":
            self.edit("identities", self._identity_position(local.get("id")), name=name)
            self.row("identities", key, name, "updated", replaces_placeholder(local_name), "takes the imported name")
        else:
            self.row("identities", key, name, "exists", already_exists_as(local_name), "keeps the local name")

    def insert_identity(self, ident: dict[str, Any]) -> None:
        new_id = self.take_id("identities")
        self.identity_at[_js_token(new_id)] = len(self.records("identities"))
        self.writable("identities").append(dict(ident, id=new_id))
        detail = "" if new_id == ident.get("id") else f"id {ident.get('id')} becomes {new_id}"
        self.row("identities", self.ikey(ident), ident.get("name"), "added", "", detail)
        self.add_accounts_and_credentials(ident.get("id"), new_id)

    def refuse(self, table: str, record: dict[str, Any], why: str) -> NoReturn:
        key = self.ikey(record) if table == "identities" else record.get("address", record.get("credId"))
        self.row(table, key, record.get("name"), "refused", NOT_COMPATIBLE, why)
        raise _Stop(
            errors.IncompatibleDataError(f"{NOT_COMPATIBLE} {table[:-1] if table.endswith('s') else table}: {why}")
        )

    def add_accounts_and_credentials(self, imported_id: Any, local_id: Any) -> None:
        """The wallet's ``insertNewAccountsAndCredentials`` for one identity."""
        token = _js_token(imported_id)
        accounts = self.imported_by_identity["accounts"].get(token, [])
        credentials = self.imported_by_identity["credentials"].get(token, [])
        mine = self.accounts_of.setdefault(_js_token(local_id), set())
        duplicates = [a for a in accounts if a.get("address") in mine]
        for account in [a for a in accounts if a.get("address") not in mine]:
            address = account.get("address")
            if address in self.account_at:
                self.refuse("accounts", account, "the wallet has this address under another identity")
            record = {k: v for k, v in account.items() if k != "rewardFilter"}
            record["identityId"] = local_id
            self.account_at[address] = len(self.records("accounts"))
            self.writable("accounts").append(record)
            mine.add(address)
            self.row("accounts", address, account.get("name"), "added")
        for account in duplicates:
            self.resolve_account(account)

        known = set(self.creds_of_identity.get(local_id, set()))
        for cred in credentials:
            if cred.get("credId") in known:
                self.row("credentials", cred.get("credId"), None, "exists", "", "the identity has it")
                continue
            record = dict(cred, identityId=local_id)
            if (
                record.get("credentialNumber") is not None
                and (record.get("credentialNumber"), local_id) in self.cred_number_keys
            ) or (
                record.get("credentialIndex") is not None
                and (record.get("credentialIndex"), record.get("accountAddress")) in self.cred_index_keys
            ):
                self.refuse("credentials", cred, "its number or index is taken by another credential")
            self.writable("credentials").append(record)
            self._index_credential(record)
            self.row("credentials", cred.get("credId"), None, "added")

    def report_unattached(self) -> None:
        """Accounts and credentials of identities the wallet did not import: it skips them silently."""
        seen = {(t, k) for t, k, *_ in self.rows}
        for table, key_field in (("accounts", "address"), ("credentials", "credId")):
            for record in self.imported_list(table):
                key = record.get(key_field)
                if (table, "" if key is None else str(key)) not in seen:
                    self.row(
                        table,
                        key,
                        record.get("name"),
                        "skipped",
                        "",
                        f"its identity (id {record.get('identityId')}) is not imported",
                    )

    def resolve_account(self, account: dict[str, Any]) -> None:
        address, name = account.get("address"), account.get("name")
        position = self.account_at[address]
        local_name = self.records("accounts")[position].get("name")
        if name == local_name:
            self.row("accounts", address, name, "exists", ALREADY_EXISTS)
        elif isinstance(address, str) and isinstance(local_name, str) and local_name in address:
            self.edit("accounts", position, name=name)
            self.row("accounts", address, name, "updated", replaces_name(local_name), "the local name was unnamed")
        else:
            self.row("accounts", address, name, "exists", already_exists_as(local_name), "keeps the local name")

    def import_address_book(self) -> None:
        entries = self.imported_list("addressBook")
        local = [e for e in self.snapshot.get("addressBook") or [] if isinstance(e, dict)]
        local_by_address: dict[Any, dict[str, Any]] = {}
        for e in local:
            local_by_address.setdefault(e.get("address"), e)
        position = {}
        for n, e in enumerate(self.records("addressBook")):
            position.setdefault(e.get("address"), n)
        new = [e for e in entries if e.get("address") not in local_by_address]
        addresses = [e.get("address") for e in new]
        if len(set(addresses)) != len(addresses):
            dup = next(a for a in addresses if addresses.count(a) > 1)
            self.row("addressBook", dup, None, "refused", BOOK_NOT_COMPATIBLE, "the file lists this address twice")
            raise _Stop(errors.IncompatibleDataError(f"{BOOK_NOT_COMPATIBLE} The file lists {dup} twice"))
        for e in new:
            position[e.get("address")] = len(self.records("addressBook"))
            self.writable("addressBook").append(dict(e))
            self.row("addressBook", e.get("address"), e.get("name"), "added")
        skipped = 0
        for e in entries:
            address = e.get("address")
            match = local_by_address.get(address)
            if match is None:
                continue
            same_name = e.get("name") == match.get("name")
            same_note = e.get("note") == match.get("note")
            same_ro = e.get("readOnly") == match.get("readOnly")
            if same_name and same_note and same_ro:
                skipped += 1
                self.row("addressBook", address, e.get("name"), "skipped", "", "identical entry")
                continue
            update: dict[str, Any] = {}
            message, details = "", []
            if not same_name:
                chosen, message = _book_name(match, e)
                update["name"] = chosen
                details.append("takes the imported name" if chosen != match.get("name") else "keeps the local name")
            if not same_note:
                update["note"] = match.get("note") if _truthy(match.get("note")) else e.get("note")
                details.append("keeps the local note" if _truthy(match.get("note")) else "takes the imported note")
            if e.get("readOnly"):
                update["readOnly"] = True
            current = self.records("addressBook")[position[address]]
            changed = any(current.get(k, _MISSING) != v for k, v in update.items())
            if changed:
                self.edit("addressBook", position[address], **update)
            self.row(
                "addressBook", address, e.get("name"), "updated" if changed else "exists", message, "; ".join(details)
            )
        if skipped:
            self.notes.append(
                f"{skipped} recipient account{'s were' if skipped > 1 else ' was'} not imported, "
                f"as {'they already exist' if skipped > 1 else 'it already exists'}"
            )

    def import_external_credentials(self) -> None:
        local = {c.get("credId"): c for c in self.snapshot.get("externalCredentials") or [] if isinstance(c, dict)}
        upserts: dict[Any, dict[str, Any]] = {}
        for cred in self.imported_list("externalCredentials"):
            cid = cred.get("credId")
            match = local.get(cid)
            if match is None:
                upserts[cid] = dict(cred)
                self.row("externalCredentials", cid, None, "added")
            elif match.get("note") != cred.get("note"):
                note = match.get("note") if _truthy(match.get("note")) else cred.get("note")
                upserts[cid] = dict(cred, note=note)
                keeps = _truthy(match.get("note"))
                self.row(
                    "externalCredentials",
                    cid,
                    None,
                    "exists" if keeps and cred.get("accountAddress") == match.get("accountAddress") else "updated",
                    "",
                    "keeps the local note" if keeps else "takes the imported note",
                )
            else:
                self.row("externalCredentials", cid, None, "exists", "", "identical")
        if not upserts:
            return
        records = self.writable("externalCredentials")
        at = {c.get("credId"): n for n, c in enumerate(records)}
        for cid, record in upserts.items():
            if cid in at:
                records[at[cid]] = record
            else:
                at[cid] = len(records)
                records.append(record)


def _max_id(records: list[dict[str, Any]]) -> int:
    ids = [r.get("id") for r in records]
    return max((i for i in ids if isinstance(i, int) and not isinstance(i, bool)), default=0)


def _book_name(local: dict[str, Any], imported: dict[str, Any]) -> tuple[Any, str]:
    """The wallet's ``resolveAddressBookNameConflict``: (chosen name, message)."""
    if local.get("readOnly") and imported.get("readOnly"):
        address, local_name = local.get("address"), local.get("name")
        if isinstance(address, str) and isinstance(local_name, str) and local_name in address:
            return imported.get("name"), replaces_name(local_name)
        return local_name, already_exists_as(local_name)
    if local.get("readOnly"):
        return local.get("name"), ALREADY_EXISTS_AS_ACCOUNT
    if imported.get("readOnly"):
        return imported.get("name"), replaces_name(local.get("name"))
    return local.get("name"), already_exists_as(local.get("name"))


def _network_name(genesis_block: Any) -> str:
    name = GENESIS_HASHES.get(genesis_block) if isinstance(genesis_block, str) else None
    return name or f"unknown network {str(genesis_block)[:12]}…"


def _wallet_genesis(wallet_network: str | None) -> str | None:
    if wallet_network is None:
        return None
    value = wallet_network.strip().lower()
    for genesis, name in GENESIS_HASHES.items():
        if value in (name, genesis):
            return genesis
    if len(value) == 64 and all(c in "0123456789abcdef" for c in value):
        return value
    raise errors.UsageError(
        f"Unknown network {wallet_network!r}; name one of {', '.join(GENESIS_HASHES.values())} or give a genesis hash"
    )


def preview_import(a: Backup, b: Backup, *, wallet_network: str | None = None) -> ImportPreview:
    """What happens if a Desktop Wallet holding ``a`` imports ``b`` (never raises for a refusal).

    ``wallet_network`` (a network name or genesis hash) stands for the network
    the wallet is connected to when ``a`` names none (files from before
    v1.1.5).  Legacy mobile files raise :class:`IncompatibleKindsError`: the
    Desktop Wallet does not import them.
    """
    if b.is_legacy:
        raise errors.IncompatibleKindsError(f"File B cannot be imported: {LEGACY_REFUSED}")
    if a.is_legacy:
        raise errors.IncompatibleKindsError(
            "File A is a legacy mobile wallet export; the Desktop Wallet holds no such data"
        )
    a.check_shape()  # odd values are one coded error, never an internal one (issue 13)
    b.check_shape()
    job = _Import(a, b)
    refusal = None
    try:
        job.run(_wallet_genesis(wallet_network))
    except _Stop as stop:
        refusal = stop.error
    messages = pd.DataFrame(job.rows, columns=list(MESSAGE_COLUMNS), dtype=object)
    return ImportPreview(document=_detached(job.doc), messages=messages, refusal=refusal, notes=job.notes)


def _detached(document: dict[str, Any]) -> dict[str, Any]:
    """A deep copy (records shared with A or B while merging must not stay shared with the result)."""
    try:
        return orjson.loads(orjson.dumps(document))  # fast, keeps key order
    except (TypeError, orjson.JSONEncodeError):  # integers beyond 64 bits, lone surrogates
        return copy.deepcopy(document)


def merge_backups(a: Backup, b: Backup, *, wallet_network: str | None = None) -> Backup:
    """``a`` with ``b`` imported as the Desktop Wallet would; raises the refusal if it would refuse."""
    preview = preview_import(a, b, wallet_network=wallet_network)
    if preview.refusal is not None:
        raise preview.refusal
    return preview.backup
