"""JSON values as the Desktop Wallet's JavaScript compares them (``===``, truthiness, ``JSON.stringify``)."""

from __future__ import annotations

from typing import Any

import orjson

MISSING: Any = type("_Missing", (), {"__repr__": lambda self: "<missing>"})()


def js_equal(a: Any, b: Any) -> bool:
    """JavaScript's ``===`` on JSON values as the wallet compares fields (objects never equal)."""
    if a is MISSING or b is MISSING:
        return a is b
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return False
    return a == b and isinstance(a, bool) == isinstance(b, bool) and (a is None) == (b is None)


def js_token(value: Any) -> Any:
    """A hashable stand-in for a JSON value under ``===`` (None for objects and arrays: never equal)."""
    if value is MISSING:
        return ("undefined",)
    if isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return ("boolean", value)
    if value is None:
        return ("null",)
    if isinstance(value, (int, float)):
        return ("number", value)
    return ("string", value)


def js_key(record: dict[str, Any], fields: tuple[str, ...]) -> tuple[Any, ...] | None:
    """The fields of ``record`` as one hashable key (None when an object field makes it match nothing)."""
    parts = tuple(js_token(record.get(f, MISSING)) for f in fields)
    return None if any(p is None for p in parts) else parts


class Lookup:
    """The wallet's ``isDuplicate(entry, list, fields)`` and ``list.find`` in O(1)."""

    def __init__(self, records: list[dict[str, Any]], fields: tuple[str, ...]) -> None:
        self.fields = fields
        self.first: dict[tuple[Any, ...], dict[str, Any]] = {}
        for r in records:
            key = js_key(r, fields)
            if key is not None:
                self.first.setdefault(key, r)

    def find(self, entry: dict[str, Any]) -> dict[str, Any] | None:
        key = js_key(entry, self.fields)
        return None if key is None else self.first.get(key)

    def __contains__(self, entry: dict[str, Any]) -> bool:
        return self.find(entry) is not None


def truthy(value: Any) -> bool:
    """JavaScript truthiness of a JSON value (``"" || x`` picks ``x``)."""
    return bool(value) if not isinstance(value, (dict, list)) else True


def hkey(value: Any) -> Any:
    """A hashable stand-in under ``===``: an object or array equals only itself."""
    return ("object", id(value)) if isinstance(value, (dict, list)) else js_token(value)


def filled(record: dict[str, Any], exported: dict[str, Any]) -> dict[str, Any]:
    """``record`` with the columns it lacks as the wallet's database filled them (its defaults)."""
    out = dict(record)
    for column, value in exported.items():
        out.setdefault(column, value)
    return out


def json_text(value: Any) -> str:
    """``JSON.stringify(value)`` for a JSON value (as the wallet stores transactionFilter)."""
    try:
        return orjson.dumps(value).decode()
    except (TypeError, orjson.JSONEncodeError):
        return str(value)
