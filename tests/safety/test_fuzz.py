"""A short run of each coverage-guided fuzz target (fuzz/fuzz_parsers.py); longer runs are by hand.

They repeat what the property tests check, so they are ``slow``: CI (scripts/test.sh) runs them, a plain
``pytest`` does not (``pytest -m slow`` runs only them).
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT, SAMPLES

pytestmark = pytest.mark.slow

pytest.importorskip("atheris", reason="atheris (libFuzzer for Python) is not installed on this platform")


@pytest.mark.parametrize(
    ("target", "seed"), [("open", "wallet-export-old.json"), ("plaintext", None), ("tokens", None)]
)
def test_fuzz_target_runs_clean(target, seed, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    if seed:
        shutil.copy(SAMPLES / seed, corpus / seed)
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "fuzz" / "fuzz_parsers.py"),
            target,
            "-runs=2000",
            "-max_len=2048",
            f"-artifact_prefix={tmp_path}/",
            str(corpus),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Done 2000 runs" in done.stderr
