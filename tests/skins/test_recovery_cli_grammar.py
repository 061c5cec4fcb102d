"""``recover-password``'s grammar and typo flags: --any-order, anchors, --keyboard, --typos-map, limits."""

from __future__ import annotations

import pytest

from tests.conftest import make_file
from toolkit.cli import main

DESKTOP_PT = b'{"accounts":[],"identities":[],"addressBook":[],"credentials":[],"wallets":[]}'


def run_cli(capsys, *argv):
    code = main(["recover-password", *map(str, argv), "--no-progress", "--workers", "1", "--no-checkpoint"])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def pieces(tmp_path):
    tokens = tmp_path / "pieces.txt"
    tokens.write_text("+ Tiger tiger\n+ Oslo oslo\n+ 2019 2020\n")
    return tmp_path, tokens


def test_pieces_in_another_order_with_a_neighbouring_key(pieces, capsys):
    tmp_path, tokens = pieces
    backup = tmp_path / "w.json"
    backup.write_bytes(make_file(DESKTOP_PT, "2019OsloToger"))
    code, out, _ = run_cli(capsys, backup, "--tokens", tokens, "--typos", "1")
    assert code == 1  # written order only: not found
    code, out, _ = run_cli(capsys, backup, "--tokens", tokens, "--any-order", "--typos", "1", "--no-replace")
    assert code == 1  # the "o" for "i" is a replace typo
    code, out, _ = run_cli(capsys, backup, "--tokens", tokens, "--any-order", "--typos", "1")
    assert code == 0 and "Password: 2019OsloToger" in out


def test_typos_map_and_keyboard(pieces, capsys):
    tmp_path, tokens = pieces
    backup = tmp_path / "w.json"
    backup.write_bytes(make_file(DESKTOP_PT, "T1ger0sl02019"))
    typos_map = tmp_path / "map.txt"
    typos_map.write_text("# btcrecover's format\ni 1\noO 0\n")
    code, out, _ = run_cli(capsys, backup, "--tokens", tokens, "--typos", "2", "--no-replace", "--no-insert")
    assert code == 1
    code, out, _ = run_cli(
        capsys, backup, "--tokens", tokens, "--typos", "2", "--typos-map", typos_map, "--max-typos-map", "2",
        "--no-insert", "--no-replace", "--no-swap", "--no-delete", "--no-repeat", "--no-case", "--no-capslock",
    )  # fmt: skip
    assert code == 0 and "Password: T1ger0sl02019" in out
    code, _, err = run_cli(capsys, backup, "--tokens", tokens, "--typos", "1", "--keyboard", "fr")
    assert code == 2 and "invalid choice" in err


def test_grammar_error_names_the_line_not_the_token(tmp_path, capsys):
    tokens = tmp_path / "t.txt"
    tokens.write_text("+ secret%q9%x\n")
    backup = tmp_path / "w.json"
    backup.write_bytes(make_file(DESKTOP_PT, "whatever"))
    code, out, err = run_cli(capsys, backup, "--tokens", tokens)
    assert code == 2 and "Line 1" in err and "secret" not in out + err


@pytest.fixture()
def split(tmp_path, monkeypatch):
    from toolkit.ops.recovery import slices

    monkeypatch.setattr(slices, "STRIPE", 8)  # 64 candidates, 8 stripes
    tokens = tmp_path / "t.txt"
    tokens.write_text("+ a b c d e f g h\n+ 1 2 3 4 5 6 7 8\n")
    backup = tmp_path / "w.json"
    backup.write_bytes(make_file(DESKTOP_PT, "g2"))
    return tmp_path, tokens, backup


def test_count_and_list_candidates(split, capsys):
    import json
    import stat

    tmp_path, tokens, backup = split
    code, out, _ = run_cli(capsys, backup, "--tokens", tokens, "--min-length", "0", "--count", "--json")
    assert code == 0 and json.loads(out) == {"count": 64, "total": 64}
    code, out, _ = run_cli(capsys, backup, "--tokens", tokens, "--min-length", "0", "--count", "--worker", "2/2")
    assert code == 0 and "32 candidates in this slice of 64" in out
    listing = tmp_path / "listed.txt"
    args = ("--tokens", tokens, "--min-length", "0", "--worker", "1/2", "--skip", "3")
    code, _, err = run_cli(capsys, backup, *args, "--list-candidates", listing)
    assert code == 0 and "29 candidates listed" in err
    assert stat.S_IMODE(listing.stat().st_mode) == 0o600
    lines = listing.read_text().splitlines()
    assert lines[:5] == ["a4", "a5", "a6", "a7", "a8"] and lines[5:8] == ["c1", "c2", "c3"] and len(lines) == 29
    code, out, _ = run_cli(capsys, backup, *args, "--list-candidates")
    assert out.splitlines() == lines
    code, _, err = run_cli(capsys, backup, *args, "--list-candidates", listing)
    assert code == 2 and "output-exists" in err  # never over a file


def test_two_workers_by_cli(split, capsys):
    tmp_path, tokens, backup = split
    codes = []
    for k in ("1/2", "2/2"):
        code = main(["recover-password", str(backup), "--tokens", str(tokens), "--min-length", "0"]
                    + ["--worker", k, "--no-progress", "--workers", "1"])  # fmt: skip
        out, _ = capsys.readouterr()
        codes.append(code)
        assert "32 candidates to try (slice" in out
    assert codes == [0, 1]  # g2 (index 49: stripe 6) is in slice 1's share; only that one finds
    assert not list(tmp_path.glob("w.json.recovery-checkpoint*"))  # each slice's checkpoint removed at its end
