"""Tables as CSV and XLSX bytes that a spreadsheet opens without running anything a backup holds.

A name like ``=HYPERLINK("http://evil.example","click")``, ``+SUM(1,2)``,
``@SUM(A1)``, ``-1+1`` or ``\\t=cmd`` is a formula to Excel, LibreOffice and
Google Sheets.  Following the OWASP CSV-injection convention, every text cell
that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (also
after leading spaces or quotes) is written with a leading ``'``; the XLSX writer also
stores every text cell as text, never as a formula.  ``raw=True`` writes the
values exactly (for scripts reading the CSV; an XLSX text cell still is never
a formula).

A CSV file is not always split where it was written: Excel in a Danish or
German locale splits on ``;``, LibreOffice may split on ``;`` or tabs, and a
quoted field protects its ``,`` only under the separator it was quoted for
(under ``;`` a ``,``-quoted field that does not start the part is plain text,
quotes and all, and a line break in it starts a new row).  So in CSV every
*part* of a text cell that follows a ``,``, ``;``, tab or line break is
neutralised too (``Savings;=1+1`` is written ``Savings;'=1+1``): however the
file is split, no cell starts a formula.

Lone surrogates (valid in JSON, impossible in UTF-8) are written as their
``\\udXXX`` escape in every mode; in XLSX, characters XML cannot hold
(C0 controls) are written visibly escaped (:func:`toolkit.textsafe.safe_text`).
This module is used by ``inspect --csv-dir``, the audit's XLSX report and the
forms' downloads.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from toolkit.textsafe import escape_surrogates, is_missing, safe_text

#: A text cell a spreadsheet would read as a formula.
FORMULA_START = re.compile(r"^[\s]*[=+\-@\t\r]")
#: Where a part of a CSV cell starts, however a spreadsheet splits it (the cell's start, or after a ``,``,
#: ``;``, tab or line break), when that part would read as a formula (also after spaces or quotes).
_CSV_PART_FORMULA = re.compile(r"(?:^|(?<=[,;\t\r\n]))(?=[\s\"]*[=+\-@\t\r])")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula, prefixed with ``'``; anything else as it is."""
    if isinstance(value, str) and FORMULA_START.match(value):
        return "'" + value
    return value


def neutralise_csv(value: Any) -> Any:
    """A text cell for CSV: every part that would start a formula, after a split on ``,``, ``;``, tabs or line
    breaks (any locale's separator), prefixed with ``'``; anything else as it is."""
    if isinstance(value, str) and _CSV_PART_FORMULA.search(value):
        return _CSV_PART_FORMULA.sub("'", value)
    return value


def csv_frame(frame: pd.DataFrame, *, raw: bool = False) -> pd.DataFrame:
    """A copy of ``frame`` ready for CSV: text cells neutralised (unless ``raw``), lone surrogates escaped."""
    out = frame.copy()
    out.columns = [escape_surrogates(neutralise_csv(c) if not raw else c) for c in map(str, out.columns)]
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if isinstance(col.dtype, pd.CategoricalDtype):  # statuses: a file's own values are categories too
            col = col.astype(object)
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            values = [v if raw else neutralise_csv(v) for v in col.tolist()]
            out.isetitem(i, pd.Series([escape_surrogates(v) for v in values], index=out.index, dtype=object))
    return out


def to_csv_bytes(frame: pd.DataFrame, *, raw: bool = False) -> bytes:
    """``frame`` as UTF-8 CSV (no index); every part of a text cell that would start a formula, however the
    file is split (``,`` or ``;``), prefixed with ``'`` unless ``raw``."""
    buf = io.StringIO()
    csv_frame(frame, raw=raw).to_csv(buf, index=False, lineterminator="\r\n")  # RFC 4180; a \r in a cell is quoted
    return buf.getvalue().encode("utf-8", "backslashreplace")


def xlsx_text(value: Any, *, raw: bool = False) -> str:
    """One text cell for a workbook: missing as empty, characters XML cannot hold escaped, formulas neutralised."""
    text = "" if is_missing(value) else str(value)
    if _XML_ILLEGAL.search(text):
        text = _XML_ILLEGAL.sub(lambda m: safe_text(m.group()), text)
    return text if raw else neutralise(text)


def set_text_cell(ws: Any, row: int, col: int, value: Any, *, raw: bool = False) -> Any:
    """Write ``value`` into a worksheet cell as text (never a formula); returns the cell."""
    cell = ws.cell(row=row, column=col, value=xlsx_text(value, raw=raw))
    cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


def _cell(ws: Any, row: int, col: int, value: Any, raw: bool) -> None:
    if isinstance(value, bool) or (isinstance(value, (int, float)) and not is_missing(value)):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
            set_text_cell(ws, row, col, str(value), raw=raw)  # beyond a spreadsheet's 15 digits: keep it exact
        else:
            ws.cell(row=row, column=col, value=value)
    else:
        set_text_cell(ws, row, col, value, raw=raw)


def to_xlsx_bytes(frames: Mapping[str, pd.DataFrame] | pd.DataFrame, *, raw: bool = False) -> bytes:
    """One sheet per frame (a single frame: one sheet "table"); text cells never formulas, neutralised unless ``raw``."""
    from openpyxl import Workbook

    if isinstance(frames, pd.DataFrame):
        frames = {"table": frames}
    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in frames.items():
        ws = wb.create_sheet(re.sub(r"[\[\]:*?/\\]", "_", safe_text(name))[:31] or "table")
        for c, header in enumerate(frame.columns, 1):
            set_text_cell(ws, 1, c, header, raw=raw)
        for r, row in enumerate(frame.astype(object).itertuples(index=False), 2):
            for c, value in enumerate(row, 1):
                _cell(ws, r, c, value.item() if hasattr(value, "item") else value, raw)
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
