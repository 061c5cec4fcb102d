"""The Audit form: a backup → its findings by severity, and a report (HTML or XLSX) for the ticket."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

import ipywidgets as widgets
import pandas as pd

from toolkit import errors
from toolkit.model.backup import Backup
from toolkit.ops.audit import SEVERITIES, audit, group_by_severity, severity_counts
from toolkit.reports.report import render_html, render_xlsx, report_summary, write_report

from . import page
from .downloads import DownloadBar, Downloads, closed, named_after, stem_of
from .files import FileSource, backup_of, open_chosen
from .form import Form
from .html import error_html, esc, frame_html, message_html
from .theme import SEVERITY_ACCENTS

#: Heading colour of each severity's section (the theme's error/warning/info colours, set by class in the STYLE).
SEVERITY_COLOURS = dict(SEVERITY_ACCENTS)
SHOWN_COLUMNS = ["table", "key", "rule", "message"]


def counts_text(counts: dict[str, int]) -> str:
    """``1 error, 3 warnings, 0 info``."""
    words = {"error": ("error", "errors"), "warning": ("warning", "warnings"), "info": ("info", "info")}
    return ", ".join(f"{n:,} {words[s][0] if n == 1 else words[s][1]}" for s, n in counts.items())


def findings_html(findings: pd.DataFrame) -> str:
    """One section per severity that has findings, errors first."""
    parts = []
    for severity, part in group_by_severity(findings):
        parts.append(
            f'<div class="ctk-severity ctk-{esc(severity)}"><h4 style="margin:8px 0 2px">'
            f"{esc(severity)} ({len(part)})</h4>{frame_html(part[SHOWN_COLUMNS], max_height='20em', wrap=True)}</div>"
        )
    return "".join(parts)


class AuditForm(Form):
    """Audit a backup: every finding (``severity, table, key, rule, message``) by severity, then a report.

    With ``source`` (a :class:`~toolkit.model.backup.Backup` or a form exposing
    ``.backup``) the form audits that backup and shows no file fields;
    otherwise it opens the file chosen in it.  ``today`` fixes the date that
    decides which identities have expired (default: the real today).

    Attributes after :meth:`run`: ``findings`` (DataFrame), ``counts``
    (per severity), ``backup``; after **Save report**: ``report`` (the path
    written, or the file name of a download) and ``report_data`` (bytes of a
    download).
    """

    title = "Audit a backup"
    action = "Audit"
    failure = "Could not audit the backup"
    working = "auditing"

    def __init__(self, source: Any = None, *, today: date | None = None, session: Any = None) -> None:
        from .session import default_session

        self.source = source
        self.today = today
        self.session = session if session is not None else default_session()
        self.file = FileSource("backup", session=self.session)
        self.password = widgets.Password(description="Password", placeholder="the backup's password")
        self.report_path = widgets.Text(
            description="Report",
            placeholder="report.html or report.xlsx (empty: a download link)",
            layout={"width": "32em"},
        )
        self.report_button = widgets.Button(description="Save report", icon="file", disabled=True)
        #: The report as HTML and XLSX, made and sent to the browser when a button is clicked (after an audit).
        self.report_downloads: Downloads | None = None
        self.report_row = widgets.HBox([self.report_path, self.report_button])
        self.report_button.on_click(lambda _b: self.save_report())
        self.report_status = widgets.HTML()
        self.findings: pd.DataFrame | None = None
        self.counts: dict[str, int] | None = None
        self.backup: Backup | None = None
        self.report: str | None = None
        self.name: str | None = None
        self.report_data: bytes | None = None
        controls: list[widgets.Widget] = (
            [self.file, self.password] if source is None else [widgets.HTML("<p>Audits the backup opened above.</p>")]
        )
        super().__init__(controls)
        self.button.icon = "check-square"
        self.children = (
            *self.children,
            self.report_row,
            self.report_status,
        )

    def _reset(self) -> None:
        self.findings = self.counts = self.backup = None
        self.report = self.report_data = None
        self.report_button.disabled = True
        self.report_status.value = ""
        closed(self.report_downloads)
        self.report_downloads = None
        self.report_row.children = (self.report_path, self.report_button)

    def restrict(self, mode: page.PageMode) -> None:
        """Page mode: the report leaves by download, or is written only inside the operator's folder."""
        if not mode.paths:
            page.hide(self.report_path, self.report_button)
            page.guard(self.report_path)
        else:
            self.report_path.placeholder = "report.html or report.xlsx in the desk's folder (empty: download)"

    def _summary(self) -> dict[str, Any]:
        summary = report_summary(self.backup, self.findings, today=self.today)
        if "file" not in summary and self.name:  # an upload: the report still names it
            summary = {"file": self.name, **summary}
        return summary

    def _offer_report(self) -> None:
        findings, stem = self.findings, stem_of(self.name)
        self.report_downloads = downloads = Downloads()
        self.report_row.children = (self.report_path, self.report_button, downloads)
        downloads.offer(
            "html",
            "HTML report",
            named_after(stem, "audit-report.html"),
            lambda: render_html(findings, summary=self._summary()),
        )
        downloads.offer(
            "xlsx",
            "XLSX report",
            named_after(stem, "audit-report.xlsx"),
            lambda: render_xlsx(findings, summary=self._summary()),
        )

    def _backup(self, password: str | None) -> tuple[Backup, str]:
        if self.source is not None:
            backup = backup_of(self.source)
            if not isinstance(backup, Backup):
                raise errors.InvalidArgumentError("No backup is open", hint="Open one first, then audit it.")
            return backup, os.path.basename(backup.source) if backup.source else "the opened backup"
        return open_chosen(self.file, self.password, password)

    def _run(self, *, password: str | None = None) -> pd.DataFrame:
        backup, name = self._backup(password)
        findings = audit(backup, today=self.today)
        self.backup, self.findings, self.counts = backup, findings, severity_counts(findings)
        self.name = name
        self.report_button.disabled = False
        self._offer_report()
        if findings.empty:
            self.ok(f"<b>{esc(name)}</b>: no findings.")
            return findings
        worst = next(s for s in SEVERITIES if self.counts[s])
        kind = {"error": "error", "warning": "warning"}.get(worst, "ok")
        self.status.value = message_html(f"<b>{esc(name)}</b>: {esc(counts_text(self.counts))}", kind)
        self.results.children = (
            widgets.HTML(findings_html(findings)),
            DownloadBar(findings, "findings", stem=stem_of(name)),
        )
        return findings

    def run(self, *, password: str | None = None) -> pd.DataFrame | None:  # type: ignore[override]
        """Audit; returns the findings (also in ``.findings``), or None and shows why not."""
        return super().run(password=password)

    def save_report(self, path: str | None = None, *, force: bool = False) -> str | None:
        """Write the report of the last audit to ``path`` (or the path field); empty: make the HTML report for
        the "HTML report" download (``report_data``) and return its file name."""
        self.report = self.report_data = None
        self.report_status.value = ""
        try:
            if self.findings is None:
                raise errors.InvalidArgumentError("Nothing was audited yet", hint="Press Audit first.")
            mode = self.page or page.current()
            target = (path if path is not None else self.report_path.value).strip()
            if mode is not None and not mode.paths:
                target = ""  # a served page writes nothing on the server
            if target:
                full = mode.write_path(target) if mode is not None else os.path.expanduser(target)
                self.report = write_report(self.findings, full, backup=self.backup, today=self.today, force=force)
                where = target if mode is not None else os.path.abspath(self.report)
                self.report_status.value = message_html(f"Report written: <b>{esc(where)}</b>", "ok")
            else:
                if self.report_downloads is None:
                    self._offer_report()
                assert self.report_downloads is not None
                self.report_data = self.report_downloads.data("html")
                self.report = self.report_downloads.filename("html")
                self.report_status.value = message_html(
                    f"<b>{esc(self.report)}</b> is ready: press <b>HTML report</b> to save it.", "ok"
                )
            return self.report
        except Exception as exc:
            self.report_status.value = error_html(exc, "Could not write the report")
            return None

    def describe(self) -> str:
        if self.counts is not None:
            return counts_text(self.counts)
        return super().describe()
