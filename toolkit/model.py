"""The backup's vocabulary in one place: record kinds, their fields, statuses, and which fields are secret.

Tables (:mod:`toolkit.tables`), the diff (:mod:`toolkit.diff`) and the audit
(:mod:`toolkit.audit`) read these names from here, so "what is a secret"
cannot differ between a table, a diff and a report.
"""

from __future__ import annotations

#: The lists of records a Desktop Wallet export holds (FORMAT.md §2), ``genesis`` being one record.
DESKTOP_RECORD_KINDS = (
    "accounts",
    "identities",
    "credentials",
    "addressBook",
    "externalCredentials",
    "wallets",
    "genesis",
)
#: The lists of records a legacy mobile wallet export holds (FORMAT.md §4).
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

#: The fields each Desktop Wallet record kind has (FORMAT.md §2), in the writer's order.
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
