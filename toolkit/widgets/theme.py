"""The forms' colours: JupyterLab's ``--jp-*`` CSS variables (with light fallbacks), so every form reads in
JupyterLab's and Voilà's light and dark themes.

Text keeps the theme's own colour; a box or a row says what it is by a translucent tint over the page
(readable on white and on black alike) and a border in the theme's error/warning/success/info colour.
"""

from __future__ import annotations

#: The theme's text colours: normal and muted (e.g. "up to 96 MB" beside an upload button).
TEXT = "var(--jp-ui-font-color1, rgba(0, 0, 0, 0.87))"
MUTED = "var(--jp-ui-font-color2, rgba(0, 0, 0, 0.6))"
#: A line between rows, and the opaque background of a table's sticky header.
BORDER = "var(--jp-border-color2, #e0e0e0)"
HEADER = "var(--jp-layout-color2, #eeeeee)"

#: A message kind -> (accent: the theme's colour of that kind, tint: a translucent background over any page).
TONES = {
    "error": ("var(--jp-error-color1, #d32f2f)", "rgba(244, 67, 54, 0.14)"),
    "warning": ("var(--jp-warn-color1, #f57c00)", "rgba(255, 152, 0, 0.16)"),
    "ok": ("var(--jp-success-color1, #388e3c)", "rgba(76, 175, 80, 0.16)"),
    "info": ("var(--jp-info-color1, #0097a7)", "rgba(0, 188, 212, 0.12)"),
}

#: Row tints of the tables that colour rows (diff changes, import results): translucent, so the text stays
#: the theme's own.
ROW_TINTS = {
    "added": "rgba(76, 175, 80, 0.18)",
    "removed": "rgba(244, 67, 54, 0.18)",
    "changed": "rgba(255, 193, 7, 0.22)",
    "updated": "rgba(255, 193, 7, 0.22)",
    "skipped": "rgba(128, 128, 128, 0.16)",
    "refused": "rgba(244, 67, 54, 0.18)",
}

#: Heading colour of an audit severity's section.
SEVERITY_ACCENTS = {
    "error": TONES["error"][0],
    "warning": TONES["warning"][0],
    "info": TONES["info"][0],
}

_tones = "\n".join(
    f".ctk-message.ctk-{kind} {{ background: {tint}; border-color: {accent}; }}"
    for kind, (accent, tint) in TONES.items()
)
_severities = "\n".join(f".ctk-severity.ctk-{s} h4 {{ color: {c}; }}" for s, c in SEVERITY_ACCENTS.items())

#: Styles for the forms' tables and boxes (put once into every form's heading): the theme's variables live
#: here, so the HTML of a message names only its class.
STYLE = f"""<style>
.ctk-form, .ctk-desk {{ color: {TEXT}; }}
.ctk-table {{ border-collapse: collapse; font-size: 12px; color: {TEXT}; }}
.ctk-table th, .ctk-table td {{ padding: 2px 8px; border-bottom: 1px solid {BORDER}; text-align: left;
  vertical-align: top; }}
.ctk-table th, .ctk-table td {{ white-space: nowrap; }}
.ctk-wrap .ctk-table td:last-child {{ white-space: normal; min-width: 20em; max-width: 60em; }}
.ctk-table thead th {{ position: sticky; top: 0; background: {HEADER}; }}
.ctk-form details > summary {{ cursor: pointer; margin: 4px 0; }}
.ctk-form .lm-TabBar-tab, .ctk-form .p-TabBar-tab {{ flex: 0 0 auto !important; max-width: none !important;
  min-width: 0 !important; }}
.ctk-form .lm-TabBar-tabLabel {{ overflow: visible !important; text-overflow: clip !important; }}
.ctk-table th, .ctk-table td {{ box-sizing: border-box; }}
.ctk-muted {{ color: {MUTED}; font-size: 12px; }}
.ctk-message {{ color: {TEXT}; border: 1px solid; border-left-width: 4px; border-radius: 4px; padding: 6px 10px;
  margin: 4px 0; }}
{_tones}
{_severities}
</style>"""


def tint_style(value: str) -> str:
    """A row's inline background for ``value`` (``added``, ``removed``…); empty for none."""
    tint = ROW_TINTS.get(value, "")
    return f"background:{tint}" if tint else ""
