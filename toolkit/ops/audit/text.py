"""The audit's helpers: how a finding names a record and quotes a file's text, and small readers of values.

Shared by the rules (:mod:`toolkit.ops.audit.rules`) and the index (:mod:`toolkit.ops.audit.index`).
"""

from __future__ import annotations

import json
from typing import Any

from toolkit.format import jsonio
from toolkit.model.kinds import label_of
from toolkit.textsafe import safe_text


def clean(value: Any, limit: int = 60) -> str:
    """Text from a file made safe to print (:func:`toolkit.textsafe.safe_text`: control and format
    characters visibly escaped), on one line, at most ``limit`` characters."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = " ".join(safe_text(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short(value: Any) -> str:
    return clean(value, 12) if isinstance(value, str) and len(value) > 12 else clean(value)


def label(table: str, record: Any, index: int) -> str:
    """How a message names a record: "Account 'Savings' (3TniG2hN…)"."""
    what = label_of(table)
    if not isinstance(record, dict):
        return f"{what} #{index + 1}"
    name = record.get("name")
    if table in ("accounts", "addressBook", "recipients"):
        addr = record.get("address")
        named = f" '{clean(name)}'" if isinstance(name, str) and name else ""
        at = f" ({short(addr)})" if isinstance(addr, str) and addr and addr != name else ""
        return f"{what}{named}{at}" if named or at else f"{what} #{index + 1}"
    if table == "identities":
        return f"{what} '{clean(name)}'" if isinstance(name, str) and name else f"{what} #{index + 1}"
    if table in ("credentials", "externalCredentials"):
        cred, acc = record.get("credId"), record.get("accountAddress")
        text = f"{what} {short(cred)}" if isinstance(cred, str) and cred else f"{what} #{index + 1}"
        return text + (f" of account {short(acc)}" if isinstance(acc, str) and acc else "")
    if table == "wallets":
        ident = record.get("identifier")
        return f"Wallet {clean(record.get('id'))}" + (f" (Ledger {short(ident)})" if isinstance(ident, str) else "")
    return f"{what} #{index + 1}"


def ordinal_list(indexes: list[int]) -> str:
    nums = [str(i + 1) for i in indexes]
    return ", ".join(nums[:-1]) + f" and {nums[-1]}" if len(nums) > 1 else nums[0]


def as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def valid_to(identity_object: Any) -> tuple[str | None, bool]:
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
