"""The Salvage form: a damaged backup and its password → what was recovered, what was lost, and the recovered backup."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import pandas as pd

from ..backup import Backup
from ..salvage import SalvageResult, salvage
from .common import DownloadBar, FileSource, Form, esc, frame_html, message_html, notices_html, take_password


def lost_text(result: SalvageResult) -> str:
    """The unreadable byte ranges in words: ``bytes 4,992–5,024 and 12,000–12,032 of 19,876``."""
    if not result.lost_bytes:
        return "nothing"
    spans = [f"{s:,}–{e:,}" if e is not None else f"{s:,} to the end" for s, e in result.lost_bytes]
    joined = spans[0] if len(spans) == 1 else ", ".join(spans[:-1]) + " and " + spans[-1]
    return f"bytes {joined} of {result.plaintext_bytes:,} decrypted"


def salvage_note(result: SalvageResult) -> str:
    """What a salvaged backup lacks, in a few words: ``damage in 2 places`` / ``cut short`` / ``nothing lost``."""
    if result.intact:
        return "nothing lost"
    places = sum(result.damaged.values())
    parts = [f"damage in {places} place{'s' if places != 1 else ''}"] if places else []
    if result.truncated:
        parts.append("cut short")
    if result.unread:
        parts.append(f"{len(result.unread)} table{'s' if len(result.unread) != 1 else ''} unread")
    return ", ".join(parts) or "some bytes unreadable"


class SalvageForm(Form):
    """Recover every record that can still be read from a damaged backup (the file itself is only read).

    Attributes after :meth:`run`: ``result`` (:class:`~toolkit.salvage.SalvageResult`),
    ``recovered`` (per table: ``recovered``, ``damaged``, ``unread``) and
    ``backup`` (the recovered backup: give this form to the Export form to
    write it with a new password).
    """

    title = "Salvage a damaged backup"
    action = "Salvage"
    failure = "Could not salvage the backup"
    working = "salvaging"
    hints = {"wrong-password": "Check the password (it is case-sensitive): salvage needs the right one."}

    def __init__(self, *, session: Any = None) -> None:
        self.file = FileSource("damaged backup")
        self.password = widgets.Password(description="Password", placeholder="the backup's password")
        self.result: SalvageResult | None = None
        self.recovered: pd.DataFrame | None = None
        self.backup: Backup | None = None
        super().__init__([self.file, self.password], session=session)
        self.button.icon = "medkit"

    def _reset(self) -> None:
        self.result = self.recovered = self.backup = None

    def _run(self, *, password: str | None = None) -> SalvageResult:
        source, name = self.file.read()
        result = salvage(source, take_password(self.password, "the damaged backup", password))
        self.result, self.recovered, self.backup = result, result.table(), result.backup
        total = sum(result.recovered.values())
        self.publish(result.backup, name, "salvaged", salvage_note(result))
        if result.intact:
            self.ok(f"<b>{esc(name)}</b> is intact: all {total:,} records read, nothing lost.")
        else:
            cut = " The file was cut short." if result.truncated else ""
            self.status.value = message_html(
                f"<b>{esc(name)}</b>: recovered {total:,} records; unreadable: {esc(lost_text(result))}.{esc(cut)}",
                "warning",
            )
        unread = (
            message_html(f"Tables whose place could not be read: {esc(', '.join(result.unread))}.", "warning")
            if result.unread
            else ""
        )
        self.results.children = (
            widgets.HTML(frame_html(self.recovered, max_height="none") + unread + notices_html(result.notes)),
            DownloadBar(self.recovered, "salvage"),
            widgets.HTML(
                message_html(
                    "The salvaged backup is in this session's list now: Export, Ledger, Audit and Diff can use it.",
                    "info",
                )
            ),
        )
        return result

    def run(self, *, password: str | None = None) -> SalvageResult | None:  # type: ignore[override]
        """Salvage; returns the result (also in ``.result``), or None and shows why not."""
        return super().run(password=password)

    def describe(self) -> str:
        if self.result is not None:
            return "intact" if self.result.intact else f"recovered {sum(self.result.recovered.values())} records"
        return super().describe()
