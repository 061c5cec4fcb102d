"""The saved notebooks: executed top to bottom, no error, no secret, no path of the machine that saved them.

``pytest --nbval`` re-runs the notebooks and compares outputs; these checks
read the saved files themselves (outputs *and* the widget state JupyterLab or
nbconvert stores in the metadata).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from tests.conftest import ROOT, SAMPLES

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: The notebooks issue 7 asks for (the app notebook is served by Voilà in the browser test).
EXPECTED = {"01-tour.ipynb", "02-support-desk.ipynb", "03-auditing.ipynb", "app-desk.ipynb", "app-open.ipynb"}


def sample_passwords() -> list[str]:
    """Every bundled sample's password (first line of each ``.password`` file)."""
    out = set()
    for path in SAMPLES.glob("*.password"):
        lines = path.read_text(encoding="utf-8").splitlines()
        if lines and lines[0]:
            out.add(lines[0])
    return sorted(out)


def spellings(secret: str) -> set[str]:
    """How a secret could appear in a saved .ipynb: as is, JSON-escaped, HTML-escaped."""
    return {
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        secret.replace("&", "&amp;"),
    }


def test_the_expected_notebooks_exist() -> None:
    names = {p.name for p in NOTEBOOKS}
    assert not EXPECTED - names, f"missing: {sorted(EXPECTED - names)}"


def test_sample_passwords_are_known() -> None:
    assert len(sample_passwords()) >= 4


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_code_cell_was_executed_in_order_without_errors(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "a notebook without code"
    counts = [c.execution_count for c in code]
    assert None not in counts, f"unexecuted cells: {[i for i, c in enumerate(counts) if c is None]}"
    assert counts == list(range(1, len(code) + 1)), f"not run top to bottom in one go: {counts}"
    for cell in code:
        assert cell.source.strip(), "an empty code cell"
        for out in cell.outputs:
            assert out.output_type != "error", f"cell {cell.execution_count} saved an error: {out.get('ename')}"
            if out.output_type == "stream":
                assert "Traceback" not in out.text
                assert out.name != "stderr" or not out.text.strip(), f"cell {cell.execution_count} wrote to stderr"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_sample_password_anywhere_in_the_saved_file(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for password in sample_passwords():
        for spelling in spellings(password):
            assert spelling not in text, f"a sample password is saved in {path.name}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_password_is_typed_into_a_cell(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert not re.search(r"\.password\.value\s*=\s*['\"]", cell.source), "a password typed into a cell"
        assert not re.search(r"password\s*=\s*['\"][^'\"]+['\"]", cell.source), "a password literal in a cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_path_of_the_machine_that_saved_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for fragment in {str(ROOT), "/home/", "/root/"}:
        assert fragment not in text, f"{fragment!r} is saved in {path.name}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_widget_outputs_say_what_they_are(path: Path) -> None:
    """A displayed form's text is its short repr, not ipywidgets' long dump of every child (which nbval compares)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "application/vnd.jupyter.widget-view+json" in data:
                assert re.fullmatch(r"<\w*(?:Form|Desk): [^<>]*>", data["text/plain"]), data["text/plain"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_download_is_saved_in_the_notebook(path: Path) -> None:
    """Downloads travel only when clicked (toolkit.widgets.downloads): no file's bytes in the saved widget state."""
    text = path.read_text(encoding="utf-8")
    assert "data:application/octet-stream" not in text
    assert ";base64," not in text
