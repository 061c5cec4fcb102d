"""Password recovery on a real Dask cluster: a scheduler and two workers as separate processes on 127.0.0.1.

Covers: finding the forgotten sample's password; exhausting with the exact count; a worker killed
with SIGKILL mid-search; a client stopped mid-search and resumed on a fresh cluster (no range
twice); TLS with certificates made here (and a plain tcp:// client refused); an unreachable
scheduler; and that no candidate reaches the scheduler's or workers' logs, task keys or the
checkpoint.
"""

from __future__ import annotations

import datetime
import ipaddress
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

pytest.importorskip("distributed")

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID  # noqa: E402

from tests.conftest import SAMPLES, free_port, make_file, subprocess_env  # noqa: E402
from tests.dask_cluster import local_cluster, start_worker, wait_until  # noqa: E402
from toolkit import errors  # noqa: E402
from toolkit.ops.recovery import Candidates, PasswordSearch  # noqa: E402
from toolkit.ops.recovery import checkpoint as cp  # noqa: E402
from toolkit.ops.recovery import cluster as dask_cluster
from toolkit.ops.recovery.cluster import DaskEngine  # noqa: E402

DESKTOP_PT = b'{"accounts":[],"identities":[],"addressBook":[],"credentials":[],"wallets":[]}'
PASSWORD = "Blue-Harbour-42"
WORDS = [f"decoy-{i:04d}-x" for i in range(240)]
FORGOTTEN = SAMPLES / "wallet-export-forgotten.json"
FORGOTTEN_LIST = SAMPLES / "forgotten-candidates.txt"


def _cli(*argv: str, timeout: float = 120) -> tuple[int, dict, str, float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "toolkit", "recover-password", *argv, "--json", "--no-progress"],
        capture_output=True,
        timeout=timeout,
        env=subprocess_env(),
    )
    return done.returncode, json.loads(done.stdout), done.stderr.decode(), time.monotonic() - started


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with local_cluster(tmp_path_factory.mktemp("dask")) as c:
        yield c


@pytest.fixture(scope="module")
def backup(tmp_path_factory) -> bytes:
    return make_file(DESKTOP_PT, PASSWORD, iterations=2000)


def _record_submits(monkeypatch) -> list[tuple[str, int, int]]:
    """Every (task key, start, end) the Dask engine submits."""
    seen: list[tuple[str, int, int]] = []
    original = dask_cluster.DaskEngine.submit

    def submit(self, start, end):
        future = original(self, start, end)
        seen.append((str(future.key), start, end))
        return future

    monkeypatch.setattr(dask_cluster.DaskEngine, "submit", submit)
    return seen


def _assert_no_candidate(text: str, candidates: list[str]) -> None:
    leaked = [c for c in candidates if c in text]
    assert not leaked, f"{len(leaked)} candidates leaked, e.g. one of length {len(leaked[0])}"


def test_finds_the_forgotten_sample_and_exhausts_exactly(cluster, tmp_path):
    expected = (SAMPLES / "wallet-export-forgotten.password").read_text().strip("\n")
    code, obj, err, _ = _cli(
        str(FORGOTTEN),
        "--candidates",
        str(FORGOTTEN_LIST),
        "--typos",
        "1",
        "--cluster",
        cluster.address,
        "--insecure-cluster",
        "--checkpoint",
        str(tmp_path / "c1"),
    )
    assert code == 0, err
    assert obj["found"] is True and obj["password"] == expected
    assert obj["engine"] == "dask" and obj["workers"] == 2
    assert expected not in err

    listing = tmp_path / "list.txt"
    listing.write_text("\n".join(WORDS) + "\n")
    wallet = tmp_path / "w.json"
    wallet.write_bytes(make_file(DESKTOP_PT, PASSWORD, iterations=2000))
    code, obj, err, _ = _cli(
        str(wallet),
        "--candidates",
        str(listing),
        "--cluster",
        cluster.address,
        "--insecure-cluster",
        "--checkpoint",
        str(tmp_path / "c2"),
    )
    assert code == 1, err
    assert obj == {
        "found": False,
        "password": None,
        "tried": len(WORDS),
        "total": len(WORDS),
        "engine": "dask",
        "workers": 2,
        "trusted": False,  # "not found by the cluster's workers": their word
        "spotChecked": 0,
    }


def test_no_candidate_in_logs_task_keys_or_checkpoint(cluster, backup, tmp_path, monkeypatch):
    submits = _record_submits(monkeypatch)
    words = [*WORDS, PASSWORD]
    ckpt = tmp_path / "ckpt.json"
    saved_texts: list[str] = []
    search = PasswordSearch(backup, Candidates(words=words, typos=1, typo_kinds=["case"]), checkpoint=ckpt)
    first = search.run(DaskEngine(cluster.address, insecure=True), range_size=20, stop=lambda: search.tried >= 60)
    assert first.stopped and ckpt.exists()
    saved_texts.append(ckpt.read_text())
    second = PasswordSearch(backup, Candidates(words=words, typos=1, typo_kinds=["case"]), checkpoint=ckpt)
    result = second.run(DaskEngine(cluster.address, insecure=True), range_size=20)
    assert result.found and result.password == PASSWORD
    everything = list(Candidates(words=words, typos=1, typo_kinds=["case"]))
    keys = " ".join(k for k, _, _ in submits)
    assert submits and all(k.startswith("concordium-recovery-") for k, _, _ in submits)
    _assert_no_candidate(cluster.logs(), everything)
    _assert_no_candidate(keys, everything)
    _assert_no_candidate(" ".join(saved_texts), everything)


def test_a_worker_killed_mid_search_is_redone_exactly(cluster, backup):
    words = [f"w{i:05d}-guess" for i in range(400)]
    victim = start_worker(cluster, 2)  # a third worker, the one to kill (the module's cluster keeps two)
    wait_until(lambda: cluster.registered() >= 3, "the third worker")
    killed = threading.Event()
    search = PasswordSearch(backup, Candidates(words=words))

    def kill_once_under_way() -> bool:  # the stop signal is looked at between ranges: a state, not a sleep
        if search.tried >= 40 and not killed.is_set():
            os.kill(victim.pid, signal.SIGKILL)
            killed.set()
        return False

    result = search.run(DaskEngine(cluster.address, insecure=True), range_size=10, stop=kill_once_under_way)
    assert killed.is_set() and victim.wait(10) == -signal.SIGKILL
    assert not result.found and not result.stopped
    assert result.tried == result.total == len(words)  # nothing skipped, nothing counted twice

    found = PasswordSearch(backup, Candidates(words=[*words[:100], PASSWORD])).run(
        DaskEngine(cluster.address, insecure=True), range_size=10
    )
    assert found.found and found.password == PASSWORD


def test_client_stopped_then_resumed_on_a_fresh_cluster(cluster, backup, tmp_path, monkeypatch):
    submits = _record_submits(monkeypatch)
    words = [f"w{i:05d}-guess" for i in range(300)] + [PASSWORD]
    ckpt = tmp_path / "ckpt.json"
    with local_cluster(tmp_path / "first") as c:
        search = PasswordSearch(backup, Candidates(words=words), checkpoint=ckpt)
        first = search.run(DaskEngine(c.address, insecure=True), range_size=10, stop=lambda: search.tried >= 50)
    assert first.stopped and 0 < first.tried < len(words)
    saved = cp.load(ckpt)
    assert saved is not None and saved.tried == first.tried
    before = len(submits)
    # The module's cluster is a fresh one for this search: it never saw the first part.
    resumed = PasswordSearch(backup, Candidates(words=words), checkpoint=ckpt)
    second = resumed.run(DaskEngine(cluster.address, insecure=True), range_size=10)
    assert second.found and second.password == PASSWORD and second.resumed == first.tried
    again = [(s, e) for _, s, e in submits[before:]]
    assert len(again) == len(set(again))  # no range twice in the second run
    assert not any(saved.is_done(i) for s, e in again for i in range(s, e))  # nor one the first run finished
    resumed.forget()
    assert not ckpt.exists()


def test_unreachable_scheduler_is_a_clear_error_in_bounded_time(tmp_path):
    code, obj, err, took = _cli(
        str(FORGOTTEN),
        "--candidates",
        str(FORGOTTEN_LIST),
        "--cluster",
        f"tcp://127.0.0.1:{free_port()}",
        "--insecure-cluster",
        "--cluster-timeout",
        "3",
        "--no-checkpoint",
    )
    assert code == 2 and obj["error"]["code"] == "cluster-unreachable"
    assert "Traceback" not in err and took < 30


def _make_certificates(folder) -> dict[str, str]:
    """A CA and one certificate (server and client use) for 127.0.0.1, as PEM files."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), False)
        .sign(ca_key, hashes.SHA256())
    )
    files = {"ca": folder / "ca.pem", "cert": folder / "cert.pem", "key": folder / "key.pem"}
    files["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files["key"].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return {k: str(v) for k, v in files.items()}


def test_tls_cluster_works_and_refuses_plain_tcp(tmp_path):
    tls = _make_certificates(tmp_path)
    listing = tmp_path / "list.txt"
    listing.write_text("\n".join([*WORDS[:30], PASSWORD]) + "\n")
    wallet = tmp_path / "w.json"
    wallet.write_bytes(make_file(DESKTOP_PT, PASSWORD, iterations=2000))
    with local_cluster(tmp_path / "dask", tls=tls) as c:
        assert c.address.startswith("tls://")
        flags = ["--tls-ca", tls["ca"], "--tls-cert", tls["cert"], "--tls-key", tls["key"]]
        code, obj, err, _ = _cli(
            str(wallet), "--candidates", str(listing), "--cluster", c.address, *flags, "--no-checkpoint"
        )
        assert code == 0, err
        assert obj["found"] is True and obj["password"] == PASSWORD and obj["engine"] == "dask"

        plain = c.address.replace("tls://", "tcp://")
        code, obj, err, took = _cli(
            str(wallet),
            "--candidates",
            str(listing),
            "--cluster",
            plain,
            "--insecure-cluster",
            "--cluster-timeout",
            "3",
            "--no-checkpoint",
        )
        assert code == 2 and obj["error"]["code"] == "cluster-unreachable", err
        assert "tls://" in obj["error"]["message"] and took < 30
        assert "Traceback" not in err

        from toolkit.widgets import RecoveryForm

        form = RecoveryForm()  # the form's TLS fields reach the same cluster
        form.file.path.value = str(wallet)
        form.candidates_file.path.value = str(listing)
        form.cluster.value = c.address
        form.tls_ca.value, form.tls_cert.value, form.tls_key.value = tls["ca"], tls["cert"], tls["key"]
        result = form.run(timeout=120)
        assert result is not None, (form.error, form.status.value)
        assert result.found and result.engine == "dask"
        _assert_no_candidate(c.logs(), [*WORDS[:30], PASSWORD])


def test_tls_files_go_together_in_the_library_cli_and_form(tmp_path):
    from toolkit.ops.recovery.cluster import tls_security
    from toolkit.widgets import RecoveryForm

    pem = tmp_path / "ca.pem"
    pem.write_text("-----BEGIN CERTIFICATE-----\n")
    assert tls_security(None, None, None) is None
    with pytest.raises(errors.InvalidArgumentError) as caught:
        tls_security(pem, None, None)
    assert caught.value.subject == "tls"
    with pytest.raises(errors.CannotReadError):
        tls_security(pem, tmp_path / "missing.pem", pem)

    wallet = tmp_path / "w.json"
    wallet.write_bytes(make_file(DESKTOP_PT, PASSWORD, iterations=2000))
    listing = tmp_path / "list.txt"
    listing.write_text("x\n")
    code, obj, err, _ = _cli(
        str(wallet), "--candidates", str(listing), "--cluster", "tls://127.0.0.1:1", "--tls-ca", str(pem)
    )
    assert code == 2 and obj["error"]["code"] == "invalid-argument", err
    assert "--tls-cert" in obj["error"]["message"]

    form = RecoveryForm()
    form.file.path.value = str(wallet)
    form.words.value = "x"
    form.cluster.value = "tls://127.0.0.1:1"
    form.tls_ca.value = str(pem)
    assert form.run(timeout=30) is None
    assert form.error is not None and form.error.code == "invalid-argument"
    assert "all three TLS files" in form.status.value and "--tls" not in form.status.value


def test_ranges_cover_the_space_once():
    search = PasswordSearch(make_file(DESKTOP_PT, PASSWORD), Candidates(words=WORDS))
    search._progress.mark(5, 17)
    search._progress.mark(100, 101)
    ranges = list(search.ranges(7))
    covered = list(itertools.chain.from_iterable(range(s, e) for s, e in ranges))
    assert covered == [i for i in range(len(WORDS)) if not (5 <= i < 17 or i == 100)]
    assert all(e - s <= 7 for s, e in ranges)


def test_the_recovery_form_searches_on_the_cluster(cluster):
    from toolkit.widgets import RecoveryForm

    form = RecoveryForm()
    form.file.path.value = str(FORGOTTEN)
    form.candidates_file.path.value = str(FORGOTTEN_LIST)
    form.typos.value = 1
    form.cluster.value = cluster.address
    form.insecure.value = True
    result = form.run(timeout=120)
    assert result is not None, (form.error, form.status.value)
    assert result.found and result.engine == "dask" and result.workers == 2
    assert form.backup is not None and "Dask cluster" in form.results.children[0].value
