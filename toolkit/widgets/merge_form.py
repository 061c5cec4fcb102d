"""The Import preview form: what the Desktop Wallet does when a wallet holding A imports B.

A thin skin over :func:`toolkit.ops.merge.preview_import`: the messages the wallet
would show per record (coloured by result), its refusal if it would stop, and
the merged backup, which the Export form can write (``ExportForm(merge_form)``).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import pandas as pd

from toolkit import errors
from toolkit.model.backup import Backup
from toolkit.ops.merge import ImportPreview, empty_wallet, preview_import

from .downloads import DownloadBar, stem_of
from .files import FileSource, open_chosen
from .form import Form, wide
from .html import coloured_table_html, error_html, esc, message_html, muted_html, scroll_html
from .theme import ROW_TINTS

#: Row colours of the messages table, by result.
RESULT_COLOURS = {
    "added": ROW_TINTS["added"],
    "updated": ROW_TINTS["updated"],
    "exists": "",
    "skipped": ROW_TINTS["skipped"],
    "refused": ROW_TINTS["refused"],
}
#: Networks the wallet may be on, for files that name none.
NETWORK_CHOICES = [
    ("(as in the wallet's backup)", None),
    ("mainnet", "mainnet"),
    ("testnet", "testnet"),
    ("stagenet", "stagenet"),
]


def messages_html(messages: pd.DataFrame) -> str:
    """The messages table with each row coloured by its result."""
    return coloured_table_html(messages, "result", RESULT_COLOURS, "messages")


#: Said when the wallet (A) is its own database: the preview met its rows, not only its export.
FROM_ROWS = (
    "The wallet is its own database here: the import met its rows and id counters as stored, "
    "as the Desktop Wallet would."
)


class MergeForm(Form):
    """Preview importing a backup into a Desktop Wallet that holds another one.

    Attributes after :meth:`run`: ``preview`` (:class:`~toolkit.ops.merge.ImportPreview`),
    ``messages`` (``table, key, name, result, message, detail``), ``refusal``
    (the error that stops the import, or None), ``wallet_backup`` and
    ``imported_backup`` (A and B), and ``backup``: the merged wallet when the
    import would go through (None if it is refused), for ``ExportForm(form)``.
    """

    title = "Preview an import"
    action = "Preview import"
    failure = "Could not preview the import"
    working = "previewing the import"

    def __init__(self, *, session: Any = None) -> None:
        from .session import default_session

        self.session = session if session is not None else default_session()
        self.wallet = FileSource("wallet's backup (A)", session=self.session)
        self.wallet_password = widgets.Password(description="Password", placeholder="the wallet backup's password")
        self.imported = FileSource("backup to import (B)", session=self.session)
        self.imported_password = widgets.Password(description="Password", placeholder="the imported backup's password")
        self.same_password = widgets.Checkbox(description="B has the same password as A", indent=False, layout=wide())
        self.network = widgets.Dropdown(options=NETWORK_CHOICES, index=0, description="Wallet on")
        self.network_help = widgets.HTML(
            muted_html(
                "only for files made before Desktop Wallet 1.1.5, which name no network; a backup's own network "
                "always wins"
            )
        )
        self.drop_unknown_fields = widgets.Checkbox(
            description="Import B without fields the wallet's tables lack", indent=False, layout=wide()
        )
        self.drop_orphans = widgets.Checkbox(
            description="Leave out external credentials whose account is not in the wallet", indent=False, layout=wide()
        )
        #: The ways out the previews found, one checkbox per record of B (key -> checkbox): leave it out.
        self.leave_out: dict[str, widgets.Checkbox] = {}
        self.leave_out_box = widgets.VBox(layout=widgets.Layout(display="none"))
        self.leave_out_box.add_class("ctk-leave-out")
        #: Offered when B already holds everything A holds: preview B into a new, empty wallet instead.
        self.b_alone = widgets.Checkbox(
            description="Import B alone into a new, empty wallet instead of merging (B already holds all of A)",
            indent=False,
            layout=widgets.Layout(width="auto", display="none"),
        )
        self.preview: ImportPreview | None = None
        self.messages: pd.DataFrame | None = None
        self.refusal: Exception | None = None
        self.wallet_backup: Backup | None = None
        self.imported_backup: Backup | None = None
        self.backup: Backup | None = None
        super().__init__(
            [
                self.wallet,
                self.wallet_password,
                self.imported,
                self.imported_password,
                self.same_password,
                widgets.HBox([self.network, self.network_help]),
                self.drop_unknown_fields,
                self.drop_orphans,
                self.leave_out_box,
                self.b_alone,
            ]
        )
        self.button.icon = "code-branch"
        self.same_password.observe(lambda c: setattr(self.imported_password, "disabled", bool(c["new"])), names="value")
        for source in (self.wallet, self.imported):  # other files: the ways out found for these no longer apply
            for part in (source.upload, source.path, *(() if source.pick is None else (source.pick,))):
                part.observe(lambda _c: self.forget_ways_out(), names="value")

    def forget_ways_out(self) -> None:
        """Drop the leave-out choices and the "B alone" offer (another file was chosen)."""
        self.leave_out = {}
        self.leave_out_box.children = ()
        self.leave_out_box.layout.display = "none"
        self.b_alone.value = False
        self.b_alone.layout.display = "none"

    def _offer(self, fixes: list[dict[str, str]]) -> None:
        """Show the ways out a preview found as choices above the button (a choice made stays)."""
        for fix in fixes:
            if fix["fix"] == "leave_out" and fix["key"] not in self.leave_out:
                box = widgets.Checkbox(
                    description=fix["text"][:1].upper() + fix["text"][1:], indent=False, layout=wide()
                )
                self.leave_out[fix["key"]] = box
                self.leave_out_box.children = (*self.leave_out_box.children, box)
                self.leave_out_box.layout.display = None
            elif fix["fix"] == "import_into_empty_wallet":
                self.b_alone.layout.display = None

    @property
    def left_out(self) -> list[str]:
        """The keys of B's records the person chose to leave out."""
        return [key for key, box in self.leave_out.items() if box.value]

    def _reset(self) -> None:
        self.preview = self.messages = self.refusal = None
        self.wallet_backup = self.imported_backup = self.backup = None

    def _run(self, *, wallet_password: str | None = None, imported_password: str | None = None) -> ImportPreview:
        if self.same_password.value:
            wallet_password = wallet_password if wallet_password is not None else self.wallet_password.value
            imported_password = imported_password if imported_password is not None else (wallet_password or None)
        self.step("opening the wallet's backup (A)")
        a, a_name = open_chosen(self.wallet, self.wallet_password, wallet_password, subject="a")
        self.step(f"opening the backup to import (B), {self.imported.chosen or ''}".rstrip(", "))
        b, b_name = open_chosen(self.imported, self.imported_password, imported_password, subject="b")
        self.step(f"replaying the wallet's import of {b_name} into {'a new wallet' if self.b_alone.value else a_name}")
        alone = self.b_alone.value and self.b_alone.layout.display != "none"
        preview = preview_import(
            empty_wallet(a) if alone else a,
            b,
            wallet_network=self.network.value,
            drop_unknown_fields=self.drop_unknown_fields.value,
            drop_orphan_external_credentials=self.drop_orphans.value,
            leave_out=self.left_out,
        )
        self.wallet_backup, self.imported_backup = a, b
        self.preview, self.messages, self.refusal = preview, preview.messages, preview.refusal
        counts = preview.messages["result"].value_counts()
        tally = ", ".join(f"{int(counts[r]):,} {r}" for r in RESULT_COLOURS if r in counts)
        parts = []
        if preview.ok:
            self.backup = preview.backup
            into = "a new, empty wallet" if alone else f"a wallet holding <b>{esc(a_name)}</b>"
            took = []
            if preview.dropped:
                took.append(f"{len(preview.dropped):,} record(s) or field(s) of B left out")
            if alone:
                self.publish(self.backup, b_name, "imported alone into a new wallet")
            else:
                self.publish(self.backup, f"{a_name} + {b_name}", "merged by the import preview")
            self.ok(
                f"Importing <b>{esc(b_name)}</b> into {into} goes through: {esc(tally or 'nothing to import')}"
                + (f" ({esc('; '.join(took))})" if took else "")
                + "."
            )
        else:
            where = preview.stops_at or {}
            done = preview.imported_before_stop
            self.status.value = (
                message_html(esc(f"The Desktop Wallet would stop and show: {preview.outcome}"), "error")
                + error_html(self._refusal_shown(preview), "The Desktop Wallet would stop this import")
                + message_html(
                    esc(
                        f"It stops at {where.get('table', '?')} {where.get('key', '')}. What it imported before "
                        f"stopping stays (its import is not one transaction): {len(done):,} record(s) added or "
                        f"changed; {len(preview.not_imported):,} more not reached. The records so far: "
                        f"{tally or 'none'}."
                    ),
                    "warning",
                )
            )
            self._offer(preview.fixes)
        parts += [widgets.HTML(message_html(esc(n), "info")) for n in preview.notes]
        if preview.from_database_rows:
            parts.append(widgets.HTML(message_html(FROM_ROWS, "info")))
        if len(preview.messages):
            parts.append(widgets.HTML(scroll_html(messages_html(preview.messages), max_height="32em")))
            parts.append(DownloadBar(preview.messages, "import-messages", stem=stem_of(b_name)))
        if preview.ok:
            parts.append(
                widgets.HTML(
                    message_html("The merged wallet is in this session's list now: Export can write it.", "info")
                )
            )
        self.results.children = tuple(parts)
        return preview

    def _refusal_shown(self, preview: ImportPreview) -> Exception:
        """The refusal with its ways out said once, each naming the checkbox above that takes it."""
        refusal = preview.refusal
        if not isinstance(refusal, errors.IncompatibleDataError) or not preview.fixes:
            return refusal
        ways = [f"“{self._box_for(fix)}”" for fix in preview.fixes]
        said = ways[0] if len(ways) == 1 else ", or ".join([", ".join(ways[:-1]), ways[-1]])
        return errors.IncompatibleDataError(
            refusal.reason,
            hint="The Desktop Wallet would stop this import part-way and keep what it had imported. "
            f"Way out: tick {said} above and preview again.",
        )

    def _box_for(self, fix: dict[str, str]) -> str:
        """The label of the checkbox that takes ``fix``."""
        if fix["fix"] == "drop_unknown_fields":
            return self.drop_unknown_fields.description
        if fix["fix"] == "drop_orphan_external_credentials":
            return self.drop_orphans.description
        if fix["fix"] == "import_into_empty_wallet":
            return self.b_alone.description
        return fix["text"][:1].upper() + fix["text"][1:]

    def run(self, *, wallet_password: str | None = None, imported_password: str | None = None) -> Any:  # type: ignore[override]
        """Open both files and preview the import; passwords given here (scripts) never reach the widgets."""
        return super().run(wallet_password=wallet_password, imported_password=imported_password)

    def describe(self) -> str:
        if self.preview is not None:
            return "import goes through" if self.preview.ok else f"import refused ({self.preview.refusal.code})"
        return super().describe()
