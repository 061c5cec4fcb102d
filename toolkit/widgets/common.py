"""What every form shares: the file chooser, password handling, error boxes, tables as HTML.

A form is a thin skin: it reads its widgets, calls one library function and
renders the result.  :class:`Form` gives every form the same behaviour around
that call: the button is disabled while it runs, every password field is
cleared afterwards (whatever happened), a :class:`~toolkit.errors.BackupError`
is shown in plain words with its code, and anything else as a one-line
"internal error (TypeName)" — never a traceback.
"""

from __future__ import annotations

import base64
import html
import logging
import os
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from .. import errors
from ..textsafe import safe_text
from . import hints

log = logging.getLogger("toolkit.widgets")

#: File types the upload buttons offer for backups.
BACKUP_ACCEPT = ".json,.concordiumwallet"

#: Styles for the forms' tables and boxes (put once into every form's heading).
STYLE = """<style>
.ctk-table { border-collapse: collapse; font-size: 12px; }
.ctk-table th, .ctk-table td { padding: 2px 8px; border-bottom: 1px solid #e0e0e0; text-align: left;
  vertical-align: top; }
.ctk-table th, .ctk-table td { white-space: nowrap; }
.ctk-wrap .ctk-table td { white-space: normal; min-width: 8em; max-width: 48em; }
.ctk-table thead th { position: sticky; top: 0; background: #f3f5f7; }
.ctk-form details > summary { cursor: pointer; margin: 4px 0; }
</style>"""
#: Text cells longer than this are shortened on screen (the frames keep them whole).
MAX_CELL = 60
#: Rows shown in a form's table; the frame exposed as an attribute keeps them all.
MAX_ROWS = 500

_COLOURS = {
    "error": ("#8a1c1c", "#fdecea", "#e0a3a3"),
    "warning": ("#6b4f00", "#fff8e1", "#e6cf80"),
    "ok": ("#1e5b2a", "#e8f5e9", "#9ccc9f"),
    "info": ("#1f3b5a", "#eef4fb", "#a9c2de"),
}


def esc(value: Any) -> str:
    """``value`` as text safe to put into HTML (control/bidi characters visibly escaped, then HTML-escaped)."""
    return html.escape(safe_text(value), quote=True)


def message_html(body_html: str, kind: str = "info") -> str:
    """A coloured box (``error``, ``warning``, ``ok`` or ``info``) around already-escaped HTML."""
    fg, bg, border = _COLOURS.get(kind, _COLOURS["info"])
    style = f"color:{fg};background:{bg};border:1px solid {border};border-radius:4px;padding:6px 10px;margin:4px 0"
    return f'<div class="ctk-message ctk-{kind}" style="{style}">{body_html}</div>'


def error_html(exc: BaseException, what: str) -> str:
    """One line saying what failed and why: the error's message and code, or "internal error (TypeName)"."""
    if isinstance(exc, errors.BackupError):
        body = f"<b>{esc(what)}.</b> {esc(exc.message)} <small>(code: {esc(exc.code)})</small>"
    else:
        body = (
            f"<b>{esc(what)}.</b> Internal error ({esc(type(exc).__name__)}): "
            "this is a bug in the toolkit, please report it."
        )
    return message_html(body, "error")


def notices_html(notices: Iterable[str]) -> str:
    """Each notice as a warning box."""
    return "".join(message_html(esc(n), "warning") for n in notices)


def shorten(value: Any, limit: int = MAX_CELL) -> Any:
    """A long unbroken token (hex key, encrypted amount) as its start and end around an ellipsis; prose as is."""
    if not isinstance(value, str):
        return value
    value = safe_text(value)  # control/bidi characters visibly escaped before any cut
    if len(value) > limit and " " not in value:
        return f"{value[: limit // 2 - 4]}…{value[-8:]}"
    return value


def shorten_frame(frame: pd.DataFrame, limit: int = MAX_CELL) -> pd.DataFrame:
    """A copy of ``frame`` with long texts shortened (for display only)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(lambda v: shorten(v, limit))
    out.columns = [safe_text(c) for c in out.columns]  # a field name from the file is text from the file
    return out


def frame_html(frame: pd.DataFrame | Any, *, max_height: str = "24em", index: bool = False, wrap: bool = False) -> str:
    """A DataFrame (or a pandas ``Styler``) as a scrollable HTML table; values are escaped, long tokens shortened.

    ``wrap`` lets long texts (messages) wrap inside their cells; otherwise a row stays on one line.
    """
    note = ""
    if isinstance(frame, pd.DataFrame):
        shown, note = capped(frame)
        table = shorten_frame(shown).to_html(index=index, na_rep="", escape=True, border=0, classes="ctk-table")
    else:  # a Styler: its own escaping was asked for by the caller
        table = frame.to_html()
    return scroll_html(table, max_height=max_height, wrap=wrap) + note


def capped(frame: pd.DataFrame, limit: int = MAX_ROWS) -> tuple[pd.DataFrame, str]:
    """The first ``limit`` rows, and a note saying so when rows were left out (a browser chokes on 20,000)."""
    if len(frame) <= limit:
        return frame, ""
    note = (
        f'<div class="ctk-capped" style="color:#555;font-size:12px">Showing the first {limit:,} of '
        f"{len(frame):,} rows; the form's attributes hold every row.</div>"
    )
    return frame.head(limit), note


def scroll_html(inner_html: str, *, max_height: str = "24em", wrap: bool = False) -> str:
    """HTML in a box that scrolls when taller than ``max_height`` or wider than the form."""
    classes = "ctk-table-wrap ctk-wrap" if wrap else "ctk-table-wrap"
    return f'<div class="{classes}" style="max-height:{max_height};overflow:auto">{inner_html}</div>'


def download_link_html(data: bytes, name: str, *, note: str = "") -> str:
    """A link that saves ``data`` as ``name`` from the browser (the bytes travel inside the link)."""
    href = "data:application/octet-stream;base64," + base64.b64encode(data).decode("ascii")
    extra = f", {esc(note)}" if note else ""
    return (
        f'<a class="ctk-download" download="{esc(name)}" href="{href}" '
        f'style="font-weight:bold">⬇ Download {esc(name)}</a> ({len(data):,} bytes{extra})'
    )


def pairs_html(rows: Iterable[tuple[str, Any]]) -> str:
    """Label/value rows as a small two-column table."""
    cells = "".join(
        f'<tr><th style="text-align:left;padding-right:1em">{esc(k)}</th><td>{esc(v)}</td></tr>' for k, v in rows
    )
    return f'<table class="ctk-pairs">{cells}</table>'


def tables_tab(tables: dict[str, pd.DataFrame], *, selected: str | None = None) -> widgets.Tab:
    """One tab per table, titled ``name (rows)``; ``selected`` is the tab shown first."""
    names = list(tables)
    tab = widgets.Tab(
        children=[widgets.HTML(frame_html(tables[n])) for n in names],
        titles=[f"{n} ({len(tables[n])})" for n in names],
    )
    tab.selected_index = names.index(selected) if selected in names else (0 if names else None)
    return tab


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
    from ..passwords import read_password_file

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


class FileSource(widgets.VBox):
    """A backup chosen by upload (the bytes) or by a path on the machine running the kernel.

    Whichever was set last counts: choosing a file clears the path and typing a
    path clears the upload.
    """

    def __init__(self, label: str = "backup", *, accept: str = BACKUP_ACCEPT) -> None:
        self.label = label
        self.upload = widgets.FileUpload(
            accept=accept, multiple=False, description=f"Upload {label}", layout=widgets.Layout(width="auto")
        )
        self.path = widgets.Text(
            description="or path",
            placeholder="path on this machine, e.g. data/samples/wallet-export.json",
            layout=widgets.Layout(width="32em"),
        )
        self.upload.observe(self._on_upload, names="value")
        self.path.observe(self._on_path, names="value")
        super().__init__(children=[widgets.HBox([self.upload, self.path])])

    def _on_upload(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.path.value = ""

    def _on_path(self, change: dict[str, Any]) -> None:
        if change["new"] and self.upload.value:
            self.upload.value = ()

    @property
    def chosen(self) -> str | None:
        """The file's name (upload) or path, or None when nothing is chosen."""
        if self.upload.value:
            return str(self.upload.value[0].get("name") or "upload")
        return self.path.value.strip() or None

    def read(self) -> tuple[bytes | str, str]:
        """(what :func:`toolkit.open_backup` accepts, a name to show).

        Raises :class:`~toolkit.errors.CannotReadError` when no file is chosen.
        """
        if self.upload.value:
            item = self.upload.value[0]
            return bytes(item["content"]), str(item.get("name") or "upload")
        path = self.path.value.strip()
        if not path:
            raise errors.CannotReadError(
                f"No {self.label} was chosen", hint="Upload the file or type its path on this machine."
            )
        return os.path.expanduser(path), os.path.basename(path) or path


def open_chosen(
    file: FileSource, field: widgets.Password, given: str | None = None, *, subject: str | None = None
) -> tuple[Any, str]:
    """Open the backup chosen in ``file`` with the password in ``field`` (cleared) or ``given``: (backup, name).

    ``subject`` (``"old"``, ``"a"``...) marks one of several inputs: an error then names the file.
    """
    from ..backup import open_backup, open_input

    source, name = file.read()
    password = take_password(field, f"the {file.label}", given)
    if subject is None:
        return open_backup(source, password), name
    return open_input(source, password, subject=subject, what=f"the {file.label}", name=name), name


def backup_of(provider: Any) -> Any:
    """The :class:`~toolkit.backup.Backup` given directly, or the ``.backup`` of a form that opened one."""
    if provider is None:
        return None
    return getattr(provider, "backup", provider)


class Form(widgets.VBox):
    """Base of every form: a title, controls, one button, a status line and a results area.

    Subclasses build ``controls`` and implement :meth:`_run`; ``run()`` is what
    the button calls.  ``error`` holds the last failure (None after success).
    """

    #: Shown as the form's heading.
    title = ""
    #: The button's label.
    action = "Run"
    #: Said before an error, e.g. "Could not open the backup".
    failure = "It did not work"

    def __init__(
        self, controls: list[widgets.Widget], *, beside_button: list[widgets.Widget] = (), **kwargs: Any
    ) -> None:
        self.button = widgets.Button(description=self.action, button_style="primary", icon="play")
        self.button.on_click(self._on_click)
        self.status = widgets.HTML()
        self.results = widgets.VBox()
        self.error: BaseException | None = None
        heading = widgets.HTML(STYLE + (f"<h3 style='margin:4px 0'>{esc(self.title)}</h3>" if self.title else ""))
        buttons = widgets.HBox([self.button, *beside_button]) if beside_button else self.button
        children = [heading, *controls, buttons, self.status, self.results]
        super().__init__(children=children, **kwargs)
        self.add_class("ctk-form")

    # ---------------------------------------------------------------- running
    def _on_click(self, _button: widgets.Button) -> None:
        self.run()

    def password_fields(self) -> list[widgets.Password]:
        """Every password field of the form (cleared after each run)."""
        return [w for w in vars(self).values() if isinstance(w, widgets.Password)]

    def clear_passwords(self) -> None:
        for field in self.password_fields():
            field.value = ""

    def _begin(self) -> None:
        self.error = None
        self.status.value = ""
        self.results.children = ()
        self._reset()

    def _fail(self, exc: BaseException) -> None:
        """Forget any result and show ``exc`` in plain words (an unexpected one as "internal error (TypeName)")."""
        if not isinstance(exc, errors.BackupError):  # the trace as text: it holds no frames (no locals)
            trace = "".join(traceback.format_tb(exc.__traceback__))  # code locations only, no message
            log.debug("internal error (%s) in %s:\n%s", type(exc).__name__, type(self).__name__, trace)
        self.error = errors.without_traceback(exc)  # its frames' locals may hold a password
        self._reset()
        self.results.children = ()
        shown = errors.restated(exc, hints.table_for(type(self).__name__))
        self.status.value = error_html(shown, self.failure)

    def run(self, **kwargs: Any) -> Any:
        """Do the form's one action with the current values; return its result, or None on failure."""
        self._begin()
        self.button.disabled = True
        try:
            return self._run(**kwargs)
        except Exception as exc:  # shown as one line; the traceback only at DEBUG level
            self._fail(exc)
        finally:
            self.clear_passwords()
            self.button.disabled = False
        return None

    def _run(self, **kwargs: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _reset(self) -> None:
        """Forget the previous result (subclasses clear their attributes)."""

    def ok(self, body_html: str) -> None:
        """Show a success line."""
        self.status.value = message_html(body_html, "ok")

    # ---------------------------------------------------------------- display
    def describe(self) -> str:
        """One line about the form's state, for its repr (never a password)."""
        if self.error is not None:
            code = getattr(self.error, "code", type(self.error).__name__)
            return f"failed ({code})"
        return "ready"

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.describe()}>"
