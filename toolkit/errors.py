"""One error taxonomy for the library, the CLI and the widgets.

Every error a user can cause is a :class:`BackupError` with a stable ``code``
(the CLI's ``--json`` error code; docs/ERRORS.md is generated from this module) and a one-line message
that says what to do.  Messages never contain a password; the constructor does
not take one, and nothing here formats user secrets.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from typing import TypeVar


class BackupError(Exception):
    """Base of every error the toolkit raises on purpose."""

    code = "error"
    #: What the user can do about it; appended to the specific reason.
    hint = ""

    def __init__(self, reason: str = "", *, hint: str | None = None, subject: str | None = None) -> None:
        self.reason = reason
        #: Which input or parameter the error is about (an interface names its own control for it).
        self.subject = subject
        if hint is not None:
            self.hint = hint
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """One line: what is wrong, then what to do."""
        parts = [p.strip() for p in (self.reason, self.hint) if p and p.strip()]
        text = " ".join(p if p.endswith((".", "!", "?")) else p + "." for p in parts)
        return " ".join(text.split())  # always one line

    def to_dict(self) -> dict[str, str]:
        """``{"code", "message"}``, and ``"subject"`` when the error names which input it is about."""
        out = {"code": self.code, "message": self.message}
        if self.subject:
            out["subject"] = self.subject
        return out

    @property
    def has_own_hint(self) -> bool:
        """True when this error was given a hint of its own (specific words, kept by interfaces)."""
        return "hint" in vars(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


_E = TypeVar("_E", bound=BaseException)


def restated(exc: _E, hints: Mapping[str, str]) -> _E:
    """``exc`` with the hint an interface's table gives for it (a copy; ``exc`` itself is unchanged).

    ``hints`` maps ``"code@subject"`` or ``"code"`` to a hint.  A ``code@subject``
    entry always applies; a plain ``code`` entry replaces only the class's
    general hint, never words the raiser chose for this case.  Anything that is
    not a :class:`BackupError`, or has no entry, is returned as it is.
    """
    if not isinstance(exc, BackupError):
        return exc
    hint = hints.get(f"{exc.code}@{exc.subject}") if exc.subject else None
    if hint is None and not exc.has_own_hint:
        hint = hints.get(exc.code)
    if hint is None:
        return exc
    # a new object built by hand: copy.copy goes through pickling hooks that other libraries may replace
    shown = type(exc).__new__(type(exc))
    shown.__dict__.update(vars(exc))
    shown.hint = hint
    shown.args = (shown.message,)
    return shown


# --- reading the file -------------------------------------------------------


class CannotReadError(BackupError):
    """No such file, a folder, or a file this user may not read; standard input (``-``) that is a terminal."""

    code = "cannot-read"
    hint = "Check the path and that you may read the file."


class TooLargeError(BackupError):
    """Larger than a backup can be (96 MiB), refused before it is read; real backups are a few MB."""

    code = "too-large"
    hint = "A wallet backup is at most a few tens of megabytes; check that this is the right file."


class NotJsonError(BackupError):
    """Empty, cut short (an interrupted download), or not JSON."""

    code = "not-json"
    hint = "This is not a wallet backup, or it was cut short; find the original wallet-export.json."


class InvalidStructureError(BackupError):
    """JSON, but not ``{cipherText, metadata}``, or a required field missing (the field is named)."""

    code = "invalid-structure"
    hint = "This is JSON but not a wallet backup; check that you picked the exported file."


class InvalidBase64Error(BackupError):
    """cipherText, salt or IV is not base64."""

    code = "invalid-base64"
    hint = "The file was altered or damaged; use another copy of the backup."


class UnsupportedCipherError(BackupError):
    """encryptionMethod is not AES-256."""

    code = "unsupported-cipher"
    hint = "Only AES-256 backups from the Concordium wallets can be opened."


class UnsupportedKdfError(BackupError):
    """keyDerivationMethod is not PBKDF2WithHmacSHA256, or hashAlgorithm not sha256."""

    code = "unsupported-kdf"
    hint = "Only PBKDF2WithHmacSHA256 backups from the Concordium wallets can be opened."


class InvalidParametersError(BackupError):
    """keyLen not 32, salt or IV of a wrong size, iterations not a positive whole number or above the safety cap of
    2,000,000 (refused before any work).
    """

    code = "invalid-parameters"
    hint = "The file's encryption settings are not ones a Concordium wallet writes; use another copy."


class WrongPasswordError(BackupError):
    """The password does not open the file.  For a wallet database the message adds the wallet's password-change bug: a
    new password with ``.`` or `` as `` re-keyed it to the part before.
    """

    code = "wrong-password"
    hint = "Check the password (it is case-sensitive), or search for a forgotten one with password recovery."


class DamagedError(BackupError):
    """The password is right but the file is damaged (cut short, bit rot): salvage recovers what is readable."""

    code = "damaged"
    hint = "Salvage what can still be read, or use another copy of the backup."


class UnexpectedContentError(BackupError):
    """It decrypts, but holds neither wallet's export (the message says what is missing), or holds what no wallet
    writes: JSON with NaN, numbers out of range, nesting over 100 levels, text that is not UTF-8, more than
    2,000,000 objects and lists, a known field of an unexpected type, also inside a field's JSON text
    (``maxAccounts`` of ``"many"``), or JSON text in a field of over 100,000 values.  The record and field are
    named; the audit still lists such values as findings.
    """

    code = "unexpected-content"
    hint = "The file decrypts but holds neither a Desktop Wallet nor a mobile wallet export."


# --- passwords and writing --------------------------------------------------


class PasswordMissingError(BackupError):
    """A password was needed and none was given."""

    code = "password-missing"
    hint = "Give the password."


class PasswordTooShortError(BackupError):
    """A new password shorter than the Desktop Wallet's minimum (6 characters)."""

    code = "password-too-short"
    hint = "Choose a longer password."


class PasswordMismatchError(BackupError):
    """A new password and its confirmation differ."""

    code = "password-mismatch"
    hint = "The two passwords differ; type the same password twice."


class OutputExistsError(BackupError):
    """The output file exists and replacing it was not allowed."""

    code = "output-exists"
    hint = "Choose another output name, or allow replacing the file."


class SameFileError(BackupError):
    """The output would overwrite an input (a backup, password or candidates file); checked for every output
    (backups, reports, CSV folders, checkpoints, a found password's file) and never allowed, even when replacing
    an existing file is.
    """

    code = "same-file"
    hint = "The output would overwrite an input; choose another output name."


class WriteFailedError(BackupError):
    """Writing the output failed (no space, no permission); nothing was written under its name (writes are atomic)."""

    code = "write-failed"
    hint = "Nothing was written under the output name; check free space and permissions."


class TerminalOutputError(BackupError):
    """An output given as ``-`` (standard output) while standard output is a terminal: redirect it or name a file."""

    code = "terminal-output"
    hint = "Redirect standard output to a file or a pipe (… > out.json), or give an output file name."


class VerifyFailedError(BackupError):
    """The written file did not read back identically (every write is read back and checked); it was removed."""

    code = "verify-failed"
    hint = "The written file did not read back identically and was removed; try again on another disk."


# --- operations on backups --------------------------------------------------


class IncompatibleKindsError(BackupError):
    """A legacy mobile wallet file where a Desktop Wallet file is needed (or the other way round)."""

    code = "incompatible-kinds"
    hint = (
        "Desktop Wallet and legacy mobile wallet files hold different things "
        "(the mobile file holds private keys, the Desktop file none)."
    )


class DifferentNetworkError(BackupError):
    """An import the Desktop Wallet refuses: the two files belong to different networks."""

    code = "different-network"
    hint = "The Desktop Wallet refuses to import a file made on another network."


class SelectionError(BackupError):
    """A subset that names nothing in the backup, or identities and accounts it does not hold."""

    code = "invalid-selection"
    hint = "Name identities and accounts that exist in the backup."


class NotSalvageableError(BackupError):
    """Salvage found nothing readable in the file."""

    code = "not-salvageable"
    hint = "Nothing readable could be recovered; try another copy of the backup."


class CandidatesError(BackupError):
    """A password recovery's candidates or tokens that cannot be used (the message says why)."""

    code = "invalid-candidates"
    hint = "Check the candidates or tokens file (see docs/RECOVERY.md)."


class CheckpointError(BackupError):
    """A password recovery checkpoint that belongs to another file or search, or cannot be read."""

    code = "invalid-checkpoint"
    hint = "The checkpoint belongs to another file or search; delete it to start afresh."


class LedgerError(BackupError):
    """The Ledger check could not talk to the device (connection, transport)."""

    code = "ledger"
    hint = "Check the Ledger connection and try again."


class InvalidArgumentError(BackupError):
    """A value given to a library function or a form is not one it takes (the message says which and why)."""

    code = "invalid-argument"
    hint = "Check the value given."


class OutsideFolderError(BackupError):
    """A path that leaves the one folder files may be read from or written to (absolute, ``..``, a symlink out): a
    served page (the desk in Voilà) gives its users that one folder.
    """

    code = "outside-folder"
    hint = "Name a file inside that folder, or upload the file instead."


class UsageError(BackupError):
    """A mistake on the command line (raised by the CLI only, which shows the command's usage above the message; the
    library raises :class:`InvalidArgumentError`).
    """

    code = "usage"
    hint = ""


@contextlib.contextmanager
def reading(path: str | os.PathLike[str], what: str = "file") -> Iterator[None]:
    """Turn the reasons the OS gives for not reading ``path`` into :class:`CannotReadError`.

    ``what`` names the file for the message ("password file", "tokens file"...).
    Errors of the toolkit's own raised inside pass through unchanged.
    """
    try:
        yield
    except FileNotFoundError:
        raise CannotReadError(f"No {what} at {os.fspath(path)}") from None
    except IsADirectoryError:
        raise CannotReadError(f"{os.fspath(path)} is a folder, not a {what}") from None
    except OSError as exc:
        raise CannotReadError(f"Cannot read the {what} {os.fspath(path)}: {exc.strerror or exc}") from None


def without_traceback(exc: BaseException) -> BaseException:
    """``exc`` (and its causes) with no traceback: the frames' locals may hold a password.

    For errors kept after they were handled (a form's ``error``, a result's ``problem``).
    """
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        node.__traceback__ = None
        stack += [node.__cause__, node.__context__]  # type: ignore[list-item]
    return exc


def all_error_classes() -> list[type[BackupError]]:
    """Every concrete error class, for documentation and tests."""
    out: list[type[BackupError]] = []
    stack = list(BackupError.__subclasses__())
    while stack:
        cls = stack.pop(0)
        out.append(cls)
        stack.extend(cls.__subclasses__())
    return out


class IncompatibleDataError(BackupError):
    """An import the Desktop Wallet would stop part-way (keeping what it had imported); the record it stops at is
    named.
    """

    code = "incompatible-data"
    hint = (
        "The Desktop Wallet would stop this import part-way and keep what it had imported; "
        "fix or leave out the record it stops at first."
    )


class LineTooLongError(BackupError):
    """A password or candidate line over 4 KiB."""

    code = "line-too-long"
    hint = "A password or candidate line is at most 4 KiB; check that this is the right file."


class ClusterError(BackupError):
    """A Dask scheduler not reached (wrong address, not running, TLS mismatch, silent), or a range that failed there."""

    code = "cluster-unreachable"
    hint = (
        "Check the scheduler's address and that it is running; a tls:// scheduler needs the CA, "
        "certificate and key, and a tcp:// address cannot reach it."
    )


class ConfirmationNeededError(BackupError):
    """A password search expected to take over an hour, not confirmed."""

    code = "confirm-needed"
    hint = "Narrow the candidates, or confirm that the search may run this long."


class InsecureClusterError(BackupError):
    """A plain ``tcp://`` scheduler without the caller saying that anyone who reaches it may join."""

    code = "insecure-cluster"
    hint = (
        "Use a tls:// scheduler with certificates, or allow plain TCP explicitly on a network where only "
        "trusted machines can reach the scheduler."
    )


class ClusterAnswerError(ClusterError):
    """A cluster peer answered with data this computer refuses: a pickle, not four numbers, a wrong type, a hit outside
    its range, too many hits (the worker is named).
    """

    code = "cluster-bad-answer"
    hint = "Stop the worker named (it is faulty or hostile), then run again to resume."


class ClusterDisagreementError(ClusterError):
    """A worker's answer disagreed with this computer's own check of a sample of its range (the worker is named)."""

    code = "cluster-disagreement"
    hint = "Stop the worker named (it is faulty or hostile), then run again to resume."


class CheckpointOutdatedError(CheckpointError):
    """A checkpoint from an older version (before version 3), whose key was cheap to test guesses against; it is not
    resumed.
    """

    code = "checkpoint-outdated"
    hint = "Delete it and start the search afresh (an older checkpoint is not resumed)."


class MissingExtraError(BackupError):
    """A feature needs an optional part of the toolkit that is not installed (``[ledger]``, ``[dask]`` or
    ``[notebook]``); the message gives the ``pip install`` command.
    """

    code = "missing-extra"

    def __init__(self, reason: str = "", *, extra: str, hint: str | None = None, subject: str | None = None) -> None:
        #: The extra to install: ``ledger``, ``dask`` or ``notebook``.
        self.extra = extra
        super().__init__(reason, hint=hint, subject=subject)


class NotDatabaseError(BackupError):
    """A binary file that cannot be the Desktop Wallet's SQLCipher database: less than a page, an unencrypted SQLite
    file, not whole pages, and no page 1 the password opens.
    """

    code = "not-wallet-database"
    hint = (
        "Pick the Desktop Wallet's concordium-desktop-wallet-database.sqlite3 (SQLCipher-encrypted), "
        "or a wallet-export.json backup."
    )


class DatabaseInUseError(BackupError):
    """The wallet's database is in use: a running program (the Desktop Wallet) holds it open for writing (checked
    on Linux and macOS, not on Windows), or a non-empty ``-journal`` (or ``-wal``) lies beside it (the wallet is
    writing to it, or stopped mid-write); close the wallet, or salvage the database.
    """

    code = "database-in-use"
    hint = (
        "Close the Desktop Wallet and try again. If it is not running, it stopped mid-write: "
        "start and close the wallet once, or salvage the database."
    )
