"""The wallet's own database in the forms, end to end in Chromium (issue 24): uploaded into the support desk as a
page served to others (Voilà, page mode) — Open shows its history tables, Compare finds what an older backup
lacks, Export's download opens as the backup the wallet would write — with no "Find the wallet's database" on
that page; and in JupyterLab (a person's own notebook, paths allowed) the button lists the database in the
wallet's folder, the user picks it, and it opens."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from toolkit import open_backup
from toolkit.format.container import encrypt
from toolkit.format.jsonio import dumps_js
from toolkit.ops.find_db import DATABASE_FILE

from ..conftest import ROOT
from .test_browser import NEEDS_CHROMIUM, PAGE_TIMEOUT_MS, lab_argv, playwright_api, serve
from .test_browser_desk import button, export_and_download, form, no_secret_on_page, press, type_into, upload

pytestmark = [pytest.mark.timeout(300), NEEDS_CHROMIUM]
expect = playwright_api.expect

FIXTURES = ROOT / "tests" / "walletdb"
DB = FIXTURES / "history.sqlite3"  # made by the wallet's own code, with transactions, proposals, settings
PASSWORD = "Wallet-DB-2026"
NEW_PASSWORD = "Desk-New-Pass-2026"  # what export_and_download types
FIND = "Find the wallet's database"


@pytest.fixture(scope="module")
def desk_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``concordium-backup desk`` (page mode) from an empty folder, as docs/NOTEBOOKS.md says."""
    work = tmp_path_factory.mktemp("voila-desk-db")
    with serve(work, ["toolkit", "desk", "--port={port}"], cwd=work) as url:
        yield url


def older_backup(folder: Path) -> Path:
    """The backup made before the newest account: the database's export less its first account."""
    document = dict(open_backup(DB, PASSWORD).document)
    document["accounts"] = document["accounts"][1:]
    path = folder / "wallet-export.json"
    path.write_bytes(encrypt(dumps_js(document), "Older-Backup-1", iterations=1000))
    return path


def test_desk_page_opens_compares_and_reexports_an_uploaded_database(desk_url: str, page, tmp_path: Path) -> None:
    expected = open_backup(DB, PASSWORD)
    (tmp_path / "export").mkdir()
    page.goto(desk_url)
    expect(form(page, "Export with a new password")).to_be_visible(timeout=PAGE_TIMEOUT_MS)
    expect(page.locator(".ctk-desk")).to_be_visible()
    assert page.locator("button", has_text=FIND).count() == 0  # a served page shows no path of the server

    opener = form(page, "Open a backup")
    upload(page, opener, "backup", DB)
    type_into(opener, "the backup's password", PASSWORD)
    press(opener, "Open")
    expect(opener.locator(".ctk-ok")).to_contain_text("Desktop Wallet database")
    expect(opener.locator(".ctk-ok")).to_contain_text("6 accounts")
    transactions = len(expected.tables()["transactions"])
    tab = opener.locator(".lm-TabBar-tab", has_text=f"transactions ({transactions})")
    expect(tab).to_be_visible()
    tab.click()
    expect(opener.locator(".ctk-table:visible").last.locator("tbody tr")).to_have_count(transactions)
    for name in ("multiSignatureProposals", "decryptedAmounts", "settings", "preferences"):
        expect(opener.locator(".lm-TabBar-tab", has_text=f"{name} (")).to_be_visible()

    saved = export_and_download(page, tmp_path / "export", "#1 history.sqlite3 (opened)")
    assert saved.name == "wallet-export.json"
    again = open_backup(saved, NEW_PASSWORD)
    assert again.kind == "desktop-wallet" and again.document == expected.document

    diff = form(page, "Compare two backups")
    upload(page, diff, "older backup", older_backup(tmp_path))
    type_into(diff, "the older backup's password", "Older-Backup-1")
    upload(page, diff, "newer backup", DB)
    type_into(diff, "the newer backup's password", PASSWORD)
    press(diff, "Compare")
    expect(diff.locator(".ctk-ok")).to_contain_text("1 added, 0 removed, 0 changed")
    expect(diff.locator("table.ctk-changes")).to_contain_text(expected.document["accounts"][0]["address"])

    no_secret_on_page(page, PASSWORD, NEW_PASSWORD)


# ------------------------------------------------------------------ JupyterLab: paths allowed, the button offered


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """JupyterLab over a folder holding one notebook (an Open form, no page mode), with this machine's wallet
    folder (``$XDG_CONFIG_HOME``) holding the database as the mainnet wallet keeps it."""
    work = tmp_path_factory.mktemp("lab-db")
    notebooks = work / "notebooks"
    notebooks.mkdir()
    cell = {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
            "source": "from toolkit.widgets import OpenForm\nOpenForm()"}  # fmt: skip
    kernel = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb = {"cells": [cell], "metadata": {"kernelspec": kernel}, "nbformat": 4, "nbformat_minor": 5}
    (notebooks / "open-db.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    config = work / "xdg"
    (config / "Concordium Wallet").mkdir(parents=True)
    found = config / "Concordium Wallet" / DATABASE_FILE
    shutil.copyfile(DB, found)
    argv = [a for a in lab_argv() if not a.startswith(("--ServerApp.root_dir=", "--config="))]
    argv += [f"--ServerApp.root_dir={notebooks}", f"--config={ROOT / 'jupyter_server_config.json'}"]
    with serve(work, argv, env={"XDG_CONFIG_HOME": str(config)}) as url:
        yield url, found


def test_lab_finds_the_wallets_database_and_opens_the_picked_one(lab, page) -> None:
    url, found = lab
    page.goto(url + "lab/tree/open-db.ipynb")
    expect(page.locator(".jp-Notebook")).to_be_visible(timeout=PAGE_TIMEOUT_MS)
    expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible(timeout=PAGE_TIMEOUT_MS)
    news = page.get_by_role("button", name="No", exact=True)
    if news.count():
        news.first.click()
    cell = page.locator(".jp-CodeCell .jp-InputArea-editor").first
    opener = form(page, "Open a backup")
    for _attempt in range(3):  # a keystroke sent while Lab still connects the kernel is lost: press again
        cell.click()
        page.keyboard.press("Control+Enter")
        try:
            expect(opener).to_be_visible(timeout=20_000)
            break
        except AssertionError:
            continue
    expect(opener).to_be_visible(timeout=PAGE_TIMEOUT_MS)

    press(opener, FIND)
    expect(opener.locator(".ctk-found-note")).to_contain_text("1 wallet database on this machine")
    choice = opener.locator(".ctk-found-db select")
    expect(choice.locator("option")).to_have_count(2)  # "pick one", then the database found
    label = choice.locator("option").nth(1).inner_text().replace("\xa0", " ")  # the widget shows spaces as nbsp
    assert label.startswith("mainnet · 167,936 bytes · modified ") and label.endswith(str(found)), label
    choice.select_option(index=1)
    expect(opener.locator('input[placeholder^="path on this machine"]')).to_have_value(str(found))
    type_into(opener, "the backup's password", PASSWORD)
    press(opener, "Open")
    expect(opener.locator(".ctk-ok")).to_contain_text(f"{DATABASE_FILE}: Desktop Wallet database")
    expect(opener.locator(".lm-TabBar-tab", has_text="transactions (")).to_be_visible()
    assert button(opener, FIND).count() == 1
    no_secret_on_page(page, PASSWORD)
