"""Every Ledger model's USB product id names it (Ledger's own table: LedgerHQ/device-sdk-ts
StaticDeviceModelDataSource.ts, ``usbProductId`` and ``bootloaderUsbProductId``), through the USB listing."""

from __future__ import annotations

import pytest

from toolkit.ops.ledger import list_devices, model_name

#: (usbProductId << 8 | interfaces, bootloader id, model), as Ledger's table gives them.
LEDGER_TABLE = [
    (0x1011, 0x0001, "Nano S"),
    (0x4011, 0x0004, "Nano X"),
    (0x5011, 0x0005, "Nano S Plus"),
    (0x6011, 0x0006, "Stax"),
    (0x7011, 0x0007, "Flex"),
    (0x8011, 0x0008, "Nano Gen5"),  # Ledger's "APEX"
]


@pytest.mark.parametrize(("product_id", "bootloader_id", "model"), LEDGER_TABLE)
def test_each_model_is_named_from_its_product_id(product_id: int, bootloader_id: int, model: str) -> None:
    assert model_name(product_id) == model
    assert model_name(product_id & 0xFF00 | 0x15) == model  # another interface set: the low byte is a bitfield
    assert model_name(bootloader_id) == model


def test_a_nano_gen5_on_usb_is_listed_by_its_model() -> None:
    entry = {
        "vendor_id": 0x2C97,
        "product_id": 0x8011,
        "interface_number": 0,
        "usage_page": 0xFFA0,
        "path": b"3-1:1.0",
        "product_string": "Nano Gen5",
    }
    (device,) = list_devices([entry])
    assert device.model == "Nano Gen5" and device.describe() == "Nano Gen5"


def test_an_unknown_model_is_described_by_its_product_id() -> None:
    assert model_name(0x9011) is None and model_name(0x0009) is None
    entry = {"vendor_id": 0x2C97, "product_id": 0x9011, "interface_number": 0, "path": b"x", "product_string": ""}
    (device,) = list_devices([entry])
    assert device.describe() == "Ledger (product id 0x9011)"
