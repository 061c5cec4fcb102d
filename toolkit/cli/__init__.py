"""``concordium-backup``: each command is a thin skin over one library function.

Every command module registers itself with ``register(subparsers)`` and sets
``func(args) -> int``.  Errors become one line on stderr and exit code 2
(``--json`` adds ``{"error": {"code", "message"}}`` on stdout); no traceback
reaches a user.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback

from toolkit import __version__, errors

from .common import ArgumentParser, no_core_dumps, report_error

COMMAND_MODULES = ("inspect", "diff", "merge", "reexport", "audit", "salvage", "recover", "ledger")


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="concordium-backup",
        description="Open, check, compare, repair and re-create Concordium wallet backup files.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgumentParser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:  # a command not built yet
            if exc.name == f"{__name__}.{name}":
                continue
            raise
        module.register(sub)
    parser.commands = dict(sub.choices)  # type: ignore[attr-defined]
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    as_json = "--json" in argv
    command = None
    no_core_dumps()  # before any password is read
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        command = parser.commands.get(args.command)  # type: ignore[attr-defined]
        return int(args.func(args) or 0)
    except errors.BackupError as exc:
        if isinstance(exc, errors.UsageError) and command is not None and not getattr(exc, "usage", None):
            exc.usage = command.format_usage()  # type: ignore[attr-defined]
            if not exc.has_own_hint:
                exc.hint = f"See '{command.prog} --help'"
        report_error(exc, as_json=as_json)
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("concordium-backup: interrupted\n")
        return 130
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        except OSError:
            pass
        return 0
    except Exception as exc:  # a bug: say so in one line; details only on request
        if os.environ.get("CONCORDIUM_BACKUP_DEBUG"):
            traceback.print_exc()
        report_error(
            errors.BackupError(
                f"Internal error ({type(exc).__name__})",
                hint="Please report it; set CONCORDIUM_BACKUP_DEBUG=1 to see the details",
            ),
            as_json=as_json,
        )
        return 2
