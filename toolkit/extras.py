"""The optional parts of the toolkit (pip extras) and one way to import what they bring.

``pip install concordium-backup-toolkit`` is the core: open, tables, diff, merge,
re-export, audit, salvage, local password recovery.  The Ledger check, Dask
clusters and the notebook forms need an extra each.  :func:`require` imports a
module of one and, when it is missing, raises :class:`~toolkit.errors.MissingExtraError`
naming the exact install command, never an ``ImportError``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from toolkit.errors import MissingExtraError

DISTRIBUTION = "concordium-backup-toolkit"

#: extra -> what needs it (the start of the message).
EXTRAS: dict[str, str] = {
    "ledger": "The Ledger check needs",
    "dask": "Password recovery on a Dask cluster needs",
    "notebook": "The notebook forms and the support-desk app need",
}


def install_command(extra: str) -> str:
    """``pip install 'concordium-backup-toolkit[EXTRA]'`` (quoted for every shell)."""
    return f"pip install '{DISTRIBUTION}[{extra}]'"


def require(extra: str, module: str) -> ModuleType:
    """``module`` imported; :class:`MissingExtraError` (code ``missing-extra``) when it or what it needs is missing.

    A module that is installed but fails to import for another reason (a broken
    native library) is reported the same way: reinstalling the extra is the fix.
    """
    if extra not in EXTRAS:
        raise ValueError(f"unknown extra {extra!r}")
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        missing = exc.name or module
        raise MissingExtraError(
            f"{EXTRAS[extra]} the '{extra}' extra ({missing} cannot be imported)",
            hint=f"Install it with: {install_command(extra)}",
            extra=extra,
        ) from None
