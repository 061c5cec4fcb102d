"""Concordium backup toolkit: open, understand, compare, repair and re-create wallet backups.

The main functions are importable from here; the heavier ones load on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from . import errors
from .backup import DESKTOP, LEGACY, Backup, open_backup
from .errors import BackupError

__version__ = "0.1.0"

#: name -> module that holds it (imported when first asked for)
_LAZY = {
    "diff_backups": "diff",
    "preview_import": "merge",
    "merge_backups": "merge",
    "subset_backup": "subset",
    "save_backup": "export",
    "reexport": "export",
    "check_ledger": "ledger",
    "safe_text": "textsafe",
    "to_csv_bytes": "sheets",
    "to_xlsx_bytes": "sheets",
}

__all__ = ["Backup", "BackupError", "DESKTOP", "LEGACY", "errors", "open_backup", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'toolkit' has no attribute {name!r}")
