"""The backup's vocabulary in one place: record kinds, their fields, statuses, which fields are secret,
and each record's key (:func:`record_key`).

Tables (:mod:`toolkit.model.tables`), the diff (:mod:`toolkit.ops.diff`) and the audit
(:mod:`toolkit.ops.audit`) read these names from here, so "what is a secret"
cannot differ between a table, a diff and a report.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .backup import Backup

#: The lists of records a Desktop Wallet export holds (docs/FORMAT.md §2), ``genesis`` being one record.
DESKTOP_RECORD_KINDS = (
    "accounts",
    "identities",
    "credentials",
    "addressBook",
    "externalCredentials",
    "wallets",
    "genesis",
)
#: The lists of records a legacy mobile wallet export holds (docs/FORMAT.md §4).
LEGACY_RECORD_KINDS = ("identities", "accounts", "recipients")

#: Account and identity statuses the Desktop Wallet writes (tables keep this order for their categories).
ACCOUNT_STATUSES = ("confirmed", "pending", "rejected", "genesis")
IDENTITY_STATUSES = ("confirmed", "pending", "rejected", "rejectedAndWarned", "recovered", "genesis")

#: Legacy mobile wallet fields that hold private keys or secrets.
LEGACY_SECRET_FIELDS = frozenset({"accountKeys", "encryptionSecretKey", "privateIdObjectData", "commitmentsRandomness"})
#: Desktop Wallet fields that are secret: the identity's and the credential's commitment randomness
#: (with it, the attribute commitments on chain can be opened).
DESKTOP_SECRET_FIELDS = frozenset({"randomness"})
#: Every secret field, whatever the kind of file: redacted unless the caller explicitly asks to reveal.
SECRET_FIELDS = LEGACY_SECRET_FIELDS | DESKTOP_SECRET_FIELDS
#: What a table shows instead of a secret.
REDACTED = "‹redacted›"

#: Account fields holding encrypted amounts (unreadable without the account's keys): not default columns.
ENCRYPTED_AMOUNT_FIELDS = frozenset(
    {"selfAmounts", "incomingAmounts", "totalDecrypted", "allDecrypted", "transactionFilter"}
)

#: The fields each Desktop Wallet record kind has (docs/FORMAT.md §2), in the writer's order.
KNOWN_FIELDS: dict[str, tuple[str, ...]] = {
    "accounts": (
        "identityId",
        "name",
        "status",
        "selfAmounts",
        "incomingAmounts",
        "signatureThreshold",
        "totalDecrypted",
        "allDecrypted",
        "deploymentTransactionId",
        "isInitial",
        "address",
        "transactionFilter",
    ),
    "identities": (
        "id",
        "identityNumber",
        "name",
        "status",
        "detail",
        "codeUri",
        "identityProvider",
        "identityObject",
        "randomness",
        "walletId",
        "version",
    ),
    "addressBook": ("name", "address", "note", "readOnly"),
    "credentials": (
        "identityId",
        "accountAddress",
        "credId",
        "credentialNumber",
        "credentialIndex",
        "policy",
        "randomness",
    ),
    "externalCredentials": ("accountAddress", "credId", "note"),
    "wallets": ("id", "identifier", "type"),
    "genesis": ("id", "genesisBlock"),
}


# --------------------------------------------------------------------------- record keys
#
# One key per record, the same in the diff, a merge preview, a subset and the audit's ``key`` column,
# so an audit finding joins to the diff row of the same record:
#
# - accounts, addressBook, recipients (legacy): ``address``
# - credentials, externalCredentials: ``credId``
# - wallets: ``identifier`` (the Ledger's pairing key)
# - identities (Desktop): ``"IDENTIFIER/identityNumber"`` (the identity's Ledger and number: stable where
#   ``walletId``, a database row id, is not), ``"wallet WALLETID/identityNumber"`` when the file lacks that
#   wallet, ``randomness-sha256:…`` (a digest: the randomness is secret) when both are missing;
#   legacy identities: their public ``idCredPub``, else ``name:NAME``
# - genesis: ``genesis`` (one record)


def wallet_identifiers(document: Any) -> dict[Any, str]:
    """``walletId -> identifier`` of a Desktop document's wallets (wallets with an odd id match nothing)."""
    wallets = document.get("wallets") if isinstance(document, dict) else None
    out: dict[Any, str] = {}
    for w in wallets if isinstance(wallets, list) else []:
        usable = isinstance(w, dict) and isinstance(w.get("identifier"), str)
        if usable and w.get("id") is not None and not isinstance(w["id"], (dict, list)):
            out.setdefault(w["id"], w["identifier"])
    return out


def identity_key(record: dict[str, Any], identifiers: dict[Any, str] | None = None) -> str | None:
    """A Desktop identity's key: ``"IDENTIFIER/identityNumber"`` (see above); None when it has none."""
    wallet, number = record.get("walletId"), record.get("identityNumber")
    if wallet is not None and number is not None:
        try:
            identifier = (identifiers or {}).get(wallet)
        except TypeError:  # an unhashable walletId (a list or object) names no wallet
            identifier = None
        return f"{identifier}/{number}" if identifier else f"wallet {wallet}/{number}"
    randomness = record.get("randomness")
    if not randomness:
        return None
    # The randomness is secret: the key holds a digest of it, enough to align two files.
    digest = hashlib.sha256(str(randomness).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"randomness-sha256:{digest}"


def legacy_identity_key(record: dict[str, Any]) -> str | None:
    """A legacy identity's key: its public ``idCredPub`` (never a secret), else ``name:NAME``."""
    obj = record.get("identityObject")
    try:
        pub = obj["preIdentityObject"]["pubInfoForIp"]["idCredPub"]  # type: ignore[index]
    except (TypeError, KeyError):
        pub = None
    if isinstance(pub, str) and pub:
        return pub
    name = record.get("name")
    return f"name:{name}" if name is not None else None


def _field(name: str) -> Callable[[dict[str, Any]], Any]:
    def key(record: dict[str, Any]) -> Any:
        return record.get(name)

    return key


def _genesis(record: dict[str, Any]) -> str:
    return "genesis"


#: The field that is the key of each Desktop record kind (identities: :func:`identity_key`).
DESKTOP_KEY_FIELDS = {
    "accounts": "address",
    "addressBook": "address",
    "credentials": "credId",
    "externalCredentials": "credId",
    "wallets": "identifier",
}
_DESKTOP_KEYS: dict[str, Callable[[dict[str, Any]], Any]] = {
    **{table: _field(name) for table, name in DESKTOP_KEY_FIELDS.items()},
    "genesis": _genesis,
}
_LEGACY_KEYS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "identities": legacy_identity_key,
    "accounts": _field("address"),
    "recipients": _field("address"),
}


def key_function(table: str, backup: Backup) -> Callable[[dict[str, Any]], Any] | None:
    """``record -> key`` for the records of ``table`` in ``backup`` (None for a table without keys).

    Computes what the keys need from the whole file (the wallets' identifiers) once: use it for many records.
    """
    if backup.is_legacy:
        return _LEGACY_KEYS.get(table)
    if table == "identities":
        identifiers = wallet_identifiers(backup.document)
        return lambda record: identity_key(record, identifiers)
    return _DESKTOP_KEYS.get(table)


def record_key(table: str, record: Any, backup: Backup) -> str:
    """The key of ``record`` of ``table`` in ``backup`` ("" when it has none): the one the diff matches
    records on, merge previews and subsets name them by, and the audit's ``key`` column shows."""
    fn = key_function(table, backup)
    value = fn(record) if fn and isinstance(record, dict) else None
    return "" if value is None else str(value)
