"""The one table of ``concordium-backup``'s commands: name, module, one-line help.

The parser is built from it lazily (:func:`toolkit.cli.build_parser`): ``--help``
lists every command from this table alone, and only the command being run is
imported, so ``--help`` and ``--version`` load no pandas, numpy or cryptography.
pyproject.toml's import-linter contract "CLI commands never import each other"
lists exactly these modules (``tests/safety/test_layers.py`` checks).

To add a command: write ``toolkit/cli/NAME.py`` with ``configure(parser)`` (adds its
options, sets ``description`` and ``func=run``; heavy imports inside ``run``), add a
row here, and add the module to that contract.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class Command:
    """One command: what the user types, the module under ``toolkit.cli`` that holds it, its one-line help."""

    name: str
    module: str
    help: str

    @property
    def module_path(self) -> str:
        return f"{__package__}.{self.module}"

    def load(self) -> ModuleType:
        """The command's module (a missing one is an error: every row names a module that exists)."""
        return importlib.import_module(self.module_path)


COMMANDS: tuple[Command, ...] = (
    Command("inspect", "inspect", "open a backup and show its summary and tables"),
    Command("diff", "diff", "compare two backups record by record"),
    Command("merge", "merge", "preview importing backup B into a wallet holding A; write the merged backup"),
    Command("reexport", "reexport", "write a backup to a new file with a new password (optionally a subset)"),
    Command(
        "audit", "audit", "check a backup: references, duplicates, identifiers, statuses, expiry, network, encryption"
    ),
    Command("salvage", "salvage", "recover every readable record from a damaged backup into a new file"),
    Command("recover-password", "recover", "find a forgotten backup password from candidates, tokens and typos"),
    Command("ledger", "ledger", "check the Ledger, and whether it is the one a backup belongs to"),
    Command("samples", "samples", "copy the bundled sample backups and their password files into a folder"),
    Command("desk", "desk", "start the support-desk app (every form in one page) on 127.0.0.1 and print its address"),
    Command("find-wallet-db", "find_db", "list the Desktop Wallet's databases on this machine (path, network, size)"),
)

BY_NAME: dict[str, Command] = {c.name: c for c in COMMANDS}


def find(name: str) -> Command | None:
    """The command called ``name``, or None."""
    return BY_NAME.get(name)
