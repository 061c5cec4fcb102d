"""The Export form: a backup of the session and a new password typed twice → a new, verified file to download
(or saved at a path on the kernel's machine)."""

from __future__ import annotations

import os
from typing import Any

import ipywidgets as widgets

from toolkit import errors
from toolkit.format.passwords import MIN_PASSWORD_LENGTH
from toolkit.model.backup import LEGACY, Backup
from toolkit.model.save import WriteResult
from toolkit.ops.export import export_bytes, reexport

from . import page
from .downloads import Downloads, closed
from .files import backup_of
from .form import Form, wide
from .html import esc, message_html, pairs_html
from .passwords import take_password
from .session import BackupPicker

DEFAULT_NAMES = {LEGACY: "concordium-backup.concordiumwallet"}
DEFAULT_NAME = "wallet-export.json"


def export_name(backup: Backup, source_name: str) -> str:
    """The download's name: ``<source stem>-new<ext>``, or the wallet's usual name."""
    if source_name:
        stem, ext = os.path.splitext(os.path.basename(source_name))
        if ext.lower() in (".json", ".concordiumwallet") and stem:
            return f"{stem}-new{ext}"
    return DEFAULT_NAMES.get(backup.kind, DEFAULT_NAME)


class ExportForm(Form):
    """Write a backup to a new file with a new password, verify it, and offer it as a download.

    The backup is the one chosen in the form's picker: every backup this
    session opened, salvaged, recovered or merged (the newest is chosen).
    ``source`` (a :class:`~toolkit.model.backup.Backup` or a form exposing
    ``.backup``), when given, is used instead and no picker is shown.  An
    empty "Save as" (or "Offer a download") makes the file in memory and
    offers it as a download (sent to the browser only when clicked); a path
    writes it there.  A page served to others (page mode) has no "Save as", or
    one confined to the operator's folder.

    Attributes after :meth:`run`: ``result`` (:class:`~toolkit.model.save.WriteResult`;
    for a download its ``path`` is just the file name) and ``data`` (the
    file's bytes, for a download).
    """

    title = "Export with a new password"
    action = "Export"
    failure = "Could not export the backup"
    working = "encrypting and verifying the new file"

    def __init__(self, source: Any = None, *, session: Any = None) -> None:
        from .session import default_session

        self.source = source
        self.session = session if session is not None else default_session()
        self.picker = BackupPicker(self.session, "Export will write", description="Backup")
        self.new_password = widgets.Password(
            description="New password", placeholder=f"at least {MIN_PASSWORD_LENGTH} characters"
        )
        self.confirm_password = widgets.Password(description="Again", placeholder="the same password again")
        self.path = widgets.Text(
            description="Save as",
            placeholder="empty: a download link; or a path on this machine, e.g. ~/wallet-export-new.json",
            layout={"width": "40em"},
        )
        self.download = widgets.Checkbox(description="Offer a download", indent=False, layout=wide())
        #: The written file's download button (its bytes go to the browser only when clicked), after a run.
        self.downloads: Downloads | None = None
        self.force = widgets.Checkbox(description="Replace an existing file", indent=False, layout=wide())
        self.result: WriteResult | None = None
        self.data: bytes | None = None
        for w in (self.new_password, self.confirm_password, self.path):
            w.style.description_width = "8em"
        chooser: list[widgets.Widget] = [self.picker] if source is None else []
        super().__init__(
            [*chooser, self.new_password, self.confirm_password, self.path, widgets.HBox([self.download, self.force])]
        )
        self.button.icon = "save"

    def _reset(self) -> None:
        self.result, self.data = None, None
        closed(self.downloads)
        self.downloads = None

    def restrict(self, mode: page.PageMode) -> None:
        """Page mode: the file leaves by download, or is written only inside the operator's folder."""
        if not mode.paths:
            page.hide(self.path, self.download, self.force)
            page.guard(self.path)
        else:
            self.path.placeholder = "empty: a download; or a file name in the desk's folder"

    def _backup(self) -> tuple[Backup, str]:
        """The backup to write and a name for it."""
        if self.source is not None:
            backup = backup_of(self.source)
            name = getattr(self.source, "name", None) or (
                os.path.basename(backup.source) if getattr(backup, "source", None) else ""
            )
        else:
            chosen = self.picker.selected
            backup, name = (chosen.backup, chosen.name) if chosen is not None else (None, "")
        if not isinstance(backup, Backup):
            raise errors.InvalidArgumentError(
                "No backup to write yet", hint="Open, salvage, recover or merge one first; then choose it here."
            )
        return backup, str(name or "")

    def _run(self, *, password: str | None = None) -> WriteResult:
        backup, source_name = self._backup()
        new = take_password(self.new_password, "the new file", password)
        again = self.confirm_password.value
        self.confirm_password.value = ""
        if password is None and again != new:
            raise errors.PasswordMismatchError("The confirmation does not match the new password")
        mode = self.page or page.current()
        name = "" if mode is not None and not mode.paths else self.path.value.strip()
        download = self.download.value or not name
        if download:
            filename = os.path.basename(name) or export_name(backup, source_name)
            self.data, result = export_bytes(backup, new, name=filename)
            self.result = result
            self.downloads = Downloads()
            self.downloads.offer("file", f"Download {filename}", filename, self.data, note="encrypted")
        else:
            full = mode.write_path(name) if mode is not None else os.path.expanduser(name)
            result = reexport(backup, full, new, force=self.force.value)
            self.result = result
            self.ok(f"Written and verified: <b>{esc(name if mode is not None else os.path.abspath(result.path))}</b>")
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
        shown: list[widgets.Widget] = [widgets.HTML(pairs_html(rows))]
        if self.downloads is not None:
            shown.append(self.downloads)
        self.results.children = (*shown, widgets.HTML(note))
        if self.downloads is not None:  # "ready" once the page has drawn the button, not before
            downloads, filename = self.downloads, esc(self.downloads.filename("file"))
            self.ok(f"Written and verified: <b>{filename}</b>; its download button is on its way…")

            def ready() -> None:
                if self.downloads is downloads:  # still this form's result (not reset by new work)
                    self.ok(f"Written and verified: <b>{filename}</b>, ready: press <b>Download</b> to save it.")

            downloads.on_shown(ready)
        return result

    def run(self, *, password: str | None = None) -> WriteResult | None:  # type: ignore[override]
        """Export; ``password`` (scripts) is the new password, taken as confirmed and never put into the widgets."""
        return super().run(password=password)

    def describe(self) -> str:
        if self.result is not None:
            where = "download" if self.data is not None else os.path.basename(self.result.path)
            return f"written and verified ({where})"
        return super().describe()
