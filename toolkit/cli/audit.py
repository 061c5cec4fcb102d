"""``concordium-backup audit FILE``: every finding about a backup, grouped by severity.

A thin skin over :func:`toolkit.ops.audit.audit` and :func:`toolkit.reports.report.write_report`.

Exit codes (for scripts and CI):
  0  no errors (with ``--fail-on warning``: no errors and no warnings)
  1  errors found (or warnings, with ``--fail-on warning``)
  2  the file cannot be opened (wrong password, damaged, ...) or a usage mistake
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING

from toolkit import errors
from toolkit.format.files import refuse_same_file

from .common import (
    about_input,
    add_force_option,
    add_json_flag,
    add_password_option,
    emit,
    get_password,
    input_name,
    print_json,
    read_stdin_once,
)

if TYPE_CHECKING:
    import pandas as pd

_HEADINGS = {"error": "ERRORS", "warning": "WARNINGS", "info": "INFO"}
#: :data:`toolkit.ops.audit.SEVERITIES`, most severe first (tests/skins/test_cli_conventions.py checks they agree).
SEVERITIES = ("error", "warning", "info")


def configure(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Check a backup and print every finding, grouped by severity. Exit 0 when there are no errors, "
        "1 when there are (--fail-on warning: warnings count too), 2 when the file cannot be opened."
    )
    p.add_argument("file", help="the backup file (wallet-export.json or .concordiumwallet; '-': standard input)")
    add_password_option(p)
    p.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        default="error",
        help="the least severe finding that makes the exit code 1 (default: error)",
    )
    p.add_argument("--report", metavar="PATH", help="also write a report to attach to a ticket (.html or .xlsx)")
    add_force_option(p, what="with --report: replace an existing report")
    p.add_argument(
        "--today",
        type=_day,
        metavar="YYYY-MM-DD",
        help="check identity expiry as of this day (default: today), for reproducible output",
    )
    add_json_flag(p)
    p.set_defaults(func=run)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise errors.UsageError(f"--today {text!r} is not a date like 2026-01-31") from None


def run(args: argparse.Namespace) -> int:
    from toolkit.model.backup import open_backup
    from toolkit.ops.audit import audit, findings_records, has_failures, severity_counts
    from toolkit.reports.report import write_report

    read_stdin_once(FILE=args.file, password_file=args.password_file)
    if args.report:  # refuse before the password is asked
        refuse_same_file(args.report, (args.file, args.password_file))
    password = get_password(args.password_file, what=input_name(args.file))
    with about_input(args.file):
        backup = open_backup(args.file, password)
    today = args.today or date.today()
    findings = audit(backup, today=today)
    report = None
    if args.report:
        report = write_report(
            findings, args.report, backup=backup, today=today, force=args.force, protect=(args.password_file,)
        )
    failed = has_failures(findings, args.fail_on)
    if args.json:
        out: dict[str, object] = {"findings": findings_records(findings), "counts": severity_counts(findings)}
        if report:
            out["report"] = report
        print_json(out)
        return 1 if failed else 0
    from toolkit.textsafe import safe_text

    from .tabletext import terminal_width, wrap

    text = render(findings, name=input_name(args.file), kind=backup.kind, network=backup.network)
    emit(wrap(safe_text(text, newlines=True), terminal_width(), indent=2))
    if report:
        emit(f"\nwrote report {report}")
    return 1 if failed else 0


def render(findings: pd.DataFrame, *, name: str, kind: str, network: str) -> str:
    """The findings as text a person reads: a summary line, then one section per severity."""
    from toolkit.ops.audit import group_by_severity, severity_counts

    counts = severity_counts(findings)
    plural = {"error": "errors", "warning": "warnings", "info": "info"}
    summary = ", ".join(f"{n} {plural[s] if n != 1 else s}" for s, n in counts.items())
    lines = [f"{name}: {kind}, {network}: {summary}"]
    if not len(findings):
        lines.append("No findings: nothing to report.")
    for sev, part in group_by_severity(findings):
        lines.append(f"\n{_HEADINGS[sev]} ({len(part)})")
        for row in part.itertuples(index=False):
            where = f"{row.table} {row.key}".strip()
            lines.append(f"  [{row.rule}] {where}")
            lines.append(f"      {row.message}")
    return "\n".join(lines)
