"""The Export form: a new password typed twice → a new, verified backup file (a path, or a download link)."""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from .. import errors
from ..backup import LEGACY, Backup
from ..export import MIN_PASSWORD_LENGTH, WriteResult, reexport
from .common import Form, backup_of, download_link_html, esc, message_html, pairs_html, take_password

DEFAULT_NAMES = {LEGACY: "concordium-backup.concordiumwallet"}
DEFAULT_NAME = "wallet-export.json"


class ExportForm(Form):
    """Write the opened backup to a new file with a new password, then read it back to verify it.

    ``source`` is a :class:`~toolkit.backup.Backup` or a form that exposes one
    as ``.backup`` (the Open, Salvage or Recovery form), looked up when the
    button is pressed.  With "Offer a download link" the file is written to a
    temporary folder, verified there, and offered as a link (the path field
    then only names the download).

    Attributes after :meth:`run`: ``result`` (:class:`~toolkit.export.WriteResult`;
    for a download its ``path`` is just the file name) and ``data`` (the
    file's bytes, for a download).
    """

    title = "Export with a new password"
    action = "Export"
    failure = "Could not export the backup"

    def __init__(self, source: Any = None) -> None:
        self.source = source
        self.new_password = widgets.Password(
            description="New password", placeholder=f"at least {MIN_PASSWORD_LENGTH} characters"
        )
        self.confirm_password = widgets.Password(description="Again", placeholder="the same password again")
        self.path = widgets.Text(
            description="Save as", placeholder="output path, e.g. wallet-export-new.json", layout={"width": "32em"}
        )
        self.download = widgets.Checkbox(description="Offer a download link instead", indent=False)
        self.force = widgets.Checkbox(description="Replace an existing file", indent=False)
        self.result: WriteResult | None = None
        self.data: bytes | None = None
        for w in (self.new_password, self.confirm_password, self.path):
            w.style.description_width = "8em"
        super().__init__(
            [self.new_password, self.confirm_password, self.path, widgets.HBox([self.download, self.force])]
        )
        self.button.icon = "save"

    def _reset(self) -> None:
        self.result, self.data = None, None

    def _backup(self) -> Backup:
        backup = backup_of(self.source)
        if not isinstance(backup, Backup):
            raise errors.InvalidArgumentError(
                "No backup is open", hint="Open one first (Open, Salvage or Recovery form)."
            )
        return backup

    def _run(self, *, password: str | None = None) -> WriteResult:
        new = take_password(self.new_password, "the new file", password)
        again = self.confirm_password.value
        self.confirm_password.value = ""
        if password is None and again != new:
            raise errors.PasswordMismatchError("The confirmation does not match the new password")
        backup = self._backup()
        name = self.path.value.strip()
        if self.download.value:
            filename = os.path.basename(name) or DEFAULT_NAMES.get(backup.kind, DEFAULT_NAME)
            with tempfile.TemporaryDirectory(prefix="ctk-export-") as tmp:
                written = reexport(backup, Path(tmp) / filename, new)
                self.data = (Path(tmp) / filename).read_bytes()
            result = self.result = dataclasses.replace(written, path=filename)  # the temporary file is gone
            self.ok(f"Written and verified: <b>{esc(filename)}</b>, ready to download.")
            body = download_link_html(self.data, filename, note="encrypted")
        else:
            if not name:
                raise errors.InvalidArgumentError(
                    "No output path was given", hint="Type where to save the file, or offer a download link."
                )
            result = reexport(backup, os.path.expanduser(name), new, force=self.force.value)
            self.result = result
            self.ok(f"Written and verified: <b>{esc(result.path)}</b>")
            body = ""
        rows = [
            ("kind", result.kind),
            ("bytes", f"{result.size:,}"),
            ("sha256", result.sha256),
            ("PBKDF2 iterations", f"{result.iterations:,}"),
            ("read back and decrypted", "yes" if result.verified else "NO"),
        ]
        note = message_html(
            "Keep the new password safe: without it this file cannot be opened, and nobody can reset it.", "info"
        )
        self.results.children = (widgets.HTML(pairs_html(rows) + (f"<p>{body}</p>" if body else "") + note),)
        return result

    def run(self, *, password: str | None = None) -> WriteResult | None:  # type: ignore[override]
        """Export; ``password`` (scripts) is the new password, taken as confirmed and never put into the widgets."""
        return super().run(password=password)

    def describe(self) -> str:
        if self.result is not None:
            where = "download" if self.data is not None else os.path.basename(self.result.path)
            return f"written and verified ({where})"
        return super().describe()
