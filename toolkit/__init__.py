"""Concordium backup toolkit: open, understand, compare, repair and re-create wallet backups."""

from . import errors
from .backup import DESKTOP, LEGACY, Backup, open_backup
from .errors import BackupError

__all__ = ["Backup", "BackupError", "DESKTOP", "LEGACY", "errors", "open_backup"]
__version__ = "0.1.0"
