"""README stays true: every error code a user can meet is documented there."""

from __future__ import annotations

from tests.conftest import ROOT
from toolkit import errors


def test_every_error_code_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    codes = {cls.code for cls in errors.all_error_classes()}
    missing = sorted(code for code in codes if f"`{code}`" not in readme)
    assert not missing, f"error codes not documented in README.md: {missing}"
