"""Generated wallets for tests, benchmarks and the committed samples; not used by the product code."""
