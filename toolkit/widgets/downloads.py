"""Downloads that travel only when asked: a button per file, the bytes sent to the browser over the widget's
comm as binary chunks when it is clicked.

Nothing of a file is ever put into a widget's state, so a saved notebook holds none of it (a ``data:`` link
would carry the whole file, base64, inside the page and the notebook).  The click says "Preparing…" in the
browser at once (no round trip); the kernel makes the file if it is not made yet (in a thread: the kernel
stays free), then sends ``start``, chunks of :data:`CHUNK` bytes (the page shows how much arrived) and
``end``; the browser saves the file under the offered name.  :class:`Downloads` is an ``anywidget`` whose
front-end, ``download.js``, ships with the package (no CDN).
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anywidget
import ipywidgets as widgets
import pandas as pd
import traitlets as t

from toolkit import errors
from toolkit.reports import sheets
from toolkit.textsafe import safe_text

from . import hints
from .esm import load_esm

log = logging.getLogger("toolkit.widgets")


_ESM = load_esm("download.js")
#: Bytes per comm message: the page shows progress between them.
CHUNK = 4 * 1024 * 1024
MIME = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".html": "text/html",
    ".json": "application/json",
}

Source = bytes | Callable[[], bytes]


def file_name(name: str, fallback: str = "download") -> str:
    """``name`` as a plain file name: its last path part, letters, digits, ``-_.`` only (others become ``-``)."""
    base = os.path.basename(str(name).replace("\\", "/"))
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "-" for ch in base).strip(".-")
    return safe[:120] or fallback


#: :attr:`toolkit.widgets.session.Produced.label`: ``#2 wallet-export-bitrot.json (salvaged, damage in 2 places)``.
_LABEL = re.compile(r"#\d+ (.+?) \([^()]*\)")


def stem_of(name: str | None) -> str:
    """The backup's name without folders and its extension (``desktop-large.json`` -> ``desktop-large``)."""
    if not name:
        return ""
    label = _LABEL.fullmatch(str(name))  # a backup of the session, by its label: its file's name
    stem = os.path.splitext(os.path.basename(label.group(1) if label else str(name)))[0]
    return file_name(stem, "")


def named_after(stem: str | None, what: str) -> str:
    """A download's name after its backup: ``desktop-large-accounts.csv``; ``accounts.csv`` without one."""
    return file_name(f"{stem}-{what}" if stem else what)


@dataclass
class _Offer:
    label: str
    filename: str
    source: Source
    note: str = ""
    data: bytes | None = None


class Downloads(anywidget.AnyWidget):  # type: ignore[misc]
    """Buttons that each save one file in the browser, its bytes sent only when the button is clicked.

    ``offer(key, label, filename, source)`` adds a button; ``source`` is the bytes or a function making them
    (called on the first click, in a thread).  :meth:`data` gives a file's bytes to code (scripts, tests).
    """

    _esm = _ESM

    offers = t.List(t.Dict(), help="[{key, label, filename, note}] of the offered files (never their bytes)").tag(
        sync=True
    )
    disabled = t.Bool(False).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._offers: dict[str, _Offer] = {}
        self._lock = threading.Lock()  # guards _sending and shown only: a click never waits for a file being made
        self._making = threading.Lock()
        self._sending: set[str] = set()
        #: True once a page drew the offered buttons (it says so: ``{"event": "shown"}``).
        self.shown = False
        self._when_shown: list[Callable[[], None]] = []
        self.on_msg(self._on_msg)
        self.add_class("ctk-downloads-widget")

    # ------------------------------------------------------------------ kernel side
    def offer(self, key: str, label: str, filename: str, source: Source, *, note: str = "") -> None:
        """Offer ``source`` (bytes, or a function making them) as ``filename`` behind a button saying ``label``."""
        self._offers[key] = _Offer(label, file_name(filename), source, note)
        self._publish()

    def clear(self) -> None:
        """Offer nothing (and forget every made file)."""
        self._offers.clear()
        self._publish()

    def _publish(self) -> None:
        self.offers = [
            {"key": k, "label": o.label, "filename": o.filename, "note": o.note} for k, o in self._offers.items()
        ]

    def filename(self, key: str) -> str:
        return self._offers[key].filename

    def data(self, key: str) -> bytes:
        """The bytes of the file offered as ``key``, made now if they were not yet."""
        offer = self._offers[key]
        with self._making:
            if offer.data is None:
                offer.data = offer.source if isinstance(offer.source, bytes) else bytes(offer.source())
            return offer.data

    def on_shown(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` once a page has drawn the offered buttons (at once if one has): a form says
        "ready" only when there is a button to press (issue 20: "ready" came 6.5 s before the link)."""
        with self._lock:
            if not self.shown:
                self._when_shown.append(callback)
                return
        callback()

    def _shown(self) -> None:
        with self._lock:
            if self.shown or not self._offers:
                return
            self.shown = True
            waiting, self._when_shown = self._when_shown, []
        for callback in waiting:
            callback()

    def _on_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        """A click in the page: ``{"event": "request", "key", "id"}``; the buttons drawn: ``{"event": "shown"}``;
        anything else is ignored."""
        if isinstance(content, dict) and content.get("event") == "shown":
            self._shown()
            return
        if not isinstance(content, dict) or content.get("event") != "request":
            return
        key, ident = content.get("key"), content.get("id")
        if not isinstance(key, str) or key not in self._offers or not isinstance(ident, str) or len(ident) > 64:
            return
        with self._lock:
            if ident in self._sending or len(self._sending) >= 4:  # a page can't queue up work
                return
            self._sending.add(ident)
        threading.Thread(target=self._deliver, args=(key, ident), daemon=True, name="ctk-download").start()

    def _deliver(self, key: str, ident: str) -> None:
        offer = self._offers.get(key)
        try:
            if offer is None:
                raise errors.InvalidArgumentError("That file is no longer offered", hint="Run the form again.")
            data = self.data(key)
            mime = MIME.get(os.path.splitext(offer.filename)[1].lower(), "application/octet-stream")
            head = {"id": ident, "filename": offer.filename, "size": len(data)}
            self.send({"event": "start", **head})
            view = memoryview(data)
            for start in range(0, len(data), CHUNK):
                self.send({"event": "chunk", **head, "offset": start}, buffers=[view[start : start + CHUNK]])
            self.send({"event": "end", **head, "mime": mime, "note": offer.note})
        except Exception as exc:  # said in the page in words, never a traceback
            if isinstance(exc, errors.BackupError):
                shown = errors.restated(exc, hints.HINTS)
                text = f"Could not make the file: {shown.message} (code: {shown.code})"
            else:
                log.debug("internal error (%s) making a download", type(exc).__name__)
                text = f"Could not make the file: internal error ({type(exc).__name__})"
            try:
                self.send({"event": "error", "id": ident, "message": safe_text(text)})
            except Exception:  # the page is gone
                pass
        finally:
            with self._lock:
                self._sending.discard(ident)

    def __repr__(self) -> str:
        names = ", ".join(safe_text(o.filename) for o in self._offers.values())
        return f"<Downloads: {names or 'nothing offered'}>"


def closed(downloads: Downloads | None) -> None:
    """Let a form's old download widget go (its comm closed, any file it made dropped)."""
    if downloads is not None:
        downloads.clear()
        downloads.close()


# ------------------------------------------------------------------ table downloads


def table_file_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    """``frame`` as a CSV or XLSX file whose every cell is inert text (:mod:`toolkit.reports.sheets`, formula-safe)."""
    if fmt == "csv":
        return sheets.to_csv_bytes(frame)
    if fmt == "xlsx":
        return sheets.to_xlsx_bytes(frame)
    raise errors.InvalidArgumentError(f"Unknown table format {fmt!r}; use csv or xlsx")


def offer_table(downloads: Downloads, frame: pd.DataFrame, name: str, stem: str | None = None) -> None:
    """Offer ``frame`` as ``<stem>-<name>.csv`` and ``.xlsx`` (made when clicked) instead of what was offered."""
    with downloads.hold_sync():
        downloads.clear()
        for fmt in ("csv", "xlsx"):
            downloads.offer(
                fmt,
                f"{fmt.upper()} of {name}",
                named_after(stem, f"{name}.{fmt}"),
                lambda fmt=fmt: table_file_bytes(frame, fmt),
                note=f"{len(frame):,} rows",
            )


class DownloadBar(widgets.HBox):
    """ "CSV of accounts" / "XLSX of accounts" buttons for one table: the file is made and sent when clicked,
    named after its backup (``stem``) when there is one: ``desktop-large-accounts.csv``."""

    def __init__(self, frame: pd.DataFrame, name: str, *, stem: str | None = None) -> None:
        self.frame, self.name = frame, name
        self.downloads = Downloads()
        offer_table(self.downloads, frame, name, stem)
        super().__init__(children=[self.downloads])
        self.add_class("ctk-downloads")

    def prepare(self, fmt: str) -> bytes:
        """The file's bytes (made once; what a click sends)."""
        return self.downloads.data(fmt)

    def filename(self, fmt: str) -> str:
        return self.downloads.filename(fmt)
