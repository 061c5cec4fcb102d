"""A smaller backup, or one without some records or fields: :mod:`toolkit.model.select` (the selections
:meth:`toolkit.Backup.encrypt` applies), importable here as before."""

from __future__ import annotations

from toolkit.model.select import leave_out, subset_backup, without_unknown_fields

__all__ = ["leave_out", "subset_backup", "without_unknown_fields"]
