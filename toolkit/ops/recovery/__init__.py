"""Password recovery: candidates from what the owner remembers, searched on every core.

- :mod:`.candidates` — candidate files, token files, typos: one deterministic, numbered
  stream of distinct candidates, the most likely (fewest typos) first.
- :mod:`.grammar` — the tokens-file grammar (btcrecover's): pieces in order or any order,
  anchors, wildcards; ``pieces_tokens`` builds it from a form's fields.
- :mod:`.typos` / :mod:`.keyboards` — the typo model (replace by keyboard neighbour, limits, map).
- :mod:`.slices` — ``worker=(K, N)`` and ``skip``: which part of the numbered stream a search covers.
- :mod:`.search` — the search over the file's cheap check: ranges, progress, result.
- :mod:`.targets` — what is searched: a backup (one AES block) or the wallet's database (page 1's HMAC).
- :mod:`.ranges` — one task: regenerate an index range from the definition, answer with hit indexes.
- :mod:`.engines` — where ranges run: the :class:`Engine` protocol and local processes (the default).
- :mod:`.cluster` — a Dask cluster as an engine (the only module that imports ``distributed``).
- :mod:`.checkpoint` — progress files that hold no candidate.

``recover_password(source, Candidates(...))`` is the one-call entry point;
:func:`plan` sizes a search on an engine, and :class:`PasswordSearch` splits
it into prepare (count, resume) and run.
"""

from .candidates import (
    DEFAULT_INSERT_CHARS,
    DEFAULT_MIN_LENGTH,
    TYPO_KINDS,
    CandidateCount,
    Candidates,
    TokenSet,
    parse_tokens,
    typo_variants,
)
from .engines import Engine, LocalEngine
from .grammar import pieces_tokens
from .search import Estimate, PasswordSearch, RecoveryResult, available_cpus, plan, recover_password
from .slices import Slice

__all__ = [
    "DEFAULT_INSERT_CHARS",
    "DEFAULT_MIN_LENGTH",
    "TYPO_KINDS",
    "CandidateCount",
    "Candidates",
    "Engine",
    "Estimate",
    "LocalEngine",
    "PasswordSearch",
    "RecoveryResult",
    "TokenSet",
    "Slice",
    "available_cpus",
    "pieces_tokens",
    "parse_tokens",
    "plan",
    "recover_password",
    "typo_variants",
]
