"""The whole support-desk tool on one page: every form, sharing one session of backups.

Open, Salvage, Recovery and Import preview put the backups they produce into
the session; Diff, Import preview, Export, Ledger and Audit take theirs from
it (or from a file).  ``support_desk()`` is what ``notebooks/app-desk.ipynb`` shows.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from toolkit.format.container import MAX_FILE_SIZE

from .common import STYLE, size_text
from .session import Session

INTRO = """<h2 style="margin:4px 0">Concordium backup support desk</h2>
<p style="max-width:60em">Each step's result is usable by the next: a backup that is <b>opened</b>,
<b>salvaged</b>, whose password is <b>recovered</b>, or <b>merged</b> by the import preview joins this page's list
of backups; <b>Export</b>, <b>Ledger</b>, <b>Audit</b>, <b>Diff</b> and the import preview choose from that list.
Passwords are cleared from the fields once used. Uploads up to {limit}.</p>"""


class Desk(widgets.VBox):
    """Every form, in the order a desk walks them; ``forms`` maps a short name to each."""

    def __init__(self, session: Session | None = None, **ledger: Any) -> None:
        from .audit_form import AuditForm
        from .diff_form import DiffForm
        from .export_form import ExportForm
        from .ledger_form import LedgerForm
        from .merge_form import MergeForm
        from .open_form import OpenForm
        from .recovery_form import RecoveryForm
        from .salvage_form import SalvageForm

        self.session = session if session is not None else Session()
        s = self.session
        self.forms = {
            "open": OpenForm(session=s),
            "salvage": SalvageForm(session=s),
            "recovery": RecoveryForm(session=s),
            "diff": DiffForm(session=s),
            "merge": MergeForm(session=s),
            "export": ExportForm(session=s),
            "ledger": LedgerForm(session=s, **ledger),
            "audit": AuditForm(session=s),
        }
        rule = widgets.HTML('<hr style="margin:12px 0;border:0;border-top:2px solid #d0d4da">')
        children: list[widgets.Widget] = [widgets.HTML(STYLE + INTRO.format(limit=size_text(MAX_FILE_SIZE)))]
        for form in self.forms.values():
            children += [form, rule]
        super().__init__(children=children[:-1])
        self.add_class("ctk-desk")

    def __repr__(self) -> str:
        return f"<Desk: {len(self.session.entries)} backups in the session>"


def support_desk(session: Session | None = None, **ledger: Any) -> Desk:
    """The support-desk page (``ledger`` keywords, e.g. ``connection=``, go to the Ledger form)."""
    return Desk(session, **ledger)
