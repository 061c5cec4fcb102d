"""Re-export: a backup, or some of its identities/accounts, to a new file (or bytes) its wallet imports.

Thin aliases of the one writer pair, :meth:`toolkit.Backup.encrypt` / :meth:`toolkit.Backup.save`
(selection: :mod:`toolkit.model.select`; the atomic, verified write: :mod:`toolkit.model.save`).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable

from toolkit import errors
from toolkit.model.backup import Backup
from toolkit.model.save import WriteResult, encrypt_backup, save_backup, select  # noqa: F401 - also this module's

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
    leave_out: tuple[str, ...] | list[str] = (),
    drop_unknown_fields: bool = False,
    force: bool = False,
    protect: tuple[str | os.PathLike[str] | None, ...] = (),
    iterations: int | None = None,
) -> WriteResult:
    """:meth:`Backup.save` after checking ``to``: write ``backup`` (optionally only some records) to a new file
    its wallet imports.

    Every field is kept, unknown ones and key order included, so an unchanged
    backup's plaintext is byte for byte the input's.  ``to`` ("desktop" or
    "legacy") only confirms the kind: a legacy mobile file stays a legacy file
    and a Desktop file a Desktop file (:class:`IncompatibleKindsError`
    otherwise; docs/FORMAT.md §4).  ``identities``/``accounts``/``leave_out``/``drop_unknown_fields`` choose
    what is written (see :meth:`Backup.encrypt`; the result's ``dropped`` lists what was left out).
    ``password`` may be a function that returns it: it is called only once the kind and the selection are
    known to be good (so nobody types a new password for nothing).  ``path`` ``-`` is standard output.
    """
    check_target(backup, to)
    chosen, dropped = select(
        backup, identities=identities, accounts=accounts, leave_out=leave_out, drop_unknown_fields=drop_unknown_fields
    )
    if callable(password):
        password = password()
    guard = (backup.source, *protect) if chosen is not backup else protect
    result = chosen.save(path, password, force=force, protect=guard, iterations=iterations)
    return dataclasses.replace(result, dropped=tuple(dropped)) if dropped else result


def check_target(backup: Backup, to: str | None) -> None:
    """Refuse to turn one wallet's file into the other's (docs/FORMAT.md §4); ``to`` None means "as it is"."""
    if to is None:
        return
    target = _TARGETS.get(to.strip().lower())
    if target is None:
        raise errors.InvalidArgumentError(f"Unknown target {to!r}; use 'desktop' or 'legacy'", subject="to")
    if target != backup.file_kind:
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
    leave_out: tuple[str, ...] | list[str] = (),
    iterations: int | None = None,
) -> tuple[bytes, WriteResult]:
    """:meth:`Backup.encrypt` with a :class:`WriteResult` describing the bytes (for a download).

    Nothing touches the disk; ``name`` only labels the result (its ``path``).
    """
    data = backup.encrypt(
        password, identities=identities, accounts=accounts, leave_out=leave_out, iterations=iterations
    )
    return data, WriteResult.of(data, name, backup.file_kind)
