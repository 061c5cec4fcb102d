"""Audit a backup: every finding as one DataFrame, with a stable rule id per check.

>>> from toolkit import open_backup
>>> from toolkit.ops.audit import audit
>>> findings = audit(open_backup("wallet-export.json", password))  # doctest: +SKIP
>>> findings[findings.severity == "error"]  # doctest: +SKIP

:data:`RULES` (and :func:`rules_table`) lists every rule: id, severity, what it checks.
"""

from __future__ import annotations

from toolkit.model.records import ACCOUNT_STATUSES, IDENTITY_STATUSES

from .checks import FINDING_COLUMNS, audit, findings_records, group_by_severity, has_failures, severity_counts
from .rules import RULE_BY_ID, RULES, SEVERITIES, Rule, rules_table

__all__ = [
    "ACCOUNT_STATUSES",
    "FINDING_COLUMNS",
    "IDENTITY_STATUSES",
    "RULES",
    "RULE_BY_ID",
    "SEVERITIES",
    "Rule",
    "audit",
    "findings_records",
    "group_by_severity",
    "has_failures",
    "rules_table",
    "severity_counts",
]
