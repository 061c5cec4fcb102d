"""The Password recovery form: candidates and typo options → a search on every core, with progress, rate and ETA.

The search runs in a background thread (the kernel stays free, so **Stop**
works); :meth:`RecoveryForm.run` waits for it, for notebooks run top to
bottom and for tests.  A found password is never shown: the form says it was
found and opens the backup with it (``form.backup``), ready to re-export with
a new password.  Candidates typed into the form are cleared when the search
starts (a line under the button keeps saying what is searched, never a
candidate), and an uploaded candidates file is dropped from the widget then.

Nothing is hidden between presses: a Start refused for a confirmation leaves
every box as it was, and the tick confirms only the definition whose estimate
was shown.  A stopped search is kept (in the kernel, by the file's and the
definition's digests): typing the same definition again continues it where it
stopped.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections import OrderedDict
from typing import Any

import ipywidgets as widgets

from toolkit import errors
from toolkit.model.backup import Backup, open_backup
from toolkit.ops.recovery import TYPO_KINDS, Candidates, PasswordSearch, RecoveryResult, available_cpus
from toolkit.ops.recovery.candidates import MAX_TYPOS, CandidateCount, CountStopped
from toolkit.ops.recovery.engines import Engine, LocalEngine
from toolkit.ops.recovery.grammar import parse_tokens, pieces_tokens
from toolkit.ops.recovery.search import Estimate, plan
from toolkit.ops.recovery.targets import Target, read_target

from . import page
from .files import FileSource
from .form import Form, wide
from .html import esc, message_html, muted_html, pairs_html

TYPO_HELP = {
    "case": "one letter's case flipped",
    "replace": "one key's neighbour on a US keyboard typed instead",
    "swap": "two neighbours swapped",
    "delete": "one character left out",
    "repeat": "one character typed twice",
    "insert": "one extra letter or digit",
    "capslock": "Caps Lock on",
}


def duration(seconds: float) -> str:
    """``about 3 s`` / ``about 4 min`` / ``about 2.5 h`` / ``about 3.0 days``."""
    if seconds < 90:
        return f"about {max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"about {round(seconds / 60)} min"
    if seconds < 48 * 3600:
        return f"about {seconds / 3600:.1f} h"
    return f"about {seconds / 86400:.1f} days"


def progress_line(tried: int, total: int, rate: float, *, eta: bool = True) -> str:
    """``1,234 of 3,153 tried · 590 passwords/s · about 3 s left``."""
    parts = [f"{tried:,} of {total:,} tried"]
    if rate > 0:
        parts.append(f"{rate:,.0f} passwords/s")
        if eta and total > tried:
            parts.append(f"{duration((total - tried) / rate)} left")
    return " · ".join(parts)


def plural(n: int, word: str, many: str = "") -> str:
    """``1 typed line`` / ``3 typed lines``."""
    return f"{n:,} {word if n == 1 else many or word + 's'}"


def skipped_text(counts: CandidateCount | None, min_length: int) -> str:
    """``20 skipped: shorter than 6 characters`` (one reason), ``23 skipped: 20 shorter than 6 characters,
    3 repeats of an earlier one`` (two); "" when none was skipped."""
    if counts is None:
        return ""
    reasons = []
    if counts.too_short:
        reasons.append((counts.too_short, f"shorter than {min_length} characters"))
    if counts.duplicates:
        reasons.append((counts.duplicates, "repeat" + ("s" if counts.duplicates != 1 else "") + " of an earlier one"))
    if not reasons:
        return ""
    total = sum(n for n, _ in reasons)
    if len(reasons) == 1:
        return f"{total:,} skipped: {reasons[0][1]}"
    return f"{total:,} skipped: " + ", ".join(f"{n:,} {why}" for n, why in reasons)


#: Said of a Desktop Wallet database (docs: WALLET-DB.md, "How the wallet opens and changes it"; the wallet's
#: preload/database/general.ts:46 re-keys with knex's identifier binding, which splits at '.' and ' as ').
DATABASE_NOTE = (
    "each candidate with '.' or ' as ' in it is also tried as the part before it: a password change to such a "
    "password leaves the wallet's database locked with that part (a Desktop Wallet bug)"
)


def _lines(text: str) -> list[str]:
    """Candidate lines as the candidates files are read: only the line ending is removed, empty lines skipped."""
    text = text.removeprefix("\ufeff")
    return [line.removesuffix("\r") for line in text.split("\n") if line.removesuffix("\r")]


#: Stopped searches kept per form (the same definition typed again continues one).
MAX_KEPT = 4


class RecoveryForm(Form):
    """Search for a forgotten password among what the owner remembers.

    Candidates come from a candidates file (upload or path; one per line),
    lines typed into the form, and/or token lines (pieces combined in order,
    see :mod:`toolkit.ops.recovery.candidates`).  ``typos`` adds variants with up
    to that many typos of the chosen kinds.

    Attributes: ``result`` (:class:`~toolkit.ops.recovery.RecoveryResult`; its
    ``password`` is there for code, never shown), ``backup`` (the backup,
    opened with the found password), ``search`` (the prepared
    :class:`~toolkit.ops.recovery.PasswordSearch`; after **Stop**, **Start**
    continues it where it stopped).
    """

    title = "Recover a forgotten password"
    action = "Start"
    failure = "The search could not run"
    working = "searching for the password of"

    def __init__(self, *, session: Any = None) -> None:
        self._make_candidate_inputs()
        self._make_typo_inputs()
        self._make_cluster_inputs()
        self._make_run_state()
        kinds = widgets.HBox(
            [
                widgets.Label("Typo kinds", layout=widgets.Layout(width="auto", margin="0 12px 0 0")),
                *self.typo_kinds.values(),
            ]
        )
        super().__init__(
            [
                self.file,
                self.candidates_file,
                self.words,
                self.tokens,
                self.pieces,
                self.pieces_first,
                self.pieces_last,
                widgets.HBox([self.pieces_all, self.any_order]),
                self.typos,
                kinds,
                self.workers,
                self.cluster,
                self.insecure,
                self.tls,
                self.estimate,
                self.confirm,
            ],
            beside_button=[self.stop_button, widgets.VBox([self.progress, self.progress_text, self.searching])],
            session=session,
        )
        self.button.icon = "search"
        self._observe_inputs()

    def _make_candidate_inputs(self) -> None:
        """The locked file and what the owner remembers: a candidates file, typed lines, token lines, pieces."""
        self.file = FileSource("locked backup")
        self.candidates_file = FileSource("candidates", accept=".txt")
        self.candidates_file.path.placeholder = (
            "candidates file, one per line, e.g. data/samples/forgotten-candidates.txt"
        )
        self.words = widgets.Textarea(
            placeholder="…and/or type candidates here, one per line (cleared when the search starts)",
            layout={"width": "40em", "height": "5em"},
        )
        self.tokens = widgets.Textarea(
            placeholder="…and/or token lines: one piece per line, alternatives separated by spaces, '+' first = required",
            layout={"width": "40em", "height": "4em"},
        )
        # "Pieces I remember": the same definition as a tokens file, without its grammar (grammar.pieces_tokens).
        self.pieces = widgets.Textarea(
            placeholder="…and/or pieces I remember, one per line; a piece's variants separated by spaces "
            "(e.g. Tiger tiger)",
            layout={"width": "40em", "height": "4em"},
        )
        self.pieces_first = widgets.Text(
            placeholder="a piece that, if used, comes first (variants separated by spaces)",
            description="At the start",
            layout={"width": "40em"},
        )
        self.pieces_last = widgets.Text(
            placeholder="a piece that, if used, comes last", description="At the end", layout={"width": "40em"}
        )
        self.pieces_all = widgets.Checkbox(
            value=True, description="every piece is in the password", indent=False, layout=widgets.Layout(width="auto")
        )
        self.any_order = widgets.Checkbox(
            value=False,
            description="pieces (and token lines) in any order",
            indent=False,
            layout=widgets.Layout(width="auto"),
        )

    def _make_typo_inputs(self) -> None:
        """How many typos of which kinds."""
        self.typos = widgets.IntSlider(value=1, min=0, max=MAX_TYPOS, description="Typos")
        self.typo_kinds = {
            kind: widgets.Checkbox(
                value=True,
                description=kind,
                indent=False,
                tooltip=TYPO_HELP.get(kind, kind),
                layout=widgets.Layout(width="auto", margin="0 12px 0 0"),
            )
            for kind in TYPO_KINDS
        }

    def _make_cluster_inputs(self) -> None:
        """Where the search runs: this computer's processes, or a Dask cluster (TLS files, or plain tcp:// allowed)."""
        self.workers = widgets.BoundedIntText(value=available_cpus(), min=1, max=256, description="Processes")
        self.cluster = widgets.Text(
            placeholder="empty: this computer's cores; or a Dask scheduler, e.g. tcp://10.0.0.5:8786",
            description="Cluster",
            layout={"width": "40em"},
        )
        self.tls_ca = widgets.Text(
            placeholder="the CA certificate (PEM) that signed the cluster's", description="CA", layout=wide()
        )
        self.tls_cert = widgets.Text(
            placeholder="this computer's certificate (PEM)", description="Certificate", layout=wide()
        )
        self.tls_key = widgets.Text(placeholder="this computer's private key (PEM)", description="Key", layout=wide())
        self.insecure = widgets.Checkbox(
            value=False,
            description="Allow a plain tcp:// cluster: anyone who can reach the scheduler can join, see the hints "
            "and answer for it",
            indent=False,
            layout=wide(),
        )
        self.tls = widgets.Accordion(
            [widgets.VBox([self.tls_ca, self.tls_cert, self.tls_key])], titles=("TLS files, for a tls:// cluster",)
        )

    def _make_run_state(self) -> None:
        """The estimate, its confirmation, the progress line and the search's kernel-only state."""
        self.estimate = widgets.HTML()
        self.confirm = widgets.Checkbox(
            value=False, description="Start even if it may take more than an hour", indent=False, layout=wide()
        )
        #: What the next, running or last search covers, in words (no candidate), under the button.
        self.searching = widgets.HTML()
        self.searching.add_class("ctk-searching")
        #: The definition (file digest, candidates digest) whose estimate a refusal showed: the tick confirms it.
        self._asked: tuple[str, str] | None = None
        #: The running or stopped search's definition, and stopped searches by definition (kernel only).
        self._key: tuple[str, str] | None = None
        self._stopped: OrderedDict[tuple[str, str], tuple[PasswordSearch, str]] = OrderedDict()
        self._said = ""
        #: Candidates whose counting was stopped (Continue counts them again).
        self._uncounted: Candidates | None = None
        self.stop_button = widgets.Button(description="Stop", icon="stop", disabled=True, button_style="warning")
        self.stop_button.on_click(lambda _b: self.stop())
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="Tried", bar_style="info")
        self.progress_text = widgets.HTML()
        self.result: RecoveryResult | None = None
        self.backup: Backup | None = None
        self.search: PasswordSearch | None = None
        self._source: Any = None
        self._target: Target | None = None
        self._name = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: The click's thread that reads and plans before the search's own thread starts.
        self._planner: threading.Thread | None = None

    def _observe_inputs(self) -> None:
        """A changed input forgets the prepared search; another file also clears the progress bar."""
        for w in (self.file.upload, self.file.path, self.candidates_file.upload, self.candidates_file.path):
            w.observe(self._forget_search, names="value")
        inputs = (
            self.words,
            self.tokens,
            self.pieces,
            self.pieces_first,
            self.pieces_last,
            self.pieces_all,
            self.any_order,
            self.typos,
            *self.typo_kinds.values(),
        )
        for w in inputs:
            w.observe(self._forget_search, names="value")
        for w in self.file.upload, self.file.path, *(() if self.file.pick is None else (self.file.pick,)):
            w.observe(self._forget_bar, names="value")

    def restrict(self, mode: page.PageMode) -> None:
        """Page mode: no Cluster or TLS fields (or only the operator's schedulers), see :mod:`toolkit.widgets.page`."""
        page.guard_recovery(self, mode)

    # ---------------------------------------------------------------- state
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _forget_search(self, change: dict[str, Any]) -> None:
        """New inputs: the next Start plans them (a stopped search stays kept: the same definition continues it);
        what the lines under the button say is about the inputs as they were."""
        if self.running:
            return
        cleared = not change["new"] and change["owner"] in (*self._cleared_inputs, self.candidates_file.upload)
        if cleared:  # the form empties those itself once it has read them
            return
        if self.search is not None or self._uncounted is not None:
            self.search = self._uncounted = None
            self.button.description = self.action
        if self.searching.value and "ctk-changed" not in self.searching.value:
            self.searching.value = muted_html(
                "The inputs changed: press Start to see what will be searched (the same definition as a stopped "
                "search continues it).",
                "ctk-changed",
            )

    def _forget_bar(self, change: dict[str, Any]) -> None:
        """Another file: the bar, its line and the estimate were about the last file's run."""
        if self.running or change.get("old") == change.get("new"):
            return
        self.progress.value, self.progress.max, self.progress.bar_style = 0, 1, "info"
        self.progress_text.value = self.estimate.value = self.searching.value = ""
        self._asked = None

    @property
    def _cleared_inputs(self) -> tuple[Any, ...]:
        """The fields the form empties itself once it has read them (the owner's hints leave the widget state)."""
        return (self.words, self.tokens, self.pieces, self.pieces_first, self.pieces_last)

    def _reset(self) -> None:
        self.result, self.backup = None, None

    # ---------------------------------------------------------------- inputs
    def candidates(self) -> Candidates:
        """The candidates the form describes, read from the boxes as they are (:meth:`clear_typed` empties them
        once a search starts).  An error names the box it is about (its ``subject``; hints in :mod:`.hints`)."""
        files: list[str] = []
        words: list[str] = _lines(self.words.value)
        tokens = self.tokens.value
        texts = [tokens] if tokens.strip() else []
        if texts:
            try:
                parse_tokens(tokens)
            except errors.CandidatesError as exc:
                raise errors.CandidatesError(exc.reason, subject="tokens") from None
        pieces, first, last = self.pieces.value, self.pieces_first.value, self.pieces_last.value
        if pieces.strip() or first.strip() or last.strip():
            try:
                texts.append(
                    pieces_tokens(
                        _lines(pieces), first=_lines(first), last=_lines(last), required=self.pieces_all.value
                    )
                )
            except errors.CandidatesError as exc:
                raise errors.CandidatesError(exc.reason, subject="pieces") from None
        upload = self.candidates_file.upload.value
        if upload:
            item = upload[0]
            try:
                words += _lines(bytes(item["content"]).decode("utf-8"))
            except UnicodeDecodeError:
                raise errors.CandidatesError(
                    f"The candidates file {item.get('name')} is not UTF-8 text", subject="file"
                ) from None
        elif self.candidates_file.path.value.strip():
            files.append(self.candidates_file.read()[0])  # type: ignore[arg-type]
        if not (files or words or texts):
            raise errors.CandidatesError("No candidates to try", subject="none")
        kinds = [k for k, box in self.typo_kinds.items() if box.value]
        try:
            return Candidates(
                files=files,
                words=words,
                tokens=texts or None,
                typos=self.typos.value,
                typo_kinds=kinds,
                any_order=self.any_order.value,
            )
        except errors.CandidatesError as exc:
            if "typo" in exc.reason.lower() and not exc.has_own_hint:
                raise errors.CandidatesError(exc.reason, subject="typos") from None
            raise

    def clear_typed(self) -> None:
        """A search starts: the typed candidates, token lines and pieces leave the page and the widget state,
        and an uploaded candidates file leaves the widget (the line under the button says what is searched)."""
        for box in self._cleared_inputs:
            box.value = ""
        if self.candidates_file.upload.value:
            self.candidates_file.upload.value = ()

    def definition_said(self, target: Target) -> str:
        """What the boxes define, in words and counts (never a candidate): ``3 token lines; up to 1 typo (case,
        swap)``."""
        parts = []
        typed = len(_lines(self.words.value))
        if typed:
            parts.append(plural(typed, "typed candidate"))
        token_lines = len([ln for ln in _lines(self.tokens.value) if ln.strip()])
        if token_lines:
            parts.append(plural(token_lines, "token line"))
        pieces = len([ln for ln in _lines(self.pieces.value) if ln.strip()])
        anchored = [
            w for w, box in (("at the start", self.pieces_first), ("at the end", self.pieces_last)) if box.value.strip()
        ]
        if pieces or anchored:
            said = plural(pieces, "piece") + (" (every one used)" if pieces and self.pieces_all.value else "")
            parts.append(said + "".join(f", one {w}" for w in anchored))
        upload = self.candidates_file.upload.value
        if upload:
            parts.append(f"the candidates file {upload[0].get('name') or 'upload'}")
        elif self.candidates_file.path.value.strip():
            parts.append(f"the candidates file {os.path.basename(self.candidates_file.path.value.strip())}")
        if self.any_order.value and (token_lines or pieces):
            parts.append("in any order")
        n = self.typos.value
        kinds = [k for k, box in self.typo_kinds.items() if box.value]
        parts.append(f"up to {plural(n, 'typo')} ({', '.join(kinds)})" if n else "no typos")
        said = "; ".join(parts)
        if target.what == "database":
            said += f". A Desktop Wallet database: {DATABASE_NOTE}"
        return said

    # ---------------------------------------------------------------- running
    def _on_click(self, _button: widgets.Button) -> None:
        """Start in a thread: reading, planning and estimating a large definition takes seconds, and the page's
        Stop (enabled at once) must reach the kernel meanwhile.  A second click while it plans does nothing."""
        planner = self._planner
        if self.running or (planner is not None and planner.is_alive()):
            return
        self._stop.clear()
        self.button.disabled, self.stop_button.disabled = True, False
        self._show_working()
        self._planner = threading.Thread(target=self._plan_then_run, daemon=True, name="ctk-recovery-plan")
        self._planner.start()

    def _plan_then_run(self) -> None:
        self.run(wait=False, stop_kept=True)
        if not self.running:  # refused, failed or stopped before it began: Start again, nothing to stop
            self.stop_button.disabled, self.button.disabled = True, False

    def run(  # type: ignore[override]
        self, *, wait: bool = True, timeout: float | None = None, stop_kept: bool = False
    ) -> RecoveryResult | None:
        """Start (or continue) the search; with ``wait`` return its result once it ends.

        The button calls ``run(wait=False)`` in a thread: the search goes on in another and
        the form shows its progress; :meth:`stop` ends it early (``stop_kept``: a Stop pressed since the
        click counts, even before the search began).
        """
        if self.running:
            return self.wait(timeout) if wait else None
        if not stop_kept:
            self._stop.clear()
        resume = self.search is not None or self._uncounted is not None
        self._begin()
        fresh: Candidates | None = None
        halted = False
        try:  # a mistake in the cluster or TLS fields keeps a stopped search's progress
            engine = self.engine()
        except Exception as exc:
            self._since = None
            self._fail(exc)
            return None
        try:
            if resume:  # Continue: the stopped search, as the line under the button says
                fresh, self._uncounted = self._uncounted, None
                self._say("Continuing")
            else:
                fresh, halted = self._prepare(engine)
        except Exception as exc:
            engine.close()
            self.search = None
            self._since = None
            self._fail(exc)
            return None
        if halted:
            engine.close()
            self._since = None
            self._say("Not started")
            self.status.value = message_html("Stopped before the search began. Press <b>Start</b> to begin.", "warning")
            return None
        self.button.disabled, self.stop_button.disabled = True, False
        self.progress.bar_style = "info"
        self.progress.value = 0 if self.search is None else self.search.tried
        self.progress_text.value = "counting the candidates…" if fresh is not None else ""
        # counting the candidates can take minutes too: it happens in the thread, after the "Working…" line
        self._thread = threading.Thread(target=self._search, args=(fresh, engine), daemon=True)
        self._worker = self._thread
        self._thread.start()
        return self.wait(timeout) if wait else None

    def _prepare(self, engine: Engine) -> tuple[Candidates | None, bool]:
        """A new definition: read the file and candidates, continue a stopped search of the same definition or
        plan a new one (a large one asks for the tick first).  Returns (candidates to count, halted by Stop)."""
        fresh: Candidates | None = None
        halted = False
        source, name = self.file.read()
        target = read_target(source)
        candidates = self.candidates()
        key = (hashlib.sha256(target.data).hexdigest(), candidates.definition_digest().hex())
        said = self.definition_said(target)
        stopped = self._stopped.pop(key, None)
        self._name = name
        if stopped is not None:  # the same definition as a stopped search: it continues (confirmed then)
            self.search, self._said = stopped
            self._say("Continuing")
        else:
            estimate = plan(target, candidates, engine)
            self.estimate.value = esc(estimate.text)
            self._said = f"{said}. {self._sized(estimate)}"
            refusal = estimate.confirmation()
            if refusal is not None and not (self.confirm.value and self._asked in (None, key)):
                # asked for this definition, as shown; the boxes keep what they hold: Start asks again
                self._asked = key
                self.confirm.value = False
                self._say("Would search")
                raise refusal
            self._say("Searching")
            fresh = candidates  # counted in the thread, where Stop reaches it
        if self._stop.is_set():  # Stop pressed while it planned: nothing starts, the boxes stay
            if stopped is not None:
                self._stopped[key] = stopped
            self.search = None
            halted = True
        else:
            self._source, self._target, self._key = source, target, key
            self._asked = None
            self.confirm.value = False  # the tick was for this search: another one is asked for again
            self.clear_typed()
        return fresh, halted

    def wait(self, timeout: float | None = None) -> RecoveryResult | None:
        """Until the running search ends (or ``timeout`` seconds); its result."""
        planner = self._planner
        if planner is not None and planner is not threading.current_thread():
            planner.join(timeout)
        if self._thread is not None:
            self._thread.join(timeout)
        return self.result

    def stop(self) -> None:
        """Ask the search to stop (within about a quarter of a second); Start then continues it."""
        self._stop.set()

    def _report(self, tried: int, total: int, rate: float) -> None:
        self.progress.max = max(total, 1)
        self.progress.value = min(tried, self.progress.max)
        self.progress_text.value = esc(progress_line(tried, total, rate))

    def working_what(self) -> str:
        return f"{self.working} {self.file.chosen or 'the backup'}"

    def _say(self, verb: str) -> None:
        """The line under the button: ``Searching wallet-export.json: 3 token lines; up to 1 typo (…). At most …``."""
        said = self._said.rstrip(".")
        self.searching.value = muted_html(f"{verb} {self._name}: {said}.")

    @staticmethod
    def _sized(estimate: Estimate) -> str:
        """``At most 8,000 candidates, about 4 s on 2 processes.``"""
        where = estimate.where or plural(estimate.workers, "process", "processes")
        return f"At most {estimate.candidates:,} candidates, {duration(estimate.seconds)} on {where}."

    def _counting(self, so_far: int) -> None:
        self.progress_text.value = esc(f"counting the candidates… {so_far:,} so far")

    def engine(self) -> Engine:
        """Where the search runs: this computer's processes, or the cluster the fields name."""
        address = self.cluster.value.strip()
        if not address:
            return LocalEngine(max(1, int(self.workers.value)))
        from toolkit.ops.recovery.cluster import DaskEngine

        return DaskEngine(address, security=self.security(), insecure=self.insecure.value)

    def _on_engine(self, engine: Any) -> None:
        if engine.dashboard:
            self.estimate.value += esc(f" · Dask dashboard: {engine.dashboard}")

    def security(self) -> Any:
        """The cluster's TLS settings from the three file fields (None when all are empty)."""
        from toolkit.ops.recovery.cluster import tls_security

        paths = [os.path.expanduser(w.value.strip()) or None for w in (self.tls_ca, self.tls_cert, self.tls_key)]
        return tls_security(*paths)

    def _search(self, candidates: Candidates | None, engine: Engine) -> None:
        started = time.perf_counter()
        try:
            if candidates is not None:
                try:  # counting can take minutes: Stop works here too
                    candidates.count(stop=self._stop, progress=self._counting)
                except CountStopped as stopped:
                    self.search, self._uncounted = None, candidates  # the boxes are empty now: kept, not lost
                    self.progress_text.value = ""
                    self.button.description = "Continue"
                    self.status.value = message_html(
                        f"Stopped while counting the candidates ({stopped.args[0]:,} so far). Press <b>Continue</b> "
                        "to count them again and search, or change the candidates to start afresh.",
                        "warning",
                    )
                    engine.close()
                    return
                self.search = PasswordSearch(self._target, candidates)
            search = self.search
            self._report(search.resumed, search.total, 0.0)
            result = search.run(
                engine,
                progress=self._report,
                stop=self._stop,
                on_engine=self._on_engine,
            )
            self.result = result
            self._report(result.tried, result.total, result.rate)
            self.progress_text.value = esc(progress_line(result.tried, result.total, result.rate, eta=False))
            self._show(result, time.perf_counter() - started)
        except Exception as exc:
            engine.close()
            self.search = None
            self._fail(exc)
        finally:
            self._since = None
            if "ctk-working" in self.status.value:
                self.status.value = ""
            if self._said and "ctk-changed" not in self.searching.value:
                stopped = self.search is not None or self._uncounted is not None
                self._say("Stopped searching" if stopped else "Searched")
            self.stop_button.disabled, self.button.disabled = True, False

    def _show(self, result: RecoveryResult, elapsed: float) -> None:
        search = self.search
        skipped = skipped_text(search.counts, search.candidates.min_length) if search is not None else ""
        rows = [
            ("candidates", f"{result.total:,}"),
            ("skipped", skipped or "none"),
            ("tried", f"{result.tried:,}"),
            ("engine", "Dask cluster" if result.engine == "dask" else "this computer"),
            ("workers", result.workers),
        ]
        if result.found or not result.stopped:
            self._stopped.pop(self._key, None)  # type: ignore[arg-type]
        if result.found:
            self.search = None
            self.button.description = self.action
            self.progress.bar_style = "success"
            if result.problem is not None:
                self.error = errors.without_traceback(result.problem)
                self.status.value = message_html(
                    "<b>The password was found</b> (it is not shown here), but the file does not open: "
                    f"{esc(result.problem.message)}",
                    "warning",
                )
                return
            self.backup = open_backup(self._source, result.password or "")
            self.publish(self.backup, self._name, "password recovered")
            rekeyed = (
                " It is <b>not a whole candidate</b> but the part of one before its first '.' or ' as ': the "
                "owner's password change to that candidate locked the wallet with this part (a Desktop Wallet "
                "bug). The wallet opens with that part, not with the password the owner chose."
                if result.rekeyed
                else ""
            )
            self.ok(
                f"<b>Found the password of {esc(self._name)}</b> — it is not shown here.{rekeyed} The backup is "
                "open and in this session's list: export it with a new password the owner will remember."
            )
        elif result.stopped:
            if self._key is not None and search is not None:  # kept: the same definition typed again continues it
                self._stopped[self._key] = (search, self._said)
                while len(self._stopped) > MAX_KEPT:
                    self._stopped.popitem(last=False)
            self.button.description = "Continue"
            self.progress.bar_style = "warning"
            self.status.value = message_html(
                f"Stopped after {result.tried:,} of {result.total:,} candidates. Press <b>Continue</b> to go on "
                "where it stopped, or change the candidates to start afresh.",
                "warning",
            )
        else:
            self.search = None
            self.button.description = self.action
            self.progress.bar_style = "danger"
            said = "" if result.trusted else " — as the cluster's workers say (their word: this computer did not check)"
            if result.total == 0:
                head = f"<b>No candidate to try for {esc(self._name)}</b>: {esc(skipped or 'none was given')}"
            else:
                head = f"<b>None of the {result.total:,} candidates opens {esc(self._name)}</b>{esc(said)}"
                head += f" ({esc(skipped)})" if skipped else ""
            self.status.value = message_html(
                f"{head}. Add what else the owner may have used, or allow more typos.", "warning"
            )
        self.results.children = (widgets.HTML(pairs_html(rows)),)

    def describe(self) -> str:
        if self.running:
            return "searching"
        if self.result is not None:
            return self.result.status
        return super().describe()
