"""``concordium-backup inspect FILE``: the summary and tables of a backup.

A thin skin over :func:`toolkit.open_backup`, :meth:`Backup.summary` and
:meth:`Backup.tables`.  Exit 0, or 2 when the file cannot be opened.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pandas as pd

from .. import errors
from ..backup import DESKTOP_LISTS, LEGACY_LISTS, open_backup
from ..export import write_bytes_atomic
from ..files import refuse_same_file
from ..tables import LEADING_COLUMNS
from .common import PASSWORD_ENV, add_json_flag, get_password, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "inspect",
        help="open a backup and show its summary and tables",
        description="Open a backup and show what it holds.",
    )
    p.add_argument("file", help="the backup file (wallet-export.json or .concordiumwallet)")
    p.add_argument(
        "--password-file",
        metavar="PATH",
        help=f"read the password from the first line of PATH (else ${PASSWORD_ENV}, else a hidden prompt)",
    )
    p.add_argument("--table", metavar="NAME", help="print only this table (e.g. accounts)")
    p.add_argument("--csv-dir", metavar="DIR", help="also write every table as DIR/NAME.csv")
    p.add_argument("--force", action="store_true", help="with --csv-dir: replace existing CSV files")
    p.add_argument("--all-columns", action="store_true", help="print every column, not just the main ones")
    p.add_argument(
        "--reveal-secrets",
        action="store_true",
        help="legacy mobile files: show private keys instead of ‹redacted› (careful!)",
    )
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    inputs = (args.file, args.password_file)
    if args.csv_dir:  # refuse before the password is asked
        check_csv_dir(Path(args.csv_dir), inputs)
    password = get_password(args.password_file, what=Path(args.file).name)
    backup = open_backup(args.file, password)
    tables = backup.tables(reveal_secrets=args.reveal_secrets)
    if args.table is not None and args.table not in tables:
        raise errors.UsageError(f"No table {args.table!r}; this file has: {', '.join(tables)}")
    written = write_csvs(tables, Path(args.csv_dir), force=args.force, protect=inputs) if args.csv_dir else []
    if args.json:
        out = backup.summary()
        if args.table:
            out["table"] = {"name": args.table, "rows": records(tables[args.table])}
        if written:
            out["csv"] = written
        print_json(out)
        return 0
    print(render_summary(backup.summary()))
    for name, df in tables.items():
        if args.table and name != args.table:
            continue
        print(f"\n{name} ({len(df)})")
        if df.empty:
            print("  (none)")
            continue
        cols = df.columns if args.all_columns else [c for c in LEADING_COLUMNS.get(name, df.columns) if c in df]
        print(df[list(cols)].to_string(index=False, max_colwidth=52))
    for path in written:
        print(f"wrote {path}")
    return 0


def render_summary(summary: dict) -> str:
    """The summary as a few lines a person reads."""
    lines = [f"kind:     {summary['kind']}", f"network:  {summary['network']}"]
    counts = ", ".join(f"{k} {('absent' if v is None else v)}" for k, v in summary["counts"].items())
    lines.append(f"records:  {counts}")
    enc = summary.get("encryption")
    if enc:
        lines.append(
            f"encrypted: {enc['encryptionMethod']}, {enc['keyDerivationMethod']}, "
            f"{enc['iterations']:,} iterations, {enc['saltBytes']}-byte salt"
        )
    lines += [f"note:     {n}" for n in summary.get("notices", [])]
    return "\n".join(lines)


def records(df: pd.DataFrame) -> list[dict]:
    """A frame as JSON-ready records (periods and NAs as strings/null)."""
    import json

    return json.loads(df.astype(object).where(df.notna(), None).to_json(orient="records", default_handler=str))


def check_csv_dir(folder: Path, inputs: tuple[str | None, ...]) -> None:
    """Refuse a CSV folder where a table's file would be an input (``same-file``, whatever ``--force``)."""
    for name in dict.fromkeys((*DESKTOP_LISTS, *LEGACY_LISTS)):
        refuse_same_file(folder / f"{name}.csv", inputs)


def write_csvs(
    tables: dict[str, pd.DataFrame], folder: Path, *, force: bool = False, protect: tuple[str | None, ...] = ()
) -> list[str]:
    """Each table as folder/NAME.csv, written atomically; existing files only replaced with ``force``.

    A file that is one of the inputs ``protect`` names is never written (``same-file``).
    """
    for name in tables:
        refuse_same_file(folder / f"{name}.csv", protect)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, df in tables.items():
        buf = io.StringIO()
        df.to_csv(buf, index=False)
        path = folder / f"{name}.csv"
        write_bytes_atomic(path, buf.getvalue().encode("utf-8", "backslashreplace"), force=force, protect=protect)
        out.append(str(path))
    return out
