"""Issue 13 findings 4 and 12: no writer overwrites an input; interrupted writes leave nothing behind."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time

import pytest

from tests.conftest import DESKTOP, sample_password, subprocess_env
from toolkit import errors, open_backup
from toolkit.cli import main
from toolkit.format import files
from toolkit.format.files import refuse_same_file, remove_stale_temps
from toolkit.model import save

SAMPLE = DESKTOP
PASSWORD = sample_password(DESKTOP)


@pytest.fixture
def backup_copy(tmp_path):
    path = tmp_path / "wallet-export.json"
    shutil.copy(SAMPLE, path)
    pw = tmp_path / "pw.txt"
    pw.write_text(PASSWORD + "\n")
    return path, pw


def _cli(argv, capsys):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _error_code(stdout):
    return json.loads(stdout)["error"]["code"]


def test_audit_report_over_the_backup_is_refused_even_with_force(backup_copy, capsys):
    path, pw = backup_copy
    before = path.read_bytes()
    code, out, _ = _cli(["audit", path, "--password-file", pw, "--report", path, "--force", "--json"], capsys)
    assert code == 2 and _error_code(out) == "same-file"
    assert path.read_bytes() == before


def test_audit_report_over_the_password_file_is_refused(backup_copy, capsys, tmp_path):
    path, pw = backup_copy
    html = tmp_path / "pw.html"
    shutil.copy(pw, html)
    code, out, _ = _cli(["audit", path, "--password-file", html, "--report", html, "--force", "--json"], capsys)
    assert code == 2 and _error_code(out) == "same-file"
    assert html.read_text().strip() == PASSWORD


def test_inspect_csv_dir_over_its_input_is_refused_even_with_force(backup_copy, capsys, tmp_path):
    _, pw = backup_copy
    folder = tmp_path / "out"
    folder.mkdir()
    disguised = folder / "accounts.csv"  # the backup itself, under a table's file name
    shutil.copy(SAMPLE, disguised)
    before = disguised.read_bytes()
    code, out, _ = _cli(["inspect", disguised, "--password-file", pw, "--csv-dir", folder, "--force", "--json"], capsys)
    assert code == 2 and _error_code(out) == "same-file"
    assert disguised.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["accounts.csv"]  # nothing else written either


def test_write_report_library_protects_the_backup_source(backup_copy):
    from toolkit.ops.audit import audit
    from toolkit.reports.report import write_report

    path, _ = backup_copy
    backup = open_backup(path, PASSWORD)
    link = path.parent / "report.html"
    link.symlink_to(path)  # another name for the same file
    with pytest.raises(errors.SameFileError):
        write_report(audit(backup), link, backup=backup, force=True)
    assert path.read_bytes() == SAMPLE.read_bytes()


def test_write_bytes_atomic_refuses_hard_links_to_inputs_whatever_force(tmp_path):
    src = tmp_path / "in.json"
    src.write_bytes(b"input")
    alias = tmp_path / "alias.json"
    os.link(src, alias)
    with pytest.raises(errors.SameFileError):
        files.write_bytes_atomic(alias, b"x", force=True, protect=(src,))
    assert src.read_bytes() == b"input"
    refuse_same_file(tmp_path / "other.json", (src, None, b"bytes"))  # not the same: no error


def test_recovery_checkpoint_over_an_input_is_refused(backup_copy, capsys, tmp_path):
    path, _ = backup_copy
    listing = tmp_path / "candidates.txt"
    listing.write_text("a\nb\n")
    code, out, _ = _cli(
        ["recover-password", path, "--candidates", listing, "--checkpoint", listing, "--json", "--no-progress"], capsys
    )
    assert code == 2 and _error_code(out) == "same-file"
    assert listing.read_text() == "a\nb\n"


# --------------------------------------------------------------------------- finding 12


def test_interrupted_verification_leaves_no_output(backup_copy, monkeypatch, tmp_path):
    path, _ = backup_copy
    backup = open_backup(path, PASSWORD)
    out = tmp_path / "new.json"

    def interrupted(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(save.ct, "read_source", interrupted)  # Ctrl-C while reading back
    with pytest.raises(KeyboardInterrupt):
        save.save_backup(backup, out, "new-password")
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".new.json.")]


def _aged(path, seconds=3600):
    old = time.time() - seconds
    os.utime(path, (old, old))


def test_stale_temp_files_of_ours_are_removed_on_the_next_write(tmp_path):
    out = tmp_path / "out.json"
    stale = tmp_path / ".out.json.k3j_9x2a.tmp"  # what kill -9 mid-write leaves
    fresh = tmp_path / ".out.json.abcdefgh.tmp"  # maybe another run writing right now
    foreign = tmp_path / ".out.json.mine.tmp"  # not our pattern
    other = tmp_path / ".other.json.k3j_9x2a.tmp"  # another output's
    for p in (stale, fresh, foreign, other):
        p.write_bytes(b"secret-ish")
    for p in (stale, foreign, other):
        _aged(p)
    files.write_bytes_atomic(out, b"data")
    assert out.read_bytes() == b"data"
    assert not stale.exists()
    assert fresh.exists() and foreign.exists() and other.exists()


def test_a_locked_temp_file_is_left_alone(tmp_path):
    out = tmp_path / "out.json"
    busy = tmp_path / ".out.json.zzzzzzzz.tmp"
    busy.write_bytes(b"being written")
    _aged(busy)
    with open(busy, "rb") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        assert remove_stale_temps(out) == []
    assert busy.exists()
    assert remove_stale_temps(out) == [str(busy)]


def test_kill_9_mid_write_leaves_a_temp_file_the_next_run_removes(backup_copy, tmp_path):
    """A real ``kill -9`` of a reexport blocked inside its write (fsync on a FIFO cannot block, so stop it)."""
    import signal
    import subprocess
    import sys

    path, pw = backup_copy
    out = tmp_path / "out.json"
    script = (
        "import os, sys, signal\n"
        "from toolkit.format import files\n"
        "real = os.fsync\n"
        "def stop(fd):\n"
        "    sys.stdout.write('writing\\n'); sys.stdout.flush(); signal.pause()\n"
        "files.os.fsync = stop\n"
        f"files.write_bytes_atomic({str(out)!r}, b'x' * 1000)\n"
    )
    env = subprocess_env()
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, env=env, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    left = [p for p in tmp_path.iterdir() if p.name.startswith(".out.json.")]
    assert len(left) == 1
    _aged(left[0])
    code = main(["reexport", str(path), str(out), "--password-file", str(pw), "--new-password-file", str(pw)])
    assert code == 0 and out.exists()
    assert not left[0].exists()


# --------------------------------------------------------------------------- finding 11


def test_the_cli_process_makes_no_core_dumps(backup_copy):
    """After a command ran (a password was read, a backup decrypted): core size 0 and not dumpable."""
    import subprocess
    import sys

    path, pw = backup_copy
    script = (
        "import ctypes, resource, sys\n"
        "from toolkit.cli import main\n"
        f"assert main(['inspect', {str(path)!r}, '--password-file', {str(pw)!r}, '--json']) == 0\n"
        "libc = ctypes.CDLL(None)\n"
        "sys.stderr.write(f'{resource.getrlimit(resource.RLIMIT_CORE)[0]} {libc.prctl(3, 0, 0, 0, 0)}')\n"
    )
    env = subprocess_env()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import resource\nh = resource.getrlimit(resource.RLIMIT_CORE)[1]\n"
            f"resource.setrlimit(resource.RLIMIT_CORE, (h, h))\n{script}",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    core, dumpable = done.stderr.split()
    assert core == "0"
    if sys.platform.startswith("linux"):
        assert dumpable == "0"


# --------------------------------------------------------------------------- finding 14


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, capsys, monkeypatch):
    """The cap is what every command handles in under 2 GB (bench/bench_size_limit.py)."""
    from toolkit.format import container

    assert container.MAX_FILE_SIZE <= 96 * 1024 * 1024
    big = tmp_path / "big.json"
    with open(big, "wb") as fh:  # sparse: no disk space, no time
        fh.truncate(container.MAX_FILE_SIZE + 1)
    for argv in (["inspect", big, "--json"], ["audit", big, "--json"], ["salvage", big, tmp_path / "s.json", "--json"]):
        monkeypatch.setenv("CONCORDIUM_BACKUP_PASSWORD", "whatever-pass")
        code, out, _ = _cli(argv, capsys)
        assert code == 2 and _error_code(out) == "too-large", argv[0]
