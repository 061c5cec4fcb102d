"""Re-export: byte-identical plaintext, a container the wallets (and openssl, and Node) read, every refusal,
no partial file ever; subsetting; the reexport CLI."""

from __future__ import annotations

import base64
import errno
import hashlib
import json
import os
import shutil
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import VECTOR_FILES, make_file, run_cli
from toolkit import errors
from toolkit.format import container as ct
from toolkit.format.jsonio import dumps_gson, dumps_js
from toolkit.model.backup import Backup, open_backup
from toolkit.ops.export import reexport, save_backup
from toolkit.ops.subset import subset_backup
from toolkit.testing import synthetic

NEW_PW = "ny-Adgangskode-7"
OPENSSL = shutil.which("openssl")
NODE = shutil.which("node")

NODE_DECRYPT = r"""
const fs = require('fs'), crypto = require('crypto');
const box = JSON.parse(fs.readFileSync(process.env.BOX_FILE, 'utf8'));
const m = box.metadata;
const key = crypto.pbkdf2Sync(Buffer.from(process.env.BOX_PASSWORD, 'utf8'), Buffer.from(m.salt, 'base64'),
                              m.iterations, m.keyLen || 32, 'sha256');
const d = crypto.createDecipheriv('aes-256-cbc', key, Buffer.from(m.initializationVector, 'base64'));
process.stdout.write(Buffer.concat([d.update(Buffer.from(box.cipherText, 'base64')), d.final()]));
"""


def openssl_decrypt(path, password: str, tmp_path) -> bytes:
    """Decrypt with the openssl command line; the key comes from hashlib (not the cryptography package)."""
    box = json.loads(path.read_bytes())
    meta = box["metadata"]
    key = hashlib.pbkdf2_hmac(
        "sha256", password.encode("utf-8"), base64.b64decode(meta["salt"]), meta["iterations"], meta.get("keyLen", 32)
    )
    raw = tmp_path / "ciphertext.bin"
    raw.write_bytes(base64.b64decode(box["cipherText"]))
    iv = base64.b64decode(meta["initializationVector"]).hex()
    cmd = [OPENSSL, "enc", "-d", "-aes-256-cbc", "-K", key.hex(), "-iv", iv, "-in", str(raw)]
    return subprocess.run(cmd, capture_output=True, check=True, timeout=60).stdout


def node_decrypt(path, password: str) -> bytes:
    env = {**os.environ, "BOX_FILE": str(path), "BOX_PASSWORD": password}
    return subprocess.run([NODE, "-e", NODE_DECRYPT], capture_output=True, check=True, env=env, timeout=60).stdout


def independent_checks(path, password: str, plaintext: bytes, tmp_path) -> int:
    """Decrypt with every independent tool available; how many ran."""
    ran = 0
    if OPENSSL:
        assert openssl_decrypt(path, password, tmp_path) == plaintext
        ran += 1
    if NODE:
        assert node_decrypt(path, password) == plaintext
        ran += 1
    return ran


def decrypt_file(path, password: str) -> bytes:
    return ct.decrypt(ct.parse_container(path.read_bytes()), password).plaintext


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize(("name", "password", "plain", "kind"), VECTOR_FILES)
def test_vectors_round_trip_byte_for_byte(vectors_dir, tmp_path, name, password, plain, kind):
    backup = open_backup(vectors_dir / name, password)
    out = tmp_path / ("out.concordiumwallet" if kind == "legacy-mobile-wallet" else "out.json")
    result = reexport(backup, out, NEW_PW)
    expected = (vectors_dir / plain).read_bytes()
    assert decrypt_file(out, NEW_PW) == expected
    assert result.verified and result.kind == kind and result.size == out.stat().st_size
    assert result.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    box = json.loads(out.read_bytes())
    meta = box["metadata"]
    assert meta["encryptionMethod"] == "AES-256" and meta["keyDerivationMethod"] == "PBKDF2WithHmacSHA256"
    assert len(base64.b64decode(meta["initializationVector"])) == 16
    if kind == "desktop-wallet":
        assert list(box) == ["cipherText", "metadata"]
        assert meta["iterations"] == 10_000 and meta["keyLen"] == 32 and meta["hashAlgorithm"] == "sha256"
        assert len(base64.b64decode(meta["salt"])) == 16
        assert expected.startswith(b'{"accounts":[')
    else:  # stays a legacy file: the legacy wallet's container
        assert list(box) == ["metadata", "cipherText"]
        assert meta["iterations"] == 100_000 and len(base64.b64decode(meta["salt"])) == 32
    if not independent_checks(out, NEW_PW, expected, tmp_path):
        pytest.skip("neither openssl nor node is available for the independent check")


def test_every_export_has_a_fresh_salt_and_iv(tmp_path):
    backup = Backup(synthetic.desktop_document(seed=1))
    metas = []
    for n in range(3):
        out = tmp_path / f"out{n}.json"
        save_backup(backup, out, NEW_PW, iterations=10)
        metas.append(json.loads(out.read_bytes()))
    assert len({m["metadata"]["salt"] for m in metas}) == 3
    assert len({m["metadata"]["initializationVector"] for m in metas}) == 3
    assert len({m["cipherText"] for m in metas}) == 3


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
_UNKNOWN = st.dictionaries(st.text(min_size=1, max_size=10).filter(lambda k: k[0] != "_"), _JSON, max_size=3)


def with_unknown_fields(doc: dict, data) -> dict:
    """Unknown fields added to the top level and to some records of every list (new keys come last)."""
    value = doc.get("value")
    lists = [v for v in (value if isinstance(value, dict) else doc).values() if isinstance(v, list)]
    if isinstance(value, dict):  # legacy: accounts live inside identities
        lists += [i["accounts"] for i in value["identities"]]
        for k, v in data.draw(_UNKNOWN).items():
            value.setdefault("x-" + k, v)
    for records in lists:
        for record in records[:2]:
            for k, v in data.draw(_UNKNOWN).items():
                record.setdefault("x-" + k, v)
    for k, v in data.draw(_UNKNOWN).items():
        doc.setdefault("future-" + k, v)
    return doc


def spelled(doc: dict, style: str, legacy: bool) -> bytes:
    """The plaintext as a writer might have spelled it (the bytes must come back unchanged)."""
    if style == "wallet":
        return dumps_gson(doc) if legacy else dumps_js(doc)
    if style == "ascii":
        return json.dumps(doc, ensure_ascii=True, separators=(",", ":")).encode()
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(0, 10_000),
    legacy=st.booleans(),
    old_format=st.booleans(),
    style=st.sampled_from(["wallet", "ascii", "indented"]),
    data=st.data(),
)
def test_generated_documents_with_unknown_fields_round_trip(tmp_path, seed, legacy, old_format, style, data):
    if legacy:
        doc = synthetic.legacy_document(identities=2, accounts_per_identity=1, seed=seed)
    else:
        doc = synthetic.desktop_document(identities=2, accounts_per_identity=1, old_format=old_format, seed=seed)
    doc = with_unknown_fields(doc, data)
    plaintext = spelled(doc, style, legacy)
    source = tmp_path / f"in-{seed}-{style}.json"
    source.write_bytes(make_file(plaintext, "old-pass-1", iterations=5, layout="legacy" if legacy else "desktop"))
    backup = open_backup(source, "old-pass-1")
    out = tmp_path / f"out-{seed}-{style}.json"
    save_backup(backup, out, NEW_PW, iterations=5, force=True)
    assert decrypt_file(out, NEW_PW) == plaintext
    assert open_backup(out, NEW_PW).document == doc


def test_unknown_fields_checked_by_openssl_and_node(tmp_path):
    doc = synthetic.desktop_document(seed=3)
    doc["accounts"][0]["maxTransactionId"] = 12
    doc["identities"][0]["futureField"] = {"nested": ["æøå", None, 1.5]}
    doc["settings"] = {"theme": "dark"}
    plaintext = dumps_js(doc)
    backup = Backup(doc)
    out = tmp_path / "out.json"
    reexport(backup, out, NEW_PW, iterations=1000)
    assert decrypt_file(out, NEW_PW) == plaintext
    if not independent_checks(out, NEW_PW, plaintext, tmp_path):
        pytest.skip("neither openssl nor node is available")


# --------------------------------------------------------------------------- refusals


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "wallet-export.json"
    path.write_bytes(make_file(dumps_js(synthetic.desktop_document(seed=2)), "old-pass-1"))
    return path


def files_in(folder) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_existing_output_is_refused_unless_forced(source, tmp_path):
    backup = open_backup(source, "old-pass-1")
    out = tmp_path / "exists.json"
    out.write_bytes(b"precious")
    with pytest.raises(errors.OutputExistsError):
        reexport(backup, out, NEW_PW, iterations=10)
    assert out.read_bytes() == b"precious"
    reexport(backup, out, NEW_PW, iterations=10, force=True)
    assert decrypt_file(out, NEW_PW) == backup.to_plaintext()


def test_output_over_the_input_is_refused_by_any_name(source, tmp_path, monkeypatch):
    backup = open_backup(source, "old-pass-1")
    before = source.read_bytes()
    monkeypatch.chdir(tmp_path)
    link = tmp_path / "link.json"
    link.symlink_to(source)
    for target in (source, "wallet-export.json", "./sub/../wallet-export.json", link):
        with pytest.raises(errors.SameFileError):
            reexport(backup, target, NEW_PW, force=True, iterations=10)
    # a subset keeps the protection of its source
    with pytest.raises(errors.SameFileError):
        reexport(backup, source, NEW_PW, force=True, accounts=[backup.records("accounts")[0]["address"]])
    assert source.read_bytes() == before


def test_short_password_is_refused(source, tmp_path):
    backup = open_backup(source, "old-pass-1")
    with pytest.raises(errors.PasswordTooShortError):
        reexport(backup, tmp_path / "out.json", "12345")
    assert not (tmp_path / "out.json").exists()


def test_legacy_file_is_never_converted_to_desktop(tmp_path):
    backup = Backup(synthetic.legacy_document())
    with pytest.raises(errors.IncompatibleKindsError) as info:
        reexport(backup, tmp_path / "out.json", NEW_PW, to="desktop")
    assert "legacy" in info.value.message and "private keys" in info.value.message
    assert info.value.code == "incompatible-kinds"
    with pytest.raises(errors.IncompatibleKindsError):
        reexport(Backup(synthetic.desktop_document()), tmp_path / "out.json", NEW_PW, to="legacy")
    assert files_in(tmp_path) == set()
    result = reexport(backup, tmp_path / "out.concordiumwallet", NEW_PW, to="legacy", iterations=10)
    assert result.kind == "legacy-mobile-wallet"


def test_failing_fsync_leaves_no_file(source, tmp_path, monkeypatch):
    backup = open_backup(source, "old-pass-1")
    before = files_in(tmp_path)

    def broken_fsync(fd):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(errors.WriteFailedError) as info:
        reexport(backup, tmp_path / "out.json", NEW_PW, iterations=10)
    assert "Nothing was written" in info.value.message
    assert files_in(tmp_path) == before  # no output, no temporary file


def test_full_disk_mid_write_leaves_no_file(source, tmp_path, monkeypatch):
    backup = open_backup(source, "old-pass-1")
    before = files_in(tmp_path)
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fdopen", lambda fd, mode: Full(real_fdopen(fd, mode)))
    with pytest.raises(errors.WriteFailedError):
        reexport(backup, tmp_path / "out.json", NEW_PW, iterations=10)
    assert files_in(tmp_path) == before


def test_interrupted_write_leaves_no_file(source, tmp_path, monkeypatch):
    backup = open_backup(source, "old-pass-1")
    before = files_in(tmp_path)

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        reexport(backup, tmp_path / "out.json", NEW_PW, iterations=10)
    assert files_in(tmp_path) == before


def test_a_file_that_does_not_read_back_is_removed(source, tmp_path, monkeypatch):
    backup = open_backup(source, "old-pass-1")
    real = ct.read_source

    def corrupted(src, **kw):
        data = real(src, **kw)
        return data.replace(b'"cipherText":"', b'"cipherText":"AAAA', 1)

    monkeypatch.setattr(ct, "read_source", corrupted)
    with pytest.raises(errors.VerifyFailedError):
        reexport(backup, tmp_path / "out.json", NEW_PW, iterations=10)
    assert not (tmp_path / "out.json").exists()


# --------------------------------------------------------------------------- subsets


def consistent(doc: dict) -> None:
    wallet_ids = {w["id"] for w in doc["wallets"]}
    identity_ids = {i["id"] for i in doc["identities"]}
    addresses = {a["address"] for a in doc["accounts"]}
    assert all(i["walletId"] in wallet_ids for i in doc["identities"])
    assert all(a["identityId"] in identity_ids for a in doc["accounts"])
    assert all(c["accountAddress"] in addresses and c["identityId"] in identity_ids for c in doc["credentials"])
    assert all(e["accountAddress"] in addresses for e in doc.get("externalCredentials", []))
    assert {w["id"] for w in doc["wallets"]} == {i["walletId"] for i in doc["identities"]}


@pytest.fixture
def big():
    doc = synthetic.desktop_document(
        identities=4, accounts_per_identity=3, contacts=3, external_credentials=4, wallets=2
    )
    return Backup(doc)


def test_subset_by_identity_keeps_its_accounts_and_what_they_refer_to(big):
    ident = big.records("identities")[1]
    sub = subset_backup(big, identities=[ident["name"]]).document
    assert [i["id"] for i in sub["identities"]] == [ident["id"]]
    mine = [a for a in big.records("accounts") if a["identityId"] == ident["id"]]
    assert sub["accounts"] == mine
    assert {e["address"] for e in sub["addressBook"]} == {a["address"] for a in mine}
    assert all(e["readOnly"] for e in sub["addressBook"])  # no contacts unless asked
    assert sub["credentials"] == [c for c in big.records("credentials") if c["identityId"] == ident["id"]]
    assert [w["id"] for w in sub["wallets"]] == [ident["walletId"]]
    assert sub["genesis"] == big.document["genesis"] and list(sub) == list(big.document)
    consistent(sub)


def test_subset_by_account_keeps_only_that_account_and_its_identity(big):
    account = big.records("accounts")[4]
    sub = subset_backup(big, accounts=[account["address"]], include_contacts=True).document
    assert sub["accounts"] == [account]
    assert [i["id"] for i in sub["identities"]] == [account["identityId"]]
    assert [c["accountAddress"] for c in sub["credentials"]] == [account["address"]]
    contacts = [e for e in big.records("addressBook") if not e["readOnly"]]
    assert [e for e in sub["addressBook"] if not e["readOnly"]] == contacts
    consistent(sub)


def test_subset_names_identities_several_ways(big):
    ident = big.records("identities")[2]
    ledger = {w["id"]: w["identifier"] for w in big.records("wallets")}[ident["walletId"]]
    for token in (ident["id"], str(ident["id"]), f"{ident['walletId']}/{ident['identityNumber']}", ident["name"]):
        assert [i["id"] for i in subset_backup(big, identities=[token]).document["identities"]] == [ident["id"]]
    key = f"{ledger}/{ident['identityNumber']}"
    assert subset_backup(big, identities=[key]).document["identities"] == [ident]


def test_subset_refuses_unknown_ambiguous_and_empty_selections(big):
    with pytest.raises(errors.SelectionError) as info:
        subset_backup(big, identities=["Nobody"])
    assert "Nobody" in info.value.message and info.value.code == "invalid-selection"
    doc = synthetic.desktop_document(identities=2)
    doc["identities"][1]["name"] = doc["identities"][0]["name"]
    with pytest.raises(errors.SelectionError, match="match"):
        subset_backup(Backup(doc), identities=[doc["identities"][0]["name"]])
    with pytest.raises(errors.SelectionError):
        subset_backup(big)
    with pytest.raises(errors.SelectionError):
        subset_backup(big, accounts=["3" * 50])


def test_subset_of_everything_reexports_the_original_bytes(tmp_path):
    doc = synthetic.desktop_document(identities=2, contacts=0)
    plaintext = json.dumps(doc, ensure_ascii=True, separators=(",", ":")).encode()  # not the wallet's spelling
    src = tmp_path / "in.json"
    src.write_bytes(make_file(plaintext, "old-pass-1"))
    backup = open_backup(src, "old-pass-1")
    names = [i["id"] for i in backup.records("identities")]
    reexport(backup, tmp_path / "out.json", NEW_PW, identities=names, iterations=10)
    assert decrypt_file(tmp_path / "out.json", NEW_PW) == plaintext


def test_legacy_subset_stays_legacy_and_keeps_account_numbers(tmp_path):
    doc = synthetic.legacy_document(identities=2, accounts_per_identity=3, recipients=2)
    backup = Backup(doc)
    account = doc["value"]["identities"][1]["accounts"][2]
    sub = subset_backup(backup, accounts=[account["address"]])
    (ident,) = sub.document["value"]["identities"]
    assert ident["accounts"] == [account] and ident["nextAccountNumber"] == 3
    assert sub.document["value"]["recipients"] == []
    assert sub.is_legacy and sub.document["environment"] == doc["environment"]
    result = reexport(backup, tmp_path / "one.concordiumwallet", NEW_PW, accounts=[account["address"]], iterations=10)
    assert result.kind == "legacy-mobile-wallet"
    assert open_backup(tmp_path / "one.concordiumwallet", NEW_PW).document == sub.document


def test_subset_reexport_opens_and_is_consistent(big, tmp_path):
    out = tmp_path / "support.json"
    reexport(big, out, NEW_PW, identities=[big.records("identities")[0]["id"]], iterations=10)
    again = open_backup(out, NEW_PW)
    consistent(again.document)
    assert len(again.records("identities")) == 1


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def pw_files(tmp_path):
    old, new = tmp_path / "old.pw", tmp_path / "new.pw"
    old.write_text("old-pass-1\n")
    new.write_text(NEW_PW + "\n")
    return old, new


def test_cli_reexport_json(source, tmp_path, pw_files, capsys, monkeypatch):
    old, new = pw_files
    out = tmp_path / "again.json"
    args = ["reexport", source, out, "--password-file", old, "--new-password-file", new, "--json"]
    code, stdout, err = run_cli(args, capsys, monkeypatch)
    assert code == 0, err
    obj = json.loads(stdout)
    assert set(obj) == {"output", "kind", "bytes", "sha256", "iterations", "verified"}
    assert obj["verified"] is True and obj["iterations"] == 10_000 and obj["output"] == str(out)
    assert decrypt_file(out, NEW_PW) == decrypt_file(source, "old-pass-1")
    assert NEW_PW not in stdout + err


def test_cli_reexport_env_passwords_and_subset(source, tmp_path, capsys, monkeypatch):
    backup = open_backup(source, "old-pass-1")
    address = backup.records("accounts")[0]["address"]
    env = {"CONCORDIUM_BACKUP_PASSWORD": "old-pass-1", "CONCORDIUM_BACKUP_NEW_PASSWORD": NEW_PW}
    out = tmp_path / "one.json"
    code, stdout, err = run_cli(["reexport", source, out, "--account", address], capsys, monkeypatch, env=env)
    assert code == 0, err
    assert "verified" in stdout
    assert [a["address"] for a in open_backup(out, NEW_PW).records("accounts")] == [address]


def test_cli_reexport_asks_twice_when_interactive(source, tmp_path, capsys, monkeypatch):
    from toolkit.cli import common

    answers = iter(["old-pass-1", NEW_PW, NEW_PW])
    monkeypatch.setattr(common, "_interactive", lambda: True)
    monkeypatch.setattr(common.getpass, "getpass", lambda prompt="": next(answers))
    out = tmp_path / "typed.json"
    code, _stdout, err = run_cli(["reexport", source, out], capsys, monkeypatch)
    assert code == 0, err
    assert open_backup(out, NEW_PW).kind == "desktop-wallet"

    answers = iter(["old-pass-1", NEW_PW, NEW_PW + "x"])
    out2 = tmp_path / "mismatch.json"
    code, _stdout, err = run_cli(["reexport", source, out2], capsys, monkeypatch)
    assert code == 2 and "password-mismatch" in err and not out2.exists()

    answers = iter(["old-pass-1", "kort", "kort"])
    code, _stdout, err = run_cli(["reexport", source, out2], capsys, monkeypatch)
    assert code == 2 and "password-too-short" in err and not out2.exists()


def test_cli_reexport_refuses_before_asking_any_password(source, tmp_path, capsys, monkeypatch):
    taken = tmp_path / "taken.json"
    taken.write_bytes(b"keep me")
    code, stdout, err = run_cli(["reexport", source, taken, "--json"], capsys, monkeypatch)
    assert code == 2 and json.loads(stdout)["error"]["code"] == "output-exists"
    assert taken.read_bytes() == b"keep me"
    code, _stdout, err = run_cli(["reexport", source, source], capsys, monkeypatch)
    assert code == 2 and "same-file" in err


def test_cli_reexport_legacy_to_desktop_is_refused(tmp_path, capsys, monkeypatch):
    src = tmp_path / "old.concordiumwallet"
    src.write_bytes(make_file(dumps_gson(synthetic.legacy_document()), "old-pass-1", layout="legacy"))
    env = {"CONCORDIUM_BACKUP_PASSWORD": "old-pass-1"}  # no new password: it must not get that far
    out = tmp_path / "wallet-export.json"
    code, stdout, err = run_cli(["reexport", src, out, "--to", "desktop", "--json"], capsys, monkeypatch, env=env)
    assert code == 2 and json.loads(stdout)["error"]["code"] == "incompatible-kinds"
    assert not out.exists()
    env["CONCORDIUM_BACKUP_NEW_PASSWORD"] = NEW_PW
    code, stdout, err = run_cli(["reexport", src, tmp_path / "new.concordiumwallet"], capsys, monkeypatch, env=env)
    assert code == 0 and "private keys" in err  # the notice, on stderr
