"""``concordium-backup desk`` asks every request for an access token, as Jupyter's own servers do: any local user or
process could otherwise open the page on 127.0.0.1 and use the backups decrypted in it.  The printed address carries
the token; a request without it (or with another) is refused, page, kernels and kernel websocket alike."""

from __future__ import annotations

import asyncio
import re
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import desk_process, free_port
from toolkit.ops import bundled

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 120


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a refusal that sends to a login page is still a refusal
        return None


def _get(url: str) -> tuple[int, str]:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=60) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as refused:
        return refused.code, ""


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """A desk started as a user starts it (``JUPYTER_TOKEN`` set but empty: that turns nothing off); its
    printed address, its port's base URL and its output."""
    pytest.importorskip("voila")
    work = tmp_path_factory.mktemp("desk")
    with desk_process(work, JUPYTER_TOKEN="") as (proc, log, port):
        base = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + START_TIMEOUT
        while base not in log.read_text(errors="replace"):
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.2)
        printed = log.read_text(errors="replace").splitlines()[0]
        while True:  # printed before it listens: wait until it answers
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
                time.sleep(0.3)
        yield printed, base, log


def _token(printed: str, base: str) -> str:
    match = re.search(re.escape(base) + r"\?token=([A-Za-z0-9_-]+)", printed)
    assert match, f"the printed address carries no token: {printed!r}"
    return match.group(1)


@pytest.mark.timeout(300)
def test_the_printed_address_carries_a_long_random_token(desk):
    printed, base, log = desk
    token = _token(printed, base)
    assert len(token) >= 32
    assert printed.startswith(f"Support desk: {base}?token={token}")
    assert log.read_text(errors="replace").count(token) == 1  # printed once, for the user; not logged again


@pytest.mark.timeout(300)
def test_a_request_without_the_token_is_refused(desk):
    printed, base, _ = desk
    for url in (base, f"{base}?token=wrong-0123456789abcdef0123456789", f"{base}api/kernels"):
        status, body = _get(url)
        assert status in (302, 401, 403, 404), (url, status)
        assert "kernelId" not in body and "widget" not in body


@pytest.mark.timeout(300)
def test_the_page_and_its_kernel_answer_with_the_token(desk):
    printed, base, _ = desk
    token = _token(printed, base)
    status, html = _get(f"{base}?token={token}")
    assert status == 200 and "widget" in html
    kernel = re.search(r'"kernelId": "([0-9a-f-]{36})"', html)
    assert kernel, "the page names no kernel"
    ws = f"ws://127.0.0.1:{base.rsplit(':', 1)[1].strip('/')}/api/kernels/{kernel.group(1)}/channels"
    assert asyncio.run(_websocket_opens(f"{ws}?token={token}"))
    assert not asyncio.run(_websocket_opens(ws))  # the kernel refuses a websocket without it


async def _websocket_opens(url: str) -> bool:
    from tornado.httpclient import HTTPClientError
    from tornado.websocket import websocket_connect

    try:
        conn = await asyncio.wait_for(websocket_connect(url), timeout=30)
    except (HTTPClientError, OSError):
        return False
    conn.close()
    return True


def test_each_desk_app_gets_its_own_token_and_jupyter_token_is_honoured(monkeypatch):
    pytest.importorskip("voila")
    monkeypatch.delenv("JUPYTER_TOKEN", raising=False)
    first, second = bundled.desk_app(free_port()), bundled.desk_app(free_port())
    assert first.token and second.token and first.token != second.token and len(first.token) >= 32
    assert bundled.desk_url(first) == f"http://127.0.0.1:{first.port}/?token={first.token}"
    monkeypatch.setenv("JUPYTER_TOKEN", "")  # empty: still a random token, never none
    assert len(bundled.desk_app(free_port()).token) >= 32
    monkeypatch.setenv("JUPYTER_TOKEN", "a-token-the-operator-chose-0123456789")
    assert bundled.desk_app(free_port()).token == "a-token-the-operator-chose-0123456789"
