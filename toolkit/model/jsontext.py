"""The JSON inside record fields: read within bounds, and the fields a tool interprets checked by type.

A Desktop identity's ``identityObject`` and ``identityProvider`` and a credential's ``policy`` are JSON
written as text; a legacy identity holds the same ``identityObject`` and ``identityProvider`` as objects
(docs/FORMAT.md §2 and §4).  The tables read a few fields inside them (``maxAccounts``, ``createdAt``,
``validTo``, the provider's name, the revealed attributes): :data:`INNER_FIELDS` gives their JSON
types, and :func:`inner_problem` says, in the words of :meth:`toolkit.Backup.check_shape`, when one has
another type (``maxAccounts`` of ``"many"``, ``1.5`` or ``1e308``) so that no table meets it.  JSON text
is read with :func:`toolkit.format.jsonio.loads_text`: more than
:data:`~toolkit.format.jsonio.MAX_TEXT_VALUES` values, or nesting over 100 levels, is refused before any
memory is spent on it, so every walk over what it holds is shallow.
"""

from __future__ import annotations

from typing import Any

from toolkit.format import jsonio

from .shapes import has_type

S, INT, OBJ = str, int, dict

#: Per (table, field): the fields inside it a tool reads, as paths, and their JSON types (null: absent).
#: Paths start inside ``value`` when the JSON holds an object there (Desktop identityObject ``{v, value}``),
#: else at its top (legacy identityObject).
INNER_FIELDS: dict[tuple[str, str], dict[tuple[str, ...], tuple[type | None, ...]]] = {
    ("identities", "identityObject"): {
        ("attributeList",): (OBJ, None),
        ("attributeList", "maxAccounts"): (INT, None),
        ("attributeList", "createdAt"): (S, None),
        ("attributeList", "validTo"): (S, None),
        ("attributeList", "chosenAttributes"): (OBJ, None),
    },
    ("identities", "identityProvider"): {
        ("ipInfo",): (OBJ, None),
        ("ipInfo", "ipIdentity"): (INT, None),
        ("ipInfo", "ipDescription"): (OBJ, None),
        ("ipInfo", "ipDescription", "name"): (S, None),
    },
    ("credentials", "policy"): {
        ("createdAt",): (S, None),
        ("validTo",): (S, None),
        ("revealedAttributes",): (OBJ, None),
    },
}
#: Integers inside JSON text beyond this are no wallet's (and no table column holds them).
MAX_INT = 2**63 - 1


def read(value: Any) -> Any:
    """What a field holding JSON text (or, in a legacy file, the object itself) holds; None when it is
    null, empty, not JSON, or beyond the bounds of :func:`toolkit.format.jsonio.loads_text`."""
    if isinstance(value, (dict, list)):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        return jsonio.loads_text(value)
    except jsonio.JSONError:
        return None


def _inner(obj: Any) -> Any:
    value = obj.get("value") if isinstance(obj, dict) else None
    return value if isinstance(value, dict) else obj


def lookup(content: Any, path: tuple[str, ...]) -> Any:
    """The value at ``path`` inside parsed content (see :data:`INNER_FIELDS`), or None."""
    node = _inner(content)
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def size_problem(field: str, value: Any) -> str | None:
    """Why JSON text in ``field`` is too large to read (in words), else None; counted without parsing."""
    if not isinstance(value, str) or value[:1] not in ("{", "["):
        return None
    bound = jsonio.text_values(value)
    if bound > jsonio.MAX_TEXT_VALUES:
        return f"has {field} as JSON text of up to {bound:,} values, more than the {jsonio.MAX_TEXT_VALUES:,} read"
    return None


def inner_problem(table: str, field: str, value: Any, seen: dict[str, str | None] | None = None) -> str | None:
    """The first field inside ``value`` (record ``table``'s ``field``) whose type is not the one a wallet
    writes, in words (``has identityObject.attributeList.maxAccounts as string, not whole number``), or JSON
    text that holds what no wallet writes (too many values, nesting over 100 levels, an integer beyond 64
    bits); None when every one has its type or the text is not JSON at all (the tables then show nothing
    from it).
    ``seen`` remembers the verdict per text (a file repeats the same provider and policy many times)."""
    spec = INNER_FIELDS.get((table, field))
    if spec is None or value is None:
        return None
    if seen is not None and isinstance(value, str) and value in seen:
        return seen[value]
    problem = size_problem(field, value)
    content = None
    if problem is None and isinstance(value, str) and value:
        try:
            content = jsonio.loads_text(value)
        except jsonio.JSONError as exc:  # not JSON: the tables show nothing from it (the audit says so)
            problem = f"has {field} holding JSON no wallet writes ({exc})" if exc.content else None
    elif problem is None:
        content = value
    if problem is None:
        for path, types in spec.items() if isinstance(_inner(content), dict) else ():
            found = lookup(content, path)
            if found is None:
                continue
            where = ".".join((field, *path))
            if not has_type(found, types):
                want = " or ".join("whole number" if t is int else jsonio.json_type_name(t) for t in types if t)
                got = f"the number {found!r}" if isinstance(found, float) else jsonio.json_type(found)
                problem = f"has {where} as {got}, not {want}"
                break
            if isinstance(found, int) and not isinstance(found, bool) and abs(found) > MAX_INT:
                problem = f"has {where} beyond 64 bits"
                break
    if seen is not None and isinstance(value, str):
        seen[value] = problem
    return problem
