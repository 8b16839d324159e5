"""Where a tenant's registry lives in a ``BaseStore``: the namespaces of its targets,
their parts, version item and change records, and the reading of targets (each one's
item merged with its parts)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from langgraph.store.base import BaseStore, Item

from alu.domain import MAX_ALIASES, InvalidTargetError, Target, clean_list
from alu.text import normalize

__all__ = [
    "DEFAULT_TENANT",
    "VERSION_KEY",
    "changes_namespace",
    "load_target",
    "load_targets",
    "meta_namespace",
    "namespace",
    "parts_namespace",
    "with_parts",
]

DEFAULT_TENANT = "default"
_PAGE = 200_000  # one page up to this many: pages can shift under a concurrent delete
VERSION_KEY = "version"


def namespace(tenant: str = DEFAULT_TENANT) -> tuple[str, str, str]:
    """The store namespace holding ``tenant``'s targets."""
    if not tenant or not isinstance(tenant, str) or "." in tenant:
        raise InvalidTargetError(f"tenant must be a non-empty string without '.', got {tenant!r}")
    return ("alu", tenant, "targets")


def meta_namespace(tenant: str = DEFAULT_TENANT) -> tuple[str, str, str]:
    """The namespace of ``tenant``'s registry version item (key :data:`VERSION_KEY`)."""
    namespace(tenant)
    return ("alu", tenant, "meta")


def changes_namespace(tenant: str = DEFAULT_TENANT) -> tuple[str, str, str]:
    """The namespace of ``tenant``'s change records (one item per registry write)."""
    namespace(tenant)
    return ("alu", tenant, "changes")


def parts_namespace(tenant: str, target_id: str | None = None) -> tuple[str, ...]:
    """The namespace of a target's *parts*: one item per registry write that added names
    or keywords to it (``("alu", tenant, "parts", target_id)``; without an id, the prefix
    of every target's parts). A target is its item merged with its parts (see
    :mod:`alu.registry`): two writers adding aliases at once each add their own part, so
    neither can overwrite the other's."""
    if target_id is None:
        return ("alu", namespace(tenant)[1], "parts")
    if not target_id or "." in target_id:
        raise InvalidTargetError(f"a registry-written target id has no '.': {target_id!r}")
    return ("alu", namespace(tenant)[1], "parts", target_id)


def _tenant_of(ns: tuple[str, ...]) -> str | None:
    """The tenant of a targets namespace (None for any other namespace)."""
    return ns[1] if len(ns) == 3 and ns[0] == "alu" and ns[2] == "targets" else None


def _pages(store: BaseStore, ns: tuple[str, ...]) -> Iterable[Item]:
    """Every item under the prefix ``ns``, page by page.

    Large pages (some stores rescan from the start for each offset, so small pages make
    a listing quadratic), read until a page comes back empty (a store that caps the page
    size below what was asked still gets read to the end).
    """
    offset = 0
    while True:
        items = store.search(ns, limit=_PAGE, offset=offset)
        if not items:
            return
        yield from items
        offset += len(items)


def with_parts(target: Target, parts: Iterable[Mapping[str, Any]]) -> Target:
    """``target`` with the aliases and keywords of its parts folded in (never fails: past
    :data:`MAX_ALIASES`, further names are kept as keywords, so the judge still sees them)."""
    names = [target.name, *target.aliases]
    seen = {normalize(n) for n in names}
    keywords = list(target.keywords)
    for part in parts:
        try:
            aliases, words = clean_list(part.get("aliases"), "aliases"), clean_list(part.get("keywords"), "keywords")
        except InvalidTargetError:
            continue
        for alias in aliases:
            folded = normalize(alias)
            if folded and folded not in seen:
                seen.add(folded)
                (names if len(names) <= MAX_ALIASES else keywords).append(alias)
        keywords.extend(words)
    if len(names) == 1 + len(target.aliases) and len(keywords) == len(target.keywords):
        return target
    return Target(
        name=target.name,
        aliases=tuple(names[1:]),
        kind=target.kind,
        description=target.description,
        keywords=tuple(dict.fromkeys(keywords)),
        id=target.id,
        created_at=target.created_at,
        examples=target.examples,  # a topic's texts live in its item, never in parts
    )


def _parse(item: Item | None, parts: Iterable[Mapping[str, Any]] = ()) -> Target | None:
    if item is None:
        return None
    try:
        return with_parts(Target.parse(item.value, key=item.key, strict=False), parts)
    except InvalidTargetError:
        return None


def load_target(store: BaseStore, tenant: str, target_id: str) -> Target | None:
    """One target (its item and parts), or None when there is none (or it cannot be parsed)."""
    item = store.get(namespace(tenant), target_id)
    if item is None:
        return None
    parts: list[Mapping[str, Any]] = []
    if "." not in target_id:
        pns = parts_namespace(tenant, target_id)
        parts = [p.value for p in _pages(store, pns) if tuple(p.namespace) == pns]
    return _parse(item, parts)


def load_targets(store: BaseStore, ns: tuple[str, ...]) -> list[Target]:
    """Every parseable target under ``ns`` (a tenant's targets: each merged with its parts)."""
    parts: dict[str, list[Mapping[str, Any]]] = {}
    tenant = _tenant_of(tuple(ns))
    if tenant is not None:
        prefix = parts_namespace(tenant)
        for part in _pages(store, prefix):
            if len(part.namespace) == 4 and tuple(part.namespace[:3]) == prefix and isinstance(part.value, Mapping):
                parts.setdefault(part.namespace[3], []).append(part.value)
    out: list[Target] = []
    for item in _pages(store, ns):
        if tuple(item.namespace) != tuple(ns):
            continue
        target = _parse(item, parts.get(item.key, ()))
        if target is not None:
            out.append(target)
    return out
