"""The notebook forms, driven as a person would: set the widgets' values, click the button, read what shows.

No kernel is needed: ipywidgets works without a front-end, and an upload is
delivered through ``set_state`` exactly as the browser delivers it (a list of
dicts whose ``content`` arrives as a memoryview).
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import ipywidgets as widgets
import pandas as pd
import pytest
from ipywidgets.embed import embed_data

from tests.conftest import SAMPLES
from toolkit import errors, open_backup
from toolkit.widgets import OpenForm

DESKTOP = SAMPLES / "wallet-export.json"
LEGACY = SAMPLES / "concordium-backup.concordiumwallet"
OLD = SAMPLES / "wallet-export-old.json"
DAMAGED = SAMPLES / "wallet-export-damaged.json"


def sample_password(path: Path) -> str:
    """The first line of the ``.password`` file beside a sample (as the notebooks read it)."""
    name = path.name.rsplit(".", 1)[0]
    return (SAMPLES / f"{name}.password").read_text(encoding="utf-8").splitlines()[0]


ALL_PASSWORDS = sorted({line for p in SAMPLES.glob("*.password") for line in p.read_text("utf-8").splitlines()[:1]})


def deliver_upload(upload: widgets.FileUpload, path: Path, name: str | None = None) -> None:
    """What the browser sends when a file is chosen: the bytes arrive as a memoryview."""
    data = path.read_bytes()
    upload.set_state(
        {
            "value": [
                {
                    "name": name or path.name,
                    "type": "application/json",
                    "size": len(data),
                    "content": memoryview(data),
                    "last_modified": 1_700_000_000_000,
                }
            ]
        }
    )


def widget_state_text(form: widgets.Widget) -> str:
    """Everything the front-end would hold for ``form`` and the widgets inside it, as text."""
    return json.dumps(embed_data(views=[form])["manager_state"], default=str, ensure_ascii=False)


def visible_text(form: widgets.Widget) -> str:
    """The form's status and results as text (HTML tags dropped), as far as HTML widgets hold them."""
    parts: list[str] = []

    def walk(w: widgets.Widget) -> None:
        if isinstance(w, widgets.HTML):
            parts.append(w.value)
        for child in getattr(w, "children", ()):
            walk(child)

    walk(form)
    return re.sub(r"<[^>]+>", " ", " ".join(parts))


def assert_no_secret(form: widgets.Widget, *secrets: str) -> None:
    text = widget_state_text(form) + repr(form) + str(form.error or "")
    for secret in secrets or ALL_PASSWORDS:
        assert secret not in text


# ------------------------------------------------------------------ Open


def test_open_by_path_shows_summary_and_tables_and_clears_the_password() -> None:
    form = OpenForm()
    form.file.path.value = str(DESKTOP)
    form.password.value = sample_password(DESKTOP)
    form.button.click()
    form.wait()

    assert form.error is None
    assert form.password.value == ""
    assert form.backup is not None and form.backup.kind == "desktop-wallet"
    assert form.name == "wallet-export.json"
    assert set(form.tables) >= {"accounts", "identities", "addressBook", "credentials", "wallets"}
    assert len(form.tables["accounts"]) == 12
    assert isinstance(form.summary, pd.DataFrame) and form.summary.loc["network", "value"] == "mainnet"
    assert "12 accounts" in form.status.value and "mainnet" in form.status.value

    tab = form.results.children[-1]
    assert isinstance(tab, widgets.Tab)
    assert tab.titles[tab.selected_index] == "accounts (12)"
    accounts_html = tab.children[tab.selected_index].children[0].value
    for name in form.tables["accounts"]["name"]:
        assert str(name) in accounts_html
    assert "<table" in accounts_html
    assert repr(form) == "<OpenForm: opened wallet-export.json: desktop-wallet, mainnet>"
    assert_no_secret(form)


def test_open_an_upload_whose_content_is_a_memoryview() -> None:
    form = OpenForm()
    deliver_upload(form.file.upload, DESKTOP, name="my-backup.json")
    assert isinstance(form.file.upload.value, tuple)
    assert isinstance(form.file.upload.value[0]["content"], memoryview)
    form.password.value = sample_password(DESKTOP)
    backup = form.run()

    assert backup is form.backup and backup is not None
    assert form.name == "my-backup.json"
    assert backup.counts() == open_backup(DESKTOP, sample_password(DESKTOP)).counts()
    assert "my-backup.json" in form.status.value


def test_the_file_chosen_last_counts() -> None:
    form = OpenForm()
    form.file.path.value = "somewhere/else.json"
    deliver_upload(form.file.upload, DESKTOP)
    assert form.file.path.value == ""
    assert form.file.chosen == "wallet-export.json"
    form.file.path.value = str(OLD)
    assert form.file.upload.value == ()
    assert form.file.chosen == str(OLD)


def test_wrong_password_shows_the_error_in_plain_words_and_no_table() -> None:
    form = OpenForm()
    form.file.path.value = str(DESKTOP)
    form.password.value = sample_password(DESKTOP)
    assert form.run() is not None

    form.password.value = "not-the-password"
    form.button.click()
    form.wait()

    assert form.password.value == ""
    assert isinstance(form.error, errors.WrongPasswordError)
    assert form.backup is None and form.tables == {} and form.summary is None
    assert form.results.children == ()
    text = visible_text(form)
    assert "Could not open the backup" in text
    assert "The password does not open this file" in text
    assert "wrong-password" in text
    assert "Traceback" not in text and "<table" not in form.status.value
    assert repr(form) == "<OpenForm: failed (wrong-password)>"
    assert_no_secret(form, "not-the-password", *ALL_PASSWORDS)


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        (lambda f: None, "cannot-read"),
        (lambda f: setattr(f.file.path, "value", str(DESKTOP)), "password-missing"),
        (lambda f: setattr(f.file.path, "value", "no/such/file.json"), "cannot-read"),
        (lambda f: setattr(f.file.path, "value", str(SAMPLES / "README.md")), "not-json"),
    ],
    ids=["nothing-chosen", "no-password", "missing-file", "not-a-backup"],
)
def test_mistakes_are_shown_with_their_code(setup, code: str) -> None:
    form = OpenForm()
    setup(form)
    if code != "password-missing":
        form.password.value = "whatever-password"
    assert form.run() is None
    assert form.error is not None and form.error.code == code
    assert f"(code: {code})" in form.status.value
    # nothing chosen / no such path: the typed password stays (finding 4); any other failure clears it
    assert form.password.value == ("whatever-password" if code == "cannot-read" else "")
    assert form.button.disabled is False


def test_damaged_file_says_damaged() -> None:
    form = OpenForm()
    form.file.path.value = str(DAMAGED)
    assert form.run(password=sample_password(DAMAGED)) is None
    assert form.error is not None and form.error.code in {"damaged", "not-json", "invalid-base64", "invalid-structure"}
    assert form.error.message in visible_text(form).replace("&#x27;", "'")


def test_legacy_file_has_secrets_redacted_and_the_notice_shown() -> None:
    form = OpenForm()
    form.file.path.value = str(LEGACY)
    form.run(password=sample_password(LEGACY))

    assert form.backup is not None and form.backup.is_legacy
    assert form.notices and "legacy mobile wallet" in form.notices[0]
    text = visible_text(form)
    assert "legacy mobile wallet export" in text and "redacted" in text
    # no piece of private key material reaches the widgets
    account = form.backup.records("accounts")[0]
    secret = json.dumps(account["accountKeys"])
    hexes = re.findall(r"[0-9a-f]{32,}", secret)
    assert hexes
    state = widget_state_text(form)
    for h in hexes:
        assert h not in state
    assert (form.tables["accounts"]["accountKeys"] == "‹redacted›").all()


def test_old_file_says_it_names_no_network() -> None:
    form = OpenForm()
    form.file.path.value = str(OLD)
    form.run(password=sample_password(OLD))
    assert form.backup is not None and form.backup.network == "none"
    assert "names no network" in visible_text(form)


def test_scripted_password_never_touches_the_widget() -> None:
    form = OpenForm()
    seen: list[str] = []
    form.password.observe(lambda change: seen.append(change["new"]), names="value")
    form.file.path.value = str(DESKTOP)
    assert form.run(password=sample_password(DESKTOP)) is not None
    assert sample_password(DESKTOP) not in seen


def test_an_unexpected_exception_is_one_line_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.widgets import open_form

    def broken(source, password):
        raise KeyError(f"boom {password}")

    monkeypatch.setattr(open_form, "open_backup", broken)
    form = OpenForm()
    form.file.path.value = str(DESKTOP)
    form.password.value = "secret-typed-here"
    assert form.run() is None
    assert "Internal error (KeyError)" in form.status.value
    assert "boom" not in form.status.value and "secret-typed-here" not in widget_state_text(form)
    assert form.password.value == "" and form.button.disabled is False


def test_password_for_reads_the_file_beside_the_backup_or_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from toolkit.widgets import password_for

    assert password_for(DESKTOP) == sample_password(DESKTOP)
    assert password_for(LEGACY) == sample_password(LEGACY)
    lonely = tmp_path / "mine.json"
    monkeypatch.delenv("CONCORDIUM_BACKUP_PASSWORD", raising=False)
    with pytest.raises(errors.PasswordMissingError):
        password_for(lonely)
    monkeypatch.setenv("CONCORDIUM_BACKUP_PASSWORD", "from-the-env")
    assert password_for(lonely) == "from-the-env"


# ------------------------------------------------------------------ Diff

LATER = SAMPLES / "wallet-export-later.json"


def test_diff_two_backups_coloured_and_exposed() -> None:
    from toolkit.widgets import DiffForm

    form = DiffForm()
    form.old.path.value = str(DESKTOP)
    deliver_upload(form.new.upload, LATER)
    form.old_password.value = sample_password(DESKTOP)
    form.new_password.value = sample_password(LATER)
    form.button.click()
    form.wait()

    assert form.error is None, form.status.value
    assert form.old_password.value == form.new_password.value == ""
    assert list(form.changes.columns) == ["table", "key", "name", "change", "field", "old", "new"]
    assert list(form.summary.columns) == ["added", "removed", "changed"]
    assert form.old_backup is not None and form.new_backup is not None
    renamed = form.changes[(form.changes["table"] == "accounts") & (form.changes["change"] == "changed")]
    assert len(renamed) == 1 and renamed.iloc[0]["field"] == "name"
    table_html = form.results.children[-2].value
    from toolkit.widgets.theme import ROW_TINTS

    assert f'class="ctk-added" style="background:{ROW_TINTS["added"]}"' in table_html
    assert f'class="ctk-changed" style="background:{ROW_TINTS["changed"]}"' in table_html
    assert renamed.iloc[0]["new"] in table_html
    added = int(form.summary["added"].sum())
    assert f"{added} added" in form.status.value
    assert "background-color" in form.styled().to_html()
    assert repr(form).startswith("<DiffForm: ")
    assert_no_secret(form)


def test_diff_same_password_box_and_identical_files() -> None:
    from toolkit.widgets import DiffForm

    form = DiffForm()
    form.old.path.value = str(DESKTOP)
    form.new.path.value = str(DESKTOP)
    form.same_password.value = True
    assert form.new_password.disabled
    form.old_password.value = sample_password(DESKTOP)
    result = form.run()
    assert result is not None and result.empty
    assert "hold the same records" in form.status.value
    assert form.results.children == ()


def test_diff_refuses_a_desktop_file_against_a_legacy_one_in_words() -> None:
    from toolkit.widgets import DiffForm

    form = DiffForm()
    form.old.path.value = str(DESKTOP)
    form.new.path.value = str(LEGACY)
    assert form.run(old_password=sample_password(DESKTOP), new_password=sample_password(LEGACY)) is None
    assert form.error is not None and form.error.code == "incompatible-kinds"
    assert "(code: incompatible-kinds)" in form.status.value
    assert form.changes is None and form.results.children == ()


def test_diff_wrong_second_password_names_the_form_remedy() -> None:
    from toolkit.widgets import DiffForm

    form = DiffForm()
    form.old.path.value = str(DESKTOP)
    form.new.path.value = str(LATER)
    assert form.run(old_password=sample_password(DESKTOP), new_password="nope-nope") is None
    assert form.error is not None and form.error.code == "wrong-password"
    assert "password recovery form" in form.status.value
    assert "concordium-backup" not in form.status.value


# ------------------------------------------------------------------ Export


def opened(path: Path) -> OpenForm:
    form = OpenForm()
    form.file.path.value = str(path)
    assert form.run(password=sample_password(path)) is not None
    return form


def test_export_writes_a_verified_file_that_opens_with_the_new_password(tmp_path: Path) -> None:
    from toolkit.widgets import ExportForm

    source = opened(DESKTOP)
    form = ExportForm(source)
    out = tmp_path / "new-export.json"
    form.path.value = str(out)
    form.new_password.value = form.confirm_password.value = "brand-new-pass"
    form.button.click()
    form.wait()

    assert form.error is None, form.status.value
    assert form.new_password.value == form.confirm_password.value == ""
    assert form.result is not None and form.result.verified and form.result.path == str(out)
    assert open_backup(out, "brand-new-pass").document == source.backup.document
    text = visible_text(form)
    assert "Written and verified" in text and form.result.sha256 in text
    assert_no_secret(form, "brand-new-pass")

    # again: the file exists now; the form says what to do in its own words
    form.new_password.value = form.confirm_password.value = "brand-new-pass"
    assert form.run() is None
    assert form.error is not None and form.error.code == "output-exists"
    assert "Replace an existing file" in form.status.value
    form.force.value = True
    form.new_password.value = form.confirm_password.value = "brand-new-pass"
    assert form.run() is not None


@pytest.mark.parametrize(
    ("new", "again", "code"),
    [
        ("short", "short", "password-too-short"),
        ("long-enough", "long-enougH", "password-mismatch"),
        ("", "", "password-missing"),
    ],
)
def test_export_password_rules(tmp_path: Path, new: str, again: str, code: str) -> None:
    from toolkit.widgets import ExportForm

    form = ExportForm(opened(DESKTOP))
    form.path.value = str(tmp_path / "x.json")
    form.new_password.value, form.confirm_password.value = new, again
    assert form.run() is None
    assert form.error is not None and form.error.code == code
    assert not (tmp_path / "x.json").exists()
    assert form.new_password.value == form.confirm_password.value == ""


def test_export_offers_a_download_of_a_verified_legacy_file() -> None:
    from tests.skins.test_downloads import fetch
    from toolkit.widgets import ExportForm

    source = opened(LEGACY)
    form = ExportForm(source)
    form.download.value = True
    form.new_password.value = form.confirm_password.value = "mobile-new-pass"
    assert form.run() is not None
    assert form.result is not None and form.result.path == "concordium-backup-new.concordiumwallet"
    assert form.downloads in form.results.children and "ready" in form.status.value
    messages, data = fetch(form.downloads, "file")
    assert messages[0]["filename"] == "concordium-backup-new.concordiumwallet"
    assert data == form.data
    assert "base64" not in str(form.downloads.get_state())
    again = open_backup(data, "mobile-new-pass")
    assert again.is_legacy and again.document == source.backup.document


def test_export_without_an_opened_backup_says_so() -> None:
    from toolkit.widgets import ExportForm

    form = ExportForm(OpenForm())
    form.path.value = "anything.json"
    form.new_password.value = form.confirm_password.value = "long-enough"
    assert form.run() is None
    assert form.error is not None and "No backup to write yet" in form.status.value


# ------------------------------------------------------------------ Password recovery

FORGOTTEN = SAMPLES / "wallet-export-forgotten.json"
CANDIDATES = SAMPLES / "forgotten-candidates.txt"


def test_recovery_finds_the_forgotten_password_without_showing_it() -> None:
    from toolkit.widgets import RecoveryForm

    form = RecoveryForm()
    form.file.path.value = str(FORGOTTEN)
    form.candidates_file.path.value = str(CANDIDATES)
    form.typos.value = 1
    form.workers.value = 2
    result = form.run()

    assert result is not None and result.found and result.status == "found"
    assert form.backup is not None and form.backup.counts()["accounts"] == 12
    assert "Found the password" in form.status.value
    assert form.progress.value == result.tried and form.progress.max == result.total
    assert f"of {result.total:,} tried" in form.progress_text.value
    assert form.button.disabled is False and form.stop_button.disabled is True
    secret = sample_password(FORGOTTEN)
    assert result.password == secret  # there for code ...
    assert_no_secret(form, secret)  # ... never on screen, in the widget state or the repr
    assert secret not in repr(result)
    assert repr(form) == "<RecoveryForm: found>"


def test_recovery_typed_candidates_are_cleared_and_exhaustion_is_said() -> None:
    from toolkit.widgets import RecoveryForm

    form = RecoveryForm()
    form.file.path.value = str(FORGOTTEN)
    form.words.value = "guess-number-one\nguess-number-two\n"
    form.typos.value = 0
    result = form.run()
    assert result is not None and not result.found and result.status == "exhausted" and result.total == 2
    assert form.words.value == ""
    assert "None of the 2 candidates" in form.status.value
    assert form.backup is None


def _progress_passes(form, value: int, *, timeout: float) -> bool:
    """Until the form's progress bar reports more than ``value`` tried candidates (an event, not a sleep)."""
    passed = threading.Event()

    def seen(change) -> None:
        if change["new"] > value:
            passed.set()

    form.progress.observe(seen, names="value")
    try:
        if form.progress.value > value:
            passed.set()
        return passed.wait(timeout)
    finally:
        form.progress.unobserve(seen, names="value")


def test_recovery_stop_then_continue_resumes() -> None:
    from toolkit.widgets import RecoveryForm

    form = RecoveryForm()
    form.file.path.value = str(FORGOTTEN)
    form.tokens.value = "+ alpha beta gamma delta\n+ 19%d%d 20%d%d\n! ? #"
    form.typos.value = 1
    form.confirm.value = True  # about 1.7 M candidates: longer than an hour, so it asks first
    form.run(wait=False)
    assert form.running and not form.stop_button.disabled and form.button.disabled
    assert "Working…" in form.status.value  # at once, before the candidates are even counted
    assert _progress_passes(form, 0, timeout=60), "the search reported no tried candidates within 60 s"
    form.stop_button.click()
    first = form.wait(30)
    assert first is not None and first.stopped and 0 < first.tried < first.total
    assert form.button.description == "Continue" and "Stopped after" in form.status.value
    assert form.tokens.value == ""

    form.run(wait=False)
    assert _progress_passes(form, first.tried, timeout=60), "the resumed search reported no work within 60 s"
    form.stop()
    second = form.wait(30)
    assert second is not None and second.stopped and second.resumed == first.tried and second.tried > first.tried

    form.typos.value = 0  # new inputs: the next Start is a new search
    assert form.search is None and form.button.description == "Start"


def test_recovery_problems_are_shown_in_words() -> None:
    from toolkit.widgets import RecoveryForm

    form = RecoveryForm()
    form.file.path.value = str(FORGOTTEN)
    assert form.run() is None
    assert form.error is not None and form.error.code == "invalid-candidates"
    form.words.value = "something"
    form.file.path.value = ""
    assert form.run() is None
    assert form.error is not None and form.error.code == "cannot-read"


def test_progress_line_and_eta() -> None:
    from toolkit.widgets.recovery_form import duration, progress_line

    assert progress_line(1234, 3153, 590.4) == "1,234 of 3,153 tried · 590 passwords/s · about 3 s left"
    assert progress_line(0, 10, 0.0) == "0 of 10 tried"
    assert duration(3600 * 5) == "about 5.0 h" and duration(600) == "about 10 min"


# ------------------------------------------------------------------ Ledger


def test_ledger_form_with_the_simulator_matches_the_backup() -> None:
    from tests.ledger_sim import LedgerSim, SimConfig
    from toolkit.widgets import LedgerForm

    source = opened(DESKTOP)
    key = source.backup.records("wallets")[1]["identifier"]
    with LedgerSim(SimConfig(app="Concordium", version="4.0.0", pairing_key=key)) as sim:
        form = LedgerForm(source, connection=sim.address)
        form.button.click()
        form.wait()
    assert form.state == "ready" and form.matches is True
    assert form.result is not None and form.result.to_dict()["matches_wallet"]["identifier"] == key
    text = visible_text(form)
    assert "yes: wallet 2 of the backup" in text and "Concordium 4.0.0" in text
    assert "ctk-ok" in form.status.value
    assert repr(form) == "<LedgerForm: ready, matches the backup>"


def test_ledger_form_other_ledger_dashboard_and_no_device() -> None:
    from tests.ledger_sim import LedgerSim, SimConfig
    from toolkit.widgets import LedgerForm

    source = opened(DESKTOP)
    with LedgerSim(SimConfig()) as sim:
        form = LedgerForm(source, connection=sim.address)
        form.run()
    assert form.state == "ready" and form.matches is False
    assert "ctk-warning" in form.status.value and "no: this is not the Ledger" in visible_text(form)

    with LedgerSim(SimConfig(app="BOLOS")) as sim:
        form = LedgerForm(source, connection=sim.address)
        form.run()
    assert form.state == "dashboard" and form.matches is None
    assert "Open the Concordium app" in form.status.value

    form = LedgerForm(source, connection="not an address")
    assert form.run() is None and form.error is not None and form.error.code == "ledger"


def test_ledger_form_without_a_backup_does_not_compare() -> None:
    from tests.ledger_sim import LedgerSim, SimConfig
    from toolkit.widgets import LedgerForm
    from toolkit.widgets.session import Session

    with LedgerSim(SimConfig()) as sim:
        form = LedgerForm(connection=sim.address, session=Session())
        form.run()
    assert form.state == "ready" and form.matches is None
    assert "not compared (no backup was chosen)" in visible_text(form)


def test_recovery_uploaded_candidates_leave_the_widget_state(tmp_path: Path) -> None:
    from toolkit.widgets import RecoveryForm

    guesses = tmp_path / "guesses.txt"
    guesses.write_text("\ufefffirst-guess\r\nsecond-guess\n\nthird guess \n", encoding="utf-8")
    form = RecoveryForm()
    form.file.path.value = str(FORGOTTEN)
    deliver_upload(form.candidates_file.upload, guesses)
    form.typos.value = 0
    result = form.run()
    assert result is not None and result.total == 3 and result.status == "exhausted"
    assert form.candidates_file.upload.value == ()
    assert "second-guess" not in widget_state_text(form)


# ------------------------------------------------------------------ Audit and Salvage

AUDIT_DAY = __import__("datetime").date(2026, 1, 1)


def rotted_copy(tmp_path: Path, offsets: tuple[int, ...] = (5000, 12000)) -> Path:
    """wallet-export.json with one byte flipped at each offset of its encrypted data (bit rot)."""
    import base64

    document = json.loads(DESKTOP.read_text(encoding="utf-8"))
    data = bytearray(base64.b64decode(document["cipherText"]))
    for offset in offsets:
        data[offset] ^= 0xFF
    document["cipherText"] = base64.b64encode(bytes(data)).decode("ascii")
    out = tmp_path / "wallet-export-rotted.json"
    out.write_text(json.dumps(document), encoding="utf-8")
    return out


def test_audit_findings_by_severity_and_a_report(tmp_path: Path) -> None:
    from toolkit.widgets import AuditForm

    form = AuditForm(today=AUDIT_DAY)
    form.file.path.value = str(DESKTOP)
    form.password.value = sample_password(DESKTOP)
    assert form.report_button.disabled
    form.button.click()
    form.wait()

    assert form.error is None, form.status.value
    assert form.password.value == ""
    assert list(form.findings.columns) == ["severity", "table", "key", "rule", "message"]
    assert form.counts == {s: int((form.findings["severity"] == s).sum()) for s in ("error", "warning", "info")}
    assert form.counts["warning"] >= 1
    html = form.results.children[0].value
    assert 'class="ctk-severity ctk-warning"' in html
    for message in form.findings["message"]:
        assert __import__("html").escape(message, quote=False) in html
    assert "warning" in form.status.value

    out = tmp_path / "report.html"
    form.report_path.value = str(out)
    assert not form.report_button.disabled
    form.report_button.click()
    assert form.report == str(out) and out.exists()
    assert "Concordium backup audit report" in out.read_text(encoding="utf-8")
    form.report_button.click()  # exists now: said in words
    assert "output-exists" in form.report_status.value

    assert form.save_report("") == "wallet-export-audit-report.html"  # named after the backup
    assert form.report_data is not None and b"<html" in form.report_data.lower()
    assert "HTML report" in form.report_status.value
    assert [o["filename"] for o in form.report_downloads.offers] == [
        "wallet-export-audit-report.html",
        "wallet-export-audit-report.xlsx",
    ]
    assert_no_secret(form)


def test_audit_of_an_opened_backup_and_of_nothing() -> None:
    from toolkit.widgets import AuditForm

    form = AuditForm(opened(OLD), today=AUDIT_DAY)
    findings = form.run()
    assert findings is not None and "network-missing" in set(findings["rule"])
    assert form.file not in form.children  # no file fields when auditing an opened backup

    empty = AuditForm(OpenForm())
    assert empty.run() is None and empty.error is not None and empty.error.code == "invalid-argument"
    assert empty.save_report("x.html") is None and "Nothing was audited yet" in empty.report_status.value


def test_salvage_recovers_the_readable_records_and_says_what_was_lost(tmp_path: Path) -> None:
    from toolkit.widgets import ExportForm, SalvageForm

    rotted = rotted_copy(tmp_path)
    form = SalvageForm()
    form.file.path.value = str(rotted)
    form.password.value = sample_password(DESKTOP)
    form.button.click()
    form.wait()

    assert form.error is None, form.status.value
    assert form.password.value == ""
    result = form.result
    assert result is not None and not result.intact and result.lost_bytes
    assert list(form.recovered.columns) == ["table", "recovered", "damaged", "unread"]
    assert form.backup is result.backup
    total = sum(result.recovered.values())
    assert f"recovered {total} records" in form.status.value
    assert "unreadable: bytes" in form.status.value
    for note in result.notes:
        assert __import__("html").escape(note, quote=True) in form.results.children[0].value

    # the recovered backup goes on to the Export form
    export = ExportForm(form)
    export.path.value = str(tmp_path / "recovered.json")
    assert export.run(password="recovered-pass") is not None
    assert (
        open_backup(tmp_path / "recovered.json", "recovered-pass").counts()["accounts"] == result.recovered["accounts"]
    )


def test_salvage_of_an_intact_file_and_of_a_file_cut_before_its_metadata() -> None:
    from toolkit.widgets import SalvageForm

    form = SalvageForm()
    form.file.path.value = str(DESKTOP)
    assert form.run(password=sample_password(DESKTOP)) is not None
    assert form.result.intact and "is intact" in form.status.value

    form.file.path.value = str(DAMAGED)
    assert form.run(password=sample_password(DAMAGED)) is None
    assert form.error is not None and form.error.code == "not-salvageable"
    assert form.backup is None and form.results.children == ()


def test_salvage_form_stop_ends_the_search_and_shows_what_was_found(tmp_path: Path) -> None:
    """Issue 21 #6: the Salvage form had no Stop; a crafted file could keep it busy for as long as its budget."""
    import time

    from toolkit.format import container, jsonio
    from toolkit.widgets import SalvageForm

    contacts = b",".join(
        jsonio.dumps_js({"name": f"c{i}", "address": "3" + "a" * 49, "readOnly": False}) for i in range(300)
    )
    plain = b'{"accounts":[],"identities":[],"addressBook":[' + contacts + b",x" + b'{"a":' * 600_000
    path = tmp_path / "crafted.json"
    path.write_bytes(container.encrypt(plain, "salvage-stop-1", iterations=1000))
    form = SalvageForm()
    assert form.stop_button.disabled and form.stop_button in form.children[-3].children
    form.file.path.value = str(path)
    form.password.value = "salvage-stop-1"
    form.start()
    deadline = time.monotonic() + 60
    while form.stop_button.disabled and time.monotonic() < deadline:
        time.sleep(0.01)
    form.stop_button.click()
    form.wait(60)
    assert form.result is not None and form.result.stopped == "stopped", form.status.value
    assert 0 < form.result.recovered["addressBook"] <= 300  # what was found before the stop, nothing invented
    assert all(r["name"].startswith("c") for r in form.result.backup.records("addressBook"))
    assert "stopped as asked" in form.status.value and form.stop_button.disabled


# ------------------------------------------------------------------ issue 10: one session, feedback, downloads
def test_a_salvaged_backup_is_exported_from_the_session_as_a_download(tmp_path: Path) -> None:
    from toolkit.ops.salvage import salvage
    from toolkit.widgets import ExportForm, SalvageForm
    from toolkit.widgets.session import Session

    bitrot = SAMPLES / "wallet-export-bitrot.json"
    session = Session()
    export = ExportForm(session=session)
    assert "Export will write: —" in export.picker.line.value
    form = SalvageForm(session=session)
    deliver_upload(form.file.upload, bitrot)
    form.password.value = sample_password(bitrot)
    form.button.click()
    form.wait()
    assert form.error is None, form.status.value
    entry = session.latest
    assert entry is not None and entry.how == "salvaged" and entry.backup is form.backup
    assert "Export will write: <b>#1 wallet-export-bitrot.json (salvaged, damage in" in export.picker.line.value

    export.new_password.value = export.confirm_password.value = "fresh-pass-10"
    export.button.click()
    export.wait()
    assert export.error is None, export.status.value
    assert export.result.path == "wallet-export-bitrot-new.json" and not list(tmp_path.iterdir())
    again = open_backup(export.data, "fresh-pass-10")
    assert again.counts() == salvage(bitrot, sample_password(bitrot)).backup.counts()
    assert "fresh-pass-10" not in widget_state_text(export)


def test_merged_and_opened_backups_feed_diff_and_audit_without_passwords() -> None:
    from toolkit.widgets import AuditForm, DiffForm, MergeForm
    from toolkit.widgets.session import Session

    session = Session()
    merge = MergeForm(session=session)
    merge.wallet.path.value = str(DESKTOP)
    merge.imported.path.value = str(SAMPLES / "wallet-export-later.json")
    merge.run(wallet_password=sample_password(DESKTOP), imported_password=sample_password(DESKTOP))
    assert merge.backup is not None and session.latest.how == "merged by the import preview"

    opened = OpenForm(session=session)
    opened.file.path.value = str(DESKTOP)
    opened.run(password=sample_password(DESKTOP))
    by_how = {e.how: e for e in session.entries}
    assert [e.name for e in session.entries if e.how == "opened"] == ["wallet-export.json", "wallet-export-later.json"]
    diff = DiffForm(session=session)
    diff.old.pick.value = session.entries[0]  # opened A (Open's is the same entry)
    diff.new.pick.value = by_how["merged by the import preview"]
    assert diff.run() is not None and diff.error is None, diff.status.value
    assert int(diff.summary["added"].sum()) > 0

    audit = AuditForm(session=session)
    audit.file.pick.value = by_how["merged by the import preview"]
    assert audit.run() is not None
    assert "wallet-export.json + wallet-export-later.json" in audit.status.value
    assert audit.save_report().endswith("audit-report.html") and b"<html" in audit.report_data.lower()


def test_the_status_says_working_at_once_and_the_button_waits() -> None:
    import threading

    from toolkit.widgets.common import Form

    release = threading.Event()

    class Slow(Form):
        working = "thinking hard"

        def __init__(self) -> None:
            super().__init__([])

        def _run(self) -> str:
            release.wait(10)
            return "done"

    form = Slow()
    form.button.click()
    assert "Working…" in form.status.value and "thinking hard, since" in form.status.value
    assert form.button.disabled and form.busy
    release.set()
    form.wait(10)
    assert not form.button.disabled and not form.busy and "Working" not in form.status.value


def test_counting_candidates_can_be_stopped() -> None:
    import threading

    from toolkit.ops.recovery import Candidates
    from toolkit.ops.recovery.candidates import CountStopped

    stop = threading.Event()
    stop.set()
    seen: list[int] = []
    candidates = Candidates(tokens="+ alpha beta gamma delta\n+ 19%d%d 20%d%d\n! ? #", typos=1)
    with pytest.raises(CountStopped):
        candidates.count(stop=stop, progress=seen.append)
    assert candidates.count(progress=seen.append).total > 65_536 and seen and seen[0] == 65_536


def test_table_downloads_are_whole_and_formula_neutral() -> None:
    import io

    from openpyxl import load_workbook

    from toolkit.widgets.common import MAX_ROWS, DownloadBar, table_file_bytes

    hostile = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "plain", None]
    frame = pd.DataFrame({"name": hostile * 100, "n": range(len(hostile) * 100)})
    assert len(frame) > MAX_ROWS
    text = table_file_bytes(frame, "csv").decode("utf-8-sig")
    lines = text.splitlines()
    assert len(lines) == len(frame) + 1 and lines[0] == "name,n"
    assert lines[1].startswith("\"'=HYPERLINK") and lines[2].startswith("'+1") and lines[7] == ",6"
    sheet = load_workbook(io.BytesIO(table_file_bytes(frame, "xlsx"))).active
    values = [c.value for c in sheet["A"]][1:8]
    assert values[:5] == ["'" + v for v in hostile[:5]] and values[5] == "plain"
    assert all(c.data_type == "s" for c in sheet["A"][1:6])

    bar = DownloadBar(frame, "accounts")
    assert bar.filename("xlsx") == "accounts.xlsx" and bar.downloads.offers[1]["note"] == "700 rows"
    made = load_workbook(io.BytesIO(bar.prepare("xlsx"))).active  # bytes differ: the file's own save time
    assert [[c.value for c in row] for row in made.rows] == [[c.value for c in row] for row in sheet.rows]
    assert bar.prepare("csv") == table_file_bytes(frame, "csv")


def test_a_wrong_path_keeps_the_password_and_says_where_paths_start() -> None:
    form = OpenForm()
    form.file.path.value = "samples/wallet-export.json"  # relative to the wrong folder
    form.password.value = "typed-once"
    assert form.run() is None and form.error.code == "cannot-read"
    assert "relative paths start from the kernel&#x27;s folder" in form.status.value
    assert form.password.value == "typed-once"
    form.file.path.value = str(DESKTOP)
    form.password.value = sample_password(DESKTOP)
    assert form.run() is not None and form.password.value == ""


def test_the_open_app_alone_points_to_no_other_form() -> None:
    form = OpenForm(alone=True)
    form.file.path.value = str(DESKTOP)
    assert form.run(password="certainly-not-it") is None
    assert "wrong-password" in form.status.value and "recovery form" not in form.status.value
    assert "README" not in form.status.value and "form.backup" not in form.status.value


# ------------------------------------------------------------------ issue 20: one list of backups per page
def test_every_backup_a_form_opens_joins_the_list_once_and_open_shows_its_tables() -> None:
    from toolkit.widgets import DiffForm, MergeForm
    from toolkit.widgets.session import Session

    later = SAMPLES / "wallet-export-later.json"
    session = Session()
    diff = DiffForm(session=session)
    diff.old.path.value, diff.new.path.value = str(DESKTOP), str(later)
    assert diff.run(old_password=sample_password(DESKTOP), new_password=sample_password(later)) is not None
    assert [(e.name, e.how) for e in session.entries] == [
        ("wallet-export.json", "opened"),
        ("wallet-export-later.json", "opened"),
    ]
    merge = MergeForm(session=session)  # no upload, no password: both from the list
    merge.wallet.pick.value, merge.imported.pick.value = session.entries
    assert merge.run() is not None and merge.preview.ok, merge.status.value
    merged = session.latest
    assert merged.how == "merged by the import preview" and len(session.entries) == 3

    opened = OpenForm(session=session)  # a merged backup's tables can be seen
    opened.file.pick.value = merged
    assert opened.run() is opened.backup and opened.error is None, opened.status.value
    assert len(opened.tables["accounts"]) == 13 and opened.name == merged.name
    assert "13 accounts" in opened.status.value and len(session.entries) == 3

    for _ in range(2):  # the same file opened again (a second click) is one entry
        opened.file.path.value = str(DESKTOP)
        opened.run(password=sample_password(DESKTOP))
    assert len(session.entries) == 3 and opened.backup is session.entries[0].backup


def test_open_hands_a_damaged_file_and_its_password_to_the_salvage_form() -> None:
    from toolkit.widgets import SalvageForm
    from toolkit.widgets.session import Session

    bitrot = SAMPLES / "wallet-export-bitrot.json"
    session = Session()
    salvage_form = SalvageForm(session=session)
    assert salvage_form.handed.layout.display == "none"
    opened = OpenForm(session=session)
    deliver_upload(opened.file.upload, bitrot)
    opened.password.value = sample_password(bitrot)
    opened.button.click()
    opened.wait()
    assert opened.error is not None and opened.error.code == "damaged"
    status = opened.status.value
    assert "wallet-export-bitrot.json" in status and "salvage form has this file" in status
    assert status.count("The password is right") == 1
    assert salvage_form.handed.layout.display is None and "wallet-export-bitrot.json" in salvage_form.handed.value
    assert sample_password(bitrot) not in widget_state_text(salvage_form) + repr(session.handoff)
    salvage_form.button.click()  # nothing uploaded or typed again
    salvage_form.wait()
    assert salvage_form.error is None, salvage_form.status.value
    assert session.latest.how == "salvaged" and session.latest.name == "wallet-export-bitrot.json"

    deliver_upload(salvage_form.file.upload, DESKTOP)  # a file chosen in the form replaces the handed one
    assert session.handoff is None and salvage_form.handed.layout.display == "none"


def test_a_second_click_while_the_form_works_starts_nothing() -> None:
    from toolkit.widgets.session import Session

    session = Session()
    opened = OpenForm(session=session)
    opened.file.path.value = str(DESKTOP)
    opened.password.value = sample_password(DESKTOP)
    opened.button.click()
    opened.button.click()  # a double click arrives as two clicks, before the first run has ended
    opened.wait()
    opened.wait()
    assert opened.error is None and "12 accounts" in opened.status.value, opened.status.value
    assert len(session.entries) == 1


def test_new_work_or_another_file_clears_the_previous_result_at_once_and_errors_name_the_file() -> None:
    from toolkit.widgets import ExportForm
    from toolkit.widgets.session import Session

    later = SAMPLES / "wallet-export-later.json"
    session = Session()
    opened = OpenForm(session=session)
    opened.file.path.value = str(DESKTOP)
    opened.run(password=sample_password(DESKTOP))
    assert opened.results.children and opened.backup is not None
    opened.file.path.value = str(later)  # another file: the old tables and their downloads go at once
    assert opened.results.children == () and opened.status.value == "" and opened.backup is None

    opened.run(password=sample_password(later))
    assert opened.results.children
    opened.password.value = sample_password(later)
    worker = opened.start()  # the click: the old result is gone before the work begins, "Working…" names the file
    assert opened.results.children == () and "Working…" in opened.status.value
    assert "wallet-export-later.json" in opened.status.value
    worker.join()
    opened.wait()

    opened.password.value = "not-the-password"
    opened.run()
    assert opened.error.code == "wrong-password" and "(wallet-export-later.json)" in opened.status.value

    export = ExportForm(session=session)
    export.picker.dropdown.value = session.entries[0]
    export.new_password.value = export.confirm_password.value = "fresh-pass-20"
    export.run()
    assert export.result is not None and export.results.children
    export.picker.dropdown.value = session.entries[1]  # another backup picked: the old file's link goes
    assert export.result is None and export.downloads is None and export.results.children == ()
    assert export.status.value == ""


def test_words_and_numbers_no_nat_thousands_and_singulars() -> None:
    from toolkit.ops.salvage import salvage
    from toolkit.widgets.audit_form import counts_text
    from toolkit.widgets.html import frame_html
    from toolkit.widgets.open_form import headline

    frame = pd.DataFrame(
        {
            "month": pd.array([pd.Period("2028-11", "M"), pd.NaT], dtype="period[M]"),
            "when": [pd.Timestamp("2026-01-02"), pd.NaT],
            "fact": ["accounts", 20000],
        }
    )
    html = frame_html(frame)
    assert "NaT" not in html and "2028-11" in html and "20,000" in html
    assert counts_text({"error": 1, "warning": 15008, "info": 0}) == "1 error, 15,008 warnings, 0 info"

    from toolkit.model.backup import Backup
    from toolkit.testing import synthetic

    one = Backup(synthetic.desktop_document(seed=2, identities=1, accounts_per_identity=1))
    assert "— 1 account, 1 identity" in headline(one, "x.json")

    bitrot = SAMPLES / "wallet-export-bitrot.json"
    notes = " ".join(salvage(bitrot, sample_password(bitrot)).notes)
    assert "“Savings 1”" in notes and "belong to a wallet" in notes  # the lone accounts by name
