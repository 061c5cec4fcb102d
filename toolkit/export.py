"""Writing a backup to a new file the wallet imports: atomic, verified, never over an input.

The plaintext is the document as its wallet serialises it (the original bytes
while unchanged); the container is fresh (new random salt and IV).  The file
is written to a temporary name in the same folder, fsynced, moved into place,
then read back, decrypted and compared before success is reported.  A failure
at any step leaves nothing under the output name.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from . import container as ct
from . import errors, files
from .backup import Backup
from .passwords import MIN_PASSWORD_LENGTH, check_password  # noqa: F401 - the library's names for them


@dataclass(frozen=True)
class WriteResult:
    """What was written and checked."""

    path: str
    kind: str
    size: int
    sha256: str
    iterations: int
    verified: bool = True

    def to_dict(self) -> dict[str, object]:
        return {
            "output": self.path,
            "kind": self.kind,
            "bytes": self.size,
            "sha256": self.sha256,
            "iterations": self.iterations,
            "verified": self.verified,
        }


def write_bytes_atomic(
    path: str | os.PathLike[str],
    data: bytes,
    *,
    force: bool = False,
    protect: Iterable[str | os.PathLike[str] | None] = (),
) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder (fsynced, then renamed).

    Without ``force`` an existing ``path`` is never replaced, even one that appears meanwhile;
    a ``path`` that is one of the input files ``protect`` names never is (``same-file``).
    Temporary files an earlier, killed write of ``path`` left are removed first.
    """
    target = Path(path)
    files.refuse_same_file(target, protect)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise errors.WriteFailedError(f"The folder {folder} does not exist")
    files.remove_stale_temps(target)
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=files.temp_prefix(target), suffix=files.TEMP_SUFFIX)
        files.lock_temp(fd)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if force:
            os.replace(tmp_name, target)
        else:
            try:
                os.link(tmp_name, target)  # fails if the name was taken meanwhile
            except FileExistsError:
                raise errors.OutputExistsError(f"{target} already exists") from None
            except OSError:  # a filesystem without hard links
                if target.exists():
                    raise errors.OutputExistsError(f"{target} already exists") from None
                os.replace(tmp_name, target)
        _fsync_folder(folder)
    except errors.BackupError:
        raise
    except OSError as exc:
        raise errors.WriteFailedError(f"Writing {target} failed: {exc.strerror or exc}") from None
    finally:
        if tmp_name and os.path.exists(tmp_name):
            os.unlink(tmp_name)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


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
    source always is).
    """
    check_password(password)
    target = Path(path)
    files.check_output_path(target, (backup.source, *protect), force=force)
    layout = "legacy" if backup.is_legacy else "desktop"
    plaintext = backup.to_plaintext()
    data = ct.encrypt(plaintext, password, iterations=iterations, layout=layout)
    write_bytes_atomic(target, data, force=force, protect=(backup.source, *protect))
    ok = False
    try:  # an unverified file is never left under the output name, even on Ctrl-C
        written = ct.read_source(target)
        box = ct.parse_container(written)
        ok = ct.decrypt(box, password).plaintext == plaintext and written == data
    except (errors.BackupError, OSError):
        ok = False
    finally:
        if not ok:
            with contextlib.suppress(OSError):
                target.unlink()
    if not ok:
        raise errors.VerifyFailedError(f"{target} did not read back as written")
    return WriteResult(
        path=str(target),
        kind=backup.kind,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        iterations=box.kdf.iterations,
    )


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
    password: str,
    *,
    to: str | None = None,
    identities: tuple[str | int, ...] | list[str | int] = (),
    accounts: tuple[str, ...] | list[str] = (),
    force: bool = False,
    protect: tuple[str | os.PathLike[str], ...] = (),
    iterations: int | None = None,
) -> WriteResult:
    """Write ``backup`` (optionally only some identities/accounts) to a new file its wallet imports.

    Every field is kept, unknown ones and key order included, so an unchanged
    backup's plaintext is byte for byte the input's.  ``to`` ("desktop" or
    "legacy") only confirms the kind: a legacy mobile file stays a legacy file
    and a Desktop file a Desktop file (:class:`IncompatibleKindsError`
    otherwise; FORMAT.md §4).  ``identities``/``accounts`` select a subset
    (see :func:`toolkit.subset.subset_backup`).  The rest is :func:`save_backup`.
    """
    check_target(backup, to)
    source = backup.source
    if identities or accounts:
        from .subset import subset_backup

        backup = subset_backup(backup, identities=identities, accounts=accounts)
    guard = tuple(p for p in (source, *protect) if p is not None)
    return save_backup(backup, path, password, force=force, protect=guard, iterations=iterations)


def check_target(backup: Backup, to: str | None) -> None:
    """Refuse to turn one wallet's file into the other's (FORMAT.md §4); ``to`` None means "as it is"."""
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
    result = WriteResult(
        path=name,
        kind=backup.kind,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        iterations=ct.parse_container(data).kdf.iterations,
    )
    return data, result
