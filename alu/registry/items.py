"""Where a tenant's registry lives in a ``BaseStore``: the namespaces of its targets,
version item and change records, and the listing of its targets."""

from __future__ import annotations

from langgraph.store.base import BaseStore

from alu.domain import InvalidTargetError, Target

__all__ = [
    "DEFAULT_TENANT",
    "VERSION_KEY",
    "changes_namespace",
    "load_targets",
    "meta_namespace",
    "namespace",
]

DEFAULT_TENANT = "default"
_PAGE = 50_000
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


def load_targets(store: BaseStore, ns: tuple[str, ...]) -> list[Target]:
    """Every parseable target under ``ns``, page by page.

    Large pages (some stores rescan from the start for each offset, so small pages make
    a listing quadratic), read until a page comes back empty (a store that caps the page
    size below what was asked still gets read to the end).
    """
    out: list[Target] = []
    offset = 0
    while True:
        items = store.search(ns, limit=_PAGE, offset=offset)
        if not items:
            return out
        for item in items:
            if tuple(item.namespace) != tuple(ns):
                continue
            try:
                out.append(Target.parse(item.value, key=item.key, strict=False))
            except InvalidTargetError:
                continue
        offset += len(items)
