"""``concordium-backup``: each command is a thin skin over one library function.

The commands are the rows of :data:`toolkit.cli.registry.COMMANDS`; the parser is
built from that table, loading only the command being run (so ``--help`` and
``--version`` are quick).  Each command module has ``configure(parser)``, which
sets ``func(args) -> int``.  Errors become one line on stderr and exit code 2
(``--json`` adds ``{"error": {"code", "message"}}`` on stdout); no traceback
reaches a user.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence

from toolkit import __version__, errors

from . import registry
from .common import ArgumentParser, no_core_dumps, report_error, suggest

#: The top-level options that take a value (so the word after them is not the command).
_VALUE_OPTIONS = frozenset({"--print-completion"})
SHELLS = ("bash", "zsh")


def command_name(argv: Sequence[str]) -> str | None:
    """The command word in ``argv`` (the first word that is not a top-level option), or None."""
    tokens = iter(argv)
    for token in tokens:
        if token == "--":
            return next(tokens, None)
        if token.startswith("-"):
            if token in _VALUE_OPTIONS:
                next(tokens, None)
            continue
        return token
    return None


def build_parser(argv: Sequence[str] | None = None) -> ArgumentParser:
    """The parser, built from :data:`registry.COMMANDS`.

    Given ``argv``, only the command it names is loaded (every command is listed in
    ``--help`` from the registry alone); without it every command is (completion, docs).
    """
    parser = ArgumentParser(
        prog="concordium-backup",
        description="Open, check, compare, repair and re-create Concordium wallet backup files.",
        epilog="'concordium-backup COMMAND --help' shows a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--print-completion",
        choices=SHELLS,
        metavar="SHELL",
        help="print a completion script for bash or zsh (see docs/GUIDE.md, 'Shell completion')",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgumentParser)
    wanted = None if argv is None else command_name(argv)
    for command in registry.COMMANDS:
        p = sub.add_parser(command.name, help=command.help)
        p.suggest_options = True  # type: ignore[attr-defined]
        if argv is None or command.name == wanted:
            command.load().configure(p)
    parser.commands = dict(sub.choices)  # type: ignore[attr-defined]
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    as_json = "--json" in argv
    command = None
    no_core_dumps()  # before any password is read
    try:
        parser = build_parser(argv)
        name = command_name(argv)
        if name is not None and registry.find(name) is None:
            raise _unknown_command(name, parser)
        args, extras = parser.parse_known_args(argv)
        command = parser.commands.get(args.command) if args.command else None  # type: ignore[attr-defined]
        if extras:
            (command or parser).error(f"unrecognized arguments: {' '.join(extras)}")
        if args.print_completion:
            sys.stdout.write(completion(args.print_completion))
            return 0
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
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


def _unknown_command(name: str, parser: ArgumentParser) -> errors.UsageError:
    exc = errors.UsageError(
        f"No command {name!r}" + suggest(name, [c.name for c in registry.COMMANDS]),
        hint="See 'concordium-backup --help'",
    )
    exc.usage = parser.format_usage()  # type: ignore[attr-defined]
    return exc


#: Metavars of arguments that name a file or a folder (completed as such).
_FILE_METAVARS = frozenset({"FILE", "PATH", "IN", "OUT", "OLD", "NEW", "A", "B", "LIST", "TOKENS"})
_DIR_METAVARS = frozenset({"DIR"})


def completion(shell: str) -> str:
    """A completion script for ``shell`` (bash or zsh), made by shtab from the whole parser."""
    import shtab

    parser = build_parser()
    for p in (parser, *parser.commands.values()):  # type: ignore[attr-defined]
        for action in p._actions:
            if action.metavar in _FILE_METAVARS:
                action.complete = shtab.FILE  # type: ignore[attr-defined]
            elif action.metavar in _DIR_METAVARS:
                action.complete = shtab.DIRECTORY  # type: ignore[attr-defined]
    return shtab.complete(parser, shell=shell)
