"""Every kind of record this toolkit knows, in one table: :data:`KINDS`.

One :class:`RecordKind` per list of records a wallet writes: its name (the file's own list name), the label a
message names a record by, its natural key, its shape (field names and JSON types), its leading columns and
column dtypes, its secret fields, the Desktop Wallet database's table it lives in, and where it is found (a
Desktop Wallet export, a legacy mobile wallet export, or only the wallet's database).  Every other list of
kinds in the toolkit (tables, the shape check, diff, the import preview, subset, the audit's labels, salvage)
is derived from this one, when it is used: a kind added here is seen everywhere.

To add a kind: one :class:`RecordKind` in :data:`KINDS`, nothing else (``tests/model/test_kinds.py`` adds one that way
and sees it in every operation).  Only a kind whose records the Desktop Wallet's import writes needs a step in
the import preview's replay (:mod:`toolkit.ops.merge.replay`); until then the preview lists its records as not
read by the wallet's import.  Kinds that only the wallet's database has (``in_file=False``: transactions,
multi-signature proposals, decrypted amounts, settings) are listed by :func:`kinds_of` with ``in_file=False`` or
``None``; no backup file holds them, so tables of a file, diff, merge, subset and salvage never look for them.

Facts: docs/FORMAT.md §2 (Desktop Wallet exports) and §4 (legacy mobile exports); the Desktop Wallet's tables are
its migrations' (``toolkit.ops.walletdb`` cites them, commit 0ce97cb).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .shapes import Shape

if TYPE_CHECKING:
    from .backup import Backup

#: What :attr:`toolkit.Backup.kind` says: the two kinds of backup file.
DESKTOP = "desktop-wallet"
LEGACY = "legacy-mobile-wallet"

#: ``record -> key`` (None when the record has none).
KeyFn = Callable[[dict[str, Any]], Any]


@dataclass(frozen=True, eq=False)
class RecordKind:
    """One kind of record: what every part of the toolkit needs to know about it."""

    #: The file's own list name (``accounts``); also the table's name.
    name: str
    #: Which wallet writes it: :data:`DESKTOP` or :data:`LEGACY`.
    wallet: str
    #: How a message names one record of it ("Account", "Address book entry").
    label: str
    #: The natural key: a field name, or ``backup -> (record -> key)`` when the key needs the whole file.
    key: str | Callable[[Backup], KeyFn]
    #: The fields and their JSON types (the shape check, the audit's invalid-record, salvage).
    shape: Shape
    #: The fields its wallet writes, in the writer's order (an empty table's columns).
    columns: tuple[str, ...] = ()
    #: Columns a person looks at first; they lead its table.
    leading: tuple[str, ...] = ()
    #: Column dtypes of its table: ``"Int64"`` or ``"boolean"`` (others stay as read).
    dtypes: Mapping[str, str] = field(default_factory=dict)
    #: Fields holding secrets: redacted in tables, diffs and reports unless asked for.
    secrets: frozenset[str] = frozenset()
    #: The Desktop Wallet database's table holding it (None: no table, or a legacy kind).
    db_table: str | None = None
    #: Found in a backup file (False: only in the wallet's database).
    in_file: bool = True
    #: One object rather than a list (``genesis``).
    single: bool = False
    #: The wallet refuses a file without this list (docs/FORMAT.md §2: the import's validateImportStructure).
    required: bool = False
    #: Every version of its wallet writes this list, even empty (False: older files may lack it).
    always_written: bool = False
    #: References to other kinds: ``field -> (kind, field)``; a subset keeps a record whose references it keeps.
    refs: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def noun(self) -> str:
        """The label inside a sentence ("address book entry")."""
        return self.label[:1].lower() + self.label[1:]

    def key_function(self, backup: Backup) -> KeyFn:
        """``record -> key`` for this kind's records in ``backup`` (computed once per file)."""
        if isinstance(self.key, str):
            name = self.key
            return lambda record: record.get(name)
        return self.key(backup)


# --------------------------------------------------------------------------- keys
#
# One key per record, the same in the diff, a merge preview, a subset and the audit's ``key`` column:
# identities (Desktop) are ``"IDENTIFIER/identityNumber"`` (the identity's Ledger and number: stable where
# ``walletId``, a database row id, is not), ``"wallet WALLETID/identityNumber"`` when the file lacks that
# wallet, ``randomness-sha256:…`` (a digest: the randomness is secret) when both are missing; legacy
# identities their public ``idCredPub``, else ``name:NAME``; genesis ``genesis``.


def wallet_identifiers(document: Any) -> dict[Any, str]:
    """``walletId -> identifier`` of a Desktop document's wallets (wallets with an odd id match nothing)."""
    wallets = document.get("wallets") if isinstance(document, dict) else None
    out: dict[Any, str] = {}
    for w in wallets if isinstance(wallets, list) else []:
        usable = isinstance(w, dict) and isinstance(w.get("identifier"), str)
        if usable and w.get("id") is not None and not isinstance(w["id"], (dict, list)):
            out.setdefault(w["id"], w["identifier"])
    return out


def identity_key(record: dict[str, Any], identifiers: dict[Any, str] | None = None) -> str | None:
    """A Desktop identity's key: ``"IDENTIFIER/identityNumber"`` (see above); None when it has none."""
    wallet, number = record.get("walletId"), record.get("identityNumber")
    if wallet is not None and number is not None:
        try:
            identifier = (identifiers or {}).get(wallet)
        except TypeError:  # an unhashable walletId (a list or object) names no wallet
            identifier = None
        return f"{identifier}/{number}" if identifier else f"wallet {wallet}/{number}"
    randomness = record.get("randomness")
    if not randomness:
        return None
    # The randomness is secret: the key holds a digest of it, enough to align two files.
    digest = hashlib.sha256(str(randomness).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"randomness-sha256:{digest}"


def legacy_identity_key(record: dict[str, Any]) -> str | None:
    """A legacy identity's key: its public ``idCredPub`` (never a secret), else ``name:NAME``."""
    obj = record.get("identityObject")
    try:
        pub = obj["preIdentityObject"]["pubInfoForIp"]["idCredPub"]  # type: ignore[index]
    except (TypeError, KeyError):
        pub = None
    if isinstance(pub, str) and pub:
        return pub
    name = record.get("name")
    return f"name:{name}" if name is not None else None


def _identity_keys(backup: Backup) -> KeyFn:
    identifiers = wallet_identifiers(backup.document)
    return lambda record: identity_key(record, identifiers)


def _legacy_identity_keys(backup: Backup) -> KeyFn:
    return legacy_identity_key


def _genesis_key(backup: Backup) -> KeyFn:
    return lambda record: "genesis"


# --------------------------------------------------------------------------- the table

S, INT, B, OBJ, LST, N = str, int, bool, dict, list, None
_ACCOUNT = ("accounts", "address")
_ACCOUNT_LEADING = ("name", "address", "status", "identityName", "isInitial", "signatureThreshold")
_IDENTITY_LEADING = (
    "id",
    "identityNumber",
    "name",
    "status",
    "identityProviderName",
    "createdAt",
    "validTo",
    "walletId",
    "accounts",
)
_IDENTITY = ("identities", "id")

KINDS: tuple[RecordKind, ...] = (
    RecordKind(
        "accounts",
        DESKTOP,
        "Account",
        "address",
        Shape(
            "accounts",
            required={"address": (S,), "name": (S,), "identityId": (INT,), "status": (S,)},
            optional={
                "signatureThreshold": (INT, N),
                "totalDecrypted": (S, N),
                "allDecrypted": (B, N),
                "incomingAmounts": (S, N),
                "selfAmounts": (S, N),
                "transactionFilter": (OBJ, S, N),
                "deploymentTransactionId": (S, N),
                "isInitial": (B, N),
                "rewardFilter": (S, N),
                "maxTransactionId": (S, INT, N),
                "identityName": (S, N),
                "identityNumber": (INT, N),
            },
        ),
        columns=(
            "identityId",
            "name",
            "status",
            "selfAmounts",
            "incomingAmounts",
            "signatureThreshold",
            "totalDecrypted",
            "allDecrypted",
            "deploymentTransactionId",
            "isInitial",
            "address",
            "transactionFilter",
        ),
        leading=_ACCOUNT_LEADING,
        dtypes={
            "identityId": "Int64",
            "signatureThreshold": "Int64",
            "allDecrypted": "boolean",
            "isInitial": "boolean",
        },
        always_written=True,
        db_table="accounts",
        required=True,
        refs={"identityId": _IDENTITY},
    ),
    RecordKind(
        "identities",
        DESKTOP,
        "Identity",
        _identity_keys,
        Shape(
            "identities",
            required={"id": (INT,), "identityNumber": (INT,), "name": (S,), "status": (S,), "walletId": (INT,)},
            optional={
                "detail": (S, N),
                "codeUri": (S, N),
                "identityProvider": (S, N),
                "identityObject": (S, N),
                "randomness": (S, N),
                "version": (INT, N),
            },
        ),
        columns=(
            "id",
            "identityNumber",
            "name",
            "status",
            "detail",
            "codeUri",
            "identityProvider",
            "identityObject",
            "randomness",
            "walletId",
            "version",
        ),
        leading=_IDENTITY_LEADING,
        dtypes={"id": "Int64", "identityNumber": "Int64", "walletId": "Int64", "version": "Int64"},
        # the identity's commitment randomness: with it, the attribute commitments on chain can be opened
        secrets=frozenset({"randomness"}),
        always_written=True,
        db_table="identities",
        required=True,
        refs={"walletId": ("wallets", "id")},
    ),
    RecordKind(
        "addressBook",
        DESKTOP,
        "Address book entry",
        "address",
        Shape("addressBook", required={"name": (S,), "address": (S,), "readOnly": (B,)}, optional={"note": (S, N)}),
        columns=("name", "address", "note", "readOnly"),
        leading=("name", "address", "note", "readOnly"),
        dtypes={"readOnly": "boolean"},
        always_written=True,
        db_table="addressBook",
        required=True,
    ),
    RecordKind(
        "credentials",
        DESKTOP,
        "Credential",
        "credId",
        Shape(
            "credentials",
            required={"credId": (S,), "accountAddress": (S,), "credentialNumber": (INT,), "identityId": (INT,)},
            optional={"credentialIndex": (INT, N), "policy": (S, N), "randomness": (S, N)},
        ),
        columns=(
            "identityId",
            "accountAddress",
            "credId",
            "credentialNumber",
            "credentialIndex",
            "policy",
            "randomness",
        ),
        leading=("accountName", "identityName", "credentialNumber", "credentialIndex", "policyValidTo", "credId"),
        dtypes={"identityId": "Int64", "credentialNumber": "Int64", "credentialIndex": "Int64"},
        secrets=frozenset({"randomness"}),
        always_written=True,
        db_table="credentials",
        refs={"accountAddress": _ACCOUNT, "identityId": _IDENTITY},
    ),
    RecordKind(
        "externalCredentials",
        DESKTOP,
        "External credential",
        "credId",
        Shape("externalCredentials", required={"accountAddress": (S,), "credId": (S,)}, optional={"note": (S, N)}),
        columns=("accountAddress", "credId", "note"),
        leading=("accountName", "accountAddress", "note", "credId"),
        db_table="external_credentials",
        refs={"accountAddress": _ACCOUNT},
    ),
    RecordKind(
        "wallets",
        DESKTOP,
        "Wallet",
        "identifier",  # the Ledger's pairing key
        Shape("wallets", required={"id": (INT,), "identifier": (S,), "type": (S,)}, optional={}),
        columns=("id", "identifier", "type"),
        leading=("id", "identifier", "type", "identities"),
        dtypes={"id": "Int64"},
        always_written=True,
        db_table="wallet",
    ),
    RecordKind(
        "genesis",
        DESKTOP,
        "Genesis",
        _genesis_key,
        Shape("genesis", required={"genesisBlock": (S,)}, optional={"id": (INT, N)}),
        columns=("id", "genesisBlock"),
        leading=("genesisBlock", "network"),
        dtypes={"id": "Int64"},
        db_table="genesis",
        single=True,
    ),
    RecordKind(
        "identities",
        LEGACY,
        "Identity",
        _legacy_identity_keys,
        Shape(
            "identities",
            required={
                "name": (S,),
                "identityProvider": (OBJ,),
                "identityObject": (OBJ,),
                "privateIdObjectData": (OBJ,),
                "accounts": (LST,),
            },
            optional={"nextAccountNumber": (INT, N)},
        ),
        leading=_IDENTITY_LEADING,
        dtypes={"nextAccountNumber": "Int64", "maxAccounts": "Int64", "accounts": "Int64"},
        secrets=frozenset({"privateIdObjectData"}),
        required=True,
    ),
    RecordKind(
        "accounts",
        LEGACY,
        "Account",
        "address",
        Shape(
            "accounts",
            required={"name": (S,), "address": (S,), "accountKeys": (OBJ,)},
            optional={
                "submissionId": (S, N),
                "commitmentsRandomness": (OBJ, N),
                "revealedAttributes": (OBJ, N),
                "credential": (OBJ, N),
                "encryptionSecretKey": (S, N),
            },
        ),
        leading=_ACCOUNT_LEADING,
        secrets=frozenset({"accountKeys", "encryptionSecretKey", "commitmentsRandomness"}),
    ),
    RecordKind(
        "recipients",
        LEGACY,
        "Recipient",
        "address",
        Shape("recipients", required={"name": (S,), "address": (S,)}, optional={}),
        leading=("name", "address"),
    ),
)


# --------------------------------------------------------------------------- derived views (read KINDS when called)


@lru_cache(maxsize=8)
def _views(kinds: tuple[RecordKind, ...]) -> dict[tuple[str, bool | None], tuple[RecordKind, ...]]:
    out: dict[tuple[str, bool | None], tuple[RecordKind, ...]] = {}
    for wallet in (DESKTOP, LEGACY):
        mine = tuple(k for k in kinds if k.wallet == wallet)
        out[wallet, None] = mine
        out[wallet, True] = tuple(k for k in mine if k.in_file)
        out[wallet, False] = tuple(k for k in mine if not k.in_file)
    return out


def kinds_of(wallet: str, *, in_file: bool | None = True) -> tuple[RecordKind, ...]:
    """The kinds of ``wallet``'s records in file order: those a file holds (default), only the database's
    (``in_file=False``) or all (``None``)."""
    return _views(KINDS)[wallet, in_file]


def kind_of(wallet: str, name: str) -> RecordKind | None:
    """The kind named ``name`` of ``wallet`` (None when there is none)."""
    return next((k for k in kinds_of(wallet, in_file=None) if k.name == name), None)


def lists_of(wallet: str) -> tuple[str, ...]:
    """The top-level lists of records a file of ``wallet`` holds, in its writer's order."""
    return tuple(k.name for k in kinds_of(wallet) if not k.single)


def table_names(wallet: str) -> tuple[str, ...]:
    """Every table of a file of ``wallet`` (its lists, then its single records such as ``genesis``)."""
    return tuple(k.name for k in kinds_of(wallet))


def shapes_of(wallet: str) -> dict[str, Shape]:
    """``name -> shape`` of the kinds a file of ``wallet`` holds (the same dict while :data:`KINDS` is unchanged)."""
    return _shapes(KINDS, wallet)


@lru_cache(maxsize=8)
def _shapes(kinds: tuple[RecordKind, ...], wallet: str) -> dict[str, Shape]:
    return {k.name: k.shape for k in _views(kinds)[wallet, True]}


def label_of(name: str, wallet: str = DESKTOP) -> str:
    """How a message names a record of ``name`` ("Account"; the name itself for a kind not in the table)."""
    kind = kind_of(wallet, name) or kind_of(LEGACY if wallet == DESKTOP else DESKTOP, name)
    return kind.label if kind else name


def secret_fields(wallet: str | None = None) -> frozenset[str]:
    """The secret fields of ``wallet``'s kinds (None: of every kind)."""
    kinds = KINDS if wallet is None else kinds_of(wallet, in_file=None)
    return frozenset().union(*(k.secrets for k in kinds))
