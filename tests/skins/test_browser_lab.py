"""A support-desk journey in JupyterLab (not only Voilà): the desk notebook run in Lab, then
damaged file → Salvage → Export → download → the file opens with the new password; and a file over the size
limit refused in the page (the upload button's front-end, an anywidget, loads in Lab too).

Lab is started as docs/NOTEBOOKS.md says (``--config=jupyter_server_config.json``, which lets big uploads through),
on 127.0.0.1 with no token, its own Jupyter folders, and Chromium that reaches nothing else.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import sample_password
from tests.skins.test_browser import (
    NEEDS_CHROMIUM,
    PAGE_TIMEOUT_MS,
    lab_argv,
    playwright_api,
    serve,
)
from tests.skins.test_browser_desk import (
    BITROT,
    DESKTOP,
    NEW_PASSWORD,
    export_and_download,
    form,
    keep_screenshot,
    press,
    salvage_bitrot,
    upload,
)
from toolkit import open_backup
from toolkit.ops.salvage import salvage

pytestmark = [pytest.mark.timeout(300), NEEDS_CHROMIUM]
expect = playwright_api.expect


@pytest.fixture(scope="module")
def lab_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    argv = lab_argv()
    with serve(tmp_path_factory.mktemp("lab"), argv) as url:
        yield url


def run_all(page, url: str) -> None:
    """Open the desk notebook in Lab and run its code cells (Shift+Enter, as a person would)."""
    page.goto(url + "lab/tree/notebooks/app-desk.ipynb")
    expect(page.locator(".jp-Notebook")).to_be_visible(timeout=PAGE_TIMEOUT_MS)
    expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")).to_have_count(
        1, timeout=PAGE_TIMEOUT_MS
    )
    expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible(timeout=PAGE_TIMEOUT_MS)
    dismiss_news(page)
    cell = page.locator(".jp-CodeCell .jp-InputArea-editor").first  # the notebook's one code cell
    expect(cell).to_be_visible(timeout=PAGE_TIMEOUT_MS)
    desk = form(page, "Export with a new password")
    for _attempt in range(3):  # a keystroke sent while Lab still connects the kernel is lost: press again
        cell.click()
        page.keyboard.press("Control+Enter")
        try:
            expect(desk).to_be_visible(timeout=20_000)
            return
        except AssertionError:
            continue
    expect(desk).to_be_visible(timeout=PAGE_TIMEOUT_MS)


def dismiss_news(page) -> None:
    """Lab's "get notified about news?" toast would cover the page: answer it when it is there."""
    news = page.get_by_role("button", name="No", exact=True)
    if news.count():
        news.first.click()


def test_lab_salvage_then_export_download_opens(lab_url: str, page, tmp_path: Path) -> None:
    expected = salvage(BITROT, sample_password(BITROT)).backup.counts()
    run_all(page, lab_url)
    salvage_bitrot(page)
    saved = export_and_download(page, tmp_path, "#1 wallet-export-bitrot.json (salvaged")
    assert open_backup(saved, NEW_PASSWORD).counts() == expected
    assert sample_password(BITROT) not in page.content() and NEW_PASSWORD not in page.content()
    dismiss_news(page)
    keep_screenshot(form(page, "Salvage a damaged backup"), tmp_path, "journey-lab-salvage.png")


def test_lab_refuses_a_file_over_the_limit_before_sending_it(lab_url: str, page, tmp_path: Path) -> None:
    huge = tmp_path / "wallet-export-huge.json"
    huge.touch()
    os.truncate(huge, 200 * 1024 * 1024)  # sparse: takes no disk
    run_all(page, lab_url)
    opener = form(page, "Open a backup")
    with page.expect_file_chooser() as chooser:
        opener.locator("button.widget-upload", has_text="Upload backup").click()
    chooser.value.set_files(str(huge))
    expect(opener.locator(".ctk-refusal .ctk-error")).to_contain_text(
        "wallet-export-huge.json was not uploaded. The file is 209,715,200 bytes (200 MB)", timeout=5_000
    )
    upload(page, opener, "backup", DESKTOP)  # the kernel is still connected: a normal backup opens
    opener.locator('input[placeholder="the backup\'s password"]').fill(sample_password(DESKTOP))
    press(opener, "Open")
    expect(opener.locator(".ctk-ok")).to_contain_text("12 accounts")
