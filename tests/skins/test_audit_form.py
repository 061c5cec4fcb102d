"""The Audit form: findings by severity, a report, an opened backup or none."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import DESKTOP, OLD, assert_no_secret, opened_form, sample_password
from toolkit.widgets import OpenForm

AUDIT_DAY = __import__("datetime").date(2026, 1, 1)


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

    form = AuditForm(opened_form(OLD), today=AUDIT_DAY)
    findings = form.run()
    assert findings is not None and "network-missing" in set(findings["rule"])
    assert form.file not in form.children  # no file fields when auditing an opened backup

    empty = AuditForm(OpenForm())
    assert empty.run() is None and empty.error is not None and empty.error.code == "invalid-argument"
    assert empty.save_report("x.html") is None and "Nothing was audited yet" in empty.report_status.value
