"""``audit(backup)``: every finding about a backup as one DataFrame.

Columns: ``severity`` (error, warning, info), ``table`` (the file's own list
name, ``genesis`` or ``file``), ``key`` (the record's address, credId, id or
``#N`` for the N-th record when it has no usable key), ``rule`` (a stable id
from :data:`toolkit.audit.rules.RULES`) and ``message`` (one plain sentence a
support person can read to a user).  Errors first, then warnings, then info;
within a severity, in the order of the rule table.

Messages never quote a private key or other secret of a legacy file: they
name records by name and address only.  Text from the file is cleaned of
control and formatting characters and shortened before it is quoted.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

import pandas as pd

from .. import jsonio
from ..addresses import address_problem, is_cred_id, is_hex64
from ..backup import Backup
from ..container import DESKTOP_ITERATIONS
from .rules import RULE_BY_ID, RULES, SEVERITIES
from .schema import (
    DESKTOP_SHAPES,
    DESKTOP_TOP_LEVEL,
    LEGACY_SHAPES,
    LEGACY_TOP_LEVEL,
    LEGACY_VALUE_KEYS,
    Shape,
)

FINDING_COLUMNS = ("severity", "table", "key", "rule", "message")

ACCOUNT_STATUSES = ("confirmed", "rejected", "pending", "genesis")
IDENTITY_STATUSES = ("confirmed", "rejected", "rejectedAndWarned", "pending", "recovered", "genesis")
_REJECTED = ("rejected", "rejectedAndWarned")

#: Which field names a record in ``key``.
_KEY_FIELD = {
    "accounts": "address",
    "addressBook": "address",
    "recipients": "address",
    "credentials": "credId",
    "externalCredentials": "credId",
    "identities": "id",
    "wallets": "id",
    "genesis": "genesisBlock",
}
_WHAT = {
    "accounts": "Account",
    "identities": "Identity",
    "addressBook": "Address book entry",
    "credentials": "Credential",
    "externalCredentials": "External credential",
    "wallets": "Wallet",
    "recipients": "Recipient",
}


# --------------------------------------------------------------------------- text helpers


def clean(value: Any, limit: int = 60) -> str:
    """Text from a file made safe to print: no control or formatting characters, at most ``limit`` characters."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short(value: Any) -> str:
    return clean(value, 12) if isinstance(value, str) and len(value) > 12 else clean(value)


def _key(table: str, record: Any, index: int) -> str:
    value = record.get(_KEY_FIELD.get(table, "")) if isinstance(record, dict) else None
    if value is None and table == "identities" and isinstance(record, dict):
        value = record.get("name")  # legacy identities have no id
    if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
        return f"#{index + 1}"
    return clean(str(value), 100)


def _label(table: str, record: Any, index: int) -> str:
    """How a message names a record: "Account 'Savings' (3TniG2hN…)"."""
    what = _WHAT.get(table, table)
    if not isinstance(record, dict):
        return f"{what} #{index + 1}"
    name = record.get("name")
    if table in ("accounts", "addressBook", "recipients"):
        addr = record.get("address")
        named = f" '{clean(name)}'" if isinstance(name, str) and name else ""
        at = f" ({_short(addr)})" if isinstance(addr, str) and addr and addr != name else ""
        return f"{what}{named}{at}" if named or at else f"{what} #{index + 1}"
    if table == "identities":
        return f"{what} '{clean(name)}'" if isinstance(name, str) and name else f"{what} #{index + 1}"
    if table in ("credentials", "externalCredentials"):
        cred, acc = record.get("credId"), record.get("accountAddress")
        text = f"{what} {_short(cred)}" if isinstance(cred, str) and cred else f"{what} #{index + 1}"
        return text + (f" of account {_short(acc)}" if isinstance(acc, str) and acc else "")
    if table == "wallets":
        ident = record.get("identifier")
        return f"Wallet {clean(record.get('id'))}" + (f" (Ledger {_short(ident)})" if isinstance(ident, str) else "")
    return f"{what} #{index + 1}"


def _ordinal_list(indexes: list[int]) -> str:
    nums = [str(i + 1) for i in indexes]
    return ", ".join(nums[:-1]) + f" and {nums[-1]}" if len(nums) > 1 else nums[0]


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# --------------------------------------------------------------------------- the collector


class _Findings:
    # Rows are tuples in FINDING_COLUMNS order (a dict per finding cost ~4x the memory: issue 13 #14).
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str]] = []

    def add(self, rule: str, table: str, key: str, message: str) -> None:
        self.rows.append((RULE_BY_ID[rule].severity, table, key, rule, message))

    def frame(self) -> pd.DataFrame:
        order = {r.id: i for i, r in enumerate(RULES)}
        rank = {s: i for i, s in enumerate(SEVERITIES)}
        self.rows.sort(key=lambda r: (rank[r[0]], order[r[3]]))  # stable: file order within a rule
        df = pd.DataFrame(self.rows, columns=list(FINDING_COLUMNS))
        self.rows = []
        df["severity"] = pd.Categorical(df["severity"], categories=list(SEVERITIES), ordered=True)
        return df.reset_index(drop=True)


# --------------------------------------------------------------------------- the audit


def audit(backup: Backup, *, today: date | None = None) -> pd.DataFrame:
    """Every finding about ``backup`` (see the module docstring for the columns).

    ``today`` decides which identities have expired (default: today's date);
    give it to make an audit reproducible.
    """
    today = today or date.today()
    out = _Findings()
    _check_file(backup, out)
    if backup.is_legacy:
        _check_legacy(backup, out, today)
    else:
        _check_desktop(backup, out, today)
    return out.frame()


def has_failures(findings: pd.DataFrame, fail_on: str = "error") -> bool:
    """Are there findings of severity ``fail_on`` or worse (``error`` < ``warning`` < ``info``)?"""
    if fail_on not in SEVERITIES:
        raise ValueError(f"fail_on must be one of {SEVERITIES}")
    worst = SEVERITIES[: SEVERITIES.index(fail_on) + 1]
    return bool(findings["severity"].isin(worst).any()) if len(findings) else False


def severity_counts(findings: pd.DataFrame) -> dict[str, int]:
    """``{"error": n, "warning": n, "info": n}``."""
    counts = findings["severity"].astype(str).value_counts() if len(findings) else {}
    return {s: int(counts.get(s, 0)) for s in SEVERITIES}


def _check_file(backup: Backup, out: _Findings) -> None:
    if backup.container is not None and backup.container.kdf.iterations < DESKTOP_ITERATIONS:
        n = backup.container.kdf.iterations
        out.add(
            "weak-encryption",
            "file",
            "metadata.iterations",
            f"The file is protected by only {n:,} PBKDF2 iterations (the Desktop Wallet uses "
            f"{DESKTOP_ITERATIONS:,}), so its password is easier to guess; make a new copy with "
            "'concordium-backup reexport' and keep that one.",
        )
    network = backup.network
    if backup.is_legacy:
        env = backup.document.get("environment")
        table, key, named = "file", clean(env) if env is not None else "", f"environment '{clean(env)}'"
    else:
        table, key, named = "genesis", clean(backup.genesis_block or "", 100), "genesis block hash"
    if network == "none":
        if backup.is_legacy:
            text = "The file does not say which network it belongs to (it has no environment field)."
        else:
            text = (
                "The file names no network (it was made before Desktop Wallet 1.1.5), so the Desktop Wallet "
                "will import it on any network; make sure it is imported on the network it came from."
            )
        out.add("network-missing", "file", key, text)
    elif network == "unknown":
        out.add(
            "network-unknown",
            table,
            key,
            f"The {named} is not one of the known Concordium networks (mainnet, testnet, stagenet); "
            "the Desktop Wallet will import it only on that same network.",
        )
    elif network in ("testnet", "stagenet", "old-testnet", "mock"):
        what = {
            "testnet": "the Concordium testnet",
            "stagenet": "the Concordium stagenet",
            "old-testnet": "the 2021 Concordium testnet, which has since been reset (its accounts no longer exist)",
            "mock": "a mock (development) network",
        }[network]
        out.add(
            "network-test",
            table,
            key,
            f"The file belongs to {what}, not mainnet; its CCD have no value and the Desktop Wallet "
            "imports it only on that network.",
        )
    if backup.is_legacy:
        out.add(
            "legacy-not-importable",
            "file",
            "",
            "This is a legacy mobile wallet export: the Desktop Wallet cannot import it, because the mobile "
            "wallet kept the account keys in the file while the Desktop Wallet keeps them on a Ledger; "
            "restore it in the mobile wallet or with concordium-client ('config account import').",
        )
        out.add(
            "legacy-private-keys",
            "file",
            "",
            "The file contains private keys: anyone with the file and its password controls the accounts, "
            "so do not send it to anyone (support included) and store it only where you trust.",
        )


# --------------------------------------------------------------------------- Desktop Wallet files


def _check_shapes(table: str, records: list[Any], shape: Shape, out: _Findings) -> None:
    unknown: dict[str, int] = Counter()
    for i, rec in enumerate(records):
        problems = shape.problems(rec)
        if problems:
            out.add(
                "invalid-record",
                table,
                _key(table, rec, i),
                f"{_label(table, rec, i)} {'; '.join(problems)}; the wallet cannot use it as it is.",
            )
        if isinstance(rec, dict):
            unknown.update(shape.unknown_fields(rec))
    for name, n in unknown.items():
        what = "record carries" if n == 1 else "records carry"
        out.add(
            "unknown-field",
            table,
            clean(name, 100),
            f"{n} {table} {what} the field '{clean(name)}', which this version of the toolkit does not know; "
            "it is kept unchanged when the file is re-exported.",
        )


def _duplicates(
    table: str,
    records: list[Any],
    key_of: Any,
    rule: str,
    describe: str,
    consequence: str,
    out: _Findings,
) -> None:
    groups: dict[Any, list[int]] = defaultdict(list)
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            continue
        k = key_of(rec)
        if k is None:
            continue
        try:
            groups[k].append(i)
        except TypeError:  # an unhashable value (a list where text belongs): invalid-record says so
            continue
    for k, idx in groups.items():
        if len(idx) > 1:
            shown = k if not isinstance(k, tuple) else ", ".join(clean(v) for v in k)
            out.add(
                rule,
                table,
                clean(str(shown), 100),
                f"{describe} {clean(str(shown))} appears {len(idx)} times in {table} (records "
                f"{_ordinal_list(idx)}); {consequence}",
            )


def _str_key(field: str) -> Any:
    def key_of(rec: dict[str, Any]) -> Any:
        v = rec.get(field)
        return v if isinstance(v, str) and v else None

    return key_of


def _valid_to(identity_object: Any) -> tuple[str | None, bool]:
    """(validTo, readable) of an identityObject (Desktop: a JSON string; legacy: an object)."""
    obj = identity_object
    if isinstance(obj, str):
        try:
            obj = jsonio.loads(obj)
        except jsonio.JSONError:  # also nesting too deep for a recursive parser
            return None, False
    if not isinstance(obj, dict):
        return None, False
    inner = obj.get("value") if isinstance(obj.get("value"), dict) else obj
    attrs = inner.get("attributeList") if isinstance(inner, dict) else None
    if not isinstance(attrs, dict):
        return None, False
    valid_to = attrs.get("validTo")
    if not (isinstance(valid_to, str) and len(valid_to) == 6 and valid_to.isdigit() and 1 <= int(valid_to[4:]) <= 12):
        return None, False
    return valid_to, True


def _check_expiry(table: str, rec: dict[str, Any], i: int, valid_to: str, today: date, out: _Findings) -> None:
    year, month = int(valid_to[:4]), int(valid_to[4:])
    if (today.year, today.month) > (year, month):
        out.add(
            "identity-expired",
            table,
            _key(table, rec, i),
            f"{_label(table, rec, i)} has an identity document that expired at the end of {month:02d}/{year}; "
            "its accounts keep working, but no new accounts can be made from it.",
        )


def _check_addresses(table: str, records: list[Any], field: str, out: _Findings, what: str = "address") -> None:
    for i, rec in enumerate(records):
        if not isinstance(rec, dict) or field not in rec or not isinstance(rec[field], str):
            continue  # missing or not text: invalid-record says so
        problem = address_problem(rec[field])
        if problem:
            out.add(
                "invalid-address",
                table,
                _key(table, rec, i),
                f"{_label(table, rec, i)} has {what} '{clean(rec[field])}', which {problem}, so it is no "
                "Concordium account address (mistyped or damaged).",
            )


def _check_desktop(backup: Backup, out: _Findings, today: date) -> None:
    doc = backup.document
    recs = {name: [r for r in backup.records(name)] for name in DESKTOP_SHAPES if name != "genesis"}
    accounts, identities, book = recs["accounts"], recs["identities"], recs["addressBook"]
    credentials, external, wallets = recs["credentials"], recs["externalCredentials"], recs["wallets"]

    # shapes and unknown fields
    for name, records in recs.items():
        _check_shapes(name, records, DESKTOP_SHAPES[name], out)
    genesis = doc.get("genesis")
    if isinstance(genesis, dict):
        _check_shapes("genesis", [genesis], DESKTOP_SHAPES["genesis"], out)
    for name in doc:
        if name not in DESKTOP_TOP_LEVEL:
            out.add(
                "unknown-field",
                "file",
                clean(name, 100),
                f"The file has a top-level field '{clean(name)}', which this version of the toolkit does not "
                "know; it is kept unchanged when the file is re-exported.",
            )

    def ok(rec: Any) -> bool:
        return isinstance(rec, dict)

    wallet_ids = {_int(w.get("id")) for w in wallets if ok(w)} - {None}
    identity_ids = {_int(x.get("id")) for x in identities if ok(x)} - {None}
    account_addresses = {a.get("address") for a in accounts if ok(a) and isinstance(a.get("address"), str)}
    identity_by_id = {_int(x.get("id")): x for x in identities if ok(x) and _int(x.get("id")) is not None}

    # references
    for i, acc in enumerate(accounts):
        ident = _int(acc.get("identityId")) if ok(acc) else None
        if ident is not None and ident not in identity_ids:
            out.add(
                "account-without-identity",
                "accounts",
                _key("accounts", acc, i),
                f"{_label('accounts', acc, i)} belongs to identity {ident}, which is not in the file; the Desktop "
                "Wallet imports accounts only together with their identity, so it will leave this account out.",
            )
    for i, ident in enumerate(identities):
        wid = _int(ident.get("walletId")) if ok(ident) else None
        if wid is not None and wid not in wallet_ids:
            out.add(
                "identity-without-wallet",
                "identities",
                _key("identities", ident, i),
                f"{_label('identities', ident, i)} belongs to wallet {wid}, which is not in the file; the Desktop "
                "Wallet imports identities only through their Ledger's wallet entry, so it will leave this "
                "identity and its accounts out.",
            )
    for i, cred in enumerate(credentials):
        if not ok(cred):
            continue
        addr = cred.get("accountAddress")
        if isinstance(addr, str) and addr not in account_addresses:
            out.add(
                "credential-without-account",
                "credentials",
                _key("credentials", cred, i),
                f"{_label('credentials', cred, i)} names an account that is not in the file; the credential "
                "cannot be used without it.",
            )
        ident = _int(cred.get("identityId"))
        if ident is not None and ident not in identity_ids:
            out.add(
                "credential-without-identity",
                "credentials",
                _key("credentials", cred, i),
                f"{_label('credentials', cred, i)} belongs to identity {ident}, which is not in the file; the "
                "Desktop Wallet will leave this credential out of the import.",
            )
    own_cred_ids = {c.get("credId") for c in credentials if ok(c) and isinstance(c.get("credId"), str)}
    for i, ext in enumerate(external):
        if ok(ext) and isinstance(ext.get("credId"), str) and ext["credId"] in own_cred_ids:
            out.add(
                "external-credential-is-own",
                "externalCredentials",
                _key("externalCredentials", ext, i),
                f"{_label('externalCredentials', ext, i)} is listed as someone else's key, but it is also one of "
                "the wallet's own credentials; one of the two entries is wrong.",
            )

    # unique keys
    clash = "the Desktop Wallet's database allows only one, so importing this file may stop part-way."
    _duplicates("accounts", accounts, _str_key("address"), "duplicate-account-address", "The address", clash, out)
    _duplicates(
        "addressBook",
        book,
        _str_key("address"),
        "duplicate-address-book-address",
        "The address",
        "the address book keeps one entry per address, so only one name and note will survive the import.",
        out,
    )
    _duplicates("wallets", wallets, _str_key("identifier"), "duplicate-wallet-identifier", "The identifier", clash, out)
    _duplicates("wallets", wallets, lambda r: _int(r.get("id")), "duplicate-wallet-id", "The wallet id", clash, out)
    _duplicates(
        "identities",
        identities,
        lambda r: _int(r.get("id")),
        "duplicate-identity-id",
        "The identity id",
        "accounts and credentials cannot tell which identity they belong to, and the import may attach them "
        "to the wrong one.",
        out,
    )

    def index_key(r: dict[str, Any]) -> Any:
        idx, addr = _int(r.get("credentialIndex")), r.get("accountAddress")
        return (idx, addr) if idx is not None and isinstance(addr, str) else None

    def number_key(r: dict[str, Any]) -> Any:
        num, ident = _int(r.get("credentialNumber")), _int(r.get("identityId"))
        return (num, ident) if num is not None and ident is not None else None

    _duplicates(
        "credentials",
        credentials,
        index_key,
        "duplicate-credential-index",
        "The credential (credentialIndex, accountAddress)",
        clash,
        out,
    )
    _duplicates(
        "credentials",
        credentials,
        number_key,
        "duplicate-credential-number",
        "The credential (credentialNumber, identityId)",
        clash,
        out,
    )
    _duplicates("credentials", credentials, _str_key("credId"), "duplicate-cred-id", "The credId", clash, out)
    _duplicates(
        "externalCredentials",
        external,
        _str_key("credId"),
        "duplicate-cred-id",
        "The credId",
        "the Desktop Wallet keeps one external credential per credId.",
        out,
    )

    # identifiers
    _check_addresses("accounts", accounts, "address", out)
    _check_addresses("addressBook", book, "address", out)
    _check_addresses("externalCredentials", external, "accountAddress", out, what="account address")
    for table, records in (("credentials", credentials), ("externalCredentials", external)):
        for i, rec in enumerate(records):
            if ok(rec) and isinstance(rec.get("credId"), str) and not is_cred_id(rec["credId"]):
                out.add(
                    "invalid-cred-id",
                    table,
                    _key(table, rec, i),
                    f"{_label(table, rec, i)} has a credId that is not 96 lowercase hex characters "
                    f"({len(rec['credId'])} characters), so it is damaged or was edited.",
                )
    for i, w in enumerate(wallets):
        if ok(w) and isinstance(w.get("identifier"), str) and not is_hex64(w["identifier"]):
            out.add(
                "invalid-wallet-identifier",
                "wallets",
                _key("wallets", w, i),
                f"Wallet {clean(w.get('id'))} has the identifier '{clean(w['identifier'])}', which is not 64 "
                "lowercase hex characters, so no Ledger will ever match it.",
            )

    # statuses, expiry, initial accounts
    with_initial = {_int(a.get("identityId")) for a in accounts if ok(a) and a.get("isInitial") is True}
    for i, ident in enumerate(identities):
        if not ok(ident):
            continue
        status, label, key = ident.get("status"), _label("identities", ident, i), _key("identities", ident, i)
        if isinstance(status, str) and status not in IDENTITY_STATUSES:
            out.add(
                "unknown-status",
                "identities",
                key,
                f"{label} has the status '{clean(status)}', which the Desktop Wallet does not know.",
            )
        if status == "pending":
            out.add(
                "identity-pending",
                "identities",
                key,
                f"{label} was still waiting for the identity provider when the backup was made; it cannot be "
                "used until the provider confirms it.",
            )
        elif status in _REJECTED:
            detail = ident.get("detail")
            reason = f" (reason given: '{clean(detail, 200)}')" if isinstance(detail, str) and detail.strip() else ""
            out.add(
                "identity-rejected",
                "identities",
                key,
                f"{label} was rejected by the identity provider{reason}; it and its accounts cannot be used.",
            )
        if status in ("confirmed", "recovered", "genesis") or status not in IDENTITY_STATUSES:
            valid_to, readable = _valid_to(ident.get("identityObject"))
            if valid_to:
                _check_expiry("identities", ident, i, valid_to, today, out)
            elif status == "confirmed" and not readable:
                out.add(
                    "identity-object-unreadable",
                    "identities",
                    key,
                    f"{label} is confirmed, but its identity object cannot be read, so its expiry cannot be "
                    "checked and the wallet may fail to show it.",
                )
        ident_id = _int(ident.get("id"))
        if status != "genesis" and ident_id is not None and ident_id not in with_initial:
            out.add(
                "identity-without-initial-account",
                "identities",
                key,
                f"{label} has no initial account in the file (every identity's first account is its initial "
                "account), so part of the backup may be missing.",
            )
    for i, acc in enumerate(accounts):
        if not ok(acc):
            continue
        status, label, key = acc.get("status"), _label("accounts", acc, i), _key("accounts", acc, i)
        if isinstance(status, str) and status not in ACCOUNT_STATUSES:
            out.add(
                "unknown-status",
                "accounts",
                key,
                f"{label} has the status '{clean(status)}', which the Desktop Wallet does not know.",
            )
        if status == "pending":
            out.add(
                "account-pending",
                "accounts",
                key,
                f"{label} was not yet confirmed on the chain when the backup was made; the wallet checks it "
                "again after import.",
            )
        elif status == "rejected":
            ident = identity_by_id.get(_int(acc.get("identityId")))
            detail = ident.get("detail") if isinstance(ident, dict) else None
            reason = (
                f" (the identity provider's reason: '{clean(detail, 200)}')"
                if isinstance(detail, str) and detail.strip()
                else ""
            )
            out.add(
                "account-rejected",
                "accounts",
                key,
                f"{label} was rejected and does not exist on the chain{reason}.",
            )

    # address book against own accounts
    book_addresses = {e.get("address") for e in book if ok(e) and isinstance(e.get("address"), str)}
    for i, entry in enumerate(book):
        if (
            ok(entry)
            and entry.get("readOnly") is True
            and isinstance(entry.get("address"), str)
            and entry["address"] not in account_addresses
        ):
            out.add(
                "read-only-not-own",
                "addressBook",
                _key("addressBook", entry, i),
                f"{_label('addressBook', entry, i)} is marked as one of the wallet's own accounts, but no "
                "account in the file has that address; on import its name would override a contact's name.",
            )
    for i, acc in enumerate(accounts):
        if not ok(acc) or acc.get("status") in ("pending", "rejected") or not isinstance(acc.get("address"), str):
            continue
        if acc["address"] not in book_addresses:
            out.add(
                "own-account-not-in-address-book",
                "accounts",
                _key("accounts", acc, i),
                f"{_label('accounts', acc, i)} is not in the address book, where the Desktop Wallet lists the "
                "wallet's own accounts; it will not be offered as a recipient until it is added.",
            )


# --------------------------------------------------------------------------- legacy mobile files


def _check_legacy(backup: Backup, out: _Findings, today: date) -> None:
    doc = backup.document
    value = doc.get("value") if isinstance(doc.get("value"), dict) else {}
    identities = [x for x in value.get("identities") or [] if isinstance(x, dict)]
    accounts = backup.records("accounts")
    recipients = backup.records("recipients")
    _check_shapes("identities", identities, LEGACY_SHAPES["identities"], out)
    _check_shapes("accounts", accounts, LEGACY_SHAPES["accounts"], out)
    _check_shapes("recipients", recipients, LEGACY_SHAPES["recipients"], out)
    for name in doc:
        if name not in LEGACY_TOP_LEVEL:
            out.add(
                "unknown-field",
                "file",
                clean(name, 100),
                f"The file has a top-level field '{clean(name)}', which this version of the toolkit does not "
                "know; it is kept unchanged when the file is re-exported.",
            )
    for name in value:
        if name not in LEGACY_VALUE_KEYS:
            out.add(
                "unknown-field",
                "file",
                clean("value." + name, 100),
                f"The file has a field 'value.{clean(name)}', which this version of the toolkit does not know; "
                "it is kept unchanged when the file is re-exported.",
            )
    _duplicates(
        "accounts",
        accounts,
        _str_key("address"),
        "duplicate-account-address",
        "The address",
        "restoring it will keep only one of them.",
        out,
    )
    _check_addresses("accounts", accounts, "address", out)
    _check_addresses("recipients", recipients, "address", out)
    for i, ident in enumerate(identities):
        valid_to, _readable = _valid_to(ident.get("identityObject"))
        if valid_to:
            _check_expiry("identities", ident, i, valid_to, today, out)


def findings_records(findings: pd.DataFrame) -> list[dict[str, str]]:
    """The findings as plain dicts with the five columns (for JSON)."""
    columns = [findings[c].astype(str).tolist() for c in FINDING_COLUMNS]  # no intermediate dict per row
    return [dict(zip(FINDING_COLUMNS, row, strict=True)) for row in zip(*columns, strict=True)]


def group_by_severity(findings: pd.DataFrame) -> Iterable[tuple[str, pd.DataFrame]]:
    """(severity, findings) for each severity that has findings, errors first."""
    for sev in SEVERITIES:
        part = findings[findings["severity"] == sev]
        if len(part):
            yield sev, part
