"""Errors speak no interface in the library; the CLI and the forms each say what to do in their own words.

And with two inputs (diff, import preview) an error says which file it is about.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES
from toolkit import errors, open_backup
from toolkit.cli import main
from toolkit.cli.hints import HINTS as CLI_HINTS
from toolkit.model.backup import open_input
from toolkit.widgets.hints import FORM_HINTS
from toolkit.widgets.hints import HINTS as FORM_HINTS_SHARED

OLD = SAMPLES / "wallet-export-old.json"
NEW = SAMPLES / "wallet-export.json"
OLD_PW = SAMPLES / "wallet-export-old.password"
NEW_PW = SAMPLES / "wallet-export.password"
CLI_WORDS = re.compile(r"--[a-z]|concordium-backup|\bCOMMAND\b")


def test_no_library_hint_names_a_flag_or_a_command() -> None:
    for cls in errors.all_error_classes():
        assert not CLI_WORDS.search(cls.hint), (cls.__name__, cls.hint)
    # nothing outside the CLI raises the CLI's usage error
    for path in (ROOT / "toolkit").rglob("*.py"):
        if "cli" not in path.relative_to(ROOT / "toolkit").parts:
            assert "errors.UsageError(" not in path.read_text(encoding="utf-8"), path


def test_every_table_key_is_a_known_code() -> None:
    codes = {cls.code for cls in errors.all_error_classes()}
    tables = [CLI_HINTS, FORM_HINTS_SHARED, *FORM_HINTS.values()]
    for key in (k for table in tables for k in table):
        assert key.split("@")[0] in codes, key
    for table in (FORM_HINTS_SHARED, *FORM_HINTS.values()):
        assert not any(CLI_WORDS.search(h) for h in table.values())


def test_restated_prefers_the_subject_and_keeps_a_raisers_own_words() -> None:
    table = {"wrong-password": "general", "wrong-password@old": "for old", "damaged": "d"}
    plain = errors.WrongPasswordError("No")
    assert errors.restated(plain, table).message == "No. general."
    assert plain.message.endswith(errors.WrongPasswordError.hint)  # the original is unchanged
    about_old = errors.WrongPasswordError("No", subject="old")
    assert errors.restated(about_old, table).message == "No. for old."
    own = errors.DamagedError("Cut", hint="Use another copy")
    assert errors.restated(own, table) is own
    assert errors.restated(ValueError("x"), table).args == ("x",)


def test_open_input_names_the_file_and_carries_its_subject() -> None:
    with pytest.raises(errors.WrongPasswordError) as caught:
        open_input(OLD, "not-the-password", subject="old", what="the old backup")
    assert caught.value.subject == "old"
    assert caught.value.message.startswith("The old backup (wallet-export-old.json): the password does not open")
    assert caught.value.to_dict()["subject"] == "old"


def _cli(args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> tuple:
    for var in ("CONCORDIUM_BACKUP_PASSWORD", "CONCORDIUM_BACKUP_NEW_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize(("side", "flag"), [("old", "--old-password-file"), ("new", "--new-password-file")])
def test_cli_diff_says_which_password_is_wrong(tmp_path, capsys, monkeypatch, side, flag) -> None:
    wrong = tmp_path / "wrong.pw"
    wrong.write_text("not-the-password\n")
    pws = {"old": OLD_PW, "new": NEW_PW, side: wrong}
    args = ["diff", OLD, NEW, "--old-password-file", pws["old"], "--new-password-file", pws["new"], "--json"]
    code, out, err = _cli(args, capsys, monkeypatch)
    error = json.loads(out)["error"]
    name = (OLD if side == "old" else NEW).name
    assert code == 2 and error["code"] == "wrong-password" and error["subject"] == side
    assert f"The {side} backup ({name})" in error["message"] and flag in error["message"]
    assert flag in err and "not-the-password" not in out + err


def test_cli_merge_says_which_password_is_wrong(tmp_path, capsys, monkeypatch) -> None:
    wrong = tmp_path / "wrong.pw"
    wrong.write_text("not-the-password\n")
    args = ["merge", NEW, OLD, "--a-password-file", NEW_PW, "--b-password-file", wrong, "--dry-run"]
    code, _out, err = _cli(args, capsys, monkeypatch)
    assert code == 2 and "Backup B (wallet-export-old.json)" in err and "--b-password-file" in err


def test_the_forms_say_which_password_is_wrong_in_their_own_words() -> None:
    from toolkit.widgets import DiffForm

    form = DiffForm()
    form.old.path.value, form.new.path.value = str(OLD), str(NEW)
    assert form.run(old_password=OLD_PW.read_text().strip(), new_password="not-the-password") is None
    assert form.error is not None and form.error.code == "wrong-password" and form.error.subject == "new"
    shown = form.status.value
    assert "The newer backup (wallet-export.json)" in shown and "typed for the newer backup" in shown
    assert "--" not in shown and "not-the-password" not in shown


def test_a_usage_error_shows_the_commands_usage(capsys, monkeypatch) -> None:
    code, _out, err = _cli(["diff", OLD], capsys, monkeypatch)
    assert code == 2 and err.startswith("usage: concordium-backup diff ")
    assert "concordium-backup: usage: the following arguments are required: NEW." in err
    assert "concordium-backup: usage: concordium-backup" not in err
    assert "See 'concordium-backup diff --help'" in err
    code, _out, err = _cli(["merge", NEW, OLD], capsys, monkeypatch)  # raised by the command, after parsing
    assert code == 2 and err.startswith("usage: concordium-backup merge ") and "merge --help" in err


def test_version(capsys) -> None:
    from toolkit import __version__

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out == f"concordium-backup {__version__}\n"


def test_positionals_are_named_alike_in_every_command(capsys, monkeypatch) -> None:
    expected = {
        "inspect": "FILE",
        "audit": "FILE",
        "diff": "OLD NEW",
        "merge": "A B [OUT]",
        "reexport": "IN OUT",
        "salvage": "FILE OUT",
    }
    for command, names in expected.items():
        with pytest.raises(SystemExit):
            main([command, "--help"])
        usage = " ".join(capsys.readouterr().out.split("\n\n")[0].split())
        assert usage.endswith(names), (command, usage)


def test_open_backup_takes_a_path_with_tilde_bytes_and_a_file_object(tmp_path: Path, monkeypatch) -> None:
    password = NEW_PW.read_text().strip()
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "w.json").write_bytes(NEW.read_bytes())
    by_path = open_backup(Path("~/w.json"), password)
    assert by_path.source == str(tmp_path / "w.json")
    assert open_backup("~/w.json", password).counts() == by_path.counts()
    assert open_backup(NEW.read_bytes(), password).counts() == by_path.counts()
    with open(NEW, "rb") as fh:
        assert open_backup(fh, password).source == str(NEW)
    assert open_backup(io.BytesIO(NEW.read_bytes()), password).source is None
    with pytest.raises(errors.InvalidArgumentError):
        open_backup(12, password)  # type: ignore[arg-type]


def test_salvage_says_what_was_lost_in_the_same_words_in_the_cli_and_the_form(tmp_path, capsys, monkeypatch) -> None:
    from toolkit.ops.salvage import salvage
    from toolkit.widgets import SalvageForm

    damaged = SAMPLES / "wallet-export-bitrot.json"
    password = damaged.with_suffix(".password").read_text().strip()
    result = salvage(damaged, password)
    assert not result.intact and "bytes " in result.lost_text()
    headline = result.headline(damaged.name)
    code, out, _err = _cli(
        ["salvage", damaged, tmp_path / "out.json", "--password-file", damaged.with_suffix(".password")],
        capsys,
        monkeypatch,
    )
    assert code == 0 and out.splitlines()[0] == headline
    form = SalvageForm()
    form.file.path.value = str(damaged)
    assert form.run(password=password) is not None
    assert headline.replace(damaged.name, f"<b>{damaged.name}</b>") in form.status.value


def test_an_account_name_matching_several_lists_them(tmp_path, capsys, monkeypatch) -> None:
    import copy as copy_

    from tests.conftest import make_file
    from toolkit.format.jsonio import dumps_js

    doc = copy_.deepcopy(open_backup(NEW, NEW_PW.read_text().strip()).document)
    twins = doc["accounts"][:2]
    for account in twins:
        account["name"] = "Twin"
    src = tmp_path / "twins.json"
    src.write_bytes(make_file(dumps_js(doc), "twins-pass"))
    pw = tmp_path / "pw"
    pw.write_text("twins-pass\n")
    args = ["reexport", src, tmp_path / "out.json", "--password-file", pw, "--account", "Twin", "--json"]
    code, out, _err = _cli(args, capsys, monkeypatch)
    error = json.loads(out)["error"]
    assert code == 2 and error["code"] == "invalid-selection"
    assert all(a["address"] in error["message"] for a in twins) and "2 accounts match 'Twin'" in error["message"]


def test_results_print_as_one_line_and_as_a_table_in_a_notebook() -> None:
    from toolkit import diff_backups, salvage_backup

    password = NEW_PW.read_text().strip()
    backup = open_backup(NEW, password)
    later = open_backup(SAMPLES / "wallet-export-later.json", password)
    result = diff_backups(backup, later)
    assert "\n" not in repr(result) and repr(result).startswith("<BackupDiff desktop-wallet: 4 added, 0 removed")
    assert "<table" in result._repr_html_() and repr(diff_backups(backup, backup)).endswith("no differences>")
    rescued = salvage_backup(SAMPLES / "wallet-export-bitrot.json", password)
    assert "\n" not in repr(rescued) and "records recovered" in repr(rescued)
    assert "<table" in rescued._repr_html_()


def test_the_import_preview_form_names_the_file_whose_password_is_wrong() -> None:
    from toolkit.widgets import MergeForm

    form = MergeForm()
    form.wallet.path.value, form.imported.path.value = str(NEW), str(OLD)
    assert form.run(wallet_password="not-the-password", imported_password=OLD_PW.read_text().strip()) is None
    assert form.error is not None and form.error.subject == "a"
    assert "(wallet-export.json): the password does not open" in form.status.value
    assert "typed for the wallet&#x27;s backup (A)" in form.status.value


def test_backup_encrypt_and_save_mirror_open_backup(tmp_path: Path) -> None:
    backup = open_backup(NEW, NEW_PW.read_text().strip())
    data = backup.encrypt("new-pass-1")
    again = open_backup(data, "new-pass-1")
    assert again.to_plaintext() == backup.to_plaintext() and again.encryption["iterations"] == 10_000
    with pytest.raises(errors.PasswordTooShortError):
        backup.encrypt("short")
    written = backup.save(tmp_path / "copy.json", "new-pass-1")
    assert open_backup(written.path, "new-pass-1").counts() == backup.counts()
    with pytest.raises(errors.OutputExistsError):
        backup.save(tmp_path / "copy.json", "new-pass-1")
    with pytest.raises(errors.SameFileError):
        backup.save(NEW, "new-pass-1", force=True)
