"""The audit rules: each one a small registered function with a stable id, a severity and what it checks.

The ids are part of the toolkit's interface (``--json`` output, reports,
README); they never change meaning.  Severities:

- ``error``: the Desktop Wallet will refuse the file, fail part-way through the
  import, or silently leave records out.
- ``warning``: the file imports, but a person should know this before relying
  on it.
- ``info``: worth knowing; nothing is wrong.

Each check takes the :class:`~toolkit.ops.audit.index.Index` of the backup and
yields ``(table, key, message)``; :data:`RULES` is generated from the
registry in the order below (the order findings are listed in).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from toolkit.format.container import DESKTOP_ITERATIONS
from toolkit.model import kinds
from toolkit.model.addresses import address_problem, is_cred_id, is_hex64
from toolkit.model.jsontext import INNER_FIELDS, inner_problem
from toolkit.model.records import ACCOUNT_STATUSES, IDENTITY_STATUSES
from toolkit.model.shapes import LEGACY_TOP_LEVEL, LEGACY_VALUE_KEYS

from .index import Index
from .registry import DESKTOP, LEGACY, REGISTRY, SEVERITIES, Found, Rule, rule
from .text import as_int, clean, label, ordinal_list, valid_to

__all__ = ["RULES", "RULE_BY_ID", "SEVERITIES", "Rule", "rules_table"]

_REJECTED = ("rejected", "rejectedAndWarned")
#: The consequence of a clash in a unique key of the Desktop Wallet's database.
_CLASH = "the Desktop Wallet's database allows only one, so importing this file may stop part-way."
_UNKNOWN_KEPT = "which this version of the toolkit does not know; it is kept unchanged when the file is re-exported."


# --------------------------------------------------------------------------- shared pieces of checks


def _dicts(records: list[Any]) -> Iterable[tuple[int, dict[str, Any]]]:
    """(position, record) of the records that are objects (a non-object is invalid-record's business)."""
    return ((i, r) for i, r in enumerate(records) if isinstance(r, dict))


def _shape_tables(ix: Index) -> list[tuple[str, list[Any], Any]]:
    """(table, records, shape) for every list the file's kind has, in the file's order."""
    shapes = kinds.shapes_of(kinds.LEGACY if ix.legacy else kinds.DESKTOP)
    tables = [(name, ix[name], shapes[name]) for name in ix.records]
    for name in shapes:  # single records (genesis) the file has as an object
        if name not in ix.records and isinstance(ix.document.get(name), dict):
            tables.append((name, [ix.document[name]], shapes[name]))
    return tables


def _duplicates(
    table: str, records: list[Any], key_of: Callable[[dict[str, Any]], Any], describe: str, consequence: str
) -> Iterable[Found]:
    groups: dict[Any, list[int]] = defaultdict(list)
    for i, rec in _dicts(records):
        k = key_of(rec)
        if k is None:
            continue
        try:
            groups[k].append(i)
        except TypeError:  # an unhashable value (a list where text belongs): invalid-record says so
            continue
    for k, idx in groups.items():
        if len(idx) > 1:
            shown = k if not isinstance(k, tuple) else ", ".join(clean(v) for v in k)
            yield (
                table,
                clean(str(shown), 100),
                f"{describe} {clean(str(shown))} appears {len(idx)} times in {table} (records "
                f"{ordinal_list(idx)}); {consequence}",
            )


def _str_key(field: str) -> Callable[[dict[str, Any]], Any]:
    def key_of(rec: dict[str, Any]) -> Any:
        v = rec.get(field)
        return v if isinstance(v, str) and v else None

    return key_of


def _addresses(ix: Index, table: str, records: list[Any], field: str, what: str = "address") -> Iterable[Found]:
    for i, rec in _dicts(records):
        if not isinstance(rec.get(field), str):
            continue  # missing or not text: invalid-record says so
        problem = address_problem(rec[field])
        if problem:
            yield (
                table,
                ix.key(table, rec, i),
                f"{label(table, rec, i)} has {what} '{clean(rec[field])}', which {problem}, so it is no "
                "Concordium account address (mistyped or damaged).",
            )


def _checks_expiry(status: Any) -> bool:
    return status in ("confirmed", "recovered", "genesis") or status not in IDENTITY_STATUSES


# --------------------------------------------------------------------------- the file as a whole


@rule(
    "legacy-not-importable",
    "warning",
    "The file is a legacy mobile wallet export, which the Desktop Wallet cannot import (and why).",
    kinds=[LEGACY],
)
def _legacy_not_importable(ix: Index) -> Iterable[Found]:
    yield (
        "file",
        "",
        "This is a legacy mobile wallet export: the Desktop Wallet cannot import it, because the mobile "
        "wallet kept the account keys in the file while the Desktop Wallet keeps them on a Ledger; "
        "restore it in the mobile wallet or with concordium-client ('config account import').",
    )


@rule(
    "legacy-private-keys",
    "warning",
    "The file is a legacy mobile wallet export and holds private keys.",
    kinds=[LEGACY],
)
def _legacy_private_keys(ix: Index) -> Iterable[Found]:
    yield (
        "file",
        "",
        "The file contains private keys: anyone with the file and its password controls the accounts, "
        "so do not send it to anyone (support included) and store it only where you trust.",
    )


@rule("weak-encryption", "warning", "The file is encrypted with fewer than 10,000 PBKDF2 iterations.")
def _weak_encryption(ix: Index) -> Iterable[Found]:
    container = ix.backup.container
    if container is not None and container.kdf.iterations < DESKTOP_ITERATIONS:
        n = container.kdf.iterations
        yield (
            "file",
            "metadata.iterations",
            f"The file is protected by only {n:,} PBKDF2 iterations (the Desktop Wallet uses "
            f"{DESKTOP_ITERATIONS:,}), so its password is easier to guess; re-export it "
            "(a new copy with the Desktop Wallet's settings) and keep that one.",
        )


def _network_place(ix: Index) -> tuple[str, str, str]:
    """(table, key, words) naming where a file says its network."""
    if ix.legacy:
        env = ix.document.get("environment")
        return "file", clean(env) if env is not None else "", f"environment '{clean(env)}'"
    return "genesis", clean(ix.backup.genesis_block or "", 100), "genesis block hash"


@rule("network-missing", "warning", "The file names no network (no genesis in an old Desktop file; no environment).")
def _network_missing(ix: Index) -> Iterable[Found]:
    if ix.backup.network != "none":
        return
    if ix.legacy:
        text = "The file does not say which network it belongs to (it has no environment field)."
    else:
        text = (
            "The file names no network (it was made before Desktop Wallet 1.1.5), so the Desktop Wallet "
            "will import it on any network; make sure it is imported on the network it came from."
        )
    yield "file", _network_place(ix)[1], text


@rule(
    "network-unknown",
    "warning",
    "The genesis block hash (or mobile environment) is not a known Concordium network.",
)
def _network_unknown(ix: Index) -> Iterable[Found]:
    if ix.backup.network == "unknown":
        table, key, named = _network_place(ix)
        yield (
            table,
            key,
            f"The {named} is not one of the known Concordium networks (mainnet, testnet, stagenet); "
            "the Desktop Wallet will import it only on that same network.",
        )


_TEST_NETWORKS = {
    "testnet": "the Concordium testnet",
    "stagenet": "the Concordium stagenet",
    "old-testnet": "the 2021 Concordium testnet, which has since been reset (its accounts no longer exist)",
    "mock": "a mock (development) network",
}


@rule("network-test", "warning", "The file belongs to a test network (testnet, stagenet, the old 2021 testnet).")
def _network_test(ix: Index) -> Iterable[Found]:
    what = _TEST_NETWORKS.get(ix.backup.network)
    if what:
        table, key, _named = _network_place(ix)
        yield (
            table,
            key,
            f"The file belongs to {what}, not mainnet; its CCD have no value and the Desktop Wallet "
            "imports it only on that network.",
        )


@rule("unknown-field", "info", "A field this version of the toolkit does not know (kept as is on re-export).")
def _unknown_field(ix: Index) -> Iterable[Found]:
    for table, records, shape in _shape_tables(ix):
        unknown: Counter[str] = Counter()
        for _i, rec in _dicts(records):
            unknown.update(shape.unknown_fields(rec))
        for name, n in unknown.items():
            what = "record carries" if n == 1 else "records carry"
            yield table, clean(name, 100), f"{n} {table} {what} the field '{clean(name)}', {_UNKNOWN_KEPT}"
    known = LEGACY_TOP_LEVEL if ix.legacy else frozenset(kinds.table_names(kinds.DESKTOP))
    for name in ix.document:
        if name not in known:
            yield "file", clean(name, 100), f"The file has a top-level field '{clean(name)}', {_UNKNOWN_KEPT}"
    if ix.legacy:
        for name in ix.value:
            if name not in LEGACY_VALUE_KEYS:
                yield (
                    "file",
                    clean("value." + name, 100),
                    f"The file has a field 'value.{clean(name)}', {_UNKNOWN_KEPT}",
                )


@rule("invalid-record", "error", "A record lacks a field the wallet needs, or a field has the wrong JSON type.")
def _invalid_record(ix: Index) -> Iterable[Found]:
    seen: dict[str, str | None] = {}
    for table, records, shape in _shape_tables(ix):
        inside = [f for t, f in INNER_FIELDS if t == table]  # JSON whose insides the tables read
        for i, rec in enumerate(records):
            problems = shape.problems(rec)
            if isinstance(rec, dict):
                problems += [p for f in inside if (p := inner_problem(table, f, rec.get(f), seen))]
            if problems:
                yield (
                    table,
                    ix.key(table, rec, i),
                    f"{label(table, rec, i)} {'; '.join(problems)}; the wallet cannot use it as it is.",
                )


# --------------------------------------------------------------------------- references between records


@rule("account-without-identity", "error", "An account's identityId names no identity in the file.", kinds=[DESKTOP])
def _account_without_identity(ix: Index) -> Iterable[Found]:
    for i, acc in _dicts(ix["accounts"]):
        ident = as_int(acc.get("identityId"))
        if ident is not None and ident not in ix.identity_ids:
            yield (
                "accounts",
                ix.key("accounts", acc, i),
                f"{label('accounts', acc, i)} belongs to identity {ident}, which is not in the file; the Desktop "
                "Wallet imports accounts only together with their identity, so it will leave this account out.",
            )


@rule(
    "identity-without-wallet",
    "error",
    "An identity's walletId names no wallet (Ledger) in the file.",
    kinds=[DESKTOP],
)
def _identity_without_wallet(ix: Index) -> Iterable[Found]:
    for i, ident in _dicts(ix["identities"]):
        wid = as_int(ident.get("walletId"))
        if wid is not None and wid not in ix.wallet_ids:
            yield (
                "identities",
                ix.key("identities", ident, i),
                f"{label('identities', ident, i)} belongs to wallet {wid}, which is not in the file; the Desktop "
                "Wallet imports identities only through their Ledger's wallet entry, so it will leave this "
                "identity and its accounts out.",
            )


@rule(
    "credential-without-account",
    "error",
    "A credential's accountAddress names no account in the file.",
    kinds=[DESKTOP],
)
def _credential_without_account(ix: Index) -> Iterable[Found]:
    for i, cred in _dicts(ix["credentials"]):
        addr = cred.get("accountAddress")
        if isinstance(addr, str) and addr not in ix.account_addresses:
            yield (
                "credentials",
                ix.key("credentials", cred, i),
                f"{label('credentials', cred, i)} names an account that is not in the file; the credential "
                "cannot be used without it.",
            )


@rule(
    "credential-without-identity",
    "error",
    "A credential's identityId names no identity in the file.",
    kinds=[DESKTOP],
)
def _credential_without_identity(ix: Index) -> Iterable[Found]:
    for i, cred in _dicts(ix["credentials"]):
        ident = as_int(cred.get("identityId"))
        if ident is not None and ident not in ix.identity_ids:
            yield (
                "credentials",
                ix.key("credentials", cred, i),
                f"{label('credentials', cred, i)} belongs to identity {ident}, which is not in the file; the "
                "Desktop Wallet will leave this credential out of the import.",
            )


@rule(
    "external-credential-is-own",
    "warning",
    "An external credential's credId is also one of the wallet's own credentials.",
    kinds=[DESKTOP],
)
def _external_credential_is_own(ix: Index) -> Iterable[Found]:
    for i, ext in _dicts(ix["externalCredentials"]):
        if isinstance(ext.get("credId"), str) and ext["credId"] in ix.own_cred_ids:
            yield (
                "externalCredentials",
                ix.key("externalCredentials", ext, i),
                f"{label('externalCredentials', ext, i)} is listed as someone else's key, but it is also one of "
                "the wallet's own credentials; one of the two entries is wrong.",
            )


# --------------------------------------------------------------------------- unique keys


@rule("duplicate-account-address", "error", "Two accounts have the same address.")
def _duplicate_account_address(ix: Index) -> Iterable[Found]:
    consequence = "restoring it will keep only one of them." if ix.legacy else _CLASH
    yield from _duplicates("accounts", ix["accounts"], _str_key("address"), "The address", consequence)


@rule("duplicate-address-book-address", "error", "Two address book entries have the same address.", kinds=[DESKTOP])
def _duplicate_address_book_address(ix: Index) -> Iterable[Found]:
    yield from _duplicates(
        "addressBook",
        ix["addressBook"],
        _str_key("address"),
        "The address",
        "the address book keeps one entry per address, so only one name and note will survive the import.",
    )


@rule(
    "duplicate-wallet-identifier",
    "error",
    "Two wallets have the same identifier (Ledger pairing key).",
    kinds=[DESKTOP],
)
def _duplicate_wallet_identifier(ix: Index) -> Iterable[Found]:
    yield from _duplicates("wallets", ix["wallets"], _str_key("identifier"), "The identifier", _CLASH)


@rule("duplicate-wallet-id", "error", "Two wallets have the same id.", kinds=[DESKTOP])
def _duplicate_wallet_id(ix: Index) -> Iterable[Found]:
    yield from _duplicates("wallets", ix["wallets"], lambda r: as_int(r.get("id")), "The wallet id", _CLASH)


@rule("duplicate-identity-id", "error", "Two identities have the same id.", kinds=[DESKTOP])
def _duplicate_identity_id(ix: Index) -> Iterable[Found]:
    yield from _duplicates(
        "identities",
        ix["identities"],
        lambda r: as_int(r.get("id")),
        "The identity id",
        "accounts and credentials cannot tell which identity they belong to, and the import may attach them "
        "to the wrong one.",
    )


def _index_key(r: dict[str, Any]) -> Any:
    idx, addr = as_int(r.get("credentialIndex")), r.get("accountAddress")
    return (idx, addr) if idx is not None and isinstance(addr, str) else None


def _number_key(r: dict[str, Any]) -> Any:
    num, ident = as_int(r.get("credentialNumber")), as_int(r.get("identityId"))
    return (num, ident) if num is not None and ident is not None else None


@rule(
    "duplicate-credential-index",
    "error",
    "Two credentials have the same (credentialIndex, accountAddress).",
    kinds=[DESKTOP],
)
def _duplicate_credential_index(ix: Index) -> Iterable[Found]:
    describe = "The credential (credentialIndex, accountAddress)"
    yield from _duplicates("credentials", ix["credentials"], _index_key, describe, _CLASH)


@rule(
    "duplicate-credential-number",
    "error",
    "Two credentials have the same (credentialNumber, identityId).",
    kinds=[DESKTOP],
)
def _duplicate_credential_number(ix: Index) -> Iterable[Found]:
    describe = "The credential (credentialNumber, identityId)"
    yield from _duplicates("credentials", ix["credentials"], _number_key, describe, _CLASH)


@rule(
    "duplicate-cred-id",
    "error",
    "Two credentials (or two external credentials) have the same credId.",
    kinds=[DESKTOP],
)
def _duplicate_cred_id(ix: Index) -> Iterable[Found]:
    yield from _duplicates("credentials", ix["credentials"], _str_key("credId"), "The credId", _CLASH)
    yield from _duplicates(
        "externalCredentials",
        ix["externalCredentials"],
        _str_key("credId"),
        "The credId",
        "the Desktop Wallet keeps one external credential per credId.",
    )


# --------------------------------------------------------------------------- identifiers


@rule(
    "invalid-address",
    "error",
    "An account, address book, external credential or recipient address fails base58check, "
    "the 0x01 version byte or the 50-character length.",
)
def _invalid_address(ix: Index) -> Iterable[Found]:
    yield from _addresses(ix, "accounts", ix["accounts"], "address")
    if ix.legacy:
        yield from _addresses(ix, "recipients", ix["recipients"], "address")
        return
    yield from _addresses(ix, "addressBook", ix["addressBook"], "address")
    yield from _addresses(ix, "externalCredentials", ix["externalCredentials"], "accountAddress", "account address")


@rule("invalid-cred-id", "error", "A credId is not 96 lowercase hex characters.", kinds=[DESKTOP])
def _invalid_cred_id(ix: Index) -> Iterable[Found]:
    for table in ("credentials", "externalCredentials"):
        for i, rec in _dicts(ix[table]):
            if isinstance(rec.get("credId"), str) and not is_cred_id(rec["credId"]):
                yield (
                    table,
                    ix.key(table, rec, i),
                    f"{label(table, rec, i)} has a credId that is not 96 lowercase hex characters "
                    f"({len(rec['credId'])} characters), so it is damaged or was edited.",
                )


@rule("invalid-wallet-identifier", "error", "A wallet identifier is not 64 lowercase hex characters.", kinds=[DESKTOP])
def _invalid_wallet_identifier(ix: Index) -> Iterable[Found]:
    for i, w in _dicts(ix["wallets"]):
        if isinstance(w.get("identifier"), str) and not is_hex64(w["identifier"]):
            yield (
                "wallets",
                ix.key("wallets", w, i),
                f"Wallet {clean(w.get('id'))} has the identifier '{clean(w['identifier'])}', which is not 64 "
                "lowercase hex characters, so no Ledger will ever match it.",
            )


# --------------------------------------------------------------------------- statuses and dates


@rule("unknown-status", "warning", "An account or identity status the Desktop Wallet does not know.", kinds=[DESKTOP])
def _unknown_status(ix: Index) -> Iterable[Found]:
    for table, known in (("identities", IDENTITY_STATUSES), ("accounts", ACCOUNT_STATUSES)):
        for i, rec in _dicts(ix[table]):
            status = rec.get("status")
            if isinstance(status, str) and status not in known:
                yield (
                    table,
                    ix.key(table, rec, i),
                    f"{label(table, rec, i)} has the status '{clean(status)}', which the Desktop Wallet does not know.",
                )


@rule("identity-pending", "warning", "An identity still pending at the identity provider.", kinds=[DESKTOP])
def _identity_pending(ix: Index) -> Iterable[Found]:
    for i, ident in _dicts(ix["identities"]):
        if ident.get("status") == "pending":
            yield (
                "identities",
                ix.key("identities", ident, i),
                f"{label('identities', ident, i)} was still waiting for the identity provider when the backup "
                "was made; it cannot be used until the provider confirms it.",
            )


@rule(
    "identity-rejected",
    "warning",
    "An identity the identity provider rejected (with the reason given).",
    kinds=[DESKTOP],
)
def _identity_rejected(ix: Index) -> Iterable[Found]:
    for i, ident in _dicts(ix["identities"]):
        if ident.get("status") in _REJECTED:
            detail = ident.get("detail")
            reason = f" (reason given: '{clean(detail, 200)}')" if isinstance(detail, str) and detail.strip() else ""
            yield (
                "identities",
                ix.key("identities", ident, i),
                f"{label('identities', ident, i)} was rejected by the identity provider{reason}; it and its "
                "accounts cannot be used.",
            )


@rule("account-pending", "warning", "An account not yet confirmed on chain when the backup was made.", kinds=[DESKTOP])
def _account_pending(ix: Index) -> Iterable[Found]:
    for i, acc in _dicts(ix["accounts"]):
        if acc.get("status") == "pending":
            yield (
                "accounts",
                ix.key("accounts", acc, i),
                f"{label('accounts', acc, i)} was not yet confirmed on the chain when the backup was made; the "
                "wallet checks it again after import.",
            )


@rule(
    "account-rejected",
    "warning",
    "An account whose creation was rejected (with the identity's reason).",
    kinds=[DESKTOP],
)
def _account_rejected(ix: Index) -> Iterable[Found]:
    for i, acc in _dicts(ix["accounts"]):
        if acc.get("status") == "rejected":
            ident = ix.identity_by_id.get(as_int(acc.get("identityId")))  # type: ignore[arg-type]
            detail = ident.get("detail") if isinstance(ident, dict) else None
            reason = (
                f" (the identity provider's reason: '{clean(detail, 200)}')"
                if isinstance(detail, str) and detail.strip()
                else ""
            )
            yield (
                "accounts",
                ix.key("accounts", acc, i),
                f"{label('accounts', acc, i)} was rejected and does not exist on the chain{reason}.",
            )


@rule("identity-expired", "warning", "An identity whose identity document's validTo month has passed.")
def _identity_expired(ix: Index) -> Iterable[Found]:
    for i, ident in _dicts(ix["identities"]):
        if not ix.legacy and not _checks_expiry(ident.get("status")):
            continue
        until, _readable = valid_to(ident.get("identityObject"))
        if not until:
            continue
        year, month = int(until[:4]), int(until[4:])
        if (ix.today.year, ix.today.month) > (year, month):
            yield (
                "identities",
                ix.key("identities", ident, i),
                f"{label('identities', ident, i)} has an identity document that expired at the end of "
                f"{month:02d}/{year}; its accounts keep working, but no new accounts can be made from it.",
            )


@rule(
    "identity-object-unreadable",
    "warning",
    "A confirmed identity whose identityObject cannot be read.",
    kinds=[DESKTOP],
)
def _identity_object_unreadable(ix: Index) -> Iterable[Found]:
    for i, ident in _dicts(ix["identities"]):
        if ident.get("status") == "confirmed" and not valid_to(ident.get("identityObject"))[1]:
            yield (
                "identities",
                ix.key("identities", ident, i),
                f"{label('identities', ident, i)} is confirmed, but its identity object cannot be read, so its "
                "expiry cannot be checked and the wallet may fail to show it.",
            )


@rule(
    "identity-without-initial-account",
    "warning",
    "An identity with no initial account (isInitial) in the file.",
    kinds=[DESKTOP],
)
def _identity_without_initial_account(ix: Index) -> Iterable[Found]:
    for i, ident in _dicts(ix["identities"]):
        ident_id = as_int(ident.get("id"))
        if ident.get("status") != "genesis" and ident_id is not None and ident_id not in ix.with_initial:
            yield (
                "identities",
                ix.key("identities", ident, i),
                f"{label('identities', ident, i)} has no initial account in the file (every identity's first "
                "account is its initial account), so part of the backup may be missing.",
            )


# --------------------------------------------------------------------------- address book


@rule(
    "read-only-not-own",
    "warning",
    "An address book entry marked readOnly (own account) that is no account in the file.",
    kinds=[DESKTOP],
)
def _read_only_not_own(ix: Index) -> Iterable[Found]:
    for i, entry in _dicts(ix["addressBook"]):
        address = entry.get("address")
        if entry.get("readOnly") is True and isinstance(address, str) and address not in ix.account_addresses:
            yield (
                "addressBook",
                ix.key("addressBook", entry, i),
                f"{label('addressBook', entry, i)} is marked as one of the wallet's own accounts, but no "
                "account in the file has that address; on import its name would override a contact's name.",
            )


@rule(
    "own-account-not-in-address-book",
    "warning",
    "An account of the wallet (not pending or rejected) that has no entry in the address book.",
    kinds=[DESKTOP],
)
def _own_account_not_in_address_book(ix: Index) -> Iterable[Found]:
    for i, acc in _dicts(ix["accounts"]):
        if acc.get("status") in ("pending", "rejected") or not isinstance(acc.get("address"), str):
            continue
        if acc["address"] not in ix.book_addresses:
            yield (
                "accounts",
                ix.key("accounts", acc, i),
                f"{label('accounts', acc, i)} is not in the address book, where the Desktop Wallet lists the "
                "wallet's own accounts; it will not be offered as a recipient until it is added.",
            )


# --------------------------------------------------------------------------- the table, from the registry

RULES: tuple[Rule, ...] = tuple(REGISTRY)
RULE_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}


def rules_table() -> pd.DataFrame:
    """The rules as a frame: ``id``, ``severity``, ``checks`` (for README, reports and tests)."""
    return pd.DataFrame([{"id": r.id, "severity": r.severity, "checks": r.checks} for r in RULES])
