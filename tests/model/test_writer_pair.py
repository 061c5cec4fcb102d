"""One writer pair, Backup.encrypt / Backup.save: the other writers are thin aliases of it."""

from __future__ import annotations

import pytest

import toolkit
from toolkit import errors
from toolkit.model import backup as backup_module
from toolkit.model.backup import Backup, open_backup
from toolkit.testing import synthetic

PW = "a-new-password"


def sample() -> Backup:
    return Backup(synthetic.desktop_document(seed=5, identities=2, accounts_per_identity=1))


def test_tables_include_raw_keeps_the_json_text_as_the_readme_says():
    plain, raw = sample().tables(), sample().tables(include_raw=True)
    assert "identityObject" not in plain["identities"] and "identityObject" in raw["identities"]
    assert "policy" in raw["credentials"] and "policy" not in plain["credentials"]
    assert set(raw["identities"]["randomness"].dropna()) == {"‹redacted›"}  # raw is not a way round the redaction


@pytest.mark.parametrize("write", ["save", "save_backup", "reexport", "encrypt", "encrypt_backup", "export_bytes"])
def test_every_writer_checks_the_password_once(write, tmp_path, monkeypatch):
    calls = []
    real = backup_module.check_password
    monkeypatch.setattr(backup_module, "check_password", lambda pw: (calls.append(1), real(pw)))
    b, out = sample(), tmp_path / "out.json"
    run = {
        "save": lambda: b.save(out, PW),
        "save_backup": lambda: toolkit.save_backup(b, out, PW),
        "reexport": lambda: toolkit.reexport(b, out, PW),
        "encrypt": lambda: b.encrypt(PW),
        "encrypt_backup": lambda: toolkit.encrypt_backup(b, PW),
        "export_bytes": lambda: toolkit.export_bytes(b, PW),
    }[write]
    run()
    assert calls == [1]
    with pytest.raises(errors.PasswordTooShortError):
        monkeypatch.setattr(backup_module, "check_password", real)
        b.encrypt("short")


def test_writers_expand_the_home_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    b = sample()
    result = toolkit.reexport(b, "~/x.json", PW)
    assert result.path == str(tmp_path / "x.json") and open_backup(tmp_path / "x.json", PW).document == b.document
    toolkit.save_backup(b, "~/y.json", PW)
    assert (tmp_path / "y.json").exists()


def test_a_selection_is_written_and_the_opened_backup_is_unchanged(tmp_path):
    b = sample()
    before = b.to_plaintext()
    first = b.document["accounts"][0]["address"]
    data = b.encrypt(PW, accounts=[first])
    assert [a["address"] for a in open_backup(data, PW).document["accounts"]] == [first]
    assert b.to_plaintext() == before
    assert open_backup(b.encrypt(PW), PW).to_plaintext() == before  # unchanged: byte for byte
