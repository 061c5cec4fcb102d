"""Command-line conventions: ``-`` for standard input/output, ``diff --exit-code``, a quick ``--help``,
suggestions for mistyped options and commands, shell completion, ``~`` in every writer."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, make_file
from toolkit.cli import main, registry
from toolkit.format.jsonio import dumps_js
from toolkit.testing import synthetic

PW = "Conv-pass-123"
NEW_PW = "New-pass-456"
HEAVY = ("pandas", "numpy", "cryptography")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONCORDIUM_BACKUP")}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def cli(args: list[str], *, cwd: Path, stdin: bytes | None = None, stdout: int | None = None, **env: str):
    """``concordium-backup ARGS`` in its own process (standard input and output are real pipes)."""
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        input=stdin,
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=_env(**env),
        timeout=120,
    )


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    a = tmp_path / "a.json"
    a.write_bytes(make_file(dumps_js(synthetic.desktop_document(seed=4)), PW))
    b = tmp_path / "b.json"
    b.write_bytes(make_file(dumps_js(synthetic.desktop_document(seed=5)), PW))
    pw = tmp_path / "pw.txt"
    pw.write_text(PW + "\n", encoding="utf-8")
    new = tmp_path / "new.txt"
    new.write_text(NEW_PW + "\n", encoding="utf-8")
    return {"a": a, "b": b, "pw": pw, "new": new}


# --- quick --help and --version --------------------------------------------------------------


@pytest.mark.parametrize(
    "args", [["--help"], ["--version"], *([c.name, "--help"] for c in registry.COMMANDS)], ids=" ".join
)
def test_help_and_version_load_nothing_heavy(args):
    """``--help``/``--version`` (and a command's ``--help``) import no pandas or numpy; the top level
    no cryptography either (what made ``--help`` take 0.5-1.3 s)."""
    code = (
        "import sys\nfrom toolkit.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=_env(), timeout=60, check=True
    )
    loaded = json.loads(out.stdout.strip().splitlines()[-1].replace("'", '"'))
    allowed = {"cryptography"} if args[0] in ("recover-password",) else set()
    assert set(loaded) <= allowed, f"{' '.join(args)} imported {loaded}"


def test_every_registered_command_loads_and_configures():
    """A registry row names a module that exists (no silent skip) and has ``configure``; names are unique."""
    names = [c.name for c in registry.COMMANDS]
    assert len(names) == len(set(names))
    for command in registry.COMMANDS:
        module = command.load()
        assert callable(module.configure), command
        assert callable(module.run), command
    from toolkit.cli import build_parser

    assert set(build_parser().commands) == set(names)  # type: ignore[attr-defined]


def test_audit_severities_are_the_library_s():
    from toolkit.cli.audit import SEVERITIES
    from toolkit.ops.audit import SEVERITIES as LIBRARY

    assert tuple(SEVERITIES) == tuple(LIBRARY)


# --- mistakes name the closest thing -----------------------------------------------------------


def test_mistyped_option_shows_the_command_usage_and_the_closest_option(capsys):
    assert main(["inspect", "--jsn"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: concordium-backup inspect")
    assert "unrecognized option --jsn (did you mean --json?)" in err
    assert main(["diff", "a", "b", "--exit-cod"]) == 2
    assert "did you mean --exit-code?" in capsys.readouterr().err


def test_mistyped_command_names_the_closest_command(capsys):
    assert main(["inpsect", "x.json"]) == 2
    err = capsys.readouterr().err
    assert "No command 'inpsect' (did you mean inspect?)" in err
    assert main(["recover", "x.json"]) == 2
    assert "did you mean recover-password?" in capsys.readouterr().err


def test_mistyped_option_with_json_is_a_json_usage_error(capsys):
    assert main(["audit", "x.json", "--json", "--fail-onn", "warning"]) == 2
    out = json.loads(capsys.readouterr().out)
    assert out["error"]["code"] == "usage" and "--fail-on?" in out["error"]["message"]


# --- '-' is standard input and standard output -------------------------------------------------


def test_inspect_and_audit_read_standard_input(files, tmp_path):
    data = files["a"].read_bytes()
    run = cli(["inspect", "-", "--json"], cwd=tmp_path, stdin=data, CONCORDIUM_BACKUP_PASSWORD=PW)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["counts"]["accounts"] == 6
    run = cli(["audit", "-", "--password-file", str(files["pw"])], cwd=tmp_path, stdin=data)
    assert run.returncode in (0, 1), run.stderr
    assert run.stdout.decode().startswith("standard input: desktop-wallet")


def test_diff_and_merge_read_one_input_from_standard_input(files, tmp_path):
    run = cli(
        ["diff", "-", str(files["b"]), "--password-file", str(files["pw"]), "--json"],
        cwd=tmp_path,
        stdin=files["a"].read_bytes(),
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["changes"]
    run = cli(
        ["merge", str(files["a"]), "-", "--dry-run", "--json"],
        cwd=tmp_path,
        stdin=files["a"].read_bytes(),
        CONCORDIUM_BACKUP_PASSWORD=PW,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["written"] is None


def test_reexport_and_salvage_write_standard_output_when_it_is_not_a_terminal(files, tmp_path):
    import toolkit

    run = cli(
        ["reexport", "-", "-", "--new-password-file", str(files["new"])],
        cwd=tmp_path,
        stdin=files["a"].read_bytes(),
        CONCORDIUM_BACKUP_PASSWORD=PW,
    )
    assert run.returncode == 0, run.stderr
    assert toolkit.open_backup(run.stdout, NEW_PW).counts()["accounts"] == 6
    assert b"wrote the backup to standard output" in run.stderr
    assert not (tmp_path / "-").exists()  # no file named '-' (what reexport IN - used to write)
    run = cli(["salvage", str(files["a"]), "-"], cwd=tmp_path, CONCORDIUM_BACKUP_PASSWORD=PW)
    assert run.returncode == 0, run.stderr
    assert toolkit.open_backup(run.stdout, PW).counts()["accounts"] == 6


def test_a_backup_is_not_written_to_a_terminal(files, tmp_path):
    main_fd, terminal = pty.openpty()
    try:
        run = cli(
            ["reexport", str(files["a"]), "-", "--new-password-file", str(files["new"])],
            cwd=tmp_path,
            stdout=terminal,
            CONCORDIUM_BACKUP_PASSWORD=PW,
        )
    finally:
        os.close(terminal)
        os.close(main_fd)
    assert run.returncode == 2
    assert b"terminal-output" in run.stderr and b"Redirect" in run.stderr


@pytest.mark.parametrize("args", [["inspect", "-"], ["inspect", "A", "--password-file", "-"]])
def test_nothing_is_read_from_a_terminal(args, files, tmp_path):
    """``-`` on a terminal: a backup is not typed, and a typed password would show; refused, not waited for."""
    main_fd, terminal = pty.openpty()
    args = [str(files["a"]) if a == "A" else a for a in args]
    try:
        run = subprocess.run(
            [sys.executable, "-m", "toolkit", *args, "--json"],
            stdin=terminal,
            capture_output=True,
            cwd=tmp_path,
            env=_env(CONCORDIUM_BACKUP_PASSWORD=PW),
            timeout=60,
        )
    finally:
        os.close(terminal)
        os.close(main_fd)
    error = json.loads(run.stdout)["error"]
    assert run.returncode == 2 and error["code"] == "cannot-read"
    assert error["message"].startswith("Standard input is a terminal")


def test_json_and_a_backup_cannot_share_standard_output(files, tmp_path):
    run = cli(["reexport", str(files["a"]), "-", "--json"], cwd=tmp_path, CONCORDIUM_BACKUP_PASSWORD=PW)
    assert run.returncode == 2
    assert json.loads(run.stdout)["error"]["code"] == "usage"


@pytest.mark.parametrize(
    "args",
    [
        ["inspect", "-", "--password-file", "-"],
        ["diff", "-", "-"],
        ["reexport", "-", "out.json", "--new-password-file", "-"],
    ],
)
def test_standard_input_is_read_once(args, files, tmp_path):
    run = cli([*args, "--json"], cwd=tmp_path, stdin=files["a"].read_bytes(), CONCORDIUM_BACKUP_PASSWORD=PW)
    assert run.returncode == 2
    error = json.loads(run.stdout)["error"]
    assert error["code"] == "usage" and "standard input can be read only once" in error["message"]


def test_password_file_from_standard_input(files, tmp_path):
    run = cli(["inspect", str(files["a"]), "--password-file", "-", "--json"], cwd=tmp_path, stdin=PW.encode() + b"\n")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["kind"] == "desktop-wallet"


# --- diff --exit-code ----------------------------------------------------------------------------


def test_diff_exit_code(files, capsys, monkeypatch):
    monkeypatch.setenv("CONCORDIUM_BACKUP_PASSWORD", PW)
    a, b = str(files["a"]), str(files["b"])
    assert main(["diff", a, b]) == 0  # without --exit-code: 0 whatever the result
    assert main(["diff", a, b, "--exit-code"]) == 1
    assert main(["diff", a, a, "--exit-code"]) == 0
    assert main(["diff", a, b, "--exit-code", "--json"]) == 1
    capsys.readouterr()
    monkeypatch.setenv("CONCORDIUM_BACKUP_PASSWORD", "wrong-password")
    assert main(["diff", a, b, "--exit-code"]) == 2


# --- ~ in every reader and writer ------------------------------------------------------------------


def test_writers_and_readers_expand_home(files, tmp_path, monkeypatch):
    """``toolkit.reexport(b, "~/x.json", pw)`` used to fail with write-failed."""
    import toolkit

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    backup = toolkit.open_backup(files["a"], PW)
    result = toolkit.reexport(backup, "~/x.json", NEW_PW)
    assert result.path == str(home / "x.json") and (home / "x.json").is_file()
    backup.save("~/y.json", NEW_PW)
    toolkit.save_backup(backup, Path("~") / "z.json", NEW_PW)
    assert toolkit.open_backup("~/z.json", NEW_PW).counts() == backup.counts()
    (home / "pw.txt").write_text(NEW_PW + "\n")
    from toolkit.format.passwords import read_password_file

    assert read_password_file("~/pw.txt") == NEW_PW
    assert toolkit.write_report(toolkit.audit_backup(backup), "~/r.html", backup=backup) == str(home / "r.html")
    assert (home / "r.html").is_file()


# --- shell completion ------------------------------------------------------------------------------


def test_completion_scripts(capsys):
    assert main(["--print-completion", "bash"]) == 0
    script = capsys.readouterr().out
    assert "recover-password" in script and "--exit-code" in script and "--password-file" in script
    bash = shutil.which("bash")
    if bash:
        subprocess.run([bash, "-n"], input=script, text=True, check=True, timeout=30)
    assert main(["--print-completion", "zsh"]) == 0
    script = capsys.readouterr().out
    assert script.startswith("#compdef concordium-backup") and "--exit-code" in script


# --- long output: row limits, lines that fit COLUMNS, errors that name the file -----------------------


@pytest.fixture
def big(tmp_path: Path) -> Path:
    path = tmp_path / "big.json"
    path.write_bytes(make_file(dumps_js(synthetic.large_desktop_document(accounts=120)), PW))
    return path


def test_inspect_prints_at_most_n_rows_per_table_and_says_how_to_see_every_row(big, capsys, monkeypatch):
    monkeypatch.setenv("CONCORDIUM_BACKUP_PASSWORD", PW)
    monkeypatch.setenv("COLUMNS", "100")
    assert main(["inspect", str(big)]) == 0
    out = capsys.readouterr().out
    assert "… 70 more rows not shown: every row with --table accounts (or --rows 0)" in out
    assert main(["inspect", str(big), "--rows", "5"]) == 0
    assert "… 115 more rows not shown" in capsys.readouterr().out
    assert main(["inspect", str(big), "--table", "accounts"]) == 0
    out = capsys.readouterr().out
    assert "more rows not shown" not in out and out.count("\n") > 120


@pytest.mark.parametrize("command", ["diff", "audit"])
def test_diff_and_audit_lines_fit_columns(command, files, capsys, monkeypatch):
    from toolkit.textsafe import text_width

    monkeypatch.setenv("CONCORDIUM_BACKUP_PASSWORD", PW)
    monkeypatch.setenv("COLUMNS", "80")
    args = ["diff", str(files["a"]), str(files["b"])] if command == "diff" else ["audit", str(files["a"])]
    main(args)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) > 5
    assert max(text_width(line) for line in lines) <= 80


@pytest.mark.parametrize("command", ["inspect", "audit", "reexport", "salvage"])
def test_single_file_errors_name_the_file(command, files, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CONCORDIUM_BACKUP_PASSWORD", "not-the-password")
    monkeypatch.setenv("CONCORDIUM_BACKUP_NEW_PASSWORD", NEW_PW)
    out = [str(tmp_path / "out.json")] if command in ("reexport", "salvage") else []
    assert main([command, str(files["a"]), *out, "--json"]) == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["code"] == "wrong-password"
    assert "a.json" in error["message"], error


def test_ledger_tcp_with_nothing_listening_says_so(capsys):
    import socket

    with socket.socket() as s:  # a port nothing listens on: bound, never listened
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        assert main(["ledger", "--tcp", f"127.0.0.1:{port}"]) == 1
    out = capsys.readouterr().out
    assert f"Nothing listens at 127.0.0.1:{port}" in out
    assert "give --tcp" not in out


def test_one_password_from_standard_input_serves_both_inputs(files, tmp_path):
    """``diff OLD NEW --password-file -``: the line is read once and used for both files."""
    run = cli(
        ["diff", str(files["a"]), str(files["b"]), "--password-file", "-", "--json"],
        cwd=tmp_path,
        stdin=PW.encode() + b"\n",
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["changes"]
