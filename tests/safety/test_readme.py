"""Every Python example in README.md and the docs/ pages runs as written, and every library name in README's
table exists at top level.

Convention (stated in docs/DEVELOPMENT.md): the ```python blocks of README.md, then those of each docs/ page
in the order README links the pages, run in one namespace with the working directory ``data/samples/`` and
``password`` set to ``wallet-export.json``'s password; a block whose first line is ``# needs a person`` (a
form waiting for clicks) is only compiled.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import toolkit
from tests.conftest import ROOT, SAMPLES

README = (ROOT / "README.md").read_text(encoding="utf-8")
NEEDS_A_PERSON = "# needs a person"


def _blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def example_pages() -> list[Path]:
    """README.md, then every docs/ page it links, in the order it links them."""
    pages = [ROOT / "README.md"]
    for target in re.findall(r"\]\((docs/[\w.-]+\.md)(?:#[\w-]*)?\)", README):
        path = ROOT / target
        if path not in pages:
            pages.append(path)
    return pages


BLOCKS = [(page, block) for page in example_pages() for block in _blocks(page.read_text(encoding="utf-8"))]


def test_the_readme_has_python_examples() -> None:
    assert len(_blocks(README)) >= 3
    assert len(BLOCKS) > len(_blocks(README)), "the docs/ pages' examples are run too"


def test_every_docs_page_with_examples_is_linked_from_the_readme() -> None:
    linked = set(example_pages())
    with_examples = {p for p in (ROOT / "docs").glob("*.md") if _blocks(p.read_text(encoding="utf-8"))}
    assert with_examples <= linked, sorted(str(p) for p in with_examples - linked)


def test_every_python_block_runs_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(SAMPLES)
    namespace: dict[str, object] = {"password": (SAMPLES / "wallet-export.password").read_text().splitlines()[0]}
    numbers: dict[Path, int] = {}
    for page, block in BLOCKS:
        numbers[page] = numbers.get(page, 0) + 1
        code = compile(block, f"{page.relative_to(ROOT)} python block {numbers[page]}", "exec")
        if block.startswith(NEEDS_A_PERSON):
            continue
        exec(code, namespace)  # noqa: S102 - the docs' own examples


def test_the_tables_library_names_are_at_top_level() -> None:
    table = README.split("| task | library | command |", 1)[1].split("\n\n", 1)[0]
    names = re.findall(r"`toolkit\.(\w+)\(", table)
    assert len(names) >= 8
    for name in names:
        assert callable(getattr(toolkit, name)), name
        assert name in dir(toolkit), name


def test_import_toolkit_loads_no_heavy_module_until_asked() -> None:
    import subprocess
    import sys

    probe = "import sys, toolkit; print(sorted(m for m in ('pandas', 'toolkit.ops.diff', 'toolkit.ops.audit') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
