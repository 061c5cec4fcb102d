"""``concordium-backup recover-password FILE``: a thin skin over :mod:`toolkit.recovery`.

Exit codes: 0 found, 1 exhausted, 2 the file (or the options) cannot be used,
130 stopped with Ctrl-C (the checkpoint is kept; run the same command to resume).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from typing import Any, TextIO

from .. import errors
from ..container import parse_container, read_source
from ..recovery import candidates as cands
from ..recovery.search import PasswordSearch, RecoveryResult, available_cpus
from ..textsafe import safe_text
from .common import add_json_flag, emit, print_json

EXIT_FOUND, EXIT_EXHAUSTED, EXIT_UNUSABLE, EXIT_STOPPED = 0, 1, 2, 130
CHECKPOINT_SUFFIX = ".recovery-checkpoint"

EPILOG = """\
token file syntax (--tokens): one piece per line, combined in line order.
  alternatives on a line are separated by spaces; one of them is used
  a line is optional (may be left out) unless its first word is a lone +
  lines starting with # are comments
  escapes: %s space, %t tab, %% percent, %+ plus, %# hash, %d any digit
  example:   + rex Rex REX
             + 19%d%d 20%d%d
             ! !!
typos (--typos N): up to N different positions changed, each by a case flip,
  a swap with the next character, a deletion, a repetition or an inserted
  character (from --insert-chars); caps lock counts as one typo.
exit codes: 0 found, 1 exhausted, 2 file or options unusable, 130 stopped (resume: same command)
"""


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "recover-password",
        help="find a forgotten backup password from candidates, tokens and typos",
        description="Find a forgotten backup password from what its owner remembers, on every core.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", metavar="FILE", help="the backup (wallet-export.json or a .concordiumwallet file)")
    src = p.add_argument_group("candidates")
    src.add_argument(
        "--candidates", metavar="LIST", action="append", default=[], help="a file with one candidate per line"
    )
    src.add_argument("--tokens", metavar="TOKENS", action="append", default=[], help="a file of pieces (syntax below)")
    src.add_argument(
        "--min-length",
        type=int,
        default=cands.DEFAULT_MIN_LENGTH,
        metavar="N",
        help="skip candidates shorter than N characters (default 6, the Desktop Wallet's rule)",
    )
    typ = p.add_argument_group("typos")
    typ.add_argument(
        "--typos", type=int, default=0, metavar="N", help=f"also try variants with up to N typos (0-{cands.MAX_TYPOS})"
    )
    for kind, what in (
        ("case", "flipped case of one letter"),
        ("swap", "two neighbouring characters swapped"),
        ("delete", "a character left out"),
        ("repeat", "a character typed twice"),
        ("insert", "an extra character"),
        ("capslock", "caps lock on"),
    ):
        typ.add_argument(f"--no-{kind}", action="store_true", help=f"no '{what}' typos")
    typ.add_argument(
        "--insert-chars",
        default=cands.DEFAULT_INSERT_CHARS,
        metavar="CHARS",
        help="characters an insert typo may add (default a-z and 0-9)",
    )
    run_group = p.add_argument_group("running")
    run_group.add_argument("--workers", type=int, default=None, metavar="N", help="processes (default: every core)")
    run_group.add_argument(
        "--checkpoint",
        metavar="PATH",
        help=f"progress file for resuming (default: FILE{CHECKPOINT_SUFFIX}); holds no candidate",
    )
    run_group.add_argument("--no-checkpoint", action="store_true", help="keep no progress file")
    run_group.add_argument(
        "--output", metavar="PATH", help="write the found password to this new file (mode 0600) instead of printing it"
    )
    run_group.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_json_flag(p)
    p.set_defaults(func=run)


def _open_output(path: str) -> int:
    """Create the output file now (mode 0600), so a long search cannot end unable to write it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise errors.OutputExistsError(
            f"{path} already exists", hint="Choose another --output name; the password is never written over a file."
        ) from None
    except OSError as exc:
        raise errors.WriteFailedError(f"Cannot create {path}: {exc.strerror or exc}") from None
    with contextlib.suppress(OSError):
        os.fchmod(fd, 0o600)
    return fd


def _candidates(args: argparse.Namespace) -> cands.Candidates:
    if args.workers is not None and args.workers < 1:
        raise errors.UsageError("--workers must be at least 1")
    kinds = [k for k in cands.TYPO_KINDS if not getattr(args, f"no_{k}")]
    return cands.Candidates(
        files=args.candidates,
        tokens_files=args.tokens,
        typos=args.typos,
        typo_kinds=kinds,
        insert_chars=args.insert_chars,
        min_length=args.min_length,
    )


def run(args: argparse.Namespace) -> int:
    info: TextIO = sys.stderr if args.json else sys.stdout
    if not (args.candidates or args.tokens):
        raise errors.CandidatesError("No candidates", hint="Give --candidates LIST and/or --tokens TOKENS.")
    candidates = _candidates(args)
    checkpoint = None if args.no_checkpoint else (args.checkpoint or args.file + CHECKPOINT_SUFFIX)

    data = read_source(args.file)
    parse_container(data)  # a file that is not a backup fails before any counting
    print("Counting candidates…", file=sys.stderr, flush=True)
    search = PasswordSearch(data, candidates, checkpoint=checkpoint)
    counts = search.counts
    skipped = []
    if counts.duplicates:
        skipped.append(f"{counts.duplicates:,} duplicates")
    if counts.too_short:
        skipped.append(f"{counts.too_short:,} shorter than {candidates.min_length} characters")
    workers = args.workers or available_cpus()
    print(
        f"{counts.total:,} candidates to try"
        + (f" ({' and '.join(skipped)} skipped)" if skipped else "")
        + f", {search.container.kdf.iterations:,} PBKDF2 iterations each, on {workers} process"
        + ("es" if workers != 1 else ""),
        file=info,
        flush=True,
    )
    if search.resumed:
        print(f"Resuming: {search.resumed:,} already tried (checkpoint {checkpoint})", file=info, flush=True)

    out_fd = _open_output(args.output) if args.output else None
    try:
        result = _search(search, args, workers)
    except BaseException:
        if out_fd is not None:
            os.close(out_fd)
            with contextlib.suppress(OSError):
                os.unlink(args.output)
        raise
    if out_fd is not None:
        if result.found and result.password is not None:
            try:
                with os.fdopen(out_fd, "w", encoding="utf-8") as fh:
                    fh.write(result.password + "\n")
            except OSError as exc:
                raise errors.WriteFailedError(f"Cannot write {args.output}: {exc.strerror or exc}") from None
        else:
            os.close(out_fd)
            with contextlib.suppress(OSError):
                os.unlink(args.output)
    return _report(result, args, info, checkpoint)


def _search(search: PasswordSearch, args: argparse.Namespace, workers: int) -> RecoveryResult:
    from tqdm import tqdm

    stop = threading.Event()

    def on_sigint(signum: int, frame: Any) -> None:
        if stop.is_set():  # a second Ctrl-C: stop harder (the checkpoint is still saved)
            raise KeyboardInterrupt
        stop.set()

    bar = tqdm(
        total=search.total,
        initial=search.resumed,
        unit=" pw",
        desc="Trying",
        file=sys.stderr,
        disable=True if args.no_progress else None,
        dynamic_ncols=True,
        smoothing=0.05,
    )

    def progress(tried: int, total: int, rate: float) -> None:
        if tried > bar.n:
            bar.update(tried - bar.n)

    old = signal.signal(signal.SIGINT, on_sigint)
    try:
        return search.run(workers=workers, progress=progress, stop=stop)
    finally:
        signal.signal(signal.SIGINT, old)
        bar.close()


def _report(result: RecoveryResult, args: argparse.Namespace, info: TextIO, checkpoint: str | None) -> int:
    if result.found:
        shown = None if args.output else result.password
        if args.json:
            obj: dict[str, Any] = {"found": True, "password": shown, "tried": result.tried, "total": result.total}
            obj["kind"] = result.kind
            if args.output:
                obj["output"] = args.output
            if result.problem is not None:
                obj["error"] = result.problem.to_dict()
            print_json(obj)
        else:
            what = {
                "desktop-wallet": "a Desktop Wallet backup",
                "legacy-mobile-wallet": "a legacy mobile wallet backup",
            }
            print(
                f"Found the password after {result.tried:,} candidates"
                + (f" ({what[result.kind]})" if result.kind in what else "")
            )
            if args.output:
                emit(f"The password is in {args.output} (readable only by you).")
            else:
                assert result.password is not None
                emit(f"Password: {result.password}")
                if safe_text(result.password) != result.password:
                    print(
                        "(Characters that cannot be shown are written escaped, like \\x1b; --output writes it exactly.)"
                    )
                if result.password != result.password.strip():
                    print("(It begins or ends with a space.)")
        if result.problem is not None:
            emit(f"concordium-backup: {result.problem.code}: {result.problem.message}", sys.stderr)
            return EXIT_UNUSABLE
        return EXIT_FOUND
    if result.stopped:
        if args.json:
            print_json(
                {
                    "found": False,
                    "password": None,
                    "tried": result.tried,
                    "total": result.total,
                    "stopped": True,
                    "checkpoint": checkpoint,
                }
            )
        where = f"; run the same command again to resume (checkpoint {checkpoint})" if checkpoint else ""
        print(f"Stopped after {result.tried:,} of {result.total:,} candidates{where}.", file=info)
        return EXIT_STOPPED
    if args.json:
        print_json({"found": False, "password": None, "tried": result.tried, "total": result.total})
    else:
        print(f"Exhausted after {result.tried:,} candidates: the password is not among them.")
        print("Try more typos (--typos), more alternatives in the tokens, or a lower --min-length.")
    return EXIT_EXHAUSTED
