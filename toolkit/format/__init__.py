"""The file format: the encrypted container and its crypto, JSON as the wallets write it, passwords, safe writes.

Nothing here knows what a backup holds; :mod:`toolkit.model` builds on it.
"""
