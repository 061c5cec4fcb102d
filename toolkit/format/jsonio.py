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
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

_GSON_ESCAPES = {c: "\\u%04x" % ord(c) for c in "<>&='\u2028\u2029"}
_GSON_RE = re.compile("[<>&='\u2028\u2029]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


#: JSON's types in words, for messages (a boolean is never a number).
_TYPE_NAMES = {bool: "boolean", int: "number", float: "number", str: "string", dict: "object", list: "list"}


def json_type(value: Any) -> str:
    """The JSON type of a parsed value, in words ("string", "number", "object", "list", "boolean", "null")."""
    if value is None:
        return "null"
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def json_type_name(t: type | None) -> str:
    """The word :func:`json_type` uses for values of Python type ``t`` (``None`` for JSON null)."""
    return "null" if t is None else _TYPE_NAMES.get(t, t.__name__)


#: Scalar types whose values are the same JSON value when ``==`` (a boolean is not among them: ``True == 1``).
_PLAIN = frozenset({str, int, float, type(None)})


def same_value(a: Any, b: Any) -> bool:
    """Equal as JSON values, at any depth: ``true`` is not ``1`` and ``false`` is not ``0``, though Python's ``==``
    says they are.  ``1`` and ``1.0`` are one value: JSON has one number type, and the Desktop Wallet's
    ``JSON.parse`` reads both as the same Number.  Nesting too deep for ``==`` counts as different."""
    try:
        if a != b:
            return False
    except RecursionError:
        return False
    ta, tb = type(a), type(b)
    if ta is tb and ta in _PLAIN:
        return True
    if ta is not dict and ta is not list:
        return (ta is bool) == (tb is bool)
    try:  # the same bytes are the same typed value (orjson writes true and 1 apart), in C
        if orjson.dumps(a) == orjson.dumps(b):
            return True
    except orjson.JSONEncodeError:  # an integer beyond 64 bits: the walk below decides
        pass
    return _same_types(a, b)  # another key order, or 1 against 1.0


#: Pairs whose bytes :func:`typed_unequal` compares in one call (orjson's cost per call is ~50 times its cost per
#: byte of a record: one call per record would write records ten times slower than one per chunk).
_CHUNK = 256


def typed_unequal(old: list[Any], new: list[Any]) -> list[int]:
    """The positions of the pairs ``old[i] == new[i]`` that are still not the same JSON value (:func:`same_value`:
    a boolean against a number somewhere inside).

    Chunks of pairs are compared as orjson's bytes, in C (equal bytes are the same JSON value: orjson writes
    ``true`` and ``1`` apart); only the pairs of a chunk whose bytes differ (a retyped value, another key order,
    ``1`` against ``1.0``) are looked at one by one."""
    out: list[int] = []
    for start in range(0, len(old), _CHUNK):
        a, b = old[start : start + _CHUNK], new[start : start + _CHUNK]
        try:
            if orjson.dumps(a) == orjson.dumps(b):
                continue
        except orjson.JSONEncodeError:  # an integer beyond 64 bits: pair by pair
            pass
        out.extend(start + i for i, (x, y) in enumerate(zip(a, b, strict=True)) if not same_value(x, y))
    return out


def _same_types(a: Any, b: Any) -> bool:
    """For ``a == b``: whether a boolean stands against a number anywhere inside (a walk with its own stack)."""
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if (type(x) is bool) != (type(y) is bool):
            return False
        if isinstance(x, dict) and isinstance(y, dict):
            stack.extend((v, y[k]) for k, v in x.items())
        elif isinstance(x, list) and isinstance(y, list):
            stack.extend(zip(x, y, strict=True))
    return True


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


#: Nesting deeper than this is refused (the wallets' documents nest about 10 levels).
MAX_DEPTH = 100
#: A text with at most this many invalid UTF-8 sequences, and otherwise valid JSON,
#: was written that way; damage (16 garbled bytes per damaged AES block) leaves many more.
_FEW_BAD_UTF8 = 2


class JSONError(ValueError):
    """Invalid JSON; ``pos`` is the byte or character offset, ``at_end`` if input ran out.

    ``content`` is True when the text is JSON in shape but holds what no wallet
    writes (NaN, a number out of range, nesting too deep, a few bytes that are
    not UTF-8): it was written so, not damaged on the way.
    """

    def __init__(self, msg: str, pos: int | None, at_end: bool, *, content: bool = False) -> None:
        super().__init__(msg)
        self.pos = pos
        self.at_end = at_end
        self.content = content


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"the number {text[:20]} is out of range")
    return value


#: Integers outside this range are refused (the 64-bit range orjson and every wallet handle).
MIN_INT, MAX_INT = -(2**63), 2**64 - 1


def too_deep(obj: Any, limit: int = MAX_DEPTH) -> bool:
    """Does ``obj`` nest lists/objects more than ``limit`` levels deep?  (Iterative: no recursion.)"""
    odd = oddity(obj, limit)
    return odd is not None and odd[0] == "deep"


def oddity(obj: Any, limit: int = MAX_DEPTH, *, integers: bool = True) -> tuple[str, str] | None:
    """``("deep", where)`` or ``("integer", where)`` for the first value no wallet writes, else None.

    Nesting deeper than ``limit``, or an integer beyond 64 bits, anywhere; ``where``
    is a path like ``accounts[0].note``.  ``integers=False`` skips the integer test
    (for a document orjson parsed: it yields no integer out of range).  Whether there
    is anything odd is found level by level (:func:`_any_oddity`: one type look-up per value); only
    then does the slow walk (:func:`_first_oddity`) say which value comes first.
    """
    if type(obj) is not dict and type(obj) is not list:
        return None
    if not _any_oddity(obj, limit, integers):
        return None
    return _first_oddity(obj, limit)


def _any_oddity(obj: dict[str, Any] | list[Any], limit: int, integers: bool, huge_floats: bool = False) -> bool:
    """Is any list/object nested more than ``limit`` deep, or (``integers``) any integer out of range,
    or (``huge_floats``) any float beyond the 64-bit integer range?

    Breadth first, one level at a time, exact types as in :func:`_first_oddity` (a dict or list subclass is
    a leaf, a bool is not an integer).  A plain loop with one type look-up per value: about twice as fast
    as chaining C iterators over each level (each of which passes over every value again).
    """
    level = [obj]
    depth = 1
    while level:
        deeper: list[Any] = []
        add = deeper.append
        for node in level:
            for value in node.values() if type(node) is dict else node:
                kind = type(value)
                if kind is str:
                    continue
                if kind is dict or kind is list:
                    add(value)
                elif kind is int:
                    if integers and (value < MIN_INT or value > MAX_INT):
                        return True
                # at the range's ends too: -2**63 - 1 read as a float rounds to -2**63
                elif kind is float and huge_floats and (value <= MIN_INT or value >= MAX_INT):
                    return True  # (wallets' files hold no floats at all)
        if deeper and depth >= limit:
            return True
        level = deeper
        depth += 1
    return False


_CONTAINERS = frozenset({dict, list})


def _first_oddity(obj: Any, limit: int) -> tuple[str, str] | None:
    """The first odd value in the walk's order, as :func:`oddity` reports it (a Python step per value)."""
    stack = [(obj, 1)]
    while stack:
        node, depth = stack.pop()
        for value in node.values() if type(node) is dict else node:
            kind = type(value)
            if kind is dict or kind is list:
                if depth >= limit:
                    return "deep", _path_to(obj, limit)
                stack.append((value, depth + 1))
            elif kind is int and not MIN_INT <= value <= MAX_INT:
                return "integer", _path_to(obj, limit)
    return None


def _path_to(obj: Any, limit: int) -> str:
    """The path of the first odd value (the slow walk, run once)."""
    stack: list[tuple[Any, int, str]] = [(obj, 1, "")]
    while stack:
        node, depth, path = stack.pop()
        items = node.items() if type(node) is dict else enumerate(node)
        for key, value in items:
            where = f"{path}.{key}" if type(node) is dict else f"{path}[{key}]"
            kind = type(value)
            if kind is dict or kind is list:
                if depth >= limit:
                    return where.lstrip(".")
                stack.append((value, depth + 1, where))
            elif kind is int and not MIN_INT <= value <= MAX_INT:
                return where.lstrip(".")
    return ""


def loads(data: bytes | str) -> Any:
    """Parse JSON text, keeping object key order; raise :class:`JSONError`."""
    try:
        with gc_paused():
            return orjson.loads(data)
    except orjson.JSONDecodeError:
        return _fallback_loads(data)


def loads_checked(data: bytes | str, limit: int = MAX_DEPTH) -> tuple[Any, tuple[str, str] | None]:
    """:func:`loads`, and the :func:`oddity` of what it parsed (the integer test only where it can find one)."""
    with gc_paused():  # the walk makes many small objects too, and the parse's would all be scanned
        try:
            obj = orjson.loads(data)
        except orjson.JSONDecodeError:
            obj = _fallback_loads(data)
            return obj, oddity(obj, limit)
        # orjson yields no integer beyond 64 bits: it reads such a literal as a float.  A float that large
        # (never in a wallet's file), or nesting too deep, sends the text to the standard library, which
        # reads integers exactly, so both parsers refuse the same files.
        if _any_oddity(obj, limit, integers=False, huge_floats=True) if type(obj) in _CONTAINERS else False:
            obj = _fallback_loads(data)
            return obj, oddity(obj, limit)
        return obj, None


#: A document holding more objects and lists than this is not parsed: each costs 60-160 bytes of memory held
#: for 3 bytes of text (``{},``), so a crafted 96 MiB file of them needs about 4 GB.  A real backup holds a few
#: per record (the largest measured files, 1.5 M tiny contacts at the size limit, about 1.5 M).
MAX_CONTAINERS = 2_000_000
_COUNT_CHUNK = 1 << 22


def containers(data: bytes | bytearray | memoryview | str) -> int:
    """An upper bound of the objects and lists JSON ``data`` holds: its ``{`` and ``[`` (also those inside
    strings, so JSON text inside fields counts too), counted in C without parsing it."""
    if isinstance(data, str):
        return data.count("{") + data.count("[")
    import numpy as np  # here, not at import: the command line's --help loads no numpy

    # A view of the bytes (no copy), a chunk at a time (a bounded temporary).  '[' is 0x5B and '{' 0x7B:
    # they, and no other byte, are 0x7B with bit 5 set, so one vectorised comparison counts both, about six
    # times faster than two bytes.count passes.
    octets = np.frombuffer(data, dtype=np.uint8)
    total = 0
    for start in range(0, len(octets), _COUNT_CHUNK):
        total += int(np.count_nonzero((octets[start : start + _COUNT_CHUNK] | 0x20) == 0x7B))
    return total


#: JSON text inside one field (a Desktop identity's identityObject, a credential's policy) holding more values
#: than this is not read: a wallet's holds a few hundred, and a crafted one (``[{},{},...]``: 3 bytes a value)
#: parses to about 25 times its size in memory.
MAX_TEXT_VALUES = 100_000


def text_values(text: str) -> int:
    """An upper bound of the values JSON ``text`` holds, counted in C without parsing it.

    Every value but the first follows a ``,`` or opens a list or object, so this is never below the
    true count (it counts such characters inside strings too).
    """
    return text.count(",") + text.count("[") + text.count("{") + 1


def too_many_values(text: str, max_values: int = MAX_TEXT_VALUES) -> bool:
    """Does JSON ``text`` hold more than ``max_values`` values by :func:`text_values`?  (Every value takes a
    character at least, so a shorter text is not counted.)"""
    return len(text) >= max_values and text_values(text) > max_values


def loads_text(text: str, *, max_values: int = MAX_TEXT_VALUES, limit: int = MAX_DEPTH) -> Any:
    """The content of a JSON-text field, read within bounds: :class:`JSONError` when it is not JSON, holds
    more than ``max_values`` values (checked before parsing: no memory spent on it), nests deeper than
    ``limit`` (so every walk over it is shallow) or holds an integer beyond 64 bits (``content`` True for
    these three: written so, not damaged)."""
    if too_many_values(text, max_values):
        raise JSONError(f"more than {max_values:,} values", None, False, content=True)
    obj, odd = loads_checked(text, limit)
    if odd is not None:
        what = f"nesting over {limit} levels" if odd[0] == "deep" else "an integer beyond 64 bits"
        raise JSONError(f"{what} at {odd[1][:80] or 'its top'}", None, False, content=True)
    return obj


def loads_texts(
    texts: Iterable[str], *, max_values: int = MAX_TEXT_VALUES, limit: int = MAX_DEPTH
) -> Iterator[tuple[str, Any, JSONError | None]]:
    """``(text, content, None)``, or ``(text, None, error)`` where :func:`loads_text` raises, for each text.

    The same reading as :func:`loads_text`, for the thousands of small texts a backup holds: texts are
    parsed in batches of at most ``max_values`` characters between them (at least as many as values: a
    batch holds no more memory than one text may), and the walk for nesting and huge numbers is made once
    over each batch, not once per text; only a batch in which it finds something is read again text by
    text, to say which and where.
    """
    batch: list[str] = []
    counted = 0
    for text in texts:
        if too_many_values(text, max_values):
            yield text, None, JSONError(f"more than {max_values:,} values", None, False, content=True)
            continue
        if counted + len(text) > max_values:
            yield from _loads_batch(batch, max_values, limit)
            batch, counted = [], 0
        batch.append(text)
        counted += len(text)
    yield from _loads_batch(batch, max_values, limit)


_REFUSED = object()  # orjson refused the text: the standard library reads it (or says why not)


def _loads_batch(texts: list[str], max_values: int, limit: int) -> Iterator[tuple[str, Any, JSONError | None]]:
    with gc_paused():
        objs: list[Any] = []
        for text in texts:
            try:
                objs.append(orjson.loads(text))
            except orjson.JSONDecodeError:
                objs.append(_REFUSED)
        # one walk over the batch: its list adds a level, so the limit is one deeper
        nodes = [o for o in objs if type(o) in _CONTAINERS]
        odd = bool(nodes) and _any_oddity(nodes, limit + 1, integers=False, huge_floats=True)
    for text, obj in zip(texts, objs, strict=True):
        if not odd and obj is not _REFUSED:
            yield text, obj, None
            continue
        try:
            yield text, loads_text(text, max_values=max_values, limit=limit), None
        except JSONError as exc:
            yield text, None, exc


def _fallback_loads(data: bytes | str) -> Any:
    """The standard library's parse of what orjson refused, each failure a :class:`JSONError`."""
    try:
        text = str(data, "utf-8") if isinstance(data, (bytes, bytearray, memoryview)) else data
        return _std_loads(text)
    except UnicodeDecodeError as exc:
        raise JSONError(
            f"not UTF-8 text at byte {exc.start}", exc.start, False, content=_few_bad_utf8(bytes(data))
        ) from None
    except json.JSONDecodeError as exc:
        at_end = exc.pos >= len(exc.doc.rstrip()) or exc.msg.startswith("Unterminated string")
        raise JSONError(exc.msg, exc.pos, at_end) from None
    except RecursionError:
        raise JSONError("nested too deeply", None, False, content=True) from None
    except ValueError as exc:  # NaN/Infinity, a number out of range, an integer of thousands of digits
        msg = "an integer has thousands of digits" if "integer string conversion" in str(exc) else str(exc)
        raise JSONError(msg, None, False, content=True) from None


def _std_loads(text: str) -> Any:
    return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)


def _few_bad_utf8(data: bytes) -> bool:
    """Valid JSON apart from a few invalid UTF-8 sequences (written so, not damaged)?"""
    text = data.decode("utf-8", "replace")
    if text.count("\ufffd") - data.count("\ufffd".encode()) > _FEW_BAD_UTF8:
        return False
    try:
        _std_loads(text)
    except (ValueError, RecursionError):
        return False
    return True


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
