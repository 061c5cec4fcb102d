"""The forms' HTML: escaped text, message boxes, tables as scrollable HTML, the working line.

Everything from a backup is text from outside: it passes :func:`esc` (control and bidi characters visibly
escaped, then HTML-escaped) before it reaches a page.  Colours come from :mod:`toolkit.widgets.theme`.
"""

from __future__ import annotations

import html
import json
import time
from collections.abc import Iterable
from typing import Any

import pandas as pd

from toolkit import errors
from toolkit.textsafe import is_missing, safe_text

from .theme import STYLE

__all__ = [
    "MAX_CELL",
    "MAX_ROWS",
    "STYLE",
    "blank",
    "capped",
    "coloured_table_html",
    "error_html",
    "esc",
    "frame_html",
    "message_html",
    "muted_html",
    "notices_html",
    "pairs_html",
    "scroll_html",
    "short_value",
    "shorten",
    "shorten_frame",
    "size_text",
    "working_html",
]

#: Text cells longer than this are shortened on screen (the frames keep them whole).
MAX_CELL = 60
#: Rows shown in a form's table; the frame exposed as an attribute keeps them all.
MAX_ROWS = 500


def esc(value: Any) -> str:
    """``value`` as text safe to put into HTML (control/bidi characters visibly escaped, then HTML-escaped)."""
    return html.escape(safe_text(value), quote=True)


def message_html(body_html: str, kind: str = "info") -> str:
    """A box (``error``, ``warning``, ``ok`` or ``info``) around already-escaped HTML, in the theme's colours
    (:data:`~toolkit.widgets.theme.STYLE`, which every form carries)."""
    kind = kind if kind in ("error", "warning", "ok", "info") else "info"
    return f'<div class="ctk-message ctk-{kind}">{body_html}</div>'


def muted_html(text: str, cls: str = "") -> str:
    """A small line in the theme's muted text colour (``text`` is escaped here)."""
    classes = f"ctk-muted {cls}".strip()
    return f'<span class="{classes}">{esc(text)}</span>'


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


def grouped(value: Any) -> Any:
    """A count in a column of mixed values (the summary's facts) with thousands separators: ``20,000``."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10_000:
        return f"{value:,}"
    return value


def shorten_frame(frame: pd.DataFrame, limit: int = MAX_CELL) -> pd.DataFrame:
    """A copy of ``frame`` with long texts shortened (for display only)."""
    out = frame.copy()
    for col in out.columns:
        dtype = out[col].dtype
        if isinstance(dtype, pd.PeriodDtype) or pd.api.types.is_datetime64_any_dtype(dtype):
            # a missing date is an empty cell, never "NaT" (to_html's na_rep skips these types)
            out[col] = out[col].astype(str).where(out[col].notna(), "")
        elif pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
            out[col] = out[col].map(lambda v: grouped(shorten(v, limit)))
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
        f'<div class="ctk-capped ctk-muted">Showing the first {limit:,} of '
        f"{len(frame):,} rows; the CSV and XLSX downloads below hold every row.</div>"
    )
    return frame.head(limit), note


def scroll_html(inner_html: str, *, max_height: str = "24em", wrap: bool = False) -> str:
    """HTML in a box that scrolls when taller than ``max_height`` or wider than the form."""
    classes = "ctk-table-wrap ctk-wrap" if wrap else "ctk-table-wrap"
    return f'<div class="{classes}" style="max-height:{max_height};overflow:auto">{inner_html}</div>'


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
    """``frame`` as HTML, each row tinted inline by its ``by`` value (``colours``: value -> CSS background, so
    several tables on one page never mix); values escaped, long ones shortened, rows capped."""
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


def size_text(n: int) -> str:
    """``256 MB``."""
    return f"{n / 1024 / 1024:,.0f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def working_html(what: str, since: float) -> str:
    """``Working… opening wallet-export.json, since 04:31:02 (12 s)``."""
    clock = time.strftime("%H:%M:%S", time.localtime(since))
    took = int(time.time() - since)
    body = f"⏳ <b>Working…</b> {esc(what)}, since {clock}" + (f" ({took} s)" if took else "")
    return message_html(body, "info").replace("ctk-message ctk-info", "ctk-message ctk-info ctk-working", 1)
