"""Text from a backup made safe to show: nothing it holds can drive a terminal or reorder a line.

A backup's names, notes and addresses are whatever its author typed — or
crafted: ``ESC[2J`` clears a screen, ``OSC 0`` retitles a window, ``OSC 8``
turns the rest of the output into a link, ``\\r`` overwrites a line, U+202E
shows ``exe.txt`` as ``txt.exe``.  :func:`safe_text` is the one function every
human-readable output goes through (CLI text, widgets' text and HTML): control
characters (C0, DEL, C1), bidi overrides/isolates/marks and other invisible
format characters, line/paragraph separators and lone surrogates are shown
visibly escaped (``\\x1b``, ``\\u202e``, ``\\ud800``), never emitted.  The
zero-width joiner/non-joiner stay (scripts and emoji need them).

Machine outputs keep exact values: ``--json`` (JSON escapes them itself; a
lone surrogate is written as its ``\\udXXX`` escape) and, with the raw
option, CSV.
"""

from __future__ import annotations

import math
import re
from typing import Any

import wcwidth

#: Every character :func:`safe_text` escapes (Unicode categories Cc, Cf, Cs, Zl, Zp, less ZWNJ/ZWJ).
UNSAFE = re.compile(
    "["
    "\x00-\x1f\x7f-\x9f\xad"
    "\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f"
    "\ud800-\udfff\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
    "]"
)
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    cp = ord(ch)
    if cp < 0x100:
        return f"\\x{cp:02x}"
    return f"\\u{cp:04x}" if cp < 0x10000 else f"\\U{cp:08x}"


def safe_text(value: Any, *, newlines: bool = False) -> str:
    """``value`` as text with every control/bidi/format character and lone surrogate visibly escaped.

    ``newlines=True`` keeps ``\\n`` (for a whole rendered output of several lines);
    by default a value is one line and its ``\\n`` is escaped too.
    """
    text = value if isinstance(value, str) else str(value)
    if newlines:
        return "\n".join(UNSAFE.sub(_escape, line) for line in text.split("\n"))
    return UNSAFE.sub(_escape, text)


def is_missing(value: Any) -> bool:
    """None, NaN, NaT or pandas' NA: a value a table shows as empty."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, (str, bytes, list, tuple, dict, set, int)):
        return False
    try:
        import pandas as pd

        return value is pd.NA or value is pd.NaT or bool(pd.isna(value))
    except (TypeError, ValueError):  # list-likes: not missing
        return False


def display_value(value: Any, *, missing: str = "") -> str:
    """One table cell as safe one-line text: missing values as ``missing`` (never "NaN", "None", "<NA>")."""
    if is_missing(value):
        return missing
    return safe_text(value)


def text_width(text: str) -> int:
    """Terminal cells ``text`` takes, as :mod:`wcwidth` measures them: wide (East Asian) characters and
    emoji 2, combining marks and joiners 0, a grapheme cluster (a family emoji, a flag) as one character."""
    if text.isascii():
        return len(text)
    width = wcwidth.wcswidth(text)
    return width if width >= 0 else wcwidth.width(text, control_codes="ignore")


def cut(text: str, width: int, ellipsis: str = "…") -> str:
    """``text`` cut to at most ``width`` terminal cells, ending in ``ellipsis`` when cut.

    A cut falls between grapheme clusters (never inside an emoji sequence or after a base
    character without its accents).  Cut only already-safe text (:func:`safe_text`): an
    escape sequence cut in half cannot then exist.
    """
    if text_width(text) <= width:
        return text
    tail = ellipsis if width >= text_width(ellipsis) else ""
    room = max(width - text_width(tail), 0)
    if text.isascii():
        return text[:room] + tail
    out, used = [], 0
    for grapheme in wcwidth.iter_graphemes(text):
        w = text_width(grapheme)
        if used + w > room:
            break
        out.append(grapheme)
        used += w
    return "".join(out) + tail


def escape_surrogates(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings (keys too, nested) written as ``\\udXXX``.

    For outputs that must be valid UTF-8 but otherwise exact (JSON, CSV raw).
    """
    if isinstance(value, str):
        return _SURROGATE.sub(_escape, value) if _SURROGATE.search(value) else value
    if not isinstance(value, (dict, list, tuple)):
        return value
    # Nested lists and objects with a stack of our own: no nesting depth ends in a RecursionError.
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]  # (source, container to fill, key or index)
    while stack:
        src, dest, slot = stack.pop()
        if isinstance(src, str):
            dest[slot] = _SURROGATE.sub(_escape, src) if _SURROGATE.search(src) else src
        elif isinstance(src, dict):
            out: dict[Any, Any] = {}
            dest[slot] = out
            keys = [escape_surrogates(k) for k in src]  # keys are strings (or scalars): no nesting
            for k in keys:
                out[k] = None  # the keys' order first; values filled in below
            stack.extend((v, out, k) for k, v in zip(keys, src.values(), strict=True))
        elif isinstance(src, (list, tuple)):
            items: list[Any] = [None] * len(src)
            dest[slot] = items
            stack.extend((v, items, i) for i, v in enumerate(src))
        else:
            dest[slot] = src
    return root[0]


_SURROGATE = re.compile("[\ud800-\udfff]")


_JSON_UNSAFE = re.compile(UNSAFE.pattern.replace("\x00-\x1f", ""))


def _json_escape(match: re.Match[str]) -> str:
    cp = ord(match.group())
    if cp < 0x10000:
        return f"\\u{cp:04x}"
    cp -= 0x10000
    return f"\\u{0xD800 + (cp >> 10):04x}\\u{0xDC00 + (cp & 0x3FF):04x}"


def json_safe(text: str) -> str:
    """JSON text (as ``json.dumps(..., ensure_ascii=False)`` writes it) with every character
    :func:`safe_text` would escape written as a JSON ``\\uXXXX`` escape instead.

    The parsed values are unchanged (exact), lone surrogates included; the text is valid
    UTF-8 and nothing in it drives a terminal.
    """
    return _JSON_UNSAFE.sub(_json_escape, text)
