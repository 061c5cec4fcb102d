"""What ships inside the package: the samples (``samples DIR``), the notebooks and the support-desk app (``desk``)."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES, desk_process, free_port
from toolkit import errors, open_backup
from toolkit.cli import main
from toolkit.ops import bundled

NOTEBOOKS = ROOT / "notebooks"


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------ samples


def test_in_a_checkout_the_bundles_are_its_folders() -> None:
    assert bundled.bundled_dir("samples") == SAMPLES
    assert bundled.bundled_dir("notebooks") == NOTEBOOKS
    assert bundled.desk_notebook() == NOTEBOOKS / "app-desk.ipynb"
    with pytest.raises(ValueError):
        bundled.bundled_dir("secrets")


def test_samples_copies_every_sample_with_its_password_file(tmp_path: Path, capsys) -> None:
    dest = tmp_path / "new" / "samples"
    code, out, _ = run_cli(["samples", str(dest)], capsys)
    assert code == 0
    expected = sorted(p.name for p in SAMPLES.iterdir() if p.is_file())
    assert sorted(p.name for p in dest.iterdir()) == expected
    for name in expected:
        assert (dest / name).read_bytes() == (SAMPLES / name).read_bytes()
    for backup in [*dest.glob("*.json"), *dest.glob("*.concordiumwallet")]:
        assert backup.with_suffix(".password").is_file(), backup.name  # every backup has its password beside it
    password = (dest / "wallet-export.password").read_text(encoding="utf-8").splitlines()[0]
    assert len(open_backup(dest / "wallet-export.json", password).records("accounts")) == 12
    assert f"Copied {len(expected)} files" in out
    assert "--password-file" in out  # what to try next


def test_samples_never_replaces_a_file_and_writes_nothing_then(tmp_path: Path, capsys) -> None:
    (tmp_path / "wallet-export.json").write_text("mine", encoding="utf-8")
    code, out, err = run_cli(["samples", str(tmp_path)], capsys)
    assert code == 2
    assert "output-exists" in err and "wallet-export.json" in err
    assert "--force" not in err  # there is none to give
    assert (tmp_path / "wallet-export.json").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wallet-export.json"]  # nothing else written


def test_samples_into_a_file_is_refused(tmp_path: Path, capsys) -> None:
    target = tmp_path / "a-file"
    target.write_text("x", encoding="utf-8")
    code, _, err = run_cli(["samples", str(target), "--json"], capsys)
    assert code == 2 and "write-failed" in err or "write-failed" in capsys.readouterr().out


def test_samples_json_and_library(tmp_path: Path, capsys) -> None:
    code, out, _ = run_cli(["samples", str(tmp_path / "d"), "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert "wallet-export.password" in data["files"]
    with pytest.raises(errors.OutputExistsError):
        bundled.copy_samples(tmp_path / "d")


# ------------------------------------------------------------------ packaging


def test_every_package_is_listed_with_the_bundles() -> None:
    """pyproject lists the packages (the bundles are mapped from their folders): none may be forgotten."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "toolkit").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    listed = set(config["packages"])
    assert not found - listed, f"add {sorted(found - listed)} to [tool.setuptools] packages in pyproject.toml"
    assert listed == found | {"toolkit.samples", "toolkit.notebooks"}
    assert config["package-dir"] == {"toolkit.samples": "data/samples", "toolkit.notebooks": "notebooks"}
    assert (ROOT / "toolkit" / "py.typed").is_file()
    assert "Apache License" in (ROOT / "LICENSE").read_text(encoding="utf-8")


# ------------------------------------------------------------------ the support desk


def test_desk_app_sets_the_upload_limit_whatever_the_folder_says(tmp_path: Path, monkeypatch) -> None:
    pytest.importorskip("voila")
    (tmp_path / "voila.json").write_text(
        json.dumps({"Voila": {"tornado_settings": {"websocket_max_message_size": 1024}, "ip": "0.0.0.0", "port": 1}}),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    port = free_port()
    app = bundled.desk_app(port)
    assert app.tornado_settings["websocket_max_message_size"] == bundled.WEBSOCKET_MAX_MESSAGE_SIZE
    assert bundled.WEBSOCKET_MAX_MESSAGE_SIZE > 96 * 1024 * 1024  # above the largest upload
    assert app.ip == "127.0.0.1" and app.port == port and app.port_retries == 0
    assert Path(app.notebook_path) == bundled.desk_notebook()
    assert app.open_browser is False


def test_desk_refuses_a_port_in_use(capsys) -> None:
    pytest.importorskip("voila")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        code, _, err = run_cli(["desk", "--port", str(taken.getsockname()[1])], capsys)
    assert code == 2 and "invalid-argument" in err and "in use" in err


@pytest.mark.timeout(180)
def test_desk_serves_the_app_from_an_empty_folder(tmp_path: Path) -> None:
    """``concordium-backup desk`` run where there is no checkout: prints its address and serves the app there."""
    pytest.importorskip("voila")
    with desk_process(tmp_path) as (proc, log, port):
        deadline = time.monotonic() + 120
        while f"http://127.0.0.1:{port}/" not in log.read_text(errors="replace"):
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.2)
        token = re.search(r"\?token=([\w-]+)", log.read_text(errors="replace")).group(1)  # type: ignore[union-attr]
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/?token={token}", timeout=60) as page:
                    html = page.read().decode("utf-8", "replace")
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
                time.sleep(0.5)
        assert page.status == 200
        assert "widget" in html  # Voilà's page for the notebook's widgets
        assert "Traceback" not in html and str(ROOT) not in html  # no code or path for the page's users
        printed = log.read_text(errors="replace").splitlines()[0]
        assert printed.startswith(f"Support desk: http://127.0.0.1:{port}/")
        kernel = re.search(r'"kernelId": "([0-9a-f-]{36})"', html)
        assert kernel, "the page names no kernel"
        assert kernel_takes_a_message(
            port, kernel.group(1), 20 * 1024 * 1024, token
        )  # tornado's default limit is 10 MiB


def kernel_takes_a_message(port: int, kernel_id: str, size: int, token: str = "") -> bool:
    """Send one ``size``-byte message on the page's kernel websocket, as an upload is sent: is the connection
    still open after it (not closed 1009, "message too big")?"""
    from tornado.iostream import StreamClosedError
    from tornado.websocket import WebSocketClosedError, websocket_connect

    message = json.dumps(
        {
            "header": {"msg_id": "t", "msg_type": "comm_msg", "session": "t", "username": "", "version": "5.3"},
            "parent_header": {},
            "metadata": {},
            "content": {"comm_id": "not-a-comm", "data": {"blob": "x" * size}},
            "channel": "shell",
        }
    )

    async def send() -> bool:
        conn = await websocket_connect(
            f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels?token={token}", max_message_size=2**28
        )
        try:
            try:
                await conn.write_message(message)
            except (WebSocketClosedError, StreamClosedError):  # closed while it was being sent
                return False
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:  # whatever the kernel says; None when the server closed it
                try:
                    if await asyncio.wait_for(conn.read_message(), timeout=deadline - time.monotonic()) is None:
                        return False
                except TimeoutError:
                    break
            return conn.close_code is None
        finally:
            conn.close()

    return asyncio.run(send())
