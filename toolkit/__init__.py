"""Concordium backup toolkit: open, understand, compare, repair and re-create wallet backups.

Every function of the README's table is importable from here (``toolkit.diff_backups``,
``toolkit.audit_backup``...); they load on first use, so ``import toolkit`` stays quick
(no cryptography or pandas until a backup is opened: the command line's ``--help`` relies on it).  The code is in layers, each importing only from those
below it (``tests/safety/test_layers.py`` checks):

- :mod:`toolkit.errors`, :mod:`toolkit.textsafe`: the error taxonomy and text neutralising, used by all;
- :mod:`toolkit.format`: the encrypted container, JSON as the wallets write it, passwords, safe writes;
- :mod:`toolkit.model`: a decrypted :class:`Backup`, its records' vocabulary and shapes, its tables;
- :mod:`toolkit.ops`: diff, import preview/merge, subset/export, audit, salvage, recovery, Ledger check;
- :mod:`toolkit.reports`: formula-safe CSV/XLSX and the audit report;
- :mod:`toolkit.cli`, :mod:`toolkit.widgets`: the interfaces, thin skins that never import each other.

:mod:`toolkit.testing` makes wallets for tests and samples.  The module paths 0.1.0 documented before the
layers (``toolkit.diff``, ``toolkit.audit``...: :data:`_MOVED`) still import, with a DeprecationWarning.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
import warnings
from typing import TYPE_CHECKING, Any

from . import errors
from .errors import BackupError

if TYPE_CHECKING:  # loaded on first use (see _LAZY); named here for type checkers
    from .model.backup import DESKTOP, LEGACY, Backup, open_backup  # noqa: F401

__version__ = "0.2.0"

#: name -> (module, attribute) that holds it, imported when first asked for.
_LAZY: dict[str, tuple[str, str]] = {
    "open_backup": ("model.backup", "open_backup"),
    "Backup": ("model.backup", "Backup"),
    "DESKTOP": ("model.backup", "DESKTOP"),
    "LEGACY": ("model.backup", "LEGACY"),
    "diff_backups": ("ops.diff", "diff_backups"),
    "BackupDiff": ("ops.diff", "BackupDiff"),
    "preview_import": ("ops.merge", "preview_import"),
    "merge_backups": ("ops.merge", "merge_backups"),
    "ImportPreview": ("ops.merge", "ImportPreview"),
    "subset_backup": ("ops.subset", "subset_backup"),
    "without_unknown_fields": ("ops.subset", "without_unknown_fields"),
    "save_backup": ("model.save", "save_backup"),
    "encrypt_backup": ("model.save", "encrypt_backup"),
    "reexport": ("ops.export", "reexport"),
    "export_bytes": ("ops.export", "export_bytes"),
    "audit_backup": ("ops.audit", "audit"),
    "rules_table": ("ops.audit", "rules_table"),
    "write_report": ("reports.report", "write_report"),
    "salvage_backup": ("ops.salvage", "salvage"),
    "salvage_to": ("ops.salvage", "salvage_to"),
    "recover_password": ("ops.recovery", "recover_password"),
    "Candidates": ("ops.recovery", "Candidates"),
    "check_ledger": ("ops.ledger", "check_ledger"),
    "safe_text": ("textsafe", "safe_text"),
    "to_csv_bytes": ("reports.sheets", "to_csv_bytes"),
    "to_xlsx_bytes": ("reports.sheets", "to_xlsx_bytes"),
}
#: The layer packages, reachable as attributes without importing them first.
_SUBMODULES = frozenset({"format", "model", "ops", "reports", "testing", "textsafe", "cli", "widgets"})

#: Module paths before the layers -> where the module is now.  Importing an old path gives the
#: new module under its old name, with a DeprecationWarning.  These are the paths 0.1.0's README
#: documented as the Python API (``toolkit.diff.diff_backups``, ``toolkit.audit.audit``...), kept through
#: the 0.2 releases; remove them in 0.3.  The undocumented ones (``toolkit.container``, ``toolkit.backup``...)
#: went in 0.2.0 (CHANGELOG.md).
_MOVED: dict[str, str] = {
    "toolkit.diff": "toolkit.ops.diff",
    "toolkit.merge": "toolkit.ops.merge",
    "toolkit.subset": "toolkit.ops.subset",
    "toolkit.export": "toolkit.ops.export",
    "toolkit.salvage": "toolkit.ops.salvage",
    "toolkit.audit": "toolkit.ops.audit",
    "toolkit.recovery": "toolkit.ops.recovery",
    "toolkit.ledger": "toolkit.ops.ledger",
    "toolkit.sheets": "toolkit.reports.sheets",
    "toolkit.report": "toolkit.reports.report",
}

__all__ = ["BackupError", "__version__", "errors", *_LAZY]


def _moved_target(fullname: str) -> str | None:
    for old, new in _MOVED.items():
        if fullname == old or fullname.startswith(old + "."):
            return new + fullname[len(old) :]
    return None


def _importlib_frame(frame: types.FrameType) -> bool:
    return "importlib" in frame.f_code.co_filename and "_bootstrap" in frame.f_code.co_filename


class _MovedModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports an old module path (``toolkit.diff``) as a stand-in that forwards to the new module."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        new = _moved_target(fullname)
        if new is None:
            return None
        real = importlib.import_module(new)
        return importlib.machinery.ModuleSpec(fullname, self, is_package=hasattr(real, "__path__"))

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        new = _moved_target(spec.name)
        assert new is not None
        # Point the warning at the import statement: past this file and importlib's frames (which
        # ``warnings`` itself does not count).
        frame, level = sys._getframe(0), 1
        while frame.f_back and (frame.f_code.co_filename == __file__ or _importlib_frame(frame)):
            frame = frame.f_back
            level += not _importlib_frame(frame)
        warnings.warn(
            f"{spec.name} is now {new}; the old path goes away in release 0.3", DeprecationWarning, stacklevel=level
        )
        real = importlib.import_module(new)
        stand_in = types.ModuleType(spec.name, real.__doc__)
        stand_in.__getattr__ = lambda name: getattr(real, name)  # type: ignore[method-assign]
        stand_in.__dir__ = lambda: dir(real)  # type: ignore[method-assign]
        if hasattr(real, "__path__"):
            stand_in.__path__ = []  # a package: its submodules come through this finder too
        return stand_in

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: the stand-in forwards every attribute."""


if not any(isinstance(f, _MovedModuleFinder) for f in sys.meta_path):
    sys.meta_path.insert(0, _MovedModuleFinder())


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
    """What tab completion offers: the public names, loaded or not, and the layer packages."""
    return sorted({*__all__, *_SUBMODULES})
