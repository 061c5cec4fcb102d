"""Every record kind of a backup as a pandas DataFrame, with real dtypes and useful joins.

Desktop Wallet tables: ``accounts``, ``identities``, ``credentials``,
``addressBook``, ``externalCredentials``, ``wallets``, ``genesis`` (names as in
the file).  Legacy mobile wallet tables: ``identities``, ``accounts``,
``recipients``, with private key material redacted unless asked for.

Ids are nullable integers (``Int64``), flags nullable booleans, statuses
categoricals, identity-document months ``Period[M]``.  The JSON-string fields
are parsed into columns (identity provider, identity createdAt/validTo/
maxAccounts, credential policy dates); the raw strings are left out unless
``include_raw=True``.  Fields this toolkit does not know stay as columns.
"""

from __future__ import annotations

import json
from itertools import chain, repeat
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson
import pandas as pd
from pandas.arrays import PeriodArray

from toolkit.format.jsonio import gc_paused

from . import jsontext
from .kinds import DESKTOP, LEGACY, RecordKind, kind_of, kinds_of, secret_fields
from .records import ACCOUNT_STATUSES, ENCRYPTED_AMOUNT_FIELDS, IDENTITY_STATUSES, REDACTED

if TYPE_CHECKING:
    from .backup import Backup


_MONTH = pd.PeriodDtype("M")
_NAT_ORDINAL = np.iinfo(np.int64).min


def parse_json_field(value: Any) -> Any:
    """A JSON-string field's content; None for null, empty or unparsable text, or text beyond the bounds
    of :func:`toolkit.model.jsontext.read` (too many values, too deep)."""
    return jsontext.read(value)


def whole_number(value: Any) -> int | None:
    """``value`` if it is a whole number a table column holds (64 bits, not a boolean), else None."""
    return value if type(value) is int and abs(value) <= jsontext.MAX_INT else None


def yyyymm(value: Any) -> pd.Period | Any:
    """``"202811"`` as ``Period('2028-11', 'M')``; NaT for anything else."""
    if isinstance(value, str) and len(value) == 6 and value.isdigit() and 1 <= int(value[4:]) <= 12:
        return pd.Period(year=int(value[:4]), month=int(value[4:]), freq="M")
    return pd.NaT


def attribute_list(identity_object: Any) -> dict[str, Any]:
    """The attributeList of an identityObject (Desktop: a JSON string with ``value``; legacy: an object)."""
    return jsontext.identity_attributes(parse_json_field(identity_object))


def provider_name(identity_provider: Any) -> str | None:
    return jsontext.provider_name(parse_json_field(identity_provider))


def _frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """The records (objects only) as a frame, columns in first-seen key order.

    The columns are gathered in C and handed to pandas, which would otherwise collect them with a
    Python step per record.
    """
    plain = not set(map(type, records)) - {dict}
    if not plain:
        records = [r for r in records if isinstance(r, dict)]
    if not records:
        return pd.DataFrame.from_records(records)
    if plain and len(set().union(*records)) == len(records[0]):  # every record has the first one's keys at most
        columns = list(records[0])
    else:
        columns = list(dict.fromkeys(chain.from_iterable(map(dict.keys, records))))
    return pd.DataFrame.from_records(records, columns=columns)


def _ints(df: pd.DataFrame, columns: list[str]) -> None:
    for col in columns:
        if col in df:
            df[col] = pd.to_numeric(df[col], errors="coerce").astype("Int64")


def _dtypes(df: pd.DataFrame, kind: RecordKind | None) -> None:
    """The column dtypes ``kind`` declares (nullable integers, nullable booleans)."""
    dtypes = kind.dtypes if kind else {}
    _ints(df, [c for c, t in dtypes.items() if t == "Int64"])
    _bools(df, [c for c, t in dtypes.items() if t == "boolean"])


def _bools(df: pd.DataFrame, columns: list[str]) -> None:
    for col in columns:
        if col in df:
            if df[col].dtype == bool:  # every value true or false: nothing to weed out
                df[col] = df[col].astype("boolean")
            else:
                df[col] = pd.array([v if isinstance(v, bool) else None for v in df[col].tolist()], dtype="boolean")


def _category(df: pd.DataFrame, col: str, known: tuple[str, ...]) -> None:
    """``col`` as a categorical of the ``known`` values, then the others (sorted); codes looked up in C."""
    if col in df:
        values = df[col].tolist()
        try:
            distinct = set(values)
        except TypeError:  # an unhashable value: pandas' own way
            extra = sorted({v for v in df[col].dropna().unique() if v not in known}, key=str)
            df[col] = pd.Categorical(df[col], categories=list(known) + extra)
            return
        missing = {v for v in distinct if pd.isna(v)}
        extra = sorted(distinct - set(known) - missing, key=str)
        categories = list(known) + extra
        code = {v: i for i, v in enumerate(categories)}
        codes = np.fromiter(map(code.get, values, repeat(-1)), dtype=np.int64, count=len(values))
        df[col] = pd.Categorical.from_codes(codes, categories=categories)


def _periods(values: list[Any] | pd.Series, index: pd.Index | None = None) -> pd.Series:
    """``YYYYMM`` strings as a ``Period[M]`` column; anything else NaT.

    Each distinct text is converted once (a backup repeats a few hundred months over
    thousands of records) and the column is built from the periods' ordinals.
    """
    if isinstance(values, pd.Series):
        index = values.index if index is None else index
        values = values.tolist()
    try:
        distinct = set(values)
    except TypeError:  # an unhashable value (a list or object where a month belongs)
        distinct = None
    texts = [v for v in (values if distinct is None else distinct) if isinstance(v, str)]
    text = pd.Series(texts, dtype="object")
    stamps = pd.to_datetime(text, format="%Y%m", errors="coerce", cache=True)
    ordinal = dict(zip(texts, stamps.dt.to_period("M").array.asi8.tolist(), strict=True))
    nat = _NAT_ORDINAL
    if distinct is not None:  # one look-up per value, in C
        ordinals = np.fromiter(map(ordinal.get, values, repeat(nat)), dtype=np.int64, count=len(values))
    else:
        ordinals = np.array([ordinal.get(v, nat) if isinstance(v, str) else nat for v in values], dtype=np.int64)
    return pd.Series(PeriodArray(ordinals, dtype=_MONTH), index=index)


def _lookup(keys: pd.Series, mapping: dict[Any, Any]) -> list[Any]:
    """``keys.map(mapping)``, several times faster on big frames."""
    return list(map(mapping.get, keys.tolist()))


def _move_after(df: pd.DataFrame, col: str, after: str) -> pd.DataFrame:
    if col not in df or after not in df:
        return df
    cols = [c for c in df.columns if c != col]
    cols.insert(cols.index(after) + 1, col)
    return df[cols]


def leading_columns(name: str, wallet: str = DESKTOP) -> tuple[str, ...]:
    """The columns a person looks at first in table ``name`` (its kind's; a Desktop kind's name first)."""
    kind = kind_of(wallet, name) or kind_of(DESKTOP, name) or kind_of(LEGACY, name)
    return kind.leading if kind else ()


#: Columns a person looks at first, per table (derived from :data:`toolkit.model.kinds.KINDS` at import).
LEADING_COLUMNS: dict[str, list[str]] = {
    k.name: list(k.leading) for k in (*kinds_of(LEGACY), *kinds_of(DESKTOP)) if k.leading
}


def _lead(frames: dict[str, pd.DataFrame], wallet: str) -> dict[str, pd.DataFrame]:
    out = {}
    for name, df in frames.items():
        first = [c for c in leading_columns(name, wallet) if c in df.columns]
        out[name] = df[first + [c for c in df.columns if c not in first]]
    return out


def desktop_tables(
    backup: Backup, *, include_raw: bool = False, reveal_secrets: bool = False
) -> dict[str, pd.DataFrame]:
    """The seven Desktop Wallet tables (an empty frame with the known columns for a list the file lacks).

    The identities' and credentials' commitment ``randomness`` is secret: ‹redacted› unless ``reveal_secrets``.
    """
    frames = {kind.name: _kind_frame(backup, kind, reveal_secrets) for kind in kinds_of(DESKTOP)}

    wallets = frames["wallets"]
    identities = frames["identities"]
    if not identities.empty:
        raw_ids = [r for r in backup.records("identities") if isinstance(r, dict)]
        # what each distinct text shows, as the shape check read it (no text is parsed twice)
        facts = backup.texts.column("identities", "identityObject", [r.get("identityObject") for r in raw_ids])
        names = backup.texts.column("identities", "identityProvider", [r.get("identityProvider") for r in raw_ids])
        identities["identityProviderName"] = names
        created, valid_to, max_accounts = zip(*facts, strict=True) if facts else ((), (), ())
        identities["createdAt"] = _periods(list(created), identities.index)
        identities["validTo"] = _periods(list(valid_to), identities.index)
        identities["maxAccounts"] = pd.array([whole_number(n) for n in max_accounts], dtype="Int64")
        if "walletId" in identities and not wallets.empty and "id" in wallets and "identifier" in wallets:
            by_id = dict(zip(wallets["id"].tolist(), wallets["identifier"].tolist(), strict=False))
            identities["walletIdentifier"] = _lookup(identities["walletId"], by_id)
            identities = _move_after(identities, "walletIdentifier", "walletId")
        _category(identities, "status", IDENTITY_STATUSES)
        if not include_raw:
            identities = identities.drop(columns=["identityObject", "identityProvider"], errors="ignore")
    id_name = (
        dict(zip(identities["id"].tolist(), identities["name"].tolist(), strict=False))
        if {"id", "name"} <= set(identities.columns)
        else {}
    )
    frames["identities"] = identities

    accounts = frames["accounts"]
    if not accounts.empty:
        if "identityId" in accounts:
            accounts["identityName"] = _lookup(accounts["identityId"], id_name)
            accounts = _move_after(accounts, "identityName", "identityId")
        _category(accounts, "status", ACCOUNT_STATUSES)
        frames["accounts"] = accounts
    account_name = (
        dict(zip(accounts["address"].tolist(), accounts["name"].tolist(), strict=False))
        if {"address", "name"} <= set(accounts.columns)
        else {}
    )
    if not identities.empty and "id" in identities and "identityId" in accounts:
        counts = accounts["identityId"].value_counts()
        frames["identities"]["accounts"] = identities["id"].map(counts).fillna(0).astype("Int64")

    credentials = frames["credentials"]
    if not credentials.empty:
        policies = credentials["policy"].tolist() if "policy" in credentials else [None] * len(credentials)
        facts = backup.texts.column("credentials", "policy", policies)
        created, valid_to, revealed = (list(c) for c in zip(*facts, strict=True)) if facts else ([], [], [])
        credentials["policyCreatedAt"] = _periods(created, credentials.index)
        credentials["policyValidTo"] = _periods(valid_to, credentials.index)
        credentials["revealedAttributes"] = revealed
        if "randomness" in credentials:
            credentials["hasRandomness"] = credentials["randomness"].notna().astype("boolean")
        if "accountAddress" in credentials:
            credentials["accountName"] = _lookup(credentials["accountAddress"], account_name)
        if "identityId" in credentials:
            credentials["identityName"] = _lookup(credentials["identityId"], id_name)
        if not include_raw:
            credentials = credentials.drop(columns=["policy", "randomness"], errors="ignore")
        frames["credentials"] = credentials

    book = frames["addressBook"]
    if not book.empty and "address" in book:
        book["isOwnAccount"] = book["address"].isin(account_name.keys()).astype("boolean")
    external = frames["externalCredentials"]
    if not external.empty and "accountAddress" in external:
        external["accountName"] = _lookup(external["accountAddress"], account_name)
    if not wallets.empty and "id" in wallets and "walletId" in identities:
        wallets["identities"] = wallets["id"].map(identities["walletId"].value_counts()).fillna(0).astype("Int64")
    if not frames["genesis"].empty:
        frames["genesis"]["network"] = backup.network
    return frames


def _kind_frame(backup: Backup, kind: RecordKind, reveal_secrets: bool) -> pd.DataFrame:
    """The records of one kind as a frame with its dtypes, its secrets redacted (its known columns when empty)."""
    if kind.single:
        value = backup.document.get(kind.name)
        df = _frame([value] if isinstance(value, dict) else [])
    else:
        df = _frame(backup.records(kind.name))
    if df.empty and not len(df.columns):
        df = pd.DataFrame(columns=list(kind.columns))
    _dtypes(df, kind)
    for col in kind.secrets & set(df.columns):
        values = df[col].tolist()
        if reveal_secrets:
            df[col] = [_redact(v, True) for v in values]
        else:  # as _redact does, without a call per value
            df[col] = [REDACTED if v is not None else None for v in values]
    return df


def _redact(value: Any, reveal: bool) -> Any:
    """A secret as ‹redacted› (None stays None: "has none" is not a secret), or shown when ``reveal``."""
    if reveal:
        return _json_text(value) if isinstance(value, (dict, list)) else value
    return REDACTED if value is not None else None


def legacy_tables(backup: Backup, *, reveal_secrets: bool = False) -> dict[str, pd.DataFrame]:
    """Identities, accounts and recipients of a legacy mobile export; secrets redacted by default."""
    value = backup.document.get("value") or {}
    secrets = secret_fields(LEGACY)
    id_rows, acc_rows = [], []
    for identity in value.get("identities") or []:
        attrs = attribute_list(identity.get("identityObject"))
        row = {k: v for k, v in identity.items() if k not in ("accounts", "identityProvider", "identityObject")}
        row["identityProviderName"] = provider_name(identity.get("identityProvider"))
        row["createdAt"] = attrs.get("createdAt")
        row["validTo"] = attrs.get("validTo")
        row["maxAccounts"] = whole_number(attrs.get("maxAccounts"))
        row["accounts"] = len(identity.get("accounts") or [])
        for key in secrets:
            if key in row:
                row[key] = _redact(row[key], reveal_secrets)
        id_rows.append(row)
        for account in identity.get("accounts") or []:
            arow: dict[str, Any] = {"identityName": identity.get("name")}
            for k, v in account.items():
                if k in secrets:
                    arow[k] = _redact(v, reveal_secrets)
                elif k == "credential":
                    inner = v.get("value") if isinstance(v, dict) else None
                    arow["credId"] = inner.get("credId") if isinstance(inner, dict) else None
                elif k == "revealedAttributes":
                    arow[k] = ", ".join(sorted(v)) if isinstance(v, dict) else v
                else:
                    arow[k] = v
            acc_rows.append(arow)
    identities = pd.DataFrame.from_records(id_rows)
    for col in ("createdAt", "validTo"):
        if col in identities:
            identities[col] = _periods(list(identities[col]), identities.index)
    _dtypes(identities, kind_of(LEGACY, "identities"))
    frames = {"identities": identities, "accounts": pd.DataFrame.from_records(acc_rows)}
    for kind in kinds_of(LEGACY):  # the kinds without their own rules above: records as they are
        if kind.name not in frames:
            frames[kind.name] = _frame(backup.records(kind.name))
            _dtypes(frames[kind.name], kind)
    return {kind.name: frames[kind.name] for kind in kinds_of(LEGACY)}


def _json_text(value: Any) -> str:
    """Compact JSON text of a nested value; lone surrogates (valid JSON escapes) kept, not a crash."""
    try:
        return orjson.dumps(value).decode()
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def tabulate(backup: Backup, *, reveal_secrets: bool = False, include_raw: bool = False) -> dict[str, pd.DataFrame]:
    """Every record kind of ``backup`` as a DataFrame, keyed by the file's own list names.

    A record field of an unexpected type is :class:`~toolkit.errors.UnexpectedContentError`
    (see :meth:`Backup.check_shape`).
    """
    backup.check_shape()
    with gc_paused():
        if backup.is_legacy:
            return _lead(legacy_tables(backup, reveal_secrets=reveal_secrets), LEGACY)
        return _lead(desktop_tables(backup, include_raw=include_raw, reveal_secrets=reveal_secrets), DESKTOP)


def summary_frame(backup: Backup) -> pd.DataFrame:
    """The summary as a two-column frame (for notebooks and printing)."""
    s = backup.summary()
    rows: list[tuple[str, Any]] = [("kind", s["kind"]), ("network", s["network"])]
    rows += [(f"{k}", "absent" if v is None else v) for k, v in s["counts"].items()]
    for k, v in (s.get("encryption") or {}).items():
        rows.append((f"encryption.{k}", v))
    return pd.DataFrame(rows, columns=["item", "value"]).set_index("item")


def default_columns(name: str, frame: pd.DataFrame) -> list[str]:
    """The columns a person sees first: the table's leading columns, else every column but the
    encrypted amounts and secrets (the frame keeps them all)."""
    leading = [c for c in leading_columns(name) if c in frame.columns]
    if leading:
        return leading
    hidden = ENCRYPTED_AMOUNT_FIELDS | secret_fields()
    return [c for c in frame.columns if c not in hidden]
