"""Operations on backups: diff, import preview and merge (over the wallet's database), subset and export,
audit, salvage, password recovery, and the Ledger check.  Each takes and returns model objects or DataFrames.
"""
