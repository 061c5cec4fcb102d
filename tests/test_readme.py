"""Every Python example in README.md runs as written, and every library name in its table exists at top level.

Convention (stated in README's Development section): the ```python blocks run
in order in one namespace with the working directory ``data/samples/`` and
``password`` set to ``wallet-export.json``'s password; a block whose first line
is ``# needs a person`` (a form waiting for clicks) is only compiled.
"""

from __future__ import annotations

import re

import pytest

import toolkit
from tests.conftest import ROOT, SAMPLES

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```python\n(.*?)^```", README, flags=re.S | re.M)
NEEDS_A_PERSON = "# needs a person"


def test_the_readme_has_python_examples() -> None:
    assert len(BLOCKS) >= 3


def test_every_python_block_runs_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(SAMPLES)
    namespace: dict[str, object] = {"password": (SAMPLES / "wallet-export.password").read_text().splitlines()[0]}
    for number, block in enumerate(BLOCKS, 1):
        code = compile(block, f"README.md python block {number}", "exec")
        if block.startswith(NEEDS_A_PERSON):
            continue
        exec(code, namespace)  # noqa: S102 - the README's own examples


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
