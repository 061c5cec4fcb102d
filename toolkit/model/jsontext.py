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

from itertools import repeat
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
    if not isinstance(value, str) or value[:1] not in ("{", "[") or not jsonio.too_many_values(value):
        return None
    bound = jsonio.text_values(value)
    if bound > jsonio.MAX_TEXT_VALUES:
        return f"has {field} as JSON text of up to {bound:,} values, more than the {jsonio.MAX_TEXT_VALUES:,} read"
    return None


def identity_attributes(content: Any) -> dict[str, Any]:
    """The attributeList of a parsed identityObject (Desktop: inside ``value``; legacy: at its top), else {}."""
    if not isinstance(content, dict):
        return {}
    inner = content.get("value") if isinstance(content.get("value"), dict) else content
    attrs = inner.get("attributeList")
    return attrs if isinstance(attrs, dict) else {}


def provider_name(content: Any) -> Any:
    """The name in a parsed identityProvider (``ipInfo.ipDescription.name``), else None."""
    try:
        return content["ipInfo"]["ipDescription"]["name"]
    except (TypeError, KeyError):
        return None


def _identity_facts(content: Any) -> tuple[Any, Any, Any]:
    attrs = identity_attributes(content)
    return attrs.get("createdAt"), attrs.get("validTo"), attrs.get("maxAccounts")


def _policy_facts(content: Any) -> tuple[Any, Any, str]:
    policy = content if isinstance(content, dict) else {}
    revealed = policy.get("revealedAttributes")
    return (
        policy.get("createdAt"),
        policy.get("validTo"),
        ", ".join(sorted(revealed)) if isinstance(revealed, dict) else "",
    )


#: Per (table, field) of :data:`INNER_FIELDS`: what the tables show from the field's content (parsed, or None
#: when it is not JSON), as a small value: identityObject (createdAt, validTo, maxAccounts) of its attributeList,
#: identityProvider the provider's name, policy (createdAt, validTo, the revealed attributes' names joined).
FACTS: dict[tuple[str, str], Any] = {
    ("identities", "identityObject"): _identity_facts,
    ("identities", "identityProvider"): provider_name,
    ("credentials", "policy"): _policy_facts,
}


def facts(table: str, field: str, value: Any) -> Any:
    """What the tables show from ``value`` (record ``table``'s ``field``; see :data:`FACTS`), read once."""
    return FACTS[table, field](read(value))


def examine(table: str, field: str, value: Any) -> tuple[str | None, Any]:
    """(:func:`inner_problem`, :func:`facts`) of ``value``, from one parse of it."""
    if not isinstance(value, str) or not value:
        return _judged(table, field, value, None)
    try:
        return _judged(table, field, jsonio.loads_text(value), None)
    except jsonio.JSONError as exc:
        return _judged(table, field, None, _refused(field, value, exc))


def _judged(table: str, field: str, content: Any, problem: str | None) -> tuple[str | None, Any]:
    """(problem, facts) of a field's ``content`` as read (None when it was not read: ``problem`` says why)."""
    if problem is None:
        problem = _type_problem(_TREES[table, field], content)
    return problem, FACTS[table, field](content)


def _refused(field: str, value: str, exc: jsonio.JSONError) -> str | None:
    """Why JSON text :func:`toolkit.format.jsonio.loads_text` refused is no wallet's, in words; None when it is
    not JSON at all (the tables show nothing from it; the audit says so)."""
    too_large = size_problem(field, value)
    if too_large is not None:
        return too_large
    return f"has {field} holding JSON no wallet writes ({exc})" if exc.content else None


#: One checked path of :data:`INNER_FIELDS`: its last key, its JSON types (and those types' Python types, for
#: an exact look-up), its name in words (``identityObject.attributeList.maxAccounts``), and the paths below it.
_Node = tuple[str, tuple[type | None, ...], frozenset[type], str, tuple[Any, ...]]


def _tree(field: str, spec: dict[tuple[str, ...], tuple[type | None, ...]]) -> tuple[_Node, ...]:
    """``spec``'s paths as a tree, so a walk looks each value up once (its paths in order: each path's
    longer paths follow it, so a walk in tree order meets them in the order of ``spec``)."""
    root: dict[str, Any] = {}
    for path, types in spec.items():
        node = root
        for key in path[:-1]:
            node = node[key][1]
        node[path[-1]] = (types, {})

    def build(node: dict[str, Any], prefix: tuple[str, ...]) -> tuple[_Node, ...]:
        return tuple(
            (
                key,
                types,
                frozenset(t for t in types if t is not None),
                ".".join((field, *prefix, key)),
                build(below, (*prefix, key)),
            )
            for key, (types, below) in node.items()
        )

    return build(root, ())


_TREES = {(table, field): _tree(field, spec) for (table, field), spec in INNER_FIELDS.items()}
#: The Python types a parsed JSON text holds (others are checked the slow way, by :func:`has_type`).
_JSON_TYPES = frozenset({str, int, float, bool, list, dict})


def _type_problem(tree: tuple[_Node, ...], content: Any) -> str | None:
    """The first field at a path of ``tree`` (:func:`_tree`) inside ``content`` whose type no wallet writes,
    in words."""
    node = _inner(content)
    return _walk_problem(tree, node) if isinstance(node, dict) else None


def _walk_problem(tree: tuple[_Node, ...], node: dict[str, Any]) -> str | None:
    for key, types, exact, where, below in tree:
        found = node.get(key)
        if found is None:
            continue
        kind = type(found)
        if kind not in exact and (kind in _JSON_TYPES or not has_type(found, types)):
            want = " or ".join("whole number" if t is int else jsonio.json_type_name(t) for t in types if t)
            got = f"the number {found!r}" if isinstance(found, float) else jsonio.json_type(found)
            return f"has {where} as {got}, not {want}"
        if isinstance(found, int) and kind is not bool and abs(found) > MAX_INT:
            return f"has {where} beyond 64 bits"
        if below and isinstance(found, dict):
            problem = _walk_problem(below, found)
            if problem is not None:
                return problem
    return None


def inner_problem(table: str, field: str, value: Any, seen: dict[str, str | None] | None = None) -> str | None:
    """The first field inside ``value`` (record ``table``'s ``field``) whose type is not the one a wallet
    writes, in words (``has identityObject.attributeList.maxAccounts as string, not whole number``), or JSON
    text that holds what no wallet writes (too many values, nesting over 100 levels, an integer beyond 64
    bits); None when every one has its type or the text is not JSON at all (the tables then show nothing
    from it).
    ``seen`` remembers the verdict per text (a file repeats the same provider and policy many times)."""
    if (table, field) not in INNER_FIELDS or value is None:
        return None
    if seen is not None and isinstance(value, str) and value in seen:
        return seen[value]
    problem = examine(table, field, value)[0]
    if seen is not None and isinstance(value, str):
        seen[value] = problem
    return problem


class Texts:
    """The JSON texts of one backup, each distinct text read once: its verdict for the shape check
    (:func:`inner_problem`) and what the tables show from it (:func:`facts`) are kept, the parsed content is
    not (an identityObject's proofs are most of a backup's memory).  A wallet repeats providers and policies
    over thousands of records; keys are the document's own strings, not copies."""

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], dict[str, tuple[str | None, Any]]] = {key: {} for key in INNER_FIELDS}

    def _known(self, table: str, field: str, value: str) -> tuple[str | None, Any]:
        seen = self._seen[table, field]
        known = seen.get(value)
        if known is None:
            known = seen[value] = examine(table, field, value)
        return known

    def read(self, table: str, field: str, values: list[Any]) -> None:
        """Read each distinct text among ``values`` not read yet, in batches
        (:func:`toolkit.format.jsonio.loads_texts`: one bounds walk per batch, not one per text)."""
        seen = self._seen[table, field]
        try:
            distinct = dict.fromkeys(values)  # in C, in the order first met
        except TypeError:  # an object where text belongs
            distinct = dict.fromkeys(v for v in values if type(v) is str)
        new = [v for v in distinct if type(v) is str and v not in seen]
        for text, content, error in jsonio.loads_texts(new):
            seen[text] = _judged(table, field, content, None if error is None else _refused(field, text, error))

    def clear(self, table: str, field: str, values: list[Any]) -> bool:
        """Is each of ``values`` null or a text read and found to hold what a wallet writes?"""
        seen = self._seen[table, field]
        try:
            distinct = set(values)
        except TypeError:  # an object where text belongs
            return False
        distinct.discard(None)
        return all(type(v) is str and v in seen and seen[v][0] is None for v in distinct)

    def problem(self, table: str, field: str, value: Any) -> str | None:
        """:func:`inner_problem` of ``value``, read once per distinct text."""
        if type(value) is not str:
            return inner_problem(table, field, value)
        return self._known(table, field, value)[0]

    def column(self, table: str, field: str, values: list[Any]) -> list[Any]:
        """:func:`facts` of each of ``values``; each distinct text read once, the column filled by look-ups in C."""
        self.read(table, field, values)
        shown = {text: known[1] for text, known in self._seen[table, field].items()}
        empty = FACTS[table, field](None)  # what null (and every value that is not an object) shows
        try:
            return list(map(shown.get, values, repeat(empty)))
        except TypeError:  # an unhashable value (an object where text belongs, as a legacy file has)
            return [shown[v] if type(v) is str else facts(table, field, v) for v in values]
