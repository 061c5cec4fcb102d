"""The container: conformance vectors, every diagnosis, damaged vs wrong password."""

from __future__ import annotations

import base64
import json

import pytest

from tests.conftest import VECTOR_FILES, make_file
from toolkit import errors, open_backup
from toolkit.format import container
from toolkit.format.jsonio import dumps_js
from toolkit.model import backup
from toolkit.testing import synthetic

PW = "right-password"


@pytest.mark.parametrize(("name", "password", "plain", "kind"), VECTOR_FILES)
def test_vectors_decrypt_to_exact_plaintext(vectors_dir, name, password, plain, kind):
    box = container.parse_container((vectors_dir / name).read_bytes())
    result = container.decrypt(box, password)
    assert result.plaintext == (vectors_dir / plain).read_bytes()
    assert result.first_block_kind == kind


@pytest.mark.parametrize(("name", "password", "plain", "kind"), VECTOR_FILES)
def test_vectors_wrong_password(vectors_dir, name, password, plain, kind):
    with pytest.raises(errors.WrongPasswordError):
        open_backup(vectors_dir / name, password + "x")


def test_vector_layouts(vectors_dir):
    assert container.parse_container((vectors_dir / "desktop-reference.json").read_bytes()).layout == "desktop"
    legacy = container.parse_container((vectors_dir / "legacy-reference.concordiumwallet").read_bytes())
    assert legacy.layout == "legacy"
    assert legacy.kdf.iterations == 100_000 and len(legacy.kdf.salt) == 32


def _doc_file(**meta_changes) -> bytes:
    """A small valid desktop file whose outer JSON is then edited."""
    data = make_file(b'{"accounts":[],"identities":[],"addressBook":[]}', PW)
    outer = json.loads(data)
    for key, value in meta_changes.items():
        if value is _DROP:
            outer["metadata"].pop(key)
        else:
            outer["metadata"][key] = value
    return json.dumps(outer).encode()


_DROP = object()

CRAFTED = [
    ("empty", b"", "not-json"),
    ("blank", b"  \n", "not-json"),
    ("text", b"hello world", "not-json"),
    ("cut-short", b'{"cipherText":"AAAA', "not-json"),
    ("binary", b"\x00\xff\xfe", "not-json"),
    ("nan", b'{"cipherText":NaN,"metadata":{}}', "not-json"),
    ("list", b"[1,2]", "invalid-structure"),
    ("string", b'"x"', "invalid-structure"),
    ("no-ciphertext", b'{"metadata":{}}', "invalid-structure"),
    ("no-metadata", b'{"cipherText":"AAAA"}', "invalid-structure"),
    ("ciphertext-number", b'{"cipherText":5,"metadata":{}}', "invalid-structure"),
    ("metadata-list", b'{"cipherText":"AAAA","metadata":[]}', "invalid-structure"),
    ("no-salt", _doc_file(salt=_DROP), "invalid-structure"),
    ("no-iv", _doc_file(initializationVector=_DROP), "invalid-structure"),
    ("no-iterations", _doc_file(iterations=_DROP), "invalid-structure"),
    ("no-method", _doc_file(encryptionMethod=_DROP), "invalid-structure"),
    ("salt-number", _doc_file(salt=12), "invalid-structure"),
    ("bad-base64-salt", _doc_file(salt="not base64!"), "invalid-base64"),
    ("bad-base64-iv", _doc_file(initializationVector="@@@@"), "invalid-base64"),
    ("aes128", _doc_file(encryptionMethod="AES-128"), "unsupported-cipher"),
    ("scrypt", _doc_file(keyDerivationMethod="scrypt"), "unsupported-kdf"),
    ("sha1", _doc_file(hashAlgorithm="sha1"), "unsupported-kdf"),
    ("keylen16", _doc_file(keyLen=16), "invalid-parameters"),
    ("iterations-zero", _doc_file(iterations=0), "invalid-parameters"),
    ("iterations-negative", _doc_file(iterations=-5), "invalid-parameters"),
    ("iterations-string", _doc_file(iterations="10000"), "invalid-parameters"),
    ("iterations-fraction", _doc_file(iterations=10.5), "invalid-parameters"),
    ("iterations-bool", _doc_file(iterations=True), "invalid-parameters"),
    ("iterations-huge", _doc_file(iterations=10**12), "invalid-parameters"),
    ("salt-short", _doc_file(salt=base64.b64encode(b"abc").decode()), "invalid-parameters"),
    ("iv-short", _doc_file(initializationVector=base64.b64encode(b"12345678").decode()), "invalid-parameters"),
]


@pytest.mark.parametrize(("label", "data", "code"), CRAFTED, ids=[c[0] for c in CRAFTED])
def test_crafted_files_give_their_code(label, data, code):
    with pytest.raises(errors.BackupError) as info:
        open_backup(data, PW)
    assert info.value.code == code, info.value.message
    assert "\n" not in info.value.message


def test_missing_field_is_named():
    with pytest.raises(errors.InvalidStructureError, match="metadata.salt"):
        open_backup(_doc_file(salt=_DROP), PW)
    with pytest.raises(errors.InvalidStructureError, match="cipherText"):
        open_backup(b'{"metadata":{}}', PW)


def test_huge_iterations_refused_at_once(monkeypatch):
    """Refused before any key derivation starts (not timed: a shared machine may be slow)."""
    huge, fine = _doc_file(iterations=10**12), _doc_file(iterations=1000)
    derived = []
    monkeypatch.setattr(container, "derive_key", lambda *a, **k: derived.append(a) or b"\0" * 32)
    monkeypatch.setattr(container, "PBKDF2HMAC", lambda *a, **k: derived.append(a))
    with pytest.raises(errors.InvalidParametersError, match="safe limit"):
        open_backup(huge, PW)
    assert derived == []
    with pytest.raises(errors.WrongPasswordError):  # the same file within the cap does reach the KDF
        open_backup(fine, PW)
    assert derived


def test_optional_metadata_defaults():
    # keyLen and hashAlgorithm are optional (the Desktop Wallet's reader defaults them)
    backup = open_backup(_doc_file(keyLen=_DROP, hashAlgorithm=_DROP), PW)
    assert backup.encryption["keyLen"] == 32 and backup.encryption["hashAlgorithm"] == "sha256"


def test_too_large(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b" " * 2048)
    with pytest.raises(errors.TooLargeError):
        open_backup(path, PW, max_size=1024)
    with pytest.raises(errors.TooLargeError):
        open_backup(b" " * 2048, PW, max_size=1024)


def test_cannot_read(tmp_path):
    with pytest.raises(errors.CannotReadError):
        open_backup(tmp_path / "missing.json", PW)
    with pytest.raises(errors.CannotReadError):
        open_backup(tmp_path, PW)


def _reencode(data: bytes, ciphertext: bytes) -> bytes:
    outer = json.loads(data)
    outer["cipherText"] = base64.b64encode(ciphertext).decode()
    return json.dumps(outer).encode()


def _sample_file() -> bytes:
    from toolkit.testing import synthetic

    return make_file(dumps_js(synthetic.desktop_document(seed=3)), PW)


def test_cut_to_whole_blocks_is_damaged_not_wrong_password():
    data = _sample_file()
    ct = container.parse_container(data).ciphertext
    for cut in (16, 32, 48, len(ct) // 2 // 16 * 16, len(ct) - 16):
        damaged = _reencode(data, ct[:cut])
        with pytest.raises(errors.DamagedError):
            open_backup(damaged, PW)
        with pytest.raises(errors.WrongPasswordError):
            open_backup(damaged, PW + "!")


def test_partial_block_is_damaged():
    data = _sample_file()
    ct = container.parse_container(data).ciphertext
    with pytest.raises(errors.DamagedError, match="cut short"):
        open_backup(_reencode(data, ct[:-5]), PW)


@pytest.mark.parametrize("where", [0, 7, 16, 100, -17, -1])
def test_flipped_byte_is_damaged_not_wrong_password(where):
    data = _sample_file()
    ct = bytearray(container.parse_container(data).ciphertext)
    ct[where] ^= 0x01
    with pytest.raises(errors.DamagedError):
        open_backup(_reencode(data, bytes(ct)), PW)
    with pytest.raises(errors.WrongPasswordError):
        open_backup(_reencode(data, bytes(ct)), "another-password")


def test_ciphertext_shorter_than_a_block():
    data = _sample_file()
    with pytest.raises(errors.DamagedError):
        open_backup(_reencode(data, b"short"), PW)


def test_unknown_writer_with_right_password_opens_or_says_unexpected_content():
    # valid JSON in another key order is still a Desktop Wallet document
    reordered = make_file(b'{"identities":[],"accounts":[],"addressBook":[]}', PW)
    assert open_backup(reordered, PW).kind == "desktop-wallet"
    other = make_file(b'{"hello":"world","list":[1,2,3]}', PW)
    with pytest.raises(errors.UnexpectedContentError):
        open_backup(other, PW)
    with pytest.raises(errors.UnexpectedContentError):
        open_backup(make_file(b"[1,2,3]", PW), PW)


def test_encrypt_layouts_match_the_writers():
    desktop = json.loads(container.encrypt(b"{}", PW, iterations=1000))
    assert list(desktop) == ["cipherText", "metadata"]
    assert list(desktop["metadata"]) == [
        "keyLen",
        "iterations",
        "salt",
        "initializationVector",
        "encryptionMethod",
        "keyDerivationMethod",
        "hashAlgorithm",
    ]
    assert len(base64.b64decode(desktop["metadata"]["salt"])) == 16
    legacy_bytes = container.encrypt(b"{}", PW, layout="legacy", iterations=1000)
    legacy = json.loads(legacy_bytes)
    assert list(legacy) == ["metadata", "cipherText"] and "keyLen" not in legacy["metadata"]
    assert len(base64.b64decode(legacy["metadata"]["salt"])) == 32
    assert b"=" not in legacy_bytes.split(b'"cipherText"')[0] or b"\\u003d" in legacy_bytes


def test_fresh_salt_and_iv_each_time():
    a = json.loads(container.encrypt(b"{}", PW, iterations=1000))["metadata"]
    b = json.loads(container.encrypt(b"{}", PW, iterations=1000))["metadata"]
    assert a["salt"] != b["salt"] and a["initializationVector"] != b["initializationVector"]


# --------------------------------------------------------------------------- one pipeline


def test_open_with_key_is_the_path_open_backup_takes():
    plain = b'{"accounts":[],"identities":[],"addressBook":[]}'
    data = make_file(plain, PW)
    box = container.parse_container(data)
    opened = backup.open_with_key(box, container.derive_key(PW, box.kdf))
    assert opened.kind == open_backup(data, PW).kind == backup.DESKTOP
    assert opened.document == json.loads(plain) and opened.plaintext_bytes == len(plain)
    with pytest.raises(errors.WrongPasswordError):
        backup.open_with_key(box, container.derive_key(PW + "x", box.kdf))


def test_a_tolerant_parse_reads_what_a_strict_one_refuses():
    data = make_file(
        b'{"type":"concordium-mobile-wallet-data","v":1,"value":{"identities":[]}}' * 4, PW, layout="legacy"
    )
    whole = container.parse_container(data, tolerant=True)
    assert (whole.bad_ranges, whole.cut, whole.notes) == ((), False, ())  # an intact file: the strict result
    assert whole == container.parse_container(data)
    at = data.index(b'"cipherText":"') + 15 + 40  # cut 40 characters into the base64: 30 bytes, one whole block
    with pytest.raises(errors.NotJsonError):
        container.parse_container(data[:at])
    cut = container.parse_container(data[:at], tolerant=True)
    assert cut.cut and cut.ciphertext == whole.ciphertext[:30] and cut.kdf == whole.kdf
    assert any("cut short" in note for note in cut.notes)
    bad = data.replace(b'"cipherText":"', b'"cipherText":"!!!!', 1)  # one quad that is not base64
    altered = container.parse_container(bad, tolerant=True)
    assert altered.bad_ranges == ((0, 3),) and not altered.cut and altered.ciphertext[3:] == whole.ciphertext
    with pytest.raises(errors.NotSalvageableError):
        container.parse_container(b'{"metadata":{}}', tolerant=True)


def _file_whose_wrong_key_reads_a_brace(wrong: str, first: bytes) -> bytes:
    """A backup whose first block, under the key of the wrong password ``wrong``, decrypts to ``first`` and whose
    other blocks are what any wrong key reads: random bytes.  What a search meets about once in 10^5 candidates."""
    import os

    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    data = _sample_file()
    box = container.parse_container(data)
    key = container.derive_key(wrong, box.kdf)
    enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    block0 = enc.update(bytes(a ^ b for a, b in zip(first, box.iv, strict=True))) + enc.finalize()
    return _reencode(data, block0 + os.urandom(len(box.ciphertext) - 16))


def test_a_wrong_key_whose_first_block_reads_as_a_brace_is_a_wrong_password():
    from toolkit.ops.recovery.targets import read_target

    forged = _file_whose_wrong_key_reads_a_brace("not-the-one", b'{"abcdefghijklmn')
    box = container.parse_container(forged)
    assert container.first_block_matches(box, container.derive_key("not-the-one", box.kdf))  # the cheap check passes
    with pytest.raises(errors.WrongPasswordError):
        open_backup(forged, "not-the-one")
    verdict = read_target(forged).confirm("not-the-one")
    assert verdict.matched and not verdict.right and verdict.problem is None  # the search goes on


@pytest.mark.parametrize("block", [1, 2, 3, 5, -2])
def test_an_unknown_writers_file_damaged_after_its_first_block_is_still_damaged(block):
    spaced = dumps_js(synthetic.desktop_document(seed=3)).replace(b'{"', b'{ "')
    assert spaced[:3] == b'{ "'
    data = make_file(spaced, PW)
    ct = bytearray(container.parse_container(data).ciphertext)
    ct[block * 16 + 3] ^= 0x40
    with pytest.raises(errors.DamagedError):
        open_backup(_reencode(data, bytes(ct)), PW)
    with pytest.raises(errors.WrongPasswordError):
        open_backup(_reencode(data, bytes(ct)), "another-password")
