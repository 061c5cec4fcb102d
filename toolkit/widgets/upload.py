"""An upload button that refuses a file over the size limit in the browser, before any byte is sent, and shows
how much of a file has arrived while it is sent.

ipywidgets' ``FileUpload`` reads every chosen file whole into the page and
sends it to the kernel in one websocket message: the button says nothing until
the last byte is there (a 40 MB backup: "Upload backup (0)" for 4.5 s), and a
file over the server's ``websocket_max_message_size`` makes the server drop the
kernel's connection and the page says nothing.  :class:`SizedUpload` (an
``anywidget``; its front-end, ``upload.js``, ships with the package and loads
from the server, no network) checks ``file.size`` against
:attr:`~SizedUpload.max_size` first: a larger file is neither read nor sent,
only its name and size arrive, in :attr:`~SizedUpload.refused`.  A file within
the limit travels as :data:`CHUNK`-byte binary messages over the widget's comm
(as :mod:`toolkit.widgets.downloads` sends files the other way), each answered
with how much the kernel holds, which the page shows beside the button at once
and while it goes.  Once every byte is there it is a ``FileUpload``: same
``value`` (name, type, size, content as a memoryview, last_modified),
``description``, ``accept``, ``multiple``, ``disabled``.  The content stays in
the kernel: the page gets back the names and sizes only, so a saved notebook
holds no uploaded file.

The page is not trusted: the kernel takes a file only as announced (no more
files than allowed, each within ``max_size``, chunks in order, none larger than
:data:`CHUNK`, no byte past the announced size) and drops an upload that breaks
a rule; a ``value`` set from the page with an item over the limit is not taken
either, it becomes a refusal.  A file's name is kept as text, never used as a
path.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import anywidget
import traitlets as t
from ipywidgets.widgets.trait_types import TypedTuple

from toolkit.format.container import MAX_FILE_SIZE
from toolkit.textsafe import safe_text

from .esm import load_esm

log = logging.getLogger("toolkit.widgets")

_ESM = load_esm("upload.js")
#: Largest chunk of a file the kernel takes in one comm message (upload.js sends this much at a time).
CHUNK = 1024 * 1024
#: Most files one upload may announce (a ``multiple`` button).
MAX_FILES = 16
#: Longest file name kept (a name is only ever shown, as text).
MAX_NAME = 255


def _item_from_json(js: dict[str, Any]) -> t.Bunch:
    item = t.Bunch({key: js.get(key) for key in ("name", "type", "size", "content")})
    item["last_modified"] = dt.datetime.fromtimestamp((js.get("last_modified") or 0) / 1000, tz=dt.UTC)
    return item


def _value_from_json(js: list[dict[str, Any]], _widget: Any) -> list[t.Bunch]:
    return [_item_from_json(entry) for entry in js]


def _value_to_json(value: tuple[dict[str, Any], ...], _widget: Any) -> list[dict[str, Any]]:
    """What the page gets of the chosen files: names, types, sizes, never their content (it stays in the kernel)."""
    out = []
    for item in value:
        js: dict[str, Any] = {key: item.get(key) for key in ("name", "type")}
        js["size"] = item_size(item)
        modified = item.get("last_modified")
        js["last_modified"] = int(modified.timestamp() * 1000) if isinstance(modified, dt.datetime) else modified
        out.append(js)
    return out


@dataclass
class _Incoming:
    """An upload under way: the files the page announced and the bytes that arrived of each."""

    ident: str
    files: list[dict[str, Any]]
    parts: list[bytearray]
    started: float = field(default_factory=time.monotonic)

    @property
    def size(self) -> int:
        return sum(f["size"] for f in self.files)

    @property
    def received(self) -> int:
        return sum(len(part) for part in self.parts)

    @property
    def complete(self) -> bool:
        return all(len(part) == f["size"] for part, f in zip(self.parts, self.files, strict=True))


def _announced(given: Any) -> dict[str, Any] | None:
    """One announced file as ``{"name", "type", "size", "last_modified"}`` of plain values, or None if it is not one."""
    if not isinstance(given, dict):
        return None
    size, modified = given.get("size"), given.get("last_modified")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return None
    if not isinstance(modified, int | float) or isinstance(modified, bool) or not 0 <= modified < 2**53:
        modified = 0
    name = given.get("name")
    kind = given.get("type")
    return {
        "name": (name if isinstance(name, str) else "")[:MAX_NAME],
        "type": (kind if isinstance(kind, str) else "")[:MAX_NAME],
        "size": size,
        "last_modified": modified,
    }


def item_size(item: dict[str, Any]) -> int:
    """An uploaded item's size in bytes: its content's length (what arrived), else the size it claims."""
    content = item.get("content")
    if content is not None:
        return memoryview(content).nbytes
    try:
        return max(0, int(item.get("size") or 0))
    except (TypeError, ValueError, OverflowError):
        return 0


def _holds_bytes(item: dict[str, Any]) -> bool:
    try:
        memoryview(item.get("content"))  # type: ignore[arg-type]
    except TypeError:
        return False
    return True


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

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._incoming: _Incoming | None = None
        self.on_msg(self._on_msg)

    # ------------------------------------------------------------------ the chunked upload (upload.js)
    @property
    def receiving(self) -> dict[str, Any] | None:
        """The upload under way as ``{"name", "received", "size"}`` (bytes), or None."""
        incoming = self._incoming
        if incoming is None:
            return None
        name = incoming.files[0]["name"] if len(incoming.files) == 1 else f"{len(incoming.files)} files"
        return {"name": name, "received": incoming.received, "size": incoming.size}

    def clear(self) -> None:
        """Let the chosen file go: no value, no refusal, and an upload under way stops (the page is told)."""
        self._stop("cancelled")
        if self.value:
            self.value = ()
        self.refused = {}

    def _stop(self, event: str, message: str = "") -> None:
        incoming, self._incoming = self._incoming, None
        if incoming is not None:
            self._tell(incoming.ident, event, **({"message": message} if message else {}))

    def _tell(self, ident: str, event: str, **more: Any) -> None:
        try:
            self.send({"event": event, "id": ident, **more})
        except Exception:  # the page is gone
            log.debug("upload: the page did not take %s", event)

    def _on_msg(self, _widget: Any, content: Any, buffers: Any) -> None:
        """``begin`` (the files announced), ``chunk`` (bytes of one, in order), ``cancel``; anything else is ignored."""
        if not isinstance(content, dict):
            return
        ident, event = content.get("id"), content.get("event")
        if not isinstance(ident, str) or not ident or len(ident) > 64:
            return
        if event == "begin":
            self._begin(ident, content.get("files"))
        elif event == "chunk":
            self._chunk(ident, content, buffers or [])
        elif event == "cancel" and self._incoming is not None and self._incoming.ident == ident:
            self._incoming = None

    def _begin(self, ident: str, given: Any) -> None:
        self._incoming = None  # a new choice replaces one under way, and the file chosen before
        if self.value:
            self.value = ()
        limit = MAX_FILES if self.multiple else 1
        files = [_announced(f) for f in given] if isinstance(given, list) and 0 < len(given) <= limit else []
        if not files or None in files:
            self._tell(ident, "error", message="The page announced no file this button takes; choose it again.")
            return
        total = sum(f["size"] for f in files)  # type: ignore[index]
        big = next((f for f in files if self.max_size > 0 and f["size"] > self.max_size), None)  # type: ignore[index]
        if big is None and self.max_size > 0 and total > self.max_size:
            big = {"name": f"{len(files)} files", "size": total}
        if big is not None:  # upload.js refuses it before sending; a page that did not is refused here
            self.refused = {"name": big["name"], "size": big["size"]}
            self._tell(ident, "error", message=f"Not uploaded: more than {self.max_size:,} bytes.")
            return
        self.refused = {}
        self.error = ""
        self._incoming = _Incoming(ident, files, [bytearray() for _ in files])  # type: ignore[arg-type]
        self._answer()

    def _chunk(self, ident: str, content: dict[str, Any], buffers: list[Any]) -> None:
        incoming = self._incoming
        if incoming is None or incoming.ident != ident:
            return  # an upload that was replaced or stopped: its late chunks are dropped
        index, offset = content.get("index"), content.get("offset")
        try:
            data = memoryview(buffers[0]).cast("B") if len(buffers) == 1 else None
        except (TypeError, ValueError):
            data = None
        ok = (
            data is not None
            and isinstance(index, int)
            and isinstance(offset, int)
            and 0 <= index < len(incoming.files)
            and all(len(p) == f["size"] for p, f in zip(incoming.parts[:index], incoming.files, strict=False))
            and offset == len(incoming.parts[index])
            and 0 < data.nbytes <= CHUNK
            and offset + data.nbytes <= incoming.files[index]["size"]
        )
        if not ok:
            self._stop("error", "The upload broke off (its pieces did not fit together); choose the file again.")
            return
        incoming.parts[index] += data  # type: ignore[operator]
        self._answer()

    def _answer(self) -> None:
        """Tell the page how much arrived; once all of it has, the files become the value."""
        incoming = self._incoming
        if incoming is None:
            return
        self._tell(incoming.ident, "progress", received=incoming.received)
        if not incoming.complete:
            return
        self._incoming = None
        items = []
        for f, part in zip(incoming.files, incoming.parts, strict=True):
            item = _item_from_json({**f, "content": memoryview(bytes(part))})
            items.append(item)
            part.clear()
        log.debug("upload: %d bytes in %.2f s", incoming.size, time.monotonic() - incoming.started)
        self.value = tuple(items)
        self._tell(incoming.ident, "done", size=incoming.size)

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
        if not all(_holds_bytes(item) for item in value):  # names without their bytes (a page's say-so): no file
            return ()
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
