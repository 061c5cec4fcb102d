"""``concordium-backup recover-password``: output, exit codes, --output, Ctrl-C and resume."""

from __future__ import annotations

import json
import os
import stat

import pytest

from tests.conftest import make_file
from toolkit.cli import main

DESKTOP_PT = b'{"accounts":[],"identities":[],"addressBook":[],"credentials":[],"wallets":[]}'
PASSWORD = "Tr0ub4dor&3"
DECOYS = [f"not-it-{i:03d}" for i in range(40)]


@pytest.fixture()
def case(tmp_path):
    backup = tmp_path / "wallet-export.json"
    backup.write_bytes(make_file(DESKTOP_PT, PASSWORD))
    listing = tmp_path / "list.txt"
    listing.write_text("\n".join(DECOYS + ["tr0ub4dor&3"]) + "\n")
    return backup, listing


def run_cli(capsys, *argv):
    code = main(["recover-password", *map(str, argv), "--no-progress", "--workers", "2"])
    out, err = capsys.readouterr()
    return code, out, err


def test_found_prints_password_and_count(case, capsys):
    backup, listing = case
    code, out, err = run_cli(capsys, backup, "--candidates", listing, "--typos", "1", "--insert-chars", "ab")
    assert code == 0
    assert "candidates to try" in out
    assert "Found the password" in out and f"Password: {PASSWORD}" in out
    assert PASSWORD not in err
    assert not os.path.exists(str(backup) + ".recovery-checkpoint")


def test_json_found_and_exhausted(case, capsys):
    backup, listing = case
    code, out, _ = run_cli(capsys, backup, "--candidates", listing, "--typos", "1", "--no-insert", "--json")
    obj = json.loads(out)
    assert code == 0
    assert obj["found"] is True and obj["password"] == PASSWORD and obj["tried"] >= 1

    code, out, err = run_cli(capsys, backup, "--candidates", listing, "--json")
    obj = json.loads(out)
    assert code == 1
    assert obj == {"found": False, "password": None, "tried": 41, "total": 41, "engine": "local", "workers": 2}
    assert "tr0ub4dor" not in out + err


def test_exhausted_message(case, capsys):
    backup, listing = case
    code, out, _ = run_cli(capsys, backup, "--candidates", listing)
    assert code == 1
    assert "Exhausted after 41 candidates" in out


def test_output_file_is_private_and_password_not_printed(case, capsys, tmp_path):
    backup, listing = case
    target = tmp_path / "found.txt"
    code, out, err = run_cli(
        capsys, backup, "--candidates", listing, "--typos", "1", "--no-insert", "--output", target, "--json"
    )
    assert code == 0
    obj = json.loads(out)
    assert obj["password"] is None and obj["output"] == str(target)
    assert target.read_text() == PASSWORD + "\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert PASSWORD not in out + err

    code, out, _ = run_cli(
        capsys, backup, "--candidates", listing, "--typos", "1", "--no-insert", "--output", target, "--json"
    )
    assert code == 2 and json.loads(out)["error"]["code"] == "output-exists"


def test_output_file_removed_when_exhausted(case, capsys, tmp_path):
    backup, listing = case
    target = tmp_path / "found.txt"
    code, _, _ = run_cli(capsys, backup, "--candidates", listing, "--output", target)
    assert code == 1 and not target.exists()


def test_tokens_and_unusable_file(case, capsys, tmp_path):
    backup, _ = case
    tokens = tmp_path / "tokens.txt"
    tokens.write_text("# what the owner remembers\n+ tr0ub4dor Tr0ub4dor\n+ & %s\n+ 1 2 3\n")
    code, out, _ = run_cli(capsys, backup, "--tokens", tokens, "--json")
    assert code == 0 and json.loads(out)["password"] == PASSWORD

    code, out, _ = run_cli(capsys, tokens, "--tokens", tokens, "--json")
    assert code == 2 and json.loads(out)["error"]["code"] == "not-json"

    bad = tmp_path / "bad.txt"
    bad.write_text("+ a%x\n")  # %q is a wildcard since issue 23
    code, out, err = run_cli(capsys, backup, "--tokens", bad, "--json")
    assert code == 2 and json.loads(out)["error"]["code"] == "invalid-candidates"

    code, out, _ = run_cli(capsys, backup, "--json")
    assert code == 2 and json.loads(out)["error"]["code"] == "invalid-candidates"


def test_damaged_file_exit_2_but_password_given(case, capsys, tmp_path):
    import base64

    backup, listing = case
    outer = json.loads(backup.read_bytes())
    outer["cipherText"] = base64.b64encode(base64.b64decode(outer["cipherText"])[:-16]).decode()
    backup.write_text(json.dumps(outer))
    code, out, err = run_cli(capsys, backup, "--candidates", listing, "--typos", "1", "--no-insert", "--json")
    obj = json.loads(out)
    assert code == 2
    assert obj["found"] is True and obj["password"] == PASSWORD and obj["error"]["code"] == "damaged"


# Ctrl-C, SIGTERM and SIGHUP mid-search, and resuming after them: tests/ops/recovery/test_recovery_signals.py


# --------------------------------------------------------------------------- a found password reaches its user


def _output_taken_meanwhile(monkeypatch, make_trouble):
    """``make_trouble()`` runs as the real search ends: what a user (or another program) does meanwhile."""
    from toolkit.ops.recovery.search import PasswordSearch

    real_run = PasswordSearch.run

    def run(self, *args, **kwargs):
        result = real_run(self, *args, **kwargs)
        make_trouble()
        return result

    monkeypatch.setattr(PasswordSearch, "run", run)


def test_an_output_taken_meanwhile_falls_back_to_a_new_name(case, capsys, monkeypatch, tmp_path):
    backup, listing = case
    target = tmp_path / "found.txt"
    ckpt = tmp_path / "ckpt"
    _output_taken_meanwhile(monkeypatch, lambda: target.write_text("someone else's\n"))
    code, out, err = run_cli(
        capsys, backup, "--candidates", listing, "--typos", "1", "--output", target, "--checkpoint", ckpt
    )
    assert code == 0, err
    fallback = tmp_path / "found.txt.found-1"
    assert fallback.read_text() == PASSWORD + "\n" and stat.S_IMODE(fallback.stat().st_mode) == 0o600
    assert target.read_text() == "someone else's\n"  # never written over
    assert f"warning: output-exists: {target} already exists; it is in {fallback} instead" in err
    assert f"The password is in {fallback}" in out and PASSWORD not in out + err
    assert not ckpt.exists()  # delivered: only now is the checkpoint gone


def test_an_output_that_cannot_be_written_falls_back_to_the_terminal(case, capsys, monkeypatch, tmp_path):
    backup, listing = case
    folder = tmp_path / "out"
    folder.mkdir()
    ckpt = tmp_path / "ckpt"
    _output_taken_meanwhile(monkeypatch, folder.rmdir)  # the folder is gone when the password is found
    code, out, err = run_cli(
        capsys, backup, "--candidates", listing, "--typos", "1", "--output", folder / "pw.txt", "--checkpoint", ckpt,
        "--json",
    )  # fmt: skip
    assert code == 0, err
    obj = json.loads(out)
    assert obj["password"] == PASSWORD and "output" not in obj
    assert "warning: write-failed:" in err and "it is shown here instead" in err
    assert not ckpt.exists()


def test_a_found_password_not_delivered_is_found_again(case, capsys, monkeypatch, tmp_path):
    backup, listing = case
    ckpt = tmp_path / "ckpt"

    def lost() -> None:
        raise KeyboardInterrupt  # the terminal is gone before the password was shown

    _output_taken_meanwhile(monkeypatch, lost)
    code, out, err = run_cli(capsys, backup, "--candidates", listing, "--typos", "1", "--checkpoint", ckpt)
    assert code == 130 and PASSWORD not in out
    assert ckpt.exists()  # kept: the password never reached its user
    monkeypatch.undo()
    code, out, err = run_cli(capsys, backup, "--candidates", listing, "--typos", "1", "--checkpoint", ckpt)
    assert code == 0 and f"Password: {PASSWORD}" in out and "Resuming" in out
    assert not ckpt.exists()
