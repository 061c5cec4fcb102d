"""The wallet's own database in the forms (issue 24): by upload and by path in Open, Compare and Export, and the
"Find the wallet's database" button — offered outside page mode only (a served page's users get no path)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from toolkit import open_backup
from toolkit.format.container import encrypt
from toolkit.format.jsonio import dumps_js
from toolkit.model.database import KIND
from toolkit.ops.find_db import DATABASE_FILE
from toolkit.widgets import AuditForm, DiffForm, ExportForm, MergeForm, OpenForm, RecoveryForm, SalvageForm
from toolkit.widgets.files import BACKUP_ACCEPT
from toolkit.widgets.page import PageMode
from toolkit.widgets.session import Session

from ..conftest import ROOT

FIXTURES = ROOT / "tests" / "walletdb"
DB = FIXTURES / "wallet.sqlite3"
WITH_HISTORY = FIXTURES / "history.sqlite3"  # transactions, proposals, decrypted amounts, settings
PASSWORD = "Wallet-DB-2026"  # tests/walletdb's seed (tests/test_walletdb.py PASSWORDS)
HISTORY = ("transactions", "multiSignatureProposals", "decryptedAmounts", "settings", "preferences")


def deliver(upload, path: Path) -> None:
    """What the browser sends when a file is chosen: its bytes as a memoryview."""
    data = path.read_bytes()
    item = {"name": path.name, "type": "", "size": len(data), "content": memoryview(data), "last_modified": 0}
    upload.set_state({"value": [item]})


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This machine's wallet folders (Linux layout, under a fresh XDG_CONFIG_HOME) holding a testnet database."""
    config = tmp_path / "config"
    folder = config / "Concordium Wallet testnet"
    folder.mkdir(parents=True)
    shutil.copyfile(DB, folder / DATABASE_FILE)
    os.utime(folder / DATABASE_FILE, (1_780_000_000, 1_780_000_000))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.setattr("sys.platform", "linux")
    return folder / DATABASE_FILE


def older_backup(tmp_path: Path, password: str = "Older-Backup-1") -> Path:
    """The backup the owner made before their newest account: the database's export less its first account."""
    document = dict(open_backup(DB, PASSWORD).document)
    document["accounts"] = document["accounts"][1:]
    path = tmp_path / "wallet-export.json"
    path.write_bytes(encrypt(dumps_js(document), password, iterations=1000))
    return path


def test_the_upload_buttons_offer_the_database_file() -> None:
    assert ".sqlite3" in BACKUP_ACCEPT.split(",")
    assert OpenForm().file.upload.accept == BACKUP_ACCEPT


@pytest.mark.parametrize("how", ["upload", "path"])
def test_open_shows_every_table_of_a_database_including_its_history(how: str) -> None:
    form = OpenForm(session=Session())
    if how == "upload":
        deliver(form.file.upload, WITH_HISTORY)
    else:
        form.file.path.value = str(WITH_HISTORY)
    form.password.value = PASSWORD
    backup = form.run()
    assert backup is not None and backup.kind == KIND, form.status.value
    assert "Desktop Wallet database" in form.status.value and "6 accounts" in form.status.value
    assert set(HISTORY) <= set(form.tables)
    assert all(len(form.tables[name]) > 0 for name in HISTORY), {n: len(form.tables[n]) for n in HISTORY}
    tabs = form.results.children[-1]
    titles = [tabs.get_title(i) for i in range(len(tabs.children))]
    assert any(t.startswith("transactions (") for t in titles), titles
    assert form.password.value == ""


@pytest.mark.parametrize("how", ["upload", "path"])
def test_compare_a_database_with_an_older_backup(how: str, tmp_path: Path) -> None:
    form = DiffForm(session=Session())
    form.old.path.value = str(older_backup(tmp_path))
    if how == "upload":
        deliver(form.new.upload, DB)
    else:
        form.new.path.value = str(DB)
    result = form.run(old_password="Older-Backup-1", new_password=PASSWORD)
    assert result is not None, form.status.value
    assert result.summary.loc["accounts", "added"] == 1
    assert int(result.summary.sum().sum()) == 1  # the database holds exactly what the backup lacks
    assert "1 added" in form.status.value


def test_export_reexports_an_uploaded_database(tmp_path: Path) -> None:
    session = Session()
    opener = OpenForm(session=session)
    deliver(opener.file.upload, DB)
    assert opener.run(password=PASSWORD) is not None
    export = ExportForm(session=session)
    assert export.picker.dropdown.label.endswith("wallet.sqlite3 (opened)")
    export.new_password.value = export.confirm_password.value = "New-Backup-Pass-1"
    result = export.run()
    assert result is not None and result.verified, export.status.value
    assert result.path == "wallet-export.json"  # the wallet's own name, not wallet.sqlite3's
    saved = tmp_path / result.path
    saved.write_bytes(export.data)
    again = open_backup(saved, "New-Backup-Pass-1")
    assert again.kind == "desktop-wallet"
    assert again.document == open_backup(DB, PASSWORD).document  # what the wallet's Export would write


def test_every_backup_chooser_finds_the_wallets_database_outside_page_mode(machine: Path) -> None:
    session = Session()
    choosers = [
        OpenForm(session=session).file,
        DiffForm(session=session).old,
        DiffForm(session=session).new,
        AuditForm(session=session).file,
        SalvageForm(session=session).file,
        MergeForm(session=session).wallet,
        RecoveryForm(session=session).file,
    ]
    assert all(c.finder is not None for c in choosers)
    assert RecoveryForm(session=session).candidates_file.finder is None  # a candidate list is no database
    finder = choosers[0].finder
    assert finder.choice.layout.display == "none"  # nothing listed before it is asked
    found = finder.search()
    assert [f.path for f in found] == [str(machine)]
    label = finder.choice.options[1][0]
    assert "testnet" in label and "167,936 bytes" in label and "modified 2026-05-28" in label and str(machine) in label
    finder.choice.index = 1
    assert choosers[0].path.value == str(machine)


def test_the_found_database_opens_in_the_open_form(machine: Path) -> None:
    form = OpenForm(session=Session())
    form.file.finder.search()
    form.file.finder.choice.value = str(machine)
    assert form.run(password=PASSWORD) is not None, form.status.value
    assert form.name == DATABASE_FILE and set(HISTORY) <= set(form.tables)
    form.file.upload.set_state({"value": []})
    form.file.path.value = "elsewhere.json"  # another file chosen: the list no longer shows the found one
    assert form.file.finder.choice.value is None


def test_nothing_found_says_where_it_looked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setattr("sys.platform", "linux")
    finder = OpenForm(session=Session()).file.finder
    assert finder.search() == []
    assert "No concordium-desktop-wallet-database.sqlite3" in finder.note.value and str(tmp_path) in finder.note.value
    assert finder.choice.layout.display == "none"


@pytest.mark.parametrize("mode", [PageMode(), PageMode(folder=Path("/nonexistent-desk-folder"))])
def test_a_served_page_has_no_finder(served, mode: PageMode, machine: Path) -> None:
    served(mode)
    session = Session()
    for form in (OpenForm(session=session), DiffForm(session=session), SalvageForm(session=session)):
        choosers = [w for w in vars(form).values() if hasattr(w, "finder")]
        assert choosers and all(c.finder is None for c in choosers)
        assert "Find the wallet" not in repr(form.children)


def test_a_chooser_served_after_it_was_made_lists_no_path(served, machine: Path) -> None:
    form = OpenForm(session=Session())
    served(PageMode())
    assert form.file.finder.search() == []
    assert str(machine) not in form.file.finder.note.value and "outside-folder" in form.file.finder.note.value
    assert form.file.finder.choice.options == ()


def test_the_import_preview_into_a_database_says_it_met_its_rows(tmp_path: Path) -> None:
    from toolkit.widgets.merge_form import FROM_ROWS

    form = MergeForm(session=Session())
    deliver(form.wallet.upload, DB)
    form.imported.path.value = str(older_backup(tmp_path))
    preview = form.run(wallet_password=PASSWORD, imported_password="Older-Backup-1")
    assert preview is not None and preview.from_database_rows, form.status.value
    assert any(FROM_ROWS in getattr(w, "value", "") for w in form.results.children)


def _flip(data: bytes, page_number: int) -> bytes:
    """``data`` with one byte of a page changed (scripts/walletdb-fixtures/damage.py's ``flip``)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("damage", ROOT / "scripts" / "walletdb-fixtures" / "damage.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.flip(data, page_number)


def test_salvage_a_damaged_database_handed_over_by_open(tmp_path: Path) -> None:
    from toolkit.ops.salvage_db import salvage_database

    damaged = tmp_path / "concordium-desktop-wallet-database.sqlite3"
    damaged.write_bytes(_flip(WITH_HISTORY.read_bytes(), 14))  # the transactions leaf
    expected = salvage_database(damaged, PASSWORD)
    session = Session()
    opener, salvager = OpenForm(session=session), SalvageForm(session=session)
    deliver(opener.file.upload, damaged)
    assert opener.run(password=PASSWORD) is None and opener.error.code == "damaged"
    result = salvager.run()  # the file and its password handed over by the Open form
    assert result is not None, salvager.status.value
    assert result.bad_pages == (14,) and not result.intact
    assert "page 14 failed its check" in salvager.status.value and "ctk-warning" in salvager.status.value
    table = salvager.recovered.set_index("table")
    assert dict(table["recovered"]) == expected.recovered
    assert [t for t, r in expected.lost.items() if r] == ["transactions"]
    assert table.loc["transactions", "lost pages"] == "14" and table.loc["transactions", "recovered"] == 0
    assert table.loc["accounts", "lost pages"] == "" and table.loc["accounts", "recovered"] == 6
    assert salvager.backup.counts() == expected.backup.counts()
    export = ExportForm(session=session)
    assert "(salvaged" in export.picker.dropdown.label
    assert salvager.describe().startswith("recovered ")


def test_salvage_an_intact_database_by_path() -> None:
    form = SalvageForm(session=Session())
    form.file.path.value = str(DB)
    result = form.run(password=PASSWORD)
    assert result is not None and result.intact, form.status.value
    assert "intact: every row recovered" in form.status.value
    assert form.backup.document == open_backup(DB, PASSWORD).document


def test_a_found_path_is_shown_neutralised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "cfg\u202egpj.exe\x1b[31m"  # a folder name with a bidi override and a terminal escape
    (config / "Concordium Wallet").mkdir(parents=True)
    shutil.copyfile(DB, config / "Concordium Wallet" / DATABASE_FILE)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.setattr("sys.platform", "linux")
    finder = OpenForm(session=Session()).file.finder
    [found] = finder.search()
    label, value = finder.choice.options[1]
    assert (
        "\u202e" not in label
        and "\x1b" not in label
        and value == found.path == str(config / "Concordium Wallet" / DATABASE_FILE)
    )
    finder.choice.index = 1
    assert finder.source.path.value == found.path  # the real path reaches the field
