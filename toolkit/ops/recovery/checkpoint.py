"""Checkpoints: how far a password search got, without a single candidate in them.

A checkpoint is a small JSON file::

    {"format": "concordium-backup/recovery-checkpoint", "version": 3,
     "fileSha256": "<SHA-256 of the backup file's bytes>",
     "search": "<fingerprint of the candidate sources and options>",
     "total": 12000, "done": 4096, "doneRanges": [[4352, 4608]],
     "options": {"typos": 1, ...}, "updated": "2025-01-01T12:00:00Z",
     "mac": "<HMAC-SHA256 of the progress>"}

Candidates ``0 .. done-1`` of the deterministic stream (see
:mod:`.candidates`) and those in ``doneRanges`` have been checked.

Everything in it derived from the candidates — the ``search`` fingerprint and
the key of ``mac`` — comes from one **slow, file-bound secret**
(:func:`search_secret`): PBKDF2-HMAC-SHA256 of the candidate definition's
digest with :data:`SLOWDOWN` times the file's own iteration count (and, for the
wallet's database, its own hash: SHA-512) and a salt made of the file's salt and
the file's hash.  Nothing fast is keyed by the
candidates: testing a guessed hint against a checkpoint costs at least what
testing it against the backup costs (``bench/bench_checkpoint_oracle.py``
measures both).  Version 2 keyed its MAC with a plain SHA-256 of the
definition and is refused (:class:`~toolkit.errors.CheckpointOutdatedError`).

What a checkpoint reveals, to anyone who reads it: which backup it is for (the
file's SHA-256), how many candidates the search has and how many are done, and
the options (how many typos and of which kinds, the minimum length, how many
files, typed words and token sets) — no candidate, token or password.

``mac`` authenticates the progress (file, search, total, done, ranges): a
checkpoint edited by hand, or written for another search, is refused rather
than believed — a forged ``done = total`` cannot make a search report
"exhausted" without trying.  It is written atomically (temporary file in the
same folder, then rename), with mode 0600.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from toolkit import errors
from toolkit.format.container import KdfParams, derive_key

FORMAT = "concordium-backup/recovery-checkpoint"
#: 2: progress is authenticated ("mac"); 3: fingerprint and MAC key from one slow, file-bound secret.
VERSION = 3
#: The secret's PBKDF2 runs this many times the backup's own iterations (a guess costs more here than there).
SLOWDOWN = 2
MAX_CHECKPOINT_SIZE = 1024 * 1024


def search_secret(definition_digest: bytes, kdf: KdfParams, file_sha256: str) -> bytes:
    """The secret behind everything a checkpoint derives from the candidates: PBKDF2 of their digest with
    :data:`SLOWDOWN` × the file's iterations and the file's own hash (SHA-256 for a backup, SHA-512 for the
    wallet's database), salted with the file's salt and its hash."""
    salt = hashlib.sha256(b"concordium-backup/recovery-checkpoint-3\0" + kdf.salt + file_sha256.encode()).digest()
    iterations = kdf.iterations * SLOWDOWN
    if kdf.hash_algorithm == "sha512":  # the wallet database's KDF (SQLCipher 4): SHA-512 costs more per iteration
        return PBKDF2HMAC(algorithm=hashes.SHA512(), length=32, salt=salt, iterations=iterations).derive(
            definition_digest
        )
    return derive_key(definition_digest, KdfParams(iterations=iterations, salt=salt))


def search_fingerprint(secret: bytes) -> str:
    """Which candidate stream a checkpoint is for (from :func:`search_secret`)."""
    return hmac.new(secret, b"search", hashlib.sha256).hexdigest()


def mac_key(secret: bytes) -> bytes:
    """The key that authenticates a checkpoint's progress (from :func:`search_secret`)."""
    return hmac.new(secret, b"mac", hashlib.sha256).digest()


@dataclass
class Checkpoint:
    """Progress of one search over one file."""

    file_sha256: str
    search: str
    total: int
    done: int = 0
    #: Checked half-open ranges [start, end) beyond ``done``, sorted and disjoint.
    done_ranges: list[tuple[int, int]] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    updated: str = ""
    mac: str = ""

    def _signed(self) -> bytes:
        body = [self.file_sha256, self.search, self.total, self.done, [list(r) for r in self.done_ranges]]
        return json.dumps(body, separators=(",", ":")).encode()

    def sign(self, key: bytes) -> None:
        self.mac = hmac.new(key, self._signed(), hashlib.sha256).hexdigest()

    def verifies(self, key: bytes) -> bool:
        """Was this progress written by a search with this file and these candidates?"""
        return hmac.compare_digest(self.mac, hmac.new(key, self._signed(), hashlib.sha256).hexdigest())

    @property
    def tried(self) -> int:
        """How many candidates have been checked."""
        return self.done + sum(end - start for start, end in self.done_ranges)

    def is_done(self, index: int) -> bool:
        return index < self.done or any(start <= index < end for start, end in self.done_ranges)

    def mark(self, start: int, end: int) -> None:
        """Record candidates [start, end) as checked (merging ranges, advancing ``done``)."""
        if end <= start:
            return
        ranges = sorted([*self.done_ranges, (start, end)])
        merged: list[tuple[int, int]] = []
        for s, e in ranges:
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], e))
            else:
                merged.append((s, e))
        while merged and merged[0][0] <= self.done:
            self.done = max(self.done, merged.pop(0)[1])
        self.done_ranges = merged

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "fileSha256": self.file_sha256,
            "search": self.search,
            "total": self.total,
            "done": self.done,
            "doneRanges": [list(r) for r in self.done_ranges],
            "options": self.options,
            "updated": self.updated,
            "mac": self.mac,
        }


def _bad(path: str, why: str) -> errors.CheckpointError:
    return errors.CheckpointError(
        f"The checkpoint {path} is not usable ({why})",
        hint="Delete it to start the search afresh, or keep the progress elsewhere.",
        subject="checkpoint",
    )


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def load(path: str | os.PathLike[str]) -> Checkpoint | None:
    """The checkpoint at ``path``; None if there is none; :class:`CheckpointError` if it is not one."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_CHECKPOINT_SIZE + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _bad(path, exc.strerror or str(exc)) from None
    if len(data) > MAX_CHECKPOINT_SIZE:
        raise _bad(path, "too large")
    try:
        obj = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise _bad(path, "not JSON") from None
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise _bad(path, "not a password-recovery checkpoint")
    if obj.get("version") in (1, 2):
        raise errors.CheckpointOutdatedError(
            f"The checkpoint {path} is from an older version, whose key made it a fast test of guessed hints",
            subject="checkpoint",
        )
    if obj.get("version") != VERSION:
        raise _bad(path, f"version {obj.get('version')!r}, expected {VERSION}")
    total, done, ranges = obj.get("total"), obj.get("done"), obj.get("doneRanges", [])
    if not (_int(total) and _int(done) and done <= total and isinstance(ranges, list)):
        raise _bad(path, "its counts are invalid")
    clean: list[tuple[int, int]] = []
    for r in ranges:
        if not (isinstance(r, list) and len(r) == 2 and _int(r[0]) and _int(r[1])):
            raise _bad(path, "its ranges are invalid")
        start, end = r
        if not (done < start < end <= total) or (clean and start <= clean[-1][1]):
            raise _bad(path, "its ranges are invalid")
        clean.append((start, end))
    for key in ("fileSha256", "search"):
        if not isinstance(obj.get(key), str):
            raise _bad(path, f"{key} is missing")
    options = obj.get("options")
    return Checkpoint(
        file_sha256=obj["fileSha256"],
        search=obj["search"],
        total=total,
        done=done,
        done_ranges=clean,
        options=options if isinstance(options, dict) else {},
        updated=obj.get("updated") if isinstance(obj.get("updated"), str) else "",
        mac=obj.get("mac") if isinstance(obj.get("mac"), str) else "",
    )


def save(path: str | os.PathLike[str], checkpoint: Checkpoint, key: bytes | None = None) -> None:
    """Write atomically with mode 0600 (a crash leaves the old checkpoint or the new one); signed with ``key``."""
    path = os.fspath(path)
    if key is not None:
        checkpoint.sign(key)
    checkpoint.updated = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    data = (json.dumps(checkpoint.to_json(), indent=2) + "\n").encode()
    folder = os.path.dirname(os.path.abspath(path))
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".checkpoint-", suffix=".tmp", dir=folder)  # mode 0600
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise errors.WriteFailedError(
            f"Cannot write the checkpoint {path}: {exc.strerror or exc}",
            hint="Keep the progress in a writable folder, or keep none.",
            subject="checkpoint",
        ) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def remove(path: str | os.PathLike[str]) -> None:
    """Delete a checkpoint (the search is over); a missing one is fine."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(os.fspath(path))
