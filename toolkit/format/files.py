"""Guards every writer shares: never over an input, and no stale temporary files of ours.

:func:`refuse_same_file` is called by every function that writes a file the
user named (backups, reports, CSV folders, checkpoints, a found password):
an output that is an input is refused with ``same-file``, whatever ``force``
says.  :func:`remove_stale_temps` cleans up what an earlier run killed
mid-write (``kill -9``, power loss) left behind: only files of our own naming
pattern, owned by us, old enough and not locked by a live writer.
:func:`write_bytes_atomic` is the one way the toolkit writes a file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from toolkit import errors

#: A temporary file older than this, and not locked, belongs to a writer that died.
STALE_AFTER_SECONDS = 60.0

PathLike = str | os.PathLike[str]


def same_file(a: PathLike, b: PathLike) -> bool:
    """Do ``a`` and ``b`` name the same file (same path after resolving links, or the same inode)?"""
    pa, pb = Path(a), Path(b)
    try:
        if pa.resolve() == pb.resolve():
            return True
        return pa.exists() and pb.exists() and os.path.samefile(pa, pb)
    except (OSError, RuntimeError, ValueError):
        return False


def refuse_same_file(target: PathLike, inputs: Iterable[PathLike | bytes | None]) -> None:
    """Raise :class:`~toolkit.errors.SameFileError` if ``target`` is one of ``inputs`` (never overridable)."""
    for src in inputs:
        if src is None or isinstance(src, (bytes, bytearray, memoryview)) or hasattr(src, "read"):
            continue
        if same_file(target, src):
            raise errors.SameFileError(f"{os.fspath(target)} is an input file")


def temp_prefix(target: PathLike) -> str:
    """The prefix of our temporary files for ``target`` (``.NAME.`` + 8 random characters + ``.tmp``)."""
    return f".{Path(target).name}."


TEMP_SUFFIX = ".tmp"


def _is_ours(name: str, prefix: str) -> bool:
    # tempfile.mkstemp: prefix + 8 characters from [a-z0-9_] + suffix
    return re.fullmatch(re.escape(prefix) + r"[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX), name) is not None


def lock_temp(fd: int) -> None:
    """Mark a temporary file as being written (a later run leaves locked files alone)."""
    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def remove_stale_temps(target: PathLike, *, older_than: float = STALE_AFTER_SECONDS) -> list[str]:
    """Delete temporary files an interrupted write of ``target`` left; return their paths.

    Only ``.NAME.XXXXXXXX.tmp`` beside ``target``, regular files owned by this
    user, unchanged for ``older_than`` seconds and not locked by a live writer.
    """
    path = Path(target)
    folder = path.parent if str(path.parent) else Path(".")
    prefix = temp_prefix(path)
    removed: list[str] = []
    try:
        names = [n for n in os.listdir(folder) if n.startswith(prefix)]
    except OSError:
        return removed
    now = time.time()
    for name in names:
        if not _is_ours(name, prefix):
            continue
        full = folder / name
        try:
            fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or now - st.st_mtime < older_than:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # a live writer holds it
            with contextlib.suppress(OSError):
                now_there = os.stat(full, follow_symlinks=False)
                if (now_there.st_dev, now_there.st_ino) == (st.st_dev, st.st_ino):  # still the file we locked
                    os.unlink(full)
                    removed.append(str(full))
        finally:
            os.close(fd)
    return removed


def check_output_path(output: PathLike, inputs: Iterable[PathLike | bytes | None], *, force: bool) -> None:
    """Refuse early (before any password is asked or work done): ``output`` is an input (``same-file``),
    a folder (``write-failed``), or exists and ``force`` is not given (``output-exists``)."""
    out = Path(os.fspath(output))
    refuse_same_file(out, inputs)
    if out.is_dir():
        raise errors.WriteFailedError(f"{out} is a folder")
    if out.exists() and not force:
        raise errors.OutputExistsError(f"{out} already exists")


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
    refuse_same_file(target, protect)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise errors.WriteFailedError(f"The folder {folder} does not exist")
    remove_stale_temps(target)
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=temp_prefix(target), suffix=TEMP_SUFFIX)
        lock_temp(fd)
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
