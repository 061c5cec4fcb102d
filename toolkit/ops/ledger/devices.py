"""Where the Ledger is: USB devices listed without opening them, or a TCP endpoint (Speculos, the simulator)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from toolkit import errors
from toolkit.extras import require

LEDGER_VENDOR_ID = 0x2C97
#: product_id >> 8 on current firmware (docs/FORMAT.md §5) ... as Ledger's own table has them:
#: LedgerHQ/device-sdk-ts packages/device-management-kit/src/api/device-model/data/StaticDeviceModelDataSource.ts
#: :17-98 (``usbProductId``; 0x80 is the model Ledger's code calls APEX and names "Ledger Nano Gen5", :94-98).
MODELS = {0x10: "Nano S", 0x40: "Nano X", 0x50: "Nano S Plus", 0x60: "Stax", 0x70: "Flex", 0x80: "Nano Gen5"}
#: ... and the low byte alone on old firmware and in the bootloader (``bootloaderUsbProductId`` there,
#: ``legacyUsbProductId`` in LedgerHQ/ledger-live libs/ledgerjs/packages/devices/src/index.ts, which adds Blue).
LEGACY_MODELS = {
    0x00: "Blue",
    0x01: "Nano S",
    0x04: "Nano X",
    0x05: "Nano S Plus",
    0x06: "Stax",
    0x07: "Flex",
    0x08: "Nano Gen5",
}


@dataclass(frozen=True)
class DeviceInfo:
    """A Ledger found on USB (without opening it) or a TCP endpoint."""

    transport: str  # "usb" or "tcp"
    model: str | None = None
    product_id: int | None = None
    product: str | None = None
    path: str | None = None
    address: str | None = None

    def describe(self) -> str:
        if self.transport == "tcp":
            return f"TCP {self.address}"
        return self.model or self.product or f"Ledger (product id {self.product_id or 0:#06x})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "transport": self.transport,
            "model": self.model,
            "product_id": self.product_id,
            "product": self.product,
            "path": self.path,
            "address": self.address,
        }


def model_name(product_id: int) -> str | None:
    """The Ledger model from its USB product id, or None if unknown."""
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
        hid = require("ledger", "hid")

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
        product = printable(entry.get("product_string")) or None
        out.append(DeviceInfo(transport="usb", model=model_name(pid), product_id=pid, product=product, path=path))
    return out


def pick_device(devices: list[DeviceInfo], pick: int | str | None) -> DeviceInfo | None:
    """The first device, the ``pick``-th (1-based), or the one whose path is ``pick``; None if absent."""
    if not devices:
        return None
    if pick is None:
        return devices[0]
    if isinstance(pick, int) or str(pick).isdigit():
        n = int(pick)
        return devices[n - 1] if 1 <= n <= len(devices) else None
    return next((d for d in devices if d.path == pick), None)


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


def tcp_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def printable(value: Any) -> str:
    """Text from a device, without control characters."""
    return "".join(ch for ch in str(value or "") if ch.isprintable())
