"""A backup encrypted as its wallet writes it: to bytes, or to a new file, atomically and verified.

The plaintext is the document as its wallet serialises it (the original bytes
while unchanged); the container is fresh (new random salt and IV), and it is
decrypted again in memory and compared with the plaintext before anything is
written.  The file is written to a temporary name in the same folder, fsynced,
moved into place, then read back and compared byte for byte before success is
reported.  A failure at any step leaves nothing under the output name.

:meth:`Backup.encrypt` and :meth:`Backup.save` are the one writer pair (a selection first: :func:`select`);
:func:`save_backup`, :func:`encrypt_backup`, :func:`toolkit.ops.export.reexport` and ``export_bytes`` and
:func:`toolkit.ops.salvage.salvage_to` are thin aliases of them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from toolkit import errors
from toolkit.format import container as ct
from toolkit.format import files

if TYPE_CHECKING:
    from toolkit.model.backup import Backup


@dataclass(frozen=True)
class WriteResult:
    """What was written and checked."""

    path: str
    kind: str
    size: int
    sha256: str
    iterations: int
    verified: bool = True
    #: What was left out on the way (re-export's ``leave_out``/``drop_unknown_fields``): ``{table, key, field}``
    #: each, ``field`` None for a whole record (:func:`select`).
    dropped: tuple[dict[str, Any], ...] = ()

    @classmethod
    def of(cls, data: bytes, path: str, kind: str) -> WriteResult:
        """The result for ``data`` (an encrypted backup, already verified) written to, or offered as, ``path``."""
        return cls(
            path=path,
            kind=kind,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            iterations=ct.parse_container(data).kdf.iterations,
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "output": self.path,
            "kind": self.kind,
            "bytes": self.size,
            "sha256": self.sha256,
            "iterations": self.iterations,
            "verified": self.verified,
        }


def select(
    backup: Backup,
    *,
    identities: Iterable[str | int] = (),
    accounts: Iterable[str] = (),
    leave_out: Iterable[str] = (),
    drop_unknown_fields: bool = False,
) -> tuple[Backup, list[dict[str, Any]]]:
    """What :meth:`Backup.encrypt` writes: only the chosen ``identities``/``accounts`` (with what they refer
    to), without the records ``leave_out`` names (and those referring to them), without the fields the
    Desktop Wallet's tables lack; and what was left out (``table, key, field``; field None for a record)."""
    from . import select as chooser

    identities, accounts, leave_out = list(identities), list(accounts), list(leave_out)
    dropped: list[dict[str, Any]] = []
    if identities or accounts:
        backup = chooser.subset_backup(backup, identities=identities, accounts=accounts)
    if leave_out:
        backup, gone = chooser.leave_out(backup, leave_out)
        dropped += gone
    if drop_unknown_fields:
        backup, fields = chooser.without_unknown_fields(backup)
        dropped += [{"table": t, "key": "" if k is None else str(k), "field": f} for t, k, f in fields]
    return backup, dropped


def write(
    backup: Backup,
    path: str | os.PathLike[str],
    password: str,
    *,
    force: bool = False,
    protect: tuple[str | os.PathLike[str] | None, ...] = (),
    iterations: int | None = None,
) -> WriteResult:
    """Encrypt ``backup`` into a new file at ``path`` and verify it (:meth:`Backup.save`, which has checked the
    password).  ``path`` is :func:`toolkit.format.files.user_path`'s (``~`` expanded); ``-`` writes to standard
    output (not a terminal), verified in memory only."""
    guard = tuple(p for p in (backup.source, *protect) if p is not None)
    if files.is_stdio(path):  # standard output: verified in memory (it cannot be read back)
        files.check_output_path(path, (), force=force)
        data = encrypt_checked(backup, password, iterations)
        files.write_stdout(data)
        return WriteResult.of(data, files.STDIO, backup.file_kind)
    target = files.user_path(path)
    files.check_output_path(target, guard, force=force)
    data = encrypt_checked(backup, password, iterations)  # decrypts again in memory
    files.write_bytes_atomic(target, data, force=force, protect=guard)
    ok = False
    try:  # an unverified file is never left under the output name, even on Ctrl-C
        ok = ct.read_source(target) == data
    except (errors.BackupError, OSError):
        ok = False
    finally:
        if not ok:
            with contextlib.suppress(OSError):
                target.unlink()
    if not ok:
        raise errors.VerifyFailedError(f"{target} did not read back as written")
    return WriteResult.of(data, str(target), backup.file_kind)


def encrypt_checked(backup: Backup, password: str, iterations: int | None) -> bytes:
    """``backup`` encrypted as its wallet writes it, verified by decrypting it again in memory
    (:meth:`Backup.encrypt`, which has checked the password)."""
    layout = "legacy" if backup.is_legacy else "desktop"
    plaintext = backup.to_plaintext()
    data = ct.encrypt(plaintext, password, iterations=iterations, layout=layout)
    if ct.decrypt(ct.parse_container(data), password).plaintext != plaintext:
        raise errors.VerifyFailedError("The encrypted backup did not decrypt to what was encrypted")
    return data


def save_backup(
    backup: Backup,
    path: str | os.PathLike[str],
    password: str,
    *,
    force: bool = False,
    protect: tuple[str | os.PathLike[str], ...] = (),
    iterations: int | None = None,
) -> WriteResult:
    """:meth:`Backup.save` under its older name: encrypt ``backup`` into a new file at ``path`` and verify it.

    Desktop Wallet backups get the Desktop Wallet's container (AES-256,
    PBKDF2WithHmacSHA256, 10,000 iterations, 16-byte salt, keyLen 32, sha256);
    legacy mobile backups stay legacy files (100,000 iterations, 32-byte salt),
    because the Desktop Wallet cannot use their private keys.  ``protect``
    names further input files that must never be overwritten (the backup's own
    source always is).
    """
    return backup.save(path, password, force=force, protect=protect, iterations=iterations)


def encrypt_backup(backup: Backup, password: str, *, iterations: int | None = None) -> bytes:
    """:meth:`Backup.encrypt` under its older name: the bytes a form offers for download, or a caller writes
    where it likes, checked by decrypting them again in memory."""
    return backup.encrypt(password, iterations=iterations)
