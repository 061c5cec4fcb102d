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
