"""Import preview: what the Desktop Wallet does when a wallet holding backup A imports backup B.

``preview_import(a, b)`` replays the Desktop Wallet's import (docs/FORMAT.md §3, in
the order its import code runs) on a copy of A's document, offline, and returns
an :class:`ImportPreview`: the merged document, one row per imported record
with the message the wallet shows next to it, and the refusal, if any.  Every
write goes through the wallet's database schema in memory
(:class:`toolkit.ops.walletdb.WalletDB`), so its constraints (NOT NULL, UNIQUE,
foreign keys, unknown columns), its ignored upserts and its defaults act as
in the wallet; a failing write stops the import where the wallet stops.
Nothing is written; ``toolkit.model.save.save_backup(preview.backup, ...)`` writes
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
- **external credentials** (only if B has the list): one ``insert …
  onConflict('credId').ignore()`` of the new ones and those whose note
  differs: an existing one is never updated; one whose account the wallet
  lacks fails the foreign key, and the wallet shows the raw SQL error (the
  call is outside any try/catch, PerformImport.tsx:109-114).
- **unknown fields**: a new record is inserted with all its fields (accounts
  without ``rewardFilter``); a field its table lacks fails the insert.

The wallet's import is not one transaction: when it stops part-way, what it
imported before stays.  The preview does the same: ``document`` is then that
partial state, ``outcome`` what the wallet shows, ``stops_at`` the record,
``imported_before_stop`` and ``not_imported`` what stays and what is never
reached.  Ids of new records are the next free ones (the wallet's database may
pick higher ones; references stay consistent).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NoReturn

import orjson
import pandas as pd

from toolkit import errors
from toolkit.model.backup import DESKTOP, Backup
from toolkit.model.kinds import kind_of, kinds_of, table_names
from toolkit.model.network import GENESIS_HASHES
from toolkit.model.records import identity_key, wallet_identifiers

from .subset import without_unknown_fields
from .walletdb import SqlFailure, WalletDB, js_string

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
    return f"Already exists as: {js_string(name)}"


def replaces_name(name: Any) -> str:
    return f"Replaces name: {js_string(name)}"


def replaces_placeholder(name: Any) -> str:
    return f"Replaces placeholder identity: {js_string(name)}"


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


def _safe(value: Any) -> str:
    """``str(value)`` that never fails (integers beyond Python's digit limit, deep nesting, lone surrogates)."""
    try:
        text = str(value)
    except ValueError:
        return f"<{value.bit_length()}-bit integer>" if isinstance(value, int) else "<value>"
    except RecursionError:
        return "<deeply nested value>"
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace") if isinstance(value, str) else text


def _hkey(value: Any) -> Any:
    """A hashable stand-in under ``===``: an object or array equals only itself."""
    return ("object", id(value)) if isinstance(value, (dict, list)) else _js_token(value)


class _Stop(Exception):
    """The wallet's import stops here: the error to report, the wallet's words and the record."""

    def __init__(
        self, error: errors.BackupError, outcome: str | None = None, where: dict[str, Any] | None = None
    ) -> None:
        super().__init__(error.message)
        self.error = error
        self.outcome = outcome or error.message
        self.where = where


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
    #: what the wallet shows at the end: "ok", or its error text (its own words; raw SQL where it shows that)
    outcome: str = "ok"
    #: the record the wallet stops at (``table, key, name, reason``), or None
    stops_at: dict[str, Any] | None = None
    #: records of B the wallet never reaches when it stops (``table, key, name``)
    not_imported: list[dict[str, Any]] = field(default_factory=list)
    #: ways out the toolkit can take (``fix``: option name, ``text``: what it does)
    fixes: list[dict[str, str]] = field(default_factory=list)
    #: what the fixes asked for left out of B (``table, key, field``; field None for a whole record)
    dropped: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.refusal is None

    @property
    def imported_before_stop(self) -> list[dict[str, Any]]:
        """When the wallet stops: the records it has added or changed by then (they stay); else []."""
        if self.ok:
            return []
        done = self.messages[self.messages["result"].isin(("added", "updated"))]
        return [
            {"table": t, "key": k, "name": n, "result": r}
            for t, k, n, r in zip(done["table"], done["key"], done["name"], done["result"], strict=True)
        ]

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {r}" for r, n in self.messages["result"].value_counts().items()) or "no records"
        where = ""
        if self.stops_at:
            where = f" at {self.stops_at['table']} {_safe(self.stops_at['key'])[:24]!r}"
        outcome = "ok" if self.ok else f"stops{where}: {self.outcome[:80]!r}"
        return f"<ImportPreview {outcome}; {counts}>"

    def _repr_html_(self) -> str:
        import html

        head = html.escape(repr(self))
        return f"<p><code>{head}</code></p>" + self.messages.head(50).to_html(escape=True, index=False)

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
            "outcome": self.outcome,
            "stops_at": self.stops_at,
            "imported_before_stop": self.imported_before_stop,
            "not_imported": list(self.not_imported),
            "fixes": list(self.fixes),
            "dropped": list(self.dropped),
            "refusal": self.refusal.to_dict() if self.refusal else None,
            "summary": self.summary(),
            "notes": list(self.notes),
            "messages": self.messages.to_dict("records"),
        }


class _Import:
    """One replay of the Desktop Wallet's import; the state is the wallet's database."""

    def __init__(self, a: Backup, b: Backup, *, drop_orphans: bool = False) -> None:
        self.snapshot = a.document  # what the wallet read before the import (never modified)
        self.db = WalletDB()  # the wallet's database: every write goes through it
        self.db.load(a.document)
        self.drop_orphans = drop_orphans
        self.dropped: list[dict[str, Any]] = []
        self.doc: dict[str, Any] = {k: (list(v) if isinstance(v, list) else v) for k, v in a.document.items()}
        self.rows: list[tuple[Any, ...]] = []
        self.notes: list[str] = []
        self.imported = b.document
        self.identifiers = wallet_identifiers(b.document)
        # live indexes of the "database"
        self.account_at = {_hkey(r.get("address")): i for i, r in enumerate(self.records("accounts"))}
        self.identity_at: dict[Any, int] = {}
        for n, i in enumerate(self.records("identities")):
            self.identity_at.setdefault(_js_token(i.get("id", _MISSING)), n)
        self.accounts_of: dict[Any, set[Any]] = {}
        for a in self.records("accounts"):
            self.accounts_of.setdefault(_js_token(a.get("identityId", _MISSING)), set()).add(_hkey(a.get("address")))
        self.imported_by_identity: dict[str, dict[Any, list[dict[str, Any]]]] = {}
        for table in ("accounts", "credentials"):
            groups: dict[Any, list[dict[str, Any]]] = {}
            for r in self.imported_list(table):
                groups.setdefault(_js_token(r.get("identityId", _MISSING)), []).append(r)
            self.imported_by_identity[table] = groups

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
        order = table_names(DESKTOP)
        rank = order.index(name)
        items = list(self.doc.items())
        at = next((i for i, (k, _) in enumerate(items) if k in order and order.index(k) > rank), len(items))
        items.insert(at, (name, value))
        self.doc = dict(items)

    def ikey(self, identity: dict[str, Any], *, as_imported: bool = False) -> str | None:
        """An identity's key (its Ledger and number, see :mod:`toolkit.ops.diff`).

        Identities on their way in carry the merged wallet ids, so their Ledger is looked up in the
        merged document; ``as_imported`` looks it up in the imported file instead.
        """
        return _identity_key(identity, self.identifiers if as_imported else wallet_identifiers(self.doc))

    def row(self, table: str, key: Any, name: Any, result: str, message: str = "", detail: str = "") -> None:
        name = name if name is None or isinstance(name, str) else _safe(name)  # a table shows it as text
        self.rows.append((table, "" if key is None else _safe(key), name, result, message, detail))

    def edit(self, table: str, index: int, **changes: Any) -> dict[str, Any]:
        """Copy-on-write update of one record of the merged document."""
        records = self.writable(table)
        record = dict(records[index])
        record.update(changes)
        records[index] = record
        return record

    def insert(self, table: str, record: dict[str, Any], shown: dict[str, Any], name: Any = None) -> dict[str, Any]:
        """Insert ``record`` into the wallet's database; the record as the wallet then exports it.

        ``shown`` is the imported record the messages name.  A failing insert stops the import
        inside ``importWallets``, whose catch shows NOT_COMPATIBLE (PerformImport.tsx:78-92).
        """
        try:
            rowid = self.db.insert(table, record)
        except SqlFailure as failure:
            self.stop_on(table, shown, failure, NOT_COMPATIBLE)
        return _filled(record, self.db.exported(table, rowid))

    def stop_on(self, table: str, record: dict[str, Any], failure: SqlFailure, outcome: str | None) -> NoReturn:
        """The wallet stops at ``record``: ``outcome`` is what it shows (None: the raw SQL error)."""
        column = failure.unknown_column
        if column is not None:
            why = f"it has the field {column!r}, which the wallet's table {failure.table} does not have ({failure.reason})"
            fix = "drop_unknown_fields"
        elif "FOREIGN KEY" in failure.reason and table == "externalCredentials":
            why = "its account is not in the wallet after the import (the table's foreign key fails)"
            fix = "drop_orphan_external_credentials"
        else:
            why = f"the wallet's database refuses it ({failure.reason})"
            fix = ""
            if "too many terms in compound SELECT" in failure.reason:
                why = (
                    "the wallet inserts all new records of this list in one statement, and its SQLite takes at "
                    f"most 500 ({failure.reason}); import the file in parts"
                )
            if "UNIQUE constraint failed: accounts.address" in failure.reason:
                why = f"the wallet has this address under another identity ({failure.reason})"
        self.refuse(table, record, why, outcome=outcome, raw=str(failure), fix=fix)

    def credential_ids(self, identity_id: Any) -> set[Any]:
        """``getCredentialsForIdentity(identityId)`` (credentialDao.ts:80-85): the credIds it has."""
        return {_hkey(v) for v in self.db.credential_ids(identity_id)}

    def imported_list(self, name: str) -> list[dict[str, Any]]:
        value = self.imported.get(name)
        return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []

    # -------------------------------------------------------------- the import
    def run(self, wallet_genesis: str | None) -> None:
        """``performImport`` (PerformImport.tsx:50-125 at 0ce97cb): network, wallets with their identities,
        accounts and credentials, the address book, then external credentials."""
        self.check_network(wallet_genesis)
        self.import_wallets()
        self.report_unattached()
        self.import_address_book()
        if isinstance(self.imported.get("externalCredentials"), list):
            self.import_external_credentials()
        self.report_unread_kinds()

    def report_unread_kinds(self) -> None:
        """Records of kinds the wallet's import does not read (every kind but :data:`IMPORT_ORDER`'s)."""
        for kind in kinds_of(DESKTOP):
            if kind.name in IMPORT_ORDER or kind.single:
                continue
            key_of = kind.key_function(Backup(self.imported, kind=DESKTOP))
            for record in self.imported_list(kind.name):
                name = record.get("name")
                detail = "the Desktop Wallet's import does not read this list"
                self.row(kind.name, key_of(record), name, "skipped", "", detail)

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
                    "name the network the wallet is on if you know it"
                ),
                NO_NETWORK,
                {"table": "genesis", "key": _safe(theirs), "name": None, "reason": "the wallet names no network"},
            )
        if ours != theirs:
            self.row("genesis", theirs, None, "refused", DIFFERENT_NETWORK)
            raise _Stop(
                errors.DifferentNetworkError(
                    f"{DIFFERENT_NETWORK.rstrip('.')}: the imported file is from {_network_name(theirs)}, "
                    f"the wallet from {_network_name(ours)}"
                ),
                DIFFERENT_NETWORK,
                {"table": "genesis", "key": _safe(theirs), "name": None, "reason": "another network"},
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
                    f"its wallet (walletId {_safe(ident.get('walletId'))}) is not in the file; the wallet skips it",
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
                f"the wallet has this Ledger as id {_safe(target.get('id'))}; identities re-pointed from {_safe(w.get('id'))}",
            )
            remapped = [
                dict(i, walletId=target.get("id")) for i in identities if _js_equal(i.get("walletId"), w.get("id"))
            ] + remapped
        self.import_identities_of(targets, remapped)

        self.import_new_wallets(new, identities)

    def import_new_wallets(self, new: list[dict[str, Any]], identities: list[dict[str, Any]]) -> None:
        """The wallet's ``importNewWallets`` (importHelpers.ts:389-436 at 0ce97cb): it inserts *every* new
        wallet first (the loop at :411-428), gathering each one's identities with the inserted id
        (``updateWalletIdReference``, :134-147: in wallet order, then file order), and only then inserts
        those identities with their accounts and credentials (``insertNewIdentities``, :430-435, :351-378).
        So an identity that stops the import leaves every new wallet inserted, its own and later ones."""
        updated: list[dict[str, Any]] = []
        for w in new:
            # insertWallet(identifier, type): only these two fields (importHelpers.ts:415-418, walletDao.ts:28-31)
            record = self.insert("wallets", {"identifier": w.get("identifier"), "type": w.get("type")}, w)
            new_id = record["id"]
            self.writable("wallets").append({"id": new_id, **{k: v for k, v in record.items() if k != "id"}})
            detail = "" if new_id == w.get("id") else f"id {_safe(w.get('id'))} becomes {new_id}"
            self.row("wallets", w.get("identifier"), None, "added", "", detail)
            updated += [dict(i, walletId=new_id) for i in identities if _js_equal(i.get("walletId"), w.get("id"))]
        for ident in updated:
            self.insert_identity(ident)

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
                    f"it has the number and wallet of identity {_safe(local_ident.get('name'))!r} but other content, "
                    "and neither is a recovered placeholder",
                )
                return
            props = {k: v for k, v in ident.items() if k != "id"}
            local_name = local_ident.get("name")
            message = ALREADY_EXISTS if ident.get("name") == local_name else replaces_placeholder(local_name)
            detail = "replaces the recovered placeholder with the imported identity"
            try:  # updateIdentity(existingId, properties) is not awaited (importHelpers.ts:605): a failure is silent
                self.db.update("identities", {"id": local_ident.get("id")}, props)
                self.edit("identities", self._identity_position(local_ident.get("id")), **props)
            except SqlFailure as failure:
                detail = (
                    f"the wallet's update of the placeholder fails unnoticed ({failure.reason}); it keeps the "
                    "placeholder's content"
                )
                if ident.get("name") != local_name:  # handleDuplicateIdentity's own name update (importHelpers.ts:232)
                    self._update_quietly("identities", {"id": local_ident.get("id")}, {"name": ident.get("name")})
                    self.edit("identities", self._identity_position(local_ident.get("id")), name=ident.get("name"))
                    detail += " and takes the imported name"
            self.row("identities", self.ikey(ident), ident.get("name"), "updated", message, detail)
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
            if self._update_quietly("identities", {"id": local.get("id")}, {"name": name}):
                self.edit("identities", self._identity_position(local.get("id")), name=name)
            self.row("identities", key, name, "updated", replaces_placeholder(local_name), "takes the imported name")
        else:
            self.row("identities", key, name, "exists", already_exists_as(local_name), "keeps the local name")

    def _update_quietly(self, table: str, where: dict[str, Any], values: dict[str, Any]) -> bool:
        """An update the wallet does not await: a failure changes nothing and is not shown."""
        try:
            self.db.update(table, where, values)
        except SqlFailure:
            return False
        return True

    def insert_identity(self, ident: dict[str, Any]) -> None:
        # insertIdentity(identity without id) (importHelpers.ts:358-360): the database picks the id
        record = self.insert("identities", {k: v for k, v in ident.items() if k != "id"}, ident)
        new_id = record["id"]
        self.identity_at[_js_token(new_id)] = len(self.records("identities"))
        self.writable("identities").append({"id": new_id, **{k: v for k, v in record.items() if k != "id"}})
        detail = "" if new_id == ident.get("id") else f"id {_safe(ident.get('id'))} becomes {new_id}"
        self.row("identities", self.ikey(ident), ident.get("name"), "added", "", detail)
        self.add_accounts_and_credentials(ident.get("id"), new_id)

    def refuse(
        self,
        table: str,
        record: dict[str, Any],
        why: str,
        *,
        outcome: str | None = NOT_COMPATIBLE,
        raw: str = "",
        fix: str = "",
    ) -> NoReturn:
        """The wallet stops at ``record``; ``outcome`` is what it shows (None: the raw SQL text ``raw``)."""
        if table == "identities":
            key = self.ikey(record)
        elif table == "wallets":
            key = record.get("identifier")
        else:
            key = record.get("address", record.get("credId"))
        shown = outcome if outcome is not None else raw
        self.row(table, key, record.get("name"), "refused", shown if outcome is not None else "", why)
        kind = kind_of(DESKTOP, table)
        what = f"{kind.noun if kind else table} {_safe(key)[:40]}"
        if outcome is None:
            text = f"The Desktop Wallet stops with its database's error at {what}: {why}"
        else:
            text = f"{outcome} ({what}: {why})"
        if fix:
            text += "; " + FIX_TEXT[fix][1]
        raise _Stop(
            errors.IncompatibleDataError(text),
            shown,
            {"table": table, "key": "" if key is None else _safe(key), "name": self.rows[-1][2], "reason": why},
        )

    def add_accounts_and_credentials(self, imported_id: Any, local_id: Any) -> None:
        """The wallet's ``insertNewAccountsAndCredentials`` for one identity (importHelpers.ts:281-339)."""
        token = _js_token(imported_id)
        accounts = self.imported_by_identity["accounts"].get(token, [])
        credentials = self.imported_by_identity["credentials"].get(token, [])
        mine = self.accounts_of.setdefault(_js_token(local_id), set())
        duplicates = [a for a in accounts if _hkey(a.get("address")) in mine]
        for account in [a for a in accounts if _hkey(a.get("address")) not in mine]:
            # sanitizeAccount strips rewardFilter only (importHelpers.ts:270-273); serializeAccountFields
            # stringifies a truthy transactionFilter (accountDao.ts:27-35)
            record = {k: v for k, v in account.items() if k != "rewardFilter"}
            record["identityId"] = local_id
            if _truthy(record.get("transactionFilter")) and record.get("transactionFilter") is not True:
                record["transactionFilter"] = _json_text(record["transactionFilter"])
            stored = self.insert("accounts", record, account)
            if "transactionFilter" in account and "transactionFilter" in record:
                stored["transactionFilter"] = account["transactionFilter"]
            address = account.get("address")
            self.account_at[_hkey(address)] = len(self.records("accounts"))
            self.writable("accounts").append(stored)
            mine.add(_hkey(address))
            self.row("accounts", address, account.get("name"), "added")
        for account in duplicates:
            self.resolve_account(account)

        known = self.credential_ids(local_id)
        for cred in credentials:
            if _hkey(cred.get("credId")) in known:
                self.row("credentials", cred.get("credId"), None, "exists", "", "the identity has it")
                continue
            stored = self.insert("credentials", dict(cred, identityId=local_id), cred)
            self.writable("credentials").append(stored)
            self.row("credentials", cred.get("credId"), None, "added")

    def report_unattached(self) -> None:
        """Accounts and credentials of identities the wallet did not import: it skips them silently."""
        seen = {(t, k) for t, k, *_ in self.rows}
        for table, key_field in (("accounts", "address"), ("credentials", "credId")):
            for record in self.imported_list(table):
                key = record.get(key_field)
                if (table, "" if key is None else _safe(key)) not in seen:
                    self.row(
                        table,
                        key,
                        record.get("name"),
                        "skipped",
                        "",
                        f"its identity (id {_safe(record.get('identityId'))}) is not imported",
                    )

    def resolve_account(self, account: dict[str, Any]) -> None:
        address, name = account.get("address"), account.get("name")
        position = self.account_at[_hkey(address)]
        local_name = self.records("accounts")[position].get("name")
        if name == local_name:
            self.row("accounts", address, name, "exists", ALREADY_EXISTS)
        elif isinstance(address, str) and isinstance(local_name, str) and local_name in address:
            # updateAccount is not awaited (importHelpers.ts:259): a failing update changes nothing
            if self._update_quietly("accounts", {"address": address}, {"name": name}):
                self.edit("accounts", position, name=name)
            self.row("accounts", address, name, "updated", replaces_name(local_name), "the local name was unnamed")
        else:
            self.row("accounts", address, name, "exists", already_exists_as(local_name), "keeps the local name")

    def import_address_book(self) -> None:
        """``importAddressBookEntries`` (importHelpers.ts:870-917); its failure shows BOOK_NOT_COMPATIBLE."""
        entries = self.imported_list("addressBook")
        local = [e for e in self.snapshot.get("addressBook") or [] if isinstance(e, dict)]
        local_by_address: dict[Any, dict[str, Any]] = {}
        for e in local:
            local_by_address.setdefault(_hkey(e.get("address")), e)
        position = {}
        for n, e in enumerate(self.records("addressBook")):
            position.setdefault(_hkey(e.get("address")), n)
        new = [e for e in entries if _hkey(e.get("address")) not in local_by_address]
        if new:  # one multi-row insert (AddressBookSlice.ts:62-66): all or nothing
            try:
                self.db.insert_many("addressBook", new)
            except SqlFailure as failure:
                self._book_failure(new, failure)
            for e in new:
                rowid = self.db.rowid_of("addressBook", "address", e.get("address"))
                stored = _filled(e, self.db.exported("addressBook", rowid)) if rowid is not None else dict(e)
                position[_hkey(e.get("address"))] = len(self.records("addressBook"))
                self.writable("addressBook").append(stored)
                self.row("addressBook", e.get("address"), e.get("name"), "added")
        skipped = 0
        for e in entries:
            address = e.get("address")
            match = local_by_address.get(_hkey(address))
            if match is None:
                continue
            same_name = _js_equal(e.get("name", _MISSING), match.get("name", _MISSING))
            same_note = _js_equal(e.get("note", _MISSING), match.get("note", _MISSING))
            same_ro = _js_equal(e.get("readOnly", _MISSING), match.get("readOnly", _MISSING))
            if same_name and same_note and same_ro:
                skipped += 1
                self.row("addressBook", address, e.get("name"), "skipped", "", "identical entry")
                continue
            update: dict[str, Any] = {}
            message, details = "", []
            if not same_name:
                chosen, message = _book_name(match, e)
                update["name"] = chosen
                details.append("takes the imported name" if chosen is not match.get("name") else "keeps the local name")
            if not same_note:
                update["note"] = match.get("note") if _truthy(match.get("note")) else e.get("note")
                details.append("keeps the local note" if _truthy(match.get("note")) else "takes the imported note")
            if e.get("readOnly"):
                update["readOnly"] = True
            current = self.records("addressBook")[position[_hkey(address)]]
            changed = any(not _js_equal(current.get(k, _MISSING), v) for k, v in update.items())
            # updateAddressBookEntry is not awaited (importHelpers.ts:913): a failing update is silent
            if changed and self._update_quietly("addressBook", {"address": address}, update):
                self.edit("addressBook", position[_hkey(address)], **update)
            elif changed:
                changed = False
                details.append("the wallet's update fails unnoticed")
            self.row(
                "addressBook", address, e.get("name"), "updated" if changed else "exists", message, "; ".join(details)
            )
        if skipped:
            self.notes.append(
                f"{skipped} recipient account{'s were' if skipped > 1 else ' was'} not imported, "
                f"as {'they already exist' if skipped > 1 else 'it already exists'}"
            )

    def _book_failure(self, new: list[dict[str, Any]], failure: SqlFailure) -> NoReturn:
        """The address book's insert fails: name the entry that makes it fail."""
        column = failure.unknown_column
        culprit = new[0]
        if column is not None:
            culprit = next((e for e in new if column in e or _safe(column) in map(_safe, e)), new[0])
        else:
            seen: set[Any] = set()
            for e in new:
                if _hkey(e.get("address")) in seen:
                    culprit = e
                    break
                seen.add(_hkey(e.get("address")))
        self.stop_on("addressBook", culprit, failure, BOOK_NOT_COMPATIBLE)

    def import_external_credentials(self) -> None:
        """``insertExternalCredentials`` (importHelpers.ts:842-859) and its one insert.

        The insert is ``insert … onConflict('credId').ignore()`` (externalCredentialDao.ts:17-30): a
        credential the wallet has keeps its row (note included) whatever the file says.  It runs
        outside any try/catch (PerformImport.tsx:109-114): a failure shows the raw SQL error.
        """
        local = {
            _hkey(c.get("credId")): c for c in self.snapshot.get("externalCredentials") or [] if isinstance(c, dict)
        }
        upserts: list[dict[str, Any]] = []
        for cred in self.imported_list("externalCredentials"):
            match = local.get(_hkey(cred.get("credId")))
            if match is None:
                upserts.append(dict(cred))
            elif not _js_equal(match.get("note", _MISSING), cred.get("note", _MISSING)):
                note = match.get("note") if _truthy(match.get("note")) else cred.get("note")
                upserts.append(dict(cred, note=note))
            else:
                self.row("externalCredentials", cred.get("credId"), None, "exists", "", "identical")
        if self.drop_orphans:
            held = {_hkey(v) for v in self.db.values("accounts", "address")}
            kept = []
            for cred in upserts:
                address = cred.get("accountAddress")
                if (
                    address is not None
                    and _hkey(address) not in held
                    and not self.db.has_credential(cred.get("credId"))
                ):
                    self.dropped.append(
                        {"table": "externalCredentials", "key": _safe(cred.get("credId")), "field": None}
                    )
                    self.row(
                        "externalCredentials",
                        cred.get("credId"),
                        None,
                        "skipped",
                        "",
                        "left out of the file: its account is not in the wallet",
                    )
                else:
                    kept.append(cred)
            upserts = kept
        if not upserts:
            return
        present = {_hkey(c): True for c in self.db.values("externalCredentials", "credId")}
        try:
            self.db.insert_many("externalCredentials", upserts, ignore_conflict_on="credId")
        except SqlFailure as failure:
            culprit = upserts[0]
            if "FOREIGN KEY" in failure.reason:
                held = {_hkey(v) for v in self.db.values("accounts", "address")}
                culprit = next(
                    (
                        c
                        for c in upserts
                        if _hkey(c.get("credId")) not in present
                        and c.get("accountAddress") is not None
                        and _hkey(c.get("accountAddress")) not in held
                    ),
                    culprit,
                )
            self.stop_on("externalCredentials", culprit, failure, None)
        records = self.writable("externalCredentials")
        for cred in upserts:
            cid = cred.get("credId")
            if _hkey(cid) in present:
                self.row(
                    "externalCredentials",
                    cid,
                    None,
                    "exists",
                    "",
                    "the wallet keeps its own record and note (its insert ignores a credId it has)",
                )
                continue
            present[_hkey(cid)] = True  # a second record with this credId is ignored too
            rowid = self.db.rowid_of("externalCredentials", "credId", cid)
            records.append(_filled(cred, self.db.exported("externalCredentials", rowid)) if rowid else cred)
            self.row("externalCredentials", cid, None, "added")


def _identity_key(record: dict[str, Any], identifiers: dict[Any, str]) -> str | None:
    """:func:`toolkit.model.records.identity_key` that never fails on odd values (objects, huge numbers)."""
    try:
        return identity_key(record, identifiers)
    except (TypeError, ValueError, RecursionError):
        wallet, number = record.get("walletId"), record.get("identityNumber")
        return f"wallet {_safe(wallet)[:40]}/{_safe(number)[:40]}"


def _filled(record: dict[str, Any], exported: dict[str, Any]) -> dict[str, Any]:
    """``record`` with the columns it lacks as the wallet's database filled them (its defaults)."""
    out = dict(record)
    for column, value in exported.items():
        out.setdefault(column, value)
    return out


def _json_text(value: Any) -> str:
    """``JSON.stringify(value)`` for a JSON value (as the wallet stores transactionFilter)."""
    try:
        return orjson.dumps(value).decode()
    except (TypeError, orjson.JSONEncodeError):
        return str(value)


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
    raise errors.InvalidArgumentError(
        f"Unknown network {wallet_network!r}; name one of {', '.join(GENESIS_HASHES.values())} or give a genesis hash",
        subject="wallet_network",
    )


#: The lists the Desktop Wallet's import reads, in the order it reaches them (PerformImport.tsx:78-114,
#: importWallets at importHelpers.ts:683-739): records of other kinds are listed as skipped.
IMPORT_ORDER = ("wallets", "identities", "accounts", "credentials", "addressBook", "externalCredentials")

#: The ways out the toolkit can take: option name → (when it helps, what it does).
FIX_TEXT = {
    "drop_unknown_fields": (
        "a record has a field the wallet's tables lack",
        "write B without the fields the wallet's tables lack (drop unknown fields)",
    ),
    "drop_orphan_external_credentials": (
        "an external credential's account is not in the wallet",
        "leave out the external credentials whose account is not in the wallet",
    ),
}


def preview_import(
    a: Backup,
    b: Backup,
    *,
    wallet_network: str | None = None,
    drop_unknown_fields: bool = False,
    drop_orphan_external_credentials: bool = False,
) -> ImportPreview:
    """What happens if a Desktop Wallet holding ``a`` imports ``b`` (never raises for a refusal).

    The import runs over the wallet's database schema in memory
    (:class:`toolkit.ops.walletdb.WalletDB`), so its constraints, ignored upserts
    and defaults apply as in the wallet.  ``wallet_network`` (a network name
    or genesis hash) stands for the network the wallet is connected to when
    ``a`` names none (files from before v1.1.5).  The two ``drop_*`` options
    preview B written without what makes the wallet stop (see
    :data:`FIX_TEXT`); ``dropped`` lists what they left out.  Legacy mobile
    files raise :class:`IncompatibleKindsError`: the Desktop Wallet does not
    import them.
    """
    if b.is_legacy:
        raise errors.IncompatibleKindsError(f"File B cannot be imported: {LEGACY_REFUSED}")
    if a.is_legacy:
        raise errors.IncompatibleKindsError(
            "File A is a legacy mobile wallet export; the Desktop Wallet holds no such data"
        )
    a.check_shape()  # odd values are one coded error naming record and field, never an internal one
    b.check_shape()
    genesis = _wallet_genesis(wallet_network)
    dropped: list[dict[str, Any]] = []
    if drop_unknown_fields:
        b, fields = without_unknown_fields(b)
        dropped += [{"table": t, "key": _safe(k), "field": f} for t, k, f in fields]
    job = _Import(a, b, drop_orphans=drop_orphan_external_credentials)
    refusal, outcome, stops_at, fixes = None, "ok", None, []
    try:
        try:
            job.run(genesis)
        except _Stop as stop:
            refusal, outcome, stops_at = stop.error, stop.outcome, stop.where
            reason = (stops_at or {}).get("reason", "")
            for name, (_when, text) in FIX_TEXT.items():
                if (name == "drop_unknown_fields" and "which the wallet's table" in reason) or (
                    name == "drop_orphan_external_credentials" and "foreign key" in reason
                ):
                    fixes.append({"fix": name, "text": text})
        messages = pd.DataFrame(job.rows, columns=list(MESSAGE_COLUMNS), dtype=object)
        document = _detached(job.doc)
    finally:
        job.db.close()
    return ImportPreview(
        document=document,
        messages=messages,
        refusal=refusal,
        notes=job.notes,
        outcome=outcome,
        stops_at=stops_at,
        not_imported=_not_reached(b.document, job.rows) if refusal is not None else [],
        fixes=fixes,
        dropped=dropped + job.dropped,
    )


def _not_reached(imported: dict[str, Any], rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """The records of the imported file the wallet never reached (no message row)."""
    seen = {(t, k) for t, k, *_ in rows}
    out = []
    identifiers = wallet_identifiers(imported)
    source = Backup(imported, kind=DESKTOP)
    for table in IMPORT_ORDER:
        kind = kind_of(DESKTOP, table)
        key_of = kind.key_function(source) if kind else (lambda r: None)
        records = imported.get(table)
        for r in records if isinstance(records, list) else []:
            if not isinstance(r, dict):
                continue
            raw = _identity_key(r, identifiers) if table == "identities" else key_of(r)
            key = "" if raw is None else _safe(raw)
            if (table, key) not in seen:
                name = r.get("name")
                out.append(
                    {"table": table, "key": key, "name": name if name is None or isinstance(name, str) else _safe(name)}
                )
    return out


def _detached(document: dict[str, Any]) -> dict[str, Any]:
    """A deep copy (records shared with A or B while merging must not stay shared with the result)."""
    try:
        return orjson.loads(orjson.dumps(document))  # fast, keeps key order
    except (TypeError, orjson.JSONEncodeError):  # integers beyond 64 bits, lone surrogates, deep nesting
        return _copy_json(document)


def _copy_json(value: Any) -> Any:
    """A deep copy of JSON values without recursion (nesting as deep as the parser allows)."""
    if not isinstance(value, (dict, list)):
        return value
    root: Any = type(value)()
    stack = [(value, root)]
    while stack:
        src, dst = stack.pop()
        for k, v in src.items() if isinstance(src, dict) else enumerate(src):
            c = type(v)() if isinstance(v, (dict, list)) else v
            if isinstance(c, (dict, list)):
                stack.append((v, c))
            if isinstance(dst, dict):
                dst[k] = c
            else:
                dst.append(c)
    return root


def merge_backups(a: Backup, b: Backup, *, wallet_network: str | None = None) -> Backup:
    """``a`` with ``b`` imported as the Desktop Wallet would; raises the refusal if it would refuse."""
    preview = preview_import(a, b, wallet_network=wallet_network)
    if preview.refusal is not None:
        raise preview.refusal
    return preview.backup
