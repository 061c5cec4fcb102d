"""The whole support-desk tool on one page: every form, sharing one session of backups.

Open, Salvage, Recovery and Import preview put the backups they produce into
the session; Diff, Import preview, Export, Ledger and Audit take theirs from
it (or from a file).  ``support_desk(page=True)`` is what ``notebooks/app-desk.ipynb`` shows: the page
mode of :mod:`toolkit.widgets.page` (no path, address or cluster fields for the page's users), whose kernel
goes with the page (:mod:`toolkit.widgets.leaving`).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from toolkit.format.container import MAX_FILE_SIZE

from . import page as pages
from .html import STYLE, size_text
from .leaving import PageGuard
from .registry import FORMS, form_class
from .session import Session
from .theme import BORDER

INTRO = """<h2 style="margin:4px 0">Concordium backup support desk</h2>
<p style="max-width:60em">Each step's result is usable by the next: a backup that is <b>opened</b>,
<b>salvaged</b>, whose password is <b>recovered</b>, or <b>merged</b> by the import preview joins this page's list
of backups (so does every file uploaded with its password, once); <b>Open</b>, <b>Export</b>, <b>Ledger</b>,
<b>Audit</b>, <b>Diff</b> and the import preview choose from that list.
Passwords are cleared from the fields once used. Uploads up to {limit}.{files}</p>"""
#: What the intro says about files in page mode.
PAGE_FILES = " Files arrive by upload and leave by download."


class Desk(widgets.VBox):
    """Every form of :data:`toolkit.widgets.registry.FORMS`, in its order; ``forms`` maps each key to its form.

    ``options`` maps a form's key to keywords for it (``{"ledger": {"connection": "127.0.0.1:9999"}}``).
    """

    def __init__(self, session: Session | None = None, *, options: dict[str, dict[str, Any]] | None = None) -> None:
        self.session = session if session is not None else Session()
        options = options or {}
        self.forms = {e.key: form_class(e)(session=self.session, **options.get(e.key, {})) for e in FORMS}
        self.page = pages.current()
        rule = widgets.HTML(f'<hr style="margin:12px 0;border:0;border-top:2px solid {BORDER}">')
        intro = INTRO.format(limit=size_text(MAX_FILE_SIZE), files=PAGE_FILES if self.page is not None else "")
        children: list[widgets.Widget] = [widgets.HTML(STYLE + intro)]
        for form in self.forms.values():
            children += [form, rule]
        #: Asks before the page is left while a form works; a served page's kernel goes with the page.
        self.guard = PageGuard(served=self.page is not None)
        self.guard.watch(self.forms.values())
        super().__init__(children=[*children[:-1], self.guard])
        self.add_class("ctk-desk")

    def __repr__(self) -> str:
        return f"<Desk: {len(self.session.entries)} backups in the session>"


def support_desk(session: Session | None = None, *, page: bool = False, **ledger: Any) -> Desk:
    """The support-desk page (``ledger`` keywords, e.g. ``connection=``, go to the Ledger form).

    ``page=True`` (a page served to others, e.g. by Voilà) first puts the kernel in page mode for its life
    (:func:`toolkit.widgets.page.serve_page`, the operator's settings from the environment).
    """
    if page:
        pages.serve_page()
    return Desk(session, options={"ledger": ledger} if ledger else None)
