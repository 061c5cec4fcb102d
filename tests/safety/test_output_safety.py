"""Issue 13 findings 1, 2, 15, 16 and issue 10 findings 8/11: hostile text never drives a terminal or a
spreadsheet, lone surrogates never crash an output, randomness stays secret, tables fit the terminal.

Every command is driven through the real CLI in a subprocess (``python -m toolkit``), on a backup whose names
hold ``ESC[2J``, OSC 0, OSC 8, ``\\r``, U+202E and an escaped lone surrogate.  These tests import only the CLI's
entry point and the synthetic documents, so they also run (and fail) against the toolkit before the fix.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, make_file
from tests.ledger_sim import DEFAULT_PAIRING_KEY, LedgerSim, SimConfig
from toolkit.testing import synthetic

PASSWORD = "hostile-test-pw"
CLEAR = "\x1b[2J"
TITLE = "\x1b]0;pwned\x07"
LINK = "\x1b]8;;http://evil.example\x1b\\"
HOSTILE = f"E\u202e{CLEAR}\r{TITLE}{LINK}click\u2066x\u2069\x9b"
#: An escaped lone surrogate: valid JSON (JSON.stringify writes it), impossible in UTF-8.
SURROGATE = "Lone\ud800 surrogate"
#: What must never reach a terminal (raw): C0 but newline, DEL, C1, bidi, line separators, surrogates.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+SUM(1,2)", "@SUM(A1)", "-1+1", "\t=cmd", "  =1+1"]
RANDOMNESS = "5eC7e75eC7e75eC7e75eC7e75eC7e75eC7e75eC7e75eC7e75eC7e75eC7e7aaaa"


def hostile_document(*, surrogate: bool = False) -> dict:
    doc = synthetic.desktop_document(seed=4)
    if surrogate:
        doc["accounts"][3]["name"] = SURROGATE
        doc["identities"][2]["name"] = SURROGATE
        doc["addressBook"][5]["note"] = SURROGATE
        doc["accounts"][4][SURROGATE] = SURROGATE
    doc["accounts"][0]["name"] = HOSTILE
    doc["identities"][0]["name"] = HOSTILE
    doc["identities"][0]["randomness"] = RANDOMNESS
    doc["credentials"][0]["randomness"] = RANDOMNESS[::-1]
    doc["addressBook"][0]["note"] = HOSTILE
    for entry, formula in zip(doc["addressBook"][1:], FORMULAS, strict=False):
        entry["note"] = formula
    doc["accounts"][2][HOSTILE] = 1  # an unknown field: its name is text from the file too
    doc["accounts"][1]["selfAmounts"] = None  # a missing value: never "NaN"/"None" on screen
    doc["wallets"][0]["identifier"] = DEFAULT_PAIRING_KEY
    return doc


def write_backup(path: Path, doc: dict, password: str = PASSWORD) -> Path:
    # json.dumps escapes the lone surrogate as \ud800: valid JSON, as JSON.stringify writes it
    path.write_bytes(make_file(json.dumps(doc, separators=(",", ":")).encode("ascii"), password))
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    clean = synthetic.desktop_document(seed=4)
    clean["wallets"][0]["identifier"] = DEFAULT_PAIRING_KEY
    return {
        "hostile": write_backup(tmp_path / "hostile.json", hostile_document()),
        "surrogate": write_backup(tmp_path / "surrogate.json", hostile_document(surrogate=True)),
        "clean": write_backup(tmp_path / "clean.json", clean),
    }


def cli(*args: str | Path, columns: int = 100, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONCORDIUM_BACKUP", "LEDGER_PROXY"))}
    env.update(
        PYTHONPATH=str(ROOT),
        COLUMNS=str(columns),
        CONCORDIUM_BACKUP_PASSWORD=PASSWORD,
        CONCORDIUM_BACKUP_NEW_PASSWORD="a-new-password",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "toolkit", *map(os.fsencode, args)], env=env, capture_output=True, timeout=120
    )
    if check:
        assert "Internal error" not in proc.stderr.decode("utf-8", "replace"), proc.stderr
    return proc


def assert_neutral(data: bytes) -> str:
    """The output is UTF-8 with nothing raw that drives a terminal; returns it as text."""
    text = data.decode("utf-8")  # strict: a lone surrogate written raw would fail here
    found = sorted({f"U+{ord(c):04X}" for c in RAW.findall(text)})
    assert not found, f"raw control/bidi characters reached the output: {found}"
    return text


def assert_shown_escaped(text: str) -> None:
    # (the start of the name: a table cuts long cells, after neutralising them)
    for visible in ("E\\u202e\\x1b[2J\\r\\x1b]0;pwned\\x07\\x1b]8;;http",):
        assert visible in text, f"{visible!r} is not shown"


# --------------------------------------------------------------------------- finding 1: every command's text


@pytest.mark.parametrize("extra", [[], ["--all-columns"], ["--table", "addressBook"]])
def test_inspect_text_is_neutral(files, extra):
    proc = cli("inspect", files["hostile"], *extra, columns=400)
    assert proc.returncode == 0, proc.stderr
    text = assert_neutral(proc.stdout)
    assert_shown_escaped(text)


def test_diff_text_is_neutral(files):
    proc = cli("diff", files["clean"], files["hostile"])
    assert proc.returncode == 0, proc.stderr
    assert_shown_escaped(assert_neutral(proc.stdout))


def test_merge_dry_run_text_is_neutral(files, tmp_path):
    other = hostile_document()
    other["accounts"].append({**other["accounts"][0], "address": synthetic.random_address(__import__("random"))})
    b = write_backup(tmp_path / "b.json", other)
    proc = cli("merge", files["clean"], b, "--dry-run")
    text = assert_neutral(proc.stdout)
    assert_neutral(proc.stderr)
    assert_shown_escaped(text)


def test_audit_text_is_neutral(files):
    proc = cli("audit", files["hostile"])
    assert proc.returncode in (0, 1), proc.stderr
    assert "E\\u202e\\x1b[2J\\r" in assert_neutral(proc.stdout)


def test_salvage_and_reexport_text_is_neutral(files, tmp_path):
    out = tmp_path / f"out{CLEAR}\u202e.json"
    proc = cli("salvage", files["hostile"], out)
    assert proc.returncode == 0, proc.stderr
    assert "\\x1b[2J" in assert_neutral(proc.stdout)
    out2 = tmp_path / f"re{TITLE}.json"
    proc = cli("reexport", files["hostile"], out2)
    assert proc.returncode == 0, proc.stderr
    assert "\\x1b]0;pwned\\x07" in assert_neutral(proc.stdout)
    assert_neutral(proc.stderr)


def test_ledger_text_is_neutral(files):
    with LedgerSim(SimConfig(pairing_key=DEFAULT_PAIRING_KEY)) as sim:
        proc = cli("ledger", files["hostile"], "--tcp", sim.address, "--timeout", "2")
    assert proc.returncode == 0, proc.stderr
    text = assert_neutral(proc.stdout)
    assert_shown_escaped(text)


def test_recover_password_text_is_neutral(tmp_path):
    password = f"pw{TITLE}{CLEAR}ok"
    file = write_backup(tmp_path / "f.json", synthetic.desktop_document(seed=1), password)
    cands = tmp_path / "cands.txt"
    cands.write_text(f"wrong-one\n{password}\n", encoding="utf-8")
    proc = cli("recover-password", file, "--candidates", cands, "--no-progress", "--workers", "1", "--no-checkpoint")
    assert proc.returncode == 0, proc.stderr
    text = assert_neutral(proc.stdout)
    assert "pw\\x1b]0;pwned\\x07\\x1b[2Jok" in text
    proc = cli(
        "recover-password", file, "--candidates", cands, "--no-progress", "--workers", "1", "--no-checkpoint", "--json"
    )
    assert json.loads(assert_neutral(proc.stdout))["password"] == password  # --json: exact


def test_error_messages_are_neutral(files, tmp_path):
    proc = cli("inspect", files["hostile"], "--table", f"x{CLEAR}", check=False)
    assert proc.returncode == 2
    assert "\\x1b[2J" in assert_neutral(proc.stderr)


def test_file_name_with_invalid_utf8_is_shown_escaped(files, tmp_path):
    odd = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9.json"))  # a lone surrogate in the name (surrogateescape)
    odd.write_bytes(files["hostile"].read_bytes())
    for args in (["audit", odd], ["inspect", odd], ["audit", odd, "--report", tmp_path / "r.html"]):
        proc = cli(*args)
        assert proc.returncode in (0, 1), proc.stderr
        assert_neutral(proc.stdout)
    assert_neutral((tmp_path / "r.html").read_bytes())


# --------------------------------------------------------------------------- --json: exact values, still safe


@pytest.mark.parametrize("command", ["inspect", "diff", "merge", "audit"])
def test_json_keeps_exact_values(files, command):
    args = {
        "inspect": ["inspect", files["hostile"], "--table", "accounts"],
        "diff": ["diff", files["clean"], files["hostile"]],
        "merge": ["merge", files["clean"], files["hostile"], "--dry-run"],
        "audit": ["audit", files["hostile"]],
    }[command]
    proc = cli(*args, "--json")
    assert proc.returncode in (0, 1, 2), proc.stderr
    text = assert_neutral(proc.stdout)
    obj = json.loads(text)
    if command == "inspect":
        assert obj["table"]["rows"][0]["name"] == HOSTILE
    if command == "diff":
        assert any(ch["new"] == HOSTILE for ch in obj["changes"])


# --------------------------------------------------------------------------- lone surrogates, every output


SURROGATE_RUNS = {
    "inspect": lambda f, t: ["inspect", f["surrogate"], "--all-columns"],
    "inspect-table": lambda f, t: ["inspect", f["surrogate"], "--table", "accounts"],
    "diff": lambda f, t: ["diff", f["clean"], f["surrogate"]],
    "merge": lambda f, t: ["merge", f["clean"], f["surrogate"], "--dry-run"],
    "audit": lambda f, t: ["audit", f["surrogate"], "--report", t / "r.html"],
    "audit-xlsx": lambda f, t: ["audit", f["surrogate"], "--report", t / "r.xlsx"],
    "salvage": lambda f, t: ["salvage", f["surrogate"], t / "s.json"],
    "reexport": lambda f, t: ["reexport", f["surrogate"], t / "x.json"],
}


@pytest.mark.parametrize("mode", ["text", "json"])
@pytest.mark.parametrize("command", list(SURROGATE_RUNS))
def test_lone_surrogate_never_crashes_an_output(files, tmp_path, command, mode):
    args = SURROGATE_RUNS[command](files, tmp_path)
    proc = cli(*args, *(["--json"] if mode == "json" else []))
    assert proc.returncode in ((0, 1, 2) if command == "merge" else (0, 1)), proc.stderr  # merge: a refusal
    text = assert_neutral(proc.stdout)
    assert_neutral(proc.stderr)
    if mode == "json":
        json.loads(text)
    if command in ("inspect", "diff", "merge") and mode == "text":
        assert "\\ud800" in text  # shown escaped
    if command == "inspect-table" and mode == "json":
        assert SURROGATE in {row["name"] for row in json.loads(text)["table"]["rows"]}  # exact
    if command == "audit":
        assert "\\ud800" in assert_neutral((tmp_path / "r.html").read_bytes())


def test_lone_surrogate_in_csv(files, tmp_path):
    for raw in ([], ["--raw-csv"]):
        folder = tmp_path / f"csv{len(raw)}"
        proc = cli("inspect", files["surrogate"], "--csv-dir", folder, *raw)
        assert proc.returncode == 0, proc.stderr
        names = [row["name"] for row in read_csv(folder / "accounts.csv")]
        assert "Lone\\ud800 surrogate" in names


# --------------------------------------------------------------------------- finding 2: spreadsheets


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))


def test_csv_dir_neutralises_formulas(files, tmp_path):
    proc = cli("inspect", files["hostile"], "--csv-dir", tmp_path / "csv")
    assert proc.returncode == 0, proc.stderr
    notes = [row["note"] for row in read_csv(tmp_path / "csv" / "addressBook.csv")]
    for formula in FORMULAS:
        assert "'" + formula.replace("\t=", "\t'=") in notes  # after a tab too: a spreadsheet may split there
    for cell in (c for p in (tmp_path / "csv").glob("*.csv") for row in read_csv(p) for c in row.values()):
        assert not re.match(r"^\s*[=+\-@\t\r]", cell), cell
        # nor any part after a split on ";" (Excel in a Danish/German locale) or a tab (issue 21 #5)
        assert not any(re.match(r"[\s\"]*[=+\-@]", part) for part in re.split(r"[,;\t\r\n]", cell)[1:]), cell
    accounts = read_csv(tmp_path / "csv" / "accounts.csv")
    assert accounts[0]["name"] == HOSTILE  # CSV is data: only formulas are neutralised


def test_raw_csv_keeps_values(files, tmp_path):
    proc = cli("inspect", files["hostile"], "--csv-dir", tmp_path / "csv", "--raw-csv")
    assert proc.returncode == 0, proc.stderr
    notes = [row["note"] for row in read_csv(tmp_path / "csv" / "addressBook.csv")]
    assert all(formula in notes for formula in FORMULAS)


def test_csv_dir_whose_parent_cannot_hold_it_is_write_failed(files, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    proc = cli("inspect", files["hostile"], "--csv-dir", blocker / "sub" / "csv", check=False)
    assert proc.returncode == 2
    assert b"write-failed" in proc.stderr and b"Internal error" not in proc.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_csv_dir_in_read_only_parent_is_write_failed(files, tmp_path):
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o500)
    try:
        proc = cli("inspect", files["hostile"], "--csv-dir", parent / "csv", check=False)
    finally:
        parent.chmod(0o700)
    assert proc.returncode == 2 and b"write-failed" in proc.stderr


# --------------------------------------------------------------------------- finding 16: randomness


def test_randomness_is_redacted_in_every_cli_output(files, tmp_path):
    secrets = (RANDOMNESS, RANDOMNESS[::-1])
    outputs = [
        cli("inspect", files["hostile"], "--all-columns").stdout,
        cli("inspect", files["hostile"], "--table", "identities", "--json").stdout,
        cli("inspect", files["hostile"], "--table", "credentials", "--json").stdout,
        cli("diff", files["clean"], files["hostile"]).stdout,
        cli("diff", files["clean"], files["hostile"], "--json").stdout,
        cli("audit", files["hostile"], "--json").stdout,
    ]
    cli("inspect", files["hostile"], "--csv-dir", tmp_path / "csv")
    outputs += [p.read_bytes() for p in (tmp_path / "csv").glob("*.csv")]
    for data in outputs:
        assert data and not any(s.encode() in data for s in secrets)
    diff = json.loads(cli("diff", files["clean"], files["hostile"], "--json").stdout)
    rows = [ch for ch in diff["changes"] if ch["field"] == "randomness"]
    assert rows and all(ch["old"] == ch["new"] == "(changed, redacted)" for ch in rows)
    shown = cli("inspect", files["hostile"], "--all-columns", "--reveal-secrets", columns=400).stdout
    assert RANDOMNESS[:20].encode() in shown  # the explicit opt-in shows it


# --------------------------------------------------------------------------- issue 10: readable tables


@pytest.mark.parametrize("columns", [60, 100, 160])
def test_tables_fit_the_terminal_and_show_no_missing_markers(files, columns):
    for extra in ([], ["--all-columns"]):
        text = assert_neutral(cli("inspect", files["hostile"], *extra, columns=columns).stdout)
        assert max(len(line) for line in text.splitlines()) <= columns
        for marker in ("NaN", "NaT", "<NA>", "None"):
            assert not re.search(rf"(^|\s){marker}(\s|$)", text, re.M), marker


def test_encrypted_amounts_are_not_default_columns(files):
    text = cli("inspect", files["hostile"], columns=400).stdout.decode()
    for name in ("selfAmounts", "incomingAmounts", "totalDecrypted", "allDecrypted", "transactionFilter"):
        assert name not in text
    assert "selfAmounts" in cli("inspect", files["hostile"], "--all-columns", columns=400).stdout.decode()


def test_text_is_left_aligned(files):
    lines = cli("inspect", files["hostile"], "--table", "addressBook").stdout.decode().splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("name"))
    assert lines[header + 1].startswith("Staking  ")  # a short name padded on the right, not the left
