"""The Ledger form against the device simulator (tests/ledger_sim.py) through ledgerblue's TCP transport."""

from __future__ import annotations

from tests.conftest import DESKTOP, opened_form, visible_text


def test_ledger_form_with_the_simulator_matches_the_backup() -> None:
    from tests.ledger_sim import LedgerSim, SimConfig
    from toolkit.widgets import LedgerForm

    source = opened_form(DESKTOP)
    key = source.backup.records("wallets")[1]["identifier"]
    with LedgerSim(SimConfig(app="Concordium", version="4.0.0", pairing_key=key)) as sim:
        form = LedgerForm(source, connection=sim.address)
        form.button.click()
        form.wait()
    assert form.state == "ready" and form.matches is True
    assert form.result is not None and form.result.to_dict()["matches_wallet"]["identifier"] == key
    text = visible_text(form)
    assert "yes: wallet 2 of the backup" in text and "Concordium 4.0.0" in text
    assert "ctk-ok" in form.status.value
    assert repr(form) == "<LedgerForm: ready, matches the backup>"


def test_ledger_form_other_ledger_dashboard_and_no_device() -> None:
    from tests.ledger_sim import LedgerSim, SimConfig
    from toolkit.widgets import LedgerForm

    source = opened_form(DESKTOP)
    with LedgerSim(SimConfig()) as sim:
        form = LedgerForm(source, connection=sim.address)
        form.run()
    assert form.state == "ready" and form.matches is False
    assert "ctk-warning" in form.status.value and "no: this is not the Ledger" in visible_text(form)

    with LedgerSim(SimConfig(app="BOLOS")) as sim:
        form = LedgerForm(source, connection=sim.address)
        form.run()
    assert form.state == "dashboard" and form.matches is None
    assert "Open the Concordium app" in form.status.value

    form = LedgerForm(source, connection="not an address")
    assert form.run() is None and form.error is not None and form.error.code == "ledger"


def test_ledger_form_without_a_backup_does_not_compare() -> None:
    from tests.ledger_sim import LedgerSim, SimConfig
    from toolkit.widgets import LedgerForm
    from toolkit.widgets.session import Session

    with LedgerSim(SimConfig()) as sim:
        form = LedgerForm(connection=sim.address, session=Session())
        form.run()
    assert form.state == "ready" and form.matches is None
    assert "not compared (no backup was chosen)" in visible_text(form)
