"""Shared test fixtures: the conformance vectors and small helpers to make backup files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from toolkit.format import container

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"


#: ``$CONCORDIUM_VECTORS``, else the copy in the repository (tests/vectors/, provenance in its README).
VECTORS = Path(os.environ.get("CONCORDIUM_VECTORS", ROOT / "tests" / "vectors"))

#: (file, password, plaintext file, kind) — passwords from tests/vectors/README.md
VECTOR_FILES = [
    ("desktop-reference.json", "reference-Pässword-1", "desktop-reference.plaintext.json", "desktop-wallet"),
    ("desktop-reference-old.json", "oldref-pass", "desktop-reference-old.plaintext.json", "desktop-wallet"),
    ("legacy-reference.concordiumwallet", "legacy-ref-pass", "legacy-reference.plaintext.json", "legacy-mobile-wallet"),
]


@pytest.fixture(scope="session")
def vectors_dir() -> Path:
    if not VECTORS.is_dir():  # committed test data: missing is a failure, never a skip
        pytest.fail(f"conformance vectors not found at {VECTORS} (set CONCORDIUM_VECTORS to their folder)")
    return VECTORS


def make_file(plaintext: bytes, password: str, *, iterations: int = 1000, layout: str = "desktop") -> bytes:
    """A backup file holding ``plaintext`` (few iterations: tests stay fast)."""
    return container.encrypt(plaintext, password, iterations=iterations, layout=layout)  # type: ignore[arg-type]


@pytest.fixture()
def page(tmp_path: Path) -> Iterator[object]:
    """A fresh headless Chromium page that reaches only 127.0.0.1 (the browser tests' one way to get a page)."""
    from tests.skins.test_browser import chromium_page

    with chromium_page(tmp_path) as pg:
        yield pg
