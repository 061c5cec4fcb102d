"""Property-based tests: any bytes end in a Backup or one of the toolkit's errors; round trips."""

from __future__ import annotations

import base64
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_file
from toolkit import Backup, errors, open_backup
from toolkit.format import container, jsonio
from toolkit.model.backup import DESKTOP_LISTS
from toolkit.testing import synthetic

PW = "prop-pass"
_SMALL = make_file(jsonio.dumps_js(synthetic.desktop_document(identities=1, contacts=1, seed=9)), PW, iterations=100)

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _must_end_well(data: bytes, password: str = PW) -> None:
    try:
        result = open_backup(data, password)
    except errors.BackupError as exc:
        assert exc.code != "error" and exc.message and "\n" not in exc.message
        assert password not in exc.message
    else:
        assert isinstance(result, Backup)


@FAST
@given(st.binary(max_size=400))
def test_any_bytes(data):
    _must_end_well(data)


@FAST
@given(st.data())
def test_mutated_real_file(data):
    raw = bytearray(_SMALL)
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        pos = data.draw(st.integers(0, max(0, len(raw) - 1)))
        if op == "flip" and raw:
            raw[pos] ^= data.draw(st.integers(1, 255))
        elif op == "cut":
            del raw[pos:]
        elif op == "insert":
            raw[pos:pos] = data.draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del raw[pos : pos + data.draw(st.integers(1, 8))]
    _must_end_well(bytes(raw))


json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@FAST
@given(
    st.dictionaries(st.text(min_size=1, max_size=10), json_values, max_size=5),
    st.text(min_size=1, max_size=30).filter(lambda p: "\x00" not in p),
)
def test_container_round_trip(extra, password):
    doc = {"accounts": [], "identities": [], "addressBook": []}
    known = {*DESKTOP_LISTS, "genesis", "type"}
    doc.update({k: v for k, v in extra.items() if k not in known})
    plaintext = jsonio.dumps_js(doc)
    data = container.encrypt(plaintext, password, iterations=10)
    assert container.decrypt(container.parse_container(data), password).plaintext == plaintext
    backup = open_backup(data, password)
    assert backup.document == doc
    assert list(backup.document) == list(doc)
    assert backup.to_plaintext() == plaintext


@FAST
@given(st.binary(max_size=300), st.binary(min_size=1, max_size=20))
def test_encrypt_decrypt_any_plaintext(plaintext, password):
    box = container.parse_container(container.encrypt(plaintext, password, iterations=10))
    key = container.derive_key(password, box.kdf)
    assert container.decrypt_blocks(box.ciphertext, box.iv, key)[: len(plaintext)] == plaintext


@FAST
@given(json_values)
def test_js_serialiser_parses_back(value):
    assert jsonio.loads(jsonio.dumps_js(value)) == value
    assert jsonio.loads(jsonio.dumps_gson(value)) == value


def test_metadata_variants_never_crash():
    outer = json.loads(_SMALL)
    for key in list(outer["metadata"]):
        for bad in (None, "", 0, -1, 1.5, [], {}, "x" * 10, True, 10**30):
            variant = json.loads(_SMALL)
            variant["metadata"][key] = bad
            _must_end_well(json.dumps(variant).encode())
    variant = json.loads(_SMALL)
    variant["cipherText"] = base64.b64encode(b"\x00" * 15).decode()
    _must_end_well(json.dumps(variant).encode())
