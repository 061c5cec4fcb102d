"""``audit(backup)``: every finding about a backup as one DataFrame.

Columns: ``severity`` (error, warning, info), ``table`` (the file's own list
name, ``genesis`` or ``file``), ``key`` (the record's key, :func:`toolkit.model.records.record_key`, the same
the diff shows, so findings join to a diff's rows; ``#N`` for the N-th record when it has no usable key), ``rule`` (a stable id
from :data:`toolkit.ops.audit.rules.RULES`, each a registered check) and ``message`` (one plain sentence a
support person can read to a user).  Errors first, then warnings, then info;
within a severity, in the order of the rule table.

Messages never quote a private key or other secret of a legacy file: they
name records by name and address only.  Text from the file is cleaned of
control and formatting characters and shortened before it is quoted.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pandas as pd

from toolkit.model.backup import Backup

from .registry import REGISTRY, SEVERITIES, Rule
from .text import clean  # noqa: F401 - also this module's name

FINDING_COLUMNS = ("severity", "table", "key", "rule", "message")

# --------------------------------------------------------------------------- the collector


class _Findings:
    # Rows are tuples in FINDING_COLUMNS order (a dict per finding cost ~4x the memory: issue 13 #14).
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str]] = []

    def add(self, rule: Rule, table: str, key: str, message: str) -> None:
        self.rows.append((rule.severity, table, key, rule.id, message))

    def frame(self) -> pd.DataFrame:
        order = {r.id: i for i, r in enumerate(REGISTRY)}
        rank = {s: i for i, s in enumerate(SEVERITIES)}
        self.rows.sort(key=lambda r: (rank[r[0]], order[r[3]]))  # stable: file order within a rule
        df = pd.DataFrame(self.rows, columns=list(FINDING_COLUMNS))
        self.rows = []
        df["severity"] = pd.Categorical(df["severity"], categories=list(SEVERITIES), ordered=True)
        return df.reset_index(drop=True)


# --------------------------------------------------------------------------- the audit


def audit(backup: Backup, *, today: date | None = None) -> pd.DataFrame:
    """Every finding about ``backup`` (see the module docstring for the columns).

    ``today`` decides which identities have expired (default: today's date);
    give it to make an audit reproducible.
    """
    from . import rules  # noqa: F401 - registers every rule (it imports this module's helpers)
    from .index import build_index

    index = build_index(backup, today or date.today())
    out = _Findings()
    for rule in REGISTRY:
        for table, key, message in rule.run(index):
            out.add(rule, table, key, message)
    return out.frame()


def has_failures(findings: pd.DataFrame, fail_on: str = "error") -> bool:
    """Are there findings of severity ``fail_on`` or worse (``error`` < ``warning`` < ``info``)?"""
    if fail_on not in SEVERITIES:
        raise ValueError(f"fail_on must be one of {SEVERITIES}")
    worst = SEVERITIES[: SEVERITIES.index(fail_on) + 1]
    return bool(findings["severity"].isin(worst).any()) if len(findings) else False


def severity_counts(findings: pd.DataFrame) -> dict[str, int]:
    """``{"error": n, "warning": n, "info": n}``."""
    counts = findings["severity"].astype(str).value_counts() if len(findings) else {}
    return {s: int(counts.get(s, 0)) for s in SEVERITIES}


def findings_records(findings: pd.DataFrame) -> list[dict[str, str]]:
    """The findings as plain dicts with the five columns (for JSON)."""
    columns = [findings[c].astype(str).tolist() for c in FINDING_COLUMNS]  # no intermediate dict per row
    return [dict(zip(FINDING_COLUMNS, row, strict=True)) for row in zip(*columns, strict=True)]


def group_by_severity(findings: pd.DataFrame) -> Iterable[tuple[str, pd.DataFrame]]:
    """(severity, findings) for each severity that has findings, errors first."""
    for sev in SEVERITIES:
        part = findings[findings["severity"] == sev]
        if len(part):
            yield sev, part
