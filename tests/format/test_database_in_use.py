"""A wallet database another process holds open for writing is refused (``database-in-use``), as the Desktop Wallet
holds it while it runs: a real SQLCipher connection in another process (sqlcipher3, as the wallet's binding
opens it: read-write), seen through /proc on Linux and through lsof; a read-only reader is no reason to refuse."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import toolkit
from toolkit import errors
from toolkit.format import in_use

from ..conftest import ROOT

FIXTURE = ROOT / "tests" / "walletdb" / "wallet.sqlite3"
PASSWORD = "Wallet-DB-2026"
LINUX = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")

#: Another process opening the database as the wallet does (SQLCipher, key, a read) and keeping it open.
WALLET_LIKE = """
import sys, sqlcipher3
con = sqlcipher3.connect(sys.argv[1])
con.execute("PRAGMA key = '" + sys.argv[2] + "'")
con.execute("PRAGMA foreign_keys = ON")
assert con.execute("select count(*) from accounts").fetchone()[0] > 0
print("open", flush=True)
sys.stdin.read()
"""
READER = """
import sys
fh = open(sys.argv[1], "rb")
fh.read(4096)
print("open", flush=True)
sys.stdin.read()
"""

#: A program holding the file open read-write, as SQLite does, without SQLCipher.
WRITER = READER.replace('"rb"', '"r+b"')


@contextmanager
def holding(script: str, *args: str) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "open"
        yield proc
    finally:
        proc.stdin.close()  # type: ignore[union-attr]
        proc.wait(timeout=30)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "concordium-desktop-wallet-database.sqlite3"
    shutil.copyfile(FIXTURE, path)
    return path


@LINUX
def test_a_database_the_wallet_holds_open_is_refused_until_it_is_closed(database: Path) -> None:
    pytest.importorskip("sqlcipher3")
    with holding(WALLET_LIKE, str(database), PASSWORD) as wallet:
        (holder,) = in_use.writers(database)
        assert holder.pid == wallet.pid and holder.name.startswith("python")  # /proc/PID/comm
        with pytest.raises(errors.DatabaseInUseError) as info:
            toolkit.open_backup(database, PASSWORD)
        assert info.value.code == "database-in-use"
        assert f"process {wallet.pid}" in info.value.message and "Close the Desktop Wallet" in info.value.message
        assert PASSWORD not in str(info.value)
        with pytest.raises(errors.DatabaseInUseError):  # salvage reads the same file: refused too
            from toolkit.ops.salvage_db import salvage_database

            salvage_database(database, PASSWORD)
    assert not list(database.parent.glob("*-journal")) and in_use.writers(database) == []
    assert toolkit.open_backup(database, PASSWORD).kind == "desktop-wallet-database"  # closed: it opens


@LINUX
def test_a_program_only_reading_the_file_is_no_reason_to_refuse(database: Path) -> None:
    with holding(READER, str(database)):
        assert in_use.writers(database) == []
        assert toolkit.open_backup(database, PASSWORD).kind == "desktop-wallet-database"


@LINUX
def test_a_link_to_the_database_is_the_same_file(database: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.sqlite3"
    link.symlink_to(database)
    with holding(WRITER, str(database)) as writer:
        assert [h.pid for h in in_use.writers(link)] == [writer.pid]


@pytest.mark.skipif(shutil.which("lsof") is None, reason="no lsof")
def test_lsof_sees_the_same_holder(database: Path) -> None:
    """macOS's way (lsof), run where lsof is installed."""
    with holding(WRITER, str(database)) as writer:
        assert [h.pid for h in in_use.writers(database, how="lsof")] == [writer.pid]
    with holding(READER, str(database)):
        assert in_use.writers(database, how="lsof") == []


def test_windows_is_not_checked_and_the_database_opens(database: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert in_use.method("win32") is None
    monkeypatch.setattr(in_use, "method", lambda platform=None: None)
    with holding(WRITER, str(database)):
        assert in_use.writers(database) is None
        assert toolkit.open_backup(database, PASSWORD).kind == "desktop-wallet-database"
