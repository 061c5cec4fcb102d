"""The kernel's side of a chunked upload (:class:`toolkit.widgets.upload.SizedUpload`, issue 20 item 4): what the
page's ``upload.js`` sends — ``begin``, ``chunk`` with its bytes, ``cancel`` — is given to the widget as a comm
message, as Jupyter delivers it, and what the kernel answers is what the page would get.

The page is hostile: chunks out of order, larger than announced or than a chunk may be, more files than the
button takes, names that are not text, bytes past the limit — none of it becomes a file, and nothing of a
file travels back to the page.  The browser side (a 40 MB upload showing its progress) is in
tests/skins/test_browser_upload_progress.py.
"""

from __future__ import annotations

import pytest

from tests.conftest import DESKTOP, sample_password
from toolkit.format.container import MAX_FILE_SIZE
from toolkit.widgets import OpenForm
from toolkit.widgets.files import FileSource
from toolkit.widgets.session import Session
from toolkit.widgets.upload import CHUNK, SizedUpload


class Page:
    """One page's view of an upload widget: sends what upload.js sends, keeps what the kernel answers."""

    def __init__(self, upload: SizedUpload) -> None:
        self.upload = upload
        self.got: list[tuple[dict, list]] = []
        upload.comm.send = lambda data=None, buffers=None, **_: self.got.append((data, list(buffers or [])))

    def message(self, content: object, buffers: list[bytes] = ()) -> None:
        msg = {
            "content": {"data": {"method": "custom", "content": content}},
            "buffers": [memoryview(b) for b in buffers],
        }
        self.upload._handle_msg(msg)

    def begin(self, ident: str, *files: tuple[str, int]) -> None:
        announced = [{"name": n, "type": "", "size": s, "last_modified": 1_700_000_000_000} for n, s in files]
        self.message({"event": "begin", "id": ident, "files": announced})

    def chunk(self, ident: str, data: bytes, *, offset: int, index: int = 0) -> None:
        self.message({"event": "chunk", "id": ident, "index": index, "offset": offset}, [data])

    def send_file(self, ident: str, data: bytes, *, index: int = 0, size: int = CHUNK) -> None:
        for start in range(0, len(data), size):
            self.chunk(ident, data[start : start + size], offset=start, index=index)

    def answers(self, event: str | None = None) -> list[dict]:
        """The custom messages the kernel sent (of one kind)."""
        out = [d["content"] for d, _ in self.got if d.get("method") == "custom"]
        return [m for m in out if event is None or m["event"] == event]


def test_chunks_in_order_become_the_value_the_page_told_each_step_and_no_byte_goes_back() -> None:
    source = FileSource()
    page = Page(source.upload)
    data = DESKTOP.read_bytes() * 300  # a few MB: several chunks
    assert len(data) > 3 * CHUNK
    page.begin("v:1", ("wallet-export.json", len(data)))
    assert source.upload.receiving == {"name": "wallet-export.json", "received": 0, "size": len(data)}
    assert page.answers("progress") == [{"event": "progress", "id": "v:1", "received": 0}]  # at once
    page.send_file("v:1", data)

    steps = [m["received"] for m in page.answers("progress")]
    assert steps == [0, *range(CHUNK, len(data), CHUNK), len(data)]  # after every chunk: what the kernel holds
    assert page.answers("done") == [{"event": "done", "id": "v:1", "size": len(data)}]
    (item,) = source.upload.value
    assert bytes(item["content"]) == data and item["name"] == "wallet-export.json" and item["size"] == len(data)
    assert item["last_modified"].year == 2023
    assert source.upload.receiving is None and source.chosen == "wallet-export.json"
    assert source.read() == (data, "wallet-export.json")
    assert source.upload.description == "wallet-export.json ✓"
    assert all(not buffers for _, buffers in page.got)  # nothing of the file went back to the page
    states = [d["state"] for d, _ in page.got if d.get("method") == "update" and "value" in d["state"]]
    assert states and all("content" not in entry for state in states for entry in state["value"])


def test_a_backup_uploaded_in_chunks_opens_in_the_form_and_joins_the_page_list() -> None:
    form = OpenForm(session=Session())  # the page's own list (not the kernel's, which other tests filled)
    page = Page(form.file.upload)
    data = DESKTOP.read_bytes()
    page.begin("v:1", ("wallet-export.json", len(data)))
    page.send_file("v:1", data, size=1000)
    form.password.value = sample_password(DESKTOP)
    form.run()
    assert form.error is None and len(form.backup.records("accounts")) == 12
    assert [e.label for e in form.session.entries] == ["#1 wallet-export.json (opened)"]


@pytest.mark.parametrize(
    "bad",
    [
        {"offset": 10},  # a gap
        {"offset": 0, "index": 1},  # a file that was not announced
        {"offset": 0, "data": b""},  # an empty chunk
        {"offset": 0, "data": b"x" * (CHUNK + 1)},  # larger than a chunk may be
        {"offset": 0, "data": b"x" * 101},  # past the announced size
        {"offset": "0"},  # not a number
        {"offset": 0, "buffers": 2},  # two buffers
        {"offset": 0, "buffers": 0},  # none
    ],
)
def test_a_chunk_that_does_not_fit_drops_the_upload_and_says_so(bad: dict) -> None:
    source = FileSource()
    page = Page(source.upload)
    page.begin("v:1", ("a.json", 100))
    data = bad.get("data", b"y" * 10)
    buffers = {0: [], 1: [data], 2: [data, data]}[bad.get("buffers", 1)]
    content = {"event": "chunk", "id": "v:1", "index": bad.get("index", 0), "offset": bad["offset"]}
    page.message(content, buffers)
    (error,) = page.answers("error")
    assert error["message"].startswith("The upload broke off") and "choose the file again" in error["message"]
    assert source.upload.receiving is None and source.upload.value == ()
    page.send_file("v:1", b"z" * 100)  # what follows is dropped, not taken
    assert source.upload.value == () and page.answers("done") == []
    with pytest.raises(Exception, match="No backup was chosen"):
        source.read()


@pytest.mark.parametrize(
    "files",
    [
        None,
        "a.json",
        [],
        [{"name": "a.json", "size": -1}],
        [{"name": "a.json", "size": True}],
        [{"name": "a.json", "size": "10"}],
        [{"name": "a.json", "size": 2.5}],
        [{"name": "a.json", "size": 1}, {"name": "b.json", "size": 1}],  # two files on a one-file button
        ["a.json"],
    ],
)
def test_an_announcement_that_is_not_one_file_takes_nothing(files: object) -> None:
    upload = SizedUpload()
    page = Page(upload)
    page.message({"event": "begin", "id": "v:1", "files": files})
    assert upload.receiving is None and page.answers("error") and page.answers("progress") == []
    page.chunk("v:1", b"x", offset=0)
    assert upload.value == ()


def test_messages_without_a_usable_id_or_event_are_ignored() -> None:
    upload = SizedUpload()
    page = Page(upload)
    for content in (
        None,
        [],
        "begin",
        {"event": "begin"},
        {"event": "begin", "id": "x" * 65},
        {"event": "x", "id": "v"},
    ):
        page.message(content)
    assert page.got == [] and upload.receiving is None


def test_a_file_announced_over_the_limit_is_refused_and_no_byte_is_taken() -> None:
    source = FileSource()
    page = Page(source.upload)
    hostile = "big-<b>x</b>-\u202egnp.json"
    page.begin("v:1", (hostile, MAX_FILE_SIZE + 1))
    assert source.upload.refused == {"name": hostile, "size": MAX_FILE_SIZE + 1}
    assert source.upload.receiving is None and page.answers("error")
    assert "was not uploaded" in source.refusal.value and "<b>x</b>" not in source.refusal.value
    page.chunk("v:1", b"x", offset=0)
    assert source.upload.value == ()


def test_several_files_on_a_multiple_button_within_the_limit_in_total() -> None:
    upload = SizedUpload(multiple=True, max_size=100)
    page = Page(upload)
    page.begin("v:1", ("a.txt", 3), ("empty.txt", 0), ("b.txt", 2))
    page.chunk("v:1", b"bb", offset=0, index=2)  # b before a is out of order
    assert page.answers("error") and upload.value == ()
    page.begin("v:2", ("a.txt", 3), ("empty.txt", 0), ("b.txt", 2))
    assert upload.receiving == {"name": "3 files", "received": 0, "size": 5}
    page.chunk("v:2", b"aaa", offset=0, index=0)
    page.chunk("v:2", b"bb", offset=0, index=2)  # the empty file is complete as announced
    assert [bytes(item["content"]) for item in upload.value] == [b"aaa", b"", b"bb"]
    page.begin("v:3", ("a.txt", 60), ("b.txt", 60))  # each within the limit, together over it
    assert upload.refused == {"name": "2 files", "size": 120} and upload.value == ()


def test_an_empty_file_is_uploaded_at_once() -> None:
    upload = SizedUpload()
    page = Page(upload)
    page.begin("v:1", ("empty.json", 0))
    assert [bytes(item["content"]) for item in upload.value] == [b""] and page.answers("done")


def test_a_new_choice_replaces_the_upload_under_way_and_the_file_chosen_before() -> None:
    form = OpenForm()
    page = Page(form.file.upload)
    page.begin("v:1", ("first.json", 4))
    page.chunk("v:1", b"1111", offset=0)
    assert form.file.chosen == "first.json"
    page.begin("v:2", ("second.json", 6))  # the old file goes at once: nothing stale is opened meanwhile
    assert form.file.upload.value == () and form.file.chosen is None
    page.chunk("v:2", b"222", offset=0)
    page.chunk("v:1", b"1111", offset=0)  # a late chunk of the replaced upload: dropped, no error
    assert page.answers("error") == []
    page.chunk("v:2", b"222", offset=3)
    assert bytes(form.file.upload.value[0]["content"]) == b"222222"


def test_typing_a_path_mid_upload_stops_it_the_path_counts() -> None:
    source = FileSource()
    page = Page(source.upload)
    page.begin("v:1", ("a.json", 10))
    page.chunk("v:1", b"x" * 5, offset=0)
    source.path.value = str(DESKTOP)
    assert page.answers("cancelled") == [{"event": "cancelled", "id": "v:1"}]
    page.chunk("v:1", b"x" * 5, offset=5)
    assert source.upload.value == () and source.read()[1] == "wallet-export.json"


def test_the_page_may_cancel_its_upload() -> None:
    upload = SizedUpload()
    page = Page(upload)
    page.begin("v:1", ("a.json", 10))
    page.message({"event": "cancel", "id": "v:2"})  # not this one
    assert upload.receiving is not None
    page.message({"event": "cancel", "id": "v:1"})
    assert upload.receiving is None


def test_open_pressed_while_the_file_still_uploads_says_so_and_keeps_the_password() -> None:
    form = OpenForm()
    page = Page(form.file.upload)
    page.begin("v:1", ("desktop-large.json", 40 * 1024 * 1024))
    page.chunk("v:1", b"x" * CHUNK, offset=0)
    form.password.value = "kept-password"
    assert form.run() is None
    assert form.error is not None and form.error.code == "cannot-read"
    assert "desktop-large.json is still uploading (1 MB of 40 MB)" in form.status.value
    assert "Wait until" in form.status.value
    assert form.password.value == "kept-password"


def test_a_value_from_the_page_without_the_bytes_is_no_file() -> None:
    source = FileSource()
    source.upload.set_state({"value": [{"name": "a.json", "type": "", "size": 10, "last_modified": 0}]})
    assert source.upload.value == () and source.chosen is None
    source.upload.set_state({"value": [{"name": "a.json", "size": "lots", "content": None}]})
    assert source.upload.value == ()
