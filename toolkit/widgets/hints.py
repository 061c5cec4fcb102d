"""What to do about an error, in the forms' words: the one table the forms' hints come from.

The library's errors name no flag, command or form (see :mod:`toolkit.errors`);
a form shows each error :func:`~toolkit.errors.restated` with :func:`table_for`
its class.  Keys are an error ``code``, or ``code@subject`` where the error says
which input or parameter it is about (``old``/``new`` of the Diff form, ``a``/``b``
of the import preview, ``new_password``...).  ``FORM_HINTS`` holds the few
hints that differ in one form.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping

from toolkit.format.passwords import MIN_PASSWORD_LENGTH

_CHECK = "Check the password (it is case-sensitive)"

HINTS: dict[str, str] = {
    "wrong-password": f"{_CHECK}, or search for it with the password recovery form.",
    "wrong-password@old": f"{_CHECK} typed for the older backup, or search for it with the password recovery form.",
    "wrong-password@new": f"{_CHECK} typed for the newer backup (untick 'same password' if it differs), "
    "or search for it with the password recovery form.",
    "wrong-password@a": f"{_CHECK} typed for the wallet's backup (A), or search for it with the password recovery form.",
    "wrong-password@b": f"{_CHECK} typed for the backup to import (B), or search for it with the password recovery "
    "form.",
    "damaged": "Salvage what can still be read with the salvage form, or use another copy of the backup.",
    "password-missing": "Type it into the password field.",
    "password-too-short@new_password": f"Type a new password of at least {MIN_PASSWORD_LENGTH} characters for the recovered "
    "file.",
    "output-exists": "Choose another name.",
    "invalid-argument@tls": "Fill in all three TLS files (CA, certificate, key), or none for a tcp:// cluster.",
    "insecure-cluster@insecure": "Use a tls:// scheduler with the TLS files, or tick 'Allow a plain tcp:// cluster' "
    "if only trusted machines can reach it.",
    "confirm-needed": "Narrow the candidates, or tick the box to start it anyway, then press Start again.",
    "invalid-argument@report": "Name the report file .html or .xlsx.",
}

#: Form class name -> hints that differ in that form.
FORM_HINTS: dict[str, dict[str, str]] = {
    "ExportForm": {"output-exists": "Choose another name, or tick 'Replace an existing file'."},
    "SalvageForm": {"wrong-password": f"{_CHECK}: salvage needs the right one."},
    # the boxes of the Recovery form, not "the candidates or tokens file" (issue 20, finding 6)
    "RecoveryForm": {
        "invalid-candidates": "Check the typed candidates, the token lines, the pieces and the candidates file "
        "(see docs/RECOVERY.md).",
        "invalid-candidates@none": "Type candidates or token lines, fill in the pieces the owner remembers, or "
        "choose a candidates file.",
        "invalid-candidates@tokens": "Check the token lines box: one piece per line, alternatives separated by "
        "spaces (the syntax: docs/RECOVERY.md).",
        "invalid-candidates@pieces": "Check the pieces boxes: one piece per line, its variants separated by spaces.",
        "invalid-candidates@file": "Choose a candidates file saved as UTF-8 text, one candidate per line.",
        "invalid-candidates@typos": "Tick at least one typo kind, or set Typos to 0.",
    },
    "OpenForm": {
        "damaged": "The salvage form has this file and its password now: press Salvage there, or open another "
        "copy of the backup."
    },
}


def table_for(form: str) -> Mapping[str, str]:
    """The hints a form of class ``form`` shows: its own entries first, then the shared ones."""
    return ChainMap(FORM_HINTS.get(form, {}), HINTS)


#: The Open form on a page of its own (the Voilà app ``app-open``): no other form to point to.
ALONE_HINTS: dict[str, str] = {
    "wrong-password": f"{_CHECK} and the keyboard layout.",
    "damaged": "Open another copy of the backup.",
}
