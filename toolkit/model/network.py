"""Which Concordium network a genesis block hash names (docs/FORMAT.md §6)."""

from __future__ import annotations

GENESIS_HASHES: dict[str, str] = {
    "9dd9ca4d19e9393877d2c44b70f89acbfc0883c2243e5eeaecc0d1cd0503f478": "mainnet",
    "4221332d34e1694168c2a0c0b3fd0f273809612cb13d000d5c2e00e85f50f796": "testnet",
    "38bf770b4c247f09e1b62982bb71000c516480c5a2c5214dadac6da4b1ad50e5": "stagenet",
    "b6078154d6717e909ce0da4a45a25151b592824f31624b755900a74429e3073d": "old-testnet",
}
#: The legacy mobile wallet names its network in ``environment``.
LEGACY_ENVIRONMENTS = {"mainnet": "mainnet", "testnet": "testnet", "staging": "stagenet", "mock": "mock"}

NETWORKS = ("mainnet", "testnet", "stagenet", "old-testnet", "mock", "unknown", "none")


def network_of_genesis(genesis_block: str | None) -> str:
    """``mainnet``/``testnet``/``stagenet``/``old-testnet``, ``unknown`` for another hash, ``none`` if absent."""
    if genesis_block is None:
        return "none"
    if not isinstance(genesis_block, str):
        return "unknown"
    return GENESIS_HASHES.get(genesis_block.lower(), "unknown")


def network_of_environment(environment: object) -> str:
    if environment is None:
        return "none"
    return LEGACY_ENVIRONMENTS.get(environment, "unknown") if isinstance(environment, str) else "unknown"
