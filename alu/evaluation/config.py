"""Suite configurations: what to sample from the data, and how the systems are set up.

A suite is a JSON file (``alu/evaluation/suites/<name>.json``, or any path) with the
fields of :class:`SuiteConfig`. Counts are totals per category, spread round-robin over
the targets (or sources) so that every target gets its share. Sampling is seeded: the
same file and seed give the same probes.

The *configuration hash* names a run's settings (suite, seed, model, attack templates,
harness version). Records carry it, and a re-run into the same ``--out`` skips only the
records made with the same hash: change k or the model and everything runs again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from alu.evaluation import templates
from alu.evaluation.choices import MC_QUERY

__all__ = [
    "HARNESS_VERSION",
    "SUITES",
    "SYSTEMS",
    "TOPIC_SUITES",
    "InvalidSuiteError",
    "SuiteConfig",
    "config_hash",
    "load_suite",
    "suite_names",
]

HARNESS_VERSION = 1
"""Bump when a change to the harness changes what a record means (queries, systems)."""

SYSTEMS: tuple[str, ...] = ("vanilla", "prompt", "filter", "alu-linear", "alu")
SUITES: tuple[str, ...] = ("rwku", "tofu", "masking", "crosslingual", "manyshot", "injection")
TOPIC_SUITES: tuple[str, ...] = ("wmdp", "wpu")
"""Probe suites of a suite file's optional ``wmdp`` and ``wpu`` sections (issue 15)."""
SUITES_DIR = Path(__file__).resolve().parent / "suites"

_RWKU_KEYS = {"targets", "level1", "level2", "level3", "neighbor", "names"}
_TOFU_KEYS = {"split", "forget", "paraphrased", "retain", "real_authors", "world_facts", "context_facts"}
_ATTACK_KEYS = {"masking", "crosslingual", "manyshot", "injection", "many_shot_shots"}
_WMDP_KEYS = {"bio", "chem", "mmlu", "examples", "subjects"}
_WPU_KEYS = {"targets", "initials", "typo", "spelled", "standin", "manyshot", "utility", "many_shot_shots"}


class InvalidSuiteError(ValueError):
    """A suite file or value that cannot be used; the message says what to fix."""


@dataclass
class SuiteConfig:
    """What one evaluation run samples and how the systems are configured."""

    name: str
    description: str = ""
    seed: int = 2025
    systems: list[str] = field(default_factory=lambda: list(SYSTEMS))
    k: int = 5
    """Rewrites of both ALU variants (the paper's code uses 5)."""
    j: int | None = None
    """Top-rated rewrites merged (default min(3, k), as in the paper's code)."""
    threshold: float = 4.0
    max_tokens: int = 256
    """Cap on every model reply, the same for every system."""
    model_timeout: float = 300.0
    """Seconds per model request (queueing on a one-slot local server included)."""
    rwku: dict[str, Any] = field(
        default_factory=lambda: {"targets": 10, "level1": 10, "level2": 10, "level3": 20, "neighbor": 10}
    )
    tofu: dict[str, Any] = field(
        default_factory=lambda: {
            "split": "forget01", "forget": 6, "paraphrased": 4, "retain": 4, "real_authors": 2, "world_facts": 2,
            "context_facts": 5,
        }
    )  # fmt: skip
    attacks: dict[str, Any] = field(
        default_factory=lambda: {"masking": 8, "crosslingual": 8, "manyshot": 6, "injection": 8, "many_shot_shots": 24}
    )
    wmdp: dict[str, Any] = field(default_factory=dict)
    """The ``wmdp`` suite (empty: none): WMDP ``bio``/``chem`` questions (forget) and
    ``mmlu`` questions per subject (utility; ``subjects``: only these, default every CSV
    found); ``examples``: the most example texts per topic
    (default all of the learning half; 0: zero-shot). See :mod:`.wmdp`."""
    wpu: dict[str, Any] = field(default_factory=dict)
    """The ``wpu`` suite (empty: none): ``targets`` WPU people, probes per form
    (``initials``, ``typo``, ``spelled``, ``standin``, ``manyshot``), ``utility`` WPU
    examples, ``many_shot_shots``. See :mod:`.wpu`."""
    semantic: bool | None = None
    """The ``alu`` system's ``Context.semantic`` (None: the Context default, which is
    *auto* — on when the suite registers a topic or a work). A custom suite with topic
    targets and no ``semantic`` key ran with the stage off before 0.3.0: re-run it into a
    fresh folder rather than resume old records."""

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not isinstance(self.k, int) or not 1 <= self.k <= 20:
            problems.append(f"k must be an integer from 1 to 20 (got {self.k!r})")
        if self.j is not None and (not isinstance(self.j, int) or not 1 <= self.j <= max(self.k, 1)):
            problems.append(f"j must be an integer from 1 to k (got {self.j!r})")
        if not isinstance(self.threshold, (int, float)) or not 1 <= self.threshold <= 5:
            problems.append(f"threshold must be between 1 and 5 (got {self.threshold!r})")
        if not isinstance(self.max_tokens, int) or self.max_tokens < 16:
            problems.append(f"max_tokens must be an integer of at least 16 (got {self.max_tokens!r})")
        unknown = [s for s in self.systems if s not in SYSTEMS]
        if unknown or not self.systems:
            problems.append(f"systems must be a non-empty list of {', '.join(SYSTEMS)} (got {self.systems!r})")
        if type(self.semantic) not in (bool, type(None)):  # a JSON value, not checked by the type
            problems.append(f"semantic must be true, false or null (got {self.semantic!r})")
        sections = (("rwku", _RWKU_KEYS), ("tofu", _TOFU_KEYS), ("attacks", _ATTACK_KEYS), ("wmdp", _WMDP_KEYS),
                    ("wpu", _WPU_KEYS))  # fmt: skip
        for section, keys in sections:
            value = getattr(self, section)
            if not isinstance(value, dict):
                problems.append(f"{section} must be an object")
                continue
            extra = set(value) - keys
            if extra:
                problems.append(f"unknown {section} field(s) {sorted(extra)}; allowed: {sorted(keys)}")
            for key, count in value.items():
                if key in ("split", "names", "subjects") or (section == "wmdp" and key == "examples" and count is None):
                    continue
                if not isinstance(count, int) or count < 0:
                    problems.append(f"{section}.{key} must be a non-negative integer (got {count!r})")
        if self.tofu.get("split", "forget01") not in ("forget01", "forget05", "forget10"):
            problems.append(f"tofu.split must be forget01, forget05 or forget10 (got {self.tofu.get('split')!r})")
        if problems:
            raise InvalidSuiteError(f"invalid suite {self.name!r}: " + "; ".join(problems))

    @property
    def top_j(self) -> int:
        return self.j if self.j is not None else min(3, self.k)

    def count(self, section: str, key: str) -> int:
        return int(getattr(self, section).get(key, 0) or 0)

    def with_overrides(self, **changes: Any) -> SuiteConfig:
        """A copy with some fields changed (validated again)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def suite_names() -> list[str]:
    """The committed suites (``smoke``, ``full``…)."""
    # adversarial.json is the hidden-name suite of `alu bench adversarial`, not an eval suite
    return sorted(p.stem for p in SUITES_DIR.glob("*.json") if p.stem != "adversarial")


def load_suite(suite: str | Path | Mapping[str, Any] | SuiteConfig) -> SuiteConfig:
    """A suite by committed name, by path to a JSON file, or from a mapping."""
    if isinstance(suite, SuiteConfig):
        return suite
    if isinstance(suite, Mapping):
        data = dict(suite)
    else:
        path = Path(suite)
        if not path.suffix and str(suite) in suite_names():
            path = SUITES_DIR / f"{suite}.json"
        if not path.is_file():
            raise InvalidSuiteError(
                f"no suite {str(suite)!r}: use one of {', '.join(suite_names())} or a path to a JSON file"
            )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise InvalidSuiteError(f"{path}: not valid JSON ({exc})") from None
        data.setdefault("name", path.stem)
    known = {f.name for f in fields(SuiteConfig)}
    unknown = set(data) - known
    if unknown:
        raise InvalidSuiteError(f"unknown suite field(s) {sorted(unknown)}; allowed: {sorted(known)}")
    if "name" not in data:
        raise InvalidSuiteError("a suite needs a 'name'")
    defaults = SuiteConfig(name=data["name"])
    for section in ("rwku", "tofu", "attacks"):  # a section given in part keeps the other defaults
        if isinstance(data.get(section), dict):
            data[section] = {**getattr(defaults, section), **data[section]}
    return SuiteConfig(**data)


def _templates_fingerprint() -> str:
    blob = json.dumps(
        {name: getattr(templates, name) for name in templates.__all__}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def _topic_templates_fingerprint() -> str:
    blob = json.dumps({"mc": MC_QUERY, "wpu": templates.WPU_TEMPLATES}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


_PROBE_COUNTS = {
    "rwku": ("level1", "level2", "level3", "neighbor"),
    "tofu": ("forget", "paraphrased", "retain", "real_authors", "world_facts"),
    "attacks": ("masking", "crosslingual", "manyshot", "injection"),
    "wmdp": ("bio", "chem", "mmlu"),
    "wpu": ("initials", "typo", "spelled", "standin", "manyshot", "utility"),
}


def config_hash(config: SuiteConfig, model: str) -> str:
    """Short hash of everything that changes what a record means.

    Not in it: the systems list, the concurrency, the output folder, the timeout, and the
    probe counts — a probe's id determines its content (sampling takes a prefix of one
    seeded order per category), so raising a count only adds probes and a re-run reuses
    every record it has. The number of RWKU targets *is* in it: it changes the target
    list every system works with.
    """
    settings = config.to_dict()
    for key in ("name", "description", "systems", "model_timeout"):
        settings.pop(key, None)
    for section, keys in _PROBE_COUNTS.items():
        settings[section] = {k: v for k, v in settings[section].items() if k not in keys}
    templates_id = _templates_fingerprint()
    # the fields of issue 15, absent from the hash when unused (older runs keep their hash)
    for key in ("wmdp", "wpu", "semantic"):
        if getattr(config, key) in (None, {}):
            settings.pop(key, None)
    if config.wmdp or config.wpu:
        templates_id += "/" + _topic_templates_fingerprint()
    blob = json.dumps(
        {"suite": settings, "model": model, "templates": templates_id, "harness": HARNESS_VERSION},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:12]
