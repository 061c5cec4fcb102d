"""A DataFrame as a plain-text table that fits the terminal: safe cells, left-aligned text, no NaN.

Every cell goes through :func:`toolkit.textsafe.display_value` *before* it is
measured or cut, so a cut can never leave an escape sequence (an OSC 8 link)
open.  Missing values are empty.  Columns are narrowed (long cells end in
``…``) until the table fits ``width`` (``COLUMNS``, else the terminal's
width); when the columns do not fit at a readable width, they are printed
in blocks, each starting with the first column again (the row's name).
"""

from __future__ import annotations

import shutil

import pandas as pd
import wcwidth

from toolkit.textsafe import cut, display_value, safe_text, text_width

#: No column is wider than this (long keys and amounts are cut; the CSV/JSON keep them whole).
MAX_COLUMN = 52
#: Narrowing stops here.
MIN_COLUMN = 8
#: Columns are split into blocks rather than narrowed below this.
COMFORTABLE = 14
GAP = "  "


def terminal_width() -> int:
    """``COLUMNS`` if set, else the terminal's width, else 120 (output to a file or pipe)."""
    return max(shutil.get_terminal_size(fallback=(120, 24)).columns, 20)


def wrap(text: str, width: int, indent: int = 10) -> str:
    """Lines wider than ``width`` terminal cells wrapped (by :func:`wcwidth.wrap`), each continuation
    indented ``indent`` more than its line; lines that fit are left exactly as they are.

    Wrap only already-safe text (:func:`toolkit.textsafe.safe_text`): escaping after wrapping would widen it.
    """
    out = []
    for line in text.split("\n"):
        if text_width(line) <= width:
            out.append(line)
            continue
        lead = line[: len(line) - len(line.lstrip(" "))]
        hang = lead + " " * indent if len(lead) + indent < width // 2 else lead
        out.extend(wcwidth.wrap(line, width, initial_indent="", subsequent_indent=hang, drop_whitespace=True) or [""])
    return "\n".join(out)


def _fit(natural: list[int], width: int) -> list[int]:
    widths = list(natural)
    floor = [min(n, MIN_COLUMN) for n in natural]
    excess = sum(widths) + len(GAP) * (len(widths) - 1) - width
    while excess > 0:
        i = max(range(len(widths)), key=lambda k: widths[k] - floor[k])
        if widths[i] <= floor[i]:
            break
        step = min(excess, widths[i] - floor[i], max(1, (widths[i] - floor[i]) // 2))
        widths[i] -= step
        excess -= step
    return widths


def _blocks(natural: list[int], width: int) -> list[list[int]]:
    """Column index groups that each fit ``width`` with their columns at a readable width
    (:data:`COMFORTABLE`); every group after the first repeats column 0, so its rows stay named."""
    comfy = [min(n, COMFORTABLE) for n in natural]
    blocks: list[list[int]] = [[0]]
    used = comfy[0]
    for i in range(1, len(natural)):
        if used + len(GAP) + comfy[i] > width and len(blocks[-1]) > 1:
            blocks.append([0])
            used = comfy[0]
        blocks[-1].append(i)
        used += len(GAP) + comfy[i]
    return blocks


def render_frame(frame: pd.DataFrame, width: int | None = None) -> str:
    """``frame`` (no index) as lines of at most ``width`` terminal cells."""
    width = width or terminal_width()
    headers = [safe_text(c) for c in frame.columns]
    columns = [[display_value(v) for v in frame.iloc[:, i].tolist()] for i in range(frame.shape[1])]
    numeric = [
        pd.api.types.is_numeric_dtype(frame.iloc[:, i].dtype) and not pd.api.types.is_bool_dtype(frame.iloc[:, i].dtype)
        for i in range(frame.shape[1])
    ]
    natural = [
        min(max([text_width(h)] + [text_width(v) for v in col]), MAX_COLUMN)
        for h, col in zip(headers, columns, strict=True)
    ]
    out: list[str] = []
    for block in _blocks(natural, width):
        widths = _fit([natural[i] for i in block], width)
        if out:
            out.append("")

        def line(cells: list[str], block: list[int] = block, widths: list[int] = widths) -> str:
            parts = []
            for i, w, text in zip(block, widths, cells, strict=True):
                used = text_width(text)
                if used > w:
                    text = cut(text, w)
                    used = text_width(text)
                pad = " " * (w - used)
                parts.append(pad + text if numeric[i] else text + pad)
            return GAP.join(parts).rstrip()

        out.append(line([headers[i] for i in block]))
        out.extend(line([columns[i][r] for i in block]) for r in range(len(frame)))
    return "\n".join(out)
