"""Concordium backup toolkit: open, understand, compare, repair and re-create wallet backups.

Every function of the README's table is importable from here (``toolkit.diff_backups``,
``toolkit.audit_backup``...); all but :func:`open_backup` load on first use, so
``import toolkit`` stays quick.  The submodules (``toolkit.diff``, ``toolkit.audit``...)
load on first use too.
"""

from __future__ import annotations

import importlib
from typing import Any

from . import errors
from .backup import DESKTOP, LEGACY, Backup, open_backup
from .errors import BackupError

__version__ = "0.1.0"

#: name -> (module, attribute) that holds it, imported when first asked for.  ``audit`` and
#: ``salvage`` are also submodules, so their functions are here as ``audit_backup``/``salvage_backup``.
_LAZY: dict[str, tuple[str, str]] = {
    "diff_backups": ("diff", "diff_backups"),
    "BackupDiff": ("diff", "BackupDiff"),
    "preview_import": ("merge", "preview_import"),
    "merge_backups": ("merge", "merge_backups"),
    "ImportPreview": ("merge", "ImportPreview"),
    "subset_backup": ("subset", "subset_backup"),
    "save_backup": ("export", "save_backup"),
    "reexport": ("export", "reexport"),
    "audit_backup": ("audit", "audit"),
    "write_report": ("report", "write_report"),
    "salvage_backup": ("salvage", "salvage"),
    "salvage_to": ("salvage", "salvage_to"),
    "recover_password": ("recovery", "recover_password"),
    "check_ledger": ("ledger", "check_ledger"),
    "safe_text": ("textsafe", "safe_text"),
    "to_csv_bytes": ("sheets", "to_csv_bytes"),
    "to_xlsx_bytes": ("sheets", "to_xlsx_bytes"),
}
#: Submodules reachable as attributes without importing them first (``toolkit.diff.diff_backups``).
_SUBMODULES = frozenset(
    {
        "audit",
        "container",
        "diff",
        "export",
        "ledger",
        "merge",
        "model",
        "recovery",
        "report",
        "salvage",
        "sheets",
        "subset",
        "tables",
        "textsafe",
    }
)

__all__ = ["Backup", "BackupError", "DESKTOP", "LEGACY", "__version__", "errors", "open_backup", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(f".{module}", __name__), attr)
        globals()[name] = value  # once loaded, a plain attribute
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'toolkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    """What tab completion offers: the public names, loaded or not, and the submodules."""
    return sorted({*__all__, *_SUBMODULES, "backup"})
