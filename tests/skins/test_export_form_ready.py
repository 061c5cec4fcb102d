"""The Export form says "ready" only once the page has drawn the download button (issue 20, findings 3 and 4:
"ready to download" came 6.5 s before the link existed).  The page's part (download.js sends ``shown`` when it
has drawn the buttons) is driven in Chromium by test_browser_desk.py's export journeys."""

from __future__ import annotations

from tests.conftest import SAMPLES

DESKTOP = SAMPLES / "wallet-export.json"


def _password(path) -> str:
    return path.with_suffix(".password").read_text(encoding="utf-8").splitlines()[0]


def test_export_says_ready_only_once_the_button_is_drawn() -> None:
    from toolkit import open_backup
    from toolkit.widgets import ExportForm
    from toolkit.widgets.session import Session

    form = ExportForm(open_backup(DESKTOP, _password(DESKTOP)), session=Session())
    result = form.run(password="Another-Pass-2026")
    assert result is not None and form.downloads is not None
    assert "ready" not in form.status.value and "on its way" in form.status.value  # no button drawn yet
    downloads = form.downloads
    downloads._on_msg(downloads, {"event": "shown"}, [])  # what download.js says once its button exists
    assert "ready: press <b>Download</b>" in form.status.value and "ctk-ok" in form.status.value

    form.run(password="Yet-Another-Pass-2026")  # a new result: the old widget saying "shown" changes nothing
    assert form.downloads is not downloads
    downloads._on_msg(downloads, {"event": "shown"}, [])
    assert "ready" not in form.status.value
