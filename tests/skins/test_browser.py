"""End to end in a real browser: the project's Voilà app in Debian's headless Chromium, driven by Playwright.

The fixture serves ``notebooks/app-open.ipynb`` with Voilà on a free port of
127.0.0.1 (no token, no browser), waits for it within a bounded time and
kills its whole process group afterwards.  Chromium is the system one
(``/usr/bin/chromium``; Playwright downloads nothing), with a fresh profile,
and every request not addressed to 127.0.0.1 is blocked.

Set ``CONCORDIUM_SCREENSHOT=docs/screenshot-open-form.png`` to keep the
screenshot of the opened form (it is always taken, into the test's temp dir).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import DESKTOP, ROOT, free_port, sample_password
from tests.conftest import stop_process_group as stop
from toolkit import open_backup

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("CONCORDIUM_CHROMIUM", "/usr/bin/chromium")
APP = ROOT / "notebooks" / "app-open.ipynb"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 60.0
PAGE_TIMEOUT_MS = 60_000

#: Skipped on a developer's machine without Chromium; under CI (which installs it) a missing one fails.
NEEDS_CHROMIUM = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"),
    reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)",
)
pytestmark = [pytest.mark.timeout(240), NEEDS_CHROMIUM]


def wait_for_port(port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    """Until the server accepts connections; fail with its log if it dies or takes longer than ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"The server exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(
        f"The server did not listen on port {port} within {timeout:.0f}s:\n{log.read_text(errors='replace')[-3000:]}"
    )


@contextlib.contextmanager
def serve(
    work: Path, argv: list[str], *, ready_path: str = "", env: dict[str, str] | None = None, cwd: Path = ROOT
) -> Iterator[str]:
    """Run ``python -m <argv>`` (``{port}`` filled in) from ``cwd`` (the project folder) with its own Jupyter dirs
    under ``work`` (and ``env`` added to its environment); yield its URL once it listens (the desk's with its
    access token); kill its process group after."""
    for sub in ("config", "data", "runtime"):
        (work / sub).mkdir(exist_ok=True)
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(work / "config"),
        JUPYTER_DATA_DIR=str(work / "data"),
        JUPYTER_RUNTIME_DIR=str(work / "runtime"),
        JUPYTER_PLATFORM_DIRS="1",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        **(env or {}),
    )
    query = ""
    if argv[:2] == ["toolkit", "desk"]:  # the desk asks every request for its token (tests/skins/test_desk_token.py)
        env["JUPYTER_TOKEN"] = env.get("JUPYTER_TOKEN") or secrets.token_urlsafe(32)
        query = f"?token={env['JUPYTER_TOKEN']}"
    port = free_port()
    cmd = [sys.executable, "-m", *(a.format(port=port) for a in argv)]
    log = work / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_port(port, proc, log, SERVER_START_TIMEOUT)
        yield f"http://127.0.0.1:{port}/{ready_path}{query}"
    finally:
        stop(proc)


def lab_argv() -> list[str]:
    """JupyterLab on 127.0.0.1 only, no token, no news or update checks, over the project folder."""
    return [
        "jupyterlab",
        "--config=jupyter_server_config.json",
        "--no-browser",
        "--allow-root",
        "--port={port}",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port_retries=0",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        f"--ServerApp.root_dir={ROOT}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]


def voila_argv(notebook: Path) -> list[str]:
    """Voilà as docs/NOTEBOOKS.md runs it (from the project folder, so its voila.json applies), on 127.0.0.1 only."""
    return [
        "voila",
        str(notebook),
        "--no-browser",
        "--port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.token=",
        "--Voila.port_retries=0",
    ]


@pytest.fixture(scope="module")
def voila_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("voila"), voila_argv(APP)) as url:
        yield url


@contextlib.contextmanager
def chromium_page(tmp_path: Path) -> Iterator[object]:
    """A page of a fresh Chromium profile that can reach 127.0.0.1 only."""
    leaving: list[str] = []

    def only_localhost(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if url.startswith(("http://127.0.0.1:", "ws://127.0.0.1:")):
            route.continue_()  # type: ignore[attr-defined]
        else:
            leaving.append(url)
            route.abort()  # type: ignore[attr-defined]

    with playwright_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
            accept_downloads=True,
        )
        try:
            context.route("**/*", only_localhost)
            pg = context.pages[0] if context.pages else context.new_page()
            pg.route("**/*", only_localhost)
            pg.set_default_timeout(PAGE_TIMEOUT_MS)
            pg.blocked = leaving  # type: ignore[attr-defined]
            yield pg
        finally:
            context.close()


def small_png(shot: Path, target: Path) -> None:
    """Write the screenshot ``shot`` to ``target`` (a docs/ picture) small: 256 colours, no dithering (a page's
    flat colours and text stay sharp), PNG optimised — about half the bytes of Chromium's PNG."""
    from PIL import Image

    with Image.open(shot) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        small.save(target, "PNG", optimize=True)


def test_upload_type_password_open_then_wrong_password(voila_url: str, page, tmp_path: Path) -> None:
    expect = playwright_api.expect
    account_names = [str(a["name"]) for a in open_backup(DESKTOP, sample_password(DESKTOP)).records("accounts")]

    page.goto(voila_url)
    form = page.locator(".ctk-form")
    upload = form.locator("button.widget-upload")
    expect(upload).to_be_visible(timeout=PAGE_TIMEOUT_MS)

    # the upload button's <input type=file> is hidden: pick the file through the chooser it opens
    with page.expect_file_chooser() as chooser:
        upload.click()
    chooser.value.set_files(str(DESKTOP))
    expect(upload).to_contain_text("(1)")

    password = form.locator("input[type=password]")
    open_button = form.locator("button.widget-button", has_text="Open")
    password.fill(sample_password(DESKTOP))
    open_button.click()

    table = form.locator(".ctk-table").last
    expect(form.locator(".ctk-ok")).to_contain_text("12 accounts")
    expect(form.locator(".lm-TabBar-tab.lm-mod-current")).to_contain_text("accounts (12)")
    visible_table = form.locator(".ctk-table:visible").last
    expect(visible_table.locator("tbody tr")).to_have_count(12)
    for name in account_names:
        expect(visible_table).to_contain_text(name)
    expect(password).to_have_value("")  # cleared after use

    shot = tmp_path / "screenshot-open-form.png"
    form.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("CONCORDIUM_SCREENSHOT"):
        small_png(shot, ROOT / os.environ["CONCORDIUM_SCREENSHOT"])

    # the same upload with a wrong password: the error in words, and no table any more
    password.fill("certainly-not-it")
    open_button.click()
    error = form.locator(".ctk-error")
    expect(error).to_contain_text("Could not open the backup")
    expect(error).to_contain_text("The password does not open this file")
    expect(error).to_contain_text("wrong-password")
    expect(form.locator(".ctk-table")).to_have_count(0)
    expect(table).to_have_count(0)
    expect(password).to_have_value("")
    assert "Traceback" not in form.inner_text()

    assert all(not u.startswith(("http://127.0.0.1", "ws://127.0.0.1")) for u in page.blocked)
