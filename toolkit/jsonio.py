"""JSON reading and writing the way the two wallets do it.

Reading uses orjson (several times faster than the standard library on large
exports) and falls back to the standard library for the valid JSON orjson
refuses (integers above 64 bits, lone surrogate escapes).  ``NaN`` and
``Infinity`` are not JSON and are refused by both paths.

Writing reproduces the writers' bytes: the Desktop Wallet serialises with
``JSON.stringify`` (compact, non-ASCII as is), the legacy mobile wallet with
Gson (compact, HTML-safe escapes for ``< > & = '``).  Floats are written in
Python's notation; the wallets' documents hold none, and an unchanged document
is always re-exported from its original bytes anyway.
"""

from __future__ import annotations

import contextlib
import gc
import json
import re
from collections.abc import Iterator
from typing import Any

import orjson

_GSON_ESCAPES = {c: "\\u%04x" % ord(c) for c in "<>&='\u2028\u2029"}
_GSON_RE = re.compile("[<>&='\u2028\u2029]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many acyclic objects.

    Parsing a large export and tabulating it create hundreds of thousands of
    objects; each full collection meanwhile walks all of them for nothing (JSON
    values and DataFrame columns hold no reference cycles).  Memory is still
    freed by reference counting.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class JSONError(ValueError):
    """Invalid JSON; ``pos`` is the byte or character offset, ``at_end`` if input ran out."""

    def __init__(self, msg: str, pos: int | None, at_end: bool) -> None:
        super().__init__(msg)
        self.pos = pos
        self.at_end = at_end


def loads(data: bytes | str) -> Any:
    """Parse JSON text, keeping object key order; raise :class:`JSONError`."""
    try:
        with gc_paused():
            return orjson.loads(data)
    except orjson.JSONDecodeError:
        pass
    try:
        text = data.decode("utf-8") if isinstance(data, (bytes, bytearray, memoryview)) else data
        return json.loads(text, parse_constant=_refuse_constant)
    except UnicodeDecodeError as exc:
        raise JSONError(f"not UTF-8 text at byte {exc.start}", exc.start, False) from None
    except json.JSONDecodeError as exc:
        at_end = exc.pos >= len(exc.doc.rstrip()) or exc.msg.startswith("Unterminated string")
        raise JSONError(exc.msg, exc.pos, at_end) from None
    except (ValueError, RecursionError) as exc:
        raise JSONError(str(exc), None, False) from None


def _encode(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: escape them as JSON.stringify does
        return _LONE_SURROGATE.sub(lambda m: "\\u%04x" % ord(m.group()), text).encode("utf-8")


def dumps_js(obj: Any) -> bytes:
    """Serialise like JavaScript's ``JSON.stringify(obj)`` (the Desktop Wallet)."""
    return _encode(json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False))


def dumps_gson(obj: Any) -> bytes:
    """Serialise like Gson's default ``toJson`` (the legacy mobile wallet)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _encode(_GSON_RE.sub(lambda m: _GSON_ESCAPES[m.group()], text))
