"""recover-password on the Desktop Wallet's own database on a real Dask cluster (a scheduler and two workers as
separate processes on 127.0.0.1): the workers get page 1 and the candidate definition, answer hit indexes as
plain data, and this computer confirms the hit by a full open.  Few candidates: each guess costs ~0.1 s."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

pytest.importorskip("distributed")

from tests.conftest import ROOT, subprocess_env  # noqa: E402
from tests.dask_cluster import local_cluster  # noqa: E402
from toolkit.model.database import FILE_NAME, KIND  # noqa: E402
from toolkit.ops.recovery import Candidates, PasswordSearch  # noqa: E402
from toolkit.ops.recovery.cluster import DaskEngine  # noqa: E402

FIXTURES = ROOT / "tests" / "walletdb"
LOGIN = "Wallet-DB-2026"
NEW = "new.Password-2"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with local_cluster(tmp_path_factory.mktemp("dask")) as c:
        yield c


def test_finds_the_rekeyed_password_on_the_cluster_with_every_answer_spot_checked(cluster):
    words = ["old-Password-1", "older.Password-0", NEW, "newer-Password-3"]
    search = PasswordSearch(FIXTURES / "rekeyed.sqlite3", Candidates(words=words))
    result = search.run(DaskEngine(cluster.address, insecure=True, spot_check=1.0), range_size=1)
    assert result.found and result.password == "new" and result.rekeyed and result.kind == KIND
    assert result.engine == "dask" and not result.failed_workers and result.spot_checked >= 1
    assert not any(w in cluster.logs() for w in words)  # ("new" alone is a word Dask logs use)


def test_cli_finds_the_login_password_on_the_cluster(cluster, tmp_path):
    folder = tmp_path / "Concordium Wallet"
    folder.mkdir()
    db = folder / FILE_NAME
    shutil.copyfile(FIXTURES / "wallet.sqlite3", db)
    listing = tmp_path / "remembered.txt"
    words = ["Wallet-DB-2024", "Wallet.DB-2025", LOGIN]
    listing.write_text("\n".join(words) + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "toolkit", "recover-password", str(db), "--candidates", str(listing)]
        + ["--cluster", cluster.address, "--insecure-cluster", "--json", "--no-progress"],
        capture_output=True,
        timeout=180,
        env=subprocess_env(),
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    out = json.loads(done.stdout)
    assert out["found"] is True and out["password"] == LOGIN and out["kind"] == KIND
    assert out["engine"] == "dask" and out["workers"] == 2 and "rekeyed" not in out
    assert os.listdir(folder) == [FILE_NAME]
    assert not any(w in cluster.logs() for w in words)
