"""A target: something to forget (a person, a work, an organization, a topic…), its
validation, and its stable id."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from alu.text import normalize, transliterate

__all__ = [
    "ID_FORMAT",
    "MAX_ALIASES",
    "MAX_EXAMPLES",
    "MAX_NAME_CHARS",
    "TARGET_KINDS",
    "InvalidTargetError",
    "Target",
    "TargetKind",
    "clean_list",
    "contested_target_id_for",
    "id_format_of",
    "legacy_target_id_for",
    "target_id_for",
]

TargetKind = Literal["person", "work", "organization", "place", "topic", "other"]
TARGET_KINDS: tuple[str, ...] = (
    "person",
    "work",
    "organization",
    "place",
    "topic",
    "other",
)
MAX_NAME_CHARS = 200
MAX_ALIASES = 64
MAX_EXAMPLES = 5000


class InvalidTargetError(ValueError):
    """A target entry that cannot be stored; the message says what to fix."""


ID_FORMAT = 2
"""The id format written by this version (stored in each item as ``id_format``):
1 = 0.1.0's ids (:func:`legacy_target_id_for`), 2 = :func:`target_id_for` (or, for a
name whose id another target already holds, :func:`contested_target_id_for`), 0 = a key
chosen by a client."""

_SLUG_RUN = re.compile(r"[^a-z0-9]+")
_READABLE_CHARS = 40


def _slug(text: str) -> str:
    return _SLUG_RUN.sub("-", text.lower()).strip("-")


def _hashed(folded: str, digest_size: int) -> str:
    readable = _slug(transliterate(folded))[:_READABLE_CHARS].strip("-") or "t"
    digest = hashlib.blake2b(folded.encode("utf-8"), digest_size=digest_size, person=b"alu-target-id").hexdigest()
    return f"{readable}--{digest}"


def target_id_for(name: str) -> str:
    """A stable id from a name (id format 2): distinct folded names get distinct ids.

    A name that folds (:func:`alu.text.normalize`: case, accents, punctuation) to ASCII
    gets the folded words joined by '-' ("Zoë Saldaña" → ``zoe-saldana``), as in 0.1.0;
    that spelling is one-to-one with the folded name. Any other name ("Łukasz Nowak",
    "Александр Пушкин", "東京") gets a readable romanization, ``--`` (which the first
    form never contains) and 64 bits of BLAKE2b over the folded name:
    ``lukasz-nowak--3f…``. A pure function of the folded name: the same in every process
    and on every machine, with no table and no counter.
    """
    folded = normalize(name)
    if folded.isascii():
        return _slug(folded) or _hashed(folded, 8)
    return _hashed(folded, 8)


def contested_target_id_for(name: str) -> str:
    """The id a new target takes when :func:`target_id_for` is already held by a different
    target (an id of 0.1.0 that collided, or a key a client chose): the readable part,
    ``--`` and 128 bits of BLAKE2b over the folded name (never equal to a first-choice id,
    whose hash is 64 bits)."""
    return _hashed(normalize(name), 16)


def legacy_target_id_for(name: str) -> str:
    """0.1.0's id (format 1): ASCII-folded slug, or for a name with no ASCII letters the
    code points in hex cut at 60 characters. Names could collide ("Łukasz Nowak" and
    "Ukasz Nowak"; long names in one script); kept to recognise and report such ids."""
    folded = normalize(name)
    ascii_form = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_form).strip("-")
    return slug or "t-" + "-".join(f"{ord(c):x}" for c in folded.replace(" ", ""))[:60]


def id_format_of(key: str, name: str) -> int:
    """Which id format produced ``key`` for a target named ``name`` (see :data:`ID_FORMAT`)."""
    if key in (target_id_for(name), contested_target_id_for(name)):
        return ID_FORMAT
    if key == legacy_target_id_for(name):
        return 1
    return 0


def clean_list(values: Any, what: str) -> list[str]:
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


def _opt_in(value: Any, strict: bool) -> bool:
    if value is None or value is False:
        return False
    if value is True:
        return True
    if strict:
        raise InvalidTargetError(f"allow_ordinary_word must be true or false, got {value!r}")
    return False


@dataclass(frozen=True)
class Target:
    """Something to forget: a person, a work, an organization, a topic…

    ``aliases`` are other names the deterministic matcher treats as the target itself;
    ``keywords`` and ``description`` are cues for indirect references (a work, a spouse,
    a nickname), used to shortlist the target for the auditor's judge. ``examples`` are
    texts about the target (its forget set: questions a user might ask of a topic): the
    semantic stage learns the target's profile from them. ``allow_ordinary_word`` records
    that the registrant opted in to a name that cannot be told from ordinary words (see
    :func:`alu.domain.ordinary_word_reason`; registration refuses one otherwise).
    """

    name: str
    aliases: tuple[str, ...] = ()
    kind: str = "other"
    description: str = ""
    keywords: tuple[str, ...] = ()
    id: str = ""
    created_at: str = ""
    examples: tuple[str, ...] = ()
    allow_ordinary_word: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidTargetError("a target needs a non-empty 'name' (e.g. 'Jane Austen')")
        name = " ".join(self.name.split())
        if len(name) > MAX_NAME_CHARS:
            raise InvalidTargetError(f"target name is {len(name)} characters; the limit is {MAX_NAME_CHARS}")
        if not normalize(name):
            raise InvalidTargetError(f"target name {self.name!r} has no letters or digits to match on")
        if self.kind not in TARGET_KINDS:
            raise InvalidTargetError(f"target kind must be one of {', '.join(TARGET_KINDS)}; got {self.kind!r}")
        aliases = [a for a in clean_list(self.aliases, "aliases") if normalize(a)]
        if len(aliases) > MAX_ALIASES:
            raise InvalidTargetError(f"a target may have at most {MAX_ALIASES} aliases")
        if not isinstance(self.description, str):
            raise InvalidTargetError("target description must be a string")
        object.__setattr__(self, "name", name)
        object.__setattr__(
            self,
            "aliases",
            tuple(a for a in aliases if normalize(a) != normalize(name)),
        )
        object.__setattr__(self, "keywords", tuple(clean_list(self.keywords, "keywords")))
        examples = clean_list(self.examples, "examples")
        if len(examples) > MAX_EXAMPLES:
            raise InvalidTargetError(f"a target may have at most {MAX_EXAMPLES} examples (got {len(examples)})")
        object.__setattr__(self, "examples", tuple(examples))
        object.__setattr__(self, "description", " ".join(self.description.split()))
        object.__setattr__(self, "allow_ordinary_word", self.allow_ordinary_word is True)
        object.__setattr__(self, "id", self.id or target_id_for(name))
        object.__setattr__(
            self,
            "created_at",
            self.created_at or datetime.now(UTC).isoformat(),
        )

    @classmethod
    def parse(
        cls,
        entry: str | Mapping[str, Any] | Target,
        *,
        key: str | None = None,
        strict: bool = True,
    ) -> Target:
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
        unknown = set(entry) - {f for f in cls.__dataclass_fields__} - {"id_format", "schema"}
        if unknown and strict:
            raise InvalidTargetError(
                f"unknown target field(s) {sorted(unknown)}; allowed: {sorted(cls.__dataclass_fields__)}"
            )
        if "name" not in entry:
            raise InvalidTargetError(f"target entry {dict(entry)!r} has no 'name'")
        return cls(
            name=entry["name"],
            aliases=tuple(clean_list(entry.get("aliases"), "aliases")),
            kind=_kind(entry.get("kind"), strict),
            description=entry.get("description") or "",
            keywords=tuple(clean_list(entry.get("keywords"), "keywords")),
            id=key or entry.get("id") or "",  # the store key is the id
            created_at=entry.get("created_at") or "",
            examples=tuple(clean_list(entry.get("examples"), "examples")),
            allow_ordinary_word=_opt_in(entry.get("allow_ordinary_word"), strict),
        )

    def to_value(self) -> dict[str, Any]:
        """The JSON value stored under the target's key (``examples`` and
        ``allow_ordinary_word`` only when set, so the items of other targets keep 0.1.0's
        shape)."""
        value = asdict(self)
        if not self.allow_ordinary_word:
            value.pop("allow_ordinary_word")
        value["aliases"] = list(self.aliases)
        value["keywords"] = list(self.keywords)
        if self.examples:
            value["examples"] = list(self.examples)
        else:
            value.pop("examples")
        return value

    def merged(self, other: Target) -> Target:
        """This target with ``other``'s names, keywords and description folded in."""
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
            examples=tuple(dict.fromkeys([*self.examples, *other.examples])),
            allow_ordinary_word=self.allow_ordinary_word or other.allow_ordinary_word,
        )
