"""The desk's cleanup without a browser: ``--idle-minutes`` sets Jupyter server's culling, the served page carries
its ``_xsrf`` cookie so Voilà's kernel shutdown passes the XSRF check (which stays on: a request without the
token is refused), and the page's guard is busy exactly while a form works.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, free_port
from toolkit import errors
from toolkit.cli import main
from toolkit.ops import bundled

FORGOTTEN = SAMPLES / "wallet-export-forgotten.json"


# ------------------------------------------------------------------ the idle time
def test_idle_minutes_become_jupyter_servers_culling() -> None:
    assert bundled.culling(15) == {"cull_idle_timeout": 900, "cull_interval": 60, "cull_connected": True}
    assert bundled.culling(0.05) == {"cull_idle_timeout": 3, "cull_interval": 1, "cull_connected": True}
    assert bundled.culling(2) == {"cull_idle_timeout": 120, "cull_interval": 12, "cull_connected": True}
    assert bundled.culling(0) == {"cull_idle_timeout": 0}  # never
    with pytest.raises(errors.InvalidArgumentError):
        bundled.culling(-1)


def test_the_desk_app_culls_and_sets_the_cookie_whatever_the_folder_says(tmp_path: Path, monkeypatch) -> None:
    pytest.importorskip("voila")
    (tmp_path / "voila.json").write_text(
        json.dumps({"MappingKernelManager": {"cull_idle_timeout": 0, "cull_connected": False}}), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    app = bundled.desk_app(free_port(), idle_minutes=2)
    assert app.config.MappingKernelManager.cull_idle_timeout == 120
    assert app.config.MappingKernelManager.cull_connected is True
    assert app.voila_configuration.prelaunch_hook is bundled._xsrf_cookie
    default = bundled.desk_app(free_port())
    assert default.config.MappingKernelManager.cull_idle_timeout == bundled.DESK_IDLE_MINUTES * 60


@pytest.mark.parametrize("given", ["-1", "nan", "inf", "ten", "10081"])
def test_the_desk_command_refuses_a_wrong_idle_time(given: str, capsys) -> None:
    assert main(["desk", "--port", str(free_port()), "--idle-minutes", given]) == 2
    assert "is not a number of minutes" in capsys.readouterr().err


def test_the_desk_help_says_how_long_an_idle_page_keeps_its_backups(capsys) -> None:
    with pytest.raises(SystemExit):  # argparse's own --help
        main(["desk", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--idle-minutes M" in text and f"default {bundled.DESK_IDLE_MINUTES:g}" in text and "0: never" in text


# ------------------------------------------------------------------ the shutdown's XSRF check
@pytest.fixture(scope="module")
def desk_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pytest.importorskip("voila")
    from tests.skins.test_browser import serve

    work = tmp_path_factory.mktemp("voila-xsrf")
    with serve(work, ["toolkit", "desk", "--port={port}"], cwd=work) as url:
        yield url


def test_the_page_carries_its_xsrf_cookie_and_the_shutdown_needs_it(desk_url: str) -> None:
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with browser.open(desk_url, timeout=120) as response:
        html = response.read().decode("utf-8")
    cookies = {cookie.name: cookie.value for cookie in jar}
    assert "_xsrf" in cookies  # set before the page's first bytes (Voilà streams it)
    config = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S)
    assert config is not None
    kernel = json.loads(config.group(1))["kernelId"]
    shutdown = f"{desk_url.split('?')[0]}voila/api/shutdown/{kernel}"  # the login cookie now stands for the token

    # XSRF protection stays on: without the token (a cross-site form could not read the cookie) it is refused
    for body in ({}, {"_xsrf": "2|00000000|00000000000000000000000000000000|0"}):
        with pytest.raises(urllib.error.HTTPError) as refused:
            browser.open(urllib.request.Request(shutdown, data=urllib.parse.urlencode(body).encode()), timeout=30)
        assert refused.value.code == 403
    # with the page's cookie as the form field (what the page sends when it goes), the kernel is shut down
    with browser.open(
        urllib.request.Request(shutdown, data=urllib.parse.urlencode({"_xsrf": cookies["_xsrf"]}).encode()), timeout=60
    ) as done:
        assert done.status == 204
    with pytest.raises(urllib.error.HTTPError) as gone:
        browser.open(
            urllib.request.Request(shutdown, data=urllib.parse.urlencode({"_xsrf": cookies["_xsrf"]}).encode()),
            timeout=30,
        )
    assert gone.value.code == 404  # no such kernel any more


# ------------------------------------------------------------------ the page's guard
def test_the_guard_is_busy_exactly_while_a_form_works() -> None:
    from toolkit.widgets import support_desk

    desk = support_desk()
    assert desk.guard in desk.children and desk.guard.busy is False and desk.guard.served is False
    recovery = desk.forms["recovery"]
    recovery.file.path.value = str(FORGOTTEN)
    recovery.tokens.value = "+ %d%d%d\n+ %d%d%d"
    recovery.typos.value = 0
    recovery.workers.value = 1
    recovery.confirm.value = True
    recovery.run(wait=False)
    try:
        assert recovery.running and desk.guard.busy is True
    finally:
        recovery.stop()
        recovery.wait(60)
    assert not recovery.running and desk.guard.busy is False
    opener = desk.forms["open"]
    opener.start().join(30)  # nothing chosen: a job that fails at once
    assert opener.error is not None and desk.guard.busy is False
