"""Import preview: what the Desktop Wallet does when a wallet holding backup A imports backup B.

``preview_import(a, b)`` replays the Desktop Wallet's import (docs/FORMAT.md §3, in
the order its import code runs) on a copy of A's document, offline, and returns
an :class:`ImportPreview`: the merged document, one row per imported record
with the message the wallet shows next to it, and the refusal, if any.  Every
write goes through the wallet's database schema in memory
(:class:`toolkit.ops.walletdb.WalletDB`), so its constraints (NOT NULL, UNIQUE,
foreign keys, unknown columns), its ignored upserts and its defaults act as
in the wallet; a failing write stops the import where the wallet stops.
Nothing is written; ``toolkit.model.save.save_backup(preview.backup, ...)`` writes
the result.  ``merge_backups(a, b)`` is the same but raises the refusal.

What the Desktop Wallet does, rule by rule:

- **genesis**: B names a network and the wallet none, or another one: the
  whole import is refused ("The imported data was created on a different
  network.").  B without genesis is accepted anywhere.
- **wallets** (Ledgers) match on ``identifier``; same identifier with another
  ``id``: B's identities are re-pointed to A's wallet id.  New wallets get the
  next free id.
- **identities** match on identityNumber + identityObject + randomness (+ id
  and name: "Already exists"); the local name is kept ("Already exists as:
  NAME") unless the local identity is a recovered placeholder ("Replaces
  placeholder identity: NAME").  Same (identityNumber, walletId) but other
  content replaces a placeholder; with a real local identity the wallet stops
  ("The imported data is not compatible with existing data.").  Identities of
  wallets the file does not list are not imported.
- **accounts** match on address within their identity; the local name is kept
  ("Already exists as: NAME") unless it is part of the address (an unnamed
  account: "Replaces name: NAME"); same name: "Already exists".  New accounts
  are added without the obsolete ``rewardFilter``.
- **credentials**: added when the identity does not have that credId yet.
- **address book** (after the rest): identical entries are skipped (counted,
  "N recipient accounts were not imported, as they already exist"); a
  different name: both read-only → the account rule, only the local one →
  "Already exists as an account", only the imported one → its name ("Replaces
  name: NAME"), neither → local ("Already exists as: NAME"); note = local note,
  else the imported one; readOnly becomes true if the imported entry has it.
- **external credentials** (only if B has the list): one ``insert …
  onConflict('credId').ignore()`` of the new ones and those whose note
  differs: an existing one is never updated; one whose account the wallet
  lacks fails the foreign key, and the wallet shows the raw SQL error (the
  call is outside any try/catch, PerformImport.tsx:109-114).
- **unknown fields**: a new record is inserted with all its fields (accounts
  without ``rewardFilter``); a field its table lacks fails the insert.

The wallet's import is not one transaction: when it stops part-way, what it
imported before stays.  The preview does the same: ``document`` is then that
partial state, ``outcome`` what the wallet shows, ``stops_at`` the record,
``imported_before_stop`` and ``not_imported`` what stays and what is never
reached.  Ids of new records are the next free ones (the wallet's database may
pick higher ones; references stay consistent).

When A is the wallet's own database (``open_backup(db_path, password)``, or its
salvage), the import starts from its rows, not from its export: the tables as
stored, with their AUTOINCREMENT counters (:meth:`WalletDB.load_rows`), so new
ids are the ones the database gives and rows the Export's joins drop (accounts of
a missing identity) still hold their addresses; ``from_database_rows`` says so.
The wallet's import reads nothing else the Export strips: of the state it is
handed (PerformImport.tsx:153-187, the loaded accounts with identityName and
identityNumber among it) it reads only identities, wallets, the address book and
external credentials (importHelpers.ts:490-583, 646-719; PerformImport.tsx:95-113),
and asks the database itself for an identity's accounts and credentials
(importHelpers.ts:287, 323; accountDao.ts:96-102 ``findAccounts``, no join).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
import pandas as pd

from toolkit import errors
from toolkit.format import jsonio
from toolkit.model.backup import DESKTOP, Backup
from toolkit.model.kinds import RecordKind, kind_of, kinds_of
from toolkit.model.network import GENESIS_HASHES
from toolkit.model.records import wallet_identifiers
from toolkit.model.save import select

from .messages import (
    FIX_TEXT,
    LEGACY_REFUSED,
    MESSAGE_COLUMNS,
    NOT_ONE_RECORD,
    RESULTS,
    STOP_FIXES,
    empty_wallet_text,
    leave_out_text,
    safe_str,
)
from .replay import IMPORT_ORDER, Replay, Stop, safe_identity_key


@dataclass
class ImportPreview:
    """The outcome of importing B into a wallet holding A.

    ``document``: the wallet's content afterwards (A's document, copied, with
    B merged in; the partial state if the import stops).  ``messages``: one
    row per record of B (``table, key, name, result, message, detail``):
    ``message`` is what the wallet shows beside the record ("" when nothing),
    ``result`` one of added/exists/updated/skipped/refused, ``detail`` says
    what the toolkit saw.  ``refusal``: the error that stops the import, or None.
    ``notes``: the wallet's summary lines (e.g. duplicate recipients).
    """

    document: dict[str, Any]
    messages: pd.DataFrame
    refusal: errors.BackupError | None = None
    notes: list[str] = field(default_factory=list)
    #: what the wallet shows at the end: "ok", or its error text (its own words; raw SQL where it shows that)
    outcome: str = "ok"
    #: the record the wallet stops at (``table, key, name, reason``), or None
    stops_at: dict[str, Any] | None = None
    #: records of B the wallet never reaches when it stops (``table, key, name``)
    not_imported: list[dict[str, Any]] = field(default_factory=list)
    #: ways out the toolkit can take (``fix``: option name, ``text``: what it does)
    fixes: list[dict[str, str]] = field(default_factory=list)
    #: what the fixes asked for left out of B (``table, key, field``; field None for a whole record)
    dropped: list[dict[str, Any]] = field(default_factory=list)
    #: A was the wallet's database: the import met its own rows and id counters, not only its export
    from_database_rows: bool = False

    @property
    def ok(self) -> bool:
        return self.refusal is None

    @property
    def imported_before_stop(self) -> list[dict[str, Any]]:
        """When the wallet stops: the records it has added or changed by then (they stay); else []."""
        if self.ok:
            return []
        done = self.messages[self.messages["result"].isin(("added", "updated"))]
        return [
            {"table": t, "key": k, "name": n, "result": r}
            for t, k, n, r in zip(done["table"], done["key"], done["name"], done["result"], strict=True)
        ]

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {r}" for r, n in self.messages["result"].value_counts().items()) or "no records"
        where = ""
        if self.stops_at:
            where = f" at {self.stops_at['table']} {safe_str(self.stops_at['key'])[:24]!r}"
        outcome = "ok" if self.ok else f"stops{where}: {self.outcome[:80]!r}"
        return f"<ImportPreview {outcome}; {counts}>"

    def _repr_html_(self) -> str:
        import html

        head = html.escape(repr(self))
        return f"<p><code>{head}</code></p>" + self.messages.head(50).to_html(escape=True, index=False)

    @property
    def backup(self) -> Backup:
        """The merged document as a :class:`Backup` (to save, diff or tabulate)."""
        return Backup(self.document, kind=DESKTOP)

    def summary(self) -> dict[str, dict[str, int]]:
        """Per table, how many imported records had each result."""
        out: dict[str, dict[str, int]] = {}
        for table, result in zip(self.messages["table"], self.messages["result"], strict=True):
            counts = out.setdefault(table, dict.fromkeys(RESULTS, 0))
            counts[result] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        """What ``merge --json`` prints (the document itself is left out)."""
        return {
            "ok": self.ok,
            "outcome": self.outcome,
            "stops_at": self.stops_at,
            "imported_before_stop": self.imported_before_stop,
            "not_imported": list(self.not_imported),
            "fixes": list(self.fixes),
            "dropped": list(self.dropped),
            "from_database_rows": self.from_database_rows,
            "refusal": self.refusal.to_dict() if self.refusal else None,
            "summary": self.summary(),
            "notes": list(self.notes),
            "messages": self.messages.to_dict("records"),
        }


def _wallet_genesis(wallet_network: str | None) -> str | None:
    if wallet_network is None:
        return None
    value = wallet_network.strip().lower()
    for genesis, name in GENESIS_HASHES.items():
        if value in (name, genesis):
            return genesis
    if len(value) == 64 and all(c in "0123456789abcdef" for c in value):
        return value
    raise errors.InvalidArgumentError(
        f"Unknown network {wallet_network!r}; name one of {', '.join(GENESIS_HASHES.values())} or give a genesis hash",
        subject="wallet_network",
    )


def preview_import(
    a: Backup,
    b: Backup,
    *,
    wallet_network: str | None = None,
    drop_unknown_fields: bool = False,
    drop_orphan_external_credentials: bool = False,
    leave_out: Iterable[str] = (),
) -> ImportPreview:
    """What happens if a Desktop Wallet holding ``a`` imports ``b`` (never raises for a refusal).

    The import runs over the wallet's database schema in memory
    (:class:`toolkit.ops.walletdb.WalletDB`), so its constraints, ignored upserts
    and defaults apply as in the wallet.  ``wallet_network`` (a network name
    or genesis hash) stands for the network the wallet is connected to when
    ``a`` names none (files from before v1.1.5).  The ``drop_*`` options and ``leave_out`` (keys of
    B's records as the preview prints them; the records referring to them go too) preview B written
    without what makes the wallet stop (see :data:`FIX_TEXT`); ``dropped`` lists what they left out.
    When the wallet stops, ``fixes`` lists the ways out and the refusal's message names them once.
    Legacy mobile files raise :class:`IncompatibleKindsError`: the Desktop Wallet does not import them.
    """
    if b.is_legacy:
        raise errors.IncompatibleKindsError(f"File B cannot be imported: {LEGACY_REFUSED}")
    if a.is_legacy:
        raise errors.IncompatibleKindsError(
            "File A is a legacy mobile wallet export; the Desktop Wallet holds no such data"
        )
    a.check_shape()  # odd values are one coded error naming record and field, never an internal one
    b.check_shape()
    genesis = _wallet_genesis(wallet_network)
    original = b
    b, dropped = select(b, leave_out=leave_out, drop_unknown_fields=drop_unknown_fields)
    job = Replay(a, b, drop_orphans=drop_orphan_external_credentials)
    refusal, outcome, stops_at, fixes = None, "ok", None, []
    try:
        try:
            job.run(genesis)
        except Stop as stop:
            outcome, stops_at = stop.outcome, stop.where
            fixes = ways_out(stop, a, original)
            refusal = _with_ways_out(stop.error, fixes)
        messages = pd.DataFrame(job.rows, columns=list(MESSAGE_COLUMNS), dtype=object)
        document = _detached(job.doc)
    finally:
        job.db.close()
    return ImportPreview(
        document=document,
        messages=messages,
        refusal=refusal,
        notes=job.notes,
        outcome=outcome,
        stops_at=stops_at,
        not_imported=_not_reached(b.document, job.rows) if refusal is not None else [],
        fixes=fixes,
        dropped=dropped + job.dropped,
        from_database_rows=job.from_rows,
    )


def empty_wallet(like: Backup) -> Backup:
    """A new, empty Desktop Wallet on ``like``'s network: the wallet "import B alone" imports into."""
    lists = ("accounts", "identities", "addressBook", "credentials", "externalCredentials", "wallets")
    document: dict[str, Any] = {name: [] for name in lists}
    genesis = like.document.get("genesis")
    if isinstance(genesis, dict):
        document["genesis"] = dict(genesis)
    return Backup(document, kind=DESKTOP)


def ways_out(stop: Stop, a: Backup, b: Backup) -> list[dict[str, str]]:
    """The ways out of ``stop`` (chosen by its code, never by its words): the options that cure it, leaving
    out the record it stops at, and importing B alone when B already holds everything A holds."""
    out = [{"fix": name, "text": FIX_TEXT[name][1]} for name in STOP_FIXES.get(stop.code, ())]
    where = stop.where or {}
    kind = kind_of(DESKTOP, where.get("table", ""))
    if stop.code not in NOT_ONE_RECORD and kind is not None and where.get("key") in _by_key(b, kind):
        text = leave_out_text(kind.noun, where["key"])
        out.append({"fix": "leave_out", "table": kind.name, "key": where["key"], "text": text})
    differ = holds_everything(b, a)
    if differ is not None:
        out.append({"fix": "import_into_empty_wallet", "text": empty_wallet_text(differ)})
    return out


def holds_everything(b: Backup, a: Backup) -> int | None:
    """When ``b`` holds a record with the key of every record ``a`` holds (``a`` holding at least one): how
    many of those records differ in content; else None."""
    some, differ = False, 0
    for kind in kinds_of(DESKTOP):
        if kind.single:
            continue
        mine, theirs = _by_key(a, kind), _by_key(b, kind)
        some = some or bool(mine)
        if not mine.keys() <= theirs.keys():
            return None
        differ += sum(1 for k, r in mine.items() if not _same(theirs[k], r))
    return differ if some else None


def _same(x: Any, y: Any) -> bool:
    """The same JSON value (``true`` is not ``1``); nesting deeper than Python compares counts as different."""
    return jsonio.same_value(x, y)


def _by_key(backup: Backup, kind: RecordKind) -> dict[str, dict[str, Any]]:
    key_of = kind.key_function(backup)
    out: dict[str, dict[str, Any]] = {}
    for r in backup.records(kind.name):
        key = key_of(r) if isinstance(r, dict) else None
        if key is not None and key != "":
            out.setdefault(safe_str(key), r)
    return out


def _with_ways_out(error: errors.BackupError, fixes: list[dict[str, str]]) -> errors.BackupError:
    """The refusal with its ways out as its hint, said once (the interfaces add their own controls)."""
    if not isinstance(error, errors.IncompatibleDataError):
        return error
    stays = "The Desktop Wallet would stop this import part-way and keep what it had imported"
    if not fixes:
        return errors.IncompatibleDataError(error.reason, hint=f"{stays}.")
    texts = [f["text"] for f in fixes]
    said = texts[0] if len(texts) == 1 else "; ".join(texts[:-1]) + "; or " + texts[-1]
    return errors.IncompatibleDataError(error.reason, hint=f"{stays}. Way out: {said}.")


def _not_reached(imported: dict[str, Any], rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """The records of the imported file the wallet never reached (no message row)."""
    seen = {(t, k) for t, k, *_ in rows}
    out = []
    identifiers = wallet_identifiers(imported)
    source = Backup(imported, kind=DESKTOP)
    for table in IMPORT_ORDER:
        kind = kind_of(DESKTOP, table)
        key_of = kind.key_function(source) if kind else (lambda r: None)
        records = imported.get(table)
        for r in records if isinstance(records, list) else []:
            if not isinstance(r, dict):
                continue
            raw = safe_identity_key(r, identifiers) if table == "identities" else key_of(r)
            key = "" if raw is None else safe_str(raw)
            if (table, key) not in seen:
                name = r.get("name")
                out.append(
                    {
                        "table": table,
                        "key": key,
                        "name": name if name is None or isinstance(name, str) else safe_str(name),
                    }
                )
    return out


def _detached(document: dict[str, Any]) -> dict[str, Any]:
    """A deep copy (records shared with A or B while merging must not stay shared with the result)."""
    try:
        return orjson.loads(orjson.dumps(document))  # fast, keeps key order
    except (TypeError, orjson.JSONEncodeError):  # integers beyond 64 bits, lone surrogates, deep nesting
        return _copy_json(document)


def _copy_json(value: Any) -> Any:
    """A deep copy of JSON values without recursion (nesting as deep as the parser allows)."""
    if not isinstance(value, (dict, list)):
        return value
    root: Any = type(value)()
    stack = [(value, root)]
    while stack:
        src, dst = stack.pop()
        for k, v in src.items() if isinstance(src, dict) else enumerate(src):
            c = type(v)() if isinstance(v, (dict, list)) else v
            if isinstance(c, (dict, list)):
                stack.append((v, c))
            if isinstance(dst, dict):
                dst[k] = c
            else:
                dst.append(c)
    return root


def merge_backups(a: Backup, b: Backup, *, wallet_network: str | None = None) -> Backup:
    """``a`` with ``b`` imported as the Desktop Wallet would; raises the refusal if it would refuse."""
    preview = preview_import(a, b, wallet_network=wallet_network)
    if preview.refusal is not None:
        raise preview.refusal
    return preview.backup
