"""Passwords in the forms: taken from their field (which is cleared at once), or for unattended notebooks
from a ``.password`` file beside the backup or the environment — never typed into a cell."""

from __future__ import annotations

import os
from pathlib import Path

import ipywidgets as widgets

from toolkit import errors


def take_password(field: widgets.Password, what: str, given: str | None = None) -> str:
    """The password typed into ``field`` (or ``given``, for scripted use); the field is cleared at once.

    Raises :class:`~toolkit.errors.PasswordMissingError` when there is none.
    """
    typed = field.value
    field.value = ""
    password = given if given is not None else typed
    if not password:
        raise errors.PasswordMissingError(f"No password was typed for {what}", hint="Type it into the password field.")
    return password


def password_for(backup: str | os.PathLike[str], *, env: str = "CONCORDIUM_BACKUP_PASSWORD") -> str:
    """A backup's password for notebooks run without a person: never typed into a cell.

    The first line of the ``.password`` file beside the backup (as the bundled
    samples have), else the environment variable ``env``.
    """
    from toolkit.format.passwords import read_password_file

    beside = Path(backup).with_suffix(".password")
    if beside.is_file():
        return read_password_file(str(beside))
    value = os.environ.get(env)
    if value:
        return value
    raise errors.PasswordMissingError(
        f"No {beside.name} beside the backup and no {env} in the environment",
        hint="Put the password into that file or variable, or type it into the form.",
    )
