"""``concordium-backup samples DIR``: copy the bundled sample backups, with their password files, into DIR.

A thin skin over :func:`toolkit.ops.bundled.copy_samples`.  Exit 0 when copied, 2 when
DIR already holds one of the files (nothing is replaced) or cannot be written.
"""

from __future__ import annotations

import argparse
import os
import shlex
from pathlib import Path

from .common import add_json_flag, emit, print_json


def configure(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Copy the sample backups (synthetic wallets: current, later, old and legacy exports, a damaged and a"
        " bit-rotten copy, one with a forgotten password and its candidates), each with its .password file,"
        " into DIR (made if missing). Nothing is replaced: exit 2 if DIR already holds one of the files."
    )
    p.add_argument("dir", metavar="DIR", help="the folder to copy them into")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from toolkit.ops.bundled import copy_samples

    result = copy_samples(args.dir)
    if args.json:
        print_json(result.to_dict())
        return 0
    from toolkit.textsafe import safe_text

    folder = safe_text(str(result.folder))
    lines = [f"Copied {len(result.files)} files into {folder}:"]
    lines += [f"  {safe_text(p.name)}" for p in result.files]
    backup, password = (_shell_word(result.folder / name) for name in ("wallet-export.json", "wallet-export.password"))
    lines.append(f"Try: concordium-backup inspect {backup} --password-file {password}")
    emit("\n".join(lines))
    return 0


def _shell_word(path: Path) -> str:
    """``path`` as one word of this system's shell, neutralised for the terminal."""
    from toolkit.textsafe import safe_text

    text = str(path)
    return safe_text(shlex.quote(text) if os.name != "nt" else f'"{text}"' if " " in text else text)
