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
import json
import logging
import os
import threading
import time
import traceback
from collections import ChainMap
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from toolkit import errors
from toolkit.format.container import MAX_FILE_SIZE
from toolkit.model.tables import default_columns
from toolkit.reports import sheets
from toolkit.textsafe import is_missing, safe_text

from . import hints
from .upload import SizedUpload

log = logging.getLogger("toolkit.widgets")

#: File types the upload buttons offer for backups.
BACKUP_ACCEPT = ".json,.concordiumwallet"

#: Styles for the forms' tables and boxes (put once into every form's heading).
STYLE = """<style>
.ctk-table { border-collapse: collapse; font-size: 12px; }
.ctk-table th, .ctk-table td { padding: 2px 8px; border-bottom: 1px solid #e0e0e0; text-align: left;
  vertical-align: top; }
.ctk-table th, .ctk-table td { white-space: nowrap; }
.ctk-wrap .ctk-table td:last-child { white-space: normal; min-width: 20em; max-width: 60em; }
.ctk-table thead th { position: sticky; top: 0; background: #f3f5f7; }
.ctk-form details > summary { cursor: pointer; margin: 4px 0; }
.ctk-form .lm-TabBar-tab, .ctk-form .p-TabBar-tab { flex: 0 0 auto !important; max-width: none !important;
  min-width: 0 !important; }
.ctk-form .lm-TabBar-tabLabel { overflow: visible !important; text-overflow: clip !important; }
.ctk-table th, .ctk-table td { box-sizing: border-box; }
.ctk-working { color: #1f3b5a; }
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


def wide() -> widgets.Layout:
    """A layout for checkboxes and other widgets whose label must never be cut."""
    return widgets.Layout(width="auto")


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
        f"{len(frame):,} rows; the CSV and XLSX downloads below hold every row.</div>"
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


def blank(value: Any, empty: str = "—") -> Any:
    """``empty`` for None/NaN/NaT (never "None" or "NaN" on screen), else ``value``."""
    return empty if is_missing(value) else value


def pairs_html(rows: Iterable[tuple[str, Any]]) -> str:
    """Label/value rows as a small two-column table."""
    cells = "".join(
        f'<tr><th style="text-align:left;padding-right:1em">{esc(k)}</th><td>{esc(blank(v))}</td></tr>' for k, v in rows
    )
    return f'<table class="ctk-pairs">{cells}</table>'


def short_value(value: Any) -> str:
    """A changed value as one short line: "" for none, JSON for objects and lists."""
    if blank(value, "") == "":
        return ""
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(shorten(str(value)))


def coloured_table_html(frame: pd.DataFrame, by: str, colours: dict[str, str], name: str) -> str:
    """``frame`` as HTML, each row coloured inline by its ``by`` value (so several tables on one page never mix);
    values escaped, long ones shortened, rows capped."""
    frame, note = capped(frame)
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    rows = []
    for record in frame.itertuples(index=False):
        value = str(getattr(record, by, ""))
        cells = "".join(f"<td>{esc(short_value(v))}</td>" for v in record)
        rows.append(f'<tr class="ctk-{esc(value)}" style="background:{colours.get(value, "")}">{cells}</tr>')
    return (
        f'<table class="ctk-table ctk-{name}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
        + note
    )


def tables_tab(tables: dict[str, pd.DataFrame], *, selected: str | None = None) -> widgets.Tab:
    """One tab per table, titled ``name (rows)``, each with its CSV/XLSX downloads; ``selected`` is shown first.

    On screen the columns a person reads (:func:`toolkit.model.tables.default_columns`: no encrypted amounts or
    secrets); the downloads hold every column."""
    names = list(tables)
    tab = widgets.Tab(
        children=[
            widgets.VBox(
                [widgets.HTML(frame_html(tables[n][default_columns(n, tables[n])])), DownloadBar(tables[n], n)]
            )
            for n in names
        ],
        titles=[f"{n} ({len(tables[n])})" for n in names],
    )
    tab.selected_index = names.index(selected) if selected in names else (0 if names else None)
    return tab


# ------------------------------------------------------------------ table downloads


def table_file_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    """``frame`` as a CSV or XLSX file whose every cell is inert text (:mod:`toolkit.reports.sheets`, formula-safe)."""
    if fmt == "csv":
        return sheets.to_csv_bytes(frame)
    if fmt == "xlsx":
        return sheets.to_xlsx_bytes(frame)
    raise errors.InvalidArgumentError(f"Unknown table format {fmt!r}; use csv or xlsx")


class DownloadBar(widgets.HBox):
    """ "Download CSV" / "Download XLSX" buttons for one table: the file is made when asked, then offered as a link."""

    def __init__(self, frame: pd.DataFrame, name: str) -> None:
        self.frame, self.name = frame, name
        self.buttons = {
            fmt: widgets.Button(description=f"{fmt.upper()} of {name}", icon="download", layout={"width": "auto"})
            for fmt in ("csv", "xlsx")
        }
        self.link = widgets.HTML()
        for fmt, button in self.buttons.items():
            button.on_click(lambda _b, fmt=fmt: self.prepare(fmt))
            button.add_class(f"ctk-get-{fmt}")
        super().__init__(children=[*self.buttons.values(), self.link])
        self.add_class("ctk-downloads")

    def prepare(self, fmt: str) -> bytes:
        """Make the file and show its download link; returns its bytes."""
        data = table_file_bytes(self.frame, fmt)
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in self.name) or "table"
        self.link.value = download_link_html(data, f"{safe}.{fmt}", note=f"{len(self.frame):,} rows")
        return data


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


def size_text(n: int) -> str:
    """``256 MB``."""
    return f"{n / 1024 / 1024:,.0f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


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
    """

    def __init__(self, label: str = "backup", *, accept: str = BACKUP_ACCEPT, session: Any = None) -> None:
        self.label = label
        self.session = session
        self.upload = SizedUpload(
            accept=accept,
            multiple=False,
            description=f"Upload {label}",
            max_size=MAX_FILE_SIZE,
            layout=widgets.Layout(width="auto"),
        )
        self.limit = widgets.HTML(
            f'<span class="ctk-limit" style="color:#555;font-size:12px">up to {size_text(MAX_FILE_SIZE)}</span>'
        )
        self.path = widgets.Text(
            description="or path",
            placeholder="path on this machine, e.g. ~/Downloads/wallet-export.json",
            layout=widgets.Layout(width="32em"),
        )
        self.where = widgets.HTML(
            f'<span style="color:#555;font-size:12px">relative paths start from {esc(kernel_folder())}</span>'
        )
        #: Says at once, under the field, that a chosen file was too large and was not uploaded.
        self.refusal = widgets.HTML(layout=widgets.Layout(display="none"))
        self.refusal.add_class("ctk-refusal")
        self.upload.observe(self._on_upload, names="value")
        self.upload.observe(self._on_refused, names="refused")
        self.path.observe(self._on_path, names="value")
        rows: list[widgets.Widget] = [widgets.HBox([self.upload, self.limit, self.path]), self.refusal, self.where]
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
            if self.upload.value:
                self.upload.value = ()
            self.upload.refused = {}
            if self.pick is not None:
                self.pick.index = 0

    def _on_pick(self, change: dict[str, Any]) -> None:
        if change["new"] is not None:
            if self.upload.value:
                self.upload.value = ()
            self.upload.refused = {}
            self.path.value = ""

    def too_large(self, size: int) -> errors.TooLargeError:
        """The ``too-large`` error for an upload of ``size`` bytes (said before any password is used)."""
        if self.upload.accept == BACKUP_ACCEPT:
            return UploadTooLargeError(
                f"The file is {size:,} bytes ({size_text(size)}), more than the {MAX_FILE_SIZE:,} a backup can be"
            )
        return UploadTooLargeError(  # a candidate list: it may well be larger, but not through the page
            f"The file is {size:,} bytes ({size_text(size)}), more than the {MAX_FILE_SIZE:,} an upload can be",
            hint=f"Type the {self.label} file's path on this machine instead.",
        )

    @property
    def picked(self) -> Any:
        """The session backup chosen (a :class:`~toolkit.widgets.session.Produced`), or None."""
        return self.pick.value if self.pick is not None else None

    @property
    def chosen(self) -> str | None:
        """The file's name (upload), path, or session backup's label; None when nothing is chosen."""
        if self.picked is not None:
            return self.picked.label
        if self.upload.value:
            return str(self.upload.value[0].get("name") or "upload")
        return self.path.value.strip() or None

    def read(self) -> tuple[bytes | str, str]:
        """(what :func:`toolkit.open_backup` accepts, a name to show).

        Raises :class:`~toolkit.errors.CannotReadError` when no file is chosen
        or the path names no file (relative paths start from the kernel's folder).
        """
        if self.upload.value:
            item = self.upload.value[0]
            data = bytes(item["content"])
            if len(data) > MAX_FILE_SIZE:
                raise self.too_large(len(data))
            return data, str(item.get("name") or "upload")
        if self.upload.refused:  # the browser kept it back: say so again rather than "nothing chosen"
            raise self.too_large(self.upload.refused["size"])
        path = self.path.value.strip()
        if not path:
            raise ChoiceError(f"No {self.label} was chosen", hint="Upload the file or type its path on this machine.")
        full = os.path.expanduser(path)
        if not os.path.isfile(full):
            raise ChoiceError(
                f"There is no file {path} (relative paths start from {kernel_folder()})",
                hint="Check the path, or upload the file.",
            )
        return full, os.path.basename(path) or path


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
        return open_backup(source, password), name
    return open_input(source, password, subject=subject, what=f"the {file.label}", name=name), name


def backup_of(provider: Any) -> Any:
    """The :class:`~toolkit.model.backup.Backup` given directly, or the ``.backup`` of a form that opened one."""
    if provider is None:
        return None
    return getattr(provider, "backup", provider)


def working_html(what: str, since: float) -> str:
    """``Working… opening wallet-export.json, since 04:31:02 (12 s)``."""
    clock = time.strftime("%H:%M:%S", time.localtime(since))
    took = int(time.time() - since)
    body = f"⏳ <b>Working…</b> {esc(what)}, since {clock}" + (f" ({took} s)" if took else "")
    return message_html(body, "info").replace("ctk-message ctk-info", "ctk-message ctk-info ctk-working", 1)


class Form(widgets.VBox):
    """Base of every form: a title, controls, one button, a status line and a results area.

    Subclasses build ``controls`` and implement :meth:`_run`; ``run()`` does
    the work and returns its result.  The button runs it in a background
    thread (:meth:`start`; :meth:`wait` waits for it), so the page stays
    responsive and the status says at once "Working… (what, since when)".
    ``error`` holds the last failure (None after success).  Every form of a
    kernel shares one :class:`~toolkit.widgets.session.Session` (``session``):
    producing forms :meth:`publish` their backup there, consuming ones pick it.
    """

    #: Shown as the form's heading.
    title = ""
    #: The button's label.
    action = "Run"
    #: Said before an error, e.g. "Could not open the backup".
    failure = "It did not work"
    #: What the status says while the form works ("opening the backup").
    working = "working"
    #: Hints of this one form object, before its class's table in :mod:`toolkit.widgets.hints`.
    extra_hints: dict[str, str] = {}

    def __init__(
        self,
        controls: list[widgets.Widget],
        *,
        beside_button: list[widgets.Widget] = (),
        session: Any = None,
        **kwargs: Any,
    ) -> None:
        from .session import default_session

        if getattr(self, "session", None) is None:
            self.session = session if session is not None else default_session()
        self.button = widgets.Button(description=self.action, button_style="primary", icon="play")
        self.button.on_click(self._on_click)
        self.status = widgets.HTML()
        self.results = widgets.VBox()
        self.error: BaseException | None = None
        self._worker: threading.Thread | None = None
        self._since: float | None = None
        heading = widgets.HTML(STYLE + (f"<h3 style='margin:4px 0'>{esc(self.title)}</h3>" if self.title else ""))
        buttons = widgets.HBox([self.button, *beside_button]) if beside_button else self.button
        children = [heading, *controls, buttons, self.status, self.results]
        super().__init__(children=children, **kwargs)
        self.add_class("ctk-form")

    # ---------------------------------------------------------------- session
    def publish(self, backup: Any, name: str, how: str = "opened", note: str = "") -> Any:
        """Add a backup this form produced to the session (so Export, Ledger, Audit, Diff can use it)."""
        return self.session.add(backup, name, how, note)

    # ---------------------------------------------------------------- running
    def _on_click(self, _button: widgets.Button) -> None:
        self.start()

    def start(self, **kwargs: Any) -> threading.Thread:
        """Run in a background thread (what the button does); the status says "Working…" at once."""
        self.button.disabled = True
        self._show_working()
        worker = threading.Thread(target=self._work, kwargs=kwargs, daemon=True, name=f"ctk-{type(self).__name__}")
        self._worker = worker
        worker.start()
        return worker

    def _work(self, **kwargs: Any) -> None:
        ticker = threading.Thread(target=self._tick, daemon=True)
        ticker.start()
        self.run(**kwargs)

    def _tick(self) -> None:
        """Refresh the elapsed seconds of the working line while the work goes on."""
        while True:
            worker = self._worker
            if worker is None or not worker.is_alive():
                return
            worker.join(1.0)
            if worker.is_alive() and self._since is not None and "ctk-working" in self.status.value:
                self.status.value = working_html(self.working_what(), self._since)

    def wait(self, timeout: float | None = None) -> Any:
        """Until work started by the button (:meth:`start`) ends, or ``timeout`` seconds."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout)
        return None

    @property
    def busy(self) -> bool:
        return self._since is not None

    def working_what(self) -> str:
        """What the form is doing, for the working line (the chosen file's name when there is one)."""
        file = getattr(self, "file", None)
        chosen = file.chosen if isinstance(file, FileSource) else None
        return f"{self.working} {chosen}" if chosen else self.working

    def _show_working(self) -> None:
        self._since = self._since or time.time()
        self.status.value = working_html(self.working_what(), self._since)

    def password_fields(self) -> list[widgets.Password]:
        """Every password field of the form (cleared after each run)."""
        return [w for w in vars(self).values() if isinstance(w, widgets.Password)]

    def clear_passwords(self) -> None:
        for field in self.password_fields():
            field.value = ""

    def _begin(self) -> None:
        self.error = None
        self.results.children = ()
        self._reset()
        self._show_working()

    def _fail(self, exc: BaseException) -> None:
        """Forget any result and show ``exc`` in plain words (an unexpected one as "internal error (TypeName)")."""
        if not isinstance(exc, errors.BackupError):  # the trace as text: it holds no frames (no locals)
            trace = "".join(traceback.format_tb(exc.__traceback__))  # code locations only, no message
            log.debug("internal error (%s) in %s:\n%s", type(exc).__name__, type(self).__name__, trace)
        self.error = errors.without_traceback(exc)  # its frames' locals may hold a password
        self._reset()
        self.results.children = ()
        shown = errors.restated(exc, self.hint_table())
        self.status.value = error_html(shown, self.failure)

    def hint_table(self) -> Any:
        """Error code (or ``code@subject``) -> what to do, in this form's words."""
        return ChainMap(self.extra_hints, hints.table_for(type(self).__name__))

    def run(self, **kwargs: Any) -> Any:
        """Do the form's one action with the current values; return its result, or None on failure."""
        self._begin()
        self.button.disabled = True
        keep_passwords = False
        try:
            return self._run(**kwargs)
        except Exception as exc:  # shown as one line; the traceback only at DEBUG level
            # nothing was used yet: don't make them type it again
            keep_passwords = isinstance(exc, (ChoiceError, UploadTooLargeError))
            self._fail(exc)
        finally:
            if not keep_passwords:
                self.clear_passwords()
            self._since = None
            if "ctk-working" in self.status.value:
                self.status.value = ""
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
