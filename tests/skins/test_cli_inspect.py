"""`concordium-backup inspect`: output for people and scripts, errors, and password handling."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT, SAMPLES, make_file, run_cli
from tests.format.test_container import CRAFTED
from toolkit.format.jsonio import dumps_gson, dumps_js
from toolkit.model import kinds
from toolkit.model.tables import REDACTED
from toolkit.testing import synthetic

SECRET = "Zq9-very-SECRET-pw"


@pytest.fixture
def backup_file(tmp_path):
    path = tmp_path / "wallet-export.json"
    path.write_bytes(make_file(dumps_js(synthetic.desktop_document(seed=4)), SECRET))
    pw = tmp_path / "pw.txt"
    pw.write_text(SECRET + "\n", encoding="utf-8")
    return path, pw


def test_inspect_json_shape(backup_file, capsys, monkeypatch):
    path, pw = backup_file
    code, out, err = run_cli(["inspect", str(path), "--password-file", str(pw), "--json"], capsys, monkeypatch)
    assert code == 0, err
    obj = json.loads(out)
    assert obj["kind"] == "desktop-wallet" and obj["network"] == "mainnet"
    assert obj["counts"] == dict.fromkeys(kinds.lists_of(kinds.DESKTOP)) | {  # None: a list the file lacks
        "accounts": 6,
        "identities": 3,
        "addressBook": 9,
        "credentials": 6,
        "externalCredentials": 1,
        "wallets": 1,
    }
    assert obj["encryption"]["iterations"] == 1000


def test_inspect_counts_null_for_absent_lists(tmp_path, capsys, monkeypatch):
    path = tmp_path / "old.json"
    path.write_bytes(make_file(dumps_js(synthetic.desktop_document(old_format=True)), SECRET))
    code, out, _ = run_cli(
        ["inspect", str(path), "--json"], capsys, monkeypatch, env={"CONCORDIUM_BACKUP_PASSWORD": SECRET}
    )
    assert code == 0
    obj = json.loads(out)
    assert obj["counts"]["externalCredentials"] is None and obj["network"] == "none"


def test_inspect_for_people_and_one_table(backup_file, capsys, monkeypatch):
    path, pw = backup_file
    code, out, _ = run_cli(["inspect", str(path), "--password-file", str(pw)], capsys, monkeypatch)
    assert code == 0
    assert "network:  mainnet" in out and "accounts (6)" in out and "identities (3)" in out
    code, out, _ = run_cli(
        ["inspect", str(path), "--password-file", str(pw), "--table", "wallets"], capsys, monkeypatch
    )
    assert "wallets (1)" in out and "accounts (6)" not in out
    code, out, _ = run_cli(
        ["inspect", str(path), "--password-file", str(pw), "--table", "accounts", "--json"], capsys, monkeypatch
    )
    rows = json.loads(out)["table"]["rows"]
    assert len(rows) == 6 and {"name", "address", "identityName"} <= set(rows[0])


def test_inspect_csv_dir(backup_file, tmp_path, capsys, monkeypatch):
    path, pw = backup_file
    out_dir = tmp_path / "csv"
    code, _, _ = run_cli(
        ["inspect", str(path), "--password-file", str(pw), "--csv-dir", str(out_dir)], capsys, monkeypatch
    )
    assert code == 0
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(f"{n}.csv" for n in kinds.table_names(kinds.DESKTOP))
    code, out, err = run_cli(
        ["inspect", str(path), "--password-file", str(pw), "--csv-dir", str(out_dir)], capsys, monkeypatch
    )
    assert code == 2 and "output-exists" in err


def test_legacy_inspect_redacts(tmp_path, capsys, monkeypatch):
    doc = synthetic.legacy_document(seed=8)
    path = tmp_path / "backup.concordiumwallet"
    path.write_bytes(make_file(dumps_gson(doc), SECRET, layout="legacy"))
    secret_key = doc["value"]["identities"][0]["accounts"][0]["encryptionSecretKey"]
    env = {"CONCORDIUM_BACKUP_PASSWORD": SECRET}
    code, out, _ = run_cli(["inspect", str(path), "--all-columns"], capsys, monkeypatch, env=env)
    assert code == 0 and secret_key not in out and REDACTED in out
    assert "cannot be imported into the Desktop Wallet" in out
    code, out, _ = run_cli(["inspect", str(path), "--json", "--table", "accounts"], capsys, monkeypatch, env=env)
    assert secret_key not in out
    code, out, _ = run_cli(
        ["inspect", str(path), "--json", "--table", "accounts", "--reveal-secrets"], capsys, monkeypatch, env=env
    )
    assert secret_key in out


@pytest.mark.parametrize(("label", "data", "code"), CRAFTED[::3] + CRAFTED[-9:], ids=lambda v: str(v)[:20])
def test_every_error_through_the_cli(label, data, code, tmp_path, capsys, monkeypatch):
    path = tmp_path / "bad.json"
    path.write_bytes(data)
    env = {"CONCORDIUM_BACKUP_PASSWORD": "right-password"}
    rc, out, err = run_cli(["inspect", str(path), "--json"], capsys, monkeypatch, env=env)
    assert rc == 2
    assert json.loads(out)["error"]["code"] == code
    assert err.count("\n") == 1 and "Traceback" not in err


def test_wrong_password_and_damaged_through_cli(backup_file, tmp_path, capsys, monkeypatch):
    path, _ = backup_file
    rc, out, err = run_cli(
        ["inspect", str(path), "--json"], capsys, monkeypatch, env={"CONCORDIUM_BACKUP_PASSWORD": "not-the-password"}
    )
    assert rc == 2 and json.loads(out)["error"]["code"] == "wrong-password"
    outer = json.loads(path.read_bytes())
    outer["cipherText"] = outer["cipherText"][:-24] + "=="  # drop the last block (base64 stays valid)
    import base64

    ct = base64.b64decode(outer["cipherText"])
    outer["cipherText"] = base64.b64encode(ct[: len(ct) // 16 * 16 - 16]).decode()
    cut = tmp_path / "cut.json"
    cut.write_text(json.dumps(outer))
    rc, out, err = run_cli(
        ["inspect", str(cut), "--json"], capsys, monkeypatch, env={"CONCORDIUM_BACKUP_PASSWORD": SECRET}
    )
    assert rc == 2 and json.loads(out)["error"]["code"] == "damaged"


def test_no_password_and_usage_errors(backup_file, capsys, monkeypatch):
    path, _ = backup_file
    monkeypatch.setattr("sys.stdin", open(os.devnull))  # noqa: SIM115 - not a terminal
    rc, out, err = run_cli(["inspect", str(path), "--json"], capsys, monkeypatch)
    assert rc == 2 and json.loads(out)["error"]["code"] == "password-missing"
    rc, out, err = run_cli(["inspect", "--json"], capsys, monkeypatch)
    assert rc == 2 and json.loads(out)["error"]["code"] == "usage"
    rc, out, err = run_cli(["inspect", str(path), "--password", "x"], capsys, monkeypatch)
    assert rc == 2 and "unrecognized option --password (did you mean --password-file?)" in err  # no such argument


def test_password_never_printed(backup_file, tmp_path, capsys, monkeypatch):
    path, pw = backup_file
    runs = [
        ["inspect", str(path), "--password-file", str(pw)],
        ["inspect", str(path), "--password-file", str(pw), "--json", "--all-columns"],
        ["inspect", str(path), "--json"],
    ]
    for args in runs:
        for env in ({}, {"CONCORDIUM_BACKUP_PASSWORD": SECRET}, {"CONCORDIUM_BACKUP_PASSWORD": SECRET + "x"}):
            monkeypatch.setattr("sys.stdin", open(os.devnull))  # noqa: SIM115
            _, out, err = run_cli(args, capsys, monkeypatch, env=env)
            assert SECRET not in out and SECRET not in err


def test_password_not_in_reprs_or_errors(backup_file):
    from toolkit import errors, open_backup
    from toolkit.format import container

    path, _ = backup_file
    backup = open_backup(path, SECRET)
    assert SECRET not in repr(backup) and SECRET not in repr(backup.container) and SECRET not in str(backup.summary())
    with pytest.raises(errors.WrongPasswordError) as info:
        open_backup(path, SECRET + "-wrong")
    assert SECRET not in str(info.value) and SECRET not in repr(info.value)
    assert SECRET not in repr(container.parse_container(path.read_bytes()))


def test_module_entry_point_and_console_script(tmp_path):
    """`python -m toolkit` runs as a real process: exit codes and no traceback."""
    env = {**os.environ, "CONCORDIUM_BACKUP_PASSWORD": (SAMPLES / "wallet-export.password").read_text().strip()}
    ok = subprocess.run(
        [sys.executable, "-m", "toolkit", "inspect", str(SAMPLES / "wallet-export.json"), "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
    )
    assert ok.returncode == 0 and json.loads(ok.stdout)["counts"]["accounts"] == 12
    bad = subprocess.run(
        [sys.executable, "-m", "toolkit", "inspect", str(tmp_path / "nope.json")],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
    )
    assert bad.returncode == 2 and "cannot-read" in bad.stderr and "Traceback" not in bad.stderr
