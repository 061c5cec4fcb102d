"""The wheel is the whole tool: built from this checkout, installed with no extras in a fresh venv, used there.

Slow (it builds the wheel and installs the core from the package index, pinned by constraints.txt):
CI runs it; ``pytest -m slow -k wheel`` by hand.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT, SAMPLES

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def run(cmd: list[str], cwd: Path, **kw) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600, env=env, **kw)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the wheel and nothing of the extras; its bin folder."""
    work = tmp_path_factory.mktemp("wheel")
    out = run([sys.executable, "-m", "build", "--wheel", "--outdir", str(work / "dist"), str(ROOT)], work)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    (wheel,) = (work / "dist").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "toolkit/py.typed" in names
    assert "toolkit/notebooks/app-desk.ipynb" in names
    assert {f"toolkit/samples/{p.name}" for p in SAMPLES.iterdir()} <= set(names)
    assert not [n for n in names if n.startswith(("tests/", "data/", "notebooks/"))]
    assert any(n.endswith("/licenses/LICENSE") for n in names)
    venv.create(work / "venv", with_pip=True)
    bin_dir = work / "venv" / ("Scripts" if os.name == "nt" else "bin")
    pip = [str(bin_dir / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    out = run([*pip, "-c", str(ROOT / "constraints.txt"), str(wheel)], work)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return bin_dir


def test_the_wheel_alone_copies_its_samples_and_opens_one(installed: Path, tmp_path: Path) -> None:
    tool = str(installed / "concordium-backup")
    assert run([tool, "samples", "d"], tmp_path).returncode == 0
    out = run([tool, "inspect", "d/wallet-export.json", "--password-file", "d/wallet-export.password"], tmp_path)
    assert out.returncode == 0, out.stderr
    assert "desktop-wallet" in out.stdout and "accounts 12" in out.stdout
    out = run(
        [tool, "inspect", "d/wallet-export.json", "--password-file", "d/wallet-export.password", "--json"], tmp_path
    )
    assert json.loads(out.stdout)["kind"] == "desktop-wallet"


def test_the_core_wheel_has_no_extra_and_says_which_to_install(installed: Path, tmp_path: Path) -> None:
    python = str(installed / "python")
    out = run([python, "-m", "pip", "list", "--format=json"], tmp_path)
    dists = {d["name"].lower() for d in json.loads(out.stdout)}
    assert not dists & {"ledgerblue", "distributed", "dask", "ipywidgets", "anywidget", "voila", "jupyterlab"}
    tool = str(installed / "concordium-backup")
    for argv, extra in ((["ledger", "--tcp", "127.0.0.1:9"], "ledger"), (["desk"], "notebook")):
        out = run([tool, *argv], tmp_path)
        assert out.returncode == 2, out.stderr
        assert f"pip install 'concordium-backup-toolkit[{extra}]'" in out.stderr
        assert "Traceback" not in out.stderr


def test_the_core_install_is_at_most_200_mib(installed: Path) -> None:
    """What ``pip install concordium-backup-toolkit`` adds to a fresh venv (the venv's own pip/setuptools aside)."""
    site = next((installed.parent / "lib").glob("python3*/site-packages"))
    own = {"pip", "setuptools", "pkg_resources", "_distutils_hack"}
    total = 0
    for entry in site.iterdir():
        name = entry.name.split("-")[0].lower()
        if name in own or name == "distutils":
            continue
        files = [entry] if entry.is_file() else [p for p in entry.rglob("*") if p.is_file()]
        total += sum(p.stat().st_size for p in files)
    assert total <= 200 * 1024 * 1024, total / 2**20
