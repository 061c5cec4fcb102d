"""The support-desk journeys of issue 10, end to end in Chromium, driving only the page.

``notebooks/app-desk.ipynb`` (every form, one session of backups) is served
by ``concordium-backup desk`` (Voilà) from an empty folder, as docs/NOTEBOOKS.md says; every test loads a
fresh page (a fresh kernel).  Uploads go through the browser's file chooser,
passwords are typed, files come back as browser downloads and are opened with
the library.  ``CONCORDIUM_SCREENSHOTS=docs`` keeps each journey's end as
``docs/journey-*.png``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import DESKTOP, ROOT, SAMPLES, make_file, sample_password
from tests.skins.test_browser import (
    NEEDS_CHROMIUM,
    PAGE_TIMEOUT_MS,
    free_port,
    playwright_api,
    serve,
    small_png,
)
from toolkit import open_backup
from toolkit.format.container import MAX_FILE_SIZE
from toolkit.format.jsonio import dumps_js
from toolkit.ops.salvage import salvage
from toolkit.testing import synthetic
from toolkit.widgets.common import size_text

LATER = SAMPLES / "wallet-export-later.json"
BITROT = SAMPLES / "wallet-export-bitrot.json"
FORGOTTEN = SAMPLES / "wallet-export-forgotten.json"
CANDIDATES = SAMPLES / "forgotten-candidates.txt"
NEW_PASSWORD = "Desk-New-Pass-2026"

pytestmark = [pytest.mark.timeout(300), NEEDS_CHROMIUM]
expect = playwright_api.expect


#: The Ledger simulator's port, allowed by the desk's operator (the page has no connection field of its own).
LEDGER_PORT = free_port()


@pytest.fixture(scope="module")
def desk_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``concordium-backup desk`` from an empty folder: no voila.json, the command sets the upload limit
    (the 30 MB upload below would lose the kernel's connection otherwise)."""
    env = {"CONCORDIUM_DESK_LEDGER": f"127.0.0.1:{LEDGER_PORT}"}
    work = tmp_path_factory.mktemp("voila-desk")
    with serve(work, ["toolkit", "desk", "--port={port}"], env=env, cwd=work) as url:  # its URL has the token
        yield url


# ------------------------------------------------------------------ page helpers
def form(page, title: str):
    """The form whose heading is ``title``."""
    return page.locator(".ctk-form", has=page.locator("h3", has_text=title))


def open_desk(page, url: str) -> None:
    page.goto(url)
    expect(form(page, "Export with a new password")).to_be_visible(timeout=PAGE_TIMEOUT_MS)


def upload(page, where, label: str, path: Path) -> None:
    """Choose ``path`` with the upload button labelled ``Upload <label>`` (through the browser's file chooser)."""
    button = where.locator("button.widget-upload", has_text=f"Upload {label}")
    with page.expect_file_chooser() as chooser:
        button.click()
    chooser.value.set_files(str(path))
    expect(where.locator("button.widget-upload", has_text=path.name)).to_be_visible(timeout=60_000)  # its name


def type_into(where, placeholder: str, text: str) -> None:
    where.locator(f'input[placeholder="{placeholder}"]').fill(text)


def button(where, name: str):
    """The widget button whose text is exactly ``name``."""
    return where.locator("button.widget-button", has_text=re.compile(rf"^\s*{re.escape(name)}\s*$"))


def press(where, name: str) -> None:
    button(where, name).click()


def export_and_download(page, tmp_path: Path, will_write: str) -> Path:
    """In the Export form: check what it says it will write, type the new password twice, export, download."""
    export = form(page, "Export with a new password")
    expect(export.locator(".ctk-will")).to_contain_text(f"Export will write: {will_write}")
    type_into(export, "at least 6 characters", NEW_PASSWORD)
    type_into(export, "the same password again", NEW_PASSWORD)
    press(export, "Export")
    expect(export.locator(".ctk-ok")).to_contain_text("ready")
    with page.expect_download() as download:
        download_button(export, "Download").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    return target


def download_button(where, label: str):
    """The download button (sent when clicked) whose label starts with ``label``."""
    return where.locator("button.ctk-download-button", has_text=label).first


def keep_screenshot(where, tmp_path: Path, name: str) -> None:
    shot = tmp_path / name
    where.screenshot(path=str(shot))
    assert shot.stat().st_size > 5_000
    if os.environ.get("CONCORDIUM_SCREENSHOTS"):
        small_png(shot, ROOT / os.environ["CONCORDIUM_SCREENSHOTS"] / name)


def no_secret_on_page(page, *secrets: str) -> None:
    content = page.content()
    for secret in secrets:
        assert secret not in content
    assert "Traceback" not in content


def salvage_bitrot(page):
    """Salvage the bit-rot sample in the Salvage form (upload, password, button); the form, once it says so."""
    salvage_form = form(page, "Salvage a damaged backup")
    upload(page, salvage_form, "damaged backup", BITROT)
    type_into(salvage_form, "the backup's password", sample_password(BITROT))
    press(salvage_form, "Salvage")
    expect(salvage_form.locator(".ctk-warning").first).to_contain_text("recovered")
    return salvage_form


# ------------------------------------------------------------------ journeys
def test_damaged_file_salvage_export_download_opens(desk_url: str, page, tmp_path: Path) -> None:
    expected = salvage(BITROT, sample_password(BITROT)).backup.counts()
    open_desk(page, desk_url)
    salvage_form = salvage_bitrot(page)

    saved = export_and_download(page, tmp_path, "#1 wallet-export-bitrot.json (salvaged")
    assert saved.name == "wallet-export-bitrot-new.json"
    reopened = open_backup(saved, NEW_PASSWORD)
    assert reopened.counts() == expected and expected["accounts"]
    no_secret_on_page(page, sample_password(BITROT), NEW_PASSWORD)
    keep_screenshot(form(page, "Export with a new password"), tmp_path, "journey-salvage-export.png")

    # the salvaged table downloads as CSV, every cell inert
    with page.expect_download() as download:
        download_button(salvage_form, "CSV of salvage").click()
    assert download.value.suggested_filename == "wallet-export-bitrot-salvage.csv"
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("table,")


def test_forgotten_password_recovery_export_download_opens(desk_url: str, page, tmp_path: Path) -> None:
    open_desk(page, desk_url)
    recovery = form(page, "Recover a forgotten password")
    upload(page, recovery, "locked backup", FORGOTTEN)
    upload(page, recovery, "candidates", CANDIDATES)
    press(recovery, "Start")
    expect(recovery.locator(".ctk-ok")).to_contain_text("Found the password", timeout=120_000)

    saved = export_and_download(page, tmp_path, "#1 wallet-export-forgotten.json (password recovered)")
    original = open_backup(FORGOTTEN, sample_password(FORGOTTEN))
    assert open_backup(saved, NEW_PASSWORD).document == original.document
    no_secret_on_page(page, sample_password(FORGOTTEN), NEW_PASSWORD)
    keep_screenshot(recovery, tmp_path, "journey-recovery.png")


def test_a_recovered_backup_is_opened_in_open_and_its_tables_shown(desk_url: str, page, tmp_path: Path) -> None:
    open_desk(page, desk_url)
    recovery = form(page, "Recover a forgotten password")
    upload(page, recovery, "locked backup", FORGOTTEN)
    upload(page, recovery, "candidates", CANDIDATES)
    press(recovery, "Start")
    expect(recovery.locator(".ctk-ok")).to_contain_text("Found the password", timeout=120_000)

    opener = form(page, "Open a backup")
    label = "#1 wallet-export-forgotten.json (password recovered)"
    opener.locator("select").select_option(label=label)  # no upload, no password: from the page's list
    press(opener, "Open")
    original = open_backup(FORGOTTEN, sample_password(FORGOTTEN))
    accounts = len(original.records("accounts"))
    expect(opener.locator(".ctk-ok")).to_contain_text(f"{accounts} accounts")
    expect(opener.locator(".lm-TabBar-tab.lm-mod-current")).to_contain_text(f"accounts ({accounts})")
    expect(opener.locator(".ctk-table:visible").last).to_contain_text(original.records("accounts")[0]["name"])
    expect(opener.locator(".ctk-error")).to_have_count(0)
    no_secret_on_page(page, sample_password(FORGOTTEN))
    keep_screenshot(opener, tmp_path, "journey-open-recovered.png")


def test_a_double_click_on_open_runs_once_and_lists_once(desk_url: str, page, tmp_path: Path) -> None:
    open_desk(page, desk_url)
    opener = form(page, "Open a backup")
    upload(page, opener, "backup", DESKTOP)
    type_into(opener, "the backup's password", sample_password(DESKTOP))
    button(opener, "Open").dblclick()
    expect(opener.locator(".ctk-ok")).to_contain_text("12 accounts")
    page.wait_for_timeout(1_000)  # a second run would answer within this
    expect(opener.locator(".ctk-error")).to_have_count(0)  # no "No password was typed" over the result
    expect(opener.locator(".ctk-ok")).to_contain_text("12 accounts")
    audit = form(page, "Audit a backup")
    options = audit.locator("select").first.locator("option")
    expect(options.filter(has_text="wallet-export.json (opened)")).to_have_count(1)


def test_diff_then_import_preview_then_export_of_the_merged_wallet(desk_url: str, page, tmp_path: Path) -> None:
    open_desk(page, desk_url)
    diff = form(page, "Compare two backups")
    upload(page, diff, "older backup", DESKTOP)
    type_into(diff, "the older backup's password", sample_password(DESKTOP))
    upload(page, diff, "newer backup", LATER)
    type_into(diff, "the newer backup's password", sample_password(LATER))
    press(diff, "Compare")
    expect(diff.locator(".ctk-ok")).to_contain_text("added")
    expect(diff.locator("table.ctk-changes tbody tr").first).to_be_visible()
    expect(diff.locator("table.ctk-changes")).to_contain_text("Opsparing 2")  # names next to the keys
    keep_screenshot(diff, tmp_path, "journey-diff.png")

    merge = form(page, "Preview an import")
    upload(page, merge, "wallet's backup (A)", DESKTOP)
    type_into(merge, "the wallet backup's password", sample_password(DESKTOP))
    upload(page, merge, "backup to import (B)", LATER)
    type_into(merge, "the imported backup's password", sample_password(LATER))
    press(merge, "Preview import")
    expect(merge.locator(".ctk-ok")).to_contain_text("goes through")

    saved = export_and_download(page, tmp_path, "#3 wallet-export.json + wallet-export-later.json (merged")
    merged = open_backup(saved, NEW_PASSWORD)
    assert len(merged.records("accounts")) == 13
    no_secret_on_page(page, sample_password(DESKTOP), sample_password(LATER), NEW_PASSWORD)
    keep_screenshot(merge, tmp_path, "journey-merge.png")


def test_older_and_newer_of_one_wallet_take_the_way_out_to_an_importable_export(
    desk_url: str, page, tmp_path: Path
) -> None:
    from tests.model.test_leave_out import identity_key, newer, older
    from toolkit.ops.merge import empty_wallet, preview_import

    older_file, newer_file = tmp_path / "wallet-older.json", tmp_path / "wallet-newer.json"
    older_file.write_bytes(make_file(dumps_js(older()), "one-wallet-pw"))
    newer_file.write_bytes(make_file(dumps_js(newer()), "one-wallet-pw"))
    key = identity_key(newer(), 1)
    open_desk(page, desk_url)
    merge = form(page, "Preview an import")
    upload(page, merge, "wallet's backup (A)", older_file)
    type_into(merge, "the wallet backup's password", "one-wallet-pw")
    upload(page, merge, "backup to import (B)", newer_file)
    type_into(merge, "the imported backup's password", "one-wallet-pw")
    press(merge, "Preview import")
    expect(merge.locator(".ctk-error").last).to_contain_text(f"leave out identity {key}".capitalize())
    assert "see the import preview" not in merge.inner_text()
    choice = merge.locator(".ctk-leave-out label", has_text=key)
    expect(choice).to_be_visible()
    expect(merge.locator("label", has_text="Import B alone into a new, empty wallet")).to_be_visible()
    keep_screenshot(merge, tmp_path, "journey-merge-way-out.png")
    choice.locator("input[type=checkbox]").check()
    type_into(merge, "the wallet backup's password", "one-wallet-pw")
    type_into(merge, "the imported backup's password", "one-wallet-pw")
    press(merge, "Preview import")
    expect(merge.locator(".ctk-ok")).to_contain_text("goes through")

    saved = export_and_download(page, tmp_path, "#3 wallet-older.json + wallet-newer.json (merged")
    merged = open_backup(saved, NEW_PASSWORD)
    # B's version of the record was left out: the wallet keeps A's (still pending)
    assert merged.records("identities")[1]["status"] == "pending" and identity_key(merged.document, 1) == key
    assert preview_import(empty_wallet(merged), merged).ok  # the export is a file the wallet imports
    no_secret_on_page(page, "one-wallet-pw", NEW_PASSWORD)


def test_ledger_check_against_the_salvaged_backup(desk_url: str, page, tmp_path: Path) -> None:
    from tests.ledger_sim import LedgerSim, SimConfig

    owner = salvage(BITROT, sample_password(BITROT)).backup.records("wallets")[0]["identifier"]
    open_desk(page, desk_url)
    salvage_bitrot(page)

    ledger = form(page, "Check the Ledger")
    expect(ledger.locator(".ctk-will")).to_contain_text("Compare with: #1 wallet-export-bitrot.json (salvaged")
    with LedgerSim(SimConfig(app="Concordium", version="4.0.0", pairing_key=owner), port=LEDGER_PORT) as sim:
        # page mode: no address field, only the operator's list
        assert ledger.locator('input[placeholder^="empty for USB"]:visible').count() == 0
        ledger.locator(".ctk-ledger-choice select").select_option(label=sim.address)
        press(ledger, "Check Ledger")
        expect(ledger.locator(".ctk-ok")).to_contain_text("ready — The Concordium app")
    expect(ledger.locator(".ctk-pairs")).to_contain_text("yes: wallet")
    keep_screenshot(ledger, tmp_path, "journey-ledger.png")


def test_a_30_mb_backup_uploads_and_opens(desk_url: str, page, tmp_path: Path) -> None:
    doc = synthetic.large_desktop_document(accounts=20_000, credentials=20_000, address_book=30_000, seed=3)
    big = tmp_path / "wallet-export-big.json"
    big.write_bytes(make_file(dumps_js(doc), "big-file-password"))
    size = big.stat().st_size
    assert 28_000_000 < size < MAX_FILE_SIZE, size
    open_desk(page, desk_url)
    opener = form(page, "Open a backup")
    expect(opener.locator(".ctk-limit")).to_contain_text(f"up to {size_text(MAX_FILE_SIZE)}")
    upload(page, opener, "backup", big)
    type_into(opener, "the backup's password", "big-file-password")
    press(opener, "Open")
    expect(opener.locator(".ctk-ok")).to_contain_text(f"{len(doc['accounts']):,} accounts", timeout=120_000)
    expect(opener.locator(".ctk-capped").first).to_contain_text("downloads below hold every row")


def test_long_work_says_working_at_once_and_stops(desk_url: str, page, tmp_path: Path) -> None:
    open_desk(page, desk_url)
    recovery = form(page, "Recover a forgotten password")
    upload(page, recovery, "locked backup", FORGOTTEN)
    recovery.locator("textarea").nth(1).fill("+ alpha beta gamma delta epsilon zeta\n+ 19%d%d 20%d%d\n%d%d ! ? #")
    recovery.get_by_label("Start even if it may take more than an hour").check()  # a long search, knowingly
    press(recovery, "Start")
    expect(recovery.locator(".ctk-working")).to_contain_text("Working…", timeout=1_000)
    stop = button(recovery, "Stop")
    expect(stop).to_be_enabled(timeout=1_000)
    expect(button(recovery, "Start")).to_be_disabled()
    # the kernel answers while the search runs: another form works meanwhile
    opener = form(page, "Open a backup")
    press(opener, "Open")  # nothing chosen: said at once
    expect(opener.locator(".ctk-error")).to_contain_text("cannot-read", timeout=5_000)
    stop.click()
    expect(recovery.locator(".ctk-warning")).to_contain_text(
        re.compile(r"Stopped (after|while counting|before the search began)"), timeout=10_000
    )
    expect(recovery.locator("button.widget-button", has_text=re.compile(r"^\s*(Start|Continue)\s*$"))).to_be_enabled()
    expect(stop).to_be_disabled()
    keep_screenshot(recovery, tmp_path, "journey-long-work.png")


def test_recovery_a_refused_start_asks_again_and_the_same_search_continues_after_stop(
    desk_url: str, page, tmp_path: Path
) -> None:
    """Issue 20, finding 6: a Start refused for a confirmation keeps the token lines on the page and asks again
    (it never searches what the page no longer shows); after Stop, the same candidates typed again continue."""
    open_desk(page, desk_url)
    recovery = form(page, "Recover a forgotten password")
    upload(page, recovery, "locked backup", FORGOTTEN)
    tokens = recovery.locator("textarea").nth(1)
    long_tokens = "+ alpha beta gamma delta epsilon zeta\n+ 19%d%d 20%d%d\n%d%d ! ? #"
    tokens.fill(long_tokens)
    press(recovery, "Start")
    expect(recovery.locator(".ctk-error")).to_contain_text("confirm-needed", timeout=60_000)
    expect(tokens).to_have_value(long_tokens)  # nothing hidden
    expect(recovery.locator(".ctk-searching")).to_contain_text("Would search wallet-export-forgotten.json: 3 token")
    stop = button(recovery, "Stop")
    press(recovery, "Start")  # again, unticked: asked again, nothing starts
    expect(recovery.locator(".ctk-error")).to_contain_text("confirm-needed")
    expect(tokens).to_have_value(long_tokens)
    expect(button(recovery, "Start")).to_be_enabled()
    expect(stop).to_be_disabled()

    # a search under an hour: 40 typed candidates with one typo each
    guesses = "".join(f"guess-number-{n:03d}\n" for n in range(40))
    tokens.fill("")
    words = recovery.locator("textarea").nth(0)
    words.fill(guesses)
    press(recovery, "Start")
    expect(stop).to_be_enabled(timeout=30_000)
    expect(recovery.locator(".ctk-searching")).to_contain_text("Searching wallet-export-forgotten.json: 40 typed")
    expect(words).to_have_value("")  # the candidates left the page; the line says what is searched
    expect(recovery).to_contain_text(re.compile(r"[1-9][\d,]* of [\d,]+ tried"), timeout=90_000)
    stop.click()
    stopped = recovery.locator(".ctk-warning", has_text="Stopped after")
    expect(stopped).to_be_visible(timeout=30_000)
    first = int(re.search(r"Stopped after ([\d,]+) of", stopped.inner_text()).group(1).replace(",", ""))

    words.fill(guesses)  # the same definition typed again: it continues where it stopped
    press(recovery, "Start")
    expect(recovery.locator(".ctk-searching")).to_contain_text("Continuing wallet-export-forgotten.json: 40 typed")
    expect(stop).to_be_enabled(timeout=30_000)
    stop.click()
    expect(stop).to_be_disabled(timeout=30_000)
    expect(stopped).to_be_visible(timeout=30_000)
    second = int(re.search(r"Stopped after ([\d,]+) of", stopped.inner_text()).group(1).replace(",", ""))
    assert second >= first, (first, second)
    expect(recovery.locator(".ctk-error")).to_have_count(0)


def test_the_session_list_survives_a_wrong_password_and_audits(desk_url: str, page, tmp_path: Path) -> None:
    """Open → Audit picks the opened backup from the session (no file, no password); its findings download."""
    open_desk(page, desk_url)
    opener = form(page, "Open a backup")
    upload(page, opener, "backup", DESKTOP)
    type_into(opener, "the backup's password", sample_password(DESKTOP))
    press(opener, "Open")
    expect(opener.locator(".ctk-ok")).to_contain_text("12 accounts")
    audit = form(page, "Audit a backup")
    audit.locator("select").select_option(label="#1 wallet-export.json (opened)")
    press(audit, "Audit")
    expect(audit.locator(".ctk-message").first).to_contain_text("wallet-export.json")
    expect(audit.locator('input[placeholder^="report.html"]:visible')).to_have_count(0)  # page mode: no path
    with page.expect_download() as download:
        download_button(audit, "HTML report").click()
    assert download.value.suggested_filename == "wallet-export-audit-report.html"
    report = Path(download.value.path()).read_text(encoding="utf-8")
    assert "<html" in report.lower() and sample_password(DESKTOP) not in report
    keep_screenshot(audit, tmp_path, "journey-audit.png")


def test_a_file_over_the_limit_is_refused_in_the_page_before_it_is_sent(desk_url: str, page, tmp_path: Path) -> None:
    """A 200 MB file (over the limit, and over the server's 128 MiB message size) is refused at once, in the
    form, by name and size; nothing is sent, the kernel stays connected, and a normal backup still opens."""
    name = "huge-<img src=x onerror=alert(1)>-\u202egnp.json"  # a hostile name: markup and a bidi override
    huge = tmp_path / name
    huge.touch()
    os.truncate(huge, 200 * 1024 * 1024)  # sparse: takes no disk
    size = huge.stat().st_size
    assert size > 128 * 1024 * 1024 > MAX_FILE_SIZE
    sent: list[int] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(len(frame))))
    open_desk(page, desk_url)
    opener = form(page, "Open a backup")
    with page.expect_file_chooser() as chooser:
        opener.locator("button.widget-upload", has_text="Upload backup").click()
    chooser.value.set_files(str(huge))

    refusal = opener.locator(".ctk-refusal .ctk-error")
    expect(refusal).to_contain_text("was not uploaded", timeout=5_000)
    text = refusal.inner_text()
    assert "huge-<img src=x onerror=alert(1)>-\\u202egnp.json was not uploaded." in text  # shown as text
    assert f"The file is {size:,} bytes ({size_text(size)}), more than the {MAX_FILE_SIZE:,}" in text
    assert "check that this is the right file" in text and "(code: too-large)" in text
    assert "\u202e" not in text and opener.locator("img").count() == 0
    assert max(sent, default=0) < 1024 * 1024  # no websocket frame carried the file
    expect(opener.locator("button.widget-upload")).to_contain_text("Upload backup (0)")
    # the button's front-end came from the server: nothing but Voila's own font-icon CSS tried to leave
    assert [u for u in page.blocked if "fontawesome" not in u] == []
    keep_screenshot(opener, tmp_path, "journey-too-large.png")

    # pressing Open says it again (not "nothing chosen"); the kernel answers
    type_into(opener, "the backup's password", sample_password(DESKTOP))
    press(opener, "Open")
    expect(opener.locator(".ctk-error", has_text="Could not open")).to_contain_text("too-large")
    # another form works: the connection to the kernel is alive
    diff = form(page, "Compare two backups")
    press(diff, "Compare")  # nothing chosen
    expect(diff.locator(".ctk-error")).to_contain_text("cannot-read", timeout=5_000)
    # and a backup within the limit uploads and opens in the same form; the refusal is gone
    upload(page, opener, "backup", DESKTOP)
    expect(refusal).to_have_count(0)
    press(opener, "Open")
    expect(opener.locator(".ctk-ok")).to_contain_text("12 accounts")
