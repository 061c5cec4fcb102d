"""Reading a password from a file: shared by the command line and the notebooks (never from an argument)."""

from __future__ import annotations

import os

from . import errors


def read_password_file(path: str | os.PathLike[str]) -> str:
    """The first line of a file, without its line ending (spaces are kept: they may be part of it)."""
    path = os.fspath(path)
    try:
        with errors.reading(path, "password file"), open(path, encoding="utf-8") as fh:
            line = fh.readline()
    except UnicodeDecodeError:
        raise errors.CannotReadError(f"The password file {path} is not UTF-8 text") from None
    password = line.rstrip("\r\n")
    if not password:
        raise errors.PasswordMissingError(f"The password file {path} is empty")
    return password
