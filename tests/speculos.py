"""Speculos, Ledger's own emulator, running the real Concordium apps from tests/ledger-apps/ for the tests.

Speculos runs an app's ARM build under qemu-arm-static.  It listens on every
interface (not configurable): the tests talk to 127.0.0.1 only.  It silently
takes another APDU port when the one it is given is taken, so the port is
checked free first and the one it announces is compared.  It runs in its own
process group (it has a qemu child) and is stopped by that group's id.

The "other program" the busy-state tests need (the Desktop Wallet part-way
through something) is :meth:`Speculos.send` on a connection of its own.
Speculos logs every APDU it receives (``apdu: > HEX``): :meth:`Speculos.apdus`
is what reached the real app.

Where Speculos, qemu-arm-static or the apps are missing the tests are skipped,
except under CI (``CI`` set), where that is a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: ``$CONCORDIUM_LEDGER_APPS``, else the builds in the repository (tests/ledger-apps/, provenance in its README).
APPS = Path(os.environ.get("CONCORDIUM_LEDGER_APPS", ROOT / "tests" / "ledger-apps"))
#: The seed the Concordium app's own end-to-end tests use (tests/ledger-apps/README.md).
SEED = (
    "vendor sphere crew wise puppy wise stand wait tissue boy fortune myself hamster intact window garment"
    " negative dynamic permit genre limb work dial guess"
)
#: Its pairing key (m/1105'/0'), as the README gives it.
SEED_PAIRING_KEY = "250e0fdc4d2a1c99efa866ea41a4ed653aa9ff48b3e4f7b89c9c15b140dbd1bd"
APP_FILES = {
    "4.1.2": "concordium-4.1.2-nanosp.elf",
    "5.3.0": "concordium-5.3.0-nanosp.elf",
    "2.9.9": "concordium-2.9.9-nanosp.elf",
    "governance": "ccdgovernance-1.2.0-nanosp.elf",
}
START_TIMEOUT = 30.0


def answer(data_hex: str, sw: int) -> bytes:
    data = bytes.fromhex(data_hex)
    return len(data).to_bytes(4, "big") + data + sw.to_bytes(2, "big")


#: The real apps' raw answers (TCP framing: 4-byte length, data, status word), as measured in Speculos.
REAL = {
    "4.1.2": bytes.fromhex("00000014010a436f6e636f726469756d05342e312e3201009000"),
    "5.3.0": bytes.fromhex("00000014010a436f6e636f726469756d05352e332e3001009000"),
    "governance": bytes.fromhex("00000017010d434344476f7665726e616e636505312e322e3001009000"),
    "key": bytes.fromhex("00000020" + SEED_PAIRING_KEY + "9000"),
    "busy": bytes.fromhex("000000006b01"),
}


def speculos_command() -> str | None:
    """The speculos program: $SPECULOS, the project's .venv-speculos (scripts/test.sh makes it), or PATH."""
    for candidate in (os.environ.get("SPECULOS"), str(ROOT / ".venv-speculos" / "bin" / "speculos")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("speculos")


def require_speculos() -> str:
    """The speculos program, or skip (fail under CI) naming what is missing."""
    missing = []
    program = speculos_command()
    if program is None:
        missing.append("speculos (bash scripts/test.sh installs it into .venv-speculos)")
    if shutil.which("qemu-arm-static") is None:
        missing.append("qemu-arm-static (Debian package qemu-user-static)")
    absent = [name for name in APP_FILES.values() if not (APPS / name).is_file()]
    if absent:
        missing.append(f"the Ledger apps {', '.join(absent)} in {APPS}")
    if missing:
        text = "real-app Ledger tests need " + "; ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(text)
        pytest.skip(text)
    assert program is not None
    return program


def free_port() -> int:
    """A TCP port free on every interface (Speculos binds 0.0.0.0)."""
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        return s.getsockname()[1]


def frame(apdu: bytes) -> bytes:
    return struct.pack(">I", len(apdu)) + apdu


def read_answer(sock: socket.socket, timeout: float) -> bytes | None:
    """One raw answer (length, data, status word) as the device sent it; None if none came in time."""
    sock.settimeout(timeout)
    buf = b""
    try:
        while len(buf) < 4 or len(buf) < 4 + struct.unpack(">I", buf[:4])[0] + 2:
            chunk = sock.recv(4096)
            if not chunk:
                return None
            buf += chunk
    except TimeoutError:
        return None
    return buf


class Speculos:
    """One running Speculos with one app; a context manager."""

    def __init__(self, app: str) -> None:
        self.app = app
        self.elf = APPS / APP_FILES[app]
        self.port = 0
        self.api_port = 0
        self.proc: subprocess.Popen[str] | None = None
        self._lines: list[str] = []
        self._changed = threading.Condition()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> Speculos:
        program = require_speculos()
        for _attempt in range(3):
            self.port, self.api_port = free_port(), free_port()
            self._lines = []
            self.proc = subprocess.Popen(
                [program, "--model", "nanosp", "--display", "headless", "--seed", SEED]
                + ["--apdu-port", str(self.port), "--api-port", str(self.api_port), str(self.elf)],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
                start_new_session=True,  # its own process group: qemu is its child
            )
            threading.Thread(target=self._read_log, args=(self.proc,), daemon=True).start()
            line = self.wait_for_log(r"Server started on [\d.]+:(\d+)", START_TIMEOUT)
            if line is not None and int(re.search(r":(\d+)", line).group(1)) == self.port:  # type: ignore[union-attr]
                self._wait_for_api()
                return self
            self.stop()  # it took another port (ours was taken meanwhile) or never started
        raise RuntimeError("Speculos did not start:\n" + "".join(self._lines[-20:]))

    def _read_log(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            with self._changed:
                self._lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for_log(self, pattern: str, timeout: float) -> str | None:
        """The first log line matching ``pattern``, waiting up to ``timeout`` seconds for it."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = next((line for line in self._lines if regex.search(line)), None)
                left = deadline - time.monotonic()
                if found is not None or left <= 0 or (self.proc is not None and self.proc.poll() is not None):
                    return found
                self._changed.wait(min(left, 0.5))

    def apdus(self) -> list[bytes]:
        """Every APDU the app received, in order (from Speculos' log)."""
        with self._changed:
            return [bytes.fromhex(m.group(1)) for line in self._lines if (m := re.search(r"apdu: > ([0-9a-f]+)", line))]

    def _api(self, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.api_port}{path}",
            data=data,
            method="POST" if body is not None else "GET",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            text = response.read()
        return json.loads(text) if text.strip().startswith(b"{") else {}

    def _wait_for_api(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                self._api("/events?currentscreenonly=true")
                return
            except (OSError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    raise
                with self._changed:
                    self._changed.wait(0.05)

    def screen(self) -> list[str]:
        """The texts on the device's screen now."""
        return [event.get("text", "") for event in self._api("/events?currentscreenonly=true").get("events", [])]

    def wait_for_screen(self, text: str, timeout: float = 10.0) -> list[str]:
        """Wait until ``text`` is on the screen; return the screen (failing the test if it never shows)."""
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if text in shown:
                return shown
            if time.monotonic() > deadline:
                pytest.fail(f"{text!r} never showed on the Ledger's screen; it shows {shown}")
            with self._changed:
                self._changed.wait(0.05)

    def press(self, button: str) -> None:
        """Press and release ``left``, ``right`` or ``both``."""
        try:
            self._api(f"/button/{button}", {"action": "press-and-release"})
        except (OSError, urllib.error.URLError):
            if not self.wait_exit(10):
                raise  # an app that quits takes the API with it: that alone is not an error

    def connect(self) -> socket.socket:
        """A connection of the "other program" (the Desktop Wallet, say), to 127.0.0.1 only."""
        return socket.create_connection(("127.0.0.1", self.port), timeout=5)

    def send(self, apdu: bytes, timeout: float = 5.0) -> bytes | None:
        """What another program would do: send one APDU on its own connection and read the raw answer."""
        with self.connect() as sock:
            sock.sendall(frame(apdu))
            return read_answer(sock, timeout)

    def wait_exit(self, timeout: float) -> bool:
        """Whether Speculos exited (the app quit) within ``timeout`` seconds."""
        if self.proc is None:
            return True
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    def stop(self) -> None:
        """Stop Speculos and its qemu child: SIGTERM to its process group, SIGKILL if it lingers."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(10)
            else:  # it exited by itself (the app quit): make sure its qemu child did too
                os.killpg(proc.pid, signal.SIGKILL)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        except ProcessLookupError:
            pass

    def __enter__(self) -> Speculos:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
