"""The Ledger check against the real Concordium apps (tests/ledger-apps/) running in Speculos, Ledger's emulator.

What the apps answer here is what a Ledger answers: the states, messages and
pairing key are checked through the library, the CLI (``--json`` and text) and
the Ledger form, and the busy states are made the way another program makes
them (the first packet of a signing instruction, a pending "Public key"
prompt, a transaction under review).  ``tests/speculos.py`` starts Speculos.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import make_file
from tests.ledger_sim import LedgerSim, SimConfig
from tests.speculos import REAL, SEED_PAIRING_KEY, Speculos, answer, frame, read_answer, require_speculos
from toolkit.cli import main
from toolkit.format import jsonio
from toolkit.model.backup import open_backup
from toolkit.ops.ledger import BEFORE_ASKING, GET_APP_AND_VERSION, GET_PAIRING_KEY, check_ledger

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("no_ledger_proxy")]

PASSWORD = "speculos-test-Pässword"
OTHER_KEY = "ab" * 32
BOTH = [GET_APP_AND_VERSION, GET_PAIRING_KEY]
#: Path m/1105'/0'/0'/0'/0'/2'/0'/0' (the app's own tests' account key path), length-prefixed.
PATH8 = bytes([8]) + b"".join(n.to_bytes(4, "big") for n in (1105, 0, 0, 0, 0, 2, 0, 0))
#: An account transaction header: sender (32 bytes), nonce, energy, payload size, expiry.
HEADER = bytes(range(32)) + bytes.fromhex("000000000000000a0000000000000064000000290000000063de5da7")
#: First packet of "transfer to public" (INS 0x12, P1 0x00): the app answers 9000 and waits for the next one.
SIGN_FIRST = bytes([0xE0, 0x12, 0x00, 0x00, len(PATH8) + len(HEADER) + 1]) + PATH8 + HEADER + b"\x12"
#: "Get public key" with confirmation (P1 0x00): the app shows "Public key" and answers after a button press.
KEY_WITH_PROMPT = bytes([0xE0, 0x01, 0x00, 0x00, len(PATH8)]) + PATH8
#: A simple transfer (INS 0x02): one packet, then "Review transaction" on the screen.
_TRANSFER = PATH8 + HEADER + b"\x03" + bytes(32) + (1_000_000).to_bytes(8, "big")
SIMPLE_TRANSFER = bytes([0xE0, 0x02, 0x00, 0x00, len(_TRANSFER)]) + _TRANSFER


def next_packet(version: str) -> bytes:
    """The second packet of that transfer (P1 0x01) in the app version's layout (5.x added the recipient)."""
    size = 192 + 8 + (32 if version.startswith("5") else 0) + 8 + 2
    body = bytes(size - 2) + b"\x00\x10"
    return bytes([0xE0, 0x12, 0x01, 0x00, size]) + body


@pytest.fixture(scope="module", autouse=True)
def _speculos_present() -> None:
    require_speculos()


@pytest.fixture(scope="module", params=["4.1.2", "5.3.0"])
def concordium(request: pytest.FixtureRequest) -> Iterator[Speculos]:
    """A Concordium app that stays ready (tests that disturb it start their own)."""
    with Speculos(request.param) as device:
        yield device


def _backup_file(tmp_path: Path, identifier: str) -> Path:
    doc = {
        "accounts": [
            {"name": "Hovedkonto", "address": "3C8N65hBwc2cNtJkGmVyGeWYxhZ6R3X77mLWTwAKsnAnyworTq", "identityId": 1}
        ],
        "identities": [{"id": 1, "name": "Privat", "walletId": 1}],
        "addressBook": [],
        "credentials": [],
        "wallets": [{"id": 1, "identifier": identifier, "type": "ledgernanos"}],
    }
    path = tmp_path / "wallet-export.json"
    path.write_bytes(make_file(jsonio.dumps_js(doc), PASSWORD))
    (tmp_path / "password.txt").write_text(PASSWORD + "\n", encoding="utf-8")
    return path


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``concordium-backup ledger ARGS`` in this process (tests/ops/test_ledger.py runs it as a subprocess too)."""
    capsys.readouterr()
    code = main(["ledger", *args])
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------ ready, key and backup match


def test_ready_app_version_and_the_seed_pairing_key(concordium: Speculos) -> None:
    before = len(concordium.apdus())
    result = check_ledger(tcp=concordium.address, timeout=5)
    assert result.state == "ready", result.message
    assert result.app is not None and (result.app.name, result.app.version) == ("Concordium", concordium.app)
    assert result.pairing_key == SEED_PAIRING_KEY
    assert concordium.apdus()[before:] == BOTH
    assert result.message.startswith(f"The Concordium app {concordium.app} is open")


@pytest.mark.parametrize("matching", [True, False], ids=["match", "no-match"])
def test_backup_match_through_library_cli_and_form(
    concordium: Speculos, tmp_path: Path, capsys: pytest.CaptureFixture[str], matching: bool
) -> None:
    from toolkit.widgets import LedgerForm

    file = _backup_file(tmp_path, SEED_PAIRING_KEY if matching else OTHER_KEY)
    backup = open_backup(file, PASSWORD)

    result = check_ledger(backup, tcp=concordium.address, timeout=5)
    assert result.state == "ready" and result.ok is matching
    assert (result.matches_wallet is not None) is matching

    base = [str(file), "--password-file", str(tmp_path / "password.txt"), "--tcp", concordium.address]
    code, stdout, stderr = _cli(capsys, *base, "--json")
    assert code == (0 if matching else 1), stderr
    out = json.loads(stdout)
    assert out["state"] == "ready" and out["pairing_key"] == SEED_PAIRING_KEY
    assert out["matches_wallet"] == ({"id": 1, "identifier": SEED_PAIRING_KEY} if matching else None)
    assert BEFORE_ASKING in stderr

    code, text, _ = _cli(capsys, *base)
    assert code == (0 if matching else 1)
    assert not text.startswith("ready: Ready")
    if matching:
        assert text.startswith("ready: The Concordium app") and "Privat" in text and "Hovedkonto" in text
    else:
        assert text.startswith("not the backup's Ledger: ") and "not the Ledger the backup was made with" in text

    form = LedgerForm(backup, connection=concordium.address)
    form.run()
    assert form.state == "ready" and form.matches is matching
    assert ("ctk-ok" if matching else "ctk-warning") in form.status.value


# ------------------------------------------------------------ other apps


def test_app_too_old_is_told_after_the_app_query_alone() -> None:
    with Speculos("2.9.9") as device:
        result = check_ledger(tcp=device.address, timeout=5)
        assert result.state == "app-too-old", result.message
        assert "2.9.9" in result.message and "3.0.0" in result.message
        assert device.apdus() == [GET_APP_AND_VERSION]


def test_governance_app_is_ready() -> None:
    with Speculos("governance") as device:
        result = check_ledger(tcp=device.address, timeout=5)
        assert device.apdus() == BOTH
    assert result.state == "ready" and result.app is not None and result.app.name == "CCDGovernance"
    assert result.pairing_key == SEED_PAIRING_KEY


def test_app_quit_on_the_device_is_no_device() -> None:
    with Speculos("5.3.0") as device:
        device.wait_for_screen("is ready")
        for _ in range(6):
            if "Quit" in device.screen():
                break
            device.press("left")
        device.press("both")
        assert device.wait_exit(15), "the app did not quit"
        result = check_ledger(tcp=device.address, timeout=2)
    assert result.state == "no-device", result.message
    assert device.address in result.message


# ------------------------------------------------------------ another program is using the Ledger


def test_signing_flow_in_progress_on_4_1_2_is_busy_and_a_second_check_succeeds() -> None:
    with Speculos("4.1.2") as device:
        assert device.send(SIGN_FIRST) == answer("", 0x9000)  # the other program's first packet
        result = check_ledger(tcp=device.address, timeout=5)
        assert result.state == "busy" and result.status_word == 0x6B01, result.message
        assert "Another program" in result.message and "check again" in result.message
        assert "firmware" not in result.message
        # The check's 0x6B01 ended the other program's operation: its next packet is refused too ...
        assert device.send(next_packet("4.1.2")) == REAL["busy"]
        # ... and the app is free again: a second check succeeds.
        again = check_ledger(tcp=device.address, timeout=5)
        assert again.state == "ready" and again.pairing_key == SEED_PAIRING_KEY


def test_signing_flow_in_progress_on_5_3_0_is_not_detectable_and_the_warning_is_what_protects() -> None:
    # 5.3.0's main loop does not refuse a change of instruction mid-flow (src/app_main.c:85-90): the check is
    # answered, its answer returns the app to its menu (ui_menu_main resets currentInstruction), and the other
    # program's next packet then makes the app quit.  Nothing in the answers shows it: only the warning helps.
    with Speculos("5.3.0") as device:
        assert device.send(SIGN_FIRST) == answer("", 0x9000)
        result = check_ledger(tcp=device.address, timeout=5)
        assert result.state == "ready" and result.pairing_key == SEED_PAIRING_KEY
        assert device.send(next_packet("5.3.0")) is None  # the connection closes: the app quit
        assert device.wait_exit(15)


@pytest.mark.parametrize("version", ["4.1.2", "5.3.0"])
def test_pending_public_key_prompt_is_answered_ready_and_the_prompt_never_answers(version: str) -> None:
    with Speculos(version) as device:
        with device.connect() as other:
            other.sendall(frame(KEY_WITH_PROMPT))
            device.wait_for_screen("Public key")
            result = check_ledger(tcp=device.address, timeout=5)
            assert result.state == "ready" and result.pairing_key == SEED_PAIRING_KEY
            device.wait_for_screen("is ready")  # the prompt is gone from the screen ...
            assert read_answer(other, 0.5) is None  # ... and the program that asked gets no answer
        assert device.apdus()[-2:] == BOTH


@pytest.mark.parametrize(("version", "state"), [("4.1.2", "busy"), ("5.3.0", "ready")])
def test_transaction_under_review(version: str, state: str) -> None:
    # 4.1.2 refuses the change of instruction (src/common/mainHelpers.c:82-92) and says 0x6B01; 5.3.0 answers.
    with Speculos(version) as device, device.connect() as other:
        other.sendall(frame(SIMPLE_TRANSFER))
        device.wait_for_screen("Review")
        result = check_ledger(tcp=device.address, timeout=5)
        assert result.state == state, result.message
        if state == "busy":
            assert result.status_word == 0x6B01 and "Another program" in result.message
            assert "Review" in device.screen()  # still on the screen: approving it will send nothing


# ------------------------------------------------------------ the project's simulator answers as the real app does


def _raw_answers(port: int) -> list[bytes | None]:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        out = []
        for apdu in BOTH:
            sock.sendall(frame(apdu))
            out.append(read_answer(sock, 5))
    return out


def _simulated(name: str, version: str) -> list[bytes | None]:
    with LedgerSim(SimConfig(app=name, version=version, pairing_key=SEED_PAIRING_KEY)) as sim:
        return _raw_answers(sim.port)


def test_simulator_answers_both_apdus_byte_for_byte_as_the_real_app(concordium: Speculos) -> None:
    real = _raw_answers(concordium.port)
    assert real == [REAL[concordium.app], REAL["key"]]
    assert _simulated("Concordium", concordium.app) == real


def test_simulator_answers_as_the_real_governance_app() -> None:
    with Speculos("governance") as device:
        real = _raw_answers(device.port)
    assert real == [REAL["governance"], REAL["key"]]
    assert _simulated("CCDGovernance", "1.2.0") == real
