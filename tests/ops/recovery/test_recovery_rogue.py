"""A hostile Dask worker (a real ``dask worker --preload tests/rogue_worker.py`` process) against a real scheduler
on 127.0.0.1: nothing it sends runs code in the client, its lies are caught by validation or the spot-check, and
every failure is a coded error.  Also: plain tcp:// needs the opt-in, and a scheduler that never answers is a
coded error in bounded time.
"""

from __future__ import annotations

import json
import os
import pickle
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from tests.conftest import ROOT, make_file, subprocess_env  # noqa: E402
from tests.dask_cluster import local_cluster  # noqa: E402
from toolkit import errors  # noqa: E402
from toolkit.ops.recovery import Candidates, PasswordSearch  # noqa: E402
from toolkit.ops.recovery.cluster import DaskEngine, connect  # noqa: E402

DESKTOP_PT = b'{"accounts":[],"identities":[],"addressBook":[],"credentials":[],"wallets":[]}'
PASSWORD = "Blue-Harbour-42"
WORDS = [f"decoy-{i:04d}-x" for i in range(40)] + [PASSWORD] + [f"after-{i:04d}-y" for i in range(10)]
ROGUE = ROOT / "tests" / "rogue_worker.py"


class Rogue:
    def __init__(self, address: str, folder: Path, mode_file: Path, cluster) -> None:
        self.address, self.folder, self.mode_file, self.cluster = address, folder, mode_file, cluster

    def mode(self, mode: str) -> None:
        self.mode_file.write_text(mode)

    def ran_here(self, pid: int | None = None) -> bool:
        """Did the payload run in this process (the client)?"""
        return (self.folder / f"ran-in-{pid or os.getpid()}").exists()


@pytest.fixture(scope="module")
def rogue(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rogue")
    mode_file = folder / "mode"
    mode_file.write_text("honest")
    env = {"ROGUE_MARKER_DIR": str(folder), "ROGUE_MODE_FILE": str(mode_file)}
    with local_cluster(folder / "dask", workers=1, preload=ROGUE, env=env) as c:
        yield Rogue(c.address, folder, mode_file, c)


@pytest.fixture(scope="module")
def backup() -> bytes:
    return make_file(DESKTOP_PT, PASSWORD, iterations=1000)


def _search(backup: bytes, address: str, **engine) -> tuple[PasswordSearch, DaskEngine]:
    return PasswordSearch(backup, Candidates(words=WORDS)), DaskEngine(address, insecure=True, **engine)


def test_the_payload_runs_code_when_unpickled(rogue):
    """The control: what the rogue sends does run code in whoever unpickles it (here, this process)."""
    from tests import rogue_worker

    rogue_worker.MARKER_DIR = str(rogue.folder)
    marker = rogue.folder / f"ran-in-{os.getpid()}"
    pickle.loads(pickle.dumps(rogue_worker.Payload()))
    assert marker.exists()
    marker.unlink()


@pytest.mark.parametrize("mode", ["pickle", "topickle"])
def test_a_pickled_answer_never_runs_in_the_client(rogue, backup, mode):
    rogue.mode(mode)
    search, engine = _search(backup, rogue.address)
    with pytest.raises(errors.ClusterAnswerError) as caught:
        search.run(engine, range_size=10)
    assert caught.value.code == "cluster-bad-answer"
    assert "worker tcp://127.0.0.1:" in caught.value.message
    assert not rogue.ran_here()


@pytest.mark.parametrize("mode", ["type", "error"])
def test_pickled_types_and_exceptions_never_run_in_the_client(rogue, backup, mode):
    rogue.mode(mode)
    search, engine = _search(backup, rogue.address)
    if mode == "type":  # the answers are right: the search goes on, the types are simply not loaded
        result = search.run(engine, range_size=10)
        assert result.found and result.password == PASSWORD
    else:
        with pytest.raises(errors.ClusterAnswerError) as caught:  # a task's error comes pickled: not loaded
            search.run(engine, range_size=10)
        assert caught.value.code == "cluster-bad-answer" and "does not load" in caught.value.message
    time.sleep(0.5)  # an event the scheduler relays would have arrived by now
    assert not rogue.ran_here()
    assert rogue.cluster.logs().count("ran-in-") == 0  # nothing echoed the payload's code into a log


@pytest.mark.parametrize(
    ("mode", "says"),
    [
        ("negative", "a match outside"),
        ("outside", "a match outside"),
        ("many", "matches in one range"),
        ("text", "an answer of type str"),
        ("short", "tried 0 of candidates"),
    ],
)
def test_an_answer_outside_its_range_is_a_coded_error(rogue, backup, mode, says):
    rogue.mode(mode)
    search, engine = _search(backup, rogue.address)
    with pytest.raises(errors.ClusterAnswerError) as caught:
        search.run(engine, range_size=10)
    assert caught.value.code == "cluster-bad-answer" and says in caught.value.message
    assert search.tried == 0  # nothing it said was counted


def test_a_claimed_hit_the_client_refuses_is_a_disagreement(rogue, backup):
    rogue.mode("claim")
    search, engine = _search(backup, rogue.address)
    with pytest.raises(errors.ClusterDisagreementError) as caught:
        search.run(engine, range_size=10)
    assert caught.value.code == "cluster-disagreement" and "worker tcp://127.0.0.1:" in caught.value.message


def test_a_lie_passes_as_the_workers_word_and_the_spot_check_catches_it(rogue, backup):
    rogue.mode("lie")
    search, engine = _search(backup, rogue.address)
    result = search.run(engine, range_size=10)
    assert not result.found and result.status == "exhausted"
    assert result.trusted is False and result.spot_checked == 0  # "not found by the cluster's workers"

    search, engine = _search(backup, rogue.address, spot_check=1.0)
    result = search.run(engine, range_size=10)
    assert result.found and result.password == PASSWORD  # this computer's own check found what it hid
    assert len(result.failed_workers) == 1 and result.failed_workers[0].startswith("worker tcp://127.0.0.1:")
    assert result.spot_checked >= 41

    rogue.mode("honest")
    search, engine = _search(backup, rogue.address, spot_check=0.2)
    result = search.run(engine, range_size=10)
    assert result.found and not result.failed_workers and 0 < result.spot_checked < len(WORDS)


def _cli(*argv: str, timeout: float = 120) -> tuple[int, dict, str, float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "toolkit", "recover-password", *argv, "--json", "--no-progress", "--no-checkpoint"],
        capture_output=True,
        timeout=timeout,
        env=subprocess_env(),
    )
    return done.returncode, json.loads(done.stdout or b"{}"), done.stderr.decode(), time.monotonic() - started


def test_the_cli_says_one_coded_line_and_the_exhausted_words(rogue, backup, tmp_path):
    wallet = tmp_path / "w.json"
    wallet.write_bytes(backup)
    listing = tmp_path / "list.txt"
    listing.write_text("\n".join(WORDS) + "\n")
    rogue.mode("outside")
    code, obj, err, _ = _cli(
        str(wallet), "--candidates", str(listing), "--cluster", rogue.address, "--insecure-cluster"
    )
    assert code == 2 and obj["error"]["code"] == "cluster-bad-answer", err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines[-1].startswith("concordium-backup: cluster-bad-answer: worker tcp://127.0.0.1:")
    assert "Traceback" not in err and "Failed to deserialize" not in err

    rogue.mode("pickle")
    code, obj, err, _ = _cli(
        str(wallet), "--candidates", str(listing), "--cluster", rogue.address, "--insecure-cluster"
    )
    assert code == 2 and obj["error"]["code"] == "cluster-bad-answer", err
    assert "Traceback" not in err and "Failed to deserialize" not in err

    rogue.mode("lie")
    done = subprocess.run(
        [sys.executable, "-m", "toolkit", "recover-password", str(wallet), "--candidates", str(listing)]
        + ["--cluster", rogue.address, "--insecure-cluster", "--no-progress", "--no-checkpoint"],
        capture_output=True,
        timeout=120,
        env=subprocess_env(),
    )
    assert done.returncode == 1
    assert b"not found by the cluster's workers" in done.stdout and b"--spot-check" in done.stdout

    code, obj, err, _ = _cli(
        str(wallet), "--candidates", str(listing), "--cluster", rogue.address, "--insecure-cluster", "--spot-check", "1"
    )
    assert code == 0 and obj["password"] == PASSWORD and obj["failedWorkers"], err
    assert "concordium-backup: warning: cluster-disagreement: worker tcp://127.0.0.1:" in err


def test_plain_tcp_needs_the_opt_in(rogue, backup, tmp_path):
    with pytest.raises(errors.InsecureClusterError) as caught:
        DaskEngine(rogue.address)
    assert caught.value.code == "insecure-cluster" and "anyone who reaches it" in caught.value.message
    assert "--" not in caught.value.message  # the library names no flag
    with pytest.raises(errors.InvalidArgumentError):
        DaskEngine(object(), insecure=True)  # a client made elsewhere would load pickles

    wallet = tmp_path / "w.json"
    wallet.write_bytes(backup)
    listing = tmp_path / "list.txt"
    listing.write_text("x" * 8 + "\n")
    code, obj, err, _ = _cli(str(wallet), "--candidates", str(listing), "--cluster", rogue.address)
    assert code == 2 and obj["error"]["code"] == "insecure-cluster"
    assert "--insecure-cluster" in obj["error"]["message"] and "Traceback" not in err

    from toolkit.widgets import RecoveryForm

    form = RecoveryForm()
    form.file.path.value = str(wallet)
    form.words.value = "x" * 8
    form.cluster.value = rogue.address
    assert form.run(timeout=60) is None
    assert form.error is not None and form.error.code == "insecure-cluster"
    assert "Allow a plain tcp:// cluster" in form.status.value and "--" not in form.status.value


def test_a_client_from_connect_is_accepted(rogue, backup):
    rogue.mode("honest")
    client = connect(rogue.address, insecure=True)
    try:
        result = PasswordSearch(backup, Candidates(words=WORDS)).run(DaskEngine(client), range_size=10)
        assert result.found and result.password == PASSWORD
        assert client.status == "running"  # a given client is the caller's to close
    finally:
        client.close()


def test_a_scheduler_that_never_answers_is_a_coded_error_in_bounded_time(tmp_path):
    """A peer that accepts the connection and says nothing: once a wait without end."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        wallet = tmp_path / "w.json"
        wallet.write_bytes(make_file(DESKTOP_PT, PASSWORD, iterations=1000))
        listing = tmp_path / "list.txt"
        listing.write_text("x" * 8 + "\n")
        address = "tcp://127.0.0.1:%d" % server.getsockname()[1]  # noqa: UP031
        code, obj, err, took = _cli(
            str(wallet), "--candidates", str(listing), "--cluster", address, "--insecure-cluster",
            "--cluster-timeout", "3", timeout=90,
        )  # fmt: skip
        assert code == 2 and obj["error"]["code"] == "cluster-unreachable", err
        assert len([line for line in err.splitlines() if line.strip()]) == 1, err
        assert "Traceback" not in err and took < 30
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        server.close()
