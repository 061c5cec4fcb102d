"""The names forms and notebooks imported from here before the split, still importable from here.

The parts live in modules named for what they hold: :mod:`~toolkit.widgets.theme` (colours),
:mod:`~toolkit.widgets.html` (escaped HTML, boxes, tables), :mod:`~toolkit.widgets.files` (the file chooser),
:mod:`~toolkit.widgets.passwords`, :mod:`~toolkit.widgets.downloads` (files sent when clicked),
:mod:`~toolkit.widgets.tables` (tables in tabs) and :mod:`~toolkit.widgets.form` (the form base).
New code imports from those.
"""

from __future__ import annotations

from .downloads import DownloadBar, Downloads, table_file_bytes
from .files import BACKUP_ACCEPT, ChoiceError, FileSource, UploadTooLargeError, backup_of, kernel_folder, open_chosen
from .form import Form, log, wide
from .html import (
    MAX_CELL,
    MAX_ROWS,
    STYLE,
    blank,
    capped,
    coloured_table_html,
    error_html,
    esc,
    frame_html,
    message_html,
    notices_html,
    pairs_html,
    scroll_html,
    short_value,
    shorten,
    shorten_frame,
    size_text,
    working_html,
)
from .passwords import password_for, take_password
from .tables import tables_tab

__all__ = [
    "BACKUP_ACCEPT",
    "MAX_CELL",
    "MAX_ROWS",
    "STYLE",
    "ChoiceError",
    "DownloadBar",
    "Downloads",
    "FileSource",
    "Form",
    "UploadTooLargeError",
    "backup_of",
    "blank",
    "capped",
    "coloured_table_html",
    "error_html",
    "esc",
    "frame_html",
    "kernel_folder",
    "log",
    "message_html",
    "notices_html",
    "open_chosen",
    "pairs_html",
    "password_for",
    "scroll_html",
    "short_value",
    "shorten",
    "shorten_frame",
    "size_text",
    "table_file_bytes",
    "tables_tab",
    "take_password",
    "wide",
    "working_html",
]
