"""A backup encrypted as its wallet writes it: to bytes, or to a new file, atomically and verified.

The plaintext is the document as its wallet serialises it (the original bytes
while unchanged); the container is fresh (new random salt and IV), and it is
decrypted again in memory and compared with the plaintext before anything is
written.  The file is written to a temporary name in the same folder, fsynced,
moved into place, then read back and compared byte for byte before success is
reported.  A failure at any step leaves nothing under the output name.  :meth:`Backup.encrypt` and
:meth:`Backup.save` are these functions.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass

from toolkit import errors
from toolkit.format import container as ct
from toolkit.format import files
from toolkit.format.passwords import check_password
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
    #: ``(list, record key, field)`` of each record field left out on the way (re-export's ``drop_unknown_fields``).
    dropped: tuple[tuple[str, object, str], ...] = ()

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


def save_backup(
    backup: Backup,
    path: str | os.PathLike[str],
    password: str,
    *,
    force: bool = False,
    protect: tuple[str | os.PathLike[str], ...] = (),
    iterations: int | None = None,
) -> WriteResult:
    """Encrypt ``backup`` with ``password`` into a new file at ``path`` and verify it.

    Desktop Wallet backups get the Desktop Wallet's container (AES-256,
    PBKDF2WithHmacSHA256, 10,000 iterations, 16-byte salt, keyLen 32, sha256);
    legacy mobile backups stay legacy files (100,000 iterations, 32-byte salt),
    because the Desktop Wallet cannot use their private keys.  ``protect``
    names further input files that must never be overwritten (the backup's own
    source always is).  ``path`` is :func:`toolkit.format.files.user_path`'s (``~`` expanded);
    ``-`` writes to standard output (not a terminal), verified in memory only.
    """
    check_password(password)
    if files.is_stdio(path):  # standard output: verified in memory (it cannot be read back)
        files.check_output_path(path, (), force=force)
        data = encrypt_backup(backup, password, iterations=iterations)
        files.write_stdout(data)
        return WriteResult.of(data, files.STDIO, backup.kind)
    target = files.user_path(path)
    files.check_output_path(target, (backup.source, *protect), force=force)
    data = encrypt_backup(backup, password, iterations=iterations)  # decrypts again in memory
    files.write_bytes_atomic(target, data, force=force, protect=(backup.source, *protect))
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
    return WriteResult.of(data, str(target), backup.kind)


def encrypt_backup(backup: Backup, password: str, *, iterations: int | None = None) -> bytes:
    """``backup`` encrypted with ``password`` as its wallet writes it, checked by decrypting it again in memory.

    The bytes a form offers for download, or a caller writes where it likes;
    :func:`save_backup` writes them to a new file atomically.
    """
    check_password(password)
    layout = "legacy" if backup.is_legacy else "desktop"
    plaintext = backup.to_plaintext()
    data = ct.encrypt(plaintext, password, iterations=iterations, layout=layout)
    if ct.decrypt(ct.parse_container(data), password).plaintext != plaintext:
        raise errors.VerifyFailedError("The encrypted backup did not decrypt to what was encrypted")
    return data
