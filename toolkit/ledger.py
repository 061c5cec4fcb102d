"""Is a Ledger ready, and is it the Ledger a backup belongs to?

A backup holds no private keys: to use its accounts one needs the Ledger that
set them up, or one restored from the same recovery phrase.  The Desktop Wallet
stores each paired Ledger's *pairing key* as ``wallets[].identifier``, so
reading that key from a device (without asking for confirmation) tells whether
it is the right one.

``check_ledger()`` always returns a :class:`LedgerCheck` within about
``timeout`` seconds: one of :data:`STATES` with a plain next step.  It talks to
the device through ledgerblue's transports (USB HID, or TCP to Speculos or
``tests/ledger_sim.py``) and sends only two read-only APDUs:
GET_APP_AND_VERSION and "get public key without confirmation" (FORMAT.md §5).

Time is bounded without threads: the TCP socket gets the time that is left
before every send and receive, and USB HID reads get it as hidapi read timeouts
(ledgerblue's own HID timeout covers only the first packet, and its TCP
transport has none).
"""

from __future__ import annotations

import os
import socket
import struct
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import errors

if TYPE_CHECKING:
    from .backup import Backup

# ---------------------------------------------------------------- constants

LEDGER_VENDOR_ID = 0x2C97
#: APDU answered by the device OS: which app is open.
GET_APP_AND_VERSION = bytes.fromhex("b0010000")
#: Concordium app, INS 0x01 get public key, P1 0x01 no confirmation, P2 0x00 key only, path 1105'/0'.
GET_PAIRING_KEY = bytes.fromhex("e001010009" + "02" + "00000451" + "00000000")
#: The only APDUs this module ever sends.
ALLOWED_APDUS = frozenset({GET_APP_AND_VERSION, GET_PAIRING_KEY})

CONCORDIUM_APP = "Concordium"
GOVERNANCE_APP = "CCDGovernance"
DASHBOARD_APP = "BOLOS"
#: The Desktop Wallet's minimum Concordium app version.
MIN_APP_VERSION = (3, 0, 0)
DEFAULT_TIMEOUT = 5.0

STATES = (
    "no-device",
    "several-devices",
    "locked",
    "dashboard",
    "wrong-app",
    "app-too-old",
    "ready",
    "unresponsive",
    "error",
)

#: product_id >> 8 on current firmware; the low byte alone on old firmware.
MODELS = {0x10: "Nano S", 0x40: "Nano X", 0x50: "Nano S Plus", 0x60: "Stax", 0x70: "Flex"}
LEGACY_MODELS = {0x00: "Blue", 0x01: "Nano S", 0x04: "Nano X", 0x05: "Nano S Plus", 0x06: "Stax", 0x07: "Flex"}

LOCKED_SW = frozenset({0x5515, 0x6804, 0x530C, 0x6B0C})
NO_APP_SW = frozenset({0x6E00, 0x6D00, 0x6E01, 0x6D02, 0x6511})
REFUSED_SW = frozenset({0x6985, 0x5501})
INCOMPATIBLE_SW = frozenset({0x6B01, 0x6B02, 0x6B03, 0x6B04})

UDEV_HINT = "on Linux, install Ledger's udev rules for USB vendor 2c97 (see Ledger's support pages) and replug it"

# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class DeviceInfo:
    """A Ledger found on USB (without opening it) or a TCP endpoint (Speculos, the simulator)."""

    transport: str  # "usb" or "tcp"
    model: str | None = None
    product_id: int | None = None
    product: str | None = None
    path: str | None = None
    address: str | None = None

    def describe(self) -> str:
        if self.transport == "tcp":
            return f"TCP {self.address}"
        return self.model or self.product or f"Ledger (product id {self.product_id:#06x})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "transport": self.transport,
            "model": self.model,
            "product_id": self.product_id,
            "product": self.product,
            "path": self.path,
            "address": self.address,
        }


@dataclass(frozen=True)
class AppInfo:
    name: str
    version: str

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version}


@dataclass(frozen=True)
class WalletMatch:
    """The backup's wallet whose identifier is this Ledger's pairing key, and what belongs to it."""

    id: Any
    identifier: str
    identities: list[dict[str, Any]] = field(default_factory=list)  # {"id", "name"}
    accounts: list[dict[str, Any]] = field(default_factory=list)  # {"name", "address"}

    def to_dict(self) -> dict[str, Any]:
        """The ``matches_wallet`` object of ``ledger --json`` (the lists stay on the dataclass)."""
        return {"id": self.id, "identifier": self.identifier}


@dataclass
class LedgerCheck:
    """The outcome of :func:`check_ledger`; :meth:`to_dict` is the ``ledger --json`` object."""

    state: str
    message: str
    device: DeviceInfo | None = None
    app: AppInfo | None = None
    pairing_key: str | None = None
    matches_wallet: WalletMatch | None = None
    #: The status word behind ``locked``/``error`` etc., when the device sent one.
    status_word: int | None = None
    #: Whether a backup was compared (then ``ok`` needs a match).
    backup_checked: bool = False
    #: Every Ledger found on USB (for a picker); empty for TCP.
    devices: list[DeviceInfo] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Ready, and when a backup was given, it is this Ledger's."""
        return self.state == "ready" and (not self.backup_checked or self.matches_wallet is not None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "message": self.message,
            "device": self.device.to_dict() if self.device else None,
            "app": self.app.to_dict() if self.app else None,
            "pairing_key": self.pairing_key,
            "matches_wallet": self.matches_wallet.to_dict() if self.matches_wallet else None,
        }


# ---------------------------------------------------------------- listing


def model_name(product_id: int) -> str | None:
    """The Ledger model from its USB product id (FORMAT.md §5), or None if unknown."""
    if product_id >> 8:
        return MODELS.get(product_id >> 8)
    return LEGACY_MODELS.get(product_id & 0xFF)


def list_devices(entries: Iterable[Mapping[str, Any]] | None = None) -> list[DeviceInfo]:
    """Ledgers on USB, one per device, without opening any.

    ``entries`` is what ``hid.enumerate(0x2C97, 0)`` returns (it is called when
    None).  A Ledger shows several HID interfaces; only the APDU one counts
    (interface 0 or usage page 0xFFA0, as ledgerblue chooses).
    """
    if entries is None:
        import hid

        entries = hid.enumerate(LEDGER_VENDOR_ID, 0)
    out: list[DeviceInfo] = []
    seen: set[str] = set()
    for entry in entries:
        if entry.get("vendor_id") != LEDGER_VENDOR_ID:
            continue
        if entry.get("interface_number") != 0 and entry.get("usage_page") != 0xFFA0:
            continue
        raw_path = entry.get("path") or b""
        path = raw_path.decode("utf-8", "replace") if isinstance(raw_path, bytes) else str(raw_path)
        if path in seen:
            continue
        seen.add(path)
        pid = int(entry.get("product_id") or 0)
        out.append(
            DeviceInfo(
                transport="usb",
                model=model_name(pid),
                product_id=pid,
                product=_printable(entry.get("product_string")) or None,
                path=path,
            )
        )
    return out


# ---------------------------------------------------------------- TCP settings


def parse_tcp(value: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:9999`` for IPv6) as a (host, port) pair."""
    host, sep, port = value.strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise errors.LedgerError(
            f"{value!r} is not HOST:PORT", hint="Give the Ledger proxy as HOST:PORT, e.g. 127.0.0.1:9999"
        )
    return host, int(port)


def tcp_from_env(environ: Mapping[str, str] | None = None) -> tuple[str, int] | None:
    """The TCP proxy ledgerblue would use: LEDGER_PROXY_ADDRESS and LEDGER_PROXY_PORT, both non-empty."""
    env = os.environ if environ is None else environ
    host, port = env.get("LEDGER_PROXY_ADDRESS", ""), env.get("LEDGER_PROXY_PORT", "")
    if not host or not port:
        return None
    return parse_tcp(f"{host}:{port}")


# ---------------------------------------------------------------- the check


def check_ledger(
    backup: Backup | None = None,
    *,
    tcp: str | tuple[str, int] | None = None,
    device: int | str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    hid_entries: Iterable[Mapping[str, Any]] | None = None,
) -> LedgerCheck:
    """Report the Ledger's state within about ``timeout`` seconds and, given a backup, whether it is its Ledger.

    ``tcp`` ("HOST:PORT" or a pair) talks to Speculos or the simulator; without
    it the environment variables ledgerblue reads are used, and without those
    USB.  ``device`` picks one of several USB Ledgers: its 1-based position in
    :func:`list_devices` or its path.  ``hid_entries`` replaces the call to
    ``hid.enumerate`` (tests, or a caller that already listed).
    """
    deadline = time.monotonic() + max(float(timeout), 0.05)
    endpoint = parse_tcp(tcp) if isinstance(tcp, str) else tcp
    if endpoint is None and hid_entries is None:
        endpoint = tcp_from_env()
    if endpoint is not None:
        result = _check_tcp(endpoint, deadline, timeout)
    else:
        result = _check_usb(hid_entries, device, deadline, timeout)
    if backup is not None:
        _add_backup(result, backup)
    return result


def match_wallet(backup: Backup, pairing_key: str) -> WalletMatch | None:
    """The backup's wallet paired with this key, with its identities and accounts; None if none is."""
    if backup.is_legacy:
        return None
    key = pairing_key.lower()
    for wallet in backup.records("wallets"):
        if not isinstance(wallet, dict) or str(wallet.get("identifier", "")).lower() != key:
            continue
        wallet_id = wallet.get("id")
        identities = [i for i in backup.records("identities") if isinstance(i, dict) and i.get("walletId") == wallet_id]
        ids = {i.get("id") for i in identities}
        accounts = [a for a in backup.records("accounts") if isinstance(a, dict) and a.get("identityId") in ids]
        return WalletMatch(
            id=wallet_id,
            identifier=key,
            identities=[{"id": i.get("id"), "name": i.get("name")} for i in identities],
            accounts=[{"name": a.get("name"), "address": a.get("address")} for a in accounts],
        )
    return None


def _add_backup(result: LedgerCheck, backup: Backup) -> None:
    result.backup_checked = True
    if result.state != "ready" or result.pairing_key is None:
        result.message += " (The backup can be compared once the Ledger is ready.)"
        return
    if backup.is_legacy:
        result.message += (
            " The backup is a legacy mobile wallet export: it holds its own keys and belongs to no Ledger."
        )
        return
    match = match_wallet(backup, result.pairing_key)
    result.matches_wallet = match
    if match is None:
        if not backup.records("wallets"):
            result.message += " The backup names no Ledger (it has no wallets), so it cannot be compared."
        else:
            result.message += (
                " This is not the Ledger the backup was made with: its accounts will not be usable with it"
                " unless this Ledger is restored from the same recovery phrase."
            )
        return
    idents = _names([i["name"] for i in match.identities])
    accounts = _names([a["name"] or a["address"] for a in match.accounts])
    result.message += (
        f" This is the Ledger of the backup's wallet {match.id}:"
        f" {_count(len(match.identities), 'identity', 'identities')}{idents}"
        f" and {_count(len(match.accounts), 'account', 'accounts')}{accounts} belong to it."
    )


# ---------------------------------------------------------------- transports


class _Refused(Exception):
    """The transport tried to send an APDU this check never sends (e.g. GET RESPONSE after 0x61xx)."""


class _DeadlineSocket:
    """A socket for ledgerblue's TCP transport: every call gets the time left, and only allowed APDUs go out."""

    _FRAMES = ALLOWED_APDUS | {struct.pack(">I", len(a)) for a in ALLOWED_APDUS}

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def _arm(self) -> None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline passed")
        self._sock.settimeout(left)

    def send(self, data: bytes) -> int:
        if bytes(data) not in self._FRAMES:
            raise _Refused(bytes(data).hex())
        self._arm()
        self._sock.sendall(data)
        return len(data)

    def recv(self, size: int) -> bytes:
        self._arm()
        return self._sock.recv(size)

    def shutdown(self, how: int) -> None:
        self._sock.shutdown(how)

    def close(self) -> None:
        self._sock.close()


class _DeadlineHid:
    """A hidapi device for ledgerblue's HID transport whose blocking reads end at the deadline."""

    def __init__(self, dev: Any, deadline: float) -> None:
        self._dev = dev
        self._deadline = deadline
        self._nonblocking = True

    def write(self, data: Any) -> int:
        return self._dev.write(data)

    def read(self, size: int) -> list[int]:
        if self._nonblocking:
            return self._dev.read(size)
        left_ms = int((self._deadline - time.monotonic()) * 1000)
        if left_ms <= 0:
            raise TimeoutError("deadline passed")
        data = self._dev.read(size, left_ms)
        if not data:
            raise TimeoutError("no answer")
        return data

    def set_nonblocking(self, flag: Any) -> None:
        self._nonblocking = bool(flag)
        self._dev.set_nonblocking(flag)

    def close(self) -> None:
        self._dev.close()


def _open_tcp(host: str, port: int, deadline: float) -> Any:
    from ledgerblue.commTCP import DongleServer

    sock = socket.create_connection((host, port), timeout=max(deadline - time.monotonic(), 0.01))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # ledgerblue sends length and APDU apart
    dongle = DongleServer.__new__(DongleServer)  # its __init__ connects without a timeout
    dongle.server, dongle.port, dongle.debug, dongle.opened = host, port, False, True
    dongle.socket = _DeadlineSocket(sock, deadline)
    return dongle


def _check_tcp(endpoint: tuple[str, int], deadline: float, timeout: float) -> LedgerCheck:
    host, port = endpoint
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    info = DeviceInfo(transport="tcp", address=address)
    try:
        dongle = _open_tcp(host, port, deadline)
    except TimeoutError:
        return LedgerCheck(
            "unresponsive",
            f"Nothing answered at {address} within {timeout:g} s. Check that Speculos or the simulator runs there.",
            device=info,
        )
    except OSError as exc:
        return LedgerCheck(
            "no-device",
            f"No Ledger answers at {address} ({exc.strerror or exc}). Start Speculos or the simulator there,"
            " or check --tcp and LEDGER_PROXY_ADDRESS/LEDGER_PROXY_PORT.",
            device=None,
        )
    try:
        return _probe(dongle, info, deadline, timeout, hid=False)
    finally:
        dongle.close()


def _check_usb(
    entries: Iterable[Mapping[str, Any]] | None, pick: int | str | None, deadline: float, timeout: float
) -> LedgerCheck:
    try:
        devices = list_devices(entries)
    except (ImportError, OSError) as exc:
        return LedgerCheck("error", f"USB devices cannot be listed here ({exc}). Use --tcp for Speculos.")
    if not devices:
        hint = f"; {UDEV_HINT}" if sys.platform.startswith("linux") else ""
        return LedgerCheck(
            "no-device", f"No Ledger is connected. Connect it by USB and unlock it{hint}.", devices=devices
        )
    listing = ", ".join(f"{n}: {d.describe()}" for n, d in enumerate(devices, 1))
    if pick is None and len(devices) > 1:
        return LedgerCheck(
            "several-devices",
            f"{len(devices)} Ledgers are connected ({listing}). Unplug all but one, or pick one (--device N).",
            devices=devices,
        )
    chosen = _pick(devices, pick)
    if chosen is None:
        return LedgerCheck(
            "no-device", f"Ledger {pick} is not connected; connected: {listing}. Pick one of these.", devices=devices
        )
    try:
        import hid
        from ledgerblue.comm import HIDDongleHIDAPI

        dev = hid.device()
        dev.open_path(chosen.path.encode() if chosen.path else b"")
        dev.set_nonblocking(True)
    except (ImportError, OSError) as exc:
        return LedgerCheck(
            "error",
            f"The {chosen.describe()} could not be opened ({exc}). Close Ledger Live and other apps using it;"
            f" {UDEV_HINT}.",
            device=chosen,
            devices=devices,
        )
    dongle = HIDDongleHIDAPI(_DeadlineHid(dev, deadline), ledger=True)
    try:
        result = _probe(dongle, chosen, deadline, timeout, hid=True)
    finally:
        dongle.close()
    result.devices = devices
    return result


def _pick(devices: list[DeviceInfo], pick: int | str | None) -> DeviceInfo | None:
    if pick is None:
        return devices[0]
    if isinstance(pick, int) or str(pick).isdigit():
        n = int(pick)
        return devices[n - 1] if 1 <= n <= len(devices) else None
    return next((d for d in devices if d.path == pick), None)


# ---------------------------------------------------------------- talking


class _Outcome(Exception):
    """Carries a finished LedgerCheck out of the exchange helpers."""

    def __init__(self, result: LedgerCheck) -> None:
        self.result = result


def _exchange(dongle: Any, apdu: bytes, info: DeviceInfo, deadline: float, timeout: float, hid: bool) -> bytes:
    """Send one allowed APDU; a non-answer becomes an ``_Outcome``, a status word a ``CommException``."""
    from ledgerblue.commException import CommException

    if apdu not in ALLOWED_APDUS:  # never: the two constants are all this module sends
        raise AssertionError("refusing to send an APDU that is not read-only")
    try:
        left = max(deadline - time.monotonic(), 0.001)
        answer = dongle.exchange(bytearray(apdu), timeout=left) if hid else dongle.exchange(bytes(apdu))
        return bytes(answer)
    except CommException as exc:
        if hid and str(getattr(exc, "message", "")) == "Timeout":
            raise _Outcome(_unresponsive(info, timeout)) from None
        raise
    except TimeoutError:
        raise _Outcome(_unresponsive(info, timeout)) from None
    except _Refused:
        raise _Outcome(
            LedgerCheck(
                "error",
                "The device asked for a follow-up request (GET RESPONSE) that this check never sends."
                " Update the Ledger's firmware and apps, or check what answers at this address.",
                device=info,
            )
        ) from None
    except (struct.error, IndexError, ValueError):
        raise _Outcome(
            LedgerCheck(
                "error",
                "The connection closed in the middle of an answer. Reconnect the Ledger and try again.",
                device=info,
            )
        ) from None
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # ledgerblue raises a bare BaseException when a HID write fails
        raise _Outcome(
            LedgerCheck(
                "error",
                f"The connection to the Ledger failed ({type(exc).__name__}: {exc}). Reconnect it and try again.",
                device=info,
            )
        ) from None


def _probe(dongle: Any, info: DeviceInfo, deadline: float, timeout: float, *, hid: bool) -> LedgerCheck:
    from ledgerblue.commException import CommException

    try:
        try:
            raw = _exchange(dongle, GET_APP_AND_VERSION, info, deadline, timeout, hid)
        except CommException as exc:
            return _from_status(exc.sw, info, None)
        app = parse_app_and_version(raw)
        if app is None:
            return LedgerCheck(
                "error",
                "The Ledger's answer to the app query is not understood. Update its firmware and try again.",
                device=info,
            )
        if app.name == DASHBOARD_APP:
            return LedgerCheck(
                "dashboard",
                "The Ledger is unlocked but no app is open. Open the Concordium app on it, then try again.",
                device=info,
                app=app,
            )
        if app.name not in (CONCORDIUM_APP, GOVERNANCE_APP):
            return LedgerCheck(
                "wrong-app",
                f'The app "{app.name}" is open on the Ledger. Close it and open the Concordium app, then try again.',
                device=info,
                app=app,
            )
        if app.name == CONCORDIUM_APP:
            version = parse_version(app.version)
            if version is None:
                return LedgerCheck(
                    "error",
                    f'The Concordium app reports an unreadable version "{app.version}". Update it with Ledger Live.',
                    device=info,
                    app=app,
                )
            if version < MIN_APP_VERSION:
                minimum = ".".join(map(str, MIN_APP_VERSION))
                return LedgerCheck(
                    "app-too-old",
                    f"The Concordium app is version {app.version}; the Desktop Wallet needs {minimum} or newer."
                    " Update it with Ledger Live, then try again.",
                    device=info,
                    app=app,
                )
        try:
            key = _exchange(dongle, GET_PAIRING_KEY, info, deadline, timeout, hid)
        except CommException as exc:
            return _from_status(exc.sw, info, app)
        if len(key) < 32:
            return LedgerCheck(
                "error",
                f"The {app.name} app sent a {len(key)}-byte pairing key instead of 32 bytes. Update the app.",
                device=info,
                app=app,
            )
        return LedgerCheck(
            "ready",
            f"Ready: {app.name} app {app.version} on {info.describe()}.",
            device=info,
            app=app,
            pairing_key=key[:32].hex(),
        )
    except _Outcome as outcome:
        return outcome.result


def parse_app_and_version(data: bytes) -> AppInfo | None:
    """The answer to GET_APP_AND_VERSION: format 0x01, then length-prefixed name and version; None if malformed."""
    if len(data) < 3 or data[0] != 0x01:
        return None
    name_len = data[1]
    name = data[2 : 2 + name_len]
    pos = 2 + name_len
    if len(name) != name_len or pos >= len(data):
        return None
    version_len = data[pos]
    version = data[pos + 1 : pos + 1 + version_len]
    if len(version) != version_len:
        return None
    return AppInfo(_printable(name.decode("utf-8", "replace")), _printable(version.decode("utf-8", "replace")))


def parse_version(text: str) -> tuple[int, ...] | None:
    """``"4.1.0"`` (or ``"4.1.0-rc1"``) as (4, 1, 0); None if it does not start with numbers."""
    parts = []
    for piece in text.split("-", 1)[0].split(".")[:3]:
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            return None
        parts.append(int(digits))
    return tuple(parts + [0] * (3 - len(parts))) if parts else None


def _from_status(sw: int, info: DeviceInfo, app: AppInfo | None) -> LedgerCheck:
    word = f"status 0x{sw:04X}"
    if sw in LOCKED_SW:
        return LedgerCheck(
            "locked",
            f"The Ledger is locked ({word}). Unlock it with its PIN, open the Concordium app, then try again.",
            device=info,
            app=app,
            status_word=sw,
        )
    if sw in NO_APP_SW and app is None:
        return LedgerCheck(
            "wrong-app",
            f"The Ledger does not have the Concordium app open ({word}). Open the Concordium app, then try again.",
            device=info,
            status_word=sw,
        )
    if sw in REFUSED_SW:
        reason = "The Ledger refused the request"
    elif sw in INCOMPATIBLE_SW:
        reason = "The app and the Ledger's firmware are not compatible"
    elif sw in NO_APP_SW:
        reason = "The app did not understand the pairing-key request"
    else:
        reason = "The Ledger answered with an error"
    return LedgerCheck(
        "error",
        f"{reason} ({word}). Update the firmware and the Concordium app with Ledger Live, replug, and try again.",
        device=info,
        app=app,
        status_word=sw,
    )


def _unresponsive(info: DeviceInfo, timeout: float) -> LedgerCheck:
    if info.transport == "tcp":
        text = f"The Ledger at {info.address} did not answer within {timeout:g} s. Restart Speculos or the simulator."
    else:
        text = (
            f"The {info.describe()} did not answer within {timeout:g} s."
            " Unplug it, plug it in again, unlock it, and try again."
        )
    return LedgerCheck("unresponsive", text, device=info)


# ---------------------------------------------------------------- text helpers


def _printable(value: Any) -> str:
    return "".join(ch for ch in str(value or "") if ch.isprintable())


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _names(names: list[Any], limit: int = 6) -> str:
    if not names:
        return ""
    shown = ", ".join(str(n) for n in names[:limit])
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return f" ({shown}{more})"
