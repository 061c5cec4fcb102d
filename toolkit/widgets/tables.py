"""A backup's tables in tabs, with the CSV/XLSX downloads of the table shown."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import pandas as pd

from toolkit.model.tables import default_columns

from .downloads import Downloads, offer_table
from .html import frame_html


def tables_tab(tables: dict[str, pd.DataFrame], *, selected: str | None = None, stem: str | None = None) -> widgets.Tab:
    """One tab per table, titled ``name (rows)``, with the shown table's CSV/XLSX downloads; ``selected`` first.

    On screen the columns a person reads (:func:`toolkit.model.tables.default_columns`: no encrypted amounts or
    secrets); the downloads hold every column and are named after the backup (``stem``).  One download widget
    serves every tab (it offers the table shown), so a saved notebook holds its front-end once.
    """
    names = list(tables)
    downloads = Downloads()
    tab = widgets.Tab(
        children=[
            widgets.VBox([widgets.HTML(frame_html(tables[n][default_columns(n, tables[n])])), downloads]) for n in names
        ],
        titles=[f"{n} ({len(tables[n]):,})" for n in names],
    )
    tab.downloads = downloads  # type: ignore[attr-defined]

    def follow(change: dict[str, Any]) -> None:
        index = change["new"]
        if index is not None and 0 <= index < len(names):
            offer_table(downloads, tables[names[index]], names[index], stem)

    tab.observe(follow, names="selected_index")
    tab.selected_index = names.index(selected) if selected in names else (0 if names else None)
    if tab.selected_index is not None:
        follow({"new": tab.selected_index})
    return tab
