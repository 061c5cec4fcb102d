"""``concordium-backup inspect FILE``: the summary and tables of a backup.

A thin skin over :func:`toolkit.open_backup`, :meth:`Backup.summary` and
:meth:`Backup.tables`.  Exit 0, or 2 when the file cannot be opened.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit import errors
from toolkit.format.files import refuse_same_file, user_path, write_bytes_atomic
from toolkit.textsafe import is_missing

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


def configure(p: argparse.ArgumentParser) -> None:
    p.description = "Open a backup and show what it holds."
    p.add_argument("file", help="the backup file (wallet-export.json or .concordiumwallet; '-': standard input)")
    add_password_option(p)
    p.add_argument("--table", metavar="NAME", help="print only this table (e.g. accounts)")
    p.add_argument("--csv-dir", metavar="DIR", help="also write every table as DIR/NAME.csv")
    add_force_option(p, what="with --csv-dir: replace existing CSV files")
    p.add_argument(
        "--raw-csv",
        action="store_true",
        help="with --csv-dir: write values exactly, for scripts (by default a cell a spreadsheet would run as a "
        "formula, like =..., +..., -..., @..., starts with ')",
    )
    p.add_argument(
        "--rows",
        type=_rows,
        metavar="N",
        help=f"print at most N rows of each table (default {DEFAULT_ROWS}; with --table every row; 0: every row)",
    )
    p.add_argument("--all-columns", action="store_true", help="print every column, not just the main ones")
    p.add_argument(
        "--reveal-secrets",
        action="store_true",
        help="show secrets (legacy private keys, Desktop identity/credential randomness) instead of ‹redacted› "
        "(careful!)",
    )
    add_json_flag(p)
    p.set_defaults(func=run)


#: Rows printed of each table when no --table is given (a 40 MB backup has tens of thousands).
DEFAULT_ROWS = 50


def _rows(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of rows (0 for every row)")
    return value


def run(args: argparse.Namespace) -> int:
    from toolkit.model.backup import open_backup
    from toolkit.model.tables import default_columns

    from .tabletext import render_frame, terminal_width, wrap

    read_stdin_once(FILE=args.file, password_file=args.password_file)
    inputs = (args.file, args.password_file)
    if args.csv_dir:  # refuse before the password is asked
        check_csv_dir(user_path(args.csv_dir), inputs)
    password = get_password(args.password_file, what=input_name(args.file))
    with about_input(args.file):
        backup = open_backup(args.file, password)
    tables = backup.tables(reveal_secrets=args.reveal_secrets)
    if args.table is not None and args.table not in tables:
        raise errors.UsageError(f"No table {args.table!r}; this file has: {', '.join(tables)}")
    written = (
        write_csvs(tables, user_path(args.csv_dir), force=args.force, raw=args.raw_csv, protect=inputs)
        if args.csv_dir
        else []
    )
    if args.json:
        out = backup.summary()
        if args.table:
            out["table"] = {"name": args.table, "rows": records(tables[args.table])}
        if written:
            out["csv"] = written
        print_json(out)
        return 0
    width = terminal_width()
    emit(wrap(render_summary(backup.summary()), width))
    for name, df in tables.items():
        if args.table and name != args.table:
            continue
        emit(f"\n{name} ({len(df)})")
        if df.empty:
            emit("  (none)")
            continue
        cols = list(df.columns) if args.all_columns else default_columns(name, df)
        limit = args.rows if args.rows is not None else (0 if args.table else DEFAULT_ROWS)
        shown = df.head(limit) if limit and len(df) > limit else df
        emit(render_frame(shown[cols], width))
        if len(shown) < len(df):
            emit(
                wrap(
                    f"… {len(df) - len(shown):,} more rows not shown: every row with --table {name} "
                    "(or --rows 0), or all tables as CSV files with --csv-dir DIR",
                    width,
                    indent=2,
                )
            )
    for path in written:
        emit(f"wrote {path}")
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
    """A frame as JSON-ready records: exact values, NAs as null, periods and other objects as strings."""
    return [{str(k): _plain(v) for k, v in row.items()} for row in df.astype(object).to_dict("records")]


def _plain(value: Any) -> Any:
    if is_missing(value):
        return None
    if isinstance(value, (str, bool, int, float, list, dict)):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


def check_csv_dir(folder: Path, inputs: tuple[str | None, ...]) -> None:
    """Refuse a CSV folder where a table's file would be an input (``same-file``, whatever ``--force``)."""
    from toolkit.model.kinds import DESKTOP, LEGACY, table_names

    for name in dict.fromkeys((*table_names(DESKTOP), *table_names(LEGACY))):  # genesis.csv too
        refuse_same_file(folder / f"{name}.csv", inputs)


def write_csvs(
    tables: dict[str, pd.DataFrame],
    folder: Path,
    *,
    force: bool = False,
    raw: bool = False,
    protect: tuple[str | None, ...] = (),
) -> list[str]:
    """Each table as folder/NAME.csv (:func:`toolkit.reports.sheets.to_csv_bytes`: formula-safe unless ``raw``),
    written atomically; existing files only replaced with ``force``.

    A file that is one of the inputs ``protect`` names is never written (``same-file``).
    """
    from toolkit.reports.sheets import to_csv_bytes

    for name in tables:
        refuse_same_file(folder / f"{name}.csv", protect)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise errors.WriteFailedError(f"{folder} exists and is not a folder") from None
    except OSError as exc:
        raise errors.WriteFailedError(f"Cannot create the folder {folder}: {exc.strerror or exc}") from None
    out = []
    for name, df in tables.items():
        path = folder / f"{name}.csv"
        write_bytes_atomic(path, to_csv_bytes(df, raw=raw), force=force, protect=protect)
        out.append(str(path))
    return out
