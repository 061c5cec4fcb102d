"""The backups a desk session has produced so far, shared by every form of one kernel.

Whatever makes a backup — the Open, Salvage, Recovery or Import preview form —
adds it to the session with what happened to it ("salvaged, damage in 2
places"); whatever uses one — Export, Ledger, Audit, Diff, Import preview —
picks it from the session by that name.  So no form is a dead end: a salvaged
or recovered backup can be exported, audited and Ledger-checked like an opened
one.  The session is observable (traitlets), so the pickers update themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import traitlets

from toolkit.model.backup import Backup

from .html import esc

#: Shown in a picker while the session holds no backup yet.
NOTHING_YET = "(no backup yet: open, salvage, recover or merge one above)"


@dataclass(frozen=True, eq=False)
class Produced:
    """One backup of the session: its file name, how it was made, and a note on what it lacks."""

    name: str
    backup: Backup
    how: str = "opened"
    note: str = ""
    number: int = 0

    @property
    def label(self) -> str:
        """``wallet-export-bitrot.json (salvaged, damage in 2 places)``; numbered when a name repeats."""
        extra = f", {self.note}" if self.note else ""
        return f"#{self.number} {self.name} ({self.how}{extra})"


class Handoff:
    """A file one form could not use, handed to the form that can (Open's damaged file to Salvage), with its
    password: held in the kernel only (never shown; its repr names the file alone)."""

    def __init__(self, source: bytes | str, name: str, password: str, why: str) -> None:
        self.source, self.name, self.why = source, name, why
        self._password = password

    @property
    def password(self) -> str:
        return self._password

    def __repr__(self) -> str:
        return f"<Handoff {self.name!r}: {self.why}>"


class Session(traitlets.HasTraits):
    """The backups produced so far, newest last (``entries`` is replaced on every change, so observers see it).

    ``handoff`` is a file with its password that one form passes to another (kernel only, never on the page).
    """

    entries = traitlets.Tuple()
    handoff = traitlets.Any(None, allow_none=True)
    #: True once a form that takes a handoff (Salvage) is on the page: only then is a password kept for it.
    takes_handoff = False

    def add(self, backup: Backup, name: str, how: str = "opened", note: str = "") -> Produced:
        """Remember ``backup``: the same Backup object, or the same file opened again with the same
        content, is not added twice (a double click, Compare and Open of one file)."""
        for entry in self.entries:
            if entry.backup is backup:
                return entry
        for entry in self.entries:
            if (entry.name, entry.how, entry.note) == (name, how, note) and _same_content(entry.backup, backup):
                return entry
        entry = Produced(name=name, backup=backup, how=how, note=note, number=len(self.entries) + 1)
        self.entries = (*self.entries, entry)
        return entry

    @property
    def latest(self) -> Produced | None:
        return self.entries[-1] if self.entries else None

    def clear(self) -> None:
        self.entries = ()
        self.handoff = None

    def __repr__(self) -> str:
        return f"<Session: {len(self.entries)} backups>"


def _same_content(x: Backup, y: Backup) -> bool:
    try:
        return x.kind == y.kind and bool(x.document == y.document)
    except RecursionError:  # nesting deeper than Python compares: count it as different
        return False


#: The session every form of this kernel shares unless given another.
SESSION = Session()


def default_session() -> Session:
    return SESSION


class BackupPicker(widgets.VBox):
    """A dropdown of the session's backups (it follows the newest one) and a line naming the chosen one.

    ``verb`` words that line: "Export will write", "Compare with" ...
    """

    def __init__(self, session: Session, verb: str, *, description: str = "Backup") -> None:
        self.session = session
        self.verb = verb
        self.dropdown = widgets.Dropdown(description=description, layout=widgets.Layout(width="40em"))
        self.line = widgets.HTML()
        self.dropdown.observe(lambda _c: self._say(), names="value")
        session.observe(self._refresh, names="entries")
        super().__init__(children=[self.dropdown, self.line])
        self.add_class("ctk-picker")
        self._refresh()

    def _refresh(self, _change: Any = None) -> None:
        entries = self.session.entries
        if not entries:
            self.dropdown.options = [(NOTHING_YET, None)]
            self.dropdown.value = None
        else:
            self.dropdown.options = [(e.label, e) for e in reversed(entries)]
            self.dropdown.value = entries[-1]  # the newest: what the person just made
        self._say()

    def _say(self) -> None:
        chosen = self.selected
        if chosen is None:
            self.line.value = f'<div class="ctk-will">{esc(self.verb)}: — {esc(NOTHING_YET)}</div>'
        else:
            self.line.value = f'<div class="ctk-will">{esc(self.verb)}: <b>{esc(chosen.label)}</b></div>'

    @property
    def selected(self) -> Produced | None:
        return self.dropdown.value
