"""The replay of the Desktop Wallet's import over its database schema (:class:`toolkit.ops.walletdb.WalletDB`),
in the order its import code writes (``performImport``, PerformImport.tsx:50-125, and ``importWallets``,
importHelpers.ts:683-739, at 0ce97cb)."""

from __future__ import annotations

import sqlite3
from typing import Any, NoReturn

from toolkit import errors
from toolkit.model.backup import DESKTOP, Backup
from toolkit.model.kinds import kind_of, kinds_of, table_names
from toolkit.model.records import identity_key, wallet_identifiers

from ..walletdb import SqlFailure, WalletDB
from .messages import (
    ALREADY_EXISTS,
    ALREADY_EXISTS_AS_ACCOUNT,
    BOOK_NOT_COMPATIBLE,
    DIFFERENT_NETWORK,
    NO_NETWORK,
    NOT_COMPATIBLE,
    StopCode,
    already_exists_as,
    network_name,
    replaces_name,
    replaces_placeholder,
    safe_str,
)
from .values import MISSING, Lookup, filled, hkey, js_equal, js_token, json_text, truthy

#: The lists the Desktop Wallet's import reads, in the order it reaches them (PerformImport.tsx:78-114,
#: importWallets at importHelpers.ts:683-739): records of other kinds are listed as skipped.
IMPORT_ORDER = ("wallets", "identities", "accounts", "credentials", "addressBook", "externalCredentials")


class Stop(Exception):
    """The wallet's import stops here: the error to report, the wallet's words, the record and why (a code)."""

    def __init__(
        self,
        error: errors.BackupError,
        outcome: str | None = None,
        where: dict[str, Any] | None = None,
        code: StopCode = StopCode.DATABASE_REFUSES,
    ) -> None:
        super().__init__(error.message)
        self.error = error
        self.outcome = outcome or error.message
        self.code = code
        self.where = None if where is None else {**where, "code": code.value}


class Replay:
    """One replay of the Desktop Wallet's import; the state is the wallet's database."""

    def __init__(self, a: Backup, b: Backup, *, drop_orphans: bool = False) -> None:
        self.snapshot = a.document  # what the wallet read before the import (never modified)
        self.db = WalletDB()  # the wallet's database: every write goes through it
        #: A is the wallet's database itself: its own rows are the state the import meets (more than its export)
        self.from_rows = False
        image = a.database.rows_image(a.document) if getattr(a, "database", None) is not None else None
        if image is not None:
            try:
                self.db.load_rows(image)
                self.from_rows = True
            except sqlite3.Error:  # a crafted or odd image: start from its export, as for a backup file
                self.db.close()
                self.db = WalletDB()
        if not self.from_rows:
            self.db.load(a.document)
        self.drop_orphans = drop_orphans
        self.dropped: list[dict[str, Any]] = []
        self.doc: dict[str, Any] = {k: (list(v) if isinstance(v, list) else v) for k, v in a.document.items()}
        self.rows: list[tuple[Any, ...]] = []
        self.notes: list[str] = []
        self.imported = b.document
        self.identifiers = wallet_identifiers(b.document)
        # live indexes of the "database"
        self.account_at = {hkey(r.get("address")): i for i, r in enumerate(self.records("accounts"))}
        self.identity_at: dict[Any, int] = {}
        for n, i in enumerate(self.records("identities")):
            self.identity_at.setdefault(js_token(i.get("id", MISSING)), n)
        self.accounts_of: dict[Any, set[Any]] = {}
        for a in self.records("accounts"):
            self.accounts_of.setdefault(js_token(a.get("identityId", MISSING)), set()).add(hkey(a.get("address")))
        self.imported_by_identity: dict[str, dict[Any, list[dict[str, Any]]]] = {}
        for table in ("accounts", "credentials"):
            groups: dict[Any, list[dict[str, Any]]] = {}
            for r in self.imported_list(table):
                groups.setdefault(js_token(r.get("identityId", MISSING)), []).append(r)
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
        return safe_identity_key(identity, self.identifiers if as_imported else wallet_identifiers(self.doc))

    def row(self, table: str, key: Any, name: Any, result: str, message: str = "", detail: str = "") -> None:
        name = name if name is None or isinstance(name, str) else safe_str(name)  # a table shows it as text
        self.rows.append((table, "" if key is None else safe_str(key), name, result, message, detail))

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
        return filled(record, self.db.exported(table, rowid))

    def stop_on(self, table: str, record: dict[str, Any], failure: SqlFailure, outcome: str | None) -> NoReturn:
        """The wallet stops at ``record``: ``outcome`` is what it shows (None: the raw SQL error)."""
        column = failure.unknown_column
        if column is not None:
            why = f"it has the field {column!r}, which the wallet's table {failure.table} does not have ({failure.reason})"
            code = StopCode.UNKNOWN_FIELD
        elif "FOREIGN KEY" in failure.reason and table == "externalCredentials":
            why = "its account is not in the wallet after the import (the table's foreign key fails)"
            code = StopCode.ORPHAN_EXTERNAL_CREDENTIAL
        elif "too many terms in compound SELECT" in failure.reason:
            why = (
                "the wallet inserts all new records of this list in one statement, and its SQLite takes at "
                f"most 500 ({failure.reason}); import the file in parts"
            )
            code = StopCode.TOO_MANY_ROWS
        elif "UNIQUE constraint failed: accounts.address" in failure.reason:
            why = f"the wallet has this address under another identity ({failure.reason})"
            code = StopCode.ADDRESS_ELSEWHERE
        else:
            why = f"the wallet's database refuses it ({failure.reason})"
            code = StopCode.DATABASE_REFUSES
        self.refuse(table, record, why, outcome=outcome, raw=str(failure), code=code)

    def credential_ids(self, identity_id: Any) -> set[Any]:
        """``getCredentialsForIdentity(identityId)`` (credentialDao.ts:80-85): the credIds it has."""
        return {hkey(v) for v in self.db.credential_ids(identity_id)}

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
            raise Stop(
                errors.DifferentNetworkError(
                    f"{DIFFERENT_NETWORK.rstrip('.')}: the imported file names network "
                    f"{network_name(theirs)} and the wallet (file A) names none; "
                    "name the network the wallet is on if you know it"
                ),
                NO_NETWORK,
                {"table": "genesis", "key": safe_str(theirs), "name": None, "reason": "the wallet names no network"},
                StopCode.NO_NETWORK,
            )
        if ours != theirs:
            self.row("genesis", theirs, None, "refused", DIFFERENT_NETWORK)
            raise Stop(
                errors.DifferentNetworkError(
                    f"{DIFFERENT_NETWORK.rstrip('.')}: the imported file is from {network_name(theirs)}, "
                    f"the wallet from {network_name(ours)}"
                ),
                DIFFERENT_NETWORK,
                {"table": "genesis", "key": safe_str(theirs), "name": None, "reason": "another network"},
                StopCode.DIFFERENT_NETWORK,
            )
        if not isinstance(self.snapshot.get("genesis"), dict):
            self._set_top("genesis", dict(genesis))  # the wallet's database names its network
        self.row("genesis", theirs, None, "exists", "", f"same network ({network_name(theirs)})")

    def import_wallets(self) -> None:
        wallets = self.imported_list("wallets")
        local = [w for w in self.snapshot.get("wallets") or [] if isinstance(w, dict)]
        by_id_and_identifier = Lookup(local, ("id", "identifier"))
        by_identifier = Lookup(local, ("identifier",))
        duplicates = [w for w in wallets if w in by_id_and_identifier]
        existing = [w for w in wallets if w not in by_id_and_identifier and w in by_identifier]
        new = [w for w in wallets if w not in by_identifier]
        identities = self.imported_list("identities")
        wanted = {js_token(w.get("id", MISSING)) for w in wallets}
        for ident in identities:
            if js_token(ident.get("walletId", MISSING)) not in wanted:
                self.row(
                    "identities",
                    self.ikey(ident, as_imported=True),
                    ident.get("name"),
                    "skipped",
                    "",
                    f"its wallet (walletId {safe_str(ident.get('walletId'))}) is not in the file; the wallet skips it",
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
                f"the wallet has this Ledger as id {safe_str(target.get('id'))}; identities re-pointed from {safe_str(w.get('id'))}",
            )
            remapped = [
                dict(i, walletId=target.get("id")) for i in identities if js_equal(i.get("walletId"), w.get("id"))
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
            detail = "" if new_id == w.get("id") else f"id {safe_str(w.get('id'))} becomes {new_id}"
            self.row("wallets", w.get("identifier"), None, "added", "", detail)
            updated += [dict(i, walletId=new_id) for i in identities if js_equal(i.get("walletId"), w.get("id"))]
        for ident in updated:
            self.insert_identity(ident)

    def import_identities_of(self, wallets: list[dict[str, Any]], identities: list[dict[str, Any]]) -> None:
        """The wallet's ``importDuplicateWallets``: identities of wallets it already has."""
        ids = {js_token(w.get("id", MISSING)) for w in wallets}
        attached = [i for i in identities if js_token(i.get("walletId", MISSING)) in ids]
        local = [i for i in self.snapshot.get("identities") or [] if isinstance(i, dict)]
        exact = Lookup(local, ("id", "identityNumber", "identityObject", "name", "randomness"))
        same = Lookup(local, ("identityNumber", "identityObject", "randomness"))
        by_number_and_wallet = Lookup(local, ("identityNumber", "walletId"))
        by_number_and_randomness = Lookup(local, ("identityNumber", "randomness"))

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
                why = "a recovered identity matches no local identity by randomness"
                self.refuse("identities", ident, why, code=StopCode.NO_MATCHING_IDENTITY)
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
                    f"it has the number and wallet of identity {safe_str(local_ident.get('name'))!r} but other content, "
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
        return self.identity_at[js_token(identity_id)]

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
        self.identity_at[js_token(new_id)] = len(self.records("identities"))
        self.writable("identities").append({"id": new_id, **{k: v for k, v in record.items() if k != "id"}})
        detail = "" if new_id == ident.get("id") else f"id {safe_str(ident.get('id'))} becomes {new_id}"
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
        code: StopCode = StopCode.IDENTITY_CONFLICT,
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
        what = f"{kind.noun if kind else table} {safe_str(key)[:40]}"
        if outcome is None:
            text = f"The Desktop Wallet stops with its database's error at {what}: {why}"
        else:
            text = f"{outcome} ({what}: {why})"
        raise Stop(
            errors.IncompatibleDataError(text),
            shown,
            {"table": table, "key": "" if key is None else safe_str(key), "name": self.rows[-1][2], "reason": why},
            code,
        )

    def add_accounts_and_credentials(self, imported_id: Any, local_id: Any) -> None:
        """The wallet's ``insertNewAccountsAndCredentials`` for one identity (importHelpers.ts:281-339)."""
        token = js_token(imported_id)
        accounts = self.imported_by_identity["accounts"].get(token, [])
        credentials = self.imported_by_identity["credentials"].get(token, [])
        mine = self.accounts_of.setdefault(js_token(local_id), set())
        duplicates = [a for a in accounts if hkey(a.get("address")) in mine]
        for account in [a for a in accounts if hkey(a.get("address")) not in mine]:
            # sanitizeAccount strips rewardFilter only (importHelpers.ts:270-273); serializeAccountFields
            # stringifies a truthy transactionFilter (accountDao.ts:27-35)
            record = {k: v for k, v in account.items() if k != "rewardFilter"}
            record["identityId"] = local_id
            if truthy(record.get("transactionFilter")) and record.get("transactionFilter") is not True:
                record["transactionFilter"] = json_text(record["transactionFilter"])
            stored = self.insert("accounts", record, account)
            if "transactionFilter" in account and "transactionFilter" in record:
                stored["transactionFilter"] = account["transactionFilter"]
            address = account.get("address")
            self.account_at[hkey(address)] = len(self.records("accounts"))
            self.writable("accounts").append(stored)
            mine.add(hkey(address))
            self.row("accounts", address, account.get("name"), "added")
        for account in duplicates:
            self.resolve_account(account)

        known = self.credential_ids(local_id)
        for cred in credentials:
            if hkey(cred.get("credId")) in known:
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
                if (table, "" if key is None else safe_str(key)) not in seen:
                    self.row(
                        table,
                        key,
                        record.get("name"),
                        "skipped",
                        "",
                        f"its identity (id {safe_str(record.get('identityId'))}) is not imported",
                    )

    def resolve_account(self, account: dict[str, Any]) -> None:
        address, name = account.get("address"), account.get("name")
        position = self.account_at[hkey(address)]
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
            local_by_address.setdefault(hkey(e.get("address")), e)
        position = {}
        for n, e in enumerate(self.records("addressBook")):
            position.setdefault(hkey(e.get("address")), n)
        new = [e for e in entries if hkey(e.get("address")) not in local_by_address]
        if new:  # one multi-row insert (AddressBookSlice.ts:62-66): all or nothing
            try:
                self.db.insert_many("addressBook", new)
            except SqlFailure as failure:
                self._book_failure(new, failure)
            for e in new:
                rowid = self.db.rowid_of("addressBook", "address", e.get("address"))
                stored = filled(e, self.db.exported("addressBook", rowid)) if rowid is not None else dict(e)
                position[hkey(e.get("address"))] = len(self.records("addressBook"))
                self.writable("addressBook").append(stored)
                self.row("addressBook", e.get("address"), e.get("name"), "added")
        skipped = 0
        for e in entries:
            address = e.get("address")
            match = local_by_address.get(hkey(address))
            if match is None:
                continue
            same_name = js_equal(e.get("name", MISSING), match.get("name", MISSING))
            same_note = js_equal(e.get("note", MISSING), match.get("note", MISSING))
            same_ro = js_equal(e.get("readOnly", MISSING), match.get("readOnly", MISSING))
            if same_name and same_note and same_ro:
                skipped += 1
                self.row("addressBook", address, e.get("name"), "skipped", "", "identical entry")
                continue
            update: dict[str, Any] = {}
            message, details = "", []
            if not same_name:
                chosen, message = book_name(match, e)
                update["name"] = chosen
                details.append("takes the imported name" if chosen is not match.get("name") else "keeps the local name")
            if not same_note:
                update["note"] = match.get("note") if truthy(match.get("note")) else e.get("note")
                details.append("keeps the local note" if truthy(match.get("note")) else "takes the imported note")
            if e.get("readOnly"):
                update["readOnly"] = True
            current = self.records("addressBook")[position[hkey(address)]]
            changed = any(not js_equal(current.get(k, MISSING), v) for k, v in update.items())
            # updateAddressBookEntry is not awaited (importHelpers.ts:913): a failing update is silent
            if changed and self._update_quietly("addressBook", {"address": address}, update):
                self.edit("addressBook", position[hkey(address)], **update)
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
            culprit = next((e for e in new if column in e or safe_str(column) in map(safe_str, e)), new[0])
        else:
            seen: set[Any] = set()
            for e in new:
                if hkey(e.get("address")) in seen:
                    culprit = e
                    break
                seen.add(hkey(e.get("address")))
        self.stop_on("addressBook", culprit, failure, BOOK_NOT_COMPATIBLE)

    def import_external_credentials(self) -> None:
        """``insertExternalCredentials`` (importHelpers.ts:842-859) and its one insert.

        The insert is ``insert … onConflict('credId').ignore()`` (externalCredentialDao.ts:17-30): a
        credential the wallet has keeps its row (note included) whatever the file says.  It runs
        outside any try/catch (PerformImport.tsx:109-114): a failure shows the raw SQL error.
        """
        local = {
            hkey(c.get("credId")): c for c in self.snapshot.get("externalCredentials") or [] if isinstance(c, dict)
        }
        upserts: list[dict[str, Any]] = []
        for cred in self.imported_list("externalCredentials"):
            match = local.get(hkey(cred.get("credId")))
            if match is None:
                upserts.append(dict(cred))
            elif not js_equal(match.get("note", MISSING), cred.get("note", MISSING)):
                note = match.get("note") if truthy(match.get("note")) else cred.get("note")
                upserts.append(dict(cred, note=note))
            else:
                self.row("externalCredentials", cred.get("credId"), None, "exists", "", "identical")
        if self.drop_orphans:
            held = {hkey(v) for v in self.db.values("accounts", "address")}
            kept = []
            for cred in upserts:
                address = cred.get("accountAddress")
                if address is not None and hkey(address) not in held and not self.db.has_credential(cred.get("credId")):
                    self.dropped.append(
                        {"table": "externalCredentials", "key": safe_str(cred.get("credId")), "field": None}
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
        present = {hkey(c): True for c in self.db.values("externalCredentials", "credId")}
        try:
            self.db.insert_many("externalCredentials", upserts, ignore_conflict_on="credId")
        except SqlFailure as failure:
            culprit = upserts[0]
            if "FOREIGN KEY" in failure.reason:
                held = {hkey(v) for v in self.db.values("accounts", "address")}
                culprit = next(
                    (
                        c
                        for c in upserts
                        if hkey(c.get("credId")) not in present
                        and c.get("accountAddress") is not None
                        and hkey(c.get("accountAddress")) not in held
                    ),
                    culprit,
                )
            self.stop_on("externalCredentials", culprit, failure, None)
        records = self.writable("externalCredentials")
        for cred in upserts:
            cid = cred.get("credId")
            if hkey(cid) in present:
                self.row(
                    "externalCredentials",
                    cid,
                    None,
                    "exists",
                    "",
                    "the wallet keeps its own record and note (its insert ignores a credId it has)",
                )
                continue
            present[hkey(cid)] = True  # a second record with this credId is ignored too
            rowid = self.db.rowid_of("externalCredentials", "credId", cid)
            records.append(filled(cred, self.db.exported("externalCredentials", rowid)) if rowid else cred)
            self.row("externalCredentials", cid, None, "added")


def safe_identity_key(record: dict[str, Any], identifiers: dict[Any, str]) -> str | None:
    """:func:`toolkit.model.records.identity_key` that never fails on odd values (objects, huge numbers)."""
    try:
        return identity_key(record, identifiers)
    except (TypeError, ValueError, RecursionError):
        wallet, number = record.get("walletId"), record.get("identityNumber")
        return f"wallet {safe_str(wallet)[:40]}/{safe_str(number)[:40]}"


def book_name(local: dict[str, Any], imported: dict[str, Any]) -> tuple[Any, str]:
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
