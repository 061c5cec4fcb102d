"""The one list of forms: ``toolkit.widgets`` exports them, the support desk shows them in this order, and
the import-linter contract "Forms never import each other" names exactly these modules
(tests/safety/test_layers.py checks that pyproject.toml agrees).  A new form is one line here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FormEntry:
    """A form: its key on the desk (``desk.forms["open"]``), its class and the module that defines it."""

    key: str
    cls: str
    module: str

    @property
    def qualified(self) -> str:
        """``toolkit.widgets.open_form``."""
        return f"toolkit.widgets.{self.module}"


#: In the order a desk walks them.
FORMS: tuple[FormEntry, ...] = (
    FormEntry("open", "OpenForm", "open_form"),
    FormEntry("salvage", "SalvageForm", "salvage_form"),
    FormEntry("recovery", "RecoveryForm", "recovery_form"),
    FormEntry("diff", "DiffForm", "diff_form"),
    FormEntry("merge", "MergeForm", "merge_form"),
    FormEntry("export", "ExportForm", "export_form"),
    FormEntry("ledger", "LedgerForm", "ledger_form"),
    FormEntry("audit", "AuditForm", "audit_form"),
)


def form_class(entry: FormEntry) -> type:
    """The form's class (its module is imported now)."""
    import importlib

    return getattr(importlib.import_module(entry.qualified), entry.cls)  # type: ignore[no-any-return]
