"""ipywidgets forms over the toolkit: each a thin skin around one library function.

``display(OpenForm())`` in JupyterLab, Notebook 7 or Voilà.  Every form has a
``run()`` method (what its button calls) and exposes its result as attributes
(``form.backup``, ``form.tables``, ``form.changes``, ``form.findings``,
``form.result`` ...), so the next cell can use them.  Forms are imported
lazily: ``from toolkit.widgets import OpenForm`` loads only what it needs.

They need the ``notebook`` extra: without it, importing anything here raises
:class:`toolkit.errors.MissingExtraError` (code ``missing-extra``) naming the install command.
"""

from __future__ import annotations

import importlib
from typing import Any

from toolkit.extras import require

from .registry import FORMS as _REGISTRY

# Every form module imports these; checked here once, before any of them loads.
require("notebook", "ipywidgets")
require("notebook", "anywidget")

#: Form class -> the module that defines it (from the one list, :mod:`toolkit.widgets.registry`).
FORMS = {entry.cls: entry.module for entry in _REGISTRY}
#: Helpers for notebooks -> their module.
HELPERS = {
    "password_for": "passwords",
    "FileSource": "files",
    "Form": "form",
    "Downloads": "downloads",
    "Session": "session",
    "SESSION": "session",
    "support_desk": "desk",
    "Desk": "desk",
    "serve_page": "page",
    "PageMode": "page",
}
_NAMES = {**FORMS, **HELPERS}

__all__ = sorted(_NAMES)


def __getattr__(name: str) -> Any:
    module = _NAMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_NAMES))
