"""Keyboard neighbours: which keys a finger hits instead of the one it meant.

Small tables of the four main rows of each layout, unshifted and shifted, as
the layouts' standards and their usual charts draw them:

- ``us``: ANSI US QWERTY (ANSI INCITS 154; https://en.wikipedia.org/wiki/QWERTY#US),
- ``uk``: ISO UK QWERTY (BS 4822; https://en.wikipedia.org/wiki/QWERTY#United_Kingdom),
- ``da``: Danish QWERTY (DS/ISO/IEC 9995 Danish; https://en.wikipedia.org/wiki/QWERTY#Danish),
- ``de``: German QWERTZ (DIN 2137-1:2012 T1; https://en.wikipedia.org/wiki/German_keyboard_layout).

Keys are one unit wide; a row starts ``offset`` units right of the digit row's
first key (the usual stagger: Tab row 1.5, Caps row 1.75, Shift row 2.25 with
ISO's extra key at 1.25).  Two keys are neighbours when they are next to each
other on a row, or on adjacent rows less than one key width apart.  A
neighbour is typed with the same Shift state as the meant key.  Dead keys
(accents that type nothing alone) are ``\\0`` and never offered.
"""

from __future__ import annotations

from functools import cache

#: layout: ((offset, unshifted row, shifted row), ...)
LAYOUTS: dict[str, tuple[tuple[float, str, str], ...]] = {
    "us": (
        (0.0, "`1234567890-=", "~!@#$%^&*()_+"),
        (1.5, "qwertyuiop[]\\", "QWERTYUIOP{}|"),
        (1.75, "asdfghjkl;'", 'ASDFGHJKL:"'),
        (2.25, "zxcvbnm,./", "ZXCVBNM<>?"),
    ),
    "uk": (
        (0.0, "`1234567890-=", '¬!"£$%^&*()_+'),
        (1.5, "qwertyuiop[]", "QWERTYUIOP{}"),
        (1.75, "asdfghjkl;'#", "ASDFGHJKL:@~"),
        (1.25, "\\zxcvbnm,./", "|ZXCVBNM<>?"),
    ),
    "da": (
        (0.0, "½1234567890+\0", '§!"#¤%&/()=?\0'),
        (1.5, "qwertyuiopå\0", "QWERTYUIOPÅ\0"),
        (1.75, "asdfghjklæø'", "ASDFGHJKLÆØ*"),
        (1.25, "<zxcvbnm,.-", ">ZXCVBNM;:_"),
    ),
    "de": (
        (0.0, "\x001234567890ß\0", '°!"§$%&/()=?\0'),
        (1.5, "qwertzuiopü+", "QWERTZUIOPÜ*"),
        (1.75, "asdfghjklöä#", "ASDFGHJKLÖÄ'"),
        (1.25, "<yxcvbnm,.-", ">YXCVBNM;:_"),
    ),
}
KEYBOARDS: tuple[str, ...] = tuple(LAYOUTS)
DEFAULT_KEYBOARD = "us"


@cache
def neighbour_table(layout: str) -> dict[str, str]:
    """Character → the characters of its neighbouring keys (left, right, row above, row below)."""
    rows = LAYOUTS[layout]
    table: dict[str, str] = {}
    for layer in (1, 2):
        for r, (offset, *_keys) in enumerate(rows):
            keys = rows[r][layer]
            for i, ch in enumerate(keys):
                if ch == "\0":
                    continue
                near: list[str] = []
                for j in (i - 1, i + 1):
                    if 0 <= j < len(keys):
                        near.append(keys[j])
                x = offset + i
                for rr in (r - 1, r + 1):
                    if 0 <= rr < len(rows):
                        other_offset, other = rows[rr][0], rows[rr][layer]
                        near.extend(c for j, c in enumerate(other) if abs(other_offset + j - x) < 1)
                table.setdefault(ch, "".join(dict.fromkeys(c for c in near if c != "\0" and c != ch)))
    return table


def neighbours(ch: str, layout: str = DEFAULT_KEYBOARD) -> str:
    """The characters next to ``ch`` on ``layout`` ("" for a character not on it)."""
    return neighbour_table(layout).get(ch, "")
