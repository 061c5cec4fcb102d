"""Shared test fixtures: the conformance vectors, small helpers to make backup files, and the helpers that drive
the forms as a person would (the samples, their passwords, an upload as the browser sends it, what a form shows)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from toolkit.format import container

if TYPE_CHECKING:  # the core install (the sdist's own test run) has no ipywidgets
    import ipywidgets as widgets

    from toolkit.widgets import OpenForm

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
DESKTOP = SAMPLES / "wallet-export.json"
LEGACY = SAMPLES / "concordium-backup.concordiumwallet"
OLD = SAMPLES / "wallet-export-old.json"
DAMAGED = SAMPLES / "wallet-export-damaged.json"


#: ``$CONCORDIUM_VECTORS``, else the copy in the repository (tests/vectors/, provenance in its README).
VECTORS = Path(os.environ.get("CONCORDIUM_VECTORS", ROOT / "tests" / "vectors"))

#: (file, password, plaintext file, kind) — passwords from tests/vectors/README.md
VECTOR_FILES = [
    ("desktop-reference.json", "reference-Pässword-1", "desktop-reference.plaintext.json", "desktop-wallet"),
    ("desktop-reference-old.json", "oldref-pass", "desktop-reference-old.plaintext.json", "desktop-wallet"),
    ("legacy-reference.concordiumwallet", "legacy-ref-pass", "legacy-reference.plaintext.json", "legacy-mobile-wallet"),
]


@pytest.fixture(scope="session")
def vectors_dir() -> Path:
    if not VECTORS.is_dir():  # committed test data: missing is a failure, never a skip
        pytest.fail(f"conformance vectors not found at {VECTORS} (set CONCORDIUM_VECTORS to their folder)")
    return VECTORS


def subprocess_env(**extra: str) -> dict[str, str]:
    """This process's environment for a child Python (``python -m toolkit``, a worker) that imports this checkout."""
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to a server's own process group (it and its kernels), SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


@contextlib.contextmanager
def desk_process(work: Path, **env: str) -> Iterator[tuple[subprocess.Popen[bytes], Path, int]]:
    """``concordium-backup desk`` started as a user starts it, from ``work`` with its own Jupyter folders there
    (``env`` added to the environment, e.g. ``JUPYTER_TOKEN``): (process, its output file, port); stopped after."""
    port = free_port()
    dirs = {f"JUPYTER_{d.upper()}_DIR": str(work / d) for d in ("config", "data", "runtime")}
    full_env = {**subprocess_env(), **dirs, "JUPYTER_PLATFORM_DIRS": "1", **env}
    log = work / "desk.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "toolkit", "desk", "--port", str(port)],
            cwd=work,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield proc, log, port
    finally:
        stop_process_group(proc)


def run_cli(args: list, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, env: dict | None = None):
    """``concordium-backup ARGS`` in this process with only ``env``'s passwords set: (exit code, stdout, stderr)."""
    from toolkit.cli import main

    for var in ("CONCORDIUM_BACKUP_PASSWORD", "CONCORDIUM_BACKUP_NEW_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    for k, v in (env or {}).items():
        monkeypatch.setenv(k, v)
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture()
def no_ledger_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ``LEDGER_PROXY_*`` from the environment: ledgerblue would send the check there instead."""
    monkeypatch.delenv("LEDGER_PROXY_ADDRESS", raising=False)
    monkeypatch.delenv("LEDGER_PROXY_PORT", raising=False)


def make_file(plaintext: bytes, password: str, *, iterations: int = 1000, layout: str = "desktop") -> bytes:
    """A backup file holding ``plaintext`` (few iterations: tests stay fast)."""
    return container.encrypt(plaintext, password, iterations=iterations, layout=layout)  # type: ignore[arg-type]


@pytest.fixture()
def page(tmp_path: Path) -> Iterator[object]:
    """A fresh headless Chromium page that reaches only 127.0.0.1 (the browser tests' one way to get a page)."""
    from tests.skins.test_browser import chromium_page

    with chromium_page(tmp_path) as pg:
        yield pg


def sample_password(path: Path) -> str:
    """The first line of the ``.password`` file beside a sample (as the notebooks read it)."""
    name = path.name.rsplit(".", 1)[0]
    return (SAMPLES / f"{name}.password").read_text(encoding="utf-8").splitlines()[0]


#: Every sample's password: none may show in a form's state.
ALL_PASSWORDS = sorted({line for p in SAMPLES.glob("*.password") for line in p.read_text("utf-8").splitlines()[:1]})


def deliver_upload(upload: widgets.FileUpload, path: Path, name: str | None = None) -> None:
    """What the browser sends when a file is chosen: the bytes arrive as a memoryview."""
    data = path.read_bytes()
    upload.set_state(
        {
            "value": [
                {
                    "name": name or path.name,
                    "type": "application/json",
                    "size": len(data),
                    "content": memoryview(data),
                    "last_modified": 1_700_000_000_000,
                }
            ]
        }
    )


def widget_state_text(form: widgets.Widget) -> str:
    """Everything the front-end would hold for ``form`` and the widgets inside it, as text."""
    from ipywidgets.embed import embed_data

    return json.dumps(embed_data(views=[form])["manager_state"], default=str, ensure_ascii=False)


def visible_text(form: widgets.Widget) -> str:
    """The form's status and results as text (HTML tags dropped), as far as HTML widgets hold them."""
    import ipywidgets as widgets

    parts: list[str] = []

    def walk(w: widgets.Widget) -> None:
        if isinstance(w, widgets.HTML):
            parts.append(w.value)
        for child in getattr(w, "children", ()):
            walk(child)

    walk(form)
    return re.sub(r"<[^>]+>", " ", " ".join(parts))


def assert_no_secret(form: widgets.Widget, *secrets: str) -> None:
    """No password (by default: no sample's) in the form's widget state, repr or kept error."""
    text = widget_state_text(form) + repr(form) + str(form.error or "")
    for secret in secrets or ALL_PASSWORDS:
        assert secret not in text


def opened_form(path: Path) -> OpenForm:
    """An Open form that has opened the sample ``path`` with its password."""
    from toolkit.widgets import OpenForm

    form = OpenForm()
    form.file.path.value = str(path)
    assert form.run(password=sample_password(path)) is not None
    return form


def progress_passes(form: Any, value: int, *, timeout: float) -> bool:
    """Until a recovery form's progress bar reports more than ``value`` tried candidates (an event, not a sleep)."""
    import threading

    passed = threading.Event()

    def seen(change: dict[str, Any]) -> None:
        if change["new"] > value:
            passed.set()

    form.progress.observe(seen, names="value")
    try:
        if form.progress.value > value:
            passed.set()
        return passed.wait(timeout)
    finally:
        form.progress.unobserve(seen, names="value")


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``served(mode)`` serves the page with ``mode`` (the kernel's page mode, for this test only)."""
    from toolkit.widgets import page

    def serve(mode: Any) -> Any:
        monkeypatch.setattr(page, "_SERVED", mode)
        return mode

    return serve


def walletdb_damage() -> Any:
    """``scripts/walletdb-fixtures/damage.py`` (how the damaged database fixtures were made), loaded as a module."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("damage", ROOT / "scripts" / "walletdb-fixtures" / "damage.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
