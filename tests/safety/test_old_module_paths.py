"""The module paths before the layers: those 0.1.0's README documented as the Python API still import, with a
DeprecationWarning naming the new path and release 0.3; the undocumented ones are gone (CHANGELOG.md, 0.2.0)."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

KEPT = {
    "toolkit.diff": "toolkit.ops.diff",
    "toolkit.merge": "toolkit.ops.merge",
    "toolkit.subset": "toolkit.ops.subset",
    "toolkit.export": "toolkit.ops.export",
    "toolkit.salvage": "toolkit.ops.salvage",
    "toolkit.audit": "toolkit.ops.audit",
    "toolkit.recovery": "toolkit.ops.recovery",
    "toolkit.ledger": "toolkit.ops.ledger",
    "toolkit.sheets": "toolkit.reports.sheets",
    "toolkit.report": "toolkit.reports.report",
}
GONE = [
    "toolkit.container",
    "toolkit.jsonio",
    "toolkit.passwords",
    "toolkit.files",
    "toolkit.backup",
    "toolkit.shapes",
    "toolkit.network",
    "toolkit.addresses",
    "toolkit.tables",
    "toolkit.walletdb",
    "toolkit.synthetic",
]


@pytest.mark.parametrize(("old", "new"), KEPT.items())
def test_a_documented_old_path_imports_with_a_warning(old: str, new: str) -> None:
    for name in [m for m in sys.modules if m == old or m.startswith(old + ".")]:
        del sys.modules[name]  # an earlier test's stand-in (with its submodules' stand-ins) is not this import
    code = (
        "import warnings, importlib\n"
        "warnings.filterwarnings('error', r'toolkit\\.\\w+ is now', DeprecationWarning)\n"  # ours only, not pandas' own
        f"try:\n    importlib.import_module({old!r})\nexcept DeprecationWarning as w:\n    print(w)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert f"{old} is now {new}; the old path goes away in release 0.3" in out.stdout, out.stdout + out.stderr
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        module = importlib.import_module(old)
    try:
        real = importlib.import_module(new)
        public = [n for n in dir(real) if not n.startswith("_")]
        assert public and all(getattr(module, n) is getattr(real, n) for n in public)
    finally:  # the next import of the old path warns again (tests/test_layers.py counts on it)
        for name in [m for m in sys.modules if m == old or m.startswith(old + ".")]:
            del sys.modules[name]


@pytest.mark.parametrize("old", GONE)
def test_an_undocumented_old_path_is_gone(old: str) -> None:
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(old)
    with pytest.raises(ImportError):
        exec(f"from toolkit import {old.rsplit('.', 1)[1]}", {})


def test_nothing_in_the_repository_uses_a_removed_path() -> None:
    names = "|".join(p.split(".")[1] for p in GONE)
    uses = re.compile(rf"(?:from|import)\s+toolkit\.({names})\b|from\s+toolkit\s+import\s+.*\b({names})\b")
    places = [*ROOT.glob("toolkit/**/*.py"), *ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("docs/*.md")]
    places += [*ROOT.glob("bench/*.py"), *ROOT.glob("scripts/*.py"), *ROOT.glob("tests/**/*.py"), ROOT / "README.md"]
    for path in places:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        for before, line in zip(["", *lines], lines, strict=False):
            if path.name == Path(__file__).name or "except ImportError" in before:  # a fallback for old checkouts
                continue
            assert not uses.search(line), f"{path.relative_to(ROOT)} uses a removed path: {line.strip()}"
