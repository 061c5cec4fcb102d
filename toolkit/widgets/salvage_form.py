"""The Salvage form: a damaged backup and its password → what was recovered, what was lost, and the recovered backup."""

from __future__ import annotations

import threading
from typing import Any

import ipywidgets as widgets
import pandas as pd

from toolkit.model.backup import Backup, is_database_source
from toolkit.ops.salvage import SalvageResult, salvage
from toolkit.ops.salvage_db import DatabaseSalvage, salvage_database

from .downloads import DownloadBar, stem_of
from .files import FileSource
from .form import Form
from .html import esc, frame_html, message_html, notices_html
from .passwords import take_password


def lost_text(result: SalvageResult) -> str:
    """The unreadable byte ranges in words (:meth:`SalvageResult.lost_text`, the CLI's words too)."""
    return result.lost_text()


def database_table(result: DatabaseSalvage) -> pd.DataFrame:
    """Per table of a salvaged wallet database: rows recovered, pages lost and the rowids they held."""
    rows = []
    for table, n in result.recovered.items():
        lost = result.lost.get(table) or []
        spans = [f"{'start' if r.after is None else r.after + 1}–{'end' if r.upto is None else r.upto}" for r in lost]
        rows.append(
            {
                "table": table,
                "recovered": n,
                "lost pages": ", ".join(str(r.page) for r in lost),
                "rowids lost": ", ".join(spans),
                "refused": result.rejected.get(table, 0),
            }
        )
    return pd.DataFrame(rows, columns=["table", "recovered", "lost pages", "rowids lost", "refused"])


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

    **Stop** ends the search for records; what was found so far is shown (and what was not searched is said).

    Attributes after :meth:`run`: ``result`` (:class:`~toolkit.ops.salvage.SalvageResult`),
    ``recovered`` (per table: ``recovered``, ``damaged``, ``unread``) and
    ``backup`` (the recovered backup: give this form to the Export form to
    write it with a new password).
    """

    title = "Salvage a damaged backup"
    action = "Salvage"
    failure = "Could not salvage the backup"
    working = "salvaging"
    uses = ("handoff",)

    def __init__(self, *, session: Any = None) -> None:
        from .session import default_session

        self.session = session if session is not None else default_session()
        self.file = FileSource("damaged backup")
        self.password = widgets.Password(description="Password", placeholder="the backup's password")
        #: Says which file another form handed over (with its password, kept in the kernel).
        self.handed = widgets.HTML(layout=widgets.Layout(display="none"))
        self.handed.add_class("ctk-handed")
        self.result: SalvageResult | None = None
        self.recovered: pd.DataFrame | None = None
        self.backup: Backup | None = None
        self.stop_button = widgets.Button(description="Stop", icon="stop", disabled=True, button_style="warning")
        self.stop_button.on_click(lambda _b: self.stop())
        self._stop = threading.Event()
        super().__init__([self.handed, self.file, self.password], beside_button=[self.stop_button], session=session)
        self.button.icon = "medkit"
        self.session.takes_handoff = True
        self.session.observe(self._on_handoff, names="handoff")
        for part in (self.file.upload, self.file.path):  # a file chosen here replaces the handed one
            part.observe(self._drop_handoff, names="value")
        self._on_handoff()

    def _on_handoff(self, _change: Any = None) -> None:
        handed = self.session.handoff
        if handed is None:
            self.handed.value, self.handed.layout.display = "", "none"
            return
        self.handed.value = message_html(
            f"Salvage will use <b>{esc(handed.name)}</b> ({esc(handed.why)}) with the password typed there: "
            "press Salvage, or choose another file below.",
            "info",
        )
        self.handed.layout.display = None

    def _drop_handoff(self, change: dict[str, Any]) -> None:
        if change["new"] and self.session.handoff is not None:
            self.session.handoff = None

    def _chosen(self, password: str | None) -> tuple[Any, str, str]:
        """(source, name, password): the file chosen here, else the one another form handed over."""
        handed = self.session.handoff
        if handed is not None and self.file.chosen is None:
            self.password.value = ""
            return handed.source, handed.name, password if password is not None else handed.password
        source, name = self.file.read()
        return source, name, take_password(self.password, "the damaged backup", password)

    def stop(self) -> None:
        """End the search for records; the result then holds what was found so far (and says so)."""
        self._stop.set()

    def _reset(self) -> None:
        self.result = self.recovered = self.backup = None

    def _run(self, *, password: str | None = None) -> Any:
        source, name, typed = self._chosen(password)
        if is_database_source(source):  # the wallet's own database: salvaged page by page
            return self._run_database(source, name, typed)
        self.step(f"reading every record of {name} that can be read")
        self._stop.clear()
        self.stop_button.disabled = False
        try:
            result = salvage(source, typed, stop=self._stop)
        finally:
            self.stop_button.disabled = True
        self.result, self.recovered, self.backup = result, result.table(), result.backup
        self.publish(result.backup, name, "salvaged", salvage_note(result))
        unread = message_html(esc(result.unread_text()), "warning") if result.unread else ""
        self._show(name, result.headline(name), result.intact, unread + notices_html(result.notes))
        return result

    def _show(self, name: str, headline: str, intact: bool, below_html: str) -> None:
        """The headline (file name in bold; a warning unless intact), the recovered table with ``below_html``
        under it, its downloads, and where the salvaged backup went."""
        shown = esc(headline).replace(esc(name), f"<b>{esc(name)}</b>", 1)
        if intact:
            self.ok(shown)
        else:
            self.status.value = message_html(shown, "warning")
        self.results.children = (
            widgets.HTML(frame_html(self.recovered, max_height="none") + below_html),
            DownloadBar(self.recovered, "salvage", stem=stem_of(name)),
            widgets.HTML(
                message_html(
                    "The salvaged backup is in this session's list now: Export, Ledger, Audit and Diff can use it.",
                    "info",
                )
            ),
        )

    def _run_database(self, source: Any, name: str, password: str) -> DatabaseSalvage:
        """The Desktop Wallet's database: every row on its intact pages (:func:`salvage_database`)."""
        self.step(f"reading every row of {name} on a page that passes its check")
        result = salvage_database(source, password)
        self.result, self.recovered, self.backup = result, database_table(result), result.backup
        pages = result.bad_pages
        if result.intact:
            note, headline = (
                "nothing lost",
                f"{name}: wallet database, {result.pages} pages, intact: every row recovered",
            )
        else:
            lost = (
                [
                    f"page{'s' if len(pages) > 1 else ''} {', '.join(map(str, pages))} failed {'their' if len(pages) > 1 else 'its'} check"
                ]
                if pages
                else []
            )
            if result.missing_pages:
                lost.append(f"{result.missing_pages} page{'s' if result.missing_pages > 1 else ''} missing (cut short)")
            note = "; ".join(lost) or "pages unreadable"
            headline = f"{name}: wallet database, {result.pages} pages, damaged ({note}): the rows on the other pages recovered"
        self.publish(result.backup, name, "salvaged", note)
        self._show(name, headline, result.intact, notices_html(result.backup.notices()))
        return result

    def run(self, *, password: str | None = None) -> SalvageResult | None:  # type: ignore[override]
        """Salvage; returns the result (also in ``.result``), or None and shows why not."""
        return super().run(password=password)

    def describe(self) -> str:
        if isinstance(self.result, DatabaseSalvage):
            return "intact" if self.result.intact else f"recovered {sum(self.result.recovered.values())} rows"
        if self.result is not None:
            return "intact" if self.result.intact else f"recovered {sum(self.result.recovered.values())} records"
        return super().describe()
