"""The library parts of issue 13 findings 1, 2, 16: :mod:`toolkit.textsafe`, :mod:`toolkit.reports.sheets`,
:mod:`toolkit.model.records` and what the tables and forms make of them."""

from __future__ import annotations

import io
import json
import re
import sys
import unicodedata

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import make_file
from toolkit.cli.tabletext import render_frame
from toolkit.model.backup import Backup
from toolkit.model.records import ENCRYPTED_AMOUNT_FIELDS, REDACTED, SECRET_FIELDS
from toolkit.model.tables import default_columns
from toolkit.reports.sheets import to_csv_bytes, to_xlsx_bytes
from toolkit.testing import synthetic
from toolkit.textsafe import UNSAFE, cut, display_value, json_safe, safe_text

HOSTILE = "a\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\ \x1b[2J\r\u202etxt.exe\x9b\ud800"


def test_unsafe_is_every_control_format_and_surrogate_character():
    expected = {
        chr(cp)
        for cp in range(sys.maxunicode + 1)
        if unicodedata.category(chr(cp)) in ("Cc", "Cf", "Cs", "Zl", "Zp") and cp not in (0x200C, 0x200D)
    }
    matched = {chr(cp) for cp in range(sys.maxunicode + 1) if UNSAFE.match(chr(cp))}
    assert expected <= matched  # (newer Unicode versions may add format characters the pattern already lists)
    assert not {c for c in matched - expected if unicodedata.category(c) not in ("Cn",)}


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
        ("a\rb", "a\\rb"),
        ("x\u202ey", "x\\u202ey"),
        ("\u2066\u2069\u200e\u200f\u061c", "\\u2066\\u2069\\u200e\\u200f\\u061c"),
        ("\x9b\x7f", "\\x9b\\x7f"),
        ("\ud800", "\\ud800"),
        ("\U000e0041", "\\U000e0041"),
        ("Fælles – Ida 👩\u200d👩", "Fælles – Ida 👩\u200d👩"),  # ordinary text and ZWJ stay
    ],
)
def test_safe_text_shows_escapes(raw, shown):
    assert safe_text(raw) == shown


def test_safe_text_keeps_newlines_only_when_asked():
    assert safe_text("a\nb") == "a\\nb"
    assert safe_text("a\nb\x1b", newlines=True) == "a\nb\\x1b"


def test_a_cut_never_leaves_a_link_open():
    for width in range(1, 60):
        shown = cut(safe_text(HOSTILE), width)
        assert "\x1b" not in shown and len(shown) <= width


def test_display_value_never_shows_missing_markers():
    for missing in (None, float("nan"), pd.NA, pd.NaT):
        assert display_value(missing) == ""
    assert display_value(True) == "True" and display_value(3) == "3"


def test_json_safe_keeps_values_exact():
    value = {"name": HOSTILE, "astral": "\U000e0041"}
    text = json_safe(json.dumps(value, ensure_ascii=False))
    assert not UNSAFE.search(text.replace("\n", ""))
    text.encode("utf-8")  # valid UTF-8
    assert json.loads(text) == value


def test_render_frame_fits_and_stays_safe():
    frame = pd.DataFrame(
        {"name": [HOSTILE, "Bob", None], "n": pd.array([1, None, 3], dtype="Int64"), "wide": ["x" * 200] * 3}
    )
    for width in (20, 40, 80):
        text = render_frame(frame, width)
        assert all(len(line) <= width for line in text.splitlines())
        assert not UNSAFE.search(text.replace("\n", ""))
        assert "<NA>" not in text and "None" not in text and "nan" not in text


# --------------------------------------------------------------------------- sheets

FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+SUM(1,2)", "@SUM(A1)", "-1+1", "\t=cmd", " \r=1"]


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"=head": FORMULAS + ["plain", "\ud800"], "n": list(range(-4, 4))})


def test_csv_neutralises_formulas_and_keeps_numbers():
    text = to_csv_bytes(_frame()).decode("utf-8")
    frame = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert list(frame.columns) == ["'=head", "n"]
    # the part after a tab or line break is neutralised too (a spreadsheet may split there, or start a row)
    expected = ["'" + f for f in FORMULAS[:4]] + ["'\t'=cmd", "' \r'=1", "plain", "\\ud800"]
    assert list(frame["'=head"]) == expected
    assert list(frame["n"]) == list(range(-4, 4))  # numbers are not text: -4 stays a number


def test_csv_neutralises_categorical_and_string_columns():
    frame = pd.DataFrame({"status": pd.Categorical(["confirmed", "=1+1"]), "s": pd.array(["@x", "ok"], dtype="string")})
    text = to_csv_bytes(frame).decode("utf-8")
    assert "'=1+1" in text and "'@x" in text
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame)))
    assert {c.value for row in wb["table"].iter_rows() for c in row} >= {"'=1+1", "'@x"}


# Issue 21 #5: Excel in a Danish/German locale splits a .csv on ";": "Savings;=1+1;" was written as is and its
# second part started a formula (these failed before).
SPLIT_FORMULAS = ["Savings;=1+1;", "a,=1+1", 'x;"=1+1"', "a; @SUM(A1)", "a;\t=cmd", "line\n=1+1", "a;-1+1", "b,+1"]
_SEPARATORS = re.compile(r"[,;\t\r\n]")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _formula_parts(text: str) -> list[str]:
    """Every part of a CSV text, split on any separator a spreadsheet may use, that would start a formula."""
    return [p for p in _SEPARATORS.split(text) if re.match(r'[\s"]*[=+\-@]', p) and not _NUMBER.fullmatch(p.strip('"'))]


@pytest.mark.parametrize("name", SPLIT_FORMULAS)
def test_csv_no_part_starts_a_formula_under_either_separator(name):
    frame = pd.DataFrame({"name": [name, "ok"], f"h;{name}": ["x", "y"], "n": [-1, 2]})
    text = to_csv_bytes(frame).decode("utf-8")
    assert _formula_parts(text) == []
    back = pd.read_csv(io.StringIO(text), keep_default_na=False)  # still one cell per value under ","
    assert back.shape == (2, 3) and back["name"][0].replace("'", "") == name.replace("'", "")
    assert list(back["n"]) == [-1, 2]  # numbers are not text


_CSV_TEXT = st.text(alphabet=st.sampled_from(list(",;\t\r\n \"'=+-@ab1")), max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_CSV_TEXT, _CSV_TEXT), min_size=1, max_size=4), _CSV_TEXT)
def test_csv_parts_never_start_a_formula(rows, header):
    frame = pd.DataFrame(rows, columns=[header or "h", "k"] if header != "k" else ["h", "k"])
    text = to_csv_bytes(frame).decode("utf-8")
    assert _formula_parts(text) == [], text
    back = pd.read_csv(io.StringIO(text), keep_default_na=False, dtype=str)
    assert back.shape == frame.shape  # the CSV structure under "," is unchanged


def test_csv_raw_keeps_values():
    frame = pd.read_csv(io.StringIO(to_csv_bytes(_frame(), raw=True).decode("utf-8")), keep_default_na=False)
    assert list(frame["=head"])[:6] == FORMULAS


@pytest.mark.parametrize("raw", [False, True])
def test_xlsx_never_holds_a_formula(raw):
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes({"accounts": _frame()}, raw=raw)))
    cells = [c for row in wb["accounts"].iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert "\\ud800" in texts
    if not raw:
        assert not any(re.match(r"^\s*[=+\-@\t\r]", t) for t in texts)
        assert "'" + FORMULAS[0] in texts
    else:
        assert FORMULAS[0] in texts
    assert [c.value for c in wb["accounts"]["B"][1:]] == list(range(-4, 4))


# --------------------------------------------------------------------------- secrets, default columns


def _desktop() -> Backup:
    return Backup(synthetic.desktop_document(seed=4))


def test_model_owns_the_secret_fields():
    assert {"randomness", "accountKeys", "commitmentsRandomness"} <= SECRET_FIELDS


def test_desktop_randomness_is_redacted_unless_revealed():
    doc = synthetic.desktop_document(seed=4)
    doc["credentials"][0]["randomness"] = "c0ffee" * 10
    backup = Backup(doc)
    secret = backup.records("identities")[0]["randomness"]
    tables = backup.tables()
    assert set(tables["identities"]["randomness"].dropna()) == {REDACTED}
    assert secret not in tables["identities"].to_csv()
    revealed = backup.tables(reveal_secrets=True)
    assert revealed["identities"]["randomness"].iloc[0] == secret
    from toolkit.model.tables import tabulate

    raw = tabulate(backup, include_raw=True)
    assert set(raw["credentials"]["randomness"].dropna()) == {REDACTED}
    assert raw["credentials"]["hasRandomness"].any() and "c0ffee" not in raw["credentials"].to_csv()


def test_default_columns_leave_out_encrypted_amounts_and_secrets():
    tables = _desktop().tables()
    for name, frame in tables.items():
        shown = set(default_columns(name, frame))
        assert not shown & (ENCRYPTED_AMOUNT_FIELDS | SECRET_FIELDS)
    frame = pd.DataFrame(columns=["a", "selfAmounts", "randomness"])
    assert default_columns("unknown", frame) == ["a"]


def test_open_form_shows_randomness_redacted_and_names_escaped(tmp_path):
    from toolkit.widgets import OpenForm

    doc = synthetic.desktop_document(seed=4)
    doc["accounts"][0]["name"] = HOSTILE
    secret = doc["identities"][0]["randomness"]
    path = tmp_path / "w.json"
    path.write_bytes(make_file(json.dumps(doc, separators=(",", ":")).encode("ascii"), "pw-123456"))
    form = OpenForm()
    form.file.path.value = str(path)
    form.run(password="pw-123456")
    assert form.error is None, form.error
    assert set(form.tables["identities"]["randomness"].dropna()) == {REDACTED}
    html = "".join(tab.children[0].value for tab in form.results.children[-1].children)
    assert secret not in html
    assert "\x1b" not in html and "\u202e" not in html and "\\x1b" in html


FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # one grapheme, 2 cells on a terminal


def test_width_is_the_terminal_s():
    """Measured by wcwidth: a family emoji is 2 cells (it used to count 8), wide CJK 2, accents 0."""
    from toolkit.textsafe import text_width

    assert text_width(FAMILY) == 2
    assert text_width("日本") == 4
    assert text_width("e\u0301cole") == 5
    assert text_width("\U0001f1e9\U0001f1ea") == 2  # a flag: two regional indicators, one grapheme
    assert text_width("plain") == 5


@pytest.mark.parametrize("width", range(0, 12))
def test_a_cut_never_splits_a_grapheme(width):
    from wcwidth import iter_graphemes

    from toolkit.textsafe import text_width

    text = f"a{FAMILY}e\u0301\U0001f1e9\U0001f1ea日本b{FAMILY}"
    shown = cut(text, width)
    assert text_width(shown) <= width
    body = shown.removesuffix("…")
    assert text.startswith(body)
    graphemes = list(iter_graphemes(text))
    # the kept part ends on a grapheme boundary of the original
    assert body in ("".join(graphemes[:n]) for n in range(len(graphemes) + 1))


def test_render_frame_measures_graphemes():
    import pandas as pd

    from toolkit.cli.tabletext import render_frame
    from toolkit.textsafe import text_width

    frame = pd.DataFrame({"name": [FAMILY * 3, "x"], "n": [1, 22]})
    lines = render_frame(frame, 40).splitlines()
    assert lines[0] == "name     n"  # the column is 6 cells wide (3 emoji of 2), not 24
    assert lines[1] == FAMILY * 3 + "   1"
    assert [text_width(line) for line in lines] == [10, 10, 10]
