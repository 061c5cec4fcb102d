"""The bundled samples open, and decrypt through an independent path too (hashlib + openssl)."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess

import pytest

from tests.conftest import SAMPLES, sample_password
from toolkit import errors, open_backup

OPENABLE = [
    ("wallet-export.json", "desktop-wallet", "mainnet"),
    ("wallet-export-later.json", "desktop-wallet", "mainnet"),
    ("wallet-export-old.json", "desktop-wallet", "none"),
    ("wallet-export-forgotten.json", "desktop-wallet", "mainnet"),
    ("concordium-backup.concordiumwallet", "legacy-mobile-wallet", "mainnet"),
]


@pytest.mark.parametrize(("name", "kind", "network"), OPENABLE)
def test_samples_open(name, kind, network):
    backup = open_backup(SAMPLES / name, sample_password(SAMPLES / name))
    assert (backup.kind, backup.network) == (kind, network)
    assert all(len(df) for n, df in backup.tables().items() if backup.counts().get(n))


def test_damaged_sample_is_cut_short():
    with pytest.raises(errors.NotJsonError, match="cut short"):
        open_backup(SAMPLES / "wallet-export-damaged.json", sample_password(SAMPLES / "wallet-export-damaged.json"))


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl command not installed")
@pytest.mark.parametrize(("name", "kind", "network"), OPENABLE)
def test_samples_decrypt_independently(name, kind, network):
    """PBKDF2 from hashlib and AES-CBC from the openssl command line: no code of ours, no `cryptography`."""
    outer = json.loads((SAMPLES / name).read_bytes())
    meta = outer["metadata"]
    key = hashlib.pbkdf2_hmac(
        "sha256", sample_password(SAMPLES / name).encode(), base64.b64decode(meta["salt"]), meta["iterations"], 32
    )
    iv = base64.b64decode(meta["initializationVector"])
    out = subprocess.run(
        ["openssl", "enc", "-d", "-aes-256-cbc", "-K", key.hex(), "-iv", iv.hex()],
        input=base64.b64decode(outer["cipherText"]),
        capture_output=True,
        check=True,
    ).stdout
    assert out == open_backup(SAMPLES / name, sample_password(SAMPLES / name)).to_plaintext()
    assert json.loads(out)  # and it is the JSON the wallet wrote


def test_samples_are_reproducible(tmp_path, monkeypatch):
    """scripts/make_samples.py makes exactly the committed bytes."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES.parent.parent / "scripts" / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "OUT", tmp_path)
    module.main()
    for name in module.PASSWORDS:
        assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes(), name


def test_bitrot_sample_is_damaged_and_salvageable():
    from toolkit.ops.salvage import salvage

    pw = sample_password(SAMPLES / "wallet-export-bitrot.json")
    with pytest.raises(errors.DamagedError):
        open_backup(SAMPLES / "wallet-export-bitrot.json", pw)
    result = salvage(SAMPLES / "wallet-export-bitrot.json", pw)
    whole = open_backup(SAMPLES / "wallet-export.json", sample_password(SAMPLES / "wallet-export.json")).counts()
    assert not result.intact and len(result.lost_bytes) == 3
    assert 0 < result.recovered["accounts"] < whole["accounts"]
    assert result.recovered["wallets"] == whole["wallets"]
