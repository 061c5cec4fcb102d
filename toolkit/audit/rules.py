"""The audit rules: a stable id, a severity and what each one checks.

The ids are part of the toolkit's interface (``--json`` output, reports,
README); they never change meaning.  Severities:

- ``error``: the Desktop Wallet will refuse the file, fail part-way through the
  import, or silently leave records out.
- ``warning``: the file imports, but a person should know this before relying
  on it.
- ``info``: worth knowing; nothing is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    checks: str


RULES: tuple[Rule, ...] = (
    # the file as a whole
    Rule(
        "legacy-not-importable",
        "warning",
        "The file is a legacy mobile wallet export, which the Desktop Wallet cannot import (and why).",
    ),
    Rule("legacy-private-keys", "warning", "The file is a legacy mobile wallet export and holds private keys."),
    Rule("weak-encryption", "warning", "The file is encrypted with fewer than 10,000 PBKDF2 iterations."),
    Rule(
        "network-missing", "warning", "The file names no network (no genesis in an old Desktop file; no environment)."
    ),
    Rule(
        "network-unknown",
        "warning",
        "The genesis block hash (or mobile environment) is not a known Concordium network.",
    ),
    Rule("network-test", "warning", "The file belongs to a test network (testnet, stagenet, the old 2021 testnet)."),
    Rule("unknown-field", "info", "A field this version of the toolkit does not know (kept as is on re-export)."),
    Rule("invalid-record", "error", "A record lacks a field the wallet needs, or a field has the wrong JSON type."),
    # references between records
    Rule("account-without-identity", "error", "An account's identityId names no identity in the file."),
    Rule("identity-without-wallet", "error", "An identity's walletId names no wallet (Ledger) in the file."),
    Rule("credential-without-account", "error", "A credential's accountAddress names no account in the file."),
    Rule("credential-without-identity", "error", "A credential's identityId names no identity in the file."),
    Rule(
        "external-credential-is-own",
        "warning",
        "An external credential's credId is also one of the wallet's own credentials.",
    ),
    # unique keys
    Rule("duplicate-account-address", "error", "Two accounts have the same address."),
    Rule("duplicate-address-book-address", "error", "Two address book entries have the same address."),
    Rule("duplicate-wallet-identifier", "error", "Two wallets have the same identifier (Ledger pairing key)."),
    Rule("duplicate-wallet-id", "error", "Two wallets have the same id."),
    Rule("duplicate-identity-id", "error", "Two identities have the same id."),
    Rule("duplicate-credential-index", "error", "Two credentials have the same (credentialIndex, accountAddress)."),
    Rule("duplicate-credential-number", "error", "Two credentials have the same (credentialNumber, identityId)."),
    Rule("duplicate-cred-id", "error", "Two credentials (or two external credentials) have the same credId."),
    # identifiers
    Rule(
        "invalid-address",
        "error",
        "An account, address book, external credential or recipient address fails base58check, "
        "the 0x01 version byte or the 50-character length.",
    ),
    Rule("invalid-cred-id", "error", "A credId is not 96 lowercase hex characters."),
    Rule("invalid-wallet-identifier", "error", "A wallet identifier is not 64 lowercase hex characters."),
    # statuses and dates
    Rule("unknown-status", "warning", "An account or identity status the Desktop Wallet does not know."),
    Rule("identity-pending", "warning", "An identity still pending at the identity provider."),
    Rule("identity-rejected", "warning", "An identity the identity provider rejected (with the reason given)."),
    Rule("account-pending", "warning", "An account not yet confirmed on chain when the backup was made."),
    Rule("account-rejected", "warning", "An account whose creation was rejected (with the identity's reason)."),
    Rule("identity-expired", "warning", "An identity whose identity document's validTo month has passed."),
    Rule("identity-object-unreadable", "warning", "A confirmed identity whose identityObject cannot be read."),
    Rule("identity-without-initial-account", "warning", "An identity with no initial account (isInitial) in the file."),
    # address book
    Rule(
        "read-only-not-own",
        "warning",
        "An address book entry marked readOnly (own account) that is no account in the file.",
    ),
    Rule(
        "own-account-not-in-address-book",
        "warning",
        "An account of the wallet (not pending or rejected) that has no entry in the address book.",
    ),
)

RULE_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}


def rules_table() -> pd.DataFrame:
    """The rules as a frame: ``id``, ``severity``, ``checks`` (for README, reports and tests)."""
    return pd.DataFrame([{"id": r.id, "severity": r.severity, "checks": r.checks} for r in RULES])
