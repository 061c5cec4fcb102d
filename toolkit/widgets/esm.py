"""The front-ends of the project's anywidgets (``upload.js``, ``download.js``), shipped with the package and
loaded from the server (no CDN), kept compact: every widget's state carries its module, and a saved notebook
holds it once per widget."""

from __future__ import annotations

from pathlib import Path


def compact_js(text: str) -> str:
    """An ES module without its comment lines, blank lines and indentation.  Only for our own modules, which
    hold no line starting with ``//`` inside a string and no multi-line strings."""
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


def load_esm(name: str) -> str:
    """The module ``name`` (beside this file), compact."""
    return compact_js(Path(__file__).with_name(name).read_text(encoding="utf-8"))
