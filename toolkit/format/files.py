"""Paths and guards every reader and writer shares: ``~`` and ``-``, never over an input, no stale temporary files.

:func:`user_path` is how every reader and writer takes a path: ``str`` or
``os.PathLike``, ``~`` expanded; ``-`` (:data:`STDIO`) stands for standard input
when reading (:func:`read_stdin`) and standard output when writing
(:func:`write_stdout`, refused when that is a terminal).

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
import os
import re
import stat
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from toolkit import errors

try:  # POSIX (Linux, macOS); on Windows a file another process holds open cannot be deleted anyway
    import fcntl
except ImportError:  # pragma: no cover - exercised by tests/safety/test_portability.py with fcntl hidden
    fcntl = None  # type: ignore[assignment]

#: A temporary file older than this, and not locked, belongs to a writer that died.
STALE_AFTER_SECONDS = 60.0

PathLike = str | os.PathLike[str]

#: The path that stands for standard input (reading) or standard output (writing).
STDIO = "-"


def is_stdio(path: object) -> bool:
    """Is ``path`` the ``-`` that stands for standard input/output?"""
    return isinstance(path, str) and path == STDIO


def user_path(path: PathLike) -> Path:
    """``path`` (str or PathLike; ``~`` and ``~user`` expanded) as a :class:`~pathlib.Path`.

    The one way readers and writers take a path a user typed; ``-`` stays ``-``
    (see :func:`is_stdio`).  Anything that is not a path is ``invalid-argument``.
    """
    try:
        text = os.fspath(path)
    except TypeError:
        raise errors.InvalidArgumentError(f"A path is text or a PathLike, not {type(path).__name__}") from None
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    return Path(os.path.expanduser(text))


def display_name(path: PathLike | None) -> str:
    """How to name ``path`` to a person: its base name, or "standard input" for ``-``."""
    if path is None:
        return ""
    if is_stdio(path):
        return "standard input"
    p = user_path(path)
    return p.name or str(p)


def read_stdin(max_size: int) -> bytes:
    """Up to ``max_size + 1`` bytes of standard input (the caller refuses more); never from a terminal."""
    return stdin_stream("a backup").read(max_size + 1)


def stdin_stream(what: str) -> BinaryIO:
    """Standard input as bytes, to read ``what`` from; ``cannot-read`` when there is none or it is a
    terminal (a backup is not typed, and a typed password would show)."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise errors.CannotReadError(f"There is no standard input to read {what} from")
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):
        terminal = False
    if terminal:
        raise errors.CannotReadError(
            f"Standard input is a terminal, not {what}",
            hint="Pipe or redirect it in (... < FILE), or name the file instead",
        )
    return stream


def stdout_is_terminal() -> bool:
    """Is standard output a terminal (where no backup or report is written)?"""
    try:
        return sys.stdout is not None and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def check_stdout() -> None:
    """Refuse to write a file to standard output when it is a terminal (``terminal-output``)."""
    if stdout_is_terminal():
        raise errors.TerminalOutputError("Standard output is a terminal; a file is not written to a screen")


def write_stdout(data: bytes) -> None:
    """``data`` to standard output (never a terminal: :func:`check_stdout`), flushed."""
    check_stdout()
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:
        raise errors.WriteFailedError("There is no standard output to write to")
    try:
        stream.write(data)
        stream.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise errors.WriteFailedError(f"Writing to standard output failed: {exc.strerror or exc}") from None


def same_file(a: PathLike, b: PathLike) -> bool:
    """Do ``a`` and ``b`` name the same file (same path after resolving links, or the same inode)?"""
    if is_stdio(a) or is_stdio(b):
        return False  # standard input/output is never a file an output could overwrite
    pa, pb = user_path(a), user_path(b)
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
    return f".{user_path(target).name}."


TEMP_SUFFIX = ".tmp"


def _is_ours(name: str, prefix: str) -> bool:
    # tempfile.mkstemp: prefix + 8 characters from [a-z0-9_] + suffix
    return re.fullmatch(re.escape(prefix) + r"[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX), name) is not None


def lock_temp(fd: int) -> None:
    """Mark a temporary file as being written (a later run leaves locked files alone).

    Where there is no ``fcntl`` (Windows) nothing is marked: there a file a live writer holds
    open cannot be deleted, which :func:`remove_stale_temps` relies on instead.
    """
    _try_lock(fd)


def _try_lock(fd: int) -> bool:
    """Take an exclusive lock on ``fd`` without waiting: False if another holds one (True without fcntl)."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def remove_stale_temps(target: PathLike, *, older_than: float = STALE_AFTER_SECONDS) -> list[str]:
    """Delete temporary files an interrupted write of ``target`` left; return their paths.

    Only ``.NAME.XXXXXXXX.tmp`` beside ``target``, regular files owned by this
    user, unchanged for ``older_than`` seconds and not locked by a live writer.
    """
    if is_stdio(target):
        return []
    path = user_path(target)
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
            fd = os.open(full, os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK)
        except OSError:
            continue
        closed = False
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or not _own(st) or now - st.st_mtime < older_than:
                continue
            if not _try_lock(fd):
                continue  # a live writer holds it
            if fcntl is None:  # Windows: an open file cannot be deleted, ours included; a writer's still is
                os.close(fd)
                closed = True
            with contextlib.suppress(OSError):
                now_there = os.stat(full, follow_symlinks=False)
                if (now_there.st_dev, now_there.st_ino) == (st.st_dev, st.st_ino):  # still the file we locked
                    os.unlink(full)
                    removed.append(str(full))
        finally:
            if not closed:
                os.close(fd)
    return removed


_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def _own(st: os.stat_result) -> bool:
    """Is the file this user's (always True where there are no user ids, as on Windows)?"""
    getuid = getattr(os, "getuid", None)
    return getuid is None or st.st_uid == getuid()


def check_output_path(output: PathLike, inputs: Iterable[PathLike | bytes | None], *, force: bool) -> None:
    """Refuse early (before any password is asked or work done): ``output`` is an input (``same-file``),
    a folder (``write-failed``), or exists and ``force`` is not given (``output-exists``).

    ``-`` (standard output) is refused only when it is a terminal (``terminal-output``).
    """
    if is_stdio(output):
        check_stdout()
        return
    out = user_path(output)
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
    ``path`` ``-`` writes ``data`` to standard output instead (:func:`write_stdout`).
    """
    if is_stdio(path):
        write_stdout(data)
        return
    target = user_path(path)
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


def confined_path(folder: PathLike, name: str, *, writing: bool = False) -> Path:
    """``name`` (relative) inside ``folder``, resolved: the path to use, or :class:`~toolkit.errors.OutsideFolderError`.

    For a page served to others (the support desk in Voilà), whose users must reach no other file of the
    server.  Refused: an empty or absolute name, ``~``, a NUL, any ``..`` part, and a name that resolves
    outside the folder through a symlink (the folder's own symlinks are followed first).  For ``writing``
    the file need not exist, but its folder must, inside ``folder``, and the name itself must not be a
    symlink (the writers replace nothing through one).  The returned path is the resolved one, so a later
    open does not follow the same links again.
    """
    text = str(name).strip()
    shown = text[:200]
    if not text or "\0" in text or text.startswith("~") or os.path.isabs(text) or "\\" in text:
        raise errors.OutsideFolderError(f"{shown or 'An empty name'} is not a file name inside the folder")
    parts = Path(text).parts
    if ".." in parts:
        raise errors.OutsideFolderError(f"{shown} leaves the folder (..)")
    base = Path(os.path.realpath(os.fspath(folder)))
    if not base.is_dir():
        raise errors.CannotReadError(f"The folder {base.name} does not exist")
    candidate = base.joinpath(*parts)
    if writing:
        if candidate.is_symlink():
            raise errors.OutsideFolderError(f"{shown} is a symbolic link")
        parent = Path(os.path.realpath(candidate.parent))
        resolved = parent / candidate.name
    else:
        resolved = Path(os.path.realpath(candidate))
        parent = resolved.parent
    if resolved != base and base not in resolved.parents:
        raise errors.OutsideFolderError(f"{shown} leads outside the folder")
    if writing and not parent.is_dir():
        raise errors.WriteFailedError(f"The folder of {shown} does not exist")
    return resolved
