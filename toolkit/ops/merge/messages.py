"""The import preview's words: the Desktop Wallet's own messages (importHelpers.ts:33-38 and
PerformImport.tsx:57-106 at 0ce97cb), the stop codes, and the ways out the toolkit can take."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from toolkit.model.network import GENESIS_HASHES

from ..walletdb import js_string

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


def safe_str(value: Any) -> str:
    """``str(value)`` that never fails (integers beyond Python's digit limit, deep nesting, lone surrogates)."""
    try:
        text = str(value)
    except ValueError:
        return f"<{value.bit_length()}-bit integer>" if isinstance(value, int) else "<value>"
    except RecursionError:
        return "<deeply nested value>"
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace") if isinstance(value, str) else text


class StopCode(StrEnum):
    """Why the wallet's import stops (``ImportPreview.stops_at["code"]``): what the ways out are chosen by."""

    NO_NETWORK = "no-network"
    DIFFERENT_NETWORK = "different-network"
    UNKNOWN_FIELD = "unknown-field"
    ORPHAN_EXTERNAL_CREDENTIAL = "orphan-external-credential"
    IDENTITY_CONFLICT = "identity-conflict"
    NO_MATCHING_IDENTITY = "no-matching-identity"
    ADDRESS_ELSEWHERE = "address-elsewhere"
    TOO_MANY_ROWS = "too-many-rows"
    DATABASE_REFUSES = "database-refuses"


#: The ways out the toolkit can take: fix name → (when it helps, what it does).  ``leave_out`` and
#: ``import_into_empty_wallet`` name their record or files in the preview's ``fixes`` (:func:`leave_out_text`).
FIX_TEXT = {
    "drop_unknown_fields": (
        "a record has a field the wallet's tables lack",
        "write B without the fields the wallet's tables lack (drop unknown fields)",
    ),
    "drop_orphan_external_credentials": (
        "an external credential's account is not in the wallet",
        "leave out the external credentials whose account is not in the wallet",
    ),
    "leave_out": (
        "the wallet stops at one record of B",
        "leave out that record of B, and the records that refer to it",
    ),
    "import_into_empty_wallet": (
        "B already holds every record A holds",
        "import B into a new, empty wallet instead of merging",
    ),
}
#: The fixes each stop has besides leaving out its record (which every stop at a record has but these).
STOP_FIXES = {
    StopCode.UNKNOWN_FIELD: ("drop_unknown_fields",),
    StopCode.ORPHAN_EXTERNAL_CREDENTIAL: ("drop_orphan_external_credentials",),
}
#: Stops that leaving out the record does not cure.
NOT_ONE_RECORD = frozenset({StopCode.NO_NETWORK, StopCode.DIFFERENT_NETWORK, StopCode.TOO_MANY_ROWS})


def leave_out_text(noun: str, key: str) -> str:
    """The way out that leaves out one record, naming it by its key as the preview prints it."""
    return f"leave out {noun} {key} of backup B (and the records that refer to it)"


def empty_wallet_text(differ: int) -> str:
    """The way out when B holds a record with the key of every record A holds: import B alone."""
    text = "backup B already holds every record backup A holds: import B into a new, empty wallet instead of merging"
    if differ:
        some = f"{differ} of them differ" if differ > 1 else "one of them differs"
        text += f" ({some} between the files, and the new wallet gets B's version)"
    return text


def network_name(genesis_block: Any) -> str:
    """A network by name ("mainnet"), else the start of its genesis hash."""
    name = GENESIS_HASHES.get(genesis_block) if isinstance(genesis_block, str) else None
    return name or f"unknown network {str(genesis_block)[:12]}…"
