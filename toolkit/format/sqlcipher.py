"""The Desktop Wallet's own database file: SQLCipher 4 with its default settings, decrypted page by page.

The wallet keeps its data in ``concordium-desktop-wallet-database.sqlite3``, written by knex over
``@journeyapps/sqlcipher`` 5.2.0 (SQLCipher 4.4.2), which sets only the key
(concordium-desktop-wallet@0ce97cb app/database/productionKnexFile.ts:20-24).  SQLCipher 4's defaults,
as measured on databases the wallet's own code made (../shared/docs/WALLET-DB.md; docs/FORMAT.md §7 cites
SQLCipher's source for each):

* pages of 4096 bytes, no plaintext header; bytes 0-15 of the file are the KDF salt;
* key = PBKDF2-HMAC-SHA512(UTF-8 password, salt, 256,000, 32 bytes);
  HMAC key = PBKDF2-HMAC-SHA512(key, salt XOR 0x3a, 2, 32 bytes);
* page n (1-based) at (n-1)*4096: bytes [0, 4016) AES-256-CBC without padding (page 1: [16, 4016)),
  [4016, 4032) the IV, [4032, 4096) HMAC-SHA512(ciphertext || IV || n as uint32 little-endian).

:func:`decrypt_database` returns the plain SQLite image (page 1's salt replaced by SQLite's magic
string, each page's 80 reserved bytes zeroed) and the pages whose HMAC failed; the image is read with
the standard library's ``sqlite3`` in memory (:func:`connect_image`), so nothing is ever written beside
the wallet's file.  A page is authenticated before it is decrypted, so a damaged page costs only itself.
"""

from __future__ import annotations

import os
import sqlite3
import struct
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from toolkit import errors

from . import in_use
from .container import password_bytes

PAGE_SIZE = 4096
SALT_LEN = 16
IV_LEN = 16
HMAC_LEN = 64
#: Bytes SQLCipher reserves at the end of each page (IV + HMAC); the b-tree uses the rest.
RESERVED = IV_LEN + HMAC_LEN
KDF_ITERATIONS = 256_000
HMAC_KDF_ITERATIONS = 2
KEY_LEN = 32
SQLITE_MAGIC = b"SQLite format 3\x00"
#: The largest database this reads into memory (a wallet's is a few MB; ten years of history, tens).
MAX_DATABASE_SIZE = 512 * 1024 * 1024
#: SQLite VM steps a reader may spend per page of the image (a crafted view or schema cannot loop for ever).
STEPS_PER_PAGE = 50_000

#: What a wrong-password message on a database adds (WALLET-DB.md, "How the wallet opens and changes it").
REKEY_BUG_NOTE = (
    "If the wallet's password was ever changed to one containing '.' or ' as ', the wallet re-keyed "
    "the database to the part before it (even if shorter than 6 characters): try that part."
)


@dataclass(frozen=True)
class PageKeys:
    """The AES key and HMAC key of one database (derived from the password and the file's salt)."""

    key: bytes = field(repr=False)
    hmac_key: bytes = field(repr=False)


@dataclass
class DecryptedDatabase:
    """A decrypted SQLCipher file: the SQLite image and what could not be authenticated."""

    image: bytes = field(repr=False)
    pages: int
    #: 1-based numbers of the pages whose HMAC failed (zeroed in ``image``).
    bad_pages: tuple[int, ...] = ()
    #: Bytes after the last whole page (a file cut short mid-page), dropped.
    partial_tail: int = 0
    #: Pages the header says the database has beyond the last whole page in the file (a file cut short).
    missing_pages: int = 0

    @property
    def intact(self) -> bool:
        return not self.bad_pages and not self.partial_tail and not self.missing_pages

    def damage(self) -> str:
        """What is wrong, in words ('' when intact)."""
        parts = []
        if self.bad_pages:
            shown = ", ".join(map(str, self.bad_pages[:10])) + (" ..." if len(self.bad_pages) > 10 else "")
            s = "s" if len(self.bad_pages) > 1 else ""
            parts.append(f"page{s} {shown} of {self.pages} failed the integrity check")
        if self.missing_pages:
            s = "s" if self.missing_pages > 1 else ""
            parts.append(f"the file is cut short ({self.missing_pages} page{s} missing at the end)")
        elif self.partial_tail:
            parts.append("the file is cut short (its last page is incomplete)")
        return "; ".join(parts)


# --------------------------------------------------------------------------- recognising


def looks_like_database(head: bytes, size: int) -> bool:
    """True when a file of ``size`` bytes starting with ``head`` may be a SQLCipher database.

    SQLCipher files are indistinguishable from random bytes, so this only rules out what a wallet
    backup (JSON text), a plain SQLite file or a zeroed file looks like.
    """
    if size < PAGE_SIZE or head.startswith(SQLITE_MAGIC) or head[:SALT_LEN] == bytes(SALT_LEN):
        return False  # too small, plain SQLite, or no random salt (a zeroed or sparse file)
    stripped = head.lstrip(b" \t\r\n\xef\xbb\xbf")
    return not stripped.startswith((b"{", b"["))


def check_format(data: bytes | memoryview) -> None:
    """Raise :class:`~toolkit.errors.NotDatabaseError` when ``data`` cannot be a SQLCipher database."""
    if len(data) < PAGE_SIZE:
        raise errors.NotDatabaseError(
            f"The file is {len(data):,} bytes, less than one {PAGE_SIZE}-byte page of a wallet database"
        )
    if bytes(data[:16]) == SQLITE_MAGIC:
        raise errors.NotDatabaseError("This is an unencrypted SQLite file, not the wallet's encrypted database")


def rekeyed_password(password: str) -> str | None:
    """The key the wallet's password change really set when the new password was ``password``, or None
    when that change worked.

    rekeyDatabase runs ``knex.raw('PRAGMA rekey = ??', newPassword)`` (preload/database/general.ts:46);
    knex 0.95.5 reads ``??`` as an identifier (lib/formatter/wrappingFormatter.js wrapString): it cuts
    at the first `` as `` (any case), then at ``.`` (the first part then trimmed), and SQLCipher re-keys
    to the first quoted part before SQLite refuses the rest.  Checked on @journeyapps/sqlcipher 5.2.0:
    ``new.Password-2`` → ``new``, ``X AS y.z`` → ``X``, ``a.b as c`` → ``a``, ``pass as x`` → ``pass``.
    """
    cut = password.lower().find(" as ")
    first = password[:cut] if cut != -1 else password
    segments = first.split(".")
    if len(segments) > 1:
        return segments[0].strip()
    return first if cut != -1 else None


# --------------------------------------------------------------------------- keys


def derive_keys(password: str | bytes, salt: bytes, *, iterations: int = KDF_ITERATIONS) -> PageKeys:
    """SQLCipher 4's key and HMAC key for ``password`` and the file's 16-byte ``salt``."""
    key = PBKDF2HMAC(algorithm=hashes.SHA512(), length=KEY_LEN, salt=salt, iterations=iterations).derive(
        password_bytes(password)
    )
    hmac_salt = bytes(b ^ 0x3A for b in salt)
    hmac_key = PBKDF2HMAC(
        algorithm=hashes.SHA512(), length=KEY_LEN, salt=hmac_salt, iterations=HMAC_KDF_ITERATIONS
    ).derive(key)
    return PageKeys(key, hmac_key)


def _page_parts(data: bytes | memoryview, n: int) -> tuple[memoryview, memoryview, memoryview, memoryview]:
    """(authenticated bytes, ciphertext, IV, HMAC) of page ``n`` (1-based)."""
    start = (n - 1) * PAGE_SIZE
    page = memoryview(data)[start : start + PAGE_SIZE]
    body_start = SALT_LEN if n == 1 else 0
    end = PAGE_SIZE - RESERVED
    return page[body_start : end + IV_LEN], page[body_start:end], page[end : end + IV_LEN], page[end + IV_LEN :]


def _page_mac(base: crypto_hmac.HMAC, authenticated: memoryview, n: int) -> bytes:
    mac = base.copy()
    mac.update(authenticated)
    mac.update(struct.pack("<I", n))
    return mac.finalize()


def page_authentic(data: bytes | memoryview, n: int, keys: PageKeys) -> bool:
    """Whether page ``n`` passes its HMAC under ``keys``."""
    base = crypto_hmac.HMAC(keys.hmac_key, hashes.SHA512())
    authenticated, _, _, tag = _page_parts(data, n)
    return _constant_time_eq(_page_mac(base, authenticated, n), bytes(tag))


def _constant_time_eq(a: bytes, b: bytes) -> bool:
    import hmac

    return hmac.compare_digest(a, b)


def guesses(candidate: str) -> list[str]:
    """What one candidate login password stands for: the key the wallet's password-change bug would have
    set from it (:func:`rekeyed_password`, tried first), then the candidate itself."""
    key = rekeyed_password(candidate)
    return [key, candidate] if key is not None and key != candidate else [candidate]


def guess_opens(page1: bytes | memoryview, candidate: str) -> str | None:
    """Which of :func:`guesses` opens the database whose first page is ``page1`` (None: neither)."""
    return next((g for g in guesses(candidate) if password_opens(page1, g)), None)


def password_opens(page1: bytes | memoryview, password: str | bytes) -> bool:
    """Whether ``password`` opens the database whose first page is ``page1`` (a password guess's test)."""
    if len(page1) < PAGE_SIZE:
        return False
    return page_authentic(page1, 1, derive_keys(password, bytes(page1[:SALT_LEN])))


# --------------------------------------------------------------------------- decrypting


def decrypt_database(data: bytes | memoryview, password: str | bytes) -> DecryptedDatabase:
    """Authenticate and decrypt every page of a wallet database; see the module docstring.

    Raises :class:`~toolkit.errors.NotDatabaseError` for what cannot be a SQLCipher file and
    :class:`~toolkit.errors.WrongPasswordError` when page 1 fails its HMAC (a wrong password, or a
    first page damaged beyond use: the two cannot be told apart).  Damaged later pages are reported
    in the result, not raised: the caller decides (:func:`toolkit.model.database` refuses, salvage reads
    around them).
    """
    check_format(data)
    return decrypt_with_keys(data, derive_keys(password, bytes(data[:SALT_LEN])))


def decrypt_with_keys(data: bytes | memoryview, keys: PageKeys) -> DecryptedDatabase:
    """:func:`decrypt_database` with keys already derived (for the password search's confirmation)."""
    check_format(data)
    view = memoryview(data)
    whole = len(view) // PAGE_SIZE
    partial = len(view) - whole * PAGE_SIZE
    base = crypto_hmac.HMAC(keys.hmac_key, hashes.SHA512())
    aes = algorithms.AES(keys.key)
    out = bytearray(whole * PAGE_SIZE)
    bad: list[int] = []
    usable = PAGE_SIZE - RESERVED
    for n in range(1, whole + 1):
        authenticated, ciphertext, iv, tag = _page_parts(view, n)
        if not _constant_time_eq(_page_mac(base, authenticated, n), bytes(tag)):
            if n == 1 and partial:
                raise errors.NotDatabaseError(
                    f"The file is not a whole number of {PAGE_SIZE}-byte pages and the password does not open its "
                    "first page: it is not a wallet database, or it is cut short and the password is wrong"
                )
            if n == 1:
                raise errors.WrongPasswordError(
                    "The password does not open this wallet database (or its first page is damaged). " + REKEY_BUG_NOTE
                )
            bad.append(n)
            continue
        dec = Cipher(aes, modes.CBC(bytes(iv))).decryptor()
        start = (n - 1) * PAGE_SIZE
        if n == 1:
            out[0:SALT_LEN] = SQLITE_MAGIC
            out[SALT_LEN:usable] = dec.update(ciphertext) + dec.finalize()
        else:
            out[start : start + usable] = dec.update(ciphertext) + dec.finalize()
    header = out[:100]
    page_size = struct.unpack(">H", header[16:18])[0]
    if page_size not in (PAGE_SIZE,) or header[20] != RESERVED:
        raise errors.UnexpectedContentError(
            "The password opens the file, but its first page is not a SQLite header with SQLCipher's "
            f"{PAGE_SIZE}-byte pages",
            hint="It was not written by the Concordium Desktop Wallet.",
        )
    declared = struct.unpack(">I", header[28:32])[0]
    missing = max(0, declared - whole) if declared else (1 if partial else 0)
    return DecryptedDatabase(bytes(out), whole, tuple(bad), partial, missing)


# --------------------------------------------------------------------------- reading


def connect_image(image: bytes) -> sqlite3.Connection:
    """A read-only in-memory ``sqlite3`` connection over a decrypted image (no file is touched).

    ``trusted_schema`` is off, so a crafted view or trigger in the file cannot call functions
    with side effects; ``query_only`` refuses any write; and the connection's work is capped in
    proportion to the image's size (:data:`STEPS_PER_PAGE`), so no crafted file costs more than linear time.
    """
    con = sqlite3.connect(":memory:")
    limit_work(con, len(image) // PAGE_SIZE)
    try:
        con.deserialize(image)
        con.execute("PRAGMA trusted_schema = OFF")
        con.execute("PRAGMA query_only = ON")
        con.execute("SELECT count(*) FROM sqlite_schema").fetchone()
    except sqlite3.DatabaseError as exc:
        con.close()
        raise errors.DamagedError(f"The password is right, but the database's structure is damaged ({exc})") from None
    return con


def limit_work(con: sqlite3.Connection, pages: int) -> None:
    """Cap what ``con`` may spend to :data:`STEPS_PER_PAGE` SQLite steps per page of a ``pages``-page
    database (any statement past it fails as interrupted), so no crafted file costs more than linear time."""
    budget = [STEPS_PER_PAGE * (pages + 200) // 1000]

    def spend() -> int:  # called every 1000 steps; non-zero interrupts the statement
        budget[0] -= 1
        return budget[0] < 0

    con.set_progress_handler(spend, 1000)


def hot_journal(path: str) -> str | None:
    """The path of a non-empty rollback journal or WAL beside the database at ``path``, if any.

    The wallet runs in ``journal_mode`` delete (WALLET-DB.md): a ``-journal`` exists only while it
    writes, or after it stopped mid-write (SQLite would roll it back on the next open, writing to the file).
    """
    for suffix in ("-journal", "-wal"):
        try:
            if os.path.getsize(path + suffix) > 0:
                return path + suffix
        except OSError:
            continue
    return None


def refuse_if_in_use(path: str) -> None:
    """Raise :class:`~toolkit.errors.DatabaseInUseError` when another process holds ``path`` open for writing
    (the Desktop Wallet, logged in): what it reads may be half-written (:mod:`toolkit.format.in_use` says how
    each system is checked; Windows is not)."""
    held = in_use.writers(path)
    if held:
        who = ", ".join(str(h) for h in held[:3]) + (f" and {len(held) - 3} more" if len(held) > 3 else "")
        raise errors.DatabaseInUseError(
            f"The Desktop Wallet (or another program: {who}) has the database open for writing, so what is read "
            "now may be half-written",
            hint="Close the Desktop Wallet (quit it, not only log out) and try again, or copy the file while the "
            "wallet is closed and open the copy.",
        )


def read_database_file(path: str | os.PathLike[str], *, max_size: int = MAX_DATABASE_SIZE) -> bytes:
    """The bytes of a wallet database, opened read-only (nothing is created beside it); refused while another
    process holds it open for writing (:func:`refuse_if_in_use`)."""
    path = os.path.expanduser(os.fspath(path))
    refuse_if_in_use(path)
    with errors.reading(path, "database"), open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > max_size:
            raise errors.TooLargeError(f"The database is {size:,} bytes, more than the {max_size:,} read here")
        return fh.read(max_size + 1)


def rows(con: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    """The rows of a query as dicts keyed by the result's column names, in column order."""
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur]
