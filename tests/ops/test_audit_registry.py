"""The audit's rules are registered functions: the rule table is the registry, and each rule runs alone."""

from __future__ import annotations

from datetime import date

import pytest

from toolkit.model.backup import Backup
from toolkit.ops.audit import RULES, audit, rules_table
from toolkit.ops.audit.index import build_index
from toolkit.ops.audit.registry import REGISTRY, rule
from toolkit.testing.synthetic import desktop_document


def test_the_rule_table_is_generated_from_the_registry() -> None:
    assert tuple(REGISTRY) == RULES and len(RULES) > 30
    assert list(rules_table()["id"]) == [r.id for r in REGISTRY]
    assert all(callable(r.check) and r.kinds for r in RULES)


def test_a_rule_id_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="twice"):
        rule(RULES[0].id, "error", "again")
    with pytest.raises(ValueError, match="severity"):
        rule("new-rule", "fatal", "no such severity")


def test_each_rule_alone_gives_exactly_its_part_of_the_audit() -> None:
    doc = desktop_document(identities=3, accounts_per_identity=2, contacts=2, seed=3, network="testnet")
    doc["accounts"].append(dict(doc["accounts"][0], status="frozen"))
    backup, today = Backup(doc), date(2040, 1, 1)
    findings = audit(backup, today=today)
    index = build_index(backup, today)
    for r in RULES:
        alone = [(t, k, m) for t, k, m in r.run(index)]
        part = findings[findings["rule"] == r.id]
        assert alone == list(zip(part["table"], part["key"], part["message"], strict=True)), r.id
    assert {"network-test", "unknown-status", "duplicate-account-address", "identity-expired"} <= set(findings["rule"])
