"""Damaged copies of a wallet database fixture: one page's byte flipped, or the file cut short.

    python scripts/walletdb-fixtures/damage.py tests/walletdb/history.sqlite3 OUT_DIR

Writes ``<name>-flipped-p<N>.sqlite3`` (one byte of page N's ciphertext XOR 0x01, so exactly that
page fails its HMAC) and ``<name>-truncated.sqlite3`` (cut 1000 bytes into its last page).  The
tests make the same copies in a temporary folder with these functions.
"""

from __future__ import annotations

import sys
from pathlib import Path

PAGE = 4096


def flip(data: bytes, page: int, offset: int = 100) -> bytes:
    """``data`` with the byte at ``offset`` of 1-based ``page`` XOR 0x01."""
    out = bytearray(data)
    out[(page - 1) * PAGE + offset] ^= 0x01
    return bytes(out)


def truncate(data: bytes, keep_of_last: int = 1000) -> bytes:
    """``data`` cut ``keep_of_last`` bytes into its last page."""
    return data[: len(data) - PAGE + keep_of_last]


def main(src: str, out: str) -> None:
    data = Path(src).read_bytes()
    stem = Path(src).stem
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    page = len(data) // PAGE // 2
    (target / f"{stem}-flipped-p{page}.sqlite3").write_bytes(flip(data, page))
    (target / f"{stem}-truncated.sqlite3").write_bytes(truncate(data))


if __name__ == "__main__":
    main(*sys.argv[1:3])
