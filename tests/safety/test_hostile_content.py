"""Issue 13: a correctly decrypted file whose content no wallet writes ends in ``unexpected-content``.

Findings 3 and 13: never an internal error, never "damaged" or "wrong password" for
content that decrypts fine.
"""

from __future__ import annotations

import pytest

from tests.conftest import make_file
from toolkit import errors, open_backup
from toolkit.format import jsonio
from toolkit.ops.salvage import salvage

PW = "hostile-pass"
_HEAD = b'{"accounts":[{"address":"x","name":'
_TAIL = b'}],"identities":[],"addressBook":[]}'

NOT_ACCEPTABLE = {
    "nan": _HEAD + b"NaN" + _TAIL,
    "infinity": _HEAD + b"-Infinity" + _TAIL,
    "float-overflow": _HEAD + b"1e999" + _TAIL,
    "huge-integer": _HEAD + b"9" * 5000 + _TAIL,
    "integer-beyond-64-bits": _HEAD + b'{"keys":' + b"9" * 400 + b"}" + _TAIL,  # orjson: inf; Python: int
    "too-deep": _HEAD + b"[" * 300 + b"]" * 300 + _TAIL,
    "too-deep-for-orjson": _HEAD + b"[" * 1100 + b"]" * 1100 + _TAIL,
    "invalid-utf8": _HEAD + b'"caf\xe9"' + _TAIL,
}


@pytest.mark.parametrize("name", sorted(NOT_ACCEPTABLE))
def test_unacceptable_json_is_unexpected_content_not_damage(name):
    data = make_file(NOT_ACCEPTABLE[name], PW, iterations=10)
    with pytest.raises(errors.UnexpectedContentError) as info:
        open_backup(data, PW)
    assert "\n" not in info.value.message
    with pytest.raises(errors.UnexpectedContentError):
        salvage(data, PW)


@pytest.mark.parametrize("plaintext", [b"{}", b"[1,2,3]", b'"text"', b'{"type":"other"}'])
def test_salvage_on_json_that_is_no_wallet_says_so(plaintext):
    data = make_file(plaintext, PW, iterations=10)
    with pytest.raises(errors.UnexpectedContentError):
        salvage(data, PW)


def test_salvage_with_a_wrong_password_still_says_wrong_password():
    data = make_file(b"{}", PW, iterations=10)
    with pytest.raises(errors.WrongPasswordError):
        salvage(data, "another-pass")


def test_damage_is_still_damage():
    """A garbled block in the middle (16 random bytes) is damage, not content."""
    plain = _HEAD + b'"' + b"a" * 200 + b'"' + _TAIL
    data = bytearray(make_file(plain, PW, iterations=10))
    box = jsonio.loads(bytes(data))
    import base64

    ct = bytearray(base64.b64decode(box["cipherText"]))
    ct[64] ^= 0x55  # garbles plaintext block 4 (inside the string) and flips one bit of block 5
    box["cipherText"] = base64.b64encode(bytes(ct)).decode()
    with pytest.raises(errors.DamagedError):
        open_backup(jsonio.dumps_js(box), PW)


def test_an_integer_beyond_64_bits_is_named_where_it_is():
    with pytest.raises(errors.UnexpectedContentError) as info:
        open_backup(make_file(NOT_ACCEPTABLE["integer-beyond-64-bits"], PW, iterations=10), PW)
    assert "accounts[0].name.keys" in info.value.message


def test_depth_check_is_iterative():
    deep: list = []
    for _ in range(50_000):
        deep = [deep]
    assert jsonio.too_deep(deep)
    assert not jsonio.too_deep({"a": [{"b": 1}]})


def _desktop_with(field: str, value: object, table: str = "accounts") -> bytes:
    from toolkit.testing import synthetic

    doc = synthetic.desktop_document(identities=1, contacts=1, seed=5)
    doc[table][0][field] = value
    return make_file(jsonio.dumps_js(doc), PW, iterations=10)


@pytest.mark.parametrize(
    ("table", "field", "value"),
    [
        ("accounts", "identityId", 1.5),
        ("accounts", "status", ["confirmed"]),
        ("identities", "walletId", {"a": 1}),
        ("addressBook", "address", 7),
    ],
    ids=["float-id", "list-status", "object-walletId", "number-address"],
)
def test_an_odd_field_is_named_by_every_operation_and_listed_by_audit(table, field, value):
    from toolkit.ops.audit import audit
    from toolkit.ops.diff import diff_backups
    from toolkit.ops.merge import preview_import

    backup = open_backup(_desktop_with(field, value, table), PW)  # opening is fine: the audit needs it
    for operation in (backup.tables, lambda: diff_backups(backup, backup), lambda: preview_import(backup, backup)):
        with pytest.raises(errors.UnexpectedContentError) as info:
            operation()
        assert f"{table}[0]" in info.value.message and field in info.value.message
    findings = audit(backup)  # the audit copes: a wrong type is a finding
    assert ((findings["table"] == table) & findings["message"].str.contains(field)).any()


# ---------------------------------------------------------------- issue 21 #8 and #9: inside JSON text, and the memory bound


def _identity_object_with(max_accounts: object) -> bytes:
    import json

    from toolkit.testing import synthetic

    doc = synthetic.desktop_document(identities=1, contacts=1, seed=5)
    inner = json.loads(doc["identities"][0]["identityObject"])
    inner["value"]["attributeList"]["maxAccounts"] = max_accounts
    doc["identities"][0]["identityObject"] = json.dumps(inner)
    return make_file(jsonio.dumps_js(doc), PW, iterations=10)


@pytest.mark.parametrize("value", ["many", 1.5, 1e308, -(2**70), [200]])
def test_max_accounts_of_another_type_is_named_by_every_operation_and_listed_by_audit(value):
    from toolkit.ops.audit import audit
    from toolkit.ops.diff import diff_backups

    backup = open_backup(_identity_object_with(value), PW)
    for operation in (backup.tables, lambda: diff_backups(backup, backup)):
        with pytest.raises(errors.UnexpectedContentError) as info:
            operation()
        assert "identities[0]" in info.value.message and "identityObject" in info.value.message
        assert "attributeList.maxAccounts" in info.value.message
    findings = audit(backup)
    assert ((findings["rule"] == "invalid-record") & findings["message"].str.contains("maxAccounts")).any()


def test_json_text_of_too_many_values_is_named_not_parsed():
    from toolkit.testing import synthetic

    doc = synthetic.desktop_document(identities=1, contacts=1, seed=5)
    doc["identities"][0]["identityObject"] = "[" + ",".join(["{}"] * (jsonio.MAX_TEXT_VALUES + 1)) + "]"
    backup = open_backup(make_file(jsonio.dumps_js(doc), PW, iterations=10), PW)
    with pytest.raises(errors.UnexpectedContentError) as info:
        backup.tables()
    assert "identities[0]" in info.value.message and "identityObject" in info.value.message
    assert "100,000" in info.value.message
    with pytest.raises(jsonio.JSONError):
        jsonio.loads_text(doc["identities"][0]["identityObject"])


def test_more_objects_and_lists_than_the_memory_bound_allows_are_refused_before_parsing():
    """A 98 MB file of ``{}`` entries peaked at 3.9 GB in inspect (measured: bench/bench_size_limit.py)."""
    n = jsonio.MAX_CONTAINERS + 1
    plaintext = b'{"accounts":[],"identities":[],"addressBook":[' + b",".join([b"{}"] * n) + b"]}"
    with pytest.raises(errors.UnexpectedContentError) as info:
        open_backup(make_file(plaintext, PW, iterations=10), PW)
    assert "2,000,000" in info.value.message
    ok = b'{"accounts":[],"identities":[],"addressBook":[' + b",".join([b"{}"] * 1000) + b"]}"
    assert open_backup(make_file(ok, PW, iterations=10), PW).counts()["addressBook"] == 1000
