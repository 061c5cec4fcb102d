"""Downloads travel only when clicked: the Downloads widget's comm protocol, driven as the page drives it
(a ``request`` message), with the messages the kernel sends captured; nothing of a file in the widget's state."""

from __future__ import annotations

import json
import threading
import time

import pandas as pd
import pytest

from toolkit import errors
from toolkit.widgets.downloads import CHUNK, DownloadBar, Downloads, file_name, named_after, stem_of


def fetch(downloads: Downloads, key: str, ident: str = "view:1", timeout: float = 30.0) -> tuple[list[dict], bytes]:
    """Click ``key`` as the page does; the kernel's messages and the bytes they carried (chunks joined)."""
    sent: list[tuple[dict, list]] = []
    done = threading.Event()

    def capture(content: dict, buffers: list | None = None) -> None:
        sent.append((content, [bytes(b) for b in buffers or []]))
        if content.get("event") in ("end", "error"):
            done.set()

    downloads.send = capture  # type: ignore[method-assign]
    downloads._on_msg(downloads, {"event": "request", "key": key, "id": ident}, [])
    assert done.wait(timeout), "no end of the download"
    return [c for c, _ in sent], b"".join(b"".join(bufs) for _, bufs in sent)


def test_a_file_is_sent_in_chunks_only_when_asked_and_never_kept_in_the_state() -> None:
    data = bytes(range(256)) * (CHUNK // 256 * 2 + 10)  # a bit over two chunks
    made: list[int] = []
    w = Downloads()
    w.offer("bin", "Download it", "../../etc/x y.bin", lambda: made.append(1) or data, note="test")
    assert made == []  # not made before the click
    state = json.dumps(w.get_state(), default=str)
    assert len(state) < len(w._esm) + 2_000
    messages, got = fetch(w, "bin")
    assert got == data and made == [1]
    events = [m["event"] for m in messages]
    assert events == ["start", "chunk", "chunk", "chunk", "end"]
    assert {m["filename"] for m in messages} == {"x-y.bin"}  # a plain name, no folders
    assert messages[0]["size"] == len(data) and messages[-1]["note"] == "test"
    fetch(w, "bin", "view:2")
    assert made == [1]  # made once
    assert "x-y.bin" in json.dumps(w.get_state(), default=str)
    assert str(data[:64]) not in json.dumps(w.get_state(), default=str)


def test_crafted_requests_are_ignored_and_errors_are_words() -> None:
    w = Downloads()
    sent: list = []
    w.send = lambda content, buffers=None: sent.append(content)  # type: ignore[method-assign]
    for crafted in ({"event": "request", "key": "nope", "id": "a"}, {"event": "other"}, "x", {"event": "request"}):
        w._on_msg(w, crafted, [])
    time.sleep(0.2)
    assert sent == []

    def broken() -> bytes:
        raise errors.InvalidArgumentError("No backup to write yet")

    w.offer("x", "X", "x.bin", broken)
    messages, _ = fetch(w, "x")
    assert messages[-1]["event"] == "error" and "No backup to write yet" in messages[-1]["message"]
    assert "invalid-argument" in messages[-1]["message"]


def test_names_after_the_backup() -> None:
    assert stem_of("/x/desktop-large.json") == "desktop-large"
    assert stem_of("#2 wallet-export-bitrot.json (salvaged, damage in 2 places)") == "wallet-export-bitrot"
    assert named_after("desktop-large", "accounts.csv") == "desktop-large-accounts.csv"
    assert named_after("", "accounts.csv") == "accounts.csv"
    assert file_name("a\u202eb<c>.csv") == "a-b-c-.csv"


def test_a_table_bar_makes_its_file_when_clicked() -> None:
    frame = pd.DataFrame({"name": ["=1+1", "ok"]})
    bar = DownloadBar(frame, "accounts", stem="wallet-export")
    assert bar.filename("csv") == "wallet-export-accounts.csv"
    messages, got = fetch(bar.downloads, "csv")
    assert got == bar.prepare("csv") and b"'=1+1" in got


@pytest.mark.parametrize("key", ["csv", "xlsx"])
def test_bar_offers_both_formats(key: str) -> None:
    bar = DownloadBar(pd.DataFrame({"a": [1]}), "t")
    assert bar.filename(key) == f"t.{key}"


def test_one_download_widget_follows_the_table_shown() -> None:
    from toolkit.widgets.tables import tables_tab

    tables = {"accounts": pd.DataFrame({"a": [1, 2]}), "identities": pd.DataFrame({"b": [3]})}
    tab = tables_tab(tables, selected="identities", stem="wallet-export")
    assert all(child.children[1] is tab.downloads for child in tab.children)  # one model, a view per tab
    assert [o["filename"] for o in tab.downloads.offers] == [
        "wallet-export-identities.csv",
        "wallet-export-identities.xlsx",
    ]
    tab.selected_index = 0
    assert tab.downloads.offers[0]["note"] == "2 rows"
    _, got = fetch(tab.downloads, "csv")
    assert got.decode("utf-8-sig").splitlines() == ["a", "1", "2"]


def test_the_front_end_ships_compact() -> None:
    from toolkit.widgets.downloads import _ESM

    assert "export default" in _ESM and "\n//" not in _ESM and len(_ESM) < 4_000


def test_a_click_is_answered_while_another_file_is_being_made() -> None:
    """The kernel's comm handler never waits for a slow file (it would freeze the page)."""
    release = threading.Event()
    w = Downloads()
    w.send = lambda content, buffers=None: None  # type: ignore[method-assign]
    w.offer("slow", "Slow", "slow.bin", lambda: release.wait(10) and b"x")
    w.offer("fast", "Fast", "fast.bin", b"y")
    w._on_msg(w, {"event": "request", "key": "slow", "id": "v:1"}, [])
    time.sleep(0.2)
    started = time.monotonic()
    w._on_msg(w, {"event": "request", "key": "fast", "id": "v:2"}, [])
    assert time.monotonic() - started < 0.5
    release.set()
