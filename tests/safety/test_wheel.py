"""The wheel is the whole tool: built from this checkout, installed with no extras in a fresh venv, used there.

Slow (it builds the wheel and installs the core from the package index, pinned by constraints.txt):
CI runs it; ``pytest -m slow -k wheel`` by hand.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES

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


def test_the_sdist_holds_its_tests_and_they_run_there(tmp_path: Path) -> None:
    """Unpacked elsewhere and installed (core and pytest only), the sdist's own tests pass on its own data."""
    out = run([sys.executable, "-m", "build", "--sdist", "--outdir", str(tmp_path / "dist"), str(ROOT)], tmp_path)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    (sdist,) = (tmp_path / "dist").glob("*.tar.gz")
    with tarfile.open(sdist) as tar:
        tar.extractall(tmp_path / "src", filter="data")
    (src,) = (tmp_path / "src").iterdir()
    for needed in (
        "LICENSE",
        "CHANGELOG.md",
        "constraints.txt",
        "tests/conftest.py",
        "tests/vectors/README.md",
        "docs/GUIDE.md",
    ):
        assert (src / needed).is_file(), needed
    assert len(list((src / "tests" / "ledger-apps").glob("*.elf"))) == 4
    assert (src / "data" / "samples" / "wallet-export.password").is_file()
    assert (src / "notebooks" / "app-desk.ipynb").is_file()
    venv.create(tmp_path / "venv", with_pip=True)
    python = str(tmp_path / "venv" / ("Scripts" if os.name == "nt" else "bin") / "python")
    pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", "-c", str(src / "constraints.txt")]
    out = run([*pip, str(src), "pytest", "pytest-timeout", "hypothesis"], tmp_path)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    tests = [
        "tests/format/test_container.py",
        "tests/model/test_backup.py",
        "tests/format/test_samples.py",
        "tests/safety/test_extras.py",
    ]
    out = run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests], src)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert " passed" in out.stdout and " error" not in out.stdout
