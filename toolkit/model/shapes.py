"""The record shapes this version of the toolkit knows (docs/FORMAT.md §2 and §4).

A :class:`Shape` (field names and JSON types) per record kind, held by each kind
(:data:`toolkit.model.kinds.KINDS`), used by the shape check every operation makes
(:meth:`toolkit.Backup.check_shape`), the audit (``invalid-record``, ``unknown-field``) and salvage, which accepts a
recovered object only when it has exactly one kind's shape.  Fields not
listed here are *unknown*, not wrong: newer and older wallets write fields
this toolkit does not know, and every tool keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from toolkit.format.jsonio import json_type, json_type_name


def has_type(value: Any, types: tuple[type | None, ...]) -> bool:
    """Is ``value`` one of ``types`` (``None`` meaning JSON null; a boolean is never a number)?"""
    if value is None:
        return None in types
    if isinstance(value, bool):
        return bool in types
    return any(t is not None and t is not bool and isinstance(value, t) for t in types)


@dataclass(frozen=True)
class Shape:
    """The fields of one record kind: required ones and known optional ones, each with its JSON types."""

    kind: str
    required: dict[str, tuple[type | None, ...]]
    optional: dict[str, tuple[type | None, ...]]

    @cached_property
    def known(self) -> frozenset[str]:
        return frozenset(self.required) | frozenset(self.optional)

    def problems(self, record: Any) -> list[str]:
        """What keeps ``record`` from having this shape, in words (empty when it has it)."""
        if not isinstance(record, dict):
            return [f"is a {json_type(record)}, not an object"]
        out = [f"lacks the field {name}" for name in self.required if name not in record]
        for name, types in (*self.required.items(), *self.optional.items()):
            if name in record and not has_type(record[name], types):
                want = " or ".join(json_type_name(t) for t in types)
                out.append(f"has {name} as {json_type(record[name])}, not {want}")
        return out

    def unknown_fields(self, record: dict[str, Any]) -> list[str]:
        return [name for name in record if name not in self.known]


#: Top-level keys of a legacy document (the Desktop document's are its kinds: :mod:`toolkit.model.kinds`).
LEGACY_TOP_LEVEL = frozenset({"type", "v", "value", "environment"})
LEGACY_VALUE_KEYS = frozenset({"identities", "recipients"})


def matching_kinds(record: Any, shapes: dict[str, Shape], allowed: tuple[str, ...] | None = None) -> list[str]:
    """The kinds whose shape ``record`` has *and* that claim every field it has that some kind knows.

    A credential carries accountAddress and credId like an external credential,
    but also credentialNumber, which only credentials know: so it is a
    credential and nothing else.
    """
    if not isinstance(record, dict):
        return []
    known_anywhere = _known_anywhere(shapes)
    out = []
    for kind in allowed if allowed is not None else tuple(shapes):
        shape = shapes[kind]
        if shape.problems(record):
            continue
        foreign = [k for k in record if k in known_anywhere and k not in shape.known]
        if not foreign:
            out.append(kind)
    return out


_KNOWN_ANYWHERE: dict[int, tuple[dict[str, Shape], frozenset[str]]] = {}


def _known_anywhere(shapes: dict[str, Shape]) -> frozenset[str]:
    cached = _KNOWN_ANYWHERE.get(id(shapes))
    if cached is None or cached[0] is not shapes:  # the same dict, not one that took a freed one's id
        cached = _KNOWN_ANYWHERE[id(shapes)] = (shapes, frozenset().union(*(s.known for s in shapes.values())))
    return cached[1]
