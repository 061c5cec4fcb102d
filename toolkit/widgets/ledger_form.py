"""The Ledger form: "Check Ledger" → the device's state, the next step, and whether it is the opened backup's Ledger."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from ..backup import Backup
from ..ledger import DEFAULT_TIMEOUT, LedgerCheck, check_ledger
from .common import Form, backup_of, esc, message_html, pairs_html

#: How each state is shown: ok (green) when usable, warning when a person can fix it, error otherwise.
STATE_KIND = {
    "ready": "ok",
    "no-device": "warning",
    "several-devices": "warning",
    "locked": "warning",
    "dashboard": "warning",
    "wrong-app": "warning",
    "app-too-old": "warning",
    "unresponsive": "error",
    "error": "error",
}


def match_text(result: LedgerCheck, backup: Backup | None) -> str:
    """Whether the Ledger is the backup's, in words."""
    if backup is None:
        return "not compared (no backup was chosen)"
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


class LedgerForm(Form):
    """Check the connected Ledger and, given an opened backup, whether it is that backup's Ledger.

    ``source`` is a :class:`~toolkit.backup.Backup` or a form with ``.backup``
    (looked up when the button is pressed).  ``connection`` empty means USB
    (or ledgerblue's LEDGER_PROXY_* environment); ``HOST:PORT`` talks to
    Speculos or ``tests/ledger_sim.py``.  Only read-only requests are sent.

    Attributes after :meth:`run`: ``result`` (:class:`~toolkit.ledger.LedgerCheck`,
    ``result.to_dict()`` for JSON), ``state`` and ``matches`` (True/False, or
    None when not compared).
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
        self.compare = widgets.Checkbox(value=True, description="Compare with a backup", indent=False)
        self.timeout = timeout
        self.result: LedgerCheck | None = None
        self.state: str | None = None
        self.matches: bool | None = None
        chooser: list[widgets.Widget] = [self.picker] if source is None else []
        super().__init__([self.connection, self.compare, *chooser])
        self.button.icon = "usb"

    def _reset(self) -> None:
        self.result, self.state, self.matches = None, None, None

    def _run(self) -> LedgerCheck:
        if not self.compare.value:
            backup = None
        elif self.source is not None:
            backup = backup_of(self.source)
        else:
            chosen = self.picker.selected
            backup = chosen.backup if chosen is not None else None
        backup = backup if isinstance(backup, Backup) else None
        tcp = self.connection.value.strip() or None
        result = check_ledger(backup, tcp=tcp, timeout=self.timeout)
        self.result, self.state = result, result.state
        if backup is not None and not backup.is_legacy and result.state == "ready":
            self.matches = result.matches_wallet is not None
        kind = STATE_KIND.get(result.state, "error")
        if kind == "ok" and self.matches is False:
            kind = "warning"
        said = result.message.lower().startswith(result.state.replace("-", " "))  # "Ready: …" says it already
        head = "" if said else f"<b>{esc(result.state)}</b> — "
        self.status.value = message_html(head + esc(result.message), kind)
        app = f"{result.app.name} {result.app.version}" if result.app else "—"
        rows = [
            ("state", result.state),
            ("device", result.device.describe() if result.device else "—"),
            ("app", app),
            ("pairing key", result.pairing_key or "—"),
            ("is the chosen backup's Ledger", match_text(result, backup)),
        ]
        self.results.children = (widgets.HTML(pairs_html(rows)),)
        return result

    def describe(self) -> str:
        if self.result is not None:
            match = "" if self.matches is None else (", matches the backup" if self.matches else ", not the backup's")
            return f"{self.result.state}{match}"
        return super().describe()
