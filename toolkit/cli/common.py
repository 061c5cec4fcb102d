"""What every command shares: passwords, JSON output, errors as one line."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from typing import Any, TextIO

from toolkit import errors
from toolkit.format.passwords import MIN_PASSWORD_LENGTH, check_password, read_password_file
from toolkit.model.save import WriteResult
from toolkit.textsafe import json_safe, safe_text

from .hints import restate

PASSWORD_ENV = "CONCORDIUM_BACKUP_PASSWORD"
NEW_PASSWORD_ENV = "CONCORDIUM_BACKUP_NEW_PASSWORD"


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a usage mistake is a :class:`UsageError` (so ``--json`` still gets an object).

    Abbreviated options are off: ``--password x`` must not pass for ``--password-file x``.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        """As argparse's; a positional is shown in capitals (FILE, OLD NEW, IN OUT) unless it names its own."""
        if args and not str(args[0]).startswith("-") and "metavar" not in kwargs and kwargs.get("action") is None:
            kwargs["metavar"] = str(args[0]).upper()
        return super().add_argument(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        exc = errors.UsageError(message, hint=f"See '{self.prog} --help'")
        exc.usage = self.format_usage()  # type: ignore[attr-defined]
        raise exc


def no_core_dumps() -> None:
    """Keep secrets (passwords, keys, decrypted backups) out of core dumps of this process.

    ``RLIMIT_CORE`` 0 (inherited by worker processes, also across exec) and, on
    Linux, not dumpable (``PR_SET_DUMPABLE`` 0: no core, no ptrace by other
    processes of the same user).  Best effort: where the OS refuses, nothing changes.
    """
    try:
        import resource

        _soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
        resource.setrlimit(resource.RLIMIT_CORE, (0, hard))
    except (ImportError, ValueError, OSError):
        pass
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
        except (OSError, AttributeError):
            pass


_PR_SET_DUMPABLE = 4


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object for scripts")


def _interactive() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def get_password(file: str | None, *, env: str = PASSWORD_ENV, what: str = "the backup") -> str:
    """From ``file`` (first line), else ``$env``, else a hidden prompt; never from the command line."""
    if file:
        return read_password_file(file)
    value = os.environ.get(env)
    if value:
        return value
    if not _interactive():
        raise errors.PasswordMissingError(f"No password for {what}: no --password-file, no {env}, no terminal")
    password = getpass.getpass(f"Password for {safe_text(what)}: ")
    if not password:
        raise errors.PasswordMissingError(f"No password was typed for {what}")
    return password


def get_new_password(file: str | None, *, env: str = NEW_PASSWORD_ENV) -> str:
    """A password for a file being written: from ``file``, ``$env``, or typed twice; long enough (:func:`toolkit.format.passwords.check_password`)."""
    if file:
        password = read_password_file(file)
    elif os.environ.get(env):
        password = os.environ[env]
    elif _interactive():
        password = getpass.getpass(f"New password (at least {MIN_PASSWORD_LENGTH} characters): ")
        if getpass.getpass("Type it again: ") != password:
            raise errors.PasswordMismatchError("The two passwords differ")
    else:
        raise errors.PasswordMissingError(f"No new password: no --new-password-file, no {env}, no terminal")
    check_new_password(password)
    return password


def check_new_password(password: str) -> None:
    """The Desktop Wallet's rule (:func:`toolkit.format.passwords.check_password`), before any work is done."""
    check_password(password)


def print_json(obj: Any, out: TextIO | None = None) -> None:
    """``obj`` as JSON: exact values; control/bidi characters and lone surrogates as ``\\uXXXX`` escapes."""
    out = out or sys.stdout
    # streamed (no whole-text copy of a large result); the escaping is per character, so chunks are safe
    for chunk in json.JSONEncoder(ensure_ascii=False, indent=2, default=_json_default).iterencode(obj):
        out.write(json_safe(chunk))
    out.write("\n")


def emit(text: str, out: TextIO | None = None) -> None:
    """Print human-readable output: every value from a backup neutralised (:func:`toolkit.textsafe.safe_text`)."""
    (out or sys.stdout).write(safe_text(text, newlines=True) + "\n")


def _json_default(value: Any) -> Any:
    # numpy / pandas scalars and timestamps that reach JSON output
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def report_error(exc: errors.BackupError, *, as_json: bool) -> None:
    """One line on stderr (a usage mistake after the command's usage); with ``--json`` also the error object
    on stdout.  The hint is the command line's (:mod:`toolkit.cli.hints`)."""
    exc = restate(exc)
    if as_json:
        print_json({"error": exc.to_dict()})
    usage = getattr(exc, "usage", None)
    if usage:
        sys.stderr.write(usage)
    sys.stderr.write(error_line(exc))


def error_line(exc: errors.BackupError) -> str:
    """``concordium-backup: CODE: MESSAGE`` with the command line's hint, ending in a newline."""
    exc = restate(exc)
    return safe_text(f"concordium-backup: {exc.code}: {exc.message}", newlines=True) + "\n"


def describe_write(result: WriteResult) -> str:
    """One line saying what a verified write produced."""
    return (
        f"wrote {result.path}: {result.kind}, {result.size:,} bytes, "
        f"{result.iterations:,} PBKDF2 iterations; read back and verified"
    )
