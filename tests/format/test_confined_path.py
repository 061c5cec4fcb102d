"""toolkit.format.files.confined_path: a served page's paths stay in the operator's folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from toolkit import errors
from toolkit.format.files import confined_path


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """``desk/`` with a file, a subfolder, links inside and out; ``secret.txt`` beside it (outside)."""
    desk = tmp_path / "desk"
    (desk / "sub").mkdir(parents=True)
    (desk / "in.json").write_text("{}")
    (desk / "sub" / "deep.json").write_text("{}")
    (tmp_path / "secret.txt").write_text("no")
    os.symlink(tmp_path / "secret.txt", desk / "out-link.json")
    os.symlink(tmp_path, desk / "out-dir")
    os.symlink(desk / "in.json", desk / "in-link.json")
    return desk


def test_names_inside_resolve(tree: Path) -> None:
    assert confined_path(tree, "in.json") == tree.resolve() / "in.json"
    assert confined_path(tree, "sub/deep.json") == tree.resolve() / "sub" / "deep.json"
    assert confined_path(tree, "./in.json") == tree.resolve() / "in.json"
    assert confined_path(tree, "in-link.json") == tree.resolve() / "in.json"  # a link that stays inside
    assert confined_path(tree, "new.json", writing=True) == tree.resolve() / "new.json"


@pytest.mark.parametrize(
    "name",
    [
        "",
        "/etc/passwd",
        "~/x",
        "~root/x",
        "../secret.txt",
        "sub/../../secret.txt",
        "a\0b",
        "..",
        "out-link.json",
        "out-dir/secret.txt",
        "sub\\..\\..\\secret.txt",
    ],
)
def test_names_that_leave_are_refused(tree: Path, name: str) -> None:
    with pytest.raises(errors.OutsideFolderError) as caught:
        confined_path(tree, name)
    assert caught.value.code == "outside-folder"


@pytest.mark.parametrize("name", ["out-link.json", "out-dir/new.json", "../new.json", "/tmp/new.json"])
def test_writes_that_leave_are_refused(tree: Path, name: str) -> None:
    with pytest.raises(errors.OutsideFolderError):
        confined_path(tree, name, writing=True)


def test_a_write_into_a_missing_folder_says_so(tree: Path) -> None:
    with pytest.raises(errors.WriteFailedError):
        confined_path(tree, "nope/new.json", writing=True)


def test_the_folder_may_itself_be_a_link(tree: Path, tmp_path: Path) -> None:
    os.symlink(tree, tmp_path / "desk-link")
    assert confined_path(tmp_path / "desk-link", "in.json") == tree.resolve() / "in.json"
    with pytest.raises(errors.OutsideFolderError):
        confined_path(tmp_path / "desk-link", "out-link.json")
