"""What every command shares: passwords, JSON output, errors as one line."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from typing import Any, TextIO

from .. import errors

PASSWORD_ENV = "CONCORDIUM_BACKUP_PASSWORD"
NEW_PASSWORD_ENV = "CONCORDIUM_BACKUP_NEW_PASSWORD"
MIN_PASSWORD_LENGTH = 6


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a usage mistake is a :class:`UsageError` (so ``--json`` still gets an object).

    Abbreviated options are off: ``--password x`` must not pass for ``--password-file x``.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def error(self, message: str) -> None:  # type: ignore[override]
        raise errors.UsageError(f"{self.prog}: {message}")


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object for scripts")


#: A password file's first line is at most this many bytes (no password is longer).
MAX_PASSWORD_LINE = 4096


def read_password_file(path: str) -> str:
    """The first line of a file, without its line ending (spaces are kept: they may be part of it)."""
    with errors.reading(path, "password file"), open(path, "rb") as fh:
        raw = fh.readline(MAX_PASSWORD_LINE + 3)  # bounded: /dev/zero has no line end
    raw = raw.split(b"\n", 1)[0].split(b"\r", 1)[0]  # the first line, whatever its ending
    if len(raw) > MAX_PASSWORD_LINE:
        raise errors.LineTooLongError(f"The first line of the password file {path} is longer than 4 KiB")
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise errors.CannotReadError(f"The password file {path} is not UTF-8 text") from None
    password = line
    if not password:
        raise errors.PasswordMissingError(f"The password file {path} is empty")
    return password


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
    password = getpass.getpass(f"Password for {what}: ")
    if not password:
        raise errors.PasswordMissingError(f"No password was typed for {what}")
    return password


def get_new_password(file: str | None, *, env: str = NEW_PASSWORD_ENV) -> str:
    """A password for a file being written: from ``file``, ``$env``, or typed twice; at least 6 characters."""
    if file:
        password = read_password_file(file)
    elif os.environ.get(env):
        password = os.environ[env]
    elif _interactive():
        password = getpass.getpass("New password (at least 6 characters): ")
        if getpass.getpass("Type it again: ") != password:
            raise errors.PasswordMismatchError("The two passwords differ")
    else:
        raise errors.PasswordMissingError(f"No new password: no --new-password-file, no {env}, no terminal")
    check_new_password(password)
    return password


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise errors.PasswordTooShortError(f"The new password has {len(password)} characters")


def print_json(obj: Any, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    out.write(json.dumps(obj, ensure_ascii=False, indent=2, default=_json_default) + "\n")


def _json_default(value: Any) -> Any:
    # numpy / pandas scalars and timestamps that reach JSON output
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def report_error(exc: errors.BackupError, *, as_json: bool) -> None:
    """One line on stderr; with ``--json`` also the error object on stdout."""
    if as_json:
        print_json({"error": exc.to_dict()})
    sys.stderr.write(f"concordium-backup: {exc.code}: {exc.message}\n")
