"""Forms stay usable on big backups: tables on screen are capped, the attributes keep every row."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import make_file
from toolkit.format.jsonio import dumps_js
from toolkit.testing import synthetic


def test_big_tables_are_capped_on_screen_but_whole_in_the_attributes(tmp_path: Path) -> None:
    from toolkit.widgets import OpenForm
    from toolkit.widgets.common import MAX_ROWS

    doc = synthetic.desktop_document(identities=60, accounts_per_identity=10, contacts=0, seed=11)
    path = tmp_path / "big.json"
    path.write_bytes(make_file(dumps_js(doc), "big-file-pw"))
    form = OpenForm()
    form.file.path.value = str(path)
    form.run(password="big-file-pw")
    assert len(form.tables["accounts"]) == 600 > MAX_ROWS
    accounts_html = form.results.children[-1].children[0].children[0].value
    assert accounts_html.count("<tr>") <= MAX_ROWS + 1  # header row + the shown rows
    assert f"Showing the first {MAX_ROWS:,} of 600 rows" in accounts_html
