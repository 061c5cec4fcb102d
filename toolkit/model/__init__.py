"""The backup model: a decrypted, classified :class:`~toolkit.model.backup.Backup`, its records' vocabulary
(kinds, statuses, secret fields, keys) and shapes, networks, addresses, and its tables as pandas DataFrames.
"""
