"""The encrypted container both wallets write: the only module that touches the cipher.

``{"cipherText": base64, "metadata": {keyLen, iterations, salt,
initializationVector, encryptionMethod, keyDerivationMethod, hashAlgorithm}}``
— PBKDF2-HMAC-SHA256 then AES-256-CBC with PKCS#7 padding (docs/FORMAT.md §1).
It knows nothing of accounts or identities; it only knows how each wallet's
plaintext *starts*, which lets one 16-byte block tell a right password from a
wrong one, and so a damaged file from a wrong password.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Literal

import pybase64
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from toolkit import errors

from . import files, jsonio

BLOCK = 16
ENCRYPTION_METHOD = "AES-256"
KDF_METHOD = "PBKDF2WithHmacSHA256"
HASH_ALGORITHM = "sha256"
KEY_LEN = 32
#: Iterations the writers use; the Desktop Wallet's is the default for new files.
DESKTOP_ITERATIONS = 10_000
LEGACY_ITERATIONS = 100_000
#: A file asking for more work than this is refused before any is done
#: (20x the legacy wallet's setting; about a second or two of PBKDF2 here).
MAX_ITERATIONS = 2_000_000
MIN_SALT, MAX_SALT = 8, 1024
#: Files larger than this are refused before they are read: what every command handles in
#: under 2 GB of memory.  Memory grows with the number of records, not bytes; the worst case
#: (bench/bench_size_limit.py --shape worst: 1.5 M tiny contacts, each a finding, 100 MB) peaks
#: at 1.4 GB for inspect and 1.5 GB for audit.  Real backups are a few MB.
MAX_FILE_SIZE = 96 * 1024 * 1024

#: How each wallet's plaintext starts (JSON key order of the writers).
DESKTOP_PREFIX = b'{"accounts":['
LEGACY_PREFIX = b'{"type":"concordium-mobile-wallet-data"'
KNOWN_PREFIXES: dict[str, bytes] = {"desktop-wallet": DESKTOP_PREFIX, "legacy-mobile-wallet": LEGACY_PREFIX}

Layout = Literal["desktop", "legacy"]

_REQUIRED_METADATA = ("iterations", "salt", "initializationVector", "encryptionMethod", "keyDerivationMethod")


@dataclass(frozen=True)
class KdfParams:
    """What PBKDF2 needs besides the password."""

    iterations: int
    salt: bytes = field(repr=False)
    key_len: int = KEY_LEN
    hash_algorithm: str = HASH_ALGORITHM


@dataclass(frozen=True)
class Container:
    """A parsed, validated container; ``metadata`` is the file's own object, unchanged."""

    ciphertext: bytes = field(repr=False)
    iv: bytes = field(repr=False)
    kdf: KdfParams
    metadata: dict[str, Any] = field(repr=False)
    #: Which writer's key order the outer JSON follows.
    layout: Layout = "desktop"
    #: Only from a tolerant parse (:func:`parse_container` with ``tolerant=True``): ciphertext byte
    #: ranges [start, end) that were not base64 (zeros stand in), whether cipherText was cut short,
    #: and plain sentences about what was assumed or lost.
    bad_ranges: tuple[tuple[int, int], ...] = ()
    cut: bool = False
    notes: tuple[str, ...] = field(default=(), repr=False)

    @property
    def first_block(self) -> bytes:
        return self.ciphertext[:BLOCK]

    def describe(self) -> dict[str, Any]:
        """Encryption parameters for a summary (no secrets: salt and IV are public)."""
        return {
            "encryptionMethod": self.metadata.get("encryptionMethod"),
            "keyDerivationMethod": self.metadata.get("keyDerivationMethod"),
            "hashAlgorithm": self.kdf.hash_algorithm,
            "iterations": self.kdf.iterations,
            "keyLen": self.kdf.key_len,
            "saltBytes": len(self.kdf.salt),
            "ivBytes": len(self.iv),
            "cipherTextBytes": len(self.ciphertext),
        }


# --------------------------------------------------------------------------- reading


def read_source(source: Any, *, max_size: int = MAX_FILE_SIZE) -> bytes:
    """The bytes of a path (``~`` expanded; ``-`` is standard input), a bytes-like object or a binary
    file object; size-capped."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif hasattr(source, "read"):
        data = source.read(max_size + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    elif files.is_stdio(source):
        data = files.read_stdin(max_size)
    else:
        try:
            path = files.user_path(source)
        except errors.InvalidArgumentError:
            raise errors.InvalidArgumentError(
                f"A backup is given as a path, bytes or a binary file object, not {type(source).__name__}"
            ) from None
        with errors.reading(path):
            size = os.stat(path).st_size
            if size > max_size:
                raise errors.TooLargeError(f"The file is {size:,} bytes, more than the {max_size:,} a backup can be")
            with open(path, "rb") as fh:
                data = fh.read(max_size + 1)
    if len(data) > max_size:
        raise errors.TooLargeError(f"The file is more than the {max_size:,} bytes a backup can be")
    return data


def parse_container(data: bytes, *, tolerant: bool = False) -> Container:
    """Parse and validate the outer JSON; every reason for refusal is specific.

    ``tolerant`` (for salvage): a file whose outer JSON is cut short or altered is still read
    where it can be (see :func:`_parse_tolerant`); the result says what was lost in its
    ``bad_ranges``, ``cut`` and ``notes``.  What cannot be read is :class:`NotSalvageableError`.
    """
    if tolerant:
        try:
            return parse_container(data)
        except (errors.NotJsonError, errors.InvalidStructureError, errors.InvalidBase64Error):
            return _parse_tolerant(data)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    outer, ciphertext = _split_ciphertext(data)
    if outer is None:
        outer = _outer_json(data)
    meta = _checked_metadata(outer)
    iterations, key_len = _kdf_numbers(meta)

    salt = _b64(meta["salt"], "metadata.salt")
    iv = _b64(meta["initializationVector"], "metadata.initializationVector")
    if ciphertext is None:
        ciphertext = _b64(outer["cipherText"], "cipherText")
    if not MIN_SALT <= len(salt) <= MAX_SALT:
        raise errors.InvalidParametersError(
            f"metadata.salt is {len(salt)} bytes; it must be {MIN_SALT} to {MAX_SALT} (the wallets use 16 or 32)"
        )
    if len(iv) != BLOCK:
        raise errors.InvalidParametersError(f"metadata.initializationVector is {len(iv)} bytes; AES-CBC needs 16")
    layout: Layout = "legacy" if next(iter(outer)) == "metadata" else "desktop"
    return Container(
        ciphertext=ciphertext,
        iv=iv,
        kdf=KdfParams(iterations=iterations, salt=salt, key_len=key_len, hash_algorithm=HASH_ALGORITHM),
        metadata=meta,
        layout=layout,
    )


def _checked_metadata(outer: Any) -> dict[str, Any]:
    """The metadata of a container's outer JSON, after checking the fields every file has and their types."""
    if not isinstance(outer, dict):
        raise errors.InvalidStructureError(
            f"The file holds a JSON {jsonio.json_type(outer)}, not an object with cipherText and metadata"
        )
    if "cipherText" not in outer:
        raise errors.InvalidStructureError("The field cipherText is missing")
    if "metadata" not in outer:
        raise errors.InvalidStructureError("The field metadata is missing")
    if not isinstance(outer["cipherText"], str):
        raise errors.InvalidStructureError(
            f"cipherText is a {jsonio.json_type(outer['cipherText'])}, not a base64 string"
        )
    meta = outer["metadata"]
    if not isinstance(meta, dict):
        raise errors.InvalidStructureError(f"metadata is a {jsonio.json_type(meta)}, not an object")
    for name in _REQUIRED_METADATA:
        if name not in meta or meta[name] is None:
            raise errors.InvalidStructureError(f"The field metadata.{name} is missing")
    for name in ("salt", "initializationVector", "encryptionMethod", "keyDerivationMethod"):
        if not isinstance(meta[name], str):
            raise errors.InvalidStructureError(f"metadata.{name} is a {jsonio.json_type(meta[name])}, not a string")
    return meta


def _kdf_numbers(meta: dict[str, Any]) -> tuple[int, int]:
    """(iterations, key length) of the metadata, after checking the cipher and key derivation are the wallets'."""
    if meta["encryptionMethod"] != ENCRYPTION_METHOD:
        raise errors.UnsupportedCipherError(f"The file is encrypted with {meta['encryptionMethod']!r}, not AES-256")
    if meta["keyDerivationMethod"] != KDF_METHOD:
        raise errors.UnsupportedKdfError(
            f"The key derivation is {meta['keyDerivationMethod']!r}, not PBKDF2WithHmacSHA256"
        )
    hash_algorithm = meta.get("hashAlgorithm", HASH_ALGORITHM)
    if hash_algorithm is None:
        hash_algorithm = HASH_ALGORITHM
    if not isinstance(hash_algorithm, str) or hash_algorithm.lower().replace("-", "") != HASH_ALGORITHM:
        raise errors.UnsupportedKdfError(f"The hash algorithm is {hash_algorithm!r}, not sha256")

    iterations = _integer(meta["iterations"], "metadata.iterations")
    if iterations < 1:
        raise errors.InvalidParametersError(f"metadata.iterations is {iterations}, not a positive number")
    if iterations > MAX_ITERATIONS:
        raise errors.InvalidParametersError(
            f"metadata.iterations asks for {iterations:,} rounds, more than the safe limit of {MAX_ITERATIONS:,}"
        )
    key_len = meta.get("keyLen", KEY_LEN)
    key_len = KEY_LEN if key_len is None else _integer(key_len, "metadata.keyLen")
    if key_len != KEY_LEN:
        raise errors.InvalidParametersError(f"metadata.keyLen is {key_len}; AES-256 needs 32")
    return iterations, key_len


_CIPHERTEXT_KEY = b'"cipherText":"'


def _split_ciphertext(data: bytes) -> tuple[Any, bytes | None]:
    """The outer JSON without its cipherText value, and that value decoded straight from ``data``.

    The fast path for a well-formed file: the megabytes of base64 are neither copied into a str nor
    walked by the JSON parser.  Anything unusual (escapes, spaces, a second key of that name, bad
    base64, JSON that does not parse) gives ``(None, None)``, and the whole file is parsed as before,
    so every refusal says what it always said.
    """
    at = data.find(_CIPHERTEXT_KEY)
    if at < 0:
        return None, None
    start = at + len(_CIPHERTEXT_KEY)
    end = data.find(b'"', start)
    if end < 0:
        return None, None
    # A second key of that name?  It starts with a quote: at the value's own (start - 1), or after
    # the value (which holds none), so the megabytes in between need not be searched again.
    if data.startswith(_CIPHERTEXT_KEY, start - 1) or data.find(_CIPHERTEXT_KEY, end) >= 0:
        return None, None
    span = memoryview(data)[start:end]
    try:  # SIMD base64 (several times faster); it accepts only what strict binascii accepts, alike
        ciphertext = pybase64.b64decode(span, validate=True)
    except ValueError:  # and what it refuses gets binascii's own judgement, as always
        ciphertext = None
    try:
        if ciphertext is None:
            ciphertext = binascii.a2b_base64(span, strict_mode=True)
        outer = jsonio.loads(data[:start] + data[end:])
    except (binascii.Error, ValueError, jsonio.JSONError):
        return None, None
    if not isinstance(outer, dict) or outer.get("cipherText") != "":
        return None, None
    return outer, ciphertext


def _outer_json(data: bytes) -> Any:
    if not data.strip():
        raise errors.NotJsonError("The file is empty")
    try:
        return jsonio.loads(data)
    except jsonio.JSONError as exc:
        if exc.at_end:
            if all(f'"{name}"'.encode() in data for name in ("salt", "initializationVector", "iterations")):
                hint = "Find a complete copy, or salvage what is left."
            else:  # a Desktop Wallet file keeps salt and IV at its end: without them nothing decrypts
                hint = "Its encryption settings (salt, IV) were at the end and are lost: find a complete copy."
            raise errors.NotJsonError(
                "The file ends in the middle of its JSON: it was cut short (an interrupted download or copy?)",
                hint=hint,
            ) from None
        where = f" at position {exc.pos}" if exc.pos is not None else ""
        raise errors.NotJsonError(f"The file is not JSON ({exc}{where})") from None


def _integer(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise errors.InvalidParametersError(f"{name} is a {jsonio.json_type(value)}, not a whole number")
    if isinstance(value, float):
        if not value.is_integer():
            raise errors.InvalidParametersError(f"{name} is {value}, not a whole number")
        value = int(value)
    return value


def _b64(text: str, name: str) -> bytes:
    try:  # strict: only the alphabet, correct padding, nothing after it (C speed, unlike validate=True)
        return binascii.a2b_base64(text.encode("ascii"), strict_mode=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise errors.InvalidBase64Error(f"{name} is not valid base64") from None


# --------------------------------------------------------------------------- reading, tolerantly (salvage)

_B64_BAD = re.compile(r"[^A-Za-z0-9+/]")


def _refuse(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_METADATA_DECODER = json.JSONDecoder(parse_constant=_refuse)


def _parse_tolerant(data: bytes) -> Container:
    """The container of a file whose outer JSON does not parse: a cipherText cut short keeps all its
    whole blocks; characters that are not base64 cost only the blocks they fall in; metadata fields
    that are missing are assumed where the wallets write only one value."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    text = data.decode("latin-1")  # the outer JSON is ASCII; this keeps one character per byte
    ct_m = re.search(r'"cipherText"\s*:\s*"', text)
    meta_m = re.search(r'"metadata"\s*:\s*\{', text)
    if ct_m is None:
        raise errors.NotSalvageableError(
            "The file holds no cipherText (the encrypted data), so there is nothing to decrypt"
        )
    if meta_m is None:
        raise errors.NotSalvageableError(
            "The file was cut short before its metadata: a Desktop Wallet file keeps the salt, IV and "
            "iteration count after the encrypted data, and without them nothing can be decrypted",
            hint="Find a complete copy of the backup (the original download, another disk, the e-mail it was sent with).",
        )
    layout: Layout = "legacy" if meta_m.start() < ct_m.start() else "desktop"
    notes: list[str] = []
    meta = _read_metadata(text, meta_m.end() - 1, ct_m.start() if layout == "legacy" else len(text), notes)
    box = parse_container(jsonio.dumps_js({"cipherText": "", "metadata": meta}))  # validates the parameters

    start = ct_m.end()
    end_m = re.compile(r'"\s*[,}]').search(text, start)
    if end_m is not None:
        value, cut = text[start : end_m.start()], False
    else:
        value = text[start:].rstrip()
        cut = not value.endswith('"')
        value = value.rstrip('"')
    ciphertext, bad = _tolerant_b64(value, complete=not cut)
    if cut:
        notes.append(
            "The file was cut short inside its encrypted data (an interrupted download or copy); "
            "everything after the cut is lost."
        )
    if bad:
        notes.append(
            f"{len(bad)} group(s) of characters in the encrypted data were not base64 (the file was altered "
            "or damaged); the text they held is lost."
        )
    return Container(
        ciphertext=ciphertext,
        iv=box.iv,
        kdf=box.kdf,
        metadata=meta,
        layout=layout,
        bad_ranges=tuple(bad),
        cut=cut,
        notes=tuple(notes),
    )


def _read_metadata(text: str, start: int, end: int, notes: list[str]) -> dict[str, Any]:
    try:
        obj, _ = _METADATA_DECODER.raw_decode(text, start)
        if isinstance(obj, dict):
            return obj
    except (ValueError, RecursionError):
        pass
    region = text[start:end]
    meta: dict[str, Any] = {}
    for name in ("keyLen", "iterations"):  # a number must be followed by , or } (else it may be cut)
        m = re.search(rf'"{name}"\s*:\s*(\d+)\s*[,}}]', region)
        if m:
            meta[name] = int(m.group(1))
    for name in ("salt", "initializationVector", "encryptionMethod", "keyDerivationMethod", "hashAlgorithm"):
        m = re.search(rf'"{name}"\s*:\s*"((?:[^"\\]|\\.)*)"', region)
        if m:
            try:
                meta[name] = json.loads(f'"{m.group(1)}"')
            except ValueError:
                pass
    missing = [n for n in ("iterations", "salt", "initializationVector") if n not in meta]
    if missing:
        raise errors.NotSalvageableError(
            f"The file's metadata is cut short or damaged: {', '.join(missing)} cannot be read, and nothing "
            "can be decrypted without it",
            hint="Find a complete copy of the backup.",
        )
    assumed = []
    for name, default in (
        ("encryptionMethod", ENCRYPTION_METHOD),
        ("keyDerivationMethod", KDF_METHOD),
        ("keyLen", KEY_LEN),
        ("hashAlgorithm", HASH_ALGORITHM),
    ):
        if name not in meta:
            meta[name] = default
            assumed.append(name)
    if assumed:
        notes.append(
            "The metadata was incomplete; the only values the wallets write were assumed for "
            + ", ".join(assumed)
            + "."
        )
    return meta


def _tolerant_b64(value: str, *, complete: bool) -> tuple[bytes, list[tuple[int, int]]]:
    """Decode base64 quad by quad: a quad with a character that is not base64 becomes 3 unknown bytes."""
    s = re.sub(r"\\u003[dD]", "=", value).replace("\\/", "/")
    if not complete:
        s = re.sub(r"\\(u[0-9a-fA-F]{0,3})?$", "", s)  # an escape cut in half
    s = re.sub(r"\s+", "", s)
    body = s.rstrip("=")
    complete = complete or len(body) < len(s)  # base64 padding comes only at the very end
    if complete and len(body) % 4 == 1:
        body = body[:-1]  # a stray character cannot be decoded
    if not complete:
        body = body[: len(body) // 4 * 4]  # a partial quad at a cut holds no whole byte we can use
    bad_quads = sorted({m.start() // 4 for m in _B64_BAD.finditer(body)})
    if bad_quads:
        parts, prev = [], 0
        for q in bad_quads:
            parts += [body[prev : 4 * q], "AAAA"[: len(body[4 * q : 4 * q + 4])]]
            prev = 4 * q + 4
        parts.append(body[prev:])
        body = "".join(parts)
    raw = base64.b64decode(body + "=" * (-len(body) % 4))
    bad = [(3 * q, min(3 * q + 3, len(raw))) for q in bad_quads if 3 * q < len(raw)]
    return raw, bad


# --------------------------------------------------------------------------- crypto


def password_bytes(password: str | bytes) -> bytes:
    """The bytes the wallets derive from: the password's UTF-8 encoding."""
    if isinstance(password, (bytes, bytearray)):
        return bytes(password)
    if not isinstance(password, str):
        raise TypeError("password must be str or bytes")
    return password.encode("utf-8", "surrogatepass")


def derive_key(password: str | bytes, kdf: KdfParams) -> bytes:
    """PBKDF2-HMAC-SHA256 with the file's own parameters."""
    return PBKDF2HMAC(algorithm=hashes.SHA256(), length=kdf.key_len, salt=kdf.salt, iterations=kdf.iterations).derive(
        password_bytes(password)
    )


def decrypt_blocks(ciphertext: bytes, iv: bytes, key: bytes) -> bytes:
    """Raw AES-CBC decryption of whole blocks, no padding check (for checks and salvage)."""
    whole = len(ciphertext) - len(ciphertext) % BLOCK
    dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return dec.update(ciphertext[:whole]) + dec.finalize()


def classify_first_block(block: bytes) -> str | None:
    """Which wallet's plaintext this first block starts, or None."""
    for kind, prefix in KNOWN_PREFIXES.items():
        n = min(len(prefix), len(block))
        if n and block[:n] == prefix[:n]:
            return kind
    return None


def first_block_matches(container: Container, key: bytes) -> bool:
    """The cheap password check: does the first block decrypt to a known plaintext start, or to text starting
    with ``{`` (a file whose writer spaced its JSON)?  A wrong key passes the second test a few times in 10^7
    tries (1 in 256 for the ``{``, about 1 in 10^4 for :func:`looks_like_text`); every match is confirmed by
    decrypting the whole file, and a false one only costs that decryption."""
    if len(container.ciphertext) < BLOCK:
        return False
    block = decrypt_blocks(container.first_block, container.iv, key)
    return classify_first_block(block) is not None or _text_start(block)


def looks_like_text(raw: bytes, *, min_len: int = 32) -> bool:
    """Is ``raw`` a piece of UTF-8 text without control characters?

    Tells a right key from a wrong one without knowing the text: 16 random
    bytes pass about once in 10^4 tries, 64 random bytes far less often.
    """
    if len(raw) < min_len:
        return False
    if any(b < 32 and b not in b"\t\r\n" for b in raw):
        return False
    for start in range(4):  # a block boundary may split a multi-byte character
        for end in range(len(raw), max(start, len(raw) - 4), -1):
            try:
                raw[start:end].decode("utf-8")
                return True
            except UnicodeDecodeError:
                continue
    return False


def _text_start(block: bytes) -> bool:
    # A right password on a file from an unknown writer: text starting with '{'.
    return block[:1] == b"{" and looks_like_text(block, min_len=1)


def _text_goes_on(raw: bytes) -> bool:
    """Does text follow a ``{`` first block?  Proof of the password only with it: a wrong key gives a ``{`` and 15
    text bytes about once in 10^5 tries (a search of 10^5 candidates meets one).  One damaged ciphertext block
    garbles two plaintext blocks, so one of three two-block windows after the first block survives it; 32 random
    bytes pass as text far less than once in 10^4.  The last block (padding) is left out; a file too short for
    one window has only its first block to tell."""
    body = raw[BLOCK:-BLOCK]
    windows = [body[i : i + 2 * BLOCK] for i in range(0, min(len(body), 6 * BLOCK), 2 * BLOCK)]
    windows = [w for w in windows if len(w) == 2 * BLOCK]
    return not windows or any(looks_like_text(w) for w in windows)


@dataclass(frozen=True)
class Decrypted:
    #: bytes, or a read-only memoryview from ``decrypt_with_key(..., view=True)``.
    plaintext: bytes | memoryview = field(repr=False)
    #: "desktop-wallet" / "legacy-mobile-wallet" when the first block showed it, else None.
    first_block_kind: str | None
    #: Did the plaintext's start prove the password (a known start, or ``{`` and text that goes on)?  Then
    #: content that does not parse is damage, not a wrong password.
    password_shown: bool = False


def decrypt(container: Container, password: str | bytes) -> Decrypted:
    """Decrypt a container, telling a wrong password from a damaged file."""
    key = derive_key(password, container.kdf)
    return decrypt_with_key(container, key)


def decrypt_with_key(container: Container, key: bytes, *, view: bool = False) -> Decrypted:
    """:func:`decrypt` with a derived key.  ``view``: the plaintext as a read-only view of the decrypted
    blocks, not a copy of them (for the open, which parses it and keeps it: one 28 MB copy less)."""
    ct = container.ciphertext
    if len(ct) < BLOCK:
        raise errors.DamagedError(
            f"The encrypted data is {len(ct)} bytes, less than one 16-byte block, so nothing can be decrypted",
            hint="Use another copy of the backup.",
        )
    raw = decrypt_blocks(ct, container.iv, key)
    kind = classify_first_block(raw[:BLOCK])
    # Block 0 damaged garbles plaintext blocks 0 and 1 only: blocks 2.. still read as text.
    text_start = kind is not None or (_text_start(raw[:BLOCK]) and _text_goes_on(raw))
    right_password = text_start or looks_like_text(raw[2 * BLOCK : 6 * BLOCK])
    if len(ct) % BLOCK:
        if right_password:
            raise errors.DamagedError(
                f"The encrypted data ends in a partial block ({len(ct)} bytes is not a multiple of 16): "
                "the file was cut short"
            )
        raise errors.WrongPasswordError("The password does not open this file")
    plaintext = _unpad(raw, view=view)
    if plaintext is None:
        if right_password:
            raise errors.DamagedError("The password is right, but the end of the encrypted data is damaged or missing")
        raise errors.WrongPasswordError("The password does not open this file")
    if not text_start and right_password:
        raise errors.DamagedError("The password is right, but the start of the encrypted data is damaged")
    return Decrypted(plaintext=plaintext, first_block_kind=kind, password_shown=text_start)


def _unpad(raw: bytes, *, view: bool = False) -> bytes | memoryview | None:
    """``raw`` without its PKCS#7 padding (what cryptography's unpadder accepts), or None when it has none.

    One copy of the plaintext, where the unpadder makes two (its update, then joining its final block);
    none with ``view``."""
    n = raw[-1] if raw else 0
    if not 1 <= n <= BLOCK or len(raw) < n or raw[-n:] != bytes((n,)) * n:
        return None
    return memoryview(raw)[: len(raw) - n] if view else raw[:-n]


def encrypt(
    plaintext: bytes,
    password: str | bytes,
    *,
    iterations: int | None = None,
    salt: bytes | None = None,
    iv: bytes | None = None,
    layout: Layout = "desktop",
) -> bytes:
    """A complete backup file holding ``plaintext``, written as the chosen wallet writes it.

    Desktop: fresh 16-byte salt and IV, 10,000 iterations, keyLen 32, sha256.
    Legacy: 32-byte salt, 100,000 iterations, Gson's key order and escaping.
    """
    if iterations is None:
        iterations = LEGACY_ITERATIONS if layout == "legacy" else DESKTOP_ITERATIONS
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise errors.InvalidParametersError(f"iterations must be 1 to {MAX_ITERATIONS:,}")
    salt = salt if salt is not None else os.urandom(32 if layout == "legacy" else 16)
    iv = iv if iv is not None else os.urandom(BLOCK)
    key = derive_key(password, KdfParams(iterations=iterations, salt=salt))
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ct = enc.update(padded) + enc.finalize()
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    if layout == "legacy":
        outer = {
            "metadata": {
                "encryptionMethod": ENCRYPTION_METHOD,
                "keyDerivationMethod": KDF_METHOD,
                "iterations": iterations,
                "salt": b64(salt),
                "initializationVector": b64(iv),
            },
            "cipherText": b64(ct),
        }
        return jsonio.dumps_gson(outer)
    outer = {
        "cipherText": b64(ct),
        "metadata": {
            "keyLen": KEY_LEN,
            "iterations": iterations,
            "salt": b64(salt),
            "initializationVector": b64(iv),
            "encryptionMethod": ENCRYPTION_METHOD,
            "keyDerivationMethod": KDF_METHOD,
            "hashAlgorithm": HASH_ALGORITHM,
        },
    }
    return jsonio.dumps_js(outer)
