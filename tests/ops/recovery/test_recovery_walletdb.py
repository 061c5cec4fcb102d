"""recover-password on the Desktop Wallet's own database (tests/walletdb/, made by the wallet's own code): the
login password found among candidates through page 1's HMAC, first as the key the password-change bug would
have left; locally, in the library and the CLI.  (On a Dask cluster: test_recovery_walletdb_cluster.py.)

Each guess costs about 0.1 s of a core (PBKDF2-HMAC-SHA512, 256,000 iterations): few candidates here.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, make_file
from toolkit import errors
from toolkit.cli import main
from toolkit.format import container as ct
from toolkit.format import sqlcipher as sc
from toolkit.model.database import FILE_NAME, KIND
from toolkit.ops.recovery import Candidates, LocalEngine, PasswordSearch, plan, recover_password
from toolkit.ops.recovery import checkpoint as cp

FIXTURES = ROOT / "tests" / "walletdb"
LOGIN = "Wallet-DB-2026"  # wallet.sqlite3's login password (scripts/walletdb-fixtures/README.md)
NEW = "new.Password-2"  # rekeyed.sqlite3 was changed to this; the bug re-keyed it to "new"


@pytest.fixture
def wallet_folder(tmp_path) -> Path:
    """A copy of wallet.sqlite3 where the wallet keeps it, alone in its folder."""
    folder = tmp_path / "Concordium Wallet"
    folder.mkdir()
    shutil.copyfile(FIXTURES / "wallet.sqlite3", folder / FILE_NAME)
    return folder


def test_library_finds_the_login_password_among_candidates(wallet_folder):
    db = wallet_folder / FILE_NAME
    result = recover_password(db, ["Wallet-DB-2025", "wallet.db-2026", LOGIN, "Wallet-DB-2027"], workers=2)
    assert result.found and result.password == LOGIN and result.kind == KIND
    assert not result.rekeyed and result.problem is None and result.false_hits == 0
    assert os.listdir(wallet_folder) == [FILE_NAME]
    assert LOGIN not in repr(result)


def test_the_rekeyed_database_is_found_from_the_full_new_password():
    result = recover_password(FIXTURES / "rekeyed.sqlite3", ["old-Password-1", NEW], workers=1)
    assert result.found and result.password == "new" and result.rekeyed  # the bug's prefix, not what was typed
    assert result.kind == KIND and result.tried == 2


def test_the_prefix_is_tried_even_below_the_minimum_length_and_typed_candidates_still_are():
    # "new" alone is shorter than 6 and skipped as a candidate; the bug's prefix of a longer one is not.
    short = recover_password(FIXTURES / "rekeyed.sqlite3", ["new"], workers=1)
    assert not short.found and short.total == 0
    typed = recover_password(FIXTURES / "wallet.sqlite3", Candidates(words=["x." + LOGIN, LOGIN]), workers=1)
    assert typed.found and typed.password == LOGIN and not typed.rekeyed  # "x" was tried first, and refused


def test_a_damaged_database_still_gives_its_password_with_the_error(tmp_path):
    data = bytearray((FIXTURES / "wallet.sqlite3").read_bytes())
    data[5 * sc.PAGE_SIZE + 100] ^= 0xFF  # page 6 fails its HMAC; page 1 still checks the password
    result = recover_password(bytes(data), ["decoy-password", LOGIN], workers=1)
    assert result.found and result.password == LOGIN
    assert isinstance(result.problem, errors.DamagedError)


def test_the_estimate_uses_the_databases_own_kdf():
    backup = make_file(b'{"accounts":[]}', "pw-123456", iterations=ct.DESKTOP_ITERATIONS)
    engine = LocalEngine(1)
    database_rate = plan(FIXTURES / "wallet.sqlite3", Candidates(words=[LOGIN]), engine).rate
    backup_rate = plan(backup, Candidates(words=[LOGIN]), engine).rate
    assert database_rate * 8 < backup_rate  # PBKDF2-HMAC-SHA512 × 256,000 against SHA-256 × 10,000


def test_a_named_checkpoint_resumes_and_its_secret_uses_the_databases_kdf(tmp_path):
    db = FIXTURES / "wallet.sqlite3"
    ckpt = tmp_path / "progress.json"
    words = ["first-decoy", "second-decoy", LOGIN]
    first = PasswordSearch(db, Candidates(words=words), checkpoint=ckpt)
    stopped = first.run(LocalEngine(1), range_size=1, stop=lambda: first.tried >= 1)
    assert stopped.stopped and not stopped.found
    saved = cp.load(ckpt)
    assert saved is not None and 1 <= saved.tried < 3
    data = db.read_bytes()
    digest = Candidates(words=words).definition_digest()
    sha = hashlib.sha256(data).hexdigest()
    own = cp.search_secret(
        digest, ct.KdfParams(iterations=sc.KDF_ITERATIONS, salt=data[: sc.SALT_LEN], hash_algorithm="sha512"), sha
    )
    assert saved.verifies(cp.mac_key(own))  # keyed by the database's own cost, hash and salt
    sha256 = cp.search_secret(digest, ct.KdfParams(iterations=sc.KDF_ITERATIONS, salt=data[: sc.SALT_LEN]), sha)
    assert not saved.verifies(cp.mac_key(sha256))  # (a backup's SHA-256 at the same count is cheaper than a guess)
    again = PasswordSearch(db, Candidates(words=words), checkpoint=ckpt)
    result = again.run(LocalEngine(1), range_size=1)
    assert result.found and result.password == LOGIN and result.resumed == saved.tried


def test_cli_finds_the_rekeyed_password_and_writes_nothing_beside_the_database(tmp_path, capsys):
    folder = tmp_path / "Concordium Wallet"
    folder.mkdir()
    db = folder / FILE_NAME
    shutil.copyfile(FIXTURES / "rekeyed.sqlite3", db)
    listing = tmp_path / "remembered.txt"
    listing.write_text(f"old-Password-1\n{NEW}\n")
    args = ["recover-password", str(db), "--candidates", str(listing), "--workers", "1", "--no-progress"]
    assert main([*args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["found"] is True and out["password"] == "new" and out["rekeyed"] is True and out["kind"] == KIND
    assert os.listdir(folder) == [FILE_NAME]  # no checkpoint beside the wallet's database

    assert main(args) == 0
    text = capsys.readouterr().out
    assert "Password: new" in text and "the Desktop Wallet's database" in text
    assert "before its first '.' or ' as '" in text and "No progress file is kept beside" in text
    assert os.listdir(folder) == [FILE_NAME]


def test_cli_finds_the_login_password_and_exhausts_saying_the_prefix_was_tried(wallet_folder, tmp_path, capsys):
    db = wallet_folder / FILE_NAME
    listing = tmp_path / "remembered.txt"
    listing.write_text(f"Wallet-DB-2025\n{LOGIN}\n")
    args = ["recover-password", str(db), "--candidates", str(listing), "--workers", "2", "--no-progress"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert f"Password: {LOGIN}" in out and "PBKDF2-HMAC-SHA512" in out and "before its first" not in out

    listing.write_text("Wallet-DB-2025\nWallet.DB-2026\n")
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "Exhausted after 2 candidates" in out and "also tried as the part before it" in out
    assert os.listdir(wallet_folder) == [FILE_NAME]
