"""Unlearning targets and the registry that keeps them in a LangGraph ``BaseStore``.

Why a store: the same registry then works embedded (``InMemoryStore``), from the CLI
(``SqliteStore`` on disk) and on LangGraph server (the server's own store, so a client's
``client.store.put_item`` is honoured by the very next run). One namespace per tenant:
``("alu", tenant, "targets")``; key = target id; value = the target's fields.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Literal, Mapping

from langgraph.store.base import BaseStore, PutOp

__all__ = [
    "Target",
    "TargetRegistry",
    "InvalidTargetError",
    "namespace",
    "target_id_for",
    "DEFAULT_TENANT",
    "read_target_file",
]

DEFAULT_TENANT = "default"
TargetKind = Literal["person", "work", "organization", "place", "topic", "other"]
TARGET_KINDS: tuple[str, ...] = ("person", "work", "organization", "place", "topic", "other")
MAX_NAME_CHARS = 200
MAX_ALIASES = 64
_PAGE = 1000


class InvalidTargetError(ValueError):
    """A target entry that cannot be stored; the message says what to fix."""


def namespace(tenant: str = DEFAULT_TENANT) -> tuple[str, str, str]:
    """The store namespace holding ``tenant``'s targets."""
    if not tenant or not isinstance(tenant, str) or "." in tenant:
        raise InvalidTargetError(
            f"tenant must be a non-empty string without '.', got {tenant!r}"
        )
    return ("alu", tenant, "targets")


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
    merges the two (aliases and keywords united) instead of storing a duplicate.
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
    ) -> Target:
        """Store a target (validated first; merged into an existing one if it is the same)."""
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
        self.store.put(self._ns, target.id, target.to_value(), index=False)
        return target

    def add_many(self, entries: Iterable[str | Target | Mapping[str, Any]]) -> list[Target]:
        """Validate every entry, merge duplicates, then write them in one batch.

        A bad entry raises :class:`InvalidTargetError` before anything is written.
        """
        from alu.matching import normalize

        merged: list[Target] = []
        for position, entry in enumerate(entries, start=1):
            try:
                target = Target.parse(entry)
            except InvalidTargetError as exc:
                raise InvalidTargetError(f"entry {position}: {exc}") from None
            names = {normalize(n) for n in (target.name, *target.aliases)}
            for i, other in enumerate(merged):
                if names & {normalize(n) for n in (other.name, *other.aliases)}:
                    merged[i] = other.merged(target)
                    break
            else:
                merged.append(target)
        by_name = {normalize(n): t for t in self.list() for n in (t.name, *t.aliases)}
        final = []
        for target in merged:
            existing = next(
                (by_name[normalize(n)] for n in (target.name, *target.aliases) if normalize(n) in by_name),
                None,
            )
            final.append(existing.merged(target) if existing is not None else target)
        self.store.batch([PutOp(self._ns, t.id, t.to_value(), index=False) for t in final])
        return final

    def remove(self, name_or_id: str) -> Target | None:
        """Remove a target by id, name or alias; returns what was removed (None if absent)."""
        target = self.get(name_or_id)
        if target is not None:
            self.store.delete(self._ns, target.id)
        return target

    def _find_same(self, target: Target) -> Target | None:
        from alu.matching import normalize

        item = self.store.get(self._ns, target.id)
        if item is not None:
            try:
                return Target.parse(item.value, key=item.key, strict=False)
            except InvalidTargetError:
                pass
        wanted = {normalize(n) for n in (target.name, *target.aliases)}
        for other in self.list():
            if wanted & {normalize(n) for n in (other.name, *other.aliases)}:
                return other
        return None


def load_targets(store: BaseStore, ns: tuple[str, ...]) -> list[Target]:
    """Every parseable target under ``ns``, page by page."""
    out: list[Target] = []
    offset = 0
    while True:
        items = store.search(ns, limit=_PAGE, offset=offset)
        for item in items:
            if tuple(item.namespace) != tuple(ns):
                continue
            try:
                out.append(Target.parse(item.value, key=item.key, strict=False))
            except InvalidTargetError:
                continue
        if len(items) < _PAGE:
            return out
        offset += _PAGE


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
