"""Unlearning targets and the registry that keeps them in a LangGraph ``BaseStore``.

Why a store: the same registry then works embedded (``InMemoryStore``), from the CLI
(``SqliteStore`` on disk) and on LangGraph server (the server's own store, so a client's
``client.store.put_item`` is honoured by the very next run). One namespace per tenant:
``("alu", tenant, "targets")``; key = target id; value = the target's fields.

Why a version: the auditor keeps an index of the targets and must not list 100,000 of
them on every query to notice a change. Every write through :class:`TargetRegistry`
also puts, in the same batch, a *change record* (the ids it touched) under
``("alu", tenant, "changes")`` and a new *version* under ``("alu", tenant, "meta")``,
key ``"version"``. A reader fetches that one item per query; when it has changed, it
reads the change records since its last look and re-reads only those targets. Change
records are never overwritten (each writer adds its own), so two processes writing at
once cannot hide each other's change. A client that writes targets straight into the
store should then put any new value under the version key (see :func:`bump_version`),
which makes readers rebuild; in a store with no version item at all, readers list the
targets on every query, which is always right and slower.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
import uuid
from pathlib import Path
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Literal, Mapping, Sequence

from langgraph.store.base import BaseStore, PutOp

__all__ = [
    "Target",
    "TargetRegistry",
    "InvalidTargetError",
    "namespace",
    "target_id_for",
    "DEFAULT_TENANT",
    "read_target_file",
    "bump_version",
    "meta_namespace",
    "changes_namespace",
    "VERSION_KEY",
]

DEFAULT_TENANT = "default"
TargetKind = Literal["person", "work", "organization", "place", "topic", "other"]
TARGET_KINDS: tuple[str, ...] = ("person", "work", "organization", "place", "topic", "other")
MAX_NAME_CHARS = 200
MAX_ALIASES = 64
_PAGE = 50_000
VERSION_KEY = "version"
CHANGE_RETENTION_S = 24 * 3600.0
"""Change records older than this are pruned; a reader that last looked longer ago than
half of it rebuilds from the full list instead of reading changes."""
MAX_CHANGE_IDS = 1000
"""A write touching more targets records "many": readers rebuild rather than re-read each."""
_PRUNE_EVERY = 32  # about one write in this many prunes expired change records


class InvalidTargetError(ValueError):
    """A target entry that cannot be stored; the message says what to fix."""


def namespace(tenant: str = DEFAULT_TENANT) -> tuple[str, str, str]:
    """The store namespace holding ``tenant``'s targets."""
    if not tenant or not isinstance(tenant, str) or "." in tenant:
        raise InvalidTargetError(
            f"tenant must be a non-empty string without '.', got {tenant!r}"
        )
    return ("alu", tenant, "targets")


def meta_namespace(tenant: str = DEFAULT_TENANT) -> tuple[str, str, str]:
    """The namespace of ``tenant``'s registry version item (key :data:`VERSION_KEY`)."""
    namespace(tenant)
    return ("alu", tenant, "meta")


def changes_namespace(tenant: str = DEFAULT_TENANT) -> tuple[str, str, str]:
    """The namespace of ``tenant``'s change records (one item per registry write)."""
    namespace(tenant)
    return ("alu", tenant, "changes")


def _version_ops(tenant: str, ids: "Iterable[str] | None") -> list[PutOp]:
    """The change record and new version that go in the same batch as a write.

    ``ids=None`` means "unknown or too many changes": readers rebuild their index.
    """
    now = time.time()
    token = uuid.uuid4().hex
    ids = None if ids is None else sorted(set(ids))
    if ids is not None and len(ids) > MAX_CHANGE_IDS:
        ids = None
    change_key = f"{time.time_ns():020d}-{token[:12]}"
    return [
        PutOp(changes_namespace(tenant), change_key, {"ts": now, "ids": ids, "token": token}, index=False),
        PutOp(meta_namespace(tenant), VERSION_KEY, {"token": token, "ts": now, "change": change_key}, index=False),
    ]


def _prune_ops(store: BaseStore, tenant: str, *, force: bool = False) -> list[PutOp]:
    """Deletions of change records older than :data:`CHANGE_RETENTION_S`, about once in
    :data:`_PRUNE_EVERY` writes (``force``: now)."""
    if not force and uuid.uuid4().int % _PRUNE_EVERY:
        return []
    cutoff = time.time() - CHANGE_RETENTION_S
    try:
        old = store.search(changes_namespace(tenant), filter={"ts": {"$lt": cutoff}}, limit=500)
    except (TypeError, ValueError):  # a foreign item without a numeric ts: prune next time
        return []
    return [PutOp(tuple(i.namespace), i.key, None) for i in old if tuple(i.namespace) == changes_namespace(tenant)]


def bump_version(store: BaseStore, tenant: str = DEFAULT_TENANT, ids: "Iterable[str] | None" = None) -> None:
    """Tell readers that ``tenant``'s targets changed outside :class:`TargetRegistry`.

    With the ids written (store keys), readers re-read only those; with ``ids=None``
    they rebuild from the full list. A LangGraph server client that writes targets with
    ``client.store.put_item`` can do the same by putting any new value under
    ``("alu", tenant, "meta")``, key ``"version"`` (a value without a ``"change"`` field
    makes readers rebuild).
    """
    store.batch(_version_ops(tenant, ids))


def target_id_for(name: str) -> str:
    """A stable id from a name: folded, ASCII where possible, words joined by '-'."""
    from alu.matching import normalize  # local: matching imports this module

    folded = normalize(name)
    ascii_form = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_form).strip("-")
    return slug or "t-" + "-".join(f"{ord(c):x}" for c in folded.replace(" ", ""))[:60]


def _clean_list(values: Any, what: str) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, (list, tuple, set)):
        raise InvalidTargetError(f"{what} must be a list of strings, got {type(values).__name__}")
    out: list[str] = []
    for v in values:
        if not isinstance(v, str):
            raise InvalidTargetError(f"every entry of {what} must be a string, got {v!r}")
        v = " ".join(v.split())
        if v and v not in out:
            out.append(v)
    return out


def _kind(kind: Any, strict: bool) -> str:
    if not kind:
        return "other"
    if not strict and kind not in TARGET_KINDS:
        return "other"
    return kind


@dataclass(frozen=True)
class Target:
    """Something to forget: a person, a work, an organization, a topic…

    ``aliases`` are other names the deterministic matcher treats as the target itself;
    ``keywords`` and ``description`` are cues for indirect references (a work, a spouse,
    a nickname), used to shortlist the target for the auditor's judge.
    """

    name: str
    aliases: tuple[str, ...] = ()
    kind: str = "other"
    description: str = ""
    keywords: tuple[str, ...] = ()
    id: str = ""
    created_at: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidTargetError("a target needs a non-empty 'name' (e.g. 'Jane Austen')")
        name = " ".join(self.name.split())
        if len(name) > MAX_NAME_CHARS:
            raise InvalidTargetError(
                f"target name is {len(name)} characters; the limit is {MAX_NAME_CHARS}"
            )
        from alu.matching import normalize

        if not normalize(name):
            raise InvalidTargetError(
                f"target name {self.name!r} has no letters or digits to match on"
            )
        if self.kind not in TARGET_KINDS:
            raise InvalidTargetError(
                f"target kind must be one of {', '.join(TARGET_KINDS)}; got {self.kind!r}"
            )
        aliases = [a for a in _clean_list(self.aliases, "aliases") if normalize(a)]
        if len(aliases) > MAX_ALIASES:
            raise InvalidTargetError(f"a target may have at most {MAX_ALIASES} aliases")
        if not isinstance(self.description, str):
            raise InvalidTargetError("target description must be a string")
        object.__setattr__(self, "name", name)
        object.__setattr__(
            self, "aliases", tuple(a for a in aliases if normalize(a) != normalize(name))
        )
        object.__setattr__(self, "keywords", tuple(_clean_list(self.keywords, "keywords")))
        object.__setattr__(self, "description", " ".join(self.description.split()))
        object.__setattr__(self, "id", self.id or target_id_for(name))
        object.__setattr__(
            self, "created_at", self.created_at or datetime.now(timezone.utc).isoformat()
        )

    @classmethod
    def parse(
        cls,
        entry: "str | Mapping[str, Any] | Target",
        *,
        key: str | None = None,
        strict: bool = True,
    ) -> "Target":
        """A target from a name, a mapping (store value, JSON object) or a Target.

        ``strict`` rejects unknown fields (user input); values read back from a store are
        parsed leniently so that an extra field written by another client never hides a
        target from the auditor.
        """
        if isinstance(entry, Target):
            return entry
        if isinstance(entry, str):
            return cls(name=entry)
        if not isinstance(entry, Mapping):
            raise InvalidTargetError(
                f"a target is a name or an object with at least 'name'; got {type(entry).__name__}"
            )
        unknown = set(entry) - {f for f in cls.__dataclass_fields__}
        if unknown and strict:
            raise InvalidTargetError(
                f"unknown target field(s) {sorted(unknown)}; allowed: "
                f"{sorted(cls.__dataclass_fields__)}"
            )
        if "name" not in entry:
            raise InvalidTargetError(f"target entry {dict(entry)!r} has no 'name'")
        return cls(
            name=entry["name"],
            aliases=tuple(_clean_list(entry.get("aliases"), "aliases")),
            kind=_kind(entry.get("kind"), strict),
            description=entry.get("description") or "",
            keywords=tuple(_clean_list(entry.get("keywords"), "keywords")),
            id=key or entry.get("id") or "",  # the store key is the id
            created_at=entry.get("created_at") or "",
        )

    def to_value(self) -> dict[str, Any]:
        """The JSON value stored under the target's key."""
        value = asdict(self)
        value["aliases"] = list(self.aliases)
        value["keywords"] = list(self.keywords)
        return value

    def merged(self, other: "Target") -> "Target":
        """This target with ``other``'s names, keywords and description folded in."""
        from alu.matching import normalize

        names = [self.name, *self.aliases]
        seen = {normalize(n) for n in names}
        for n in [other.name, *other.aliases]:
            if normalize(n) not in seen:
                names.append(n)
                seen.add(normalize(n))
        keywords = list(dict.fromkeys([*self.keywords, *other.keywords]))
        return Target(
            name=self.name,
            aliases=tuple(names[1:]),
            kind=self.kind if self.kind != "other" else other.kind,
            description=self.description or other.description,
            keywords=tuple(keywords),
            id=self.id,
            created_at=self.created_at,
        )


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
        enrich: bool = False,
        model: Any = None,
    ) -> Target:
        """Store a target (validated first; merged into an existing one if it is the same).

        ``enrich=True`` first asks a chat model, once, for aliases and keywords (notable
        works, relations, nicknames) and stores them with the target (see
        :mod:`alu.enrich`; ``model`` is a chat model or ``provider:model`` string, default
        the auditor's model of the default :class:`~alu.graph.context.Context`). If that
        call fails, nothing is stored and the error is raised.
        """
        if isinstance(name, str):
            target = Target(
                name=name,
                aliases=tuple(_clean_list(aliases, "aliases")),
                kind=kind or "other",
                description=description,
                keywords=tuple(_clean_list(keywords, "keywords")),
            )
        else:
            target = Target.parse(name)
        existing = self._find_same(target)
        if existing is not None:
            target = existing.merged(target)
        if enrich:
            from alu.enrich import enrich_target

            target = enrich_target(target, model=model, taken=self._taken_by_other(target.id))
        self.store.batch(
            [PutOp(self._ns, target.id, target.to_value(), index=False)]
            + _prune_ops(self.store, self.tenant)
            + _version_ops(self.tenant, [target.id])
        )
        return target

    def add_many(
        self,
        entries: Iterable[str | Target | Mapping[str, Any]],
        *,
        enrich: bool = False,
        model: Any = None,
    ) -> list[Target]:
        """Validate every entry, merge duplicates, then write them in one batch.

        A bad entry raises :class:`InvalidTargetError` before anything is written.
        ``enrich=True`` makes one model call per target first (see :meth:`add`); any
        failure raises before anything is written.
        """
        from alu.matching import normalize

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
            from alu.enrich import enrich_target

            final = [
                enrich_target(t, model=model, taken=self._taken_by_other(t.id)) for t in final
            ]
        self.store.batch(
            [PutOp(self._ns, t.id, t.to_value(), index=False) for t in final]
            + _prune_ops(self.store, self.tenant)
            + _version_ops(self.tenant, [t.id for t in final])
        )
        return final

    def remove(self, name_or_id: str) -> Target | None:
        """Remove a target by id, name or alias; returns what was removed (None if absent)."""
        target = self.get(name_or_id)
        if target is not None:
            self.store.batch(
                [PutOp(self._ns, target.id, None)]
                + _prune_ops(self.store, self.tenant)
                + _version_ops(self.tenant, [target.id])
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

    def _find_many(self, targets: "Sequence[Target]", *, by_id: bool = True) -> "list[Target | None]":
        """For each target, an existing target with the same id (when ``by_id``) or with a
        name or alias that folds to one of its names."""
        from alu.matching import normalize
        from alu.shortlist import _CACHE

        def same_names(a: Target, b: Target) -> bool:
            return bool(
                {normalize(n) for n in (a.name, *a.aliases)} & {normalize(n) for n in (b.name, *b.aliases)}
            )

        with _CACHE.synced(self.store, self.tenant, warm_only=True) as index:
            if index is not None:
                out: list[Target | None] = []
                for target in targets:
                    found = index.targets.get(target.id) if by_id else None
                    if found is None:
                        ids = sorted({i for n in (target.name, *target.aliases) for i in index.ids_named(n)})
                        found = next(
                            (index.targets[i] for i in ids if same_names(index.targets[i], target)), None
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
            or next((by_name[normalize(n)] for n in (t.name, *t.aliases) if normalize(n) in by_name), None)
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


def read_target_file(path: str | Path) -> list[Target]:
    """Targets from a file: a JSON list of names or of target objects, or a text file of
    one name per line (blank lines and ``#`` comments ignored). Every entry is validated;
    the error names the file and the entry."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidTargetError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidTargetError(f"{path}: cannot read it as UTF-8 text ({exc})") from None
    stripped = raw.lstrip()
    if path.suffix.lower() == ".json" or stripped.startswith(("[", "{")):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InvalidTargetError(
                f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno});"
                " expected a list of names or of objects with at least 'name'"
            ) from None
        if not isinstance(data, list):
            raise InvalidTargetError(
                f"{path}: expected a JSON list of names or objects, got a JSON {type(data).__name__}"
            )
        entries: list[Any] = data
        where = [f"entry {i}" for i in range(1, len(data) + 1)]
    else:
        pairs = [
            (n, line.strip())
            for n, line in enumerate(raw.splitlines(), start=1)
            if line.strip() and not line.strip().startswith("#")
        ]
        entries = [text for _, text in pairs]
        where = [f"line {n}" for n, _ in pairs]
    targets = []
    for label, entry in zip(where, entries):
        try:
            targets.append(Target.parse(entry))
        except InvalidTargetError as exc:
            raise InvalidTargetError(f"{path}, {label}: {exc}") from None
    if not targets:
        raise InvalidTargetError(f"{path}: no targets in the file")
    return targets
