"""What to do about an error, in the command line's words: the one table the CLI's hints come from.

The library's errors name no flag or command (see :mod:`toolkit.errors`); the
CLI shows each error :func:`~toolkit.errors.restated` with this table.  Keys
are an error ``code``, or ``code@subject`` where the error says which input or
parameter it is about (``old``/``new`` of ``diff``, ``a``/``b`` of ``merge``,
``new_password``, ``checkpoint``...).  A command that raises an error about
one of its own options sets ``subject`` and adds its entry here.
"""

from __future__ import annotations

from toolkit import errors

_CHECK_PASSWORD = "Check the password (it is case-sensitive)"

HINTS: dict[str, str] = {
    "wrong-password": f"{_CHECK_PASSWORD}, or try 'concordium-backup recover-password'.",
    "wrong-password@old": f"{_CHECK_PASSWORD} given for OLD (--old-password-file, or --password-file for both), "
    "or try 'concordium-backup recover-password' on it.",
    "wrong-password@new": f"{_CHECK_PASSWORD} given for NEW (--new-password-file, or --password-file for both), "
    "or try 'concordium-backup recover-password' on it.",
    "wrong-password@a": f"{_CHECK_PASSWORD} given for A (--a-password-file, or --password-file for both), "
    "or try 'concordium-backup recover-password' on it.",
    "wrong-password@b": f"{_CHECK_PASSWORD} given for B (--b-password-file, or --password-file for both), "
    "or try 'concordium-backup recover-password' on it.",
    "damaged": "Salvage what can still be read with 'concordium-backup salvage', or use another copy.",
    "password-missing": "Give it with --password-file, the environment variable, or at the prompt.",
    "password-too-short@new_password": "Give a new password for the written file with --new-password-file.",
    "output-exists": "Choose another output name, or pass --force to replace it.",
    "usage": "See 'concordium-backup COMMAND --help'.",
    "invalid-argument@wallets": "Give --wallet as ID=IDENTIFIER (the Ledger's 64 hex pairing key; "
    "see 'concordium-backup ledger').",
    "invalid-argument@wallet_network": "Give --wallet-network as mainnet, testnet, stagenet or a genesis hash.",
    "invalid-argument@report": "Give --report a name ending in .html or .xlsx.",
    "invalid-argument@to": "Give --to desktop or --to legacy.",
    "invalid-argument@tls": "Give --tls-ca, --tls-cert and --tls-key together (PEM files).",
    "invalid-checkpoint@checkpoint": "Give another --checkpoint, or delete it to start the search afresh.",
    "write-failed@checkpoint": "Give a writable --checkpoint path, or --no-checkpoint.",
    "checkpoint-outdated@checkpoint": "Delete it or give another --checkpoint to start afresh (an older "
    "checkpoint is not resumed).",
    "insecure-cluster@insecure": "Use tls:// with --tls-ca/--tls-cert/--tls-key, or add --insecure-cluster if "
    "only trusted machines can reach the scheduler.",
    "invalid-argument@spot_check": "Give --spot-check a share between 0 and 1 (e.g. 0.01).",
    "confirm-needed": "Narrow the candidates (fewer --typos, fewer alternatives), or add --yes to start it.",
    "cluster-bad-answer": "Stop that worker (it is faulty or hostile), then run the same command to resume.",
    "cluster-disagreement": "Stop that worker (it is faulty or hostile), then run the same command to resume.",
}


def restate(exc: errors.BackupError) -> errors.BackupError:
    """``exc`` with the command line's hint for it."""
    return errors.restated(exc, HINTS)
