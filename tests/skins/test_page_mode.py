"""Page mode (a page served to others): no path, cluster or connection field takes a value the operator did not
allow, whatever the page sends; paths only inside the operator's folder.  Driven through the widgets' own
``set_state`` (what a comm message from the page does), asserting on what the kernel reads and writes."""

from __future__ import annotations

import os
from pathlib import Path

import ipywidgets as widgets
import pytest

from tests.conftest import DESKTOP, deliver_upload, sample_password
from toolkit import errors, open_backup
from toolkit.widgets import page
from toolkit.widgets.page import PageMode


def from_page(widget, **state) -> None:
    """What a crafted comm message does: set a widget's state from the page."""
    widget.set_state(state)


def test_without_a_folder_no_path_is_read_and_none_is_written(served, tmp_path: Path) -> None:
    from toolkit.widgets import AuditForm, ExportForm, OpenForm

    served(PageMode())
    form = OpenForm()
    assert form.file.path.layout.display == "none"
    from_page(form.file.path, value=str(DESKTOP))
    assert form.file.path.value == ""  # taken back at once
    form.file.path.value = str(DESKTOP)  # even kernel-side code setting it
    form.password.value = sample_password(DESKTOP)
    assert form.run() is None and form.error.code == "cannot-read" and "Upload the file." in form.status.value

    deliver_upload(form.file.upload, DESKTOP)
    form.password.value = sample_password(DESKTOP)
    assert form.run() is not None  # uploads work

    export = ExportForm(form)
    assert export.path.layout.display == "none" and export.force.layout.display == "none"
    target = tmp_path / "out.json"
    from_page(export.path, value=str(target))
    export.path.value = str(target)
    export.new_password.value = export.confirm_password.value = "a-new-password"
    assert export.run() is not None
    assert not target.exists() and export.data is not None  # a download, nothing on the server
    assert open_backup(export.data, "a-new-password").counts()["accounts"] == 12

    audit = AuditForm(form)
    assert audit.report_path.layout.display == "none"
    assert audit.run() is not None
    report = tmp_path / "report.html"
    from_page(audit.report_path, value=str(report))
    assert audit.save_report(str(report)) is not None and not report.exists()
    assert audit.report_data is not None


def test_recovery_has_no_cluster_or_tls_field(served) -> None:
    from toolkit.widgets import RecoveryForm

    served(PageMode())
    form = RecoveryForm()
    assert form.cluster.layout.display == "none" and form.tls.layout.display == "none"
    from_page(form.cluster, value="tcp://10.0.0.5:8786")
    from_page(form.tls_ca, value="/etc/ssl/private/key.pem")
    assert form.cluster.value == "" and form.tls_ca.value == ""
    assert form.security() is None
    form.insecure_cluster = widgets.Checkbox(value=True)  # the opt-in for plain tcp:// a form may grow
    page.guard_recovery(form, PageMode())
    assert form.insecure_cluster.value is False and form.insecure_cluster.layout.display == "none"
    from_page(form.insecure_cluster, value=True)
    assert form.insecure_cluster.value is False
    from_page(form.workers, value=10_000)
    assert form.workers.value <= os.cpu_count()


def test_recovery_offers_only_the_operators_schedulers(served, tmp_path: Path) -> None:
    from toolkit.widgets import RecoveryForm

    tls = tuple(str(tmp_path / n) for n in ("ca.pem", "cert.pem", "key.pem"))
    served(PageMode(clusters=("tls://10.0.0.5:8786",), tls=tls))  # type: ignore[arg-type]
    form = RecoveryForm()
    choice = next(w for w in form.children if "ctk-cluster-choice" in w._dom_classes)
    assert [v for _, v in choice.options] == ["", "tls://10.0.0.5:8786"]
    from_page(form.cluster, value="tcp://evil:1")
    assert form.cluster.value == ""
    choice.value = "tls://10.0.0.5:8786"
    assert form.cluster.value == "tls://10.0.0.5:8786"
    from_page(form.tls_key, value="/root/.ssh/id_rsa")
    assert (form.tls_ca.value, form.tls_cert.value, form.tls_key.value) == tls


def test_ledger_has_no_connection_field(served) -> None:
    from toolkit.widgets import LedgerForm

    served(PageMode(ledgers=("127.0.0.1:9999",)))
    form = LedgerForm()
    assert form.connection.layout.display == "none"
    from_page(form.connection, value="10.1.2.3:22")
    assert form.connection.value == ""
    from_page(form.connection, value="127.0.0.1:9999")
    assert form.connection.value == "127.0.0.1:9999"


def test_with_a_folder_paths_stay_inside_it(served, tmp_path: Path) -> None:
    from toolkit.widgets import ExportForm, OpenForm

    desk = tmp_path / "desk"
    desk.mkdir()
    (desk / "wallet-export.json").write_bytes(DESKTOP.read_bytes())
    (tmp_path / "outside.json").write_bytes(DESKTOP.read_bytes())
    os.symlink(tmp_path / "outside.json", desk / "link.json")
    served(PageMode(folder=desk))
    form = OpenForm()
    assert form.file.path.layout.display != "none" and "folder …/desk;" in form.file.where.value
    assert str(tmp_path) not in form.file.where.value  # the server's path is not shown
    for name in ("../outside.json", str(tmp_path / "outside.json"), "link.json", "~/outside.json"):
        form.file.path.value = name
        form.password.value = sample_password(DESKTOP)
        assert form.run() is None and form.error.code == "outside-folder", name
    form.file.path.value = "wallet-export.json"
    form.password.value = sample_password(DESKTOP)
    assert form.run() is not None

    export = ExportForm(form)
    export.new_password.value = export.confirm_password.value = "a-new-password"
    export.path.value = "../escaped.json"
    assert export.run() is None and export.error.code == "outside-folder"
    assert not (tmp_path / "escaped.json").exists()
    export.new_password.value = export.confirm_password.value = "a-new-password"
    export.path.value = "new.json"
    assert export.run() is not None and (desk / "new.json").is_file()
    assert str(tmp_path) not in export.status.value


def test_serve_page_is_for_the_kernels_life(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(page, "_SERVED", None)
    first = page.serve_page(PageMode())
    assert page.serve_page(PageMode(folder=Path("/"))) is first  # a later call can't widen it


def test_the_operators_settings_come_from_the_environment(tmp_path: Path) -> None:
    mode = PageMode.from_environment(
        {
            page.ENV_FOLDER: str(tmp_path),
            page.ENV_CLUSTERS: "tls://a:1, tls://b:2,,",
            page.ENV_LEDGER: "127.0.0.1:9999",
        }
    )
    assert mode.folder == tmp_path.resolve() and mode.clusters == ("tls://a:1", "tls://b:2")
    assert mode.ledgers == ("127.0.0.1:9999",) and mode.tls is None
    assert PageMode.from_environment({}) == PageMode()
    with pytest.raises(errors.OutsideFolderError):
        PageMode().read_path("x.json")
