"""A decrypted backup: classify the plaintext, keep it exactly, name the network.

``open_backup(source, password)`` is the entry point, in the spirit of pandas'
``read_*`` functions.  The document is kept as parsed (key order, unknown
fields) and the original plaintext bytes are kept too, so an unchanged backup
re-exports byte for byte.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, BinaryIO

from toolkit import errors
from toolkit.format import container as ct
from toolkit.format import files, jsonio
from toolkit.format.passwords import check_password

from .jsontext import INNER_FIELDS, Texts
from .kinds import DESKTOP, LEGACY, kinds_of, lists_of, shapes_of
from .network import network_of_environment, network_of_genesis

if TYPE_CHECKING:
    import pandas as pd

LEGACY_TYPE = "concordium-mobile-wallet-data"

#: Top-level lists of each kind of file, in the writers' order (derived from :data:`toolkit.model.kinds.KINDS`
#: when this module is imported; :meth:`Backup.lists` reads the table itself).
DESKTOP_LISTS = lists_of(DESKTOP)
#: The Desktop Wallet's import needs only these.
DESKTOP_REQUIRED = tuple(k.name for k in kinds_of(DESKTOP) if k.required)
LEGACY_LISTS = lists_of(LEGACY)

LEGACY_NOTICE = (
    "This is a legacy mobile wallet export. It cannot be imported into the Desktop Wallet "
    "(the two wallets handle private keys differently), and it contains private keys: keep it secret."
)


class Backup:
    """An opened backup of either wallet.

    ``document`` is the decrypted JSON as parsed; edit it freely (merge and
    subset do) and :meth:`to_plaintext` serialises it the way its wallet does.
    """

    def __init__(
        self,
        document: dict[str, Any],
        *,
        kind: str | None = None,
        plaintext: bytes | memoryview | None = None,
        container: ct.Container | None = None,
        source: str | None = None,
        database: Any = None,
    ) -> None:
        self.kind = kind or classify(document)
        #: For the wallet's own database (kind ``desktop-wallet-database``): its history and schema facts
        #: (:class:`toolkit.model.database.DatabaseInfo`); None for a backup file.
        self.database = database
        self.document = document
        self._plaintext = plaintext
        self.container = container
        self.source = source
        self._shape_checked = False
        self._unknown_fields: dict[str, set[str]] = {}
        #: Each distinct JSON text's verdict and what the tables show from it, read once by the shape check.
        self.texts = Texts()

    def derived(self, document: dict[str, Any], *, same_bytes: bool = False) -> Backup:
        """A new backup of this kind holding ``document`` (a selection of this one); ``same_bytes`` passes the
        original plaintext on, so a selection of everything re-exports it unchanged."""
        out = Backup(document, kind=self.kind, plaintext=self._plaintext if same_bytes else None)
        out.texts = self.texts  # what a text holds does not depend on the backup holding it
        return out

    # ------------------------------------------------------------------ facts
    @property
    def plaintext_bytes(self) -> int | None:
        """Size of the decrypted text this backup was opened from (None when built in memory)."""
        return len(self._plaintext) if self._plaintext is not None else None

    @property
    def is_legacy(self) -> bool:
        return self.kind == LEGACY

    @property
    def file_kind(self) -> str:
        """The kind of backup file this is or is written as (a wallet database writes a Desktop Wallet backup)."""
        return LEGACY if self.is_legacy else DESKTOP

    @property
    def genesis_block(self) -> str | None:
        genesis = self.document.get("genesis") if not self.is_legacy else None
        return genesis.get("genesisBlock") if isinstance(genesis, dict) else None

    @property
    def network(self) -> str:
        """mainnet, testnet, stagenet, old-testnet, unknown, or none (old files without genesis)."""
        if self.is_legacy:
            return network_of_environment(self.document.get("environment"))
        return network_of_genesis(self.genesis_block)

    def lists(self) -> tuple[str, ...]:
        """The top-level lists of records a file of this kind holds (:func:`toolkit.model.kinds.lists_of`)."""
        return lists_of(self.file_kind)

    def records(self, name: str) -> list[dict[str, Any]]:
        """The records of one top-level list (legacy accounts are gathered from their identities)."""
        if not self.is_legacy:
            value = self.document.get(name)
            return value if isinstance(value, list) else []
        value = self.document.get("value") or {}
        if name == "accounts":
            return [a for i in value.get("identities") or [] for a in (i.get("accounts") or [])]
        value = value.get(name)
        return value if isinstance(value, list) else []

    def tables_of_records(self) -> list[tuple[str, list[Any]]]:
        """(kind name, records) of every kind this file holds, in file order; a single record (``genesis``)
        is a list of one when the file has it as an object, and left out otherwise."""
        out: list[tuple[str, list[Any]]] = []
        for kind in kinds_of(self.file_kind):
            if not kind.single:
                out.append((kind.name, self.records(kind.name)))
            elif not self.is_legacy and isinstance(self.document.get(kind.name), dict):
                out.append((kind.name, [self.document[kind.name]]))
        return out

    def counts(self) -> dict[str, int | None]:
        """One key per top-level list, named as in the file; None where the file has no such key."""
        if self.is_legacy:
            value = self.document.get("value") or {}
            listed = {"accounts": isinstance(value.get("identities"), list)}  # accounts live in identities
            return {
                name: len(self.records(name)) if listed.get(name, isinstance(value.get(name), list)) else None
                for name in self.lists()
            }
        return {
            name: (len(self.document[name]) if isinstance(self.document.get(name), list) else None)
            for name in self.lists()
        }

    @property
    def encryption(self) -> dict[str, Any] | None:
        return self.container.describe() if self.container else None

    def notices(self) -> list[str]:
        """Plain sentences a person should read before doing anything with this file."""
        out = []
        if self.is_legacy:
            out.append(LEGACY_NOTICE)
        elif self.database is not None:
            out += self.database.notices(self.network)
        elif self.network == "none":
            out.append("The file names no network (made before Desktop Wallet 1.1.5).")
        return out

    def summary(self) -> dict[str, Any]:
        """Kind, network, counts and encryption parameters: what ``inspect --json`` prints."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "network": self.network,
            "counts": self.counts(),
            "encryption": self.encryption,
        }
        if not self.is_legacy:
            out["genesisBlock"] = self.genesis_block
        else:
            out["environment"] = self.document.get("environment")
        out["notices"] = self.notices()
        if self.database is not None:
            out.update(self.database.summary())
        return out

    def tables(self, *, reveal_secrets: bool = False, include_raw: bool = False) -> dict[str, pd.DataFrame]:
        """One DataFrame per record kind, keyed by the file's own names (see :mod:`toolkit.model.tables`).

        ``include_raw`` keeps the JSON-text fields (identityObject, identityProvider, policy) beside the
        columns parsed from them; ``reveal_secrets`` shows secrets instead of ‹redacted›."""
        from .tables import tabulate

        frames = tabulate(self, reveal_secrets=reveal_secrets, include_raw=include_raw)
        if self.database is not None:  # the history no backup holds
            frames.update(self.database.frames(reveal_secrets=reveal_secrets))
        return frames

    def check_shape(self) -> None:
        """Raise :class:`UnexpectedContentError` naming the first record field of an unexpected type.

        Every operation that interprets records (tables, diff, merge, subset)
        calls this first, so an odd value (a number where text belongs, a list
        as a status, an integer beyond 64 bits) is one coded error naming the
        record and field, never an internal error.  Null stands for a missing
        field, unknown fields are not checked (they are kept, not interpreted),
        and the audit does not call it: it reports such values as findings.
        """
        if self._shape_checked:
            return
        unknown: dict[str, set[str]] = {}
        with jsonio.gc_paused():  # reading the JSON texts makes many small objects, none in a cycle
            problem = shape_problem(self, unknown)
        if problem:
            raise errors.UnexpectedContentError(
                problem,
                hint="No wallet writes that; an audit of the backup lists every such value.",
            )
        self._shape_checked = True
        self._unknown_fields = unknown

    def unknown_fields(self, table: str) -> frozenset[str] | None:
        """The fields some record of ``table`` holds that its kind's shape does not know, as the shape check found
        them; None before :meth:`check_shape` or for a table it does not check."""
        if not self._shape_checked or table not in shapes_of(self.file_kind):
            return None
        return frozenset(self._unknown_fields.get(table, ()))

    # ------------------------------------------------------------ serialising
    def to_plaintext(self) -> bytes:
        """The plaintext as its wallet writes it; the original bytes while the document is unchanged."""
        dump = jsonio.dumps_gson if self.is_legacy else jsonio.dumps_js
        fresh = dump(self.document)
        original = self._plaintext
        if isinstance(original, memoryview):  # opened from a file: a view of the decrypted blocks
            original = self._plaintext = original.tobytes()
        if original is None or fresh == original:
            return fresh
        if jsonio.loads(original) == self.document:
            return original  # same content; keep the writer's exact spelling
        return fresh

    def encrypt(
        self,
        password: str,
        *,
        identities: Iterable[str | int] = (),
        accounts: Iterable[str] = (),
        leave_out: Iterable[str] = (),
        drop_unknown_fields: bool = False,
        iterations: int | None = None,
    ) -> bytes:
        """The backup encrypted with ``password`` as its wallet writes it, decrypted again in memory to verify
        it (the mirror of :func:`open_backup`).

        ``identities``/``accounts`` keep only those (with what they refer to), ``leave_out`` leaves out the
        records with those keys (as the diff, audit and import preview print them) and the records that
        refer to them, ``drop_unknown_fields`` the fields the Desktop Wallet's tables lack
        (:func:`toolkit.model.save.select`).
        """
        from . import save

        check_password(password)
        chosen, _ = save.select(
            self, identities=identities, accounts=accounts, leave_out=leave_out, drop_unknown_fields=drop_unknown_fields
        )
        return save.encrypt_checked(chosen, password, iterations)

    def save(
        self,
        path: str | os.PathLike[str],
        password: str,
        *,
        identities: Iterable[str | int] = (),
        accounts: Iterable[str] = (),
        leave_out: Iterable[str] = (),
        drop_unknown_fields: bool = False,
        force: bool = False,
        protect: tuple[str | os.PathLike[str] | None, ...] = (),
        iterations: int | None = None,
    ) -> Any:
        """Write :meth:`encrypt`'s bytes to a new file at ``path`` (``~`` expanded), atomically, and read them
        back; never over this backup's own file or ``protect``.  Returns a
        :class:`~toolkit.model.save.WriteResult`."""
        from . import save

        check_password(password)
        chosen, _ = save.select(
            self, identities=identities, accounts=accounts, leave_out=leave_out, drop_unknown_fields=drop_unknown_fields
        )
        guard = (self.source, *protect) if chosen is not self else protect
        return save.write(chosen, path, password, force=force, protect=guard, iterations=iterations)

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={v}" for k, v in self.counts().items() if v is not None)
        src = f" from {os.path.basename(self.source)!r}" if self.source else ""
        return f"<Backup {self.kind} {self.network}{src}: {counts}>"


def classify(document: Any) -> str:
    """``desktop-wallet`` or ``legacy-mobile-wallet``; else :class:`UnexpectedContentError` saying why."""
    if not isinstance(document, dict):
        raise errors.UnexpectedContentError("The decrypted content is not a JSON object")
    if document.get("type") == LEGACY_TYPE:
        value = document.get("value")
        if not isinstance(value, dict):
            raise errors.UnexpectedContentError("The mobile wallet export has no 'value' object")
        _check_list(value, "identities", "value.identities", required=True)
        _check_list(value, "recipients", "value.recipients", required=False)
        for i, identity in enumerate(value["identities"]):
            _check_list(identity, "accounts", f"value.identities[{i}].accounts", required=False)
        return LEGACY
    if "type" in document and "accounts" not in document:
        raise errors.UnexpectedContentError(
            f"The decrypted content is of type {document['type']!r}, not a wallet export"
        )
    for kind in kinds_of(DESKTOP):
        if not kind.single:
            _check_list(document, kind.name, kind.name, required=kind.required)
    genesis = document.get("genesis")
    if genesis is not None and not isinstance(genesis, dict):
        raise errors.UnexpectedContentError("genesis is not an object")
    return DESKTOP


def _check_list(obj: dict[str, Any], key: str, where: str, *, required: bool) -> None:
    value = obj.get(key)
    if value is None:
        if required:
            raise errors.UnexpectedContentError(f"The decrypted content has no {where} list")
        return
    if not isinstance(value, list):
        raise errors.UnexpectedContentError(f"{where} is not a list")
    if not set(map(type, value)) - {dict}:  # all plain objects (found in C)
        return
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise errors.UnexpectedContentError(f"{where}[{i}] is not an object")


#: Integers beyond this are not what any wallet writes (and no table column holds them).
MAX_INT = 2**63 - 1


def shape_problem(backup: Backup, unknown: dict[str, set[str]] | None = None) -> str | None:
    """The first known field whose value has a JSON type its record kind does not allow, in words; also a
    field inside JSON text that a table reads (:mod:`toolkit.model.jsontext`), or JSON text too large to read.
    ``unknown`` gets, per table, the fields its shape does not know (complete when the answer is None).

    One pass with exact-type look-ups (a parsed document holds only str, int, float, bool, list, dict
    and None); anything else falls back to :func:`toolkit.model.shapes.has_type`.
    """
    from toolkit.format.jsonio import json_type, json_type_name

    from .shapes import has_type

    shapes = shapes_of(backup.file_kind)
    texts = backup.texts  # each distinct JSON text read once, here and for the tables
    for table, records in backup.tables_of_records():
        shape = shapes.get(table)
        if shape is None:
            continue
        declared = {**shape.required, **shape.optional}
        exact = {name: frozenset(t for t in types if t is not None) for name, types in declared.items()}
        inside = _texts_to_look_at(texts, table, records)
        others = unknown.setdefault(table, set()) if unknown is not None else set()
        for i, record in enumerate(records):
            if type(record) is not dict:
                if isinstance(record, dict):
                    record = dict(record)
                else:
                    return f"{table}[{i}] is a {json_type(record)}, not an object"
            for name, value in record.items():
                allowed = exact.get(name)
                if allowed is None:
                    others.add(name)
                    continue
                if value is None:
                    continue
                kind = type(value)
                if kind not in allowed and not (kind not in _JSON_TYPES and has_type(value, declared[name])):
                    want = " or ".join(json_type_name(t) for t in declared[name] if t is not None)
                    got = "a fraction" if kind is float and int in allowed else json_type(value)
                    return f"{table}[{i}]{_record_name(record)} has {name} as {got}, not {want}"
                if kind is int and abs(value) > MAX_INT:
                    return f"{table}[{i}]{_record_name(record)} has {name} beyond 64 bits"
            for name in inside:
                problem = texts.problem(table, name, record.get(name))
                if problem:
                    return f"{table}[{i}]{_record_name(record)} {problem}"
    return None


def _texts_to_look_at(texts: Texts, table: str, records: list[Any]) -> list[str]:
    """The fields of ``table`` holding JSON text (:data:`~toolkit.model.jsontext.INNER_FIELDS`) in which some
    record's text holds what no wallet writes (or is not text): the others need no look per record.  Each
    distinct text is read once, in batches, and its verdict kept for the tables."""
    out = []
    for name in [f for t, f in INNER_FIELDS if t == table]:
        values = [r.get(name) for r in records if isinstance(r, dict)]
        texts.read(table, name, values)
        if not texts.clear(table, name, values):
            out.append(name)
    return out


#: The Python types a parsed JSON document holds (others are checked the slow way).
_JSON_TYPES = frozenset({str, int, float, bool, list, dict})


def _record_name(record: dict[str, Any]) -> str:
    name = record.get("name")
    return f" ({name[:40]!r})" if isinstance(name, str) and name else ""


class TooManyContainersError(errors.UnexpectedContentError):
    """``unexpected-content``: more objects and lists than :data:`toolkit.format.jsonio.MAX_CONTAINERS`, refused
    before parsing (salvage, which reads a file piece by piece, scans such a file instead)."""


def parse_plaintext(plaintext: bytes | memoryview, password_shown: bool = False) -> dict[str, Any]:
    """Parse decrypted bytes; a parse failure after a start that proved the password
    (:attr:`~toolkit.format.container.Decrypted.password_shown`) means damage.

    JSON that is well-formed but unacceptable (NaN, numbers out of range, nesting
    deeper than :data:`jsonio.MAX_DEPTH`, a few invalid UTF-8 bytes) is
    :class:`UnexpectedContentError`: the password is right and nothing was damaged.
    """
    count = jsonio.containers(plaintext)
    if count > jsonio.MAX_CONTAINERS:
        raise TooManyContainersError(
            f"The file decrypts, but holds about {count:,} objects and lists, more than the "
            f"{jsonio.MAX_CONTAINERS:,} a backup may hold to be read within the memory bound",
            hint="No wallet writes that many; it was not written by a Concordium wallet.",
        )
    try:
        document, odd = jsonio.loads_checked(plaintext)
    except jsonio.JSONError as exc:
        if exc.content:  # JSON in shape, so the password is right and nothing was damaged
            raise errors.UnexpectedContentError(
                f"The file decrypts, but its content is not acceptable JSON ({exc})",
                hint="It was not written by a Concordium wallet; nothing can be read from it.",
            ) from None
        if not password_shown:
            raise errors.WrongPasswordError("The password does not open this file") from None
        where = f" near byte {exc.pos}" if exc.pos is not None else ""
        raise errors.DamagedError(f"The password is right, but the decrypted data is damaged{where}") from None
    if odd is not None:
        what = (
            f"nests more than {jsonio.MAX_DEPTH} levels deep" if odd[0] == "deep" else "has an integer beyond 64 bits"
        )
        raise errors.UnexpectedContentError(
            f"The file decrypts, but its content {what} (at {odd[1][:80]!r})",
            hint="No wallet writes that; it was not written by a Concordium wallet.",
        )
    return document


#: What :func:`open_backup` reads: a path (``~`` expanded), the file's bytes, or a binary file object.
Source = str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO


def source_name(source: Source) -> str | None:
    """The path of ``source`` (or its file object's name), or None for bytes and standard input."""
    if files.is_stdio(source):
        return None
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(files.user_path(source))
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else None


def open_backup(source: Source, password: str | bytes, *, max_size: int = ct.MAX_FILE_SIZE) -> Backup:
    """Open a Desktop Wallet or legacy mobile wallet backup.

    ``source`` is a path (str or PathLike, ``~`` expanded), the file's bytes,
    or a binary file object.  Raises a :class:`toolkit.errors.BackupError`
    subclass saying exactly why a file does not open (its ``code`` is stable).
    """
    if is_database_source(source):  # the Desktop Wallet's own SQLCipher database, recognised by content
        from .database import KIND, read_database

        document, info, name = read_database(source, password)
        return Backup(document, kind=KIND, source=name, database=info)
    container = ct.parse_container(ct.read_source(source, max_size=max_size))
    return open_with_key(container, ct.derive_key(password, container.kdf), source=source_name(source))


def is_database_source(source: Source) -> bool:
    """Whether ``source`` (a path or bytes) looks like a SQLCipher file rather than a backup's JSON."""
    from toolkit.format.sqlcipher import looks_like_database

    if isinstance(source, (bytes, bytearray, memoryview)):
        return looks_like_database(bytes(source[:64]), len(source))
    if not isinstance(source, (str, os.PathLike)):
        return False
    try:
        with open(os.path.expanduser(os.fspath(source)), "rb") as fh:
            return looks_like_database(fh.read(64), os.fstat(fh.fileno()).st_size)
    except OSError:
        return False  # the backup reader says why it cannot be read


def open_with_key(container: ct.Container, key: bytes, *, source: str | None = None) -> Backup:
    """Decrypt, parse and classify a parsed container with a derived key: the one path every reader
    takes (:func:`open_backup`, salvage of an intact file, the password search's confirmation).

    Raises :class:`~toolkit.errors.WrongPasswordError`, :class:`~toolkit.errors.DamagedError` or
    :class:`~toolkit.errors.UnexpectedContentError` saying why the content does not open.
    """
    decrypted = ct.decrypt_with_key(container, key, view=True)  # kept as a view: no copy of the plaintext
    document = parse_plaintext(decrypted.plaintext, decrypted.password_shown)
    kind = classify(document)
    return Backup(document, kind=kind, plaintext=decrypted.plaintext, container=container, source=source)


def open_input(
    source: Source,
    password: str | bytes,
    *,
    subject: str,
    what: str,
    name: str | None = None,
    max_size: int = ct.MAX_FILE_SIZE,
) -> Backup:
    """:func:`open_backup` for one of several inputs: an error says which one and carries ``subject``.

    ``subject`` is the input's stable label (``"old"``/``"new"`` for a diff,
    ``"a"``/``"b"`` for an import preview), which interfaces map to their own
    controls; ``what`` names it in words ("the old backup", "backup A"), and
    ``name`` is the file name to show (default: the path's base name).
    """
    try:
        return open_backup(source, password, max_size=max_size)
    except errors.BackupError as exc:
        raise labelled(exc, subject=subject, what=what, name=name or _base_name(source)) from None


def labelled(exc: errors.BackupError, *, subject: str, what: str, name: str | None = None) -> errors.BackupError:
    """A copy of ``exc`` whose message starts with which input it is about ("The old backup (x.json): ...")."""
    shown = copy.copy(exc)
    head = f"{what[:1].upper()}{what[1:]}" + (f" ({name})" if name else "")
    reason = exc.reason.strip()
    shown.reason = f"{head}: {reason[:1].lower()}{reason[1:]}" if reason else head
    shown.subject = subject
    shown.args = (shown.message,)
    return shown


def _base_name(source: Source) -> str | None:
    if files.is_stdio(source):
        return files.display_name(source)
    path = source_name(source)
    return os.path.basename(path) or path if path else None
