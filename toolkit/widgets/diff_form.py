"""The Diff form: two backups and their passwords → the per-table summary and the change table, coloured."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import pandas as pd
from pandas.io.formats.style import Styler

from toolkit.model.backup import Backup
from toolkit.ops.diff import BackupDiff, diff_backups

from .downloads import DownloadBar, stem_of
from .files import FileSource, open_chosen
from .form import Form, wide
from .html import coloured_table_html, esc, frame_html, scroll_html, short_value
from .theme import BORDER, ROW_TINTS

#: Row colours of the change table.
CHANGE_COLOURS = {k: ROW_TINTS[k] for k in ("added", "removed", "changed")}


def style_changes(changes: pd.DataFrame) -> Styler:
    """The change table with added rows green, removed red and changed yellow (values escaped, long ones shortened)."""
    shown = changes.map(short_value) if len(changes) else changes.astype(str)

    def colour(row: pd.Series) -> list[str]:
        bg = CHANGE_COLOURS.get(str(row.get("change")), "")
        return [f"background-color: {bg}" if bg else ""] * len(row)

    return (
        shown.style.set_uuid("ctk-changes")
        .apply(colour, axis=1)
        .hide(axis="index")
        .format(escape="html")
        .set_table_attributes('class="ctk-table ctk-changes"')
    )


def changes_html(changes: pd.DataFrame) -> str:
    """The change table with added rows green, removed red and changed yellow."""
    return coloured_table_html(changes, "change", CHANGE_COLOURS, "changes")


def legend_html() -> str:
    """What the colours mean."""
    keys = "".join(
        f'<span style="background:{c};padding:1px 8px;margin-right:6px;border:1px solid {BORDER}">{esc(k)}</span>'
        for k, c in CHANGE_COLOURS.items()
    )
    return f'<div class="ctk-legend" style="margin:4px 0">{keys}</div>'


class DiffForm(Form):
    """Compare an older and a newer backup of the same wallet.

    Attributes after :meth:`run`: ``diff`` (:class:`~toolkit.ops.diff.BackupDiff`),
    ``changes`` (one row per changed field: ``table, key, change, field, old,
    new``), ``summary`` (records added/removed/changed per table),
    ``old_backup`` and ``new_backup``; :meth:`styled` gives the coloured table.
    """

    title = "Compare two backups"
    action = "Compare"
    failure = "Could not compare the backups"
    working = "comparing the backups"

    def __init__(self, *, session: Any = None) -> None:
        from .session import default_session

        self.session = session if session is not None else default_session()
        self.old = FileSource("older backup", session=self.session)
        self.old_password = widgets.Password(description="Password", placeholder="the older backup's password")
        self.new = FileSource("newer backup", session=self.session)
        self.new_password = widgets.Password(description="Password", placeholder="the newer backup's password")
        self.same_password = widgets.Checkbox(
            description="The newer backup has the same password", indent=False, layout=wide()
        )
        self.diff: BackupDiff | None = None
        self.changes: pd.DataFrame | None = None
        self.summary: pd.DataFrame | None = None
        self.old_backup: Backup | None = None
        self.new_backup: Backup | None = None
        super().__init__([self.old, self.old_password, self.new, self.new_password, self.same_password])
        self.button.icon = "columns"
        self.same_password.observe(self._on_same, names="value")

    def _on_same(self, change: dict[str, Any]) -> None:
        self.new_password.disabled = bool(change["new"])

    def _reset(self) -> None:
        self.diff = self.changes = self.summary = self.old_backup = self.new_backup = None

    def _run(self, *, old_password: str | None = None, new_password: str | None = None) -> BackupDiff:
        if self.same_password.value:
            typed = self.old_password.value
            old_password = old_password if old_password is not None else typed
            new_password = new_password if new_password is not None else (old_password or None)
        old, old_name = open_chosen(self.old, self.old_password, old_password, subject="old")
        new, new_name = open_chosen(self.new, self.new_password, new_password, subject="new")
        result = diff_backups(old, new)
        self.old_backup, self.new_backup = old, new
        self.diff, self.changes, self.summary = result, result.changes, result.summary
        counts = result.summary.sum()
        headline = (
            f"<b>{esc(old_name)}</b> → <b>{esc(new_name)}</b>: {int(counts['added'])} added, "
            f"{int(counts['removed'])} removed, {int(counts['changed'])} changed records"
        )
        if result.empty:
            self.ok(f"<b>{esc(old_name)}</b> and <b>{esc(new_name)}</b> hold the same records.")
            self.results.children = ()
            return result
        self.ok(headline)
        summary = result.summary[result.summary.sum(axis=1) > 0].reset_index()
        stem = "-vs-".join(s for s in (stem_of(old_name), stem_of(new_name)) if s)
        self.results.children = (
            widgets.HTML(frame_html(summary, max_height="none")),
            DownloadBar(summary, "summary", stem=stem),
            widgets.HTML(legend_html() + scroll_html(changes_html(result.changes), max_height="32em")),
            DownloadBar(result.changes, "changes", stem=stem),
        )
        return result

    def run(self, *, old_password: str | None = None, new_password: str | None = None) -> BackupDiff | None:  # type: ignore[override]
        """Open both files and compare them; passwords given here (scripts) never reach the widgets."""
        return super().run(old_password=old_password, new_password=new_password)

    def styled(self) -> Styler | None:
        """The change table, coloured, for display in a notebook cell."""
        return style_changes(self.changes) if self.changes is not None else None

    def describe(self) -> str:
        if self.diff is not None:
            counts = self.diff.summary.sum()
            return f"{int(counts['added'])} added, {int(counts['removed'])} removed, {int(counts['changed'])} changed"
        return super().describe()
