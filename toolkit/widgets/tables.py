"""A backup's tables in tabs, each with its CSV/XLSX downloads."""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd

from toolkit.model.tables import default_columns

from .downloads import DownloadBar
from .html import frame_html


def tables_tab(tables: dict[str, pd.DataFrame], *, selected: str | None = None, stem: str | None = None) -> widgets.Tab:
    """One tab per table, titled ``name (rows)``, each with its CSV/XLSX downloads; ``selected`` is shown first.

    On screen the columns a person reads (:func:`toolkit.model.tables.default_columns`: no encrypted amounts or
    secrets); the downloads hold every column and are named after the backup (``stem``)."""
    names = list(tables)
    tab = widgets.Tab(
        children=[
            widgets.VBox(
                [
                    widgets.HTML(frame_html(tables[n][default_columns(n, tables[n])])),
                    DownloadBar(tables[n], n, stem=stem),
                ]
            )
            for n in names
        ],
        titles=[f"{n} ({len(tables[n])})" for n in names],
    )
    tab.selected_index = names.index(selected) if selected in names else (0 if names else None)
    return tab
