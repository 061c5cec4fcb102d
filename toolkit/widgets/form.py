"""The base of every form: one button around one library call, the same behaviour around it.

A form is a thin skin: it reads its widgets, calls one library function and
renders the result.  :class:`Form` gives every form the same behaviour around
that call: the button is disabled while it runs, every password field is
cleared afterwards (whatever happened), a :class:`~toolkit.errors.BackupError`
is shown in plain words with its code, and anything else as a one-line
"internal error (TypeName)" — never a traceback.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import traceback
from collections import ChainMap
from typing import Any

import ipywidgets as widgets

from toolkit import errors

from . import hints, page
from .files import ChoiceError, FileSource, UploadTooLargeError
from .html import STYLE, error_html, esc, message_html, working_html
from .session import default_session

log = logging.getLogger("toolkit.widgets")


def wide() -> widgets.Layout:
    """A layout for checkboxes and other widgets whose label must never be cut."""
    return widgets.Layout(width="auto")


class Form(widgets.VBox):
    """Base of every form: a title, controls, one button, a status line and a results area.

    Subclasses build ``controls`` and implement :meth:`_run`; ``run()`` does
    the work and returns its result.  The button runs it in a background
    thread (:meth:`start`; :meth:`wait` waits for it), so the page stays
    responsive and the status says at once "Working… (what, since when)".
    ``error`` holds the last failure (None after success).  Every form of a
    kernel shares one :class:`~toolkit.widgets.session.Session` (``session``):
    producing forms :meth:`publish` their backup there, consuming ones pick it.
    """

    #: Shown as the form's heading.
    title = ""
    #: The button's label.
    action = "Run"
    #: Said before an error, e.g. "Could not open the backup".
    failure = "It did not work"
    #: What the status says while the form works ("opening the backup").
    working = "working"
    #: Hints of this one form object, before its class's table in :mod:`toolkit.widgets.hints`.
    extra_hints: dict[str, str] = {}

    def __init__(
        self,
        controls: list[widgets.Widget],
        *,
        beside_button: list[widgets.Widget] = (),
        session: Any = None,
        **kwargs: Any,
    ) -> None:
        #: The page mode the form obeys (None: a person's own notebook; see :mod:`toolkit.widgets.page`).
        self.page = page.current()
        if getattr(self, "session", None) is None:
            self.session = session if session is not None else default_session()
        self.button = widgets.Button(description=self.action, button_style="primary", icon="play")
        self.button.on_click(self._on_click)
        self.status = widgets.HTML()
        self.results = widgets.VBox()
        self.error: BaseException | None = None
        self._worker: threading.Thread | None = None
        self._since: float | None = None
        heading = widgets.HTML(STYLE + (f"<h3 style='margin:4px 0'>{esc(self.title)}</h3>" if self.title else ""))
        buttons = widgets.HBox([self.button, *beside_button]) if beside_button else self.button
        children = [heading, *controls, buttons, self.status, self.results]
        super().__init__(children=children, **kwargs)
        self.add_class("ctk-form")
        if self.page is not None:
            self.restrict(self.page)
        self._step = ""
        for part in self.inputs():  # another input: the previous result (and its links) is no longer about it
            part.observe(self._on_input, names="value")

    def inputs(self) -> list[widgets.Widget]:
        """The widgets choosing what the form works on (files, pickers): changing one clears the result."""
        from .session import BackupPicker

        out: list[widgets.Widget] = []
        for w in vars(self).values():
            if isinstance(w, FileSource):
                out += [w.upload, w.path, *(() if w.pick is None else (w.pick,))]
            elif isinstance(w, BackupPicker):
                out.append(w.dropdown)
        return out

    def _on_input(self, change: dict[str, Any]) -> None:
        if self.busy or change.get("old") == change.get("new"):
            return
        if self.results.children or "ctk-working" not in self.status.value:
            self.error = None
            self._reset()
            self.results.children = ()
            self.status.value = ""

    def step(self, text: str) -> None:
        """Say which step the work is at: ``Working… opening wallet-export.json: decrypting``."""
        self._step = text
        if self._since is not None:
            self.status.value = working_html(self.working_what(), self._since)

    def restrict(self, mode: page.PageMode) -> None:
        """Page mode: hide and guard the fields a served page's users must not use (forms with such fields
        override this; their file choosers guard themselves)."""

    # ---------------------------------------------------------------- session
    def publish(self, backup: Any, name: str, how: str = "opened", note: str = "") -> Any:
        """Add a backup this form produced to the session (so Export, Ledger, Audit, Diff can use it)."""
        return self.session.add(backup, name, how, note)

    # ---------------------------------------------------------------- running
    def _on_click(self, _button: widgets.Button) -> None:
        self.start()

    def start(self, **kwargs: Any) -> threading.Thread:
        """Run in a background thread (what the button does); the status says "Working…" at once.

        While a run goes on, another click (a double click arrives as two) starts nothing: it returns the
        running thread, so the job is neither repeated nor answered with "no password was typed"."""
        running = self._worker
        if running is not None and running.is_alive():
            return running
        self.button.disabled = True
        self.results.children = ()  # at once, in the click's own message: no old result or link beside new work
        self._step = ""
        self._show_working()
        worker = threading.Thread(target=self._work, kwargs=kwargs, daemon=True, name=f"ctk-{type(self).__name__}")
        self._worker = worker
        worker.start()
        return worker

    def _work(self, **kwargs: Any) -> None:
        ticker = threading.Thread(target=self._tick, daemon=True)
        ticker.start()
        self.run(**kwargs)

    def _tick(self) -> None:
        """Refresh the elapsed seconds of the working line while the work goes on."""
        while True:
            worker = self._worker
            if worker is None or not worker.is_alive():
                return
            worker.join(1.0)
            if worker.is_alive() and self._since is not None and "ctk-working" in self.status.value:
                self.status.value = working_html(self.working_what(), self._since)

    def wait(self, timeout: float | None = None) -> Any:
        """Until work started by the button (:meth:`start`) ends, or ``timeout`` seconds."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout)
        return None

    @property
    def busy(self) -> bool:
        return self._since is not None

    def working_what(self) -> str:
        """What the form is doing, for the working line (the chosen file's name when there is one)."""
        file = getattr(self, "file", None)
        chosen = file.chosen if isinstance(file, FileSource) else None
        what = f"{self.working} {chosen}" if chosen else self.working
        return f"{what}: {self._step}" if self._step else what

    def _show_working(self) -> None:
        self._since = self._since or time.time()
        self.status.value = working_html(self.working_what(), self._since)

    def password_fields(self) -> list[widgets.Password]:
        """Every password field of the form (cleared after each run)."""
        return [w for w in vars(self).values() if isinstance(w, widgets.Password)]

    def clear_passwords(self) -> None:
        for field in self.password_fields():
            field.value = ""

    def _begin(self) -> None:
        self.error = None
        self.results.children = ()
        self._reset()
        self._show_working()

    def _fail(self, exc: BaseException) -> None:
        """Forget any result and show ``exc`` in plain words (an unexpected one as "internal error (TypeName)")."""
        if not isinstance(exc, errors.BackupError):  # the trace as text: it holds no frames (no locals)
            trace = "".join(traceback.format_tb(exc.__traceback__))  # code locations only, no message
            log.debug("internal error (%s) in %s:\n%s", type(exc).__name__, type(self).__name__, trace)
        self.error = errors.without_traceback(exc)  # its frames' locals may hold a password
        self._reset()
        self.results.children = ()
        shown = errors.restated(exc, self.hint_table())
        self.status.value = error_html(shown, self.failure_about())

    def failure_about(self) -> str:
        """The failure's words naming the form's file: ``Could not open the backup (wallet-export.json)``."""
        file = getattr(self, "file", None)
        chosen = file.chosen if isinstance(file, FileSource) else None
        if chosen is not None and file.picked is None:  # a typed path: its file's name
            chosen = os.path.basename(chosen.rstrip("/\\")) or chosen
        if chosen is None and getattr(self.session, "handoff", None) is not None and "handoff" in self.uses:
            chosen = self.session.handoff.name
        return f"{self.failure} ({chosen})" if chosen else self.failure

    #: What of the session this form reads besides its own fields ("handoff": the Salvage form).
    uses: tuple[str, ...] = ()

    def hint_table(self) -> Any:
        """Error code (or ``code@subject``) -> what to do, in this form's words."""
        return ChainMap(self.extra_hints, hints.table_for(type(self).__name__))

    def run(self, **kwargs: Any) -> Any:
        """Do the form's one action with the current values; return its result, or None on failure."""
        self._begin()
        self.button.disabled = True
        keep_passwords = False
        try:
            return self._run(**kwargs)
        except Exception as exc:  # shown as one line; the traceback only at DEBUG level
            # nothing was used yet: don't make them type it again
            keep_passwords = isinstance(exc, (ChoiceError, UploadTooLargeError))
            self._fail(exc)
        finally:
            if not keep_passwords:
                self.clear_passwords()
            self._since = None
            self._step = ""
            if "ctk-working" in self.status.value:
                self.status.value = ""
            self.button.disabled = False
        return None

    def _run(self, **kwargs: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _reset(self) -> None:
        """Forget the previous result (subclasses clear their attributes)."""

    def ok(self, body_html: str) -> None:
        """Show a success line."""
        self.status.value = message_html(body_html, "ok")

    # ---------------------------------------------------------------- display
    def describe(self) -> str:
        """One line about the form's state, for its repr (never a password)."""
        if self.error is not None:
            code = getattr(self.error, "code", type(self.error).__name__)
            return f"failed ({code})"
        return "ready"

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.describe()}>"
