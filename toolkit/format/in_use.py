"""Whether another program holds a file open for writing (the Desktop Wallet holding its database).

The wallet opens its database through SQLite, read-write, when the user logs in and keeps it open while it runs
(concordium-desktop-wallet@0ce97cb app/database/knexClient.ts over ``@journeyapps/sqlcipher``); a copy read
meanwhile may be half-written.  What the operating system lets an unprivileged program see, with the standard
library:

- **Linux**: every process's open files are links in ``/proc/PID/fd``, and ``/proc/PID/fdinfo/FD`` says how each
  was opened (``flags``): a process whose link names the file and whose access mode is not read-only holds it
  for writing.  Processes of other users are visible to root only; the wallet runs as the user who runs this.
- **macOS** (and other Unix systems without ``/proc``): ``lsof`` (part of macOS) lists the processes holding
  the file and their access mode (``-F pca``); without ``lsof`` nothing is checked.
- **Windows**: not checked.  SQLite opens files sharing read and write access (os_win.c ``winOpen``), so
  another program's open cannot be seen without writing to the wallet's folder, which the toolkit never does.

Only the journal beside the database (:func:`toolkit.format.sqlcipher.hot_journal`) is checked everywhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass

#: How long ``lsof`` may take (it is a fallback; a slow one is given up, not waited for).
LSOF_TIMEOUT = 10.0


@dataclass(frozen=True)
class Holder:
    """A process holding a file open for writing."""

    pid: int
    name: str

    def __str__(self) -> str:
        return f"process {self.pid} ({self.name})" if self.name else f"process {self.pid}"


def method(platform: str | None = None) -> str | None:
    """How :func:`writers` checks on ``platform`` (``sys.platform``): ``"proc"``, ``"lsof"`` or None (not checked)."""
    platform = platform or sys.platform
    if platform.startswith("win"):
        return None
    if platform.startswith("linux") and os.path.isdir("/proc/self/fd"):
        return "proc"
    return "lsof" if shutil.which("lsof") else None


def writers(path: str | os.PathLike[str], *, how: str | None = "auto") -> list[Holder] | None:
    """The other processes holding ``path`` open for writing ([] if none), or None when this system is not checked.

    ``how``: ``"proc"`` (Linux), ``"lsof"``, or ``"auto"`` (:func:`method`).  This process itself never counts.
    """
    if how == "auto":
        how = method()
    if how is None:
        return None
    target = os.path.realpath(os.fspath(path))
    return _from_proc(target) if how == "proc" else _from_lsof(target)


def _from_proc(target: str) -> list[Holder]:
    found: list[Holder] = []
    me = os.getpid()
    try:
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return found
    for pid in pids:
        if pid == me:
            continue
        fd_dir = f"/proc/{pid}/fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:  # gone, or another user's
            continue
        for fd in fds:
            try:
                if os.readlink(f"{fd_dir}/{fd}") != target:
                    continue
            except OSError:
                continue
            if _written(pid, fd):
                found.append(Holder(pid, _name(pid)))
                break
    return found


def _written(pid: int, fd: str) -> bool:
    """Whether descriptor ``fd`` of ``pid`` was opened for writing (its ``flags`` in fdinfo, in octal)."""
    try:
        with open(f"/proc/{pid}/fdinfo/{fd}", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("flags:"):
                    return int(line.split()[1], 8) & os.O_ACCMODE != os.O_RDONLY
    except (OSError, ValueError, IndexError):
        pass
    return True  # seen open but not how: count it (the safe side)


def _name(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm", encoding="utf-8", errors="replace") as fh:
            return fh.read().strip()[:64]
    except OSError:
        return ""


def _from_lsof(target: str) -> list[Holder] | None:
    """``lsof -F pca FILE``: ``p<pid>``, ``c<command>``, ``a<mode>`` (r, w, u) per open descriptor."""
    lsof = shutil.which("lsof")
    if lsof is None:
        return None
    try:
        out = subprocess.run(
            [lsof, "-w", "-n", "-P", "-F", "pca", "--", target],
            capture_output=True,
            timeout=LSOF_TIMEOUT,
            check=False,
        ).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.SubprocessError):
        return None
    found: dict[int, Holder] = {}
    pid, name, me = None, "", os.getpid()
    for line in out.splitlines():
        tag, value = line[:1], line[1:]
        if tag == "p":
            pid, name = (int(value), "") if value.isdigit() else (None, "")
        elif tag == "c":
            name = value[:64]
        elif tag == "a" and pid is not None and pid != me and value in ("w", "u"):
            found.setdefault(pid, Holder(pid, name))
    return list(found.values())
