"""The backup's vocabulary: statuses, secrets, and each record's key (:func:`record_key`).

The record kinds themselves (their fields, keys, secrets) are :data:`toolkit.model.kinds.KINDS`; the names
here are derived from it.

Tables (:mod:`toolkit.model.tables`), the diff (:mod:`toolkit.ops.diff`) and the audit
(:mod:`toolkit.ops.audit`) read these names from here, so "what is a secret"
cannot differ between a table, a diff and a report.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .kinds import (  # noqa: F401 - the keys' functions are also this module's names
    DESKTOP,
    LEGACY,
    identity_key,
    kind_of,
    kinds_of,
    legacy_identity_key,
    secret_fields,
    table_names,
    wallet_identifiers,
)

if TYPE_CHECKING:
    from .backup import Backup

#: Account and identity statuses the Desktop Wallet writes (tables keep this order for their categories).
ACCOUNT_STATUSES = ("confirmed", "pending", "rejected", "genesis")
IDENTITY_STATUSES = ("confirmed", "pending", "rejected", "rejectedAndWarned", "recovered", "genesis")

#: Secret fields of each kind of file (each kind's own: :attr:`toolkit.model.kinds.RecordKind.secrets`).  The
#: identity's and the credential's commitment randomness (with it, the attribute commitments on chain can be
#: opened) and the legacy file's private keys: redacted unless the caller explicitly asks to reveal.
LEGACY_SECRET_FIELDS = secret_fields(LEGACY)
DESKTOP_SECRET_FIELDS = secret_fields(DESKTOP)
SECRET_FIELDS = LEGACY_SECRET_FIELDS | DESKTOP_SECRET_FIELDS
#: What a table shows instead of a secret.
REDACTED = "‹redacted›"

#: Account fields holding encrypted amounts (unreadable without the account's keys): not default columns.
ENCRYPTED_AMOUNT_FIELDS = frozenset(
    {"selfAmounts", "incomingAmounts", "totalDecrypted", "allDecrypted", "transactionFilter"}
)

#: The fields each Desktop Wallet record kind has, in the writer's order (from :data:`toolkit.model.kinds.KINDS`).
KNOWN_FIELDS: dict[str, tuple[str, ...]] = {k.name: k.columns for k in kinds_of(DESKTOP)}
#: The field that is the key of each Desktop record kind keyed by one field (from :data:`toolkit.model.kinds.KINDS`).
DESKTOP_KEY_FIELDS = {k.name: k.key for k in kinds_of(DESKTOP) if isinstance(k.key, str)}
#: The record kinds of each kind of file (from :data:`toolkit.model.kinds.KINDS`).
DESKTOP_RECORD_KINDS = table_names(DESKTOP)
LEGACY_RECORD_KINDS = table_names(LEGACY)


def key_function(table: str, backup: Backup) -> Callable[[dict[str, Any]], Any] | None:
    """``record -> key`` for the records of ``table`` in ``backup`` (None for a table without keys).

    Computes what the keys need from the whole file (the wallets' identifiers) once: use it for many records.
    """
    kind = kind_of(LEGACY if backup.is_legacy else DESKTOP, table)
    return kind.key_function(backup) if kind else None


def record_key(table: str, record: Any, backup: Backup) -> str:
    """The key of ``record`` of ``table`` in ``backup`` ("" when it has none): the one the diff matches
    records on, merge previews and subsets name them by, and the audit's ``key`` column shows."""
    fn = key_function(table, backup)
    value = fn(record) if fn and isinstance(record, dict) else None
    return "" if value is None else str(value)
