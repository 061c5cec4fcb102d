"""Concordium account addresses and other identifiers (docs/FORMAT.md §6)."""

from __future__ import annotations

import re

import base58

ADDRESS_VERSION = 0x01
ADDRESS_LENGTH = 50
_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX96 = re.compile(r"[0-9a-f]{96}")


def address_problem(address: object) -> str | None:
    """Why ``address`` is not a valid account address, or None when it is."""
    if not isinstance(address, str):
        return "is not text"
    if len(address) != ADDRESS_LENGTH:
        return f"has {len(address)} characters, not {ADDRESS_LENGTH}"
    try:
        raw = base58.b58decode_check(address)
    except ValueError as exc:
        return "has a wrong checksum" if "checksum" in str(exc).lower() else "is not base58"
    if len(raw) != 33:
        return f"decodes to {len(raw)} bytes, not 33"
    if raw[0] != ADDRESS_VERSION:
        return f"has version byte 0x{raw[0]:02x}, not 0x01"
    return None


def is_valid_address(address: object) -> bool:
    return address_problem(address) is None


def address_from_bytes(payload: bytes) -> str:
    """The address of a 32-byte account key (used to make test and sample data)."""
    if len(payload) != 32:
        raise ValueError("an account address holds 32 bytes")
    return base58.b58encode_check(bytes([ADDRESS_VERSION]) + payload).decode("ascii")


def canonical_account(address: str) -> bytes | None:
    """The first 29 bytes, shared by every alias of one account; None if invalid."""
    try:
        raw = base58.b58decode_check(address)
    except ValueError:
        return None
    return raw[1:30] if len(raw) == 33 else None


def is_hex64(value: object) -> bool:
    return isinstance(value, str) and _HEX64.fullmatch(value) is not None


def is_cred_id(value: object) -> bool:
    return isinstance(value, str) and _HEX96.fullmatch(value) is not None
