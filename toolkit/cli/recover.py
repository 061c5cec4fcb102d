"""``concordium-backup recover-password FILE``: a thin skin over :mod:`toolkit.ops.recovery`.

FILE is a backup or the Desktop Wallet's own database (its login password; no checkpoint beside it unless
``--checkpoint`` names one: its folder is the wallet's).

Exit codes: 0 found, 1 exhausted, 2 the file, the options or the cluster cannot be used,
130 stopped with Ctrl-C (143 SIGTERM, 129 SIGHUP; the checkpoint is kept either way: run
the same command to resume).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from typing import Any, TextIO

from toolkit import errors
from toolkit.format.files import check_output_path, refuse_same_file, write_bytes_atomic
from toolkit.ops.recovery import candidates as cands
from toolkit.ops.recovery.engines import STOP_SIGNALS, Engine, LocalEngine
from toolkit.ops.recovery.keyboards import DEFAULT_KEYBOARD, KEYBOARDS
from toolkit.ops.recovery.search import PasswordSearch, RecoveryResult, plan
from toolkit.ops.recovery.slices import Slice, walk
from toolkit.ops.recovery.targets import Target, read_target
from toolkit.textsafe import safe_text

from .common import add_json_flag, emit, print_json

EXIT_FOUND, EXIT_EXHAUSTED, EXIT_UNUSABLE, EXIT_STOPPED = 0, 1, 2, 130
CHECKPOINT_SUFFIX = ".recovery-checkpoint"

EPILOG = """\
token file syntax (--tokens, btcrecover's tokenlist): one piece per line,
  combined in line order (--any-order: in any order, as btcrecover does).
  alternatives on a line are separated by spaces; at most one of them is used
  a line is optional (may be left out) unless its first word is a lone +
  lines starting with # are comments
  anchors: ^tok first, tok$ last, ^3^tok third, ^2,4^tok 2nd-4th (never first/last)
  wildcards: %d digit, %a a-z, %A A-Z, %n a-z0-9, %N A-Z0-9, %y symbol,
    %Y digit or symbol, %p printable, %q printable or space, %H hex, %[abc] a set,
    %ia any letter (i: case-insensitive), %2d two digits, %1,3a one to three letters
  escapes: %s space, %t tab, %% percent, %+ plus, %# hash, %^ caret, %S dollar
  example:   + rex Rex REX
             + 19%d%d 20%d%d
             ! !!
typos (--typos N): up to N different positions changed, each by a case flip,
  a neighbouring key (--keyboard) or one of --replace-chars, a swap with the next
  character, a deletion, a repetition or an inserted character (from
  --insert-chars); caps lock counts as one typo, and so does one --typos-map rule
  applied everywhere (every o typed as 0).  Order: every candidate as written,
  then all with one typo, then all with two: the most likely first.
a Dask cluster (--cluster tls://HOST:8786 with --tls-ca/--tls-cert/--tls-key; plain
  tcp:// only with --insecure-cluster): the workers need this toolkit installed and
  see the candidate definition (your hints); their "not found" is their word
  (--spot-check SHARE re-tries that share of every range here). docs/RECOVERY.md: "Trust".
exit codes: 0 found, 1 exhausted, 2 file, options or cluster unusable,
  130 stopped by Ctrl-C (143 SIGTERM, 129 SIGHUP; resume: same command)
"""


def configure(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Find a forgotten backup password, or the Desktop Wallet's login password from its database, from what "
        "its owner remembers, on every core."
    )
    p.epilog = EPILOG
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.add_argument(
        "file",
        metavar="FILE",
        help="the backup (wallet-export.json or a .concordiumwallet file) or the wallet's database",
    )
    _candidate_options(p.add_argument_group("candidates"))
    _typo_options(p.add_argument_group("typos"))
    _running_options(p.add_argument_group("running"))
    _cluster_options(p.add_argument_group("a Dask cluster"))
    add_json_flag(p)
    p.set_defaults(func=run)


def _candidate_options(src: argparse._ArgumentGroup) -> None:
    """Where the candidates come from."""
    src.add_argument(
        "--candidates", metavar="LIST", action="append", default=[], help="a file with one candidate per line"
    )
    src.add_argument("--tokens", metavar="TOKENS", action="append", default=[], help="a file of pieces (syntax below)")
    src.add_argument(
        "--any-order", action="store_true", help="the pieces of --tokens may come in any order (btcrecover's default)"
    )
    src.add_argument("--min-tokens", type=int, metavar="N", help="join at least N pieces of --tokens")
    src.add_argument("--max-tokens", type=int, metavar="N", help="join at most N pieces of --tokens")
    src.add_argument(
        "--min-length",
        type=int,
        default=cands.DEFAULT_MIN_LENGTH,
        metavar="N",
        help="skip candidates shorter than N characters (default 6, the Desktop Wallet's rule)",
    )


def _typo_options(typ: argparse._ArgumentGroup) -> None:
    """Which typos are tried."""
    typ.add_argument(
        "--typos", type=int, default=0, metavar="N", help=f"also try variants with up to N typos (0-{cands.MAX_TYPOS})"
    )
    for kind, what in (
        ("case", "flipped case of one letter"),
        ("replace", "a neighbouring key instead"),
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
    typ.add_argument(
        "--keyboard",
        choices=KEYBOARDS,
        default=DEFAULT_KEYBOARD,
        help="layout whose neighbouring keys a replace typo tries (default us)",
    )
    typ.add_argument(
        "--replace-chars", metavar="CHARS", help="a replace typo tries these characters instead of the neighbours"
    )
    typ.add_argument(
        "--typos-map",
        metavar="FILE",
        help="substitutions applied everywhere, one typo each (btcrecover's format: 'o 0' per line)",
    )
    for kind in (*cands.TYPO_KINDS, "map"):
        typ.add_argument(
            f"--max-typos-{kind}", type=int, metavar="N", dest=f"max_typos_{kind}", help=f"at most N '{kind}' typos"
        )


def _running_options(run_group: argparse._ArgumentGroup) -> None:
    """How the search runs here: workers, checkpoint, slices, listing, output."""
    run_group.add_argument("--workers", type=int, default=None, metavar="N", help="processes (default: every core)")
    run_group.add_argument(
        "--checkpoint",
        metavar="PATH",
        help=f"progress file for resuming (default: FILE{CHECKPOINT_SUFFIX}; none for the wallet's database); "
        "holds no candidate",
    )
    run_group.add_argument("--no-checkpoint", action="store_true", help="keep no progress file")
    run_group.add_argument(
        "--worker",
        metavar="K/N",
        help="try only slice K of N (run 1/N … N/N on N computers: disjoint, together everything); "
        f"its own checkpoint FILE{CHECKPOINT_SUFFIX}-K-of-N",
    )
    run_group.add_argument("--skip", type=int, default=0, metavar="N", help="leave out the first N candidates")
    run_group.add_argument(
        "--list-candidates",
        nargs="?",
        const="-",
        metavar="LISTFILE",
        help="list what the search would try, in order, instead of searching: to a new file "
        "(mode 0600) or the terminal",
    )
    run_group.add_argument(
        "--count", action="store_true", help="count what the search would try (exact, no search) and stop"
    )
    run_group.add_argument(
        "--output", metavar="PATH", help="write the found password to this new file (mode 0600) instead of printing it"
    )
    run_group.add_argument("--no-progress", action="store_true", help="no progress bar")
    run_group.add_argument(
        "--yes", action="store_true", help="start even if the search is expected to take more than an hour"
    )


def _cluster_options(dask: argparse._ArgumentGroup) -> None:
    """Searching on a Dask cluster."""
    dask.add_argument("--cluster", metavar="ADDRESS", help="search on this Dask scheduler (tcp://… or tls://…)")
    dask.add_argument("--tls-ca", metavar="FILE", help="CA certificate that signed the cluster's certificates")
    dask.add_argument("--tls-cert", metavar="FILE", help="this client's certificate (PEM)")
    dask.add_argument("--tls-key", metavar="FILE", help="this client's private key (PEM)")
    dask.add_argument(
        "--cluster-timeout", type=float, default=10.0, metavar="SECONDS", help="give up connecting after (default 10)"
    )
    dask.add_argument(
        "--insecure-cluster",
        action="store_true",
        help="allow a plain tcp:// scheduler: anyone who reaches it can join as a worker, see the hints and answer",
    )
    dask.add_argument(
        "--spot-check",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="re-try this share (0-1) of every range here to catch a lying worker (default 0)",
    )
    dask.add_argument("--verbose", action="store_true", help="show Dask's own log")


def _check_output(path: str) -> None:
    """Fail now, not after a long search, if the output cannot be created (it is created only when found)."""
    if os.path.lexists(path):
        raise errors.OutputExistsError(
            f"{path} already exists", hint="Choose another --output name; the password is never written over a file."
        )
    folder = os.path.dirname(os.path.abspath(path))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise errors.WriteFailedError(f"Cannot create {path}: the folder is not writable")


def _write_output(path: str, password: str) -> None:
    """Create the output (mode 0600, never over a file) and write the password."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise errors.OutputExistsError(f"{path} already exists") from None
    except OSError as exc:
        raise errors.WriteFailedError(f"Cannot create {path}: {exc.strerror or exc}") from None
    try:
        with contextlib.suppress(OSError):
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(password + "\n")
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise errors.WriteFailedError(f"Cannot write {path}: {exc.strerror or exc}") from None


#: Other names tried, in the same folder, when ``--output`` cannot be created at the end.
FALLBACK_NAMES = 20


def _deliver(path: str, password: str) -> tuple[str | None, errors.BackupError | None]:
    """Write the found password to ``path``; if that fails, to ``PATH.found-N`` (new, exclusive), else nowhere
    (the caller shows it on the terminal).  (Where it went or None, the error that moved it.)"""
    try:
        _write_output(path, password)
        return path, None
    except errors.BackupError as exc:
        problem = exc
    for n in range(1, FALLBACK_NAMES + 1):
        try:
            _write_output(f"{path}.found-{n}", password)
            return f"{path}.found-{n}", problem
        except errors.OutputExistsError:
            continue
        except errors.BackupError:
            break
    return None, problem


def _candidates(args: argparse.Namespace) -> cands.Candidates:
    if args.workers is not None and args.workers < 1:
        raise errors.UsageError("--workers must be at least 1")
    kinds = [k for k in cands.TYPO_KINDS if not getattr(args, f"no_{k}")]
    limits = {k: v for k in (*cands.TYPO_KINDS, "map") if (v := getattr(args, f"max_typos_{k}")) is not None}
    return cands.Candidates(
        files=args.candidates,
        tokens_files=args.tokens,
        typos=args.typos,
        typo_kinds=kinds,
        insert_chars=args.insert_chars,
        min_length=args.min_length,
        any_order=args.any_order,
        min_tokens=args.min_tokens,
        max_tokens=args.max_tokens,
        replace_chars=args.replace_chars,
        keyboard=args.keyboard,
        typo_limits=limits,
        typos_map=args.typos_map,
    )


def _engine(args: argparse.Namespace) -> Engine:
    if args.workers is not None and args.workers < 1:
        raise errors.UsageError("--workers must be at least 1")
    if not args.cluster:
        if args.spot_check:
            raise errors.UsageError("--spot-check checks a cluster's workers: give --cluster too")
        return LocalEngine(args.workers)
    from toolkit.ops.recovery.cluster import DaskEngine, tls_security

    return DaskEngine(
        args.cluster,
        security=tls_security(args.tls_ca, args.tls_cert, args.tls_key),
        insecure=args.insecure_cluster,
        timeout=args.cluster_timeout,
        spot_check=args.spot_check,
        verbose=args.verbose,
    )


def _worker(args: argparse.Namespace) -> tuple[int, int] | None:
    if args.worker is None:
        return None
    k, sep, n = args.worker.partition("/")
    if not (sep and k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise errors.UsageError("--worker takes K/N with 1 <= K <= N, e.g. --worker 1/3")
    return int(k), int(n)


def _list(args: argparse.Namespace, info: TextIO, candidates: cands.Candidates, part: Slice) -> int:
    """--count / --list-candidates: exactly what the search would try, in its order; no search."""
    inputs = (args.file, *args.candidates, *args.tokens, *([args.typos_map] if args.typos_map else []))
    target = args.list_candidates
    if target is not None and target != "-":
        check_output_path(target, inputs, force=False)
    total = candidates.count().total
    size = part.size(total)
    if target is None:
        if args.json:
            print_json({"count": size, "total": total})
        else:
            print(f"{size:,} candidates" + (f" in this slice of {total:,}" if size != total else ""), file=info)
        return 0
    listed = (c for _, c in walk(candidates, part))
    if target == "-":  # the terminal: one per line, neutralised (a file holds them exactly)
        for c in listed:
            sys.stdout.write(safe_text(c) + "\n")
        sys.stdout.flush()
    else:
        write_bytes_atomic(target, "".join(c + "\n" for c in listed).encode("utf-8", "surrogatepass"), protect=inputs)
    print(f"{size:,} candidates listed" + (f" in {target} (mode 0600)" if target != "-" else ""), file=sys.stderr)
    return 0


def run(args: argparse.Namespace) -> int:
    info: TextIO = sys.stderr if args.json else sys.stdout
    if not (args.candidates or args.tokens):
        raise errors.CandidatesError("No candidates", hint="Give --candidates LIST and/or --tokens TOKENS.")
    candidates = _candidates(args)
    worker = _worker(args)
    if args.skip < 0:
        raise errors.UsageError("--skip must be 0 or more")
    part = Slice.make(worker, args.skip)
    if args.list_candidates is not None or args.count:
        return _list(args, info, candidates, part)
    target = read_target(args.file)  # a file that is neither a backup nor a wallet database fails before counting
    suffix = CHECKPOINT_SUFFIX + (f"-{worker[0]}-of-{worker[1]}" if worker else "")
    # Nothing is written beside the wallet's database unless named (its folder is the wallet's own).
    default = None if target.what == "database" else args.file + suffix
    checkpoint = None if args.no_checkpoint else (args.checkpoint or default)
    inputs = (args.file, *args.candidates, *args.tokens, *([args.typos_map] if args.typos_map else []))
    for written in (checkpoint, args.output):
        if written:
            refuse_same_file(written, inputs)

    if args.output:
        _check_output(args.output)
    engine = _engine(args)
    try:
        return _run(args, info, target, candidates, checkpoint, engine, part)
    finally:
        engine.close()


def _run(
    args: argparse.Namespace,
    info: TextIO,
    target: Target,
    candidates: cands.Candidates,
    checkpoint: str | None,
    engine: Engine,
    part: Slice,
) -> int:
    worker = (part.worker, part.workers) if part.workers > 1 else None
    estimate = plan(target, candidates, engine, worker=worker)
    print(estimate.text, file=info, flush=True)
    for note in engine.notes():
        emit(f"note: {note}", sys.stderr)
    refusal = estimate.confirmation()
    if refusal is not None and not args.yes:
        raise refusal
    print("Counting candidates…", file=sys.stderr, flush=True)
    search = PasswordSearch(target, candidates, checkpoint=checkpoint, worker=worker, skip=part.skip)
    counts = search.counts
    skipped = []
    if counts.duplicates:
        skipped.append(f"{counts.duplicates:,} duplicates")
    if counts.too_short:
        skipped.append(f"{counts.too_short:,} shorter than {candidates.min_length} characters")
    print(
        f"{search.total:,} candidates to try"
        + (f" (slice {part.worker}/{part.workers} of {counts.total:,})" if part.workers > 1 else "")
        + (f" (from candidate {part.skip:,} on)" if part.skip else "")
        + (f" ({' and '.join(skipped)} skipped)" if skipped else "")
        + f", {target.cost()}, on {engine.describe()}",
        file=info,
        flush=True,
    )
    if checkpoint is None and not args.no_checkpoint:
        print("No progress file is kept beside the wallet's database: --checkpoint PATH keeps one.", file=info)
    if search.resumed:
        print(f"Resuming: {search.resumed:,} already tried (checkpoint {checkpoint})", file=info, flush=True)

    result, signum = _search(search, args, engine, info)
    output = args.output
    if args.output and result.found and result.password is not None:
        output, moved = _deliver(args.output, result.password)
        if moved is not None:
            where = f"it is in {output} instead" if output else "it is shown here instead"
            emit(f"concordium-backup: warning: {moved.code}: {moved.reason}; {where}.", sys.stderr)
    code = _report(result, args, info, checkpoint, signum, output, search_what=target.what)
    if result.found:
        search.forget()  # the password reached its user: only now is the checkpoint gone
    return code


def _search(
    search: PasswordSearch, args: argparse.Namespace, engine: Engine, info: TextIO
) -> tuple[RecoveryResult, int]:
    """Run with a progress bar; Ctrl-C, SIGTERM and SIGHUP stop it cleanly (the signal is returned)."""
    from tqdm import tqdm

    stop = threading.Event()
    received: list[int] = []

    def on_signal(signum: int, frame: Any) -> None:
        if stop.is_set() and signum == signal.SIGINT:  # a second Ctrl-C: stop harder (the checkpoint is still saved)
            raise KeyboardInterrupt
        received.append(signum)
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

    def on_engine(engine: Any) -> None:
        if engine.dashboard:
            print(f"Dask dashboard: {safe_text(engine.dashboard)}", file=info, flush=True)

    old = {sig: signal.signal(sig, on_signal) for sig in STOP_SIGNALS}
    try:
        result = search.run(engine, progress=progress, stop=stop, on_engine=on_engine)
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
        bar.close()
    return result, (received[0] if received else signal.SIGINT)


def _report(
    result: RecoveryResult,
    args: argparse.Namespace,
    info: TextIO,
    checkpoint: str | None,
    signum: int,
    output: str | None,
    search_what: str = "backup",
) -> int:
    for worker in result.failed_workers:
        emit(
            f"concordium-backup: warning: cluster-disagreement: {worker} hid a match this computer's spot-check "
            "found; stop that worker",
            sys.stderr,
        )
    if result.found:
        return _report_found(result, args, output)
    if result.stopped:
        return _report_stopped(result, args, info, checkpoint, signum)
    return _report_exhausted(result, args, checkpoint, search_what)


def _report_found(result: RecoveryResult, args: argparse.Namespace, output: str | None) -> int:
    """The found password, as JSON or text (in ``output`` when given, not on the terminal)."""
    shown = None if output else result.password
    if args.json:
        obj: dict[str, Any] = {"found": True, "password": shown, "tried": result.tried, "total": result.total}
        obj.update(engine=result.engine, workers=result.workers)
        obj["kind"] = result.kind
        if result.rekeyed:
            obj["rekeyed"] = True
        if output:
            obj["output"] = output
        if result.failed_workers:
            obj["failedWorkers"] = list(result.failed_workers)
        if result.problem is not None:
            obj["error"] = result.problem.to_dict()
        print_json(obj)
    else:
        _print_found(result, output)
    if result.problem is not None:
        emit(f"concordium-backup: {result.problem.code}: {result.problem.message}", sys.stderr)
        return EXIT_UNUSABLE
    return EXIT_FOUND


def _print_found(result: RecoveryResult, output: str | None) -> None:
    """The found password as text: what kind of file it opens, the password or where it was written, and notes."""
    what = {
        "desktop-wallet": "a Desktop Wallet backup",
        "legacy-mobile-wallet": "a legacy mobile wallet backup",
        "desktop-wallet-database": "the Desktop Wallet's database",
    }
    print(
        f"Found the password after {result.tried:,} candidates"
        + (f" ({what[result.kind]})" if result.kind in what else "")
    )
    if output:
        emit(f"The password is in {output} (readable only by you).")
    else:
        assert result.password is not None
        emit(f"Password: {result.password}")
        if safe_text(result.password) != result.password:
            print("(Characters that cannot be shown are written escaped, like \\x1b; --output writes it exactly.)")
        if result.password != result.password.strip():
            print("(It begins or ends with a space.)")
    if result.rekeyed:
        print(
            "(It is the part of a candidate before its first '.' or ' as ': the wallet's password change to "
            "that candidate re-keyed the database to this part and failed.)"
        )


def _report_stopped(
    result: RecoveryResult, args: argparse.Namespace, info: TextIO, checkpoint: str | None, signum: int
) -> int:
    """A search stopped by a signal: how far it got and how to resume."""
    if args.json:
        print_json(
            {
                "found": False,
                "password": None,
                "tried": result.tried,
                "total": result.total,
                "stopped": True,
                "checkpoint": checkpoint,
                "engine": result.engine,
                "workers": result.workers,
            }
        )
    where = f"; run the same command again to resume (checkpoint {checkpoint})" if checkpoint else ""
    print(f"Stopped after {result.tried:,} of {result.total:,} candidates{where}.", file=info)
    return 128 + signum


def _report_exhausted(
    result: RecoveryResult, args: argparse.Namespace, checkpoint: str | None, search_what: str
) -> int:
    """Every candidate tried, none opened the file (in the cluster workers' word, unless spot-checked)."""
    if args.json:
        obj = {
            "found": False,
            "password": None,
            "tried": result.tried,
            "total": result.total,
            "engine": result.engine,
            "workers": result.workers,
        }
        if not result.trusted:
            obj.update(trusted=False, spotChecked=result.spot_checked)
        print_json(obj)
    elif result.trusted:
        print(f"Exhausted after {result.tried:,} candidates: the password is not among them.")
        if search_what == "database":
            print("(Each candidate with '.' or ' as ' was also tried as the part before it.)")
    else:
        print(
            f"Exhausted after {result.tried:,} candidates: not found by the cluster's workers (their word; "
            + (
                f"{result.spot_checked:,} re-tried here agreed)."
                if result.spot_checked
                else "--spot-check SHARE re-tries a share of every range here)."
            )
        )
    if not args.json:
        if result.tried == result.resumed and checkpoint:
            print(f"(All of them were tried by earlier runs; the checkpoint {checkpoint} is kept.)")
        print("Try more typos (--typos), more alternatives in the tokens, or a lower --min-length.")
    return EXIT_EXHAUSTED
