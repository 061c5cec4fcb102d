"""recover-password under hostile conditions: signals, a killed parent, forged checkpoints, huge or endless inputs.

Every wait here is on an event (progress shown, a process gone) with a timeout, never a fixed sleep.
"""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
import time

import psutil
import pytest

from tests.conftest import make_file, subprocess_env
from toolkit.ops.recovery import checkpoint as cp

DESKTOP_PT = b'{"accounts":[],"identities":[],"addressBook":[],"credentials":[],"wallets":[]}'
PASSWORD = "Tr0ub4dor&3"
WORDS = [f"guess-{i:05d}" for i in range(2500)]


def _limit_memory() -> None:  # a regression must fail the test, not exhaust the machine
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


@pytest.fixture()
def slow_case(tmp_path):
    backup = tmp_path / "wallet-export.json"
    backup.write_bytes(make_file(DESKTOP_PT, PASSWORD, iterations=10_000))
    listing = tmp_path / "list.txt"
    listing.write_text("\n".join([*WORDS, PASSWORD]) + "\n")
    return backup, listing


class Running:
    """The CLI as a child process, with a wait for its workers to be busy searching."""

    def __init__(self, argv: list[str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "toolkit", *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=subprocess_env(),
            start_new_session=True,
        )

    def workers(self) -> list[psutil.Process]:
        return psutil.Process(self.proc.pid).children(recursive=True)

    def wait_for_progress(self, cpu_seconds: float = 1.0, timeout: float = 90) -> list[psutil.Process]:
        """Until the worker processes have spent ``cpu_seconds`` searching (several ranges done)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                workers = self.workers()
                if len(workers) >= 2 and sum(w.cpu_times().user for w in workers) >= cpu_seconds:
                    return workers
            except psutil.NoSuchProcess:
                pass
            time.sleep(0.05)  # polling a state, not asserting after a sleep
        raise AssertionError(f"no search progress (exit {self.proc.poll()})")

    def finish(self, timeout: float = 60) -> tuple[int, str, str]:
        out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, out.decode(), err.decode(errors="replace")


def _argv(backup, listing, ckpt, *more) -> list[str]:
    return ["recover-password", str(backup), "--candidates", str(listing), "--checkpoint", str(ckpt)] + [
        "--workers",
        "2",
        *map(str, more),
    ]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_signal_stops_cleanly_keeps_checkpoint_leaves_no_orphans_or_output(slow_case, tmp_path, sig):
    backup, listing = slow_case
    ckpt, target = tmp_path / "ckpt.json", tmp_path / "found.txt"
    run = Running(_argv(backup, listing, ckpt, "--output", target))
    workers = run.wait_for_progress()
    assert not target.exists()  # created only when there is something to write
    if sig == signal.SIGINT:
        os.killpg(run.proc.pid, sig)  # as Ctrl-C does: the whole process group
    else:
        run.proc.send_signal(sig)  # as `kill PID` does: the parent only
    code, out, err = run.finish()
    assert code == 128 + sig, (out, err)
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert "Stopped after" in out
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive
    assert not target.exists()
    saved = cp.load(ckpt)
    assert saved is not None and 0 < saved.tried < len(WORDS) + 1
    text = ckpt.read_text()
    assert not any(w in text for w in WORDS[:50]) and PASSWORD not in text

    done = subprocess.run(
        [sys.executable, "-m", "toolkit", *_argv(backup, listing, ckpt), "--json"],
        capture_output=True,
        timeout=120,
        env=subprocess_env(),
    )
    obj = json.loads(done.stdout)
    assert done.returncode == 0, done.stderr
    assert obj["found"] is True and obj["password"] == PASSWORD and obj["tried"] == len(WORDS) + 1
    assert f"Resuming: {saved.tried:,} already tried" in done.stderr.decode()
    assert not ckpt.exists()


def test_workers_die_with_a_killed_parent(slow_case, tmp_path):
    backup, listing = slow_case
    run = Running(_argv(backup, listing, tmp_path / "ckpt.json"))
    workers = run.wait_for_progress()
    run.proc.kill()
    run.finish()
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive, "worker processes outlived their parent"


def test_forged_complete_checkpoint_is_refused_and_kept(slow_case, tmp_path):
    backup, listing = slow_case
    ckpt = tmp_path / "ckpt.json"
    run = Running(_argv(backup, listing, ckpt, "--json"))
    run.wait_for_progress()
    os.killpg(run.proc.pid, signal.SIGINT)
    assert run.finish()[0] == 130
    forged = json.loads(ckpt.read_text())
    forged["done"], forged["doneRanges"] = forged["total"], []
    ckpt.write_text(json.dumps(forged))

    done = subprocess.run(
        [sys.executable, "-m", "toolkit", *_argv(backup, listing, ckpt), "--json"],
        capture_output=True,
        timeout=60,
        env=subprocess_env(),
    )
    assert done.returncode == 2, done.stdout
    assert json.loads(done.stdout)["error"]["code"] == "invalid-checkpoint"
    assert ckpt.exists()


def test_huge_search_is_estimated_and_needs_yes(tmp_path):
    backup = tmp_path / "wallet-export.json"
    backup.write_bytes(make_file(DESKTOP_PT, PASSWORD, iterations=10_000))
    listing = tmp_path / "one.txt"
    listing.write_text("abcdefghijklmnopqrst\n")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "toolkit", "recover-password", str(backup), "--candidates", str(listing)]
        + ["--typos", "3", "--json", "--no-checkpoint"],
        capture_output=True,
        timeout=60,
        env=subprocess_env(),
    )
    assert done.returncode == 2
    assert json.loads(done.stdout)["error"]["code"] == "confirm-needed"
    # 121,234,260 since issue 23 (replace typos by keyboard neighbour are a default kind)
    assert re.search(r"At most 121,234,260 candidates: about [\d.,]+ (h|days)", done.stderr.decode())
    assert time.monotonic() - started < 30  # estimated, not counted


@pytest.mark.parametrize(
    "argv",
    [
        ["recover-password", "{backup}", "--candidates", "/dev/zero"],
        ["inspect", "{backup}", "--password-file", "/dev/zero"],
    ],
)
def test_endless_lines_are_refused(tmp_path, argv):
    backup = tmp_path / "wallet-export.json"
    backup.write_bytes(make_file(DESKTOP_PT, PASSWORD))
    argv = [a.format(backup=backup) for a in argv]
    done = subprocess.run(
        [sys.executable, "-m", "toolkit", *argv, "--json"],
        capture_output=True,
        timeout=60,
        env=subprocess_env(),
        preexec_fn=_limit_memory,
    )
    assert done.returncode == 2, done.stderr
    assert json.loads(done.stdout)["error"]["code"] == "line-too-long"
