"""The docs stay true: the generated pages (docs/CLI.md, docs/ERRORS.md) are current; docs/FORMAT.md matches the
code and the vectors."""

from __future__ import annotations

import base64
import importlib.util
import json
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT
from toolkit import errors
from toolkit.format import container


def _make_docs():
    """scripts/make_docs.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("make_docs", ROOT / "scripts" / "make_docs.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.mark.parametrize("name", ["CLI.md", "ERRORS.md"])
def test_the_generated_pages_are_current(name):
    """docs/CLI.md and docs/ERRORS.md are what scripts/make_docs.py makes from the code now."""
    page = ROOT / "docs" / name
    assert page.is_file(), f"docs/{name} is missing: run python scripts/make_docs.py"
    assert page.read_text(encoding="utf-8") == _make_docs().pages()[name], (
        f"docs/{name} is not current: run python scripts/make_docs.py"
    )


def test_every_error_code_is_documented_with_its_class_and_meaning():
    page = (ROOT / "docs" / "ERRORS.md").read_text(encoding="utf-8")
    rows = {r[0]: r for r in _rows(page) if re.fullmatch(r"`[a-z0-9-]+`", r[0])}
    own = [c for c in errors.all_error_classes() if c.__module__ == errors.__name__]
    assert {c.code for c in own} == {c.code for c in errors.all_error_classes()}, "every code is made in errors.py"
    for cls in own:
        assert cls.__dict__.get("__doc__"), f"{cls.__name__} needs a docstring saying what {cls.code!r} means"
        row = rows.get(f"`{cls.code}`")
        assert row is not None, f"{cls.code} is not in docs/ERRORS.md"
        assert row[1] == f"`{cls.__name__}`" and row[2], row
    assert len(rows) == len(own) == len({c.code for c in own}), "one row per code, no stale rows"


def test_the_cli_page_holds_every_command_and_option():
    from toolkit.cli import build_parser
    from toolkit.cli.registry import COMMANDS

    page = (ROOT / "docs" / "CLI.md").read_text(encoding="utf-8")
    parser = build_parser()
    for command in COMMANDS:
        section = page.split(f"\n## {command.name}\n", 1)[1].split("\n## ", 1)[0]
        for action in parser.commands[command.name]._actions:
            for option in action.option_strings:
                assert re.search(rf"[`,] ?{re.escape(option)}[ ,`]", section), f"{command.name} {option}"


# --------------------------------------------------------------------------- docs/FORMAT.md stays true

FORMAT = ROOT / "docs" / "FORMAT.md"
#: Every place the code may cite the page from.
CITING_DIRS = ("toolkit", "tests", "bench", "scripts", "fuzz")


def _format_text() -> str:
    return FORMAT.read_text(encoding="utf-8")


def _sections() -> dict[int, str]:
    """The page's numbered sections: ``## N. Title`` up to the next ``## `` heading."""
    parts = re.split(r"^(?=## )", _format_text(), flags=re.M)
    out: dict[int, str] = {}
    for part in parts:
        m = re.match(r"## (\d+)\. ", part)
        if m:
            out[int(m.group(1))] = part
    return out


def _rows(text: str) -> list[list[str]]:
    """Markdown table rows (header and rule rows left out) as stripped cells."""
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and not re.match(r"^\|[-| ]+\|$", line):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


def _facts(section: int) -> dict[str, list[str]]:
    """A section's fact rows: the first cell is a backticked name, the rest are its values."""
    return {r[0].strip("`"): r[1:] for r in _rows(_sections()[section]) if re.fullmatch(r"`[^`]+`", r[0])}


def _code(cell: str) -> str:
    """The first backticked part of a cell."""
    m = re.search(r"`([^`]+)`", cell)
    assert m, f"no code span in {cell!r}"
    return m.group(1)


def _number(cell: str) -> int:
    return int(re.match(r"[\d,]+", cell).group(0).replace(",", ""))  # type: ignore[union-attr]


def test_every_format_citation_names_a_section_of_the_page():
    headings = set(_sections())
    assert {1, 2, 3, 4, 5, 6} <= headings, f"the page lost a numbered section: {sorted(headings)}"
    cited: list[tuple[str, int]] = []
    bare: list[str] = []
    this_file = Path(__file__).resolve()
    for folder in CITING_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.resolve() == this_file:
                continue
            text = path.read_text(encoding="utf-8")
            where = str(path.relative_to(ROOT))
            bare += [where for _ in re.finditer(r"(?<!docs/)FORMAT\.md\s*§", text)]
            for m in re.finditer(r"docs/FORMAT\.md((?:\s*(?:,|and)?\s*§\d+)+)", text):
                cited += [(where, int(n)) for n in re.findall(r"§(\d+)", m.group(1))]
    assert not bare, f"cite the page as docs/FORMAT.md §N: {bare}"
    assert len(cited) >= 16, f"expected the code's citations of docs/FORMAT.md, found {cited}"
    missing = sorted({(where, n) for where, n in cited if n not in headings})
    assert not missing, f"citations of sections the page does not have: {missing}"


def test_container_facts_equal_the_codes_constants():
    facts = _facts(1)
    assert [_number(c) for c in facts["iterations"][:2]] == [container.DESKTOP_ITERATIONS, container.LEGACY_ITERATIONS]
    assert _number(facts["keyLen"][0]) == container.KEY_LEN
    assert facts["hashAlgorithm"][0].strip('"') == container.HASH_ALGORITHM
    assert [c.strip('"') for c in facts["encryptionMethod"][:2]] == [container.ENCRYPTION_METHOD] * 2
    assert [c.strip('"') for c in facts["keyDerivationMethod"][:2]] == [container.KDF_METHOD] * 2
    assert [_code(c).encode() for c in facts["plaintext starts"][:2]] == [
        container.DESKTOP_PREFIX,
        container.LEGACY_PREFIX,
    ]
    assert [_number(c) for c in facts["IV bytes"][:2]] == [container.BLOCK] * 2
    # What the code writes for each wallet: salt size and the outer key order.
    for column, layout in enumerate(("desktop", "legacy")):
        written = json.loads(container.encrypt(b"{}", "docs-check", iterations=1, layout=layout))
        salt = base64.b64decode(written["metadata"]["salt"])
        assert len(salt) == _number(facts["salt bytes"][column]), layout
        order = [k.strip() for k in re.sub(r"\(.*\)", "", facts["outer key order"][column]).split(",")]
        assert list(written) == order, layout
    assert facts["largest file the toolkit reads"][0] == f"{container.MAX_FILE_SIZE // 2**20} MiB"


def test_ledger_facts_equal_the_codes_constants():
    from toolkit.ops.ledger import check, devices, transport

    text = _sections()[5]
    apdus = {bytes.fromhex(a) for a in re.findall(r"\*\*[^*]+\*\* `([0-9A-F ]+)`", text)}
    assert apdus == set(transport.ALLOWED_APDUS) == {transport.GET_APP_AND_VERSION, transport.GET_PAIRING_KEY}
    assert f"0x{devices.LEDGER_VENDOR_ID:04X}" in text
    models = {int(r[0], 16): r[1] for r in _rows(text) if re.fullmatch(r"0x[0-9A-F]{2}", r[0])}
    assert models == devices.MODELS
    facts = _facts(5)
    assert facts["Concordium app name"][0] == check.CONCORDIUM_APP
    assert tuple(map(int, facts["Concordium app minimum version"][0].split("."))) == check.MIN_APP_VERSION
    assert facts["governance app name"][0] == check.GOVERNANCE_APP
    assert facts["dashboard name"][0] == check.DASHBOARD_APP


def test_every_status_word_the_check_knows_is_documented_with_its_class():
    from toolkit.ops.ledger import check

    table = {int(r[0], 16): r for r in _rows(_sections()[5]) if re.fullmatch(r"0x[0-9A-F]{4}", r[0])}
    expected = {sw: "locked" for sw in check.LOCKED_SW}
    expected |= {sw: "no-app" for sw in check.NO_APP_SW}
    expected |= {sw: "refused" for sw in check.REFUSED_SW}
    expected |= {sw: "app-error" for sw in check.APP_ERRORS}
    expected[check.BUSY_SW] = "busy"
    undocumented = sorted(f"0x{sw:04X}" for sw in expected if sw not in table)
    assert not undocumented, f"status words the check knows but docs/FORMAT.md §5 does not list: {undocumented}"
    wrong = {f"0x{sw:04X}": (table[sw][2], cls) for sw, cls in expected.items() if table[sw][2] != cls}
    assert not wrong, f"page class vs the check's: {wrong}"
    for sw, error in check.APP_ERRORS.items():
        name = error.name
        assert name.lower() in table[sw][1].lower(), f"0x{sw:04X}: the page says {table[sw][1]!r}, the code {name!r}"


def test_identifier_facts_equal_the_codes_constants():
    from toolkit.model import addresses, network

    facts = _facts(6)
    assert int(facts["address version byte"][0], 16) == addresses.ADDRESS_VERSION
    assert _number(facts["address length"][0]) == addresses.ADDRESS_LENGTH
    text = _sections()[6]
    vector = re.search(r"check vector is\s+`(\w+)`", text).group(1)  # type: ignore[union-attr]
    assert addresses.is_valid_address(vector)
    hashes = {_code(r[1]): r[0] for r in _rows(text) if re.fullmatch(r"`[0-9a-f]{64}`", r[1])}
    assert hashes == network.GENESIS_HASHES


def _field_table(section: int) -> dict[str, list[str]]:
    return {k: [f.strip() for f in v[0].split(",")] for k, v in _facts(section).items() if v}


def test_desktop_record_fields_match_the_reference_export(vectors_dir):
    """§2's field lists, in the writer's order, are the reference export's (every kind, every key)."""
    document = json.loads((vectors_dir / "desktop-reference.plaintext.json").read_bytes())
    fields = _field_table(2)
    assert list(fields) == list(document), "§2 lists the kinds in the export's key order"
    for kind, value in document.items():
        record = value if isinstance(value, dict) else value[0]
        assert fields[kind] == list(record), kind


def test_legacy_record_fields_match_the_reference_export(vectors_dir):
    document = json.loads((vectors_dir / "legacy-reference.plaintext.json").read_bytes())
    text = _sections()[4]
    keys = re.findall(r'"(\w+)":', text.split("```")[1])
    assert [k for k in keys if k in document] == list(document)
    identity = document["value"]["identities"][0]

    def listed(name: str) -> list[str]:
        m = re.search(rf"\*\*{name}\*\* holds ([^.(]+?)\s*[.(]", text)
        assert m, name
        return [w for w in re.split(r",\s*|\s+and\s+", m.group(1)) if w]

    for name, record in (("IdentityExport", identity), ("AccountExport", identity["accounts"][0])):
        page = listed(name)
        assert [k for k in page if k in record] == list(record), name  # same order; the page may list more
        assert set(record) <= set(page), name
    assert listed("Recipient") == list(document["value"]["recipients"][0])


def test_toolkit_paths_the_page_names_exist():
    named = set(re.findall(r"`(toolkit/[\w/]+\.py)`", _format_text()))
    assert named, "the page names no toolkit module"
    assert all((ROOT / p).is_file() for p in named), sorted(p for p in named if not (ROOT / p).is_file())


# --------------------------------------------------------------------------- README and the pages it links

README_MAX_LINES = 250
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def _headings(text: str) -> set[str]:
    """The anchors GitHub gives a page's headings (code blocks left out)."""
    out: set[str] = set()
    fence = False
    for line in text.splitlines():
        if line.startswith("```"):
            fence = not fence
        elif not fence and (m := re.match(r"#{1,6} (.+)", line)):
            slug = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
            n = 1
            while (slug if n == 1 else f"{slug}-{n - 1}") in out:
                n += 1
            out.add(slug if n == 1 else f"{slug}-{n - 1}")
    return out


def test_the_readme_stays_short():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move details into a docs/ page and link it"


def test_every_docs_page_is_linked_from_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = {target.split("#")[0] for target in LINK.findall(readme)}
    pages = {f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md")}
    assert pages <= linked, f"pages README does not link: {sorted(pages - linked)}"


@pytest.mark.parametrize("page", ["README.md", *sorted(f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md"))])
def test_every_link_resolves(page):
    """Every relative link of README.md and the docs/ pages names a file that exists, and a heading it has."""
    source = ROOT / page
    broken = []
    for target in LINK.findall(source.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):
            continue  # https://, mailto:
        path, _, anchor = target.partition("#")
        resolved = (source.parent / path).resolve() if path else source
        if not resolved.exists():
            broken.append(target)
            continue
        if anchor and resolved.suffix == ".md" and anchor not in _headings(resolved.read_text(encoding="utf-8")):
            broken.append(target)
    assert not broken, f"{page}: links that lead nowhere: {broken}"
