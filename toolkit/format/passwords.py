"""Reading a password from a file: shared by the command line and the notebooks (never from an argument)."""

from __future__ import annotations

import os

from toolkit import errors

from . import files

#: The Desktop Wallet's shortest password for an export.
MIN_PASSWORD_LENGTH = 6


def check_password(password: str | bytes) -> None:
    """The Desktop Wallet's rule for a new export's password: at least :data:`MIN_PASSWORD_LENGTH` characters."""
    length = len(password.decode("utf-8", "replace") if isinstance(password, bytes) else password)
    if length < MIN_PASSWORD_LENGTH:
        raise errors.PasswordTooShortError(
            f"The new password has {length} characters; the Desktop Wallet requires at least {MIN_PASSWORD_LENGTH}"
        )


#: A password file's first line is at most this many bytes (no password is longer).
MAX_PASSWORD_LINE = 4096


def read_password_file(path: str | os.PathLike[str]) -> str:
    """The first line of a file, without its line ending (spaces are kept: they may be part of it).

    Reading is bounded (``/dev/zero`` has no line end): a first line over :data:`MAX_PASSWORD_LINE`
    bytes is ``line-too-long``.  ``-`` reads the first line of standard input.
    """
    if files.is_stdio(path):
        path = "(standard input)"
        raw = files.stdin_stream("a password").readline(MAX_PASSWORD_LINE + 3)
    else:
        path = os.fspath(files.user_path(path))
        with errors.reading(path, "password file"), open(path, "rb") as fh:
            raw = fh.readline(MAX_PASSWORD_LINE + 3)
    raw = raw.split(b"\n", 1)[0].split(b"\r", 1)[0]  # the first line, whatever its ending
    if len(raw) > MAX_PASSWORD_LINE:
        raise errors.LineTooLongError(f"The first line of the password file {path} is longer than 4 KiB")
    try:
        password = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise errors.CannotReadError(f"The password file {path} is not UTF-8 text") from None
    if not password:
        raise errors.PasswordMissingError(f"The password file {path} is empty")
    return password
