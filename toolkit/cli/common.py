"""What every command shares: the option bundles, passwords, ``-`` for standard input/output, JSON
output, errors as one line.

Light on purpose: ``--help`` imports this and nothing heavy (no pandas, numpy or cryptography).
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import getpass
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from toolkit import errors
from toolkit.format.files import STDIO, display_name, is_stdio, stdout_is_terminal
from toolkit.format.passwords import MIN_PASSWORD_LENGTH, check_password, read_password_file
from toolkit.textsafe import json_safe, safe_text

from .hints import restate

if TYPE_CHECKING:
    from toolkit.model.save import WriteResult

PASSWORD_ENV = "CONCORDIUM_BACKUP_PASSWORD"
NEW_PASSWORD_ENV = "CONCORDIUM_BACKUP_NEW_PASSWORD"


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a usage mistake is a :class:`UsageError` (so ``--json`` still gets an object).

    Abbreviated options are off: ``--password x`` must not pass for ``--password-file x``.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        """As argparse's; a positional is shown in capitals (FILE, OLD NEW, IN OUT) unless it names its own."""
        if args and not str(args[0]).startswith("-") and "metavar" not in kwargs and kwargs.get("action") is None:
            kwargs["metavar"] = str(args[0]).upper()
        return super().add_argument(*args, **kwargs)

    def parse_known_args(self, args: Sequence[str] | None = None, namespace: Any = None) -> Any:  # type: ignore[override]
        self._seen = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> None:  # type: ignore[override]
        """A :class:`UsageError` with this parser's usage; a mistyped option is named first, with the closest one."""
        unknown = self.unknown_options(getattr(self, "_seen", ())) if getattr(self, "suggest_options", False) else []
        if unknown:
            message = "unrecognized option" + ("s " if len(unknown) > 1 else " ") + ", ".join(unknown)
        exc = errors.UsageError(message, hint=f"See '{self.prog} --help'")
        exc.usage = self.format_usage()  # type: ignore[attr-defined]
        raise exc

    def unknown_options(self, tokens: Iterable[str]) -> list[str]:
        """Each option in ``tokens`` this parser does not know, with the closest one it does ("--jsn (did you
        mean --json?)")."""
        known = [o for o in self._option_string_actions if o.startswith("--")]
        out = []
        for token in tokens:
            if token == "--":
                break
            name = token.split("=", 1)[0]
            if not name.startswith("-") or name == STDIO or name in self._option_string_actions:
                continue
            if name[1:].replace(".", "", 1).isdigit():  # a negative number is a value
                continue
            out.append(name + suggest(name, known))
        return out


def suggest(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean X?)`` for the choice closest to a mistyped ``word``, or nothing."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


# --- option bundles: the same option, worded the same, in every command -------------------------


def add_password_option(
    parser: argparse.ArgumentParser, *, of: str = "the backup", both: str | None = None, prompt: bool = True
) -> None:
    """``--password-file PATH`` for the backup ``of`` names (``both``: the inputs one file serves, e.g. "OLD and NEW")."""
    what = f"password for {both}" if both else f"{of}'s password" if of != "the backup" else "the password"
    rest = f" (else ${PASSWORD_ENV}, else a hidden prompt)" if prompt else ""
    parser.add_argument(
        "--password-file",
        metavar="PATH",
        help=f"read {what} from the first line of PATH ('-': standard input){rest}",
    )


def add_input_password_options(parser: argparse.ArgumentParser, *names: str) -> None:
    """``--password-file`` for all of ``names`` (e.g. "old", "new"), and ``--NAME-password-file`` for each alone."""
    add_password_option(parser, both=" and ".join(n.upper() for n in names))
    for name in names:
        parser.add_argument(f"--{name}-password-file", metavar="PATH", help=f"password for {name.upper()} only")


def add_new_password_option(parser: argparse.ArgumentParser, *, of: str = "OUT", default: str | None = None) -> None:
    """``--new-password-file PATH``: the password of the file written (long enough; asked twice when typed)."""
    source = (
        f"(or ${NEW_PASSWORD_ENV}); default: {default}" if default else f"(else ${NEW_PASSWORD_ENV}, else asked twice)"
    )
    parser.add_argument(
        "--new-password-file",
        metavar="PATH",
        help=f"{of}'s password (at least {MIN_PASSWORD_LENGTH} characters) from the first line of PATH {source}",
    )


def add_force_option(parser: argparse.ArgumentParser, *, what: str = "replace OUT if it exists") -> None:
    """``--force``: replace an existing output (never an input: that is ``same-file`` whatever it says)."""
    parser.add_argument("--force", action="store_true", help=what)


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    """``--json``: one JSON object on standard output, for scripts."""
    parser.add_argument("--json", action="store_true", help="print one JSON object for scripts")


# --- standard input and output ---------------------------------------------------------------


def read_stdin_once(**inputs: str | None) -> None:
    """Refuse two inputs both read from standard input (``-``): it can be read only once.

    ``inputs`` maps how the user named each input (``FILE``, ``password_file``) to its value.
    """
    named = [name.replace("_", "-") for name, value in inputs.items() if is_stdio(value)]
    if len(named) > 1:
        shown = " and ".join(n if n.isupper() else f"--{n}" for n in named)
        raise errors.UsageError(
            f"{shown} are both '-': standard input can be read only once",
            hint="Give all but one of them as a file (a password file, or the password in the environment)",
        )


def output_to_stdout(output: str | None, *, as_json: bool) -> bool:
    """Is ``output`` ``-`` (the file goes to standard output)?  Then ``--json`` cannot share standard output,
    and standard output must not be a terminal (``terminal-output``)."""
    if not is_stdio(output):
        return False
    if as_json:
        raise errors.UsageError(
            "OUT is '-' (the file goes to standard output), so --json has nowhere to go",
            hint="Give OUT a file name to use --json",
        )
    if stdout_is_terminal():
        raise errors.TerminalOutputError(
            "Standard output is a terminal; a backup is not written to a screen",
            hint="Redirect it (... - > out.json) or give OUT a file name",
        )
    return True


#: Error codes about an output or a password, not about the input file (:func:`about_input` leaves them).
_NOT_ABOUT_INPUT = frozenset(
    {
        "output-exists",
        "same-file",
        "write-failed",
        "verify-failed",
        "terminal-output",
        "password-missing",
        "password-too-short",
        "password-mismatch",
        "usage",
    }
)


@contextlib.contextmanager
def about_input(path: str | None, what: str = "the backup") -> Iterator[None]:
    """An error about the one input file ``path`` names it ("The backup (x.json): the password does not
    open this file ..."), unless it already does or is about something else (an output, a password)."""
    try:
        yield
    except errors.BackupError as exc:
        name = input_name(path)
        if not name or exc.subject or exc.code in _NOT_ABOUT_INPUT or name.lower() in exc.reason.lower():
            raise
        from toolkit.model.backup import labelled

        raise labelled(exc, subject=None, what=what, name=name) from None


def input_name(path: str | None) -> str:
    """How a prompt or a message names an input: its base name, or "standard input" for ``-``."""
    return display_name(path)


def no_core_dumps() -> None:
    """Keep secrets (passwords, keys, decrypted backups) out of core dumps of this process.

    ``RLIMIT_CORE`` 0 (inherited by worker processes, also across exec) and, on
    Linux, not dumpable (``PR_SET_DUMPABLE`` 0: no core, no ptrace by other
    processes of the same user).  Best effort: where the OS refuses, nothing changes.
    """
    try:
        import resource

        _soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
        resource.setrlimit(resource.RLIMIT_CORE, (0, hard))
    except (ImportError, ValueError, OSError):
        pass
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
        except (OSError, AttributeError):
            pass


_PR_SET_DUMPABLE = 4


def _interactive() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def get_password(file: str | None, *, env: str = PASSWORD_ENV, what: str = "the backup") -> str:
    """From ``file`` (first line), else ``$env``, else a hidden prompt; never from the command line."""
    if file:
        return read_password_file(file)
    value = os.environ.get(env)
    if value:
        return value
    if not _interactive():
        raise errors.PasswordMissingError(f"No password for {what}: no --password-file, no {env}, no terminal")
    password = getpass.getpass(f"Password for {safe_text(what)}: ")
    if not password:
        raise errors.PasswordMissingError(f"No password was typed for {what}")
    return password


def same_password(first: str, first_file: str | None, second_file: str | None, both_file: str | None) -> str | None:
    """``first`` again when the second input's password comes from the same standard input as the first's
    (``--password-file -`` for both: standard input is read once), else None."""
    a, b = first_file or both_file, second_file or both_file
    return first if is_stdio(a) and is_stdio(b) else None


def get_new_password(file: str | None, *, env: str = NEW_PASSWORD_ENV) -> str:
    """A password for a file being written: from ``file``, ``$env``, or typed twice; long enough (:func:`toolkit.format.passwords.check_password`)."""
    if file:
        password = read_password_file(file)
    elif os.environ.get(env):
        password = os.environ[env]
    elif _interactive():
        password = getpass.getpass(f"New password (at least {MIN_PASSWORD_LENGTH} characters): ")
        if getpass.getpass("Type it again: ") != password:
            raise errors.PasswordMismatchError("The two passwords differ")
    else:
        raise errors.PasswordMissingError(f"No new password: no --new-password-file, no {env}, no terminal")
    check_new_password(password)
    return password


def check_new_password(password: str) -> None:
    """The Desktop Wallet's rule (:func:`toolkit.format.passwords.check_password`), before any work is done."""
    check_password(password)


def print_json(obj: Any, out: TextIO | None = None) -> None:
    """``obj`` as JSON: exact values; control/bidi characters and lone surrogates as ``\\uXXXX`` escapes."""
    out = out or sys.stdout
    # streamed (no whole-text copy of a large result); the escaping is per character, so chunks are safe
    for chunk in json.JSONEncoder(ensure_ascii=False, indent=2, default=_json_default).iterencode(obj):
        out.write(json_safe(chunk))
    out.write("\n")


def emit(text: str, out: TextIO | None = None) -> None:
    """Print human-readable output: every value from a backup neutralised (:func:`toolkit.textsafe.safe_text`)."""
    (out or sys.stdout).write(safe_text(text, newlines=True) + "\n")


def _json_default(value: Any) -> Any:
    # numpy / pandas scalars and timestamps that reach JSON output
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def report_error(exc: errors.BackupError, *, as_json: bool) -> None:
    """One line on stderr (a usage mistake after the command's usage); with ``--json`` also the error object
    on stdout.  The hint is the command line's (:mod:`toolkit.cli.hints`)."""
    exc = restate(exc)
    if as_json:
        print_json({"error": exc.to_dict()})
    usage = getattr(exc, "usage", None)
    if usage:
        sys.stderr.write(usage)
    sys.stderr.write(error_line(exc))


def error_line(exc: errors.BackupError) -> str:
    """``concordium-backup: CODE: MESSAGE`` with the command line's hint, ending in a newline."""
    exc = restate(exc)
    return safe_text(f"concordium-backup: {exc.code}: {exc.message}", newlines=True) + "\n"


def describe_write(result: WriteResult) -> str:
    """One line saying what a verified write produced."""
    if is_stdio(result.path):
        return (
            f"wrote the backup to standard output: {result.kind}, {result.size:,} bytes, "
            f"{result.iterations:,} PBKDF2 iterations; decrypted again and verified before it was written"
        )
    return (
        f"wrote {result.path}: {result.kind}, {result.size:,} bytes, "
        f"{result.iterations:,} PBKDF2 iterations; read back and verified"
    )
