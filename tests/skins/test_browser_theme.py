"""The forms are readable in light and dark themes, in Voilà (``--theme=dark``) and JupyterLab (JupyterLab
Dark): every text of ours has enough contrast against what is really behind it (computed in Chromium from the
page's own colours, translucent layers composited), and a screenshot of each is taken
(``CONCORDIUM_SCREENSHOTS=docs`` keeps them as ``docs/theme-{light,dark}-{voila,lab}.png``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, sample_password
from tests.skins.test_browser import NEEDS_CHROMIUM, lab_argv, playwright_api, serve, voila_argv
from tests.skins.test_browser_desk import DESKTOP, LATER, form, keep_screenshot, open_desk, press, type_into, upload
from tests.skins.test_browser_lab import dismiss_news, run_all

APP = ROOT / "notebooks" / "app-desk.ipynb"
pytestmark = [pytest.mark.timeout(400), NEEDS_CHROMIUM]
expect = playwright_api.expect

#: WCAG's contrast ratios: 4.5 for text, 3 for the small muted notes.
MIN_TEXT, MIN_MUTED = 4.5, 3.0

#: The lowest contrast ratio of each kind of text of ours, and the worst samples (composited in the page).
CONTRAST_JS = """() => {
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => [0, 1, 2].map((i) => top[3] * top[i] + (1 - top[3]) * under[i]);
  const behind = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let rgb = [255, 255, 255];
    for (const layer of layers.reverse()) rgb = over(layer, rgb);
    return rgb;
  };
  const lum = (rgb) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(rgb[0]) + 0.7152 * f(rgb[1]) + 0.0722 * f(rgb[2]);
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const kinds = {
    text: ".ctk-message, .ctk-table td, .ctk-table th, .ctk-pairs td, .ctk-pairs th, .ctk-form h3, .ctk-desk h2, .ctk-legend span, .ctk-will, .ctk-download-status",
    muted: ".ctk-muted",
  };
  const out = {};
  for (const [kind, selector] of Object.entries(kinds)) {
    const seen = [];
    for (const el of document.querySelectorAll(selector)) {
      if (el.offsetParent === null || !el.textContent.trim()) continue;
      const bg = behind(el);
      const fg = over(parse(getComputedStyle(el).color), bg);
      seen.push({ ratio: ratio(fg, bg), text: el.textContent.trim().slice(0, 40), fg, bg });
    }
    seen.sort((a, b) => a.ratio - b.ratio);
    out[kind] = { count: seen.length, worst: seen.slice(0, 3) };
  }
  out.page = behind(document.querySelector(".ctk-desk"));
  return out;
}"""


def fill_the_desk(page) -> object:
    """Open a backup (ok box, tables, downloads), compare two (coloured rows), and cause one error; the Diff form."""
    opener = form(page, "Open a backup")
    upload(page, opener, "backup", DESKTOP)
    type_into(opener, "the backup's password", sample_password(DESKTOP))
    press(opener, "Open")
    expect(opener.locator(".ctk-ok")).to_contain_text("12 accounts")
    salvage = form(page, "Salvage a damaged backup")
    press(salvage, "Salvage")  # nothing chosen: an error box
    expect(salvage.locator(".ctk-error")).to_contain_text("cannot-read")
    diff = form(page, "Compare two backups")
    upload(page, diff, "older backup", DESKTOP)
    upload(page, diff, "newer backup", LATER)
    type_into(diff, "the older backup's password", sample_password(DESKTOP))
    type_into(diff, "the newer backup's password", sample_password(LATER))
    press(diff, "Compare")
    expect(diff.locator(".ctk-ok")).to_contain_text("changed records")
    expect(diff.locator("tr.ctk-added").first).to_be_visible()
    return diff


def assert_readable(page, dark: bool) -> None:
    found = page.evaluate(CONTRAST_JS)
    info = json.dumps(found, indent=1)
    assert found["text"]["count"] > 50 and found["muted"]["count"] >= 1, info
    assert found["text"]["worst"][0]["ratio"] >= MIN_TEXT, info
    assert found["muted"]["worst"][0]["ratio"] >= MIN_MUTED, info
    assert (sum(found["page"]) / 3 < 80) is dark, info  # the theme really is the one asked for


@pytest.fixture(scope="module", params=["light", "dark"])
def voila(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    argv = voila_argv(APP) + ([f"--theme={request.param}"] if request.param == "dark" else [])
    with serve(tmp_path_factory.mktemp(f"voila-{request.param}"), argv) as url:
        yield request.param, url


def test_voila_is_readable_in_its_theme(voila: tuple[str, str], page, tmp_path: Path) -> None:
    theme, url = voila
    open_desk(page, url)
    diff = fill_the_desk(page)
    assert_readable(page, theme == "dark")
    keep_screenshot(diff, tmp_path, f"theme-{theme}-voila.png")


@pytest.fixture(scope="module", params=["light", "dark"])
def lab(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    work = tmp_path_factory.mktemp(f"lab-{request.param}")
    settings = work / "config" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    name = "JupyterLab Dark" if request.param == "dark" else "JupyterLab Light"
    (settings / "themes.jupyterlab-settings").write_text(json.dumps({"theme": name}), encoding="utf-8")
    argv = lab_argv()
    with serve(work, argv) as url:
        yield request.param, url


def test_lab_is_readable_in_its_theme(lab: tuple[str, str], page, tmp_path: Path) -> None:
    theme, url = lab
    run_all(page, url)
    dismiss_news(page)
    diff = fill_the_desk(page)
    diff.locator("tr.ctk-added").last.scroll_into_view_if_needed()
    assert_readable(page, theme == "dark")
    keep_screenshot(page, tmp_path, f"theme-{theme}-lab.png")  # Lab's own panels around the form
