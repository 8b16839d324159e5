"""The registry: add, merge, remove, list and look up a tenant's targets in a store."""

from __future__ import annotations

import builtins
import dataclasses
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from langgraph.store.base import BaseStore, PutOp

from alu.domain import (
    MAX_ALIASES,
    InvalidTargetError,
    Target,
    clean_list,
    contested_target_id_for,
    id_format_of,
    legacy_target_id_for,
    ordinary_word_reason,
    target_id_for,
)
from alu.registry.cache import INDEX_CACHE
from alu.registry.items import (
    DEFAULT_TENANT,
    SCHEMA_VERSION,
    load_target,
    load_targets,
    namespace,
    parts_namespace,
)
from alu.registry.ledger import Action, Via, default_actor, ledger_ops
from alu.registry.versions import new_version, prune_ops, version_ops
from alu.text import normalize

__all__ = ["Enricher", "OrdinaryWordError", "TargetRegistry", "check_ordinary_words", "use_enricher"]


class OrdinaryWordError(InvalidTargetError):
    """A name or alias that cannot be told from ordinary words, registered without the
    opt-in (see :func:`alu.domain.ordinary_word_reason`)."""


OPT_IN_HINT = (
    "such a name cannot be told from ordinary words and would flag nearly every answer. "
    "Register a fuller name (a full name, a title with its author's name), or, if this "
    "really is the name to forget, opt in: allow_ordinary_word=True "
    '(CLI: --allow-ordinary-word; a file entry or store item: "allow_ordinary_word": true). '
    "Nothing was stored"
)


def check_ordinary_words(target: Target, existing: Target | None = None) -> None:
    """Refuse the names ``target`` brings (beyond ``existing``'s: stored names keep being
    honoured) that cannot be told from ordinary words, unless opted in (the
    target's ``allow_ordinary_word``). The error names the field, never the name."""
    if target.allow_ordinary_word:
        return
    known = {normalize(n) for n in (existing.name, *existing.aliases)} if existing is not None else set()
    for position, name in enumerate((target.name, *target.aliases)):
        if normalize(name) in known:
            continue
        reason = ordinary_word_reason(name)
        if reason is not None:
            what = "the name" if position == 0 else f"alias {position}"
            raise OrdinaryWordError(f"{what} {reason}: {OPT_IN_HINT}")


class Enricher(Protocol):
    """What ``TargetRegistry.add(..., enrich=True)`` calls: ``target`` with the aliases and
    keywords a model proposed (see :func:`alu.nodes.enrich.enrich_target`)."""

    def __call__(self, target: Target, *, model: Any, taken: Callable[[str], bool]) -> Target: ...


_ENRICHER: list[Enricher] = []
_BATCH_OPS = 2000  # puts per store batch (PostgreSQL: at most 65,535 parameters a statement)


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

    Safe under concurrency on every ``BaseStore``, with no compare-and-set: what a write
    adds to a target (names, keywords) goes into a *part* of its own (a fresh key under
    :func:`~alu.registry.items.parts_namespace`), and a target is read as its item merged
    with its parts. Two processes adding aliases to one target at once may overwrite
    each other's copy of the target item, never each other's parts: both aliases stay.

    Every write also appends to the tenant's forget-request ledger (:mod:`alu.registry.ledger`)
    who asked (``actor``: the caller's name for the person or system; default the
    operating-system user), through what (``via``), and the registry version of the write.
    """

    store: BaseStore
    tenant: str = DEFAULT_TENANT
    actor: str | None = None
    via: Via = "python"
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
        found = load_target(self.store, self.tenant, name_or_id) if name_or_id else None
        if found is not None:
            return found
        try:
            return self._resolve([Target(name=name_or_id)])[0][1]
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
        actor: str | None = None,
        allow_ordinary_word: bool = False,
    ) -> Target:
        """Store a target (validated first; merged into an existing one if it is the same).

        ``enrich=True`` first asks a chat model, once, for aliases and keywords (notable
        works, relations, nicknames) and stores them with the target (see
        :mod:`alu.nodes.enrich`; ``model`` is a chat model or ``provider:model`` string, default
        the auditor's model of the default :class:`~alu.graph.context.Context`). If that
        call fails, nothing is stored and the error is raised. ``actor``: who asked (the
        ledger's; default the registry's ``actor``).

        A name or alias that cannot be told from ordinary words ("the", "I", "42": see
        :func:`alu.domain.ordinary_word_reason`) raises :class:`OrdinaryWordError` unless
        ``allow_ordinary_word=True`` (recorded on the target); names already stored are
        never re-checked.
        """
        if isinstance(name, str):
            target = Target(
                name=name,
                aliases=tuple(clean_list(aliases, "aliases")),
                kind=kind or "other",
                description=description,
                keywords=tuple(clean_list(keywords, "keywords")),
                examples=tuple(clean_list(examples, "examples")),
                allow_ordinary_word=allow_ordinary_word,
            )
        else:
            target = Target.parse(name)
            if allow_ordinary_word:
                target = dataclasses.replace(target, allow_ordinary_word=True)
        target, existing = self._resolve([target])[0]
        check_ordinary_words(target, existing)
        if existing is not None:
            target = existing.merged(target)
        if enrich:
            target = _enricher()(target, model=model, taken=self._taken_by_other(target.id))
        version = new_version()
        self.store.batch(
            self._write_ops(target, existing)
            + self._ledger(version, [(_action(existing), target, existing)], actor)
            + prune_ops(self.store, self.tenant)
            + version_ops(self.tenant, [target.id], version)
        )
        return target

    def add_many(
        self,
        entries: Iterable[str | Target | Mapping[str, Any]],
        *,
        enrich: bool = False,
        model: Any = None,
        actor: str | None = None,
        allow_ordinary_word: bool = False,
    ) -> builtins.list[Target]:
        """Validate every entry, merge duplicates, then write them in one batch.

        A bad entry raises :class:`InvalidTargetError` before anything is written; an
        entry whose new name or alias cannot be told from ordinary words raises
        :class:`OrdinaryWordError` unless it has ``"allow_ordinary_word": true`` or the
        call passes ``allow_ordinary_word=True`` (see :meth:`add`).
        ``enrich=True`` makes one model call per target first (see :meth:`add`); any
        failure raises before anything is written.
        """
        merged: list[Target] = []
        first_entry: list[int] = []  # the entry each merged target came from first
        slot: dict[str, int] = {}  # folded name or alias -> position in merged
        for position, entry in enumerate(entries, start=1):
            try:
                target = Target.parse(entry)
                if allow_ordinary_word:
                    target = dataclasses.replace(target, allow_ordinary_word=True)
            except InvalidTargetError as exc:
                raise InvalidTargetError(f"entry {position}: {exc}") from None
            names = [normalize(n) for n in (target.name, *target.aliases)]
            i = next((slot[n] for n in names if n in slot), None)
            if i is None:
                i = len(merged)
                merged.append(target)
                first_entry.append(position)
            else:
                merged[i] = merged[i].merged(target)
            for n in (merged[i].name, *merged[i].aliases):
                slot.setdefault(normalize(n), i)
        resolved = self._resolve(merged)
        for position, (target, existing) in zip(first_entry, resolved):
            try:
                check_ordinary_words(target, existing)
            except OrdinaryWordError as exc:
                raise OrdinaryWordError(f"entry {position}: {exc}") from None
        final = [existing.merged(target) if existing is not None else target for target, existing in resolved]
        if enrich:
            enrich_target = _enricher()
            final = [enrich_target(t, model=model, taken=self._taken_by_other(t.id)) for t in final]
        # Two entries that resolve to one id are one target: fold them (never let the
        # second silently replace the first in the batch).
        by_id: dict[str, tuple[Target, Target | None]] = {}
        for target, (_, existing) in zip(final, resolved):
            if target.id in by_id:
                target = by_id[target.id][0].merged(target)
            by_id[target.id] = (target, existing)
        ops: list[PutOp] = []
        for target, existing in by_id.values():
            ops += self._write_ops(target, existing)
        version = new_version()
        ops += self._ledger(version, [(_action(e), t, e) for t, e in by_id.values()], actor)
        # In batches a store can take (PostgreSQL: one statement has at most 65,535
        # parameters); the version goes with the last, so readers see the whole import.
        chunks = [ops[i : i + _BATCH_OPS] for i in range(0, len(ops), _BATCH_OPS)] or [[]]
        for chunk in chunks[:-1]:
            self.store.batch(chunk)
        self.store.batch(
            chunks[-1] + prune_ops(self.store, self.tenant) + version_ops(self.tenant, list(by_id), version)
        )
        return [t for t, _ in by_id.values()]

    def remove(self, name_or_id: str, *, actor: str | None = None) -> Target | None:
        """Remove a target by id, name or alias; returns what was removed (None if absent)."""
        target = self.get(name_or_id)
        if target is not None:
            version = new_version()
            # The item first, then its parts: a concurrent add either wrote its part
            # before this listing (deleted here) or re-created the item itself (whose
            # copy holds what it added), so no part outlives its target.
            self.store.batch([PutOp(self._ns, target.id, None)])
            ops = [PutOp(tuple(p.namespace), p.key, None) for p in self._parts(target.id)]
            ops += self._ledger(version, [("remove", target, None)], actor)
            self.store.batch(ops + prune_ops(self.store, self.tenant) + version_ops(self.tenant, [target.id], version))
        return target

    def check_ids(self) -> builtins.list[dict[str, Any]]:
        """Ids that 0.1.0 gave to two different names, one row per contested name.

        0.1.0's ids could collide ("Łukasz Nowak" and "Ukasz Nowak"; long names in one
        script cut at 60 characters): the second name added was then merged into the
        first target as an alias (or, in one ``add_many``, replaced it). A row: the id,
        the name that keeps it (the target's own name: it was stored first), the name
        that contests it (an alias whose 0.1.0 id is that same id but whose folded form
        differs, hence a different name) and the id that name gets today. Whether the
        alias is really another target only a person can say; if it is, remove the target
        and add both names again (today's ids differ).
        """
        rows: list[dict[str, Any]] = []
        for target in sorted(self.list(), key=lambda t: t.id):
            owner = normalize(target.name)
            claimed = {legacy_target_id_for(target.name), target.id}
            for alias in target.aliases:
                if normalize(alias) != owner and legacy_target_id_for(alias) in claimed:
                    rows.append(
                        {
                            "id": target.id,
                            "kept_by": target.name,
                            "contested_by": alias,
                            "id_now": target_id_for(alias),
                            "id_format": id_format_of(target.id, target.name),
                        }
                    )
        return rows

    # -- writing --------------------------------------------------------------------------

    def _ledger(
        self, version: Any, changes: builtins.list[tuple[Action, Target, Target | None]], actor: str | None
    ) -> builtins.list[PutOp]:
        who = actor or self.actor or default_actor()
        return ledger_ops(self.tenant, version.change, version.ts, actor=who, via=self.via, changes=changes)

    def _parts(self, target_id: str) -> builtins.list[Any]:
        if "." in target_id:
            return []
        pns = parts_namespace(self.tenant, target_id)
        out, offset = [], 0
        while page := self.store.search(pns, limit=1000, offset=offset):
            out += [p for p in page if tuple(p.namespace) == pns]
            offset += len(page)
        return out

    def _write_ops(self, target: Target, existing: Target | None) -> builtins.list[PutOp]:
        """The target's item (this writer's copy) and, when it adds names or keywords, a
        part of its own holding just those (see the class docstring)."""
        if len(target.aliases) > MAX_ALIASES:
            raise InvalidTargetError(f"a target may have at most {MAX_ALIASES} aliases")
        value = target.to_value()
        value["id_format"] = id_format_of(target.id, target.name)
        value["schema"] = SCHEMA_VERSION
        ops = [PutOp(self._ns, target.id, value, index=False)]
        known = {normalize(n) for n in (existing.name, *existing.aliases)} if existing is not None else set()
        new_names = [n for n in (target.name, *target.aliases) if normalize(n) not in known]
        new_keywords = [k for k in target.keywords if existing is None or k not in existing.keywords]
        if (new_names or new_keywords) and "." not in target.id:
            part = {"aliases": new_names, "keywords": new_keywords, "ts": time.time(), "schema": SCHEMA_VERSION}
            ops.append(PutOp(parts_namespace(self.tenant, target.id), uuid.uuid4().hex, part, index=False))
        return ops

    # -- finding the same target ----------------------------------------------------------
    # A long-lived process that already keeps the auditor's index answers these with a
    # few dictionary look-ups; a one-off caller (the CLI) lists the targets instead, which
    # is cheaper than building an index it would use once.

    def _resolve(self, targets: Sequence[Target]) -> builtins.list[tuple[Target, Target | None]]:
        """Each target with its final id, and the existing target it is the same as.

        Same: the stored target with its id and a name in common, else any target with a
        name or alias that folds to one of its names. A contested id (held by a target
        with no name in common: an id of 0.1.0 that collided, or a key a client chose)
        stays with its holder; the newcomer takes :func:`contested_target_id_for` (its
        128-bit id, the same in every process).
        """
        out: list[tuple[Target, Target | None]] = []
        for target, (by_id, by_name) in zip(targets, self._find_many(targets)):
            if by_id is not None and (_same_names(by_id, target) or target.id != target_id_for(target.name)):
                out.append((target, by_id))
                continue
            if by_name is None and by_id is not None:  # contested: the holder keeps the id
                other = contested_target_id_for(target.name)
                holder = load_target(self.store, self.tenant, other)
                if holder is not None and not _same_names(holder, target):
                    raise InvalidTargetError(
                        f"ids {target.id!r} and {other!r} are both taken; give {target.name!r} an id"
                    )
                target = dataclasses.replace(target, id=other)
                by_name = holder
            out.append((target, by_name))
        return out

    def _find_many(self, targets: Sequence[Target]) -> builtins.list[tuple[Target | None, Target | None]]:
        """For each target, the existing target holding its id, and an existing target
        with a name or alias that folds to one of its names."""
        with INDEX_CACHE.synced(self.store, self.tenant, warm_only=True) as index:
            if index is not None:
                out: list[tuple[Target | None, Target | None]] = []
                for target in targets:
                    ids = sorted({i for n in (target.name, *target.aliases) for i in index.ids_named(n)})
                    found = next((index.targets[i] for i in ids if _same_names(index.targets[i], target)), None)
                    out.append((index.targets.get(target.id), found))
                return out
        existing = self.list()
        by_key = {t.id: t for t in existing}
        by_name: dict[str, Target] = {}
        for other in existing:
            for n in (other.name, *other.aliases):
                by_name.setdefault(normalize(n), other)
        return [
            (
                by_key.get(t.id),
                next((by_name[normalize(n)] for n in (t.name, *t.aliases) if normalize(n) in by_name), None),
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
            found = self._find_many([probe])[0][1]
            return found is not None and found.id != target_id

        return taken


def _action(existing: Target | None) -> Action:
    return "add" if existing is None else "alias"


def _same_names(a: Target, b: Target) -> bool:
    return bool({normalize(n) for n in (a.name, *a.aliases)} & {normalize(n) for n in (b.name, *b.aliases)})
