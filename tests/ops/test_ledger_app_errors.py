"""Each of the Concordium app's own status words, sent by the Ledger simulator (tests/ledger_sim.py) through
ledgerblue's real TCP transport, reaches the user as the state, the status word and a message that names the
error and says what to do.

The app's words, from its source (Concordium/concordium-ledger-app): 4.1.2 (ce24e85e)
src/common/responseCodes.h:9-23 and 5.3.0 (tag v5.3.0) src/globals.h:195-213.
"""

from __future__ import annotations

import pytest

from tests.ledger_sim import LedgerSim, SimConfig
from toolkit.ops.ledger import GET_APP_AND_VERSION, GET_PAIRING_KEY, check_ledger
from toolkit.ops.ledger import check as ledger_check

pytestmark = pytest.mark.timeout(30)

#: Every status word the app's source defines, and what it is to the check.
APP_SOURCE = {
    0x9000: "ok",
    0x6982: "app-error",  # ERROR_NO_APDU_RECEIVED
    0x6985: "refused",  # ERROR_REJECTED_BY_USER
    0x6E00: "no-app",  # ERROR_INVALID_CLA
    0x6B01: "busy",  # ERROR_INVALID_STATE
    0x6B02: "app-error",  # ERROR_INVALID_PATH
    0x6B03: "app-error",  # ERROR_INVALID_PARAM
    0x6B04: "app-error",  # ERROR_INVALID_TRANSACTION
    0x6B05: "app-error",  # ERROR_UNSUPPORTED_CBOR
    0x6B06: "app-error",  # ERROR_BUFFER_OVERFLOW
    0x6B07: "app-error",  # ERROR_FAILED_CX_OPERATION
    0x6D00: "no-app",  # ERROR_INVALID_INSTRUCTION
    0x6B08: "app-error",  # ERROR_INVALID_SOURCE_LENGTH (5.x)
    0x6B09: "app-error",  # ERROR_INVALID_MODULE_REF (5.x)
    0x6B0A: "app-error",  # ERROR_INVALID_NAME_LENGTH (5.x)
    0x6B0B: "app-error",  # ERROR_INVALID_PARAMS_LENGTH (5.x)
    0x530C: "locked",  # ERROR_DEVICE_LOCKED
    0x6A87: "app-error",  # SW_WRONG_DATA_LENGTH (5.x)
}
APP_ERROR_WORDS = sorted(sw for sw, what in APP_SOURCE.items() if what in ("app-error", "busy"))


def test_app_errors_are_exactly_the_apps_own_errors():
    assert sorted(ledger_check.APP_ERRORS) == APP_ERROR_WORDS
    classed = ledger_check.LOCKED_SW | ledger_check.NO_APP_SW | ledger_check.REFUSED_SW
    for sw, what in APP_SOURCE.items():
        if what in ("locked", "no-app", "refused"):
            assert sw in classed and sw not in ledger_check.APP_ERRORS


@pytest.mark.parametrize("sw", APP_ERROR_WORDS, ids=lambda sw: f"0x{sw:04X}")
def test_each_app_error_reaches_the_user_with_its_name_and_what_to_do(sw: int):
    with LedgerSim(SimConfig(app="Concordium", version="5.3.0", key_status=sw)) as sim:
        result = check_ledger(tcp=("127.0.0.1", sim.port), timeout=2.0)
        received = list(sim.received)
    assert received == [GET_APP_AND_VERSION, GET_PAIRING_KEY]
    assert result.status_word == sw
    assert result.state == ("busy" if sw == ledger_check.BUSY_SW else "error")
    assert f"0x{sw:04X}" in result.message
    assert "firmware" not in result.message.lower()
    assert not result.ok and result.pairing_key is None
    if sw != ledger_check.BUSY_SW:
        error = ledger_check.APP_ERRORS[sw]
        assert f"({error.name})" in result.message and error.advice in result.message
        assert "check again" in result.message  # each one says what to do, not a bare "try again"
        assert "unexpected answer" not in result.message


def test_the_new_5x_words_each_say_another_program_was_sending_a_smart_contract():
    for sw in (0x6B08, 0x6B09, 0x6B0A, 0x6B0B):
        advice = ledger_check.APP_ERRORS[sw].advice
        assert "smart-contract transaction" in advice and "Desktop Wallet and Ledger Live" in advice
