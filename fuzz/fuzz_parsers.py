"""Coverage-guided fuzzing (atheris / libFuzzer) of the toolkit's parsers.

    python fuzz/fuzz_parsers.py open      [libFuzzer options] [CORPUS_DIR ...]
    python fuzz/fuzz_parsers.py plaintext -runs=100000
    python fuzz/fuzz_parsers.py tokens    -max_total_time=60

Targets:
- ``open``: any bytes as a backup file -> a Backup or one of the toolkit's own errors.
- ``plaintext``: any bytes as the *decrypted* content of a file (encrypted here with a
  fixed password) -> open_backup and salvage end in a result or a toolkit error.
- ``tokens``: any text as a password-recovery tokens file -> candidates or CandidatesError.

Anything else (another exception, a hang) is a bug, and libFuzzer saves the input
that caused it.  tests/safety/test_fuzz.py runs each target briefly; run longer by hand.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with atheris.instrument_imports(include=["toolkit"]):
    from toolkit import errors, open_backup
    from toolkit.format import container
    from toolkit.ops.recovery import Candidates
    from toolkit.ops.salvage import salvage

PASSWORD = "fuzz-password"


def fuzz_open(data: bytes) -> None:
    try:
        open_backup(data, PASSWORD)
    except errors.BackupError as exc:
        assert exc.message and "\n" not in exc.message


def fuzz_plaintext(data: bytes) -> None:
    file = container.encrypt(data, PASSWORD, iterations=1, salt=b"s" * 16, iv=b"i" * 16)
    for action in (open_backup, salvage):
        try:
            action(file, PASSWORD)
        except errors.BackupError as exc:
            assert exc.message and "\n" not in exc.message


def fuzz_tokens(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    try:
        candidates = Candidates(tokens=text, min_length=1, typos=1)
        list(itertools.islice(candidates, 200))
    except errors.BackupError as exc:
        assert exc.message and "\n" not in exc.message


TARGETS = {"open": fuzz_open, "plaintext": fuzz_plaintext, "tokens": fuzz_tokens}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: {sys.argv[0]} {{{'|'.join(TARGETS)}}} [libFuzzer options] [CORPUS_DIR ...]")
    target = TARGETS[sys.argv.pop(1)]
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
