"""What a desk page does when it goes: ask first while a job runs; then its kernel is shut down.

:class:`PageGuard` is an invisible ``anywidget`` (front-end ``leaving.js``, shipped with the package) that the
support desk puts on its page.  While any form of the page works (:attr:`PageGuard.busy`), closing or
reloading the page asks first (the browser's "Leave site?"); an idle page goes without asking.  In a page
served by Voilà (page mode), the page shuts its kernel down once it really goes, so the kernel, the decrypted
backups it holds and a running password search (its worker processes die with it,
:mod:`toolkit.ops.recovery.engines`) go within seconds.  A page that never says goodbye (a crashed browser)
leaves an idle kernel to the server's culling (``concordium-backup desk --idle-minutes``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import anywidget
import traitlets as t

from .esm import load_esm

_ESM = load_esm("leaving.js")


class PageGuard(anywidget.AnyWidget):  # type: ignore[misc]
    """Asks before the page is left while ``busy``; in a served page (``served``), shuts the kernel down when
    the page goes.  :meth:`watch` keeps ``busy`` true while any of the given forms works."""

    _esm = _ESM

    busy = t.Bool(False, help="A job of the page runs: leaving asks first").tag(sync=True)
    served = t.Bool(False, help="A page served to others (Voilà): its kernel goes with it").tag(sync=True)

    def __init__(self, *, served: bool = False, **kwargs: Any) -> None:
        super().__init__(served=served, **kwargs)
        self._forms: list[Any] = []

    def watch(self, forms: Iterable[Any]) -> None:
        """Follow ``forms`` (each with ``busy``, ``button`` and ``status``): ``busy`` while any of them works.

        A form's button is disabled while its job runs and enabled after, and its status line changes at both
        ends, so those changes are when ``busy`` is looked at again."""
        for form in forms:
            self._forms.append(form)
            form.button.observe(self._update, names="disabled")
            form.status.observe(self._update, names="value")
        self._update()

    def _update(self, _change: Any = None) -> None:
        self.busy = any(form.busy for form in self._forms)

    def __repr__(self) -> str:
        return f"<PageGuard: {'a job runs' if self.busy else 'idle'}>"
