"""Files into the forms: the file chooser (upload, a path on the kernel's machine, or a backup this session
made) and opening the chosen backup.

In page mode (:mod:`toolkit.widgets.page`) the chooser has no path field, or one confined to the operator's
folder; the kernel checks that at every read, whatever the page sent.  Outside page mode a backup's chooser
also has "Find the wallet's database": the Desktop Wallet databases on the kernel's machine
(:func:`toolkit.ops.find_db.find_wallet_databases`), one of which the user picks into the path field.  A
served page never has it: it would show the server's paths.
"""

from __future__ import annotations

import os
from typing import Any

import ipywidgets as widgets

from toolkit import errors
from toolkit.format.container import MAX_FILE_SIZE

from . import hints, page
from .html import error_html, muted_html, size_text
from .passwords import take_password
from .upload import SizedUpload

#: File types the upload buttons offer for backups (and the Desktop Wallet's own database, ``.sqlite3``).
BACKUP_ACCEPT = ".json,.concordiumwallet,.sqlite3"


def kernel_folder() -> str:
    """Where relative paths start, named without the machine's own path: ``the kernel's folder …/notebooks``."""
    return f"the kernel's folder …/{os.path.basename(os.getcwd()) or '/'}"


class ChoiceError(errors.CannotReadError):
    """Nothing (or nothing readable) was chosen: said before any password is used, so none is cleared."""


class UploadTooLargeError(errors.TooLargeError):
    """An upload over the size limit (refused by the browser, or arrived): said before any password is used."""


class FileSource(widgets.VBox):
    """A backup chosen by upload (the bytes), by a path on the machine running the kernel, or — given a
    ``session`` — from the backups this session produced.

    Whichever was set last counts: choosing one clears the others.  Relative
    paths start from the kernel's folder (shown under the field); ``~`` works.
    In page mode there is no path field, or one inside the operator's folder.
    """

    def __init__(self, label: str = "backup", *, accept: str = BACKUP_ACCEPT, session: Any = None) -> None:
        self.label = label
        self.session = session
        self.page = page.current()
        self.upload = SizedUpload(
            accept=accept,
            multiple=False,
            description=f"Upload {label}",
            max_size=MAX_FILE_SIZE,
            layout=widgets.Layout(width="auto"),
        )
        self.limit = widgets.HTML(muted_html(f"up to {size_text(MAX_FILE_SIZE)}", "ctk-limit"))
        self.path = widgets.Text(
            description="or path",
            placeholder="path on this machine, e.g. ~/Downloads/wallet-export.json",
            layout=widgets.Layout(width="32em"),
        )
        self.where = widgets.HTML(muted_html(f"relative paths start from {kernel_folder()}"))
        if self.page is not None:
            if self.page.paths:
                self.path.placeholder = "a file in the desk's folder, e.g. wallet-export.json"
                self.where.value = muted_html(f"paths start from {self.page.where()}; nothing outside it is read")
            else:
                page.hide(self.path, self.where)
                page.guard(self.path)
        #: Says at once, under the field, that a chosen file was too large and was not uploaded.
        self.refusal = widgets.HTML(layout=widgets.Layout(display="none"))
        self.refusal.add_class("ctk-refusal")
        self.upload.observe(self._on_upload, names="value")
        self.upload.observe(self._on_refused, names="refused")
        self.path.observe(self._on_path, names="value")
        rows: list[widgets.Widget] = [widgets.HBox([self.upload, self.limit, self.path]), self.refusal, self.where]
        #: "Find the wallet's database" and what it found (None in page mode and for non-backup files).
        self.finder: DatabaseFinder | None = None
        if self.page is None and accept == BACKUP_ACCEPT:
            self.finder = DatabaseFinder(self)
            rows.append(self.finder)
        self.pick: widgets.Dropdown | None = None
        if session is not None:
            self.pick = widgets.Dropdown(
                description="or one this page made",
                layout=widgets.Layout(width="44em"),
                style={"description_width": "initial"},
            )
            self.pick.observe(self._on_pick, names="value")
            session.observe(self._refresh, names="entries")
            self._refresh()
            rows.append(self.pick)
        super().__init__(children=rows)

    def _refresh(self, _change: Any = None) -> None:
        if self.pick is None:
            return
        keep = self.pick.value
        options = [("— (a backup this session made)", None)] + [(e.label, e) for e in reversed(self.session.entries)]
        self.pick.options = options
        values = [o[1] for o in options]
        # by index: a Dropdown shows a blank box for value None even when an option has it
        self.pick.index = values.index(keep) if keep in values else 0

    def _on_upload(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.path.value = ""
            if self.pick is not None:
                self.pick.index = 0
        self.upload.description = f"{change['new'][0].get('name')} ✓" if change["new"] else f"Upload {self.label}"

    def _on_refused(self, change: dict[str, Any]) -> None:
        refused = change["new"]
        if refused:
            self.path.value = ""
            if self.pick is not None:
                self.pick.index = 0
            shown = errors.restated(self.too_large(refused["size"]), hints.HINTS)
            self.refusal.value = error_html(shown, f"{refused['name'] or 'The file'} was not uploaded")
        else:
            self.refusal.value = ""
        self.refusal.layout.display = None if refused else "none"

    def _on_path(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.upload.clear()  # and an upload under way stops: the path is the later choice
            if self.pick is not None:
                self.pick.index = 0

    def _on_pick(self, change: dict[str, Any]) -> None:
        if change["new"] is not None:
            self.upload.clear()
            self.path.value = ""

    @property
    def mode(self) -> page.PageMode | None:
        """The page mode this chooser obeys: its own, or the kernel's if it was served later."""
        return self.page or page.current()

    def too_large(self, size: int) -> errors.TooLargeError:
        """The ``too-large`` error for an upload of ``size`` bytes (said before any password is used)."""
        if self.upload.accept == BACKUP_ACCEPT:
            return UploadTooLargeError(
                f"The file is {size:,} bytes ({size_text(size)}), more than the {MAX_FILE_SIZE:,} a backup can be"
            )
        if self.mode is not None and not self.mode.paths:
            return UploadTooLargeError(
                f"The file is {size:,} bytes ({size_text(size)}), more than the {MAX_FILE_SIZE:,} an upload can be",
                hint=f"Make the {self.label} file smaller.",
            )
        return UploadTooLargeError(  # a candidate list: it may well be larger, but not through the page
            f"The file is {size:,} bytes ({size_text(size)}), more than the {MAX_FILE_SIZE:,} an upload can be",
            hint=f"Type the {self.label} file's path on this machine instead.",
        )

    @property
    def picked(self) -> Any:
        """The session backup chosen (a :class:`~toolkit.widgets.session.Produced`), or None."""
        return self.pick.value if self.pick is not None else None

    def typed_path(self) -> str:
        """The path field's text (empty in page mode without a folder, whatever the page sent)."""
        mode = self.mode
        if mode is not None and not mode.paths:
            return ""
        return self.path.value.strip()

    @property
    def chosen(self) -> str | None:
        """The file's name (upload), path, or session backup's label; None when nothing is chosen."""
        if self.picked is not None:
            return self.picked.label
        if self.upload.value:
            return str(self.upload.value[0].get("name") or "upload")
        return self.typed_path() or None

    def read(self) -> tuple[bytes | str, str]:
        """(what :func:`toolkit.open_backup` accepts, a name to show).

        Raises :class:`~toolkit.errors.CannotReadError` when no file is chosen
        or the path names no file (relative paths start from the kernel's folder),
        :class:`~toolkit.errors.OutsideFolderError` for a path out of a served page's folder.
        """
        if self.upload.value:
            item = self.upload.value[0]
            data = bytes(item["content"])
            if len(data) > MAX_FILE_SIZE:
                raise self.too_large(len(data))
            return data, str(item.get("name") or "upload")
        if self.upload.refused:  # the browser kept it back: say so again rather than "nothing chosen"
            raise self.too_large(self.upload.refused["size"])
        receiving = self.upload.receiving
        if receiving is not None:  # pressed while the file still travels: say so rather than "nothing chosen"
            raise ChoiceError(
                f"{receiving['name'] or 'The file'} is still uploading ({size_text(receiving['received'])} of "
                f"{size_text(receiving['size'])})",
                hint="Wait until the line beside the upload button says it is uploaded, then press again.",
            )
        path = self.typed_path()
        mode = self.mode
        if not path:
            how = "Upload the file." if mode is not None and not mode.paths else "Upload the file or type its path."
            raise ChoiceError(f"No {self.label} was chosen", hint=how)
        if mode is not None:
            full = mode.read_path(path)
            where = mode.where()
        else:
            full = os.path.expanduser(path)
            where = kernel_folder()
        if not os.path.isfile(full):
            raise ChoiceError(
                f"There is no file {path} (relative paths start from {where})",
                hint="Check the path, or upload the file.",
            )
        return full, os.path.basename(path) or path


def _found_label(found: Any) -> str:
    """``mainnet · 1.2 MB · modified 2026-12-03 10:14 · /home/me/.config/Concordium Wallet/…sqlite3``."""
    import datetime as dt

    from toolkit.textsafe import safe_text

    when = dt.datetime.fromtimestamp(found.modified).strftime("%Y-%m-%d %H:%M")
    return safe_text(f"{found.network} · {size_text(found.size)} · modified {when} · {found.path}")


class DatabaseFinder(widgets.VBox):
    """A backup chooser's "Find the wallet's database" button and the list of what it found.

    Only outside page mode: the list shows paths on the kernel's machine, which a served page's users must not
    see (the chooser makes none in page mode, and :meth:`search` refuses if the kernel was served since).
    Picking one puts its path into the chooser's path field.
    """

    def __init__(self, source: FileSource) -> None:
        self.source = source
        self.button = widgets.Button(
            description="Find the wallet's database",
            icon="search",
            tooltip="List the Desktop Wallet databases on this machine (the wallet's folder of each network build)",
            layout=widgets.Layout(width="auto"),
        )
        self.button.add_class("ctk-find-db")
        self.button.on_click(lambda _b: self.search())
        self.choice = widgets.Dropdown(
            description="found",
            layout=widgets.Layout(width="56em", display="none"),
            style={"description_width": "initial"},
        )
        self.choice.add_class("ctk-found-db")
        self.choice.observe(self._on_choice, names="value")
        self.note = widgets.HTML()
        self.note.add_class("ctk-found-note")
        #: What the last search found (:class:`toolkit.ops.find_db.FoundDatabase`).
        self.found: list[Any] = []
        source.path.observe(self._on_path, names="value")
        super().__init__(children=[widgets.HBox([self.button, self.choice]), self.note])

    def _on_path(self, change: dict[str, Any]) -> None:
        if self.choice.value is not None and change["new"] != self.choice.value:
            self.choice.index = 0  # another file was chosen: the list no longer shows the choice

    def search(self) -> list[Any]:
        """Look in the wallet's folders of this machine; list what exists (size, modification time)."""
        from toolkit.ops.find_db import DATABASE_FILE, candidate_paths, find_wallet_databases

        if self.source.mode is not None:  # served since this chooser was made: show no path of the server
            self.found, self.choice.options = [], ()
            self.note.value = error_html(
                errors.OutsideFolderError("This page reads no file of the server", hint="Upload the file instead."),
                "Not searched",
            )
            return []
        self.found = find_wallet_databases()
        self.choice.unobserve(self._on_choice, names="value")
        try:
            self.choice.options = [("— (pick one)", None)] + [(_found_label(f), f.path) for f in self.found]
            self.choice.index = 0
        finally:
            self.choice.observe(self._on_choice, names="value")
        self.choice.layout.display = None if self.found else "none"
        if self.found:
            n = len(self.found)
            self.note.value = muted_html(
                f"{n} wallet database{'s' if n != 1 else ''} on this machine: pick one, then type the wallet's "
                "login password (close the Desktop Wallet first)"
            )
        else:
            folders = sorted({str(p.parent.parent) for p, _net in candidate_paths()})
            self.note.value = muted_html(
                f"No {DATABASE_FILE} in the wallet's folders under {', '.join(folders)} "
                "(docs/WALLET-DATABASE.md says where else to look)"
            )
        return self.found

    def _on_choice(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.source.path.value = change["new"]


def open_chosen(
    file: FileSource, field: widgets.Password, given: str | None = None, *, subject: str | None = None
) -> tuple[Any, str]:
    """Open the backup chosen in ``file`` with the password in ``field`` (cleared) or ``given``: (backup, name).

    ``subject`` (``"old"``, ``"a"``...) marks one of several inputs: an error then names the file.
    """
    from toolkit.model.backup import open_backup, open_input

    picked = file.picked
    if picked is not None:
        field.value = ""
        return picked.backup, picked.label
    source, name = file.read()
    password = take_password(field, f"the {file.label}", given)
    if subject is None:
        backup = open_backup(source, password)
    else:
        backup = open_input(source, password, subject=subject, what=f"the {file.label}", name=name)
    if file.session is not None:  # every backup opened on the page joins its list (its password stays unused)
        file.session.add(backup, name, "opened")
    return backup, name


def backup_of(provider: Any) -> Any:
    """The :class:`~toolkit.model.backup.Backup` given directly, or the ``.backup`` of a form that opened one."""
    if provider is None:
        return None
    return getattr(provider, "backup", provider)
