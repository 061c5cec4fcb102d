"""The upload button's size logic (:class:`toolkit.widgets.upload.SizedUpload`) and how a form shows a refusal.

The browser side is driven in tests/skins/test_browser_desk.py; here the kernel side
gets what the front-end sends, through ``set_state`` as the browser does.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import DESKTOP
from toolkit.format.container import MAX_FILE_SIZE
from toolkit.widgets import OpenForm
from toolkit.widgets import upload as upload_module
from toolkit.widgets.common import FileSource
from toolkit.widgets.upload import SizedUpload

HOSTILE = "big-<b>x</b>-\u202egnp.json"


def item(name: str, content: bytes) -> dict[str, object]:
    """One file as the browser sends it: its content arrives as a memoryview."""
    return {"name": name, "type": "", "size": len(content), "content": memoryview(content), "last_modified": 0}


def test_within_the_limit_the_value_is_what_file_upload_gives() -> None:
    upload = SizedUpload(max_size=10)
    sent: list[dict[str, object]] = []
    upload.comm.send = lambda **msg: sent.append(msg)  # what the kernel would send to the page
    upload.set_state({"value": [item("a.json", b"0123456789")]})
    assert all(not msg.get("buffers") for msg in sent)  # the bytes are not echoed back to the page
    (got,) = upload.value
    assert got["name"] == "a.json" and bytes(got["content"]) == b"0123456789" and got.size == 10
    assert got["last_modified"].year == 1970
    assert upload.refused == {}


def test_an_item_over_the_limit_that_arrives_is_dropped_as_a_refusal() -> None:
    upload = SizedUpload(max_size=10)
    seen: list[object] = []
    upload.observe(lambda change: seen.append(change["new"]), names="value")
    upload.set_state({"value": [item(HOSTILE, b"01234567890")]})
    assert upload.value == () and all(v == () for v in seen)  # never taken, not even for a moment
    assert upload.refused == {"name": HOSTILE, "size": 11}
    upload.set_state({"value": [item("b.json", b"ok")]})  # the next choice within the limit counts
    assert upload.refused == {} and upload.value[0]["name"] == "b.json"


def test_no_limit_when_max_size_is_zero() -> None:
    upload = SizedUpload(max_size=0)
    upload.set_state({"value": [item("a.json", b"x" * 1000)]})
    assert len(upload.value) == 1


def test_the_default_limit_is_the_toolkit_s_and_the_front_end_checks_it_before_reading() -> None:
    assert SizedUpload().max_size == MAX_FILE_SIZE == FileSource().upload.max_size
    js = Path(upload_module.__file__).with_name("upload.js").read_text(encoding="utf-8")
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js  # a file's name is only ever text
    assert js.index("file.size > limit") < js.index("pump(job)")  # checked before any file is read


def test_a_refusal_from_the_browser_shows_at_once_in_the_form_and_open_says_it_again() -> None:
    form = OpenForm()
    form.file.path.value = "somewhere.json"
    form.password.value = "kept-password"
    size = 200 * 1024 * 1024
    form.file.upload.set_state({"value": [], "refused": {"name": HOSTILE, "size": size}})  # what upload.js sends

    shown = form.file.refusal.value
    assert form.file.refusal.layout.display is None  # visible
    assert "big-&lt;b&gt;x&lt;/b&gt;-\\u202egnp.json was not uploaded." in shown  # escaped, bidi made visible
    assert "<b>x</b>" not in shown and "\u202e" not in shown
    assert f"The file is {size:,} bytes (200 MB), more than the {MAX_FILE_SIZE:,} a backup can be." in shown
    assert "check that this is the right file" in shown and "(code: too-large)" in shown
    assert form.file.path.value == ""  # the refused choice was the last one

    assert form.run() is None
    assert form.error is not None and form.error.code == "too-large"
    assert "more than the" in form.status.value
    assert form.password.value == "kept-password"  # nothing was used: not typed again

    form.file.path.value = str(DESKTOP)  # another choice: the refusal goes
    assert form.file.upload.refused == {} and form.file.refusal.value == ""
    assert form.file.refusal.layout.display == "none"


def test_a_new_upload_within_the_limit_clears_the_refusal() -> None:
    source = FileSource()
    source.upload.set_state({"value": [], "refused": {"name": "x.json", "size": MAX_FILE_SIZE + 1}})
    assert "x.json was not uploaded" in source.refusal.value
    source.upload.set_state({"value": [item("wallet-export.json", DESKTOP.read_bytes())], "refused": {}})
    assert source.refusal.value == "" and source.chosen == "wallet-export.json"
    assert source.read()[1] == "wallet-export.json"


def test_whatever_the_page_sends_as_a_refusal_is_shown_as_plain_text() -> None:
    source = FileSource()
    source.upload.set_state({"refused": {"name": ["<script>"], "size": "lots", "extra": 1}})
    assert source.upload.refused == {"name": "['<script>']", "size": 0}
    assert "[&#x27;&lt;script&gt;&#x27;] was not uploaded" in source.refusal.value
    source.upload.set_state({"refused": {"size": 2**80}})
    assert "The file was not uploaded" in source.refusal.value


def test_a_too_large_candidate_list_is_told_to_come_by_path_not_that_it_is_no_backup() -> None:
    from toolkit.widgets import RecoveryForm

    form = RecoveryForm()
    form.candidates_file.upload.set_state({"value": [], "refused": {"name": "rockyou.txt", "size": 140_000_000}})
    shown = form.candidates_file.refusal.value
    assert "rockyou.txt was not uploaded" in shown and "an upload can be" in shown
    assert "path on this machine" in shown and "wallet backup" not in shown
    backup = FileSource()
    backup.upload.set_state({"value": [], "refused": {"name": "x.json", "size": 140_000_000}})
    assert "a backup can be" in backup.refusal.value and "wallet backup is at most" in backup.refusal.value
