"""The audit's rule registry: each rule is one small function registered with its id, severity and text.

A rule's check takes the backup's :class:`~toolkit.ops.audit.index.Index` (computed
once per audit) and yields ``(table, key, message)`` for each finding.  The
rule table (:data:`toolkit.ops.audit.rules.RULES`, README, reports) is generated
from this registry, in registration order, so a rule lives in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .index import Index

SEVERITIES = ("error", "warning", "info")
#: Which files a rule looks at.
DESKTOP, LEGACY = "desktop", "legacy"

#: One finding of a rule: (table, key, message).
Found = tuple[str, str, str]
Check = Callable[["Index"], Iterable[Found]]


@dataclass(frozen=True)
class Rule:
    """A stable ``id``, its ``severity``, what it ``checks`` (one sentence), and the check itself."""

    id: str
    severity: str
    checks: str
    check: Check | None = field(default=None, repr=False, compare=False)
    #: The kinds of file the check runs on (``desktop``, ``legacy``).
    kinds: frozenset[str] = field(default=frozenset({DESKTOP, LEGACY}), compare=False)

    def run(self, index: Index) -> Iterable[Found]:
        """The findings of this rule about the indexed backup (none when the rule is not for its kind)."""
        if self.check is None or (LEGACY if index.legacy else DESKTOP) not in self.kinds:
            return ()
        return self.check(index)


#: Every rule, in the order of the rule table.
REGISTRY: list[Rule] = []


def rule(rule_id: str, severity: str, checks: str, *, kinds: Iterable[str] = (DESKTOP, LEGACY)):
    """Register the decorated ``check(index) -> Iterable[(table, key, message)]`` as a rule."""
    if severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}")
    if any(r.id == rule_id for r in REGISTRY):
        raise ValueError(f"rule {rule_id!r} is registered twice")

    def register(check: Check) -> Check:
        REGISTRY.append(Rule(rule_id, severity, checks, check, frozenset(kinds)))
        return check

    return register
