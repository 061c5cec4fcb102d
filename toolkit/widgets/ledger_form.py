"""The Ledger form: "Check Ledger" → the device's state, the next step, and whether it is the opened backup's Ledger."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any

import ipywidgets as widgets

from toolkit.model.backup import Backup
from toolkit.ops.ledger import BEFORE_ASKING, DEFAULT_TIMEOUT, LedgerCheck, check_ledger

from . import page
from .downloads import Downloads, closed, named_after, stem_of
from .files import backup_of
from .form import Form, wide
from .html import esc, message_html, pairs_html

#: How each state is shown: ok (green) when usable, warning when a person can fix it, error otherwise.
STATE_KIND = {
    "ready": "ok",
    "no-device": "warning",
    "several-devices": "warning",
    "locked": "warning",
    "dashboard": "warning",
    "wrong-app": "warning",
    "app-too-old": "warning",
    "busy": "warning",
    "unresponsive": "error",
    "error": "error",
}


def match_text(result: LedgerCheck, backup: Backup | None, why_not: str = "no backup is open") -> str:
    """Whether the Ledger is the backup's, in words; ``why_not`` says why there was no backup to compare."""
    if backup is None:
        return f"not compared ({why_not})"
    if backup.is_legacy:
        return "no: a legacy mobile wallet backup holds its own keys and belongs to no Ledger"
    if result.state != "ready" or result.pairing_key is None:
        return "not known yet: the Ledger must be ready first"
    match = result.matches_wallet
    if match is None:
        return "no: this is not the Ledger of any wallet in the backup"
    ids, accs = len(match.identities), len(match.accounts)
    return (
        f"yes: wallet {match.id} of the backup ({ids} identit{'y' if ids == 1 else 'ies'}, "
        f"{accs} account{'' if accs == 1 else 's'})"
    )


def ledger_report(result: LedgerCheck, backup: Backup | None, match: str) -> bytes:
    """The check as JSON to attach to a support ticket: ``ledger --json``'s object, when, and against which backup.

    Values are exact, with every non-ASCII or control character as a ``\\uXXXX`` escape.
    """
    report = {
        "checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **result.to_dict(),
        "backup": os.path.basename(backup.source) if backup is not None and backup.source else None,
        "is_the_backups_ledger": match,
    }
    return json.dumps(report, indent=2, ensure_ascii=True).encode("ascii") + b"\n"


#: The app runs on one machine and is used from another: the Ledger must be at the app's machine.
LOCAL_COMMAND = "concordium-backup ledger wallet-export.json"
WHERE_LEDGER = (
    "The Ledger must be connected by USB to the machine that runs this app (its kernel), not to the computer "
    "showing this page. If the Ledger is with its owner, the owner runs the same check where the Ledger is: "
    f"install the toolkit there and run `{LOCAL_COMMAND}` (the backup file is optional)."
)
#: Added to the "No Ledger is connected" answer.
NO_DEVICE_HERE = (
    "It is looked for on the machine running this app. If the Ledger is plugged into another computer, run "
    f"`{LOCAL_COMMAND}` on that computer instead."
)


class LedgerForm(Form):
    """Check the connected Ledger and, given an opened backup, whether it is that backup's Ledger.

    ``source`` is a :class:`~toolkit.model.backup.Backup` or a form with ``.backup``
    (looked up when the button is pressed).  ``connection`` empty means USB
    (or ledgerblue's LEDGER_PROXY_* environment); ``HOST:PORT`` talks to
    Speculos or ``tests/ledger_sim.py``.  Only read-only requests are sent.

    Attributes after :meth:`run`: ``result`` (:class:`~toolkit.ops.ledger.LedgerCheck`,
    ``result.to_dict()`` for JSON), ``state``, ``matches`` (True/False, or
    None when not compared) and ``report`` (the downloadable JSON, see :func:`ledger_report`).
    """

    title = "Check the Ledger"
    action = "Check Ledger"
    failure = "Could not check the Ledger"
    working = "asking the Ledger"

    def __init__(
        self, source: Any = None, *, connection: str = "", timeout: float = DEFAULT_TIMEOUT, session: Any = None
    ) -> None:
        from .session import BackupPicker, default_session

        self.source = source
        self.session = session if session is not None else default_session()
        self.picker = BackupPicker(self.session, "Compare with", description="Backup")
        self.connection = widgets.Text(
            value=connection,
            description="Connection",
            placeholder="empty for USB, or HOST:PORT of Speculos / the simulator",
            layout={"width": "32em"},
        )
        self.compare = widgets.Checkbox(value=True, description="Compare with a backup", indent=False, layout=wide())
        self.timeout = timeout
        self.result: LedgerCheck | None = None
        self.state: str | None = None
        self.matches: bool | None = None
        self.report: bytes | None = None
        #: The check as JSON for a support ticket, sent to the browser when clicked.
        self.downloads: Downloads | None = None
        chooser: list[widgets.Widget] = [self.picker] if source is None else []
        self.notice = widgets.HTML(message_html(esc(BEFORE_ASKING), "warning"))
        #: Where the Ledger must be plugged in: the machine running the kernel, not the browser's.
        self.where = widgets.HTML(message_html(esc(WHERE_LEDGER), "info"))
        self.where.add_class("ctk-ledger-where")
        super().__init__([self.where, self.connection, self.compare, *chooser, self.notice])
        self.button.icon = "usb"

    def _reset(self) -> None:
        self.result, self.state, self.matches, self.report = None, None, None, None
        closed(self.downloads)
        self.downloads = None

    def restrict(self, mode: page.PageMode) -> None:
        """Page mode: no connection field; the server's USB Ledger, or one the operator lists."""
        page.guard_ledger(self, mode)

    def _run(self) -> LedgerCheck:
        backup, why_not = self._backup()
        tcp = self.connection.value.strip() or None
        self.status.value = message_html(f"Asking the Ledger… {esc(BEFORE_ASKING)}", "info")
        result = check_ledger(backup, tcp=tcp, timeout=self.timeout)
        self.result, self.state = result, result.state
        if backup is not None and not backup.is_legacy and result.state == "ready":
            self.matches = result.matches_wallet is not None
        kind = STATE_KIND.get(result.state, "error")
        if kind == "ok" and self.matches is False:
            kind = "warning"
        said = f"<b>{esc(result.verdict)}</b> — {esc(result.message)}"
        if result.state == "no-device" and tcp is None:
            said += " " + esc(NO_DEVICE_HERE)
        self.status.value = message_html(said, kind)
        app = f"{result.app.name} {result.app.version}" if result.app else "—"
        rows = [
            ("state", result.state),
            ("device", result.device.describe() if result.device else "—"),
            ("app", app),
            ("pairing key", result.pairing_key or "—"),
            ("is the chosen backup's Ledger", match_text(result, backup, why_not)),
        ]
        self.report = ledger_report(result, backup, match_text(result, backup, why_not))
        stem = stem_of(os.path.basename(backup.source)) if backup is not None and backup.source else ""
        self.downloads = Downloads()
        self.downloads.offer(
            "json", "ledger-check.json", named_after(stem, "ledger-check.json"), self.report, note="for a ticket"
        )
        self.results.children = (widgets.HTML(pairs_html(rows)), self.downloads)
        return result

    def _backup(self) -> tuple[Backup | None, str]:
        """The backup to compare with, or None and why there is none (in the form's words)."""
        if not self.compare.value:
            return None, "comparing is switched off"
        if self.source is None:
            chosen = self.picker.selected
            if chosen is None:
                return None, "no backup was chosen"
            return chosen.backup, ""
        backup = backup_of(self.source)
        if isinstance(backup, Backup):
            return backup, ""
        return None, "the form it takes the backup from has none open yet"

    def describe(self) -> str:
        if self.result is not None:
            match = "" if self.matches is None else (", matches the backup" if self.matches else ", not the backup's")
            return f"{self.result.state}{match}"
        return super().describe()
