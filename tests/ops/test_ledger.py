"""The Ledger check, driven through ledgerblue's real TCP transport against tests/ledger_sim.py.

No-device and several-devices are reached through the USB listing path: a real
``hid.enumerate`` (which finds nothing here) and the listing function fed with
entries shaped like hidapi's.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import ROOT, VECTOR_FILES
from tests.ledger_sim import HidSim, LedgerSim, SimConfig
from toolkit import errors
from toolkit.cli import main
from toolkit.model.backup import Backup, open_backup
from toolkit.ops.ledger import (
    ALLOWED_APDUS,
    BEFORE_ASKING,
    GET_APP_AND_VERSION,
    GET_PAIRING_KEY,
    STATES,
    check_ledger,
    list_devices,
    match_wallet,
    model_name,
    parse_app_and_version,
    parse_tcp,
    parse_version,
    tcp_from_env,
)

pytestmark = [pytest.mark.timeout(20), pytest.mark.usefixtures("no_ledger_proxy")]

WALLET_1 = "a61982b41d7abb259874f9ded69d6779c58c5684a6dc4c87da568d31d205b729"
WALLET_2 = "b45d23fd145b6f282dd8935f2146134426623e2f17ddf93a2b721b684eccab2b"
STRANGER = "ff" * 32
TIMEOUT = 0.5
#: How far past its timeout a check may return on a loaded machine (the bound is that it returns, not a benchmark).
SLACK = 5.0
JSON_KEYS = ["state", "message", "device", "app", "pairing_key", "matches_wallet"]


def _vector(vectors_dir: Path, name: str) -> Backup:
    password = next(p for f, p, _, _ in VECTOR_FILES if f == name)
    return open_backup(vectors_dir / name, password)


def _check(config: SimConfig, **kwargs: object):
    with LedgerSim(config) as sim:
        result = check_ledger(tcp=("127.0.0.1", sim.port), timeout=TIMEOUT, **kwargs)  # type: ignore[arg-type]
        received = list(sim.received)
    return result, received


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------ states over TCP

CASES = [
    # (config, state, words the message must contain, APDUs sent)
    (SimConfig(app="Concordium", version="4.0.0"), "ready", ["Concordium", "4.0.0"], 2),
    (SimConfig(app="Concordium", version="3.0.0"), "ready", ["3.0.0"], 2),
    (SimConfig(app="CCDGovernance", version="1.0.1"), "ready", ["CCDGovernance"], 2),
    (SimConfig(app="BOLOS", version="2.1.0"), "dashboard", ["Open the Concordium app"], 1),
    (SimConfig(app="Bitcoin", version="2.1.0"), "wrong-app", ['"Bitcoin"', "Concordium app"], 1),
    (SimConfig(app="Concordium", version="2.9.9"), "app-too-old", ["2.9.9", "3.0.0", "Update"], 1),
    (SimConfig(locked=0x5515), "locked", ["PIN", "0x5515"], 1),
    (SimConfig(locked=0x6804), "locked", ["PIN", "0x6804"], 1),
    (SimConfig(silent=True), "unresponsive", ["0.5 s", "button press", "finish or reject"], 1),
    (SimConfig(silent=True, fault_from=1), "unresponsive", ["0.5 s", "button press"], 2),
    (SimConfig(close_mid_answer=True), "error", ["middle of an answer"], 1),
    (SimConfig(close_mid_answer=True, fault_from=1), "error", ["middle of an answer"], 2),
    (SimConfig(key_status=0x6A80), "error", ["0x6A80", "unexpected answer; try again"], 2),
    (SimConfig(key_status=0x6985), "error", ["refused", "0x6985"], 2),
    (SimConfig(app="Concordium", version="banana"), "error", ["banana"], 1),
    # The Concordium app's own errors (src/common/responseCodes.h), never "firmware".
    (SimConfig(key_status=0x6B01), "busy", ["Another program", "0x6B01", "check again"], 2),
    (SimConfig(key_status=0x6B02), "error", ["0x6B02", "invalid path", "update the Concordium app"], 2),
    (SimConfig(key_status=0x6B04), "error", ["0x6B04", "invalid transaction", "check again"], 2),
    # Answers in two TCP segments are reassembled; a device slower than the timeout is unresponsive.
    (SimConfig(split_pause=0.05), "ready", ["Concordium", "4.0.0"], 2),
    (SimConfig(split_pause=0.05, fault_from=1), "ready", ["Concordium", "4.0.0"], 2),
    (SimConfig(split_pause=30), "unresponsive", ["0.5 s"], 1),
    (SimConfig(split_pause=30, fault_from=1), "unresponsive", ["0.5 s"], 2),
    # An impossible announced length is refused before it is read.
    (SimConfig(claimed_length=0xFFFFFFFF), "error", ["4294967295", "unexpected answer; try again"], 1),
    (SimConfig(claimed_length=261, fault_from=1), "error", ["261", "unexpected answer; try again"], 2),
]


@pytest.mark.parametrize(("config", "state", "words", "sent"), CASES, ids=[f"{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_each_state_through_ledgerblue_tcp(config: SimConfig, state: str, words: list[str], sent: int) -> None:
    start = time.monotonic()
    result, received = _check(config)
    assert time.monotonic() - start < TIMEOUT + SLACK
    assert result.state == state, result.message
    for word in words:
        assert word in result.message
    assert "firmware" not in result.message.lower()
    assert received == [GET_APP_AND_VERSION, GET_PAIRING_KEY][:sent]
    assert result.device is not None and result.device.transport == "tcp"
    assert list(result.to_dict()) == JSON_KEYS
    json.dumps(result.to_dict())
    if state == "ready":
        assert result.pairing_key == config.pairing_key
        assert result.app is not None and result.app.name == config.app and result.app.version == config.version
        assert result.ok
    else:
        assert result.pairing_key is None
        assert not result.ok


def test_status_word_is_kept_for_errors_and_locks() -> None:
    assert _check(SimConfig(key_status=0x6A80))[0].status_word == 0x6A80
    assert _check(SimConfig(locked=0x5515))[0].status_word == 0x5515
    assert _check(SimConfig())[0].status_word is None


def test_follow_up_requests_are_refused_not_sent() -> None:
    # 0x61xx makes ledgerblue's TCP transport send GET RESPONSE; the check must not let it out.
    result, received = _check(SimConfig(key_status=0x6110))
    assert result.state == "error"
    assert received == [GET_APP_AND_VERSION, GET_PAIRING_KEY]


def test_only_the_two_read_only_apdus_are_ever_sent() -> None:
    read_only = {bytes.fromhex("b0010000"), bytes.fromhex("e0 01 01 00 09 02 00000451 00000000")}
    assert read_only == ALLOWED_APDUS
    everything: set[bytes] = set()
    for config, *_ in CASES:
        everything.update(_check(config)[1])
    assert everything == ALLOWED_APDUS
    assert GET_PAIRING_KEY[2] == 0x01  # P1: no confirmation on the device


def test_silent_device_is_bounded_by_the_timeout() -> None:
    with LedgerSim(SimConfig(silent=True)) as sim:
        start = time.monotonic()
        result = check_ledger(tcp=sim.address, timeout=0.3)
        elapsed = time.monotonic() - start
        assert sim.hung_up.wait(5), "the check did not close its connection"
    assert result.state == "unresponsive"
    assert 0.3 <= elapsed < 0.3 + SLACK  # it waited its whole timeout, and no longer than that (plus load)


def test_a_slow_answer_is_unresponsive_not_closed_in_the_middle() -> None:
    with LedgerSim(SimConfig(split_pause=30)) as sim:
        result = check_ledger(tcp=sim.address, timeout=0.3)
    assert result.state == "unresponsive" and "middle" not in result.message


def test_a_huge_announced_length_allocates_nothing() -> None:
    import tracemalloc

    with LedgerSim(SimConfig(claimed_length=0xFFFFFFFF)) as sim:
        tracemalloc.start()
        try:
            result = check_ledger(tcp=sim.address, timeout=TIMEOUT)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert result.state == "error" and "at most 260" in result.message
    assert peak < 1_000_000


def test_the_device_closing_before_answering_is_said_so() -> None:
    for fault_from in (0, 1):
        with LedgerSim(SimConfig(hang_up=True, fault_from=fault_from)) as sim:
            result = check_ledger(tcp=sim.address, timeout=TIMEOUT)
        assert result.state == "error" and "closed before the Ledger answered" in result.message
    port = _closed_port()
    assert check_ledger(tcp=f"127.0.0.1:{port}", timeout=TIMEOUT).state == "no-device"


def test_simulator_answers_byte_for_byte_as_the_real_app() -> None:
    """The raw frames measured from the real Concordium apps in Speculos (tests/speculos.py), without Speculos."""
    from tests.speculos import REAL, SEED_PAIRING_KEY

    for name, version, real in [
        ("Concordium", "4.1.2", REAL["4.1.2"]),
        ("Concordium", "5.3.0", REAL["5.3.0"]),
        ("CCDGovernance", "1.2.0", REAL["governance"]),
    ]:
        frames = []
        with LedgerSim(SimConfig(app=name, version=version, pairing_key=SEED_PAIRING_KEY)) as sim:
            for apdu in (GET_APP_AND_VERSION, GET_PAIRING_KEY):
                frames.append(_exchange_raw(sim.port, apdu))
        assert frames == [real, REAL["key"]]
    with LedgerSim(SimConfig(key_status=0x6B01)) as sim:
        assert _exchange_raw(sim.port, GET_PAIRING_KEY) == REAL["busy"]


def _exchange_raw(port: int, apdu: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(len(apdu).to_bytes(4, "big") + apdu)
        return _read_frame(sock)


def _read_frame(sock: socket.socket) -> bytes:
    buf = b""
    while len(buf) < 4 or len(buf) < 4 + int.from_bytes(buf[:4], "big") + 2:
        chunk = sock.recv(4096)
        assert chunk, "the simulator hung up"
        buf += chunk
    return buf


def test_nothing_listening_is_no_device() -> None:
    port = _closed_port()
    result = check_ledger(tcp=f"127.0.0.1:{port}", timeout=TIMEOUT)
    assert result.state == "no-device"
    assert f"127.0.0.1:{port}" in result.message
    assert result.to_dict()["device"] is None


def test_environment_variables_ledgerblue_reads_select_tcp(monkeypatch: pytest.MonkeyPatch) -> None:
    with LedgerSim(SimConfig(pairing_key=WALLET_1)) as sim:
        monkeypatch.setenv("LEDGER_PROXY_ADDRESS", "127.0.0.1")
        monkeypatch.setenv("LEDGER_PROXY_PORT", str(sim.port))
        result = check_ledger(timeout=TIMEOUT)
    assert result.state == "ready"
    assert result.device is not None and result.device.address == sim.address
    assert result.pairing_key == WALLET_1


def test_tcp_settings() -> None:
    assert parse_tcp("127.0.0.1:9999") == ("127.0.0.1", 9999)
    assert parse_tcp("[::1]:9999") == ("::1", 9999)
    assert parse_tcp("speculos:40000") == ("speculos", 40000)
    for bad in ["9999", "host:", ":9999", "host:port", "host:70000", "host:0"]:
        with pytest.raises(errors.LedgerError):
            parse_tcp(bad)
    assert tcp_from_env({}) is None
    assert tcp_from_env({"LEDGER_PROXY_ADDRESS": "h", "LEDGER_PROXY_PORT": ""}) is None
    assert tcp_from_env({"LEDGER_PROXY_ADDRESS": "h", "LEDGER_PROXY_PORT": "1"}) == ("h", 1)


# ------------------------------------------------------------ USB listing


def _entry(path: bytes, pid: int, interface: int = 0, usage_page: int = 0xFFA0, vendor: int = 0x2C97) -> dict:
    return {
        "path": path,
        "vendor_id": vendor,
        "product_id": pid,
        "serial_number": "0001",
        "release_number": 0x0201,
        "manufacturer_string": "Ledger",
        "product_string": "Nano S Plus" if pid >> 8 == 0x50 else "Nano X",
        "usage_page": usage_page,
        "usage": 1,
        "interface_number": interface,
    }


def test_real_hid_enumerate_finds_no_ledger_here() -> None:
    if list_devices():
        pytest.skip("a Ledger is connected to this machine")
    result = check_ledger(timeout=TIMEOUT)
    assert result.state == "no-device"
    if sys.platform.startswith("linux"):
        assert "udev" in result.message and "2c97" in result.message
    assert result.to_dict()["device"] is None


def test_listing_keeps_one_entry_per_device_and_names_models() -> None:
    entries = [
        _entry(b"1-1:1.0", 0x5011),
        _entry(b"1-1:1.1", 0x5011, interface=1, usage_page=0xF1D0),  # the FIDO interface of the same device
        _entry(b"1-2:1.0", 0x4015),
        _entry(b"1-2:1.0", 0x4015),  # listed twice by some backends
        _entry(b"1-3:1.0", 0x1234, vendor=0x046D),  # not a Ledger
    ]
    devices = list_devices(entries)
    assert [(d.model, d.path, d.transport) for d in devices] == [
        ("Nano S Plus", "1-1:1.0", "usb"),
        ("Nano X", "1-2:1.0", "usb"),
    ]
    assert model_name(0x1011) == "Nano S" and model_name(0x6011) == "Stax" and model_name(0x7011) == "Flex"
    assert model_name(0x0001) == "Nano S" and model_name(0x0004) == "Nano X"  # old firmware
    assert model_name(0x9911) is None


def test_several_devices_are_listed_without_opening_any() -> None:
    entries = [_entry(b"/dev/hidraw-test-a", 0x5011), _entry(b"/dev/hidraw-test-b", 0x4015)]
    result = check_ledger(hid_entries=entries, timeout=TIMEOUT)
    assert result.state == "several-devices"
    assert "1: Nano S Plus" in result.message and "2: Nano X" in result.message
    assert "--device" not in result.message  # the library names no option; the command line adds its own
    from toolkit.cli.ledger import _text

    assert "Pick one with --device N." in _text(result).splitlines()[0]
    assert [d.model for d in result.devices] == ["Nano S Plus", "Nano X"]
    assert result.to_dict()["device"] is None and not result.ok


def test_picking_a_device_that_is_not_there() -> None:
    entries = [_entry(b"/dev/hidraw-test-a", 0x5011), _entry(b"/dev/hidraw-test-b", 0x4015)]
    assert check_ledger(hid_entries=entries, device=3, timeout=TIMEOUT).state == "no-device"
    assert check_ledger(hid_entries=entries, device="/dev/other", timeout=TIMEOUT).state == "no-device"


def test_a_picked_device_that_cannot_be_opened_is_an_error_with_udev_hint() -> None:
    # A real hid.device().open_path on a path that does not exist.
    entries = [_entry(b"/dev/hidraw-test-a", 0x5011), _entry(b"/dev/hidraw-test-b", 0x4015)]
    result = check_ledger(hid_entries=entries, device=2, timeout=TIMEOUT)
    assert result.state == "error"
    assert "Nano X" in result.message and "udev" in result.message
    assert result.device is not None and result.device.path == "/dev/hidraw-test-b"


# ------------------------------------------------------------ USB HID transport

HID_CASES = [
    (HidSim(SimConfig(pairing_key=WALLET_1)), "ready", 2),
    (HidSim(SimConfig(app="BOLOS")), "dashboard", 1),
    (HidSim(SimConfig(locked=0x5515)), "locked", 1),
    (HidSim(SimConfig(silent=True)), "unresponsive", 1),  # ledgerblue's own first-packet timeout
    (HidSim(SimConfig(silent=True, fault_from=1)), "unresponsive", 2),
    (HidSim(SimConfig(flags=b"\x00" * 60), stall_mid_answer=True), "unresponsive", 1),  # our read deadline
    (HidSim(SimConfig(close_mid_answer=True)), "error", 1),  # unplugged while answering
]


@pytest.mark.parametrize(("sim", "state", "sent"), HID_CASES, ids=[f"{c[1]}-{i}" for i, c in enumerate(HID_CASES)])
def test_usb_path_through_ledgerblue_hid_transport(
    monkeypatch: pytest.MonkeyPatch, sim: HidSim, state: str, sent: int
) -> None:
    import hid

    monkeypatch.setattr(hid, "device", lambda: sim)
    start = time.monotonic()
    result = check_ledger(hid_entries=[_entry(b"/dev/hidraw-test-a", 0x5011)], timeout=TIMEOUT)
    assert time.monotonic() - start < TIMEOUT + SLACK
    assert result.state == state, result.message
    assert sim.received == [GET_APP_AND_VERSION, GET_PAIRING_KEY][:sent]
    assert sim.path == b"/dev/hidraw-test-a" and sim.closed
    assert result.device is not None and result.device.model == "Nano S Plus"
    if state == "ready":
        assert result.pairing_key == WALLET_1 and "Nano S Plus" in result.message


# ------------------------------------------------------------ parsing


def test_app_and_version_answer() -> None:
    app = parse_app_and_version(bytes.fromhex("01") + b"\x0aConcordium" + b"\x054.0.0" + b"\x01\x00")
    assert app is not None and (app.name, app.version) == ("Concordium", "4.0.0")
    assert parse_app_and_version(b"") is None
    assert parse_app_and_version(b"\x02\x05BOLOS\x051.0.0") is None
    assert parse_app_and_version(b"\x01\x0aConc") is None


@given(st.binary(max_size=64))
def test_app_answer_parser_never_raises(data: bytes) -> None:
    parse_app_and_version(data)


# Issue 21 #11: a pairing-key answer of 200 bytes read as ready; the app sends exactly 32 (these failed before).
WRONG_LENGTHS = [
    (SimConfig(pairing_key="ab" * 200), ["200-byte pairing key", "32 bytes", "unexpected answer; try again"], 2),
    (SimConfig(pairing_key="ab" * 33), ["33-byte pairing key", "unexpected answer; try again"], 2),
    (SimConfig(pairing_key="ab" * 31), ["31-byte pairing key", "unexpected answer; try again"], 2),
    (SimConfig(pairing_key=""), ["0-byte pairing key", "unexpected answer; try again"], 2),
    (SimConfig(trailing=b"\x00" * 40), ["not understood", "unexpected answer; try again"], 1),
    (SimConfig(trailing=b"\x01"), ["not understood", "unexpected answer; try again"], 1),
]


@pytest.mark.parametrize(("config", "words", "sent"), WRONG_LENGTHS, ids=[str(i) for i in range(len(WRONG_LENGTHS))])
def test_answers_of_a_wrong_length_are_unexpected_not_ready(config: SimConfig, words: list[str], sent: int) -> None:
    result, received = _check(config)
    assert result.state == "error", result.message
    for word in words:
        assert word in result.message
    assert result.pairing_key is None and not result.ok
    assert received == [GET_APP_AND_VERSION, GET_PAIRING_KEY][:sent]


def test_the_version_answer_without_flags_or_with_empty_flags_is_read() -> None:
    """Exactly the structure: name, version, then flags (as long as they say) or nothing."""
    for flags in (b"", b"\x00", b"\x00\x01"):
        result, _ = _check(SimConfig(flags=flags))
        assert result.state == "ready", (flags, result.message)
    base = b"\x01\x0aConcordium\x054.1.2"
    assert parse_app_and_version(base) is not None
    assert parse_app_and_version(base + b"\x01\x00") is not None
    assert parse_app_and_version(base + b"\x00") is not None
    assert parse_app_and_version(base + b"\x01") is None  # flags announced, not sent
    assert parse_app_and_version(base + b"\x01\x00\x00") is None  # one byte too many
    assert parse_app_and_version(base + b"\x02\x00") is None


def test_versions() -> None:
    assert parse_version("3.0.0") == (3, 0, 0)
    assert parse_version("4.1") == (4, 1, 0)
    assert parse_version("3.0.0-rc2") == (3, 0, 0)
    assert parse_version("2.99.99") < (3, 0, 0)
    assert parse_version("x.1") is None


# ------------------------------------------------------------ backups


@pytest.mark.parametrize(
    ("key", "wallet_id", "identities", "accounts"),
    [(WALLET_1, 1, [1, 2], 5), (WALLET_2, 2, [3, 4], 2), (WALLET_1.upper(), 1, [1, 2], 5)],
)
def test_match_against_the_reference_vector(
    vectors_dir: Path, key: str, wallet_id: int, identities: list[int], accounts: int
) -> None:
    backup = _vector(vectors_dir, "desktop-reference.json")
    match = match_wallet(backup, key)
    assert match is not None
    assert match.to_dict() == {"id": wallet_id, "identifier": key.lower()}
    assert [i["id"] for i in match.identities] == identities
    assert len(match.accounts) == accounts
    owners = {
        a["identityId"] for a in backup.records("accounts") if a["address"] in {x["address"] for x in match.accounts}
    }
    assert owners <= set(identities)


def test_ready_ledger_matches_a_wallet_of_the_backup(vectors_dir: Path) -> None:
    backup = _vector(vectors_dir, "desktop-reference.json")
    with LedgerSim(SimConfig(pairing_key=WALLET_2)) as sim:
        result = check_ledger(backup, tcp=sim.address, timeout=TIMEOUT)
    assert result.state == "ready" and result.ok
    assert result.to_dict()["matches_wallet"] == {"id": 2, "identifier": WALLET_2}
    assert "wallet 2" in result.message and "Firma ApS" in result.message and "Firmakonto" in result.message


def test_another_ledger_is_not_the_one_the_backup_was_made_with(vectors_dir: Path) -> None:
    backup = _vector(vectors_dir, "desktop-reference.json")
    with LedgerSim(SimConfig(pairing_key=STRANGER)) as sim:
        result = check_ledger(backup, tcp=sim.address, timeout=TIMEOUT)
    assert result.state == "ready" and not result.ok
    assert result.matches_wallet is None and result.pairing_key == STRANGER
    assert "not the Ledger the backup was made with" in result.message
    assert "same recovery phrase" in result.message


def test_old_vector_and_legacy_vector(vectors_dir: Path) -> None:
    old = _vector(vectors_dir, "desktop-reference-old.json")
    identifier = old.records("wallets")[0]["identifier"]
    with LedgerSim(SimConfig(pairing_key=identifier)) as sim:
        assert check_ledger(old, tcp=sim.address, timeout=TIMEOUT).ok
    legacy = _vector(vectors_dir, "legacy-reference.concordiumwallet")
    with LedgerSim(SimConfig(pairing_key=identifier)) as sim:
        result = check_ledger(legacy, tcp=sim.address, timeout=TIMEOUT)
    assert result.state == "ready" and not result.ok and "legacy mobile wallet" in result.message


def test_backup_without_wallets_cannot_be_compared() -> None:
    backup = Backup({"accounts": [], "identities": [], "addressBook": []})
    with LedgerSim(SimConfig(pairing_key=WALLET_1)) as sim:
        result = check_ledger(backup, tcp=sim.address, timeout=TIMEOUT)
    assert not result.ok and "no wallets" in result.message


def test_backup_is_not_compared_while_the_ledger_is_not_ready(vectors_dir: Path) -> None:
    backup = _vector(vectors_dir, "desktop-reference.json")
    with LedgerSim(SimConfig(app="BOLOS")) as sim:
        result = check_ledger(backup, tcp=sim.address, timeout=TIMEOUT)
    assert result.state == "dashboard" and result.matches_wallet is None and not result.ok


# ------------------------------------------------------------ CLI


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "password.txt"
    path.write_text("reference-Pässword-1\n", encoding="utf-8")
    return path


def test_cli_json_ready(capsys: pytest.CaptureFixture[str]) -> None:
    with LedgerSim(SimConfig(pairing_key=WALLET_1)) as sim:
        code = main(["ledger", "--tcp", sim.address, "--timeout", "1", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert list(out) == JSON_KEYS
    assert out["state"] == "ready" and out["app"] == {"name": "Concordium", "version": "4.0.0"}
    assert out["pairing_key"] == WALLET_1 and out["matches_wallet"] is None
    assert out["device"]["transport"] == "tcp" and out["device"]["address"] == sim.address


@pytest.mark.parametrize(("key", "code"), [(WALLET_1, 0), (STRANGER, 1)])
def test_cli_with_file(
    vectors_dir: Path, password_file: Path, capsys: pytest.CaptureFixture[str], key: str, code: int
) -> None:
    file = str(vectors_dir / "desktop-reference.json")
    with LedgerSim(SimConfig(pairing_key=key)) as sim:
        args = ["ledger", file, "--password-file", str(password_file), "--tcp", sim.address, "--timeout", "1"]
        assert main(args) == code
        text = capsys.readouterr().out
        assert main([*args, "--json"]) == code
    out = json.loads(capsys.readouterr().out)
    assert out["state"] == "ready"
    if code == 0:
        assert out["matches_wallet"] == {"id": 1, "identifier": WALLET_1}
        assert (
            "Privat – Søren" in text
            and "Hovedkonto" in text
            and "34zsJLccRESbF96x6PnUAcchHscryJa7iaKrrvgNjv2PAUsNJb" in text
        )
    else:
        assert out["matches_wallet"] is None and "not the Ledger" in text
    assert "reference-Pässword-1" not in text


def test_cli_states_other_than_ready_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    with LedgerSim(SimConfig(silent=True)) as sim:
        assert main(["ledger", "--tcp", sim.address, "--timeout", "0.3"]) == 1
    assert capsys.readouterr().out.startswith("unresponsive: ")
    assert main(["ledger", "--tcp", f"127.0.0.1:{_closed_port()}", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["state"] == "no-device"


def test_cli_file_that_cannot_be_opened_exits_2(
    vectors_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not-the-password\n", encoding="utf-8")
    with LedgerSim(SimConfig(pairing_key=WALLET_1)) as sim:
        code = main(
            [
                "ledger",
                str(vectors_dir / "desktop-reference.json"),
                "--password-file",
                str(wrong),
                "--tcp",
                sim.address,
                "--json",
            ]
        )
        assert sim.received == []  # the file is opened before the device is asked
    captured = capsys.readouterr()
    assert code == 2
    assert json.loads(captured.out)["error"]["code"] == "wrong-password"
    assert "Traceback" not in captured.err


def test_cli_usage_mistakes_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ledger", "--tcp", "nonsense", "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "usage"
    assert main(["ledger", "--tcp", "127.0.0.1:9", "--device", "1"]) == 2
    assert main(["ledger", "--timeout", "-1"]) == 2
    capsys.readouterr()


def test_cli_as_a_subprocess() -> None:
    with LedgerSim(SimConfig(app="Concordium", version="3.1.0", pairing_key=WALLET_2)) as sim:
        proc = subprocess.run(
            [sys.executable, "-m", "toolkit", "ledger", "--tcp", sim.address, "--timeout", "2", "--json"],
            capture_output=True,
            text=True,
            timeout=15,
            cwd=ROOT,
            env={k: v for k, v in os.environ.items() if not k.startswith("LEDGER_PROXY")},
        )
        received = list(sim.received)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["state"] == "ready" and out["pairing_key"] == WALLET_2 and out["app"]["version"] == "3.1.0"
    assert received == [GET_APP_AND_VERSION, GET_PAIRING_KEY]


def test_simulator_runs_as_a_script() -> None:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "ledger_sim.py"), "--port", "0", "--app", "BOLOS", "--version", "2.2.3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        banner = proc.stdout.readline() if proc.stdout else ""
        match = re.search(r"on (127\.0\.0\.1:\d+)", banner)
        assert match, banner
        result = check_ledger(tcp=match.group(1), timeout=1)
        assert result.state == "dashboard"
        assert result.app is not None and result.app.version == "2.2.3"
    finally:
        proc.terminate()
        proc.wait(5)


def test_every_state_is_documented_in_the_cli_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["ledger", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for state in STATES:
        assert state in text


# ------------------------------------------------------------ before asking, and the headline


def test_the_warning_comes_before_the_device_is_asked(capsys: pytest.CaptureFixture[str]) -> None:
    with LedgerSim(SimConfig(pairing_key=WALLET_1)) as sim:
        assert main(["ledger", "--tcp", sim.address]) == 0
    captured = capsys.readouterr()
    assert BEFORE_ASKING in captured.err and "Desktop Wallet and Ledger Live" in captured.err
    assert captured.out.startswith("ready: The Concordium app 4.0.0 is open")
    assert "Ready:" not in captured.out
    with pytest.raises(SystemExit):
        main(["ledger", "--help"])
    assert "Close the Desktop Wallet and Ledger Live first" in " ".join(capsys.readouterr().out.split())
    page = " ".join((ROOT / "docs" / "LEDGER.md").read_text(encoding="utf-8").split())
    assert "Close the Desktop Wallet and Ledger Live first" in page


def test_a_ledger_that_is_not_the_backups_is_headed_so(
    vectors_dir: Path, password_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = str(vectors_dir / "desktop-reference.json")
    with LedgerSim(SimConfig(pairing_key=STRANGER)) as sim:
        assert main(["ledger", file, "--password-file", str(password_file), "--tcp", sim.address]) == 1
    out = capsys.readouterr().out
    assert out.startswith("not the backup's Ledger: ") and not out.startswith("ready")


def test_names_from_the_backup_reach_the_terminal_neutralised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import make_file
    from toolkit.format import jsonio

    evil = "Evil\x1b[2J\u202eName\r"
    doc = {
        "accounts": [{"name": evil, "address": "addr", "identityId": 1}],
        "identities": [{"id": 1, "name": evil, "walletId": 1}],
        "addressBook": [],
        "credentials": [],
        "wallets": [{"id": 1, "identifier": WALLET_1, "type": "ledgernanos"}],
    }
    file = tmp_path / "evil.json"
    file.write_bytes(make_file(jsonio.dumps_js(doc), "pässword-123"))
    (tmp_path / "pw").write_text("pässword-123\n", encoding="utf-8")
    with LedgerSim(SimConfig(pairing_key=WALLET_1)) as sim:
        assert main(["ledger", str(file), "--password-file", str(tmp_path / "pw"), "--tcp", sim.address]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out and "\r" not in out
    assert "Evil\\x1b[2J\\u202eName\\r" in out


def test_the_form_warns_before_asking_and_says_why_it_did_not_compare() -> None:
    from toolkit.widgets import LedgerForm

    backup = Backup(
        {"accounts": [], "identities": [], "addressBook": [], "wallets": [{"id": 1, "identifier": WALLET_1}]}
    )
    with LedgerSim(SimConfig(pairing_key=WALLET_1)) as sim:
        form = LedgerForm(backup, connection=sim.address)
        assert BEFORE_ASKING.split(":")[0] in form.notice.value
        form.compare.value = False
        form.run()
        text = form.results.children[0].value
        assert "comparing is switched off" in text and "no backup is open" not in text
        form.compare.value = True
        form.run()
    assert form.matches is True and "yes: wallet 1" in form.results.children[0].value
    assert form.status.value.count("ready") >= 1 and "Ready:" not in form.status.value


def test_the_form_shows_busy_as_something_the_user_can_fix() -> None:
    from toolkit.widgets import LedgerForm

    with LedgerSim(SimConfig(key_status=0x6B01)) as sim:
        form = LedgerForm(connection=sim.address)
        form.run()
    assert form.state == "busy" and "ctk-warning" in form.status.value
    assert "Another program" in form.status.value and "firmware" not in form.status.value


def test_the_form_offers_the_check_as_json_for_a_ticket() -> None:
    import re

    from toolkit.widgets import LedgerForm

    backup = Backup(
        {"accounts": [], "identities": [], "addressBook": [], "wallets": [{"id": 1, "identifier": WALLET_1}]},
        source="/home/desk/customers/ana/wallet-export.json",
    )
    with LedgerSim(SimConfig(pairing_key=WALLET_1)) as sim:
        form = LedgerForm(backup, connection=sim.address)
        form.run()
    report = json.loads(form.report)
    assert report["state"] == "ready" and report["pairing_key"] == WALLET_1
    assert report["matches_wallet"] == {"id": 1, "identifier": WALLET_1}
    assert report["is_the_backups_ledger"].startswith("yes: wallet 1")
    assert report["backup"] == "wallet-export.json"  # no path of the desk's machine in a ticket
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", report["checked_at"])
    from tests.skins.test_downloads import fetch

    messages, data = fetch(form.downloads, "json")
    assert data == form.report and messages[0]["filename"] == "wallet-export-ledger-check.json"


def test_the_ledger_form_says_where_the_ledger_must_be_and_the_owners_command() -> None:
    from toolkit.widgets import LedgerForm
    from toolkit.widgets.session import Session

    form = LedgerForm(session=Session())
    assert "machine that runs this app" in form.where.value
    assert "concordium-backup ledger wallet-export.json" in form.where.value
    form.compare.value = False
    form.run()  # the real USB enumeration: no Ledger is plugged into the machine running the tests
    if form.state != "no-device":
        pytest.skip(f"this machine's USB says {form.state}, not no-device")
    assert "No Ledger is connected" in form.status.value
    assert "machine running this app" in form.status.value and "concordium-backup ledger" in form.status.value
