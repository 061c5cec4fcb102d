"""The Salvage form: the readable records of a damaged file, what was lost, and a stop."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import DAMAGED, DESKTOP, sample_password
from toolkit import open_backup


def rotted_copy(tmp_path: Path, offsets: tuple[int, ...] = (5000, 12000)) -> Path:
    """wallet-export.json with one byte flipped at each offset of its encrypted data (bit rot)."""
    import base64

    document = json.loads(DESKTOP.read_text(encoding="utf-8"))
    data = bytearray(base64.b64decode(document["cipherText"]))
    for offset in offsets:
        data[offset] ^= 0xFF
    document["cipherText"] = base64.b64encode(bytes(data)).decode("ascii")
    out = tmp_path / "wallet-export-rotted.json"
    out.write_text(json.dumps(document), encoding="utf-8")
    return out


def test_salvage_recovers_the_readable_records_and_says_what_was_lost(tmp_path: Path) -> None:
    from toolkit.widgets import ExportForm, SalvageForm

    rotted = rotted_copy(tmp_path)
    form = SalvageForm()
    form.file.path.value = str(rotted)
    form.password.value = sample_password(DESKTOP)
    form.button.click()
    form.wait()

    assert form.error is None, form.status.value
    assert form.password.value == ""
    result = form.result
    assert result is not None and not result.intact and result.lost_bytes
    assert list(form.recovered.columns) == ["table", "recovered", "damaged", "unread"]
    assert form.backup is result.backup
    total = sum(result.recovered.values())
    assert f"recovered {total} records" in form.status.value
    assert "unreadable: bytes" in form.status.value
    for note in result.notes:
        assert __import__("html").escape(note, quote=True) in form.results.children[0].value

    # the recovered backup goes on to the Export form
    export = ExportForm(form)
    export.path.value = str(tmp_path / "recovered.json")
    assert export.run(password="recovered-pass") is not None
    assert (
        open_backup(tmp_path / "recovered.json", "recovered-pass").counts()["accounts"] == result.recovered["accounts"]
    )


def test_salvage_of_an_intact_file_and_of_a_file_cut_before_its_metadata() -> None:
    from toolkit.widgets import SalvageForm

    form = SalvageForm()
    form.file.path.value = str(DESKTOP)
    assert form.run(password=sample_password(DESKTOP)) is not None
    assert form.result.intact and "is intact" in form.status.value

    form.file.path.value = str(DAMAGED)
    assert form.run(password=sample_password(DAMAGED)) is None
    assert form.error is not None and form.error.code == "not-salvageable"
    assert form.backup is None and form.results.children == ()


def test_salvage_form_stop_ends_the_search_and_shows_what_was_found(tmp_path: Path) -> None:
    """Issue 21 #6: the Salvage form had no Stop; a crafted file could keep it busy for as long as its budget."""
    import time

    from toolkit.format import container, jsonio
    from toolkit.widgets import SalvageForm

    contacts = b",".join(
        jsonio.dumps_js({"name": f"c{i}", "address": "3" + "a" * 49, "readOnly": False}) for i in range(300)
    )
    plain = b'{"accounts":[],"identities":[],"addressBook":[' + contacts + b",x" + b'{"a":' * 600_000
    path = tmp_path / "crafted.json"
    path.write_bytes(container.encrypt(plain, "salvage-stop-1", iterations=1000))
    form = SalvageForm()
    assert form.stop_button.disabled and form.stop_button in form.children[-3].children
    form.file.path.value = str(path)
    form.password.value = "salvage-stop-1"
    form.start()
    deadline = time.monotonic() + 60
    while form.stop_button.disabled and time.monotonic() < deadline:
        time.sleep(0.01)
    form.stop_button.click()
    form.wait(60)
    assert form.result is not None and form.result.stopped == "stopped", form.status.value
    assert 0 < form.result.recovered["addressBook"] <= 300  # what was found before the stop, nothing invented
    assert all(r["name"].startswith("c") for r in form.result.backup.records("addressBook"))
    assert "stopped as asked" in form.status.value and form.stop_button.disabled
