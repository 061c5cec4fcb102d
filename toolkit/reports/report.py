"""Audit reports a support desk can attach to a ticket: HTML or XLSX.

``write_report(findings, path, backup=...)`` picks the format from the file
name (``.html``/``.htm`` or ``.xlsx``) and writes atomically
(:func:`toolkit.format.files.write_bytes_atomic`).  The HTML is one self-contained
file (inline style, no scripts, a Content-Security-Policy that forbids
loading anything) with every value escaped; the workbook stores every cell
as plain text, and text a spreadsheet would read as a formula (``=HYPERLINK(...)``)
starts with ``'`` (:mod:`toolkit.reports.sheets`, which also writes the tables' CSV/XLSX).

A report holds what the findings and the backup's summary say: names,
addresses, counts, encryption parameters.  No password, and no private key
of a legacy file (the audit never quotes one).
"""

from __future__ import annotations

import html
import io
import os
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from toolkit import __version__, errors
from toolkit.format import files
from toolkit.format.files import write_bytes_atomic
from toolkit.ops.audit import FINDING_COLUMNS, SEVERITIES, rules_table, severity_counts
from toolkit.textsafe import safe_text

from .sheets import set_text_cell, to_csv_bytes, to_xlsx_bytes

if TYPE_CHECKING:
    from toolkit.model.backup import Backup

__all__ = ["render_html", "render_xlsx", "report_summary", "to_csv_bytes", "to_xlsx_bytes", "write_report"]

FORMATS = {".html": "html", ".htm": "html", ".xlsx": "xlsx"}
TITLE = "Concordium backup audit report"


def report_summary(backup: Backup | None, findings: pd.DataFrame, *, today: date | None = None) -> dict[str, Any]:
    """The facts a report starts with (file name, kind, network, counts, encryption; no secrets)."""
    out: dict[str, Any] = {}
    if backup is not None:
        if backup.source:
            out["file"] = os.path.basename(backup.source)
        out["kind"] = backup.kind
        out["network"] = backup.network
        counts = backup.counts()
        out["records"] = ", ".join(f"{k} {('absent' if v is None else v)}" for k, v in counts.items())
        enc = backup.encryption
        if enc:
            out["encryption"] = (
                f"{enc['encryptionMethod']}, {enc['keyDerivationMethod']}, {enc['iterations']:,} iterations, "
                f"{enc['saltBytes']}-byte salt"
            )
    out["findings"] = ", ".join(f"{n} {s}" for s, n in severity_counts(findings).items())
    out["audited as of"] = (today or date.today()).isoformat()
    out["generated"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    out["toolkit"] = f"concordium-backup-toolkit {__version__}"
    return out


def write_report(
    findings: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    backup: Backup | None = None,
    today: date | None = None,
    force: bool = False,
    protect: tuple[str | os.PathLike[str] | None, ...] = (),
) -> str:
    """Write the report to ``path`` (format from its extension); return the path written.

    Never over the backup's own file or the other inputs ``protect`` names (``same-file``).
    """
    inputs = (backup.source if backup is not None else None, *protect)
    path = files.user_path(path)  # ~ expanded: the path returned is the one written
    files.refuse_same_file(path, inputs)  # before any work, and whatever ``force`` says
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise errors.InvalidArgumentError(
            f"The report {os.fspath(path)!r} must end in .html or .xlsx", subject="report"
        )
    summary = report_summary(backup, findings, today=today)
    data = render_html(findings, summary=summary) if fmt == "html" else render_xlsx(findings, summary=summary)
    write_bytes_atomic(path, data, force=force, protect=inputs)
    return os.fspath(path)


# --------------------------------------------------------------------------- HTML

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:70em;color:#1b1b1b;padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{border:1px solid #d0d4da;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f2f4f7}td.k{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all;font-size:.9em}
table.summary{width:auto}table.summary th{width:10em}
.error h2,.sev-error{color:#a11}.warning h2,.sev-warning{color:#8a5a00}.info h2,.sev-info{color:#245}
.none{color:#2a6b2a;font-weight:600}footer{margin-top:2em;color:#666;font-size:.85em}
"""


def _e(value: Any) -> str:
    """Text for the page: control/bidi characters and lone surrogates visibly escaped, then HTML-escaped."""
    return html.escape("" if value is None else safe_text(value), quote=True)


def render_html(findings: pd.DataFrame, *, summary: Mapping[str, Any] | None = None, title: str = TITLE) -> bytes:
    """A self-contained HTML page: the summary, the findings by severity, and the rule table."""
    summary = summary or {}
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}{(' – ' + _e(summary['file'])) if summary.get('file') else ''}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        '<table class="summary">',
    ]
    parts += [f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in summary.items()]
    parts.append("</table>")
    if not len(findings):
        parts.append('<p class="none">No findings: the audit found nothing to report.</p>')
    for sev in SEVERITIES:
        part = findings[findings["severity"] == sev] if len(findings) else findings
        if not len(part):
            continue
        heading = {"error": "Errors", "warning": "Warnings", "info": "Information"}[sev]
        parts.append(f'<section class="{sev}"><h2>{heading} ({len(part)})</h2>')
        parts.append("<table><tr><th>Table</th><th>Key</th><th>Rule</th><th>Finding</th></tr>")
        for row in part.itertuples(index=False):
            parts.append(
                f'<tr><td>{_e(row.table)}</td><td class="k">{_e(row.key)}</td>'
                f'<td class="k">{_e(row.rule)}</td><td>{_e(row.message)}</td></tr>'
            )
        parts.append("</table></section>")
    parts.append("<h2>Rules checked</h2><table><tr><th>Rule</th><th>Severity</th><th>What it checks</th></tr>")
    for r in rules_table().itertuples(index=False):
        parts.append(
            f'<tr><td class="k">{_e(r.id)}</td><td class="sev-{_e(r.severity)}">{_e(r.severity)}</td>'
            f"<td>{_e(r.checks)}</td></tr>"
        )
    parts.append("</table>")
    parts.append(
        "<footer>Made by the Concordium backup toolkit. The report holds no password and no private key.</footer>"
    )
    parts.append("</body></html>\n")
    return "\n".join(parts).encode("utf-8", "backslashreplace")  # lone surrogates shown escaped


# --------------------------------------------------------------------------- XLSX


def _text_cell(ws: Any, row: int, col: int, value: Any) -> None:
    set_text_cell(ws, row, col, value)  # text, never a formula; formula-leading text prefixed with '


def _sheet(ws: Any, header: list[str], rows: list[list[Any]], widths: list[int]) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    for c, name in enumerate(header, 1):
        _text_cell(ws, 1, c, name)
        ws.cell(row=1, column=c).font = Font(bold=True)
    for r, values in enumerate(rows, 2):
        for c, value in enumerate(values, 1):
            _text_cell(ws, r, c, value)
            ws.cell(row=r, column=c).alignment = Alignment(wrap_text=True, vertical="top")
    for c, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = ws.dimensions


def render_xlsx(findings: pd.DataFrame, *, summary: Mapping[str, Any] | None = None) -> bytes:
    """A workbook with the sheets Summary, Findings and Rules (every cell plain text)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    _sheet(ws, ["item", "value"], [[k, v] for k, v in (summary or {}).items()], [18, 90])
    rows = [[row[c] for c in FINDING_COLUMNS] for row in findings.astype(str).to_dict("records")]
    _sheet(wb.create_sheet("Findings"), list(FINDING_COLUMNS), rows, [10, 20, 34, 32, 110])
    rules = rules_table()
    _sheet(wb.create_sheet("Rules"), list(rules.columns), rules.values.tolist(), [34, 10, 110])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
