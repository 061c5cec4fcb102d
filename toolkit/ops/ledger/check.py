"""The Ledger check: the device's state with a plain next step, its pairing key, and the backup wallet it is."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from toolkit.extras import require

from .devices import DeviceInfo, list_devices, parse_tcp, pick_device, printable, tcp_address, tcp_from_env
from .transport import GET_APP_AND_VERSION, GET_PAIRING_KEY, Broken, Link, NoAnswer, StatusWord, Unexpected

if TYPE_CHECKING:
    from toolkit.model.backup import Backup

CONCORDIUM_APP = "Concordium"
GOVERNANCE_APP = "CCDGovernance"
DASHBOARD_APP = "BOLOS"
#: The Desktop Wallet's minimum Concordium app version.
MIN_APP_VERSION = (3, 0, 0)
DEFAULT_TIMEOUT = 5.0
#: The pairing-key answer (public key 1105'/0', P2 0x00: the key only) is exactly this long: an ed25519 public
#: key (docs/FORMAT.md §5: the app's src/common/getPublicKey.c, measured on the real 4.1.2/5.3.0 apps); any
#: other length is not the app's.
PAIRING_KEY_BYTES = 32

STATES = (
    "no-device",
    "several-devices",
    "locked",
    "dashboard",
    "wrong-app",
    "app-too-old",
    "ready",
    "busy",
    "unresponsive",
    "error",
)

#: Status words (docs/FORMAT.md §5).
LOCKED_SW = frozenset({0x5515, 0x6804, 0x530C, 0x6B0C})
NO_APP_SW = frozenset({0x6E00, 0x6D00, 0x6E01, 0x6D02, 0x6511})
REFUSED_SW = frozenset({0x6985, 0x5501})
#: The Concordium app's "invalid state": another multi-APDU operation was in progress (the answer resets it).
BUSY_SW = 0x6B01


class AppError(NamedTuple):
    """One of the Concordium app's own status words: its name in the app's source, and what the user does."""

    name: str
    advice: str


_CLOSE_OTHERS = "close the Desktop Wallet and Ledger Live, reopen the Concordium app on the Ledger, then check again"
_UPDATE_APP = "update the Concordium app with Ledger Live, reopen it, then check again"
_RECONNECT = "unplug the Ledger (or restart Speculos), plug it in, open the Concordium app, then check again"
#: The Concordium app's own errors, exactly as its source has them (Concordium/concordium-ledger-app; 4.1.2 =
#: ce24e85e src/common/responseCodes.h:9-20, 5.3.0 = tag v5.3.0 src/globals.h:195-213), less those classed above:
#: 0x6985 refused, 0x6E00/0x6D00 no app, 0x530C locked.  None of them is about firmware.  To the check's two
#: read-only requests the transaction and smart-contract errors can only come from another program's flow.
APP_ERRORS = {
    # responseCodes.h:9; thrown when a request arrives empty (mainHelpers.c:68)
    0x6982: AppError("no request received", f"the request reached the app empty; {_RECONNECT}"),
    # responseCodes.h:13 (handled as busy when the app is known)
    0x6B01: AppError("invalid state", f"another program was in the middle of an operation; {_CLOSE_OTHERS}"),
    # responseCodes.h:14
    0x6B02: AppError("invalid path", f"the app refused the Desktop Wallet's key path m/1105'/0'; {_UPDATE_APP}"),
    # responseCodes.h:15
    0x6B03: AppError("invalid parameter", f"the app refused the request's parameters; {_UPDATE_APP}"),
    # responseCodes.h:16
    0x6B04: AppError("invalid transaction", f"the app was reading another program's transaction; {_CLOSE_OTHERS}"),
    # responseCodes.h:17 (a transaction's memo)
    0x6B05: AppError("unsupported CBOR", f"the app was reading another program's transaction; {_CLOSE_OTHERS}"),
    # responseCodes.h:18
    0x6B06: AppError("buffer overflow", f"the app ran out of room for an answer; {_RECONNECT}"),
    # responseCodes.h:19
    0x6B07: AppError(
        "failed crypto operation",
        "the app could not derive the key; reopen the Concordium app and check again, and if it repeats, update it"
        " with Ledger Live",
    ),
    # v5.3.0 globals.h:207 (deployModule.c:44)
    0x6B08: AppError(
        "invalid source length", f"the app was reading another program's smart-contract transaction; {_CLOSE_OTHERS}"
    ),
    # v5.3.0 globals.h:210 (initContract.c:52)
    0x6B09: AppError(
        "invalid module reference",
        f"the app was reading another program's smart-contract transaction; {_CLOSE_OTHERS}",
    ),
    # v5.3.0 globals.h:208 (initContract.c:71, updateContract.c:84)
    0x6B0A: AppError(
        "invalid name length", f"the app was reading another program's smart-contract transaction; {_CLOSE_OTHERS}"
    ),
    # v5.3.0 globals.h:209 (initContract.c:97, updateContract.c:111)
    0x6B0B: AppError(
        "invalid params length",
        f"the app was reading another program's smart-contract transaction; {_CLOSE_OTHERS}",
    ),
    # v5.3.0 globals.h:213: a request whose length does not match its header (app_main.c:70-73)
    0x6A87: AppError("wrong data length", f"the request reached the app cut short; {_RECONNECT}"),
}

#: What the user must know before the device is asked (the CLI prints it on stderr, the form shows it).
BEFORE_ASKING = (
    "Close the Desktop Wallet and Ledger Live first: this check's two read-only requests can interrupt what"
    " another program is doing with the Ledger (a transaction being signed, a key waiting for confirmation)."
)
TRY_AGAIN = "unexpected answer; try again"

UDEV_HINT = "on Linux, install Ledger's udev rules for USB vendor 2c97 (see Ledger's support pages) and replug it"


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
        """Ready and, when a backup was given, one of its wallets."""
        return self.state == "ready" and (not self.backup_checked or self.matches_wallet is not None)

    @property
    def verdict(self) -> str:
        """A short headline: the state, except that a ready Ledger which is not the backup's says so."""
        if self.state == "ready" and self.backup_checked and self.matches_wallet is None:
            return "not the backup's Ledger"
        return self.state

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "message": self.message,
            "device": self.device.to_dict() if self.device else None,
            "app": self.app.to_dict() if self.app else None,
            "pairing_key": self.pairing_key,
            "matches_wallet": self.matches_wallet.to_dict() if self.matches_wallet else None,
        }


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
    it the environment variables ledgerblue reads (LEDGER_PROXY_ADDRESS and
    LEDGER_PROXY_PORT) are used, and without those USB.  ``device`` picks one
    of several USB Ledgers: its 1-based position in :func:`list_devices` or its
    path.  ``hid_entries`` replaces the call to ``hid.enumerate`` (and the
    environment).  Raises :class:`toolkit.errors.LedgerError` only for a
    malformed HOST:PORT, and :class:`toolkit.errors.MissingExtraError` without the ``ledger`` extra.
    """
    require("ledger", "ledgerblue")
    deadline = time.monotonic() + max(float(timeout), 0.05)
    endpoint = parse_tcp(tcp) if isinstance(tcp, str) else tcp
    if endpoint is None and hid_entries is None:
        endpoint = tcp_from_env()
    if endpoint is not None:
        result = _check_tcp(endpoint, deadline, timeout)
    else:
        result = _check_usb(hid_entries, device, deadline, timeout)
    if backup is not None:
        _compare(result, backup)
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


def parse_app_and_version(data: bytes) -> AppInfo | None:
    """The answer to GET_APP_AND_VERSION, or None unless it is exactly that answer's structure.

    Format 0x01, then the length-prefixed name and version, then the length-prefixed OS
    flags (the real app's SDK sends ``01 00``; docs/FORMAT.md §5; Ledger's own client,
    LedgerHQ/ledgerjs packages/hw-app-btc/src/getAppAndVersion.ts, reads them the same way;
    an answer that ends after the version is read too) and nothing after them: an answer of
    any other length is not the device's.
    """
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
    end = pos + 1 + version_len
    if end < len(data) and end + 1 + data[end] != len(data):  # flags, exactly as long as announced
        return None
    return AppInfo(printable(name.decode("utf-8", "replace")), printable(version.decode("utf-8", "replace")))


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


# ---------------------------------------------------------------- finding the device


def _check_tcp(endpoint: tuple[str, int], deadline: float, timeout: float) -> LedgerCheck:
    host, port = endpoint
    info = DeviceInfo(transport="tcp", address=tcp_address(host, port))
    try:
        link = Link.tcp(host, port, deadline)
    except TimeoutError:
        return LedgerCheck(
            "unresponsive",
            f"Nothing answered at {info.address} within {timeout:g} s. Check that Speculos or the simulator runs there.",
            device=info,
        )
    except ConnectionRefusedError:
        return LedgerCheck(
            "no-device",
            f"Nothing listens at {info.address} (the connection was refused). Start Speculos or the simulator"
            " there, or check the address given (or LEDGER_PROXY_ADDRESS/LEDGER_PROXY_PORT).",
        )
    except OSError as exc:
        return LedgerCheck(
            "no-device",
            f"No Ledger answers at {info.address} ({exc.strerror or exc}). Start Speculos or the simulator there,"
            " or check the address given (or LEDGER_PROXY_ADDRESS/LEDGER_PROXY_PORT).",
        )
    with link:
        return _probe(link, info, timeout)


def _check_usb(
    entries: Iterable[Mapping[str, Any]] | None, pick: int | str | None, deadline: float, timeout: float
) -> LedgerCheck:
    try:
        devices = list_devices(entries)
    except OSError as exc:
        return LedgerCheck(
            "error",
            f"USB devices cannot be listed here ({exc}). Speculos or the simulator can be reached over TCP instead.",
        )
    if not devices:
        hint = f"; {UDEV_HINT}" if sys.platform.startswith("linux") else ""
        return LedgerCheck("no-device", f"No Ledger is connected. Connect it by USB and unlock it{hint}.")
    listing = ", ".join(f"{n}: {d.describe()}" for n, d in enumerate(devices, 1))
    if pick is None and len(devices) > 1:
        return LedgerCheck(
            "several-devices",
            f"{len(devices)} Ledgers are connected ({listing}). Unplug all but one, or pick one by its number.",
            devices=devices,
        )
    chosen = pick_device(devices, pick)
    if chosen is None:
        return LedgerCheck(
            "no-device", f"Ledger {pick} is not connected; connected: {listing}. Pick one of these.", devices=devices
        )
    try:
        link = Link.usb(chosen.path or "", deadline)
    except OSError as exc:
        return LedgerCheck(
            "error",
            f"The {chosen.describe()} could not be opened ({exc}). Close Ledger Live and other apps using it;"
            f" {UDEV_HINT}.",
            device=chosen,
            devices=devices,
        )
    with link:
        result = _probe(link, chosen, timeout)
    result.devices = devices
    return result


# ---------------------------------------------------------------- asking it


def _probe(link: Link, info: DeviceInfo, timeout: float) -> LedgerCheck:
    """Which app is open, then (for a Concordium app) the pairing key."""
    app: AppInfo | None = None
    try:
        app = parse_app_and_version(link.exchange(GET_APP_AND_VERSION))
        if app is None:
            return LedgerCheck(
                "error", f"The Ledger's answer to the app query is not understood: {TRY_AGAIN}.", device=info
            )
        refusal = _app_refusal(app, info)
        if refusal is not None:
            return refusal
        key = link.exchange(GET_PAIRING_KEY)
    except StatusWord as exc:
        return _from_status(exc.sw, info, app)
    except NoAnswer:
        return _unresponsive(info, timeout, app)
    except Unexpected as exc:
        return LedgerCheck("error", f"{exc}: {TRY_AGAIN}.", device=info, app=app)
    except Broken as exc:
        return LedgerCheck("error", f"{exc}. Reconnect the Ledger and try again.", device=info, app=app)
    if len(key) != PAIRING_KEY_BYTES:
        return LedgerCheck(
            "error",
            f"The {app.name} app sent a {len(key)}-byte pairing key instead of {PAIRING_KEY_BYTES} bytes: {TRY_AGAIN}.",
            device=info,
            app=app,
        )
    return LedgerCheck(
        "ready",
        f"The {app.name} app {app.version} is open on {info.describe()}; its pairing key was read.",
        device=info,
        app=app,
        pairing_key=key.hex(),
    )


def _app_refusal(app: AppInfo, info: DeviceInfo) -> LedgerCheck | None:
    """The state when the open app is not one the Desktop Wallet accepts; None when it is."""
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
    if app.name == GOVERNANCE_APP:
        return None
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
    return None


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
    if sw == BUSY_SW and app is not None:
        return LedgerCheck(
            "busy",
            f"Another program (the Desktop Wallet or Ledger Live) is using the Ledger: the {app.name} app was in the"
            f" middle of another operation ({word}, invalid state). Finish or close that program, and finish or"
            " reject what is on the Ledger's screen, then check again. This answer ended that operation, so the"
            " other program must start it again.",
            device=info,
            app=app,
            status_word=sw,
        )
    if sw in REFUSED_SW:
        text = (
            f"The request was refused on the Ledger ({word}). If something is on its screen, finish or reject it,"
            " then try again."
        )
    elif sw in APP_ERRORS and app is not None:
        error = APP_ERRORS[sw]
        text = f"The {app.name} app answered with its error {word} ({error.name}): {error.advice}."
    else:
        text = f"The Ledger answered with {word}: {TRY_AGAIN}. If it repeats, reopen the Concordium app on it."
    return LedgerCheck("error", text, device=info, app=app, status_word=sw)


def _unresponsive(info: DeviceInfo, timeout: float, app: AppInfo | None = None) -> LedgerCheck:
    """A device that stayed silent: on real hardware most often because it waits for a button press."""
    waiting = (
        " It is most likely waiting for a button press: finish or reject what is on its screen (and close the"
        " Desktop Wallet and Ledger Live), then try again."
    )
    if info.transport == "tcp":
        text = (
            f"The Ledger at {info.address} did not answer within {timeout:g} s.{waiting}"
            " If nothing is on its screen, check that Speculos or the simulator still runs there (restart it)."
        )
    else:
        text = (
            f"The {info.describe()} did not answer within {timeout:g} s.{waiting}"
            " If nothing is on its screen, unplug it, plug it in again, unlock it, and try again."
        )
    return LedgerCheck("unresponsive", text, device=info, app=app)


# ---------------------------------------------------------------- the backup


def _compare(result: LedgerCheck, backup: Backup) -> None:
    """Add to ``result`` which of the backup's wallets this Ledger is, or that it is none of them."""
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


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _names(names: list[Any], limit: int = 6) -> str:
    if not names:
        return ""
    shown = ", ".join(str(n) for n in names[:limit])
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return f" ({shown}{more})"
