"""The JSON texts inside records (identityObject, identityProvider, policy) are read once per backup and
shared by the shape check and the tables: what the tables show is what each text says, the check is as
strict as reading each text alone, and it names the first problem in record order."""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

import pandas as pd
import pytest

from tests.conftest import make_file
from toolkit import Backup, errors, open_backup
from toolkit.format.jsonio import dumps_js
from toolkit.model import jsontext
from toolkit.testing import synthetic

PW = "texts-pass"


def _identity_object(**attrs: Any) -> str:
    return json.dumps({"v": 0, "value": {"attributeList": {"chosenAttributes": {}, **attrs}}})


def _provider(name: Any) -> str:
    return json.dumps({"ipInfo": {"ipIdentity": 0, "ipDescription": {"name": name, "url": "", "description": ""}}})


def _policy(**fields: Any) -> str:
    return json.dumps(fields)


#: Texts each field may hold that a wallet writes or that the tables show nothing from (not JSON, not an
#: object, the legacy layout without ``value``), each repeated over records as a real file repeats them.
IDENTITY_OBJECTS = [
    _identity_object(createdAt="202001", validTo="202501", maxAccounts=200),
    _identity_object(createdAt="202111", validTo="202611", maxAccounts=25),
    json.dumps({"attributeList": {"createdAt": "201912", "validTo": "202412", "maxAccounts": 3}}),
    "not json at all",
    "[1, 2]",
    "",
    None,
]
PROVIDERS = [_provider("Notabene"), _provider("Digital Trust Solutions"), '"a string"', "{", None]
POLICIES = [
    _policy(createdAt="202001", validTo="202501", revealedAttributes={"lastName": "B", "firstName": "A"}),
    _policy(createdAt="202101", validTo="202601", revealedAttributes={}),
    _policy(createdAt="202101"),
    "7",
    None,
]


def _document() -> dict[str, Any]:
    doc = synthetic.desktop_document(identities=14, accounts_per_identity=2, seed=3)
    for i, identity in enumerate(doc["identities"]):
        identity["identityObject"] = IDENTITY_OBJECTS[i % len(IDENTITY_OBJECTS)]
        identity["identityProvider"] = PROVIDERS[i % len(PROVIDERS)]
    for i, credential in enumerate(doc["credentials"]):
        credential["policy"] = POLICIES[i % len(POLICIES)]
    return doc


def _read(text: Any) -> Any:
    """The test's own reading of a text: its JSON, or None."""
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None


def _attributes(text: Any) -> dict[str, Any]:
    obj = _read(text)
    if not isinstance(obj, dict):
        return {}
    inner = obj["value"] if isinstance(obj.get("value"), dict) else obj
    return inner.get("attributeList") or {}


def _month(value: Any) -> str | None:
    return f"{value[:4]}-{value[4:]}" if value else None


def _shown(value: Any) -> Any:
    """A cell as plain Python: None for every kind of missing, a month as ``YYYY-MM``."""
    if value is None or value is pd.NaT or (not isinstance(value, (str, pd.Period)) and pd.isna(value)):
        return None
    return str(value) if isinstance(value, pd.Period) else value


def test_the_tables_show_what_each_text_says():
    doc = _document()
    backup = open_backup(make_file(dumps_js(doc), PW, iterations=1), PW)
    tables = backup.tables()
    ids, creds = tables["identities"], tables["credentials"]
    assert len(ids) == len(doc["identities"]) and len(creds) == len(doc["credentials"])
    for row, identity in zip(ids.to_dict("records"), doc["identities"], strict=True):
        attrs = _attributes(identity["identityObject"])
        provider = _read(identity["identityProvider"])
        name = provider["ipInfo"]["ipDescription"]["name"] if isinstance(provider, dict) else None
        assert _shown(row["identityProviderName"]) == name
        assert _shown(row["createdAt"]) == _month(attrs.get("createdAt"))
        assert _shown(row["validTo"]) == _month(attrs.get("validTo"))
        assert _shown(row["maxAccounts"]) == attrs.get("maxAccounts")
    for row, credential in zip(creds.to_dict("records"), doc["credentials"], strict=True):
        policy = _read(credential["policy"])
        policy = policy if isinstance(policy, dict) else {}
        assert row["revealedAttributes"] == ", ".join(sorted(policy.get("revealedAttributes") or {}))
        assert _shown(row["policyCreatedAt"]) == _month(policy.get("createdAt"))
        assert _shown(row["policyValidTo"]) == _month(policy.get("validTo"))


def test_a_text_changed_after_the_check_is_shown_as_it_now_reads():
    """The texts are remembered by their content, so an edited document shows its new text, not the old one's."""
    doc = _document()
    backup = open_backup(make_file(dumps_js(doc), PW, iterations=1), PW)
    assert backup.tables()["identities"]["maxAccounts"].iloc[0] == 200
    backup.document["identities"][0]["identityObject"] = _identity_object(createdAt="202001", maxAccounts=7)
    backup.document["identities"][0]["identityProvider"] = _provider("Renamed")
    ids = backup.tables()["identities"]
    assert ids["maxAccounts"].iloc[0] == 7 and ids["identityProviderName"].iloc[0] == "Renamed"
    assert str(ids["validTo"].iloc[0]) == "NaT"


@pytest.mark.parametrize(
    ("odd_first", "expected"),
    [
        ("text", "identities[2] ('Third') has identityObject.attributeList.maxAccounts as string"),
        ("field", "identities[2] ('Third') has name as"),  # a field before a text in the same record
    ],
)
def test_the_first_problem_in_record_order_is_named(odd_first, expected):
    """A later record's odd text does not hide an earlier record's odd field, nor the other way round."""
    doc = _document()
    doc["identities"][2]["name"] = "Third"
    doc["identities"][5]["name"] = 5  # a later record's odd field
    doc["identities"][9]["identityObject"] = _identity_object(maxAccounts="many")  # a later record's odd text
    doc["identities"][2]["identityObject"] = _identity_object(maxAccounts="lots")
    if odd_first == "field":
        doc["identities"][2]["name"] = ["Third"]
        expected = "identities[2] has name as list"
    with pytest.raises(errors.UnexpectedContentError) as caught:
        Backup(doc).check_shape()
    assert caught.value.message.startswith(expected), caught.value.message


def test_a_record_of_a_dict_subclass_has_its_text_checked():
    """A backup built in memory may hold mappings of a dict subclass: their texts are checked too."""
    doc = _document()
    doc["identities"][4] = OrderedDict(doc["identities"][4], identityObject=_identity_object(maxAccounts=1.5))
    with pytest.raises(errors.UnexpectedContentError, match=r"identities\[4\].*maxAccounts as the number 1.5"):
        Backup(doc).check_shape()


ODD_TEXTS = [
    _identity_object(maxAccounts="many"),
    _identity_object(maxAccounts=2**64 - 1),
    _identity_object(maxAccounts=10**30),
    _identity_object(createdAt=["202001"]),
    _identity_object(validTo=None, maxAccounts=None),
    '{"value":{"attributeList":' + "[" * 120 + "]" * 120 + "}}",
    "[" + ",".join(["{}"] * 100_001) + "]",
    "x" + ",".join(["{}"] * 100_001),
    _provider({"a": 1}),
    _provider(None),
    json.dumps({"ipInfo": []}),
    _policy(revealedAttributes=["firstName"]),
    _policy(createdAt=202001),
    '{"createdAt": NaN}',
    '{"name": "\\ud800"}',
]


@pytest.mark.parametrize(("table", "field"), list(jsontext.INNER_FIELDS))
def test_texts_read_together_are_judged_as_each_alone(table, field):
    """The batch reading (one bounds walk for many texts) gives each text the verdict and the facts it gets
    when read alone."""
    values = [*ODD_TEXTS, *IDENTITY_OBJECTS, *PROVIDERS, *POLICIES, {"attributeList": {"maxAccounts": "x"}}]
    texts = jsontext.Texts()
    texts.read(table, field, [v for v in values if not isinstance(v, dict)])
    assert [texts.problem(table, field, v) for v in values] == [jsontext.examine(table, field, v)[0] for v in values]
    assert [texts.problem(table, field, v) for v in values] == [jsontext.inner_problem(table, field, v) for v in values]
    assert texts.column(table, field, values) == [jsontext.facts(table, field, v) for v in values]
    assert any(texts.problem(table, field, v) for v in values)


@pytest.mark.parametrize(("table", "field"), list(jsontext.INNER_FIELDS))
def test_the_check_walks_the_paths_in_their_listed_order(table, field):
    """The check walks INNER_FIELDS' paths as a tree; the first problem named is the first in the listed order."""

    def order(tree: tuple, prefix: tuple = ()) -> list[tuple]:
        out = []
        for key, _types, _exact, _where, below in tree:
            out += [(*prefix, key), *order(below, (*prefix, key))]
        return out

    assert order(jsontext._TREES[table, field]) == list(jsontext.INNER_FIELDS[table, field])
