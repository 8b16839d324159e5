"""The registry: add, merge, remove, list and look up a tenant's targets in a store."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from langgraph.store.base import BaseStore, PutOp

from alu.domain import InvalidTargetError, Target, clean_list
from alu.registry.cache import INDEX_CACHE
from alu.registry.items import DEFAULT_TENANT, load_targets, namespace
from alu.registry.versions import prune_ops, version_ops
from alu.text import normalize

__all__ = ["Enricher", "TargetRegistry", "use_enricher"]


class Enricher(Protocol):
    """What ``TargetRegistry.add(..., enrich=True)`` calls: ``target`` with the aliases and
    keywords a model proposed (see :func:`alu.nodes.enrich.enrich_target`)."""

    def __call__(self, target: Target, *, model: Any, taken: Callable[[str], bool]) -> Target: ...


_ENRICHER: list[Enricher] = []


def use_enricher(enricher: Enricher) -> None:
    """Install the enricher (a model call lives in the graph layer, above this one: the
    ``alu`` package installs :func:`alu.nodes.enrich.enrich_target` when it is imported)."""
    _ENRICHER[:] = [enricher]


def _enricher() -> Enricher:
    if not _ENRICHER:
        raise RuntimeError("no enricher installed: import alu (it installs alu.nodes.enrich.enrich_target)")
    return _ENRICHER[0]


@dataclass
class TargetRegistry:
    """Add, remove, list and look up a tenant's targets in a LangGraph store.

    Adding a target whose name or alias folds to an existing target's name or alias
    merges the two (aliases and keywords united) instead of storing a duplicate. Every
    write also records what changed and bumps the registry version, in the same batch,
    so that the auditor's index follows without listing the targets (see the module
    docstring).
    """

    store: BaseStore
    tenant: str = DEFAULT_TENANT
    _ns: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._ns = namespace(self.tenant)

    @property
    def namespace(self) -> tuple[str, ...]:
        return self._ns

    def list(self) -> list[Target]:
        """Every target of the tenant (entries that fail to parse are skipped, not fatal)."""
        return load_targets(self.store, self._ns)

    def get(self, name_or_id: str) -> Target | None:
        """The target with this id, or whose name or alias folds to the same text."""
        item = self.store.get(self._ns, name_or_id) if name_or_id else None
        if item is not None:
            try:
                return Target.parse(item.value, key=item.key, strict=False)
            except InvalidTargetError:
                return None
        try:
            return self._find_same(Target(name=name_or_id))
        except InvalidTargetError:  # nothing matchable in the name: no such target
            return None

    def add(
        self,
        name: str | Target | Mapping[str, Any],
        *,
        aliases: Iterable[str] = (),
        kind: str | None = None,
        description: str = "",
        keywords: Iterable[str] = (),
        examples: Iterable[str] = (),
        enrich: bool = False,
        model: Any = None,
    ) -> Target:
        """Store a target (validated first; merged into an existing one if it is the same).

        ``enrich=True`` first asks a chat model, once, for aliases and keywords (notable
        works, relations, nicknames) and stores them with the target (see
        :mod:`alu.nodes.enrich`; ``model`` is a chat model or ``provider:model`` string, default
        the auditor's model of the default :class:`~alu.graph.context.Context`). If that
        call fails, nothing is stored and the error is raised.
        """
        if isinstance(name, str):
            target = Target(
                name=name,
                aliases=tuple(clean_list(aliases, "aliases")),
                kind=kind or "other",
                description=description,
                keywords=tuple(clean_list(keywords, "keywords")),
                examples=tuple(clean_list(examples, "examples")),
            )
        else:
            target = Target.parse(name)
        existing = self._find_same(target)
        if existing is not None:
            target = existing.merged(target)
        if enrich:
            target = _enricher()(target, model=model, taken=self._taken_by_other(target.id))
        self.store.batch(
            [PutOp(self._ns, target.id, target.to_value(), index=False)]
            + prune_ops(self.store, self.tenant)
            + version_ops(self.tenant, [target.id])
        )
        return target

    def add_many(
        self,
        entries: Iterable[str | Target | Mapping[str, Any]],
        *,
        enrich: bool = False,
        model: Any = None,
    ) -> builtins.list[Target]:
        """Validate every entry, merge duplicates, then write them in one batch.

        A bad entry raises :class:`InvalidTargetError` before anything is written.
        ``enrich=True`` makes one model call per target first (see :meth:`add`); any
        failure raises before anything is written.
        """
        merged: list[Target] = []
        slot: dict[str, int] = {}  # folded name or alias -> position in merged
        for position, entry in enumerate(entries, start=1):
            try:
                target = Target.parse(entry)
            except InvalidTargetError as exc:
                raise InvalidTargetError(f"entry {position}: {exc}") from None
            names = [normalize(n) for n in (target.name, *target.aliases)]
            i = next((slot[n] for n in names if n in slot), None)
            if i is None:
                i = len(merged)
                merged.append(target)
            else:
                merged[i] = merged[i].merged(target)
            for n in (merged[i].name, *merged[i].aliases):
                slot.setdefault(normalize(n), i)
        final = [
            existing.merged(target) if existing is not None else target
            for target, existing in zip(merged, self._find_many(merged))
        ]
        if enrich:
            enrich_target = _enricher()
            final = [enrich_target(t, model=model, taken=self._taken_by_other(t.id)) for t in final]
        self.store.batch(
            [PutOp(self._ns, t.id, t.to_value(), index=False) for t in final]
            + prune_ops(self.store, self.tenant)
            + version_ops(self.tenant, [t.id for t in final])
        )
        return final

    def remove(self, name_or_id: str) -> Target | None:
        """Remove a target by id, name or alias; returns what was removed (None if absent)."""
        target = self.get(name_or_id)
        if target is not None:
            self.store.batch(
                [PutOp(self._ns, target.id, None)]
                + prune_ops(self.store, self.tenant)
                + version_ops(self.tenant, [target.id])
            )
        return target

    # -- finding the same target ----------------------------------------------------------
    # A long-lived process that already keeps the auditor's index answers these with a
    # few dictionary look-ups; a one-off caller (the CLI) lists the targets instead, which
    # is cheaper than building an index it would use once.

    def _find_same(self, target: Target) -> Target | None:
        item = self.store.get(self._ns, target.id)
        if item is not None:
            try:
                return Target.parse(item.value, key=item.key, strict=False)
            except InvalidTargetError:
                pass
        return self._find_many([target], by_id=False)[0]

    def _find_many(self, targets: Sequence[Target], *, by_id: bool = True) -> builtins.list[Target | None]:
        """For each target, an existing target with the same id (when ``by_id``) or with a
        name or alias that folds to one of its names."""

        def same_names(a: Target, b: Target) -> bool:
            return bool({normalize(n) for n in (a.name, *a.aliases)} & {normalize(n) for n in (b.name, *b.aliases)})

        with INDEX_CACHE.synced(self.store, self.tenant, warm_only=True) as index:
            if index is not None:
                out: list[Target | None] = []
                for target in targets:
                    found = index.targets.get(target.id) if by_id else None
                    if found is None:
                        ids = sorted({i for n in (target.name, *target.aliases) for i in index.ids_named(n)})
                        found = next(
                            (index.targets[i] for i in ids if same_names(index.targets[i], target)),
                            None,
                        )
                    out.append(found)
                return out
        existing = self.list()
        by_key = {t.id: t for t in existing} if by_id else {}
        by_name: dict[str, Target] = {}
        for other in existing:
            for n in (other.name, *other.aliases):
                by_name.setdefault(normalize(n), other)
        return [
            by_key.get(t.id)
            or next(
                (by_name[normalize(n)] for n in (t.name, *t.aliases) if normalize(n) in by_name),
                None,
            )
            for t in targets
        ]

    def _taken_by_other(self, target_id: str):
        """A predicate: does this name fold to a name or alias of another target?"""

        def taken(name: str) -> bool:
            try:
                probe = Target(name=name)
            except InvalidTargetError:
                return True
            found = self._find_many([probe], by_id=False)[0]
            return found is not None and found.id != target_id

        return taken
