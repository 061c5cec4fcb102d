"""What a password search opens: a backup file, or the Desktop Wallet's own database.

Each target gives the search two things:

- a **check** (:class:`BlockCheck`, :class:`PageCheck`): the cheap test a worker runs per candidate,
  plain and small enough to travel to a cluster once (the file itself never travels);
- a **confirmation** (:meth:`Target.confirm`): this computer's own check and full open of a hit.

A backup's check is PBKDF2-HMAC-SHA256 with the file's parameters and one AES block (docs/FORMAT.md §1).
A wallet database's check is page 1's HMAC (SQLCipher 4: PBKDF2-HMAC-SHA512, 256,000 iterations,
:mod:`toolkit.format.sqlcipher`), each candidate tried first as the key the wallet's password-change
bug would have left (:func:`~toolkit.format.sqlcipher.guess_opens`: the part before the first ``.`` or
`` as ``, even if shorter than 6 characters), then as typed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from toolkit import errors
from toolkit.format import container as ct
from toolkit.format import sqlcipher as sc
from toolkit.model.backup import is_database_source, open_backup, open_with_key


@dataclass(frozen=True)
class BlockCheck:
    """A backup file's cheap check: its KDF parameters, IV and first encrypted block."""

    kdf: ct.KdfParams = field(repr=False)
    iv: bytes = field(repr=False)
    first_block: bytes = field(repr=False)

    def matcher(self) -> Any:
        """``matches(candidate) -> str | None`` (the password that matched), set up once per worker."""
        box = ct.Container(ciphertext=self.first_block, iv=self.iv, kdf=self.kdf, metadata={})
        kdf = self.kdf

        def matches(candidate: str) -> str | None:
            return candidate if ct.first_block_matches(box, ct.derive_key(candidate, kdf)) else None

        return matches


@dataclass(frozen=True)
class PageCheck:
    """A wallet database's cheap check: its first page (salt, encrypted page, IV, HMAC)."""

    page1: bytes = field(repr=False)

    def matcher(self) -> Any:
        page1 = self.page1

        def matches(candidate: str) -> str | None:
            return sc.guess_opens(page1, candidate)

        return matches


Check = BlockCheck | PageCheck


@dataclass(frozen=True)
class Verdict:
    """This computer's own finding on one candidate.  ``password`` (never in a repr) is what opened the file:
    the candidate, or the key the password-change bug left (``rekeyed``)."""

    matched: bool = False
    right: bool = False
    password: str | None = field(default=None, repr=False)
    kind: str | None = None
    problem: errors.BackupError | None = None
    rekeyed: bool = False


NO_MATCH = Verdict()


#: Seconds per guess, per :meth:`Target.rate_key`, measured once per process (see :func:`seconds_per_guess`).
_PER_GUESS: dict[Hashable, float] = {}
_PER_GUESS_LOCK = threading.Lock()
#: Derivations timed the first time (the fastest counts): one timing on a busy machine swung an estimate 5x.
CALIBRATION_ROUNDS = 3


def seconds_per_guess(key: Hashable, timed: Callable[[], Any]) -> float:
    """Seconds one guess of the kind ``key`` takes here: the fastest of :data:`CALIBRATION_ROUNDS` runs of
    ``timed`` the first time this process asks, the same number every later time.

    Why once: a search's estimate must not swing between two presses of Start (issue 20: 6.4 h and 32.2 h
    for one search) because the second timing met a busy core.  Per kind, because a wallet database's
    KDF (PBKDF2-HMAC-SHA512, 256,000 iterations) costs some 50 times a backup's."""
    with _PER_GUESS_LOCK:
        known = _PER_GUESS.get(key)
        if known is None:
            times = []
            for _ in range(CALIBRATION_ROUNDS):
                t0 = time.perf_counter()
                timed()
                times.append(time.perf_counter() - t0)
            known = _PER_GUESS[key] = max(min(times), 1e-6)
        return known


def kdf_rate_key(kdf: ct.KdfParams) -> Hashable:
    """:meth:`Target.rate_key` of a backup with these KDF settings."""
    return ("backup", kdf.iterations, kdf.key_len, kdf.hash_algorithm)


class Target:
    """A file a search opens (see the module docstring); build with :func:`read_target`."""

    #: "backup" or "database".
    what: str
    data: bytes
    check: Check
    #: KDF parameters the checkpoint's slow secret uses (the file's own cost and salt).
    secret_kdf: ct.KdfParams

    def per_guess(self) -> float:
        """Seconds one guess takes on this machine: one key derivation of this kind of file, timed once per
        process (:func:`seconds_per_guess`)."""
        return seconds_per_guess(self.rate_key(), self.calibration())

    def calibration(self) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def rate_key(self) -> Hashable:  # pragma: no cover - overridden
        """What decides one guess's cost (the kind of file and its KDF's settings, not its salt)."""
        raise NotImplementedError

    def confirm(self, candidate: str) -> Verdict:  # pragma: no cover - overridden
        raise NotImplementedError

    def cost(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError


class BackupTarget(Target):
    """A backup file (``wallet-export.json``, ``.concordiumwallet``)."""

    what = "backup"

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.container = ct.parse_container(data)
        if len(self.container.ciphertext) < ct.BLOCK:
            raise errors.DamagedError(
                f"The encrypted data is {len(self.container.ciphertext)} bytes, less than one 16-byte block, "
                "so no password can be checked",
                hint="Use another copy of the backup.",
            )
        c = self.container
        self.check = BlockCheck(kdf=c.kdf, iv=c.iv, first_block=c.first_block)
        self.secret_kdf = c.kdf

    def calibration(self) -> Any:
        return lambda: ct.derive_key(b"calibration", self.container.kdf)

    def rate_key(self) -> Hashable:
        return kdf_rate_key(self.container.kdf)

    def cost(self) -> str:
        return f"{self.container.kdf.iterations:,} PBKDF2 iterations each"

    def confirm(self, candidate: str) -> Verdict:
        key = ct.derive_key(candidate, self.container.kdf)
        if not ct.first_block_matches(self.container, key):
            return NO_MATCH
        try:
            return Verdict(True, True, candidate, open_with_key(self.container, key).kind)
        except errors.WrongPasswordError:
            return Verdict(True)
        except errors.BackupError as exc:  # kept in the result: no frames (password)
            return Verdict(True, True, candidate, None, errors.without_traceback(exc))


class DatabaseTarget(Target):
    """The Desktop Wallet's SQLCipher database: page 1's HMAC, then a full open."""

    what = "database"

    def __init__(self, data: bytes) -> None:
        sc.check_format(data)
        self.data = data
        self.check = PageCheck(page1=bytes(data[: sc.PAGE_SIZE]))
        # The checkpoint's secret costs what the database's own KDF costs, salted with its salt.
        self.secret_kdf = ct.KdfParams(
            iterations=sc.KDF_ITERATIONS, salt=bytes(data[: sc.SALT_LEN]), hash_algorithm="sha512"
        )

    def calibration(self) -> Any:
        return lambda: sc.derive_keys(b"calibration", self.check.page1[: sc.SALT_LEN])

    def rate_key(self) -> Hashable:
        return ("database", sc.KDF_ITERATIONS)

    def cost(self) -> str:
        return (
            f"{sc.KDF_ITERATIONS:,} PBKDF2-HMAC-SHA512 iterations each (twice for a candidate with '.' or ' as ': "
            "first the part before it, which the wallet's password-change bug leaves as the key)"
        )

    def confirm(self, candidate: str) -> Verdict:
        guess = sc.guess_opens(self.check.page1, candidate)
        if guess is None:
            return NO_MATCH
        rekeyed = guess != candidate
        try:
            return Verdict(True, True, guess, open_backup(self.data, guess).kind, rekeyed=rekeyed)
        except errors.WrongPasswordError:
            return Verdict(True)
        except errors.BackupError as exc:  # damaged beyond page 1: the password is still the user's
            return Verdict(True, True, guess, None, errors.without_traceback(exc), rekeyed)


def read_target(source: Any) -> Target:
    """The backup or wallet database at ``source`` (a path, bytes, a binary file object or a :class:`Target`),
    recognised by content; a :class:`~toolkit.errors.BackupError` when it cannot be searched."""
    if isinstance(source, Target):
        return source
    if is_database_source(source):
        if isinstance(source, (bytes, bytearray, memoryview)):
            return DatabaseTarget(bytes(source))
        return DatabaseTarget(sc.read_database_file(source))  # read-only: nothing is created beside it
    data = ct.read_source(source)
    if sc.looks_like_database(data[:64], len(data)):  # a file object or standard input
        return DatabaseTarget(data)
    return BackupTarget(data)
