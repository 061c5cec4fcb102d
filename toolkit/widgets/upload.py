"""An upload button that refuses a file over the size limit in the browser, before any byte is sent.

ipywidgets' ``FileUpload`` reads every chosen file whole into the page and
sends it to the kernel in one websocket message: a file over the server's
``websocket_max_message_size`` makes the server drop the kernel's connection
and the page says nothing.  :class:`SizedUpload` (an ``anywidget``; its
front-end, ``upload.js``, ships with the package and loads from the server,
no network) checks ``file.size`` against :attr:`~SizedUpload.max_size` first:
a larger file is neither read nor sent, only its name and size arrive, in
:attr:`~SizedUpload.refused`.  Within the limit it is a ``FileUpload``: same
``value`` (name, type, size, content as a memoryview, last_modified),
``description``, ``accept``, ``multiple``, ``disabled``.

The kernel checks again (a front-end that skipped the check, or ``set_state``):
a value with an item over the limit is not taken, it becomes a refusal too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import anywidget
import traitlets as t
from ipywidgets.widgets.trait_types import TypedTuple

from toolkit.format.container import MAX_FILE_SIZE
from toolkit.textsafe import safe_text

from .esm import load_esm

_ESM = load_esm("upload.js")


def _item_from_json(js: dict[str, Any]) -> t.Bunch:
    item = t.Bunch({key: js.get(key) for key in ("name", "type", "size", "content")})
    item["last_modified"] = dt.datetime.fromtimestamp((js.get("last_modified") or 0) / 1000, tz=dt.UTC)
    return item


def _value_from_json(js: list[dict[str, Any]], _widget: Any) -> list[t.Bunch]:
    return [_item_from_json(entry) for entry in js]


def _value_to_json(value: tuple[dict[str, Any], ...], _widget: Any) -> list[dict[str, Any]]:
    out = []
    for item in value:
        js = {key: item.get(key) for key in ("name", "type", "size", "content")}
        modified = item.get("last_modified")
        js["last_modified"] = int(modified.timestamp() * 1000) if isinstance(modified, dt.datetime) else modified
        out.append(js)
    return out


def item_size(item: dict[str, Any]) -> int:
    """An uploaded item's size in bytes: its content's length (what arrived), else the size it claims."""
    content = item.get("content")
    if content is not None:
        return memoryview(content).nbytes
    return int(item.get("size") or 0)


class SizedUpload(anywidget.AnyWidget):  # type: ignore[misc]
    """A file upload button that never reads nor sends a file larger than ``max_size`` bytes.

    ``value`` is what ``ipywidgets.FileUpload`` gives; ``refused`` is ``{"name", "size"}``
    of the last file refused for its size (``{}`` after any other choice).
    """

    _esm = _ESM

    accept = t.Unicode("", help="File types offered, e.g. '.json,.txt'").tag(sync=True)
    multiple = t.Bool(False, help="Allow several files at once").tag(sync=True)
    disabled = t.Bool(False).tag(sync=True)
    icon = t.Unicode("upload", help="Font-awesome icon name, without 'fa-'").tag(sync=True)
    button_style = t.CaselessStrEnum(
        values=["primary", "success", "info", "warning", "danger", ""], default_value=""
    ).tag(sync=True)
    description = t.Unicode("Upload").tag(sync=True)
    max_size = t.Int(MAX_FILE_SIZE, help="Largest file taken, in bytes (0: no limit)").tag(sync=True)
    value = TypedTuple(t.Dict(), help="The chosen files, as FileUpload gives them").tag(
        sync=True, echo_update=False, from_json=_value_from_json, to_json=_value_to_json
    )
    refused = t.Dict(help="{'name', 'size'} of the last file refused for its size, or {}").tag(sync=True)
    error = t.Unicode("", help="Why the browser could not read the chosen file").tag(sync=True)

    @t.validate("refused")
    def _plain_refusal(self, proposal: t.Bunch) -> dict[str, Any]:
        """What the page says it refused, as ``{"name": str, "size": int}`` (or ``{}``), whatever it sent."""
        given = proposal["value"]
        if not given:
            return {}
        try:
            size = max(0, int(given.get("size") or 0))
        except (TypeError, ValueError, OverflowError):
            size = 0
        return {"name": str(given.get("name") or ""), "size": size}

    @t.validate("value")
    def _within_limit(self, proposal: t.Bunch) -> tuple[dict[str, Any], ...]:
        """Defence in depth: an item over ``max_size`` that arrived all the same is dropped, as a refusal."""
        value = tuple(proposal["value"])
        if self.max_size > 0:
            for item in value:
                size = item_size(item)
                if size > self.max_size:
                    self.refused = {"name": str(item.get("name") or ""), "size": size}
                    return ()
        if value:
            self.refused = {}
        return value

    def __repr__(self) -> str:
        names = ", ".join(safe_text(item.get("name")) for item in self.value)
        return f"<SizedUpload {safe_text(self.description)}: {names or 'nothing chosen'}>"
