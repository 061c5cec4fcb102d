"""The Open form: a backup (upload or path) and its password → summary and every table in tabs."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import pandas as pd

from toolkit import errors
from toolkit.model.backup import Backup, open_backup
from toolkit.model.tables import summary_frame

from .downloads import stem_of
from .files import FileSource
from .form import Form
from .html import esc, frame_html, message_html, notices_html
from .passwords import take_password
from .session import Handoff
from .tables import tables_tab

KIND_NAMES = {
    "desktop-wallet": "Desktop Wallet backup",
    "legacy-mobile-wallet": "legacy mobile wallet backup",
    "desktop-wallet-database": "Desktop Wallet database",
}


def headline(backup: Backup, name: str) -> str:
    """``wallet-export.json: Desktop Wallet backup, mainnet — 12 accounts, 4 identities`` (escaped HTML)."""
    counts = backup.counts()
    one = {"accounts": "account", "identities": "identity"}
    parts = [f"{counts[k]:,} {one[k] if counts[k] == 1 else k}" for k in one if counts.get(k) is not None]
    kind = KIND_NAMES.get(backup.kind, backup.kind)
    return f"<b>{esc(name)}</b>: {esc(kind)}, network {esc(backup.network)} — {esc(', '.join(parts))}"


def summary_html(summary: pd.DataFrame) -> str:
    """The summary frame as one row of facts, with the encryption parameters folded away."""
    is_enc = summary.index.str.startswith("encryption.")
    facts = summary[~is_enc].rename_axis(None).T
    enc = summary[is_enc].rename(index=lambda item: item.split(".", 1)[1]).rename_axis(None).T
    out = frame_html(facts, max_height="none")
    if len(enc.columns):
        out += f"<details><summary>Encryption</summary>{frame_html(enc, max_height='none')}</details>"
    return out


class OpenForm(Form):
    """Open a backup and show what is in it.

    Attributes after a successful :meth:`run`: ``backup`` (:class:`~toolkit.model.backup.Backup`),
    ``summary`` (the two-column summary frame), ``tables`` (one DataFrame per
    record kind; a legacy file's private keys redacted), ``notices`` (plain
    sentences to read first, e.g. the legacy notice) and ``name`` (the file's
    name).  After a failure they are None/empty and ``error`` says why.
    """

    title = "Open a backup"
    action = "Open"
    failure = "Could not open the backup"
    working = "opening"

    def __init__(self, *, session: Any = None, alone: bool = False) -> None:
        """``alone``: the form is the page's only one (its hints point to no other form)."""
        from .session import default_session

        self.alone = alone
        if alone:
            from .hints import ALONE_HINTS

            self.extra_hints = ALONE_HINTS
        self.session = session if session is not None else default_session()
        # a backup of the page's list can be opened too (a recovered, salvaged or merged one: its tables)
        self.file = FileSource("backup", session=None if alone else self.session)
        self.password = widgets.Password(description="Password", placeholder="the backup's password")
        self.backup: Backup | None = None
        self.summary: pd.DataFrame | None = None
        self.tables: dict[str, pd.DataFrame] = {}
        self.notices: list[str] = []
        self.name: str | None = None
        super().__init__([self.file, self.password], session=session)
        self.button.icon = "folder-open"

    def _reset(self) -> None:
        self.backup, self.summary, self.tables, self.notices, self.name = None, None, {}, [], None

    def _run(self, *, password: str | None = None) -> Backup:
        """Open the chosen file; ``password`` replaces the field's value in scripts (it never reaches the widget)."""
        picked = self.file.picked
        if picked is not None:
            self.password.value = ""  # not needed: the list's backup is open already
            backup, name = picked.backup, picked.name
        else:
            self.step("reading the file")
            source, name = self.file.read()
            typed = take_password(self.password, "the backup", password)
            self.step("decrypting")
            try:
                backup = open_backup(source, typed)
            except errors.BackupError as exc:
                if (
                    exc.code == "damaged" and not self.alone and self.session.takes_handoff
                ):  # the salvage form gets the file and its password
                    self.session.handoff = Handoff(source, name, typed, "the Open form could not open it")
                raise
            backup = self.publish(backup, name, "opened").backup  # the list's copy when it held this file already
        self.step("building the tables")
        tables = backup.tables(reveal_secrets=False)
        self.backup, self.name = backup, name
        self.summary = summary_frame(backup)
        self.tables = tables
        self.notices = backup.notices()
        self.ok(headline(backup, name))
        redacted = message_html("Private keys are shown as ‹redacted›.", "info") if backup.is_legacy else ""
        self.results.children = (
            widgets.HTML(notices_html(self.notices) + redacted),
            widgets.HTML(summary_html(self.summary)),
            tables_tab(tables, selected="accounts", stem=stem_of(name)),
        )
        return backup

    def run(self, *, password: str | None = None) -> Backup | None:  # type: ignore[override]
        """Open the backup; returns it (also in ``.backup``), or None and shows why not."""
        return super().run(password=password)

    def describe(self) -> str:
        if self.backup is not None:
            return f"opened {self.name}: {self.backup.kind}, {self.backup.network}"
        return super().describe()
