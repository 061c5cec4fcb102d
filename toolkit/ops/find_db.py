"""Where the Desktop Wallet keeps its database, per OS and network build, and which of those exist here.

The file is ``concordium-desktop-wallet-database.sqlite3`` in Electron's userData folder
(concordium-desktop-wallet@0ce97cb app/database/productionKnexFile.ts:6-12).  The wallet sets that folder
itself, not from its product name: ``app.setPath('userData', join(appData, USER_DATA))`` (app/main.ts:41-50),
with ``USER_DATA`` = ``Concordium Wallet``, plus `` <net>`` for a build whose ``TARGET_NET`` is testnet,
stagenet or protonet (configs/partials/webpack.config.base.js:17-20, 89; the allowed nets:
internals/scripts/CheckTargetNet.js).  The product name ("Concordium Desktop Wallet", "... testnet":
package.json ``productName``, scripts/build.js) names the installed app, not this folder.  Builds made
between 2021-10-19 (74c04333) and 2022-01-14 (070db9d3) with ``TARGET_NET=mainnet`` used
``Concordium Wallet mainnet``; it is searched too.  Electron's ``appData`` is ``%APPDATA%`` on Windows,
``~/Library/Application Support`` on macOS and ``$XDG_CONFIG_HOME`` (default ``~/.config``) on Linux
(docs/FORMAT.md §7).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DATABASE_FILE = "concordium-desktop-wallet-database.sqlite3"
#: userData folder name → the network of that build.
FOLDERS = {
    "Concordium Wallet": "mainnet",
    "Concordium Wallet testnet": "testnet",
    "Concordium Wallet stagenet": "stagenet",
    "Concordium Wallet protonet": "protonet",
    "Concordium Wallet mainnet": "mainnet",
}


@dataclass(frozen=True)
class FoundDatabase:
    path: str
    network: str
    size: int
    modified: float

    def to_dict(self) -> dict[str, object]:
        return {"path": self.path, "network": self.network, "size": self.size, "modified": self.modified}


def app_data_folder(platform: str | None = None, env: Mapping[str, str] | None = None, home: str | None = None) -> Path:
    """Electron's ``appData`` folder on ``platform`` (``sys.platform`` values) for ``env`` and ``home``."""
    platform = platform or sys.platform
    env = os.environ if env is None else env
    home_path = Path(home) if home else Path.home()
    if platform.startswith("win"):
        return Path(env.get("APPDATA") or home_path / "AppData" / "Roaming")
    if platform == "darwin":
        return home_path / "Library" / "Application Support"
    return Path(env.get("XDG_CONFIG_HOME") or home_path / ".config")


def candidate_paths(
    platform: str | None = None, env: Mapping[str, str] | None = None, home: str | None = None
) -> list[tuple[Path, str]]:
    """Every (database path, network) the wallet's builds use on ``platform``."""
    base = app_data_folder(platform, env, home)
    return [(base / folder / DATABASE_FILE, net) for folder, net in FOLDERS.items()]


def find_wallet_databases(
    platform: str | None = None, env: Mapping[str, str] | None = None, home: str | None = None
) -> list[FoundDatabase]:
    """The wallet databases that exist on this machine (or under ``home``), with size and modification time."""
    found = []
    for path, net in candidate_paths(platform, env, home):
        try:
            st = path.stat()
        except OSError:
            continue
        if path.is_file():
            found.append(FoundDatabase(str(path), net, st.st_size, st.st_mtime))
    return found
