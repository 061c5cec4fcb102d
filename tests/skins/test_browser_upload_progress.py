"""A 40 MB upload shows its progress at once, in Chromium, in the Voilà desk and in JupyterLab (issue 20, item 4).

The file goes through the browser's file chooser as a person would; a MutationObserver in the page notes, from
the moment the file input reports the choice, every text the upload's status line and button show.  The upload
must say how much arrived within 1 s, say it again with more while it goes, and end with the file chosen in
the form (its name on the button), which then opens and joins the page's list of backups.  The screenshot of
an upload under way is taken with the server held still (SIGSTOP) mid-way, so that it is one and the line
shown is seen not to move meanwhile; ``CONCORDIUM_SCREENSHOTS=docs`` keeps it as
``docs/journey-upload-progress.png``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import pytest

from tests.conftest import make_file
from tests.skins.test_browser import NEEDS_CHROMIUM, lab_argv, playwright_api, serve
from tests.skins.test_browser_desk import button, form, keep_screenshot, open_desk, press, type_into
from tests.skins.test_browser_lab import run_all
from toolkit.format.jsonio import dumps_js
from toolkit.testing import synthetic

pytestmark = [pytest.mark.timeout(420), NEEDS_CHROMIUM]
expect = playwright_api.expect

PASSWORD = "big-upload-password"

#: Notes, in the page, every text of the upload buttons and their status lines, timed from the file's choice.
WATCH = """() => {
    window.ctkShown = [];
    window.ctkChosen = null;
    document.addEventListener("change", (event) => {
        if (event.target instanceof HTMLInputElement && event.target.type === "file") {
            window.ctkChosen = performance.now();
        }
    }, true);
    const note = () => {
        if (window.ctkChosen === null) return;
        for (const el of document.querySelectorAll(".ctk-upload")) {
            const status = el.querySelector(".ctk-upload-status");
            window.ctkShown.push({
                ms: performance.now() - window.ctkChosen,
                button: el.querySelector("button").textContent,
                status: status ? status.textContent : "",
            });
        }
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
}"""

#: "Uploading desktop-large.json: 12.0 of 41.1 MB (29 %)…"
PROGRESS = re.compile(r"Uploading desktop-large\.json: (\d+\.\d) of (\d+\.\d) MB \((\d+) %\)…")


@contextlib.contextmanager
def held_still(url: str) -> Iterator[None]:
    """The server behind ``url`` stopped (SIGSTOP) for a while: nothing passes between the page and the kernel."""
    port = urlsplit(url).port
    (pid,) = {c.pid for c in psutil.net_connections("tcp") if c.status == psutil.CONN_LISTEN and c.laddr.port == port}
    server = psutil.Process(pid)
    server.suspend()
    try:
        yield
    finally:
        server.resume()


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    doc = synthetic.large_desktop_document(accounts=27_000, credentials=27_000, address_book=40_000, seed=5)
    big = tmp_path_factory.mktemp("big") / "desktop-large.json"
    big.write_bytes(make_file(dumps_js(doc), PASSWORD))
    assert big.stat().st_size > 38_000_000
    return big


@pytest.fixture(scope="module")
def desk_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("voila-upload")
    with serve(work, ["toolkit", "desk", "--port={port}"], cwd=work) as url:
        yield url


@pytest.fixture(scope="module")
def lab_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("lab-upload"), lab_argv()) as url:
        yield url


def upload_watched(page, where, big: Path) -> dict[str, float]:
    """Choose ``big`` with the form's upload button and follow what the page shows until the name is on the button:
    the times (ms from the choice) of the first progress, of the last before the end, and of the end."""
    page.evaluate(WATCH)
    with page.expect_file_chooser() as chooser:
        where.locator("button.widget-upload", has_text="Upload backup").click()
    chooser.value.set_files(str(big))
    status = where.locator(".ctk-upload-status")
    expect(status).to_contain_text(PROGRESS, timeout=1_000)
    expect(where.locator("button.widget-upload", has_text=big.name)).to_be_visible(timeout=60_000)
    shown = page.evaluate("() => window.ctkShown")
    done = next(s["ms"] for s in shown if big.name in s["button"])
    steps = [(s["ms"], PROGRESS.search(s["status"])) for s in shown if s["ms"] <= done]
    steps = [(ms, float(m.group(1))) for ms, m in steps if m]
    assert steps, shown[:5]
    return {
        "first": steps[0][0],
        "amounts": sorted({amount for _ms, amount in steps}),
        "done": done,
    }


def report(capsys: pytest.CaptureFixture[str], where: str, big: Path, seen: dict) -> None:
    with capsys.disabled():
        print(
            f"\n{where}: {big.stat().st_size:,} bytes uploaded; progress shown {seen['first']:.0f} ms after the "
            f"choice, {len(seen['amounts'])} different amounts shown, file chosen after {seen['done'] / 1000:.2f} s"
        )


def check_progress(seen: dict, big: Path) -> None:
    assert seen["first"] < 1_000
    assert len(seen["amounts"]) >= 3, seen  # it moved while the file went, not only 0 and the end
    assert seen["amounts"][0] < big.stat().st_size / 1048576 / 2


def test_a_40_mb_upload_in_the_desk_shows_progress_at_once_and_ends_in_the_form(
    desk_url: str, page, big_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    open_desk(page, desk_url)
    opener = form(page, "Open a backup")
    seen = upload_watched(page, opener, big_file)
    report(capsys, "Voilà desk", big_file, seen)
    check_progress(seen, big_file)
    expect(opener.locator("button.widget-upload")).to_contain_text("(1)")
    type_into(opener, "the backup's password", PASSWORD)
    press(opener, "Open")
    expect(opener.locator(".ctk-ok")).to_contain_text("27,000 accounts", timeout=180_000)
    audit = form(page, "Audit a backup")  # the uploaded backup is in the page's list, for every form
    expect(audit.locator("select").first.locator("option", has_text="desktop-large.json (opened)")).to_have_count(1)

    expect(button(opener, "Open")).to_be_enabled(timeout=60_000)  # the job is over (tables shown)

    # the same file chosen again: the old result goes at once, and with the server held still mid-way the line
    # stays where it is (it says what the kernel holds, not what the page has sent)
    with page.expect_file_chooser() as chooser:
        opener.locator("button.widget-upload").click()
    chooser.value.set_files(str(big_file))
    status = opener.locator(".ctk-upload-status")
    expect(status).to_contain_text(re.compile(r"\((?:[1-9]|[1-9]\d) %\)"), timeout=10_000)
    with held_still(desk_url):
        page.wait_for_timeout(500)  # what the server had sent arrives
        shown = status.inner_text()
        assert PROGRESS.search(shown), shown
        expect(opener.locator(".ctk-ok")).to_have_count(0)
        keep_screenshot(opener, tmp_path, "journey-upload-progress.png")
        page.wait_for_timeout(500)
        assert status.inner_text() == shown
    expect(opener.locator("button.widget-upload", has_text=big_file.name)).to_be_visible(timeout=60_000)
    expect(status).to_have_text("")


def test_a_40_mb_upload_in_jupyterlab_shows_progress_at_once(
    lab_url: str, page, big_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_all(page, lab_url)
    opener = form(page, "Open a backup")
    seen = upload_watched(page, opener, big_file)
    report(capsys, "JupyterLab", big_file, seen)
    check_progress(seen, big_file)
    expect(opener.locator("button.widget-upload")).to_contain_text("(1)")
