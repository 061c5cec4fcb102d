"""The support desk as a page for others (page mode), in Chromium through Voilà: no path, cluster or address
field on the page, and values forced into the hidden fields from the page reach nothing — asserted on the
kernel's side (a listener that counts the kernel's connections, files that must not appear, a canary file
that must not be read).  Also: a 40 MB download starts at once, its bytes sent only when clicked."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, make_file, sample_password
from tests.skins.test_browser import NEEDS_CHROMIUM, playwright_api, serve, voila_argv
from tests.skins.test_browser_desk import (
    CANDIDATES,
    DESKTOP,
    FORGOTTEN,
    button,
    download_button,
    form,
    open_desk,
    press,
    type_into,
    upload,
)
from toolkit import open_backup
from toolkit.format.jsonio import dumps_js
from toolkit.testing import synthetic

APP = ROOT / "notebooks" / "app-desk.ipynb"
pytestmark = [pytest.mark.timeout(420), NEEDS_CHROMIUM]
expect = playwright_api.expect

#: Labels and placeholders of fields a served page must not show.
FORBIDDEN = ("or path", "Save as", "Report", "Cluster", "Connection", "CA", "Certificate", "Key")


@pytest.fixture(scope="module")
def desk_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("voila-page"), voila_argv(APP)) as url:
        yield url


class Listener:
    """A TCP port on 127.0.0.1 that counts who connects to it (a scheduler or Ledger the kernel must not reach)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


def force_hidden(page, selector: str, value: str) -> int:
    """Put ``value`` into every (hidden) input matching ``selector`` as typing would: the widget sends it."""
    return page.evaluate(
        """([selector, value]) => {
            const inputs = document.querySelectorAll(selector);
            for (const input of inputs) {
                input.value = value;
                input.dispatchEvent(new Event("input", { bubbles: true }));
                input.dispatchEvent(new Event("change", { bubbles: true }));
                input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
            }
            return inputs.length;
        }""",
        [selector, value],
    )


def values_of(page, selector: str) -> list[str]:
    return page.evaluate("(s) => Array.from(document.querySelectorAll(s)).map((i) => i.value)", selector)


def test_the_served_desk_shows_no_path_cluster_or_address_field(desk_url: str, page) -> None:
    open_desk(page, desk_url)
    labels = page.locator(".ctk-desk .widget-label:visible").all_inner_texts()
    placeholders = page.evaluate(
        """() => Array.from(document.querySelectorAll('.ctk-desk input, .ctk-desk textarea'))
            .filter((i) => i.offsetParent !== null).map((i) => i.placeholder)"""
    )
    for word in FORBIDDEN:
        assert word not in [label.strip() for label in labels], (word, labels)
    for text in placeholders:
        assert "path" not in text and "HOST:PORT" not in text and "tcp://" not in text, text
    assert page.locator(".ctk-desk .lm-AccordionPanel, .ctk-desk .jupyter-widget-Collapse-header:visible").count() == 0
    assert "Files arrive by upload and leave by download" in page.locator(".ctk-desk").inner_text()


def test_values_forced_into_hidden_fields_reach_nothing(desk_url: str, page, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    canary = outside / "canary-wallet.json"
    shutil.copyfile(DESKTOP, canary)
    control = outside / "control.json"
    shutil.copyfile(DESKTOP, control)
    for f in (canary, control):
        os.utime(f, (1_000_000, f.stat().st_mtime))  # read => atime moves (relatime: atime older than mtime)
    control.read_bytes()
    atime_works = control.stat().st_atime > 1_000_000
    listener = Listener()
    written, report = outside / "written.json", outside / "report.html"
    try:
        open_desk(page, desk_url)
        forced = {
            'input[placeholder^="path on this machine"]': str(canary),
            'input[placeholder^="candidates file"]': str(canary),
            'input[placeholder^="empty: this computer"]': f"tcp://127.0.0.1:{listener.port}",
            'input[placeholder^="the CA certificate"]': str(canary),
            'input[placeholder^="this computer\'s certificate"]': str(canary),
            'input[placeholder^="this computer\'s private key"]': str(canary),
            'input[placeholder^="empty for USB"]': f"127.0.0.1:{listener.port}",
            'input[placeholder^="empty: a download"]': str(written),
            'input[placeholder^="report.html"]': str(report),
        }
        for selector, value in forced.items():
            assert force_hidden(page, selector, value) >= 1, selector  # the hidden inputs are there

        # the kernel takes every value back at once: the page shows the empty fields again
        for selector in forced:
            expect_values = lambda s=selector: set(values_of(page, s)) == {""}  # noqa: E731
            deadline = time.monotonic() + 10
            while not expect_values() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert expect_values(), (selector, values_of(page, selector))

        # Open with the canary's password: nothing was chosen, the canary is not read
        opener = form(page, "Open a backup")
        type_into(opener, "the backup's password", sample_password(DESKTOP))
        press(opener, "Open")
        expect(opener.locator(".ctk-error")).to_contain_text("No backup was chosen")

        # a real upload; Export and Audit with their hidden paths forced again: downloads only
        upload(page, opener, "backup", DESKTOP)
        type_into(opener, "the backup's password", sample_password(DESKTOP))
        press(opener, "Open")
        expect(opener.locator(".ctk-ok")).to_contain_text("12 accounts")
        force_hidden(page, 'input[placeholder^="empty: a download"]', str(written))
        force_hidden(page, 'input[placeholder^="report.html"]', str(report))
        export = form(page, "Export with a new password")
        type_into(export, "at least 6 characters", "Page-Mode-Pass-1")
        type_into(export, "the same password again", "Page-Mode-Pass-1")
        press(export, "Export")
        expect(export.locator(".ctk-ok")).to_contain_text("ready")
        expect(download_button(export, "Download")).to_be_visible()
        audit = form(page, "Audit a backup")
        audit.locator("select").first.select_option(label="#1 wallet-export.json (opened)")
        press(audit, "Audit")
        expect(audit.locator(".ctk-message").first).to_contain_text("wallet-export.json")

        # the Ledger check and a password search, with the hidden addresses forced again
        force_hidden(page, 'input[placeholder^="empty for USB"]', f"127.0.0.1:{listener.port}")
        force_hidden(page, 'input[placeholder^="empty: this computer"]', f"tcp://127.0.0.1:{listener.port}")
        ledger = form(page, "Check the Ledger")
        press(ledger, "Check Ledger")
        expect(ledger.locator(".ctk-message").first).not_to_contain_text("Working", timeout=30_000)
        recovery = form(page, "Recover a forgotten password")
        upload(page, recovery, "locked backup", FORGOTTEN)
        upload(page, recovery, "candidates", CANDIDATES)
        press(recovery, "Start")
        expect(recovery.locator(".ctk-ok")).to_contain_text("Found the password", timeout=120_000)
        expect(recovery.locator(".ctk-pairs")).to_contain_text("this computer")

        # the kernel's side: nothing connected, nothing written, the canary unread
        assert listener.connections == 0
        assert sorted(p.name for p in outside.iterdir()) == ["canary-wallet.json", "control.json"]
        if atime_works:
            assert canary.stat().st_atime == 1_000_000, "the kernel read the file outside"
        assert "Traceback" not in page.content()
    finally:
        listener.close()


def test_a_40_mb_download_starts_at_once_and_sends_its_bytes_only_when_clicked(
    desk_url: str, page, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = synthetic.large_desktop_document(accounts=27_000, credentials=27_000, address_book=40_000, seed=5)
    big = tmp_path / "desktop-large.json"
    big.write_bytes(make_file(dumps_js(doc), "big-file-password"))
    received: list[int] = []  # sizes of the frames the page receives from the server
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: received.append(len(f))))
    open_desk(page, desk_url)
    opener = form(page, "Open a backup")
    upload(page, opener, "backup", big)
    type_into(opener, "the backup's password", "big-file-password")
    press(opener, "Open")
    expect(opener.locator(".ctk-ok")).to_contain_text("27,000 accounts", timeout=180_000)

    export = form(page, "Export with a new password")
    type_into(export, "at least 6 characters", "Large-New-Pass-1")
    type_into(export, "the same password again", "Large-New-Pass-1")
    press(export, "Export")
    expect(export.locator(".ctk-ok")).to_contain_text("ready", timeout=180_000)
    ready = sum(received)
    time.sleep(1.0)
    before = sum(received)
    assert before - ready < 1_000_000, before - ready  # the export's bytes don't travel until the click

    get = download_button(export, "Download")
    status = export.locator(".ctk-download-status")
    started = time.monotonic()
    with page.expect_download(timeout=60_000) as download:
        get.click()
        # feedback at once: "Preparing…", or already "Receiving … MB" when the first bytes beat the check
        expect(status).to_contain_text(re.compile("Preparing|Receiving"), timeout=1_000)
        preparing = time.monotonic() - started
    started_download = time.monotonic() - started
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    saved = time.monotonic() - started
    size = target.stat().st_size
    assert size > 38_000_000 and target.name == "desktop-large-new.json"
    assert open_backup(target, "Large-New-Pass-1").counts()["accounts"] == 27_000
    assert sum(received) - before >= size  # the bytes came when clicked, over the comm
    first_byte = export.locator(".ctk-download").get_attribute("data-first-byte-ms")
    in_page = export.locator(".ctk-download").get_attribute("data-saved-ms")
    with capsys.disabled():
        print(
            f"\n40 MB download ({size:,} bytes): feedback shown after {preparing * 1000:.0f} ms; first byte in "
            f"the page after {first_byte} ms; the browser's download began after {started_download:.2f} s "
            f"(file complete in the page after {in_page} ms); saved to disk after {saved:.2f} s"
        )
    expect(status).to_contain_text("desktop-large-new.json")
    expect(button(export, "Export")).to_be_enabled()
