"""Import preview: what the Desktop Wallet does when a wallet holding backup A imports backup B.

:func:`preview_import` (:mod:`.preview`) replays the wallet's import (:mod:`.replay`, over its database schema)
and words the outcome in the wallet's own messages (:mod:`.messages`); :func:`merge_backups` raises the refusal.
"""

from __future__ import annotations

from .messages import (
    ALREADY_EXISTS,
    ALREADY_EXISTS_AS_ACCOUNT,
    BOOK_NOT_COMPATIBLE,
    DIFFERENT_NETWORK,
    FIX_TEXT,
    LEGACY_REFUSED,
    MESSAGE_COLUMNS,
    NO_NETWORK,
    NOT_COMPATIBLE,
    RESULTS,
    already_exists_as,
    replaces_name,
    replaces_placeholder,
)
from .preview import ImportPreview, empty_wallet, merge_backups, preview_import
from .replay import IMPORT_ORDER

__all__ = [
    "ALREADY_EXISTS",
    "ALREADY_EXISTS_AS_ACCOUNT",
    "BOOK_NOT_COMPATIBLE",
    "DIFFERENT_NETWORK",
    "FIX_TEXT",
    "IMPORT_ORDER",
    "LEGACY_REFUSED",
    "MESSAGE_COLUMNS",
    "NOT_COMPATIBLE",
    "NO_NETWORK",
    "RESULTS",
    "ImportPreview",
    "empty_wallet",
    "already_exists_as",
    "merge_backups",
    "preview_import",
    "replaces_name",
    "replaces_placeholder",
]
