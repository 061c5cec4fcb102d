"""The pictures in docs/: every one is shown or linked from a page, every journey screenshot a browser test keeps
(``CONCORDIUM_SCREENSHOTS=docs``) is there and named in docs/NOTEBOOKS.md, and they stay small (they ship in the
sdist).  Issue 20 asks for the desk's journeys with screenshots named in docs/."""

from __future__ import annotations

import re

from tests.conftest import ROOT

DOCS = ROOT / "docs"
#: A Markdown link or image target.
LINK = re.compile(r"\]\(([^)#\s]+)")
#: Largest picture, and all of them together (256 colours: the journeys are 15–60 KB).
MAX_PICTURE = 150_000
MAX_TOTAL = 1_500_000


def linked_from_docs() -> set[str]:
    """Every file a docs/ page or README links (as a docs/-relative name)."""
    out: set[str] = set()
    for page in [ROOT / "README.md", *DOCS.glob("*.md")]:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            full = (page.parent / target).resolve()
            if full.parent == DOCS.resolve():
                out.add(full.name)
    return out


def kept_by_tests() -> set[str]:
    """The journey screenshots the browser tests keep (their literal names)."""
    names: set[str] = set()
    for test in (ROOT / "tests").rglob("test_browser*.py"):
        names |= set(re.findall(r"\"(journey-[a-z0-9-]+\.png)\"", test.read_text(encoding="utf-8")))
    return names


def test_every_picture_in_docs_is_shown_or_linked() -> None:
    pictures = {p.name for p in DOCS.glob("*.png")}
    assert pictures, "no pictures in docs/"
    assert pictures - linked_from_docs() == set()


def test_every_journey_a_browser_test_keeps_is_in_docs_and_named_in_the_notebooks_page() -> None:
    kept = kept_by_tests()
    assert {"journey-upload-progress.png", "journey-open-recovered.png", "journey-merge-way-out.png"} <= kept
    assert sorted(name for name in kept if not (DOCS / name).is_file()) == []
    notebooks = (DOCS / "NOTEBOOKS.md").read_text(encoding="utf-8")
    assert sorted(name for name in kept if f"({name})" not in notebooks) == []


def test_the_pictures_stay_small() -> None:
    sizes = {p.name: p.stat().st_size for p in DOCS.glob("*.png")}
    assert {name: size for name, size in sizes.items() if size > MAX_PICTURE} == {}
    assert sum(sizes.values()) <= MAX_TOTAL, sizes
    for name in sizes:
        assert (DOCS / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
