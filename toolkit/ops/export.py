"""Re-export: a backup, or some of its identities/accounts, to a new file (or bytes) its wallet imports.

Selection is :func:`toolkit.ops.subset.subset_backup`; encrypting and the
atomic, verified write are :mod:`toolkit.model.save`'s (imported here too).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from typing import Any

from toolkit import errors
from toolkit.format.passwords import check_password
from toolkit.model.backup import Backup
from toolkit.model.save import WriteResult, encrypt_backup, save_backup  # noqa: F401 - also this module's

#: What ``reexport(to=...)`` accepts for each kind of file.
_TARGETS = {"desktop": "desktop-wallet", "desktop-wallet": "desktop-wallet"}
_TARGETS |= {
    "legacy": "legacy-mobile-wallet",
    "legacy-mobile-wallet": "legacy-mobile-wallet",
    "mobile": "legacy-mobile-wallet",
}


def reexport(
    backup: Backup,
    path: str | os.PathLike[str],
    password: str | Callable[[], str],
    *,
    to: str | None = None,
    identities: tuple[str | int, ...] | list[str | int] = (),
    accounts: tuple[str, ...] | list[str] = (),
    drop_unknown_fields: bool = False,
    force: bool = False,
    protect: tuple[str | os.PathLike[str] | None, ...] = (),
    iterations: int | None = None,
) -> WriteResult:
    """Write ``backup`` (optionally only some identities/accounts) to a new file its wallet imports.

    Every field is kept, unknown ones and key order included, so an unchanged
    backup's plaintext is byte for byte the input's.  ``to`` ("desktop" or
    "legacy") only confirms the kind: a legacy mobile file stays a legacy file
    and a Desktop file a Desktop file (:class:`IncompatibleKindsError`
    otherwise; docs/FORMAT.md §4).  ``identities``/``accounts`` select a subset
    (see :func:`toolkit.ops.subset.subset_backup`); ``drop_unknown_fields`` leaves out
    the record fields the Desktop Wallet's tables lack (the result's ``dropped`` lists them).
    ``password`` may be a function that returns it: it is called only once the kind and
    the selection are known to be good (so nobody types a new password for nothing).
    The rest is :func:`save_backup` (``path`` ``-`` is standard output).
    """
    check_target(backup, to)
    source = backup.source
    if identities or accounts:
        from .subset import subset_backup

        backup = subset_backup(backup, identities=identities, accounts=accounts)
    dropped: list[tuple[str, Any, str]] = []
    if drop_unknown_fields:
        from .subset import without_unknown_fields

        backup, dropped = without_unknown_fields(backup)
    if callable(password):
        password = password()
    guard = tuple(p for p in (source, *protect) if p is not None)
    result = save_backup(backup, path, password, force=force, protect=guard, iterations=iterations)
    return dataclasses.replace(result, dropped=tuple(dropped)) if dropped else result


def check_target(backup: Backup, to: str | None) -> None:
    """Refuse to turn one wallet's file into the other's (docs/FORMAT.md §4); ``to`` None means "as it is"."""
    if to is None:
        return
    target = _TARGETS.get(to.strip().lower())
    if target is None:
        raise errors.InvalidArgumentError(f"Unknown target {to!r}; use 'desktop' or 'legacy'", subject="to")
    if target != backup.kind:
        if backup.is_legacy:
            raise errors.IncompatibleKindsError(
                "A legacy mobile wallet file can only be re-encrypted as a legacy file, never converted "
                "to the Desktop Wallet format: the Desktop Wallet keeps keys on a Ledger and cannot use "
                "the private keys this file holds"
            )
        raise errors.IncompatibleKindsError(
            "A Desktop Wallet file cannot become a legacy mobile wallet file: it holds no private keys"
        )


def export_bytes(
    backup: Backup,
    password: str,
    *,
    name: str = "wallet-export.json",
    identities: tuple[str | int, ...] | list[str | int] = (),
    accounts: tuple[str, ...] | list[str] = (),
    iterations: int | None = None,
) -> tuple[bytes, WriteResult]:
    """The file :func:`reexport` would write, as bytes (for a download), decrypted again to verify it.

    Nothing touches the disk; ``name`` only labels the result (its ``path``).
    """
    check_password(password)  # before a selection error, as reexport does
    if identities or accounts:
        from .subset import subset_backup

        backup = subset_backup(backup, identities=identities, accounts=accounts)
    data = encrypt_backup(backup, password, iterations=iterations)
    return data, WriteResult.of(data, name, backup.kind)
