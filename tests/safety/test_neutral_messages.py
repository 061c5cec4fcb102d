"""The library's messages name no command-line option or command; every CLI hint can be reached.

Interfaces add their own words from their hint tables (``toolkit/cli/hints.py``,
``toolkit/widgets/hints.py``); a library message that says ``--force`` or
``concordium-backup audit`` is wrong in a form, and a hint whose key no error
can carry is dead text.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT
from toolkit import errors
from toolkit.cli.hints import HINTS

TOOLKIT = ROOT / "toolkit"
#: Layers whose words are the user's interface (or test data), not the library's.
INTERFACES = {"cli", "widgets", "testing"}
#: A CLI option (``--force``) or the command's name (``concordium-backup audit``); not the product's
#: package name (``concordium-backup-toolkit``) or a file-format tag (``concordium-backup/...``).
CLI_WORDS = re.compile(r"concordium-backup(?![\w/-])|(?<![\w-])--[a-z]")

#: Library text allowed to name CLI words (none: the checkpoint's hints moved to the CLI's table).
KNOWN: set[tuple[str, str]] = set()
#: Hint keys no error can carry (none).
KNOWN_UNREACHABLE: set[str] = set()


def _library_files() -> list[Path]:
    return [p for p in sorted(TOOLKIT.rglob("*.py")) if p.relative_to(TOOLKIT).parts[0] not in INTERFACES]


def _strings(path: Path) -> list[str]:
    """Every string literal (f-string parts too) in ``path`` except docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
    ]


def test_no_library_message_names_a_cli_option_or_command():
    found = {
        (str(path.relative_to(TOOLKIT)), text)
        for path in _library_files()
        for text in _strings(path)
        if CLI_WORDS.search(text)
    }
    assert found - KNOWN == set(), "library text naming CLI words (move them to toolkit/cli/hints.py)"


def test_the_known_exceptions_are_still_there():
    """When the checkpoint messages are fixed, this list must shrink (so it cannot hide a new one)."""
    still = {(rel, text) for rel, text in KNOWN if text in _strings(TOOLKIT / rel)}
    if still != KNOWN:
        pytest.fail(f"fixed, remove from KNOWN: {sorted(KNOWN - still)}")


def test_error_class_hints_are_neutral():
    for cls in errors.all_error_classes():
        assert not CLI_WORDS.search(cls.hint), cls


def _subjects() -> set[str]:
    """Every ``subject="..."`` an error is raised with, anywhere in the toolkit."""
    pattern = re.compile(r"""subject\s*=\s*["']([A-Za-z_]+)["']""")
    return {m for p in sorted(TOOLKIT.rglob("*.py")) for m in pattern.findall(p.read_text(encoding="utf-8"))}


def test_every_cli_hint_can_be_reached():
    codes = {cls.code for cls in errors.all_error_classes()}
    subjects = _subjects()
    dead = []
    for key in HINTS:
        code, _, subject = key.partition("@")
        if code not in codes or (subject and subject not in subjects):
            dead.append(key)
    assert set(dead) == KNOWN_UNREACHABLE, f"hint keys no error carries: {sorted(set(dead) - KNOWN_UNREACHABLE)}"
