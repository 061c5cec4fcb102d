"""Is a Ledger ready, and is it the Ledger a backup belongs to?

A backup holds no private keys: to use its accounts one needs the Ledger that
set them up, or one restored from the same recovery phrase.  The Desktop Wallet
stores each paired Ledger's *pairing key* as ``wallets[].identifier``, so
reading that key from a device (without asking for confirmation) tells whether
it is the right one.

:func:`check_ledger` returns a :class:`LedgerCheck` within about ``timeout``
seconds: one of :data:`STATES` with a plain next step.  It talks through
ledgerblue's transports (USB HID, or TCP to Speculos or ``tests/ledger_sim.py``)
and sends only GET_APP_AND_VERSION and "get public key without confirmation"
(docs/FORMAT.md §5).

- :mod:`.devices`: USB listing without opening a device, TCP endpoints;
- :mod:`.transport`: ledgerblue, bounded in time, limited to the two APDUs;
- :mod:`.check`: states, messages and the comparison with a backup.
"""

from .check import (
    BEFORE_ASKING,
    DEFAULT_TIMEOUT,
    MIN_APP_VERSION,
    STATES,
    AppInfo,
    LedgerCheck,
    WalletMatch,
    check_ledger,
    match_wallet,
    parse_app_and_version,
    parse_version,
)
from .devices import LEDGER_VENDOR_ID, DeviceInfo, list_devices, model_name, parse_tcp, pick_device, tcp_from_env
from .transport import ALLOWED_APDUS, GET_APP_AND_VERSION, GET_PAIRING_KEY, MAX_ANSWER

__all__ = [
    "ALLOWED_APDUS",
    "BEFORE_ASKING",
    "DEFAULT_TIMEOUT",
    "GET_APP_AND_VERSION",
    "GET_PAIRING_KEY",
    "LEDGER_VENDOR_ID",
    "MAX_ANSWER",
    "MIN_APP_VERSION",
    "STATES",
    "AppInfo",
    "DeviceInfo",
    "LedgerCheck",
    "WalletMatch",
    "check_ledger",
    "list_devices",
    "match_wallet",
    "model_name",
    "parse_app_and_version",
    "parse_tcp",
    "parse_version",
    "pick_device",
    "tcp_from_env",
]
