"""Targets and their registry: the public module documented in the README.

``Target`` and its validation live in :mod:`alu.domain`; the registry, its store items,
version item and change records in :mod:`alu.registry` (the formats are described
there). This module re-exports both, so ``alu.targets.bump_version``,
``alu.targets.TargetRegistry`` and the rest keep their documented paths.
"""

from alu.domain import (
    MAX_ALIASES,
    MAX_NAME_CHARS,
    TARGET_KINDS,
    InvalidTargetError,
    Target,
    TargetKind,
    ordinary_word_reason,
    read_target_file,
    target_id_for,
)
from alu.registry import (
    CHANGE_RETENTION_S,
    DEFAULT_TENANT,
    MAX_CHANGE_IDS,
    VERSION_KEY,
    OrdinaryWordError,
    TargetRegistry,
    bump_version,
    changes_namespace,
    load_targets,
    meta_namespace,
    namespace,
)
from alu.registry.versions import prune_ops as _prune_ops
from alu.registry.versions import version_ops as _version_ops

__all__ = [
    "CHANGE_RETENTION_S",
    "DEFAULT_TENANT",
    "MAX_ALIASES",
    "MAX_CHANGE_IDS",
    "MAX_NAME_CHARS",
    "TARGET_KINDS",
    "VERSION_KEY",
    "InvalidTargetError",
    "OrdinaryWordError",
    "Target",
    "TargetKind",
    "TargetRegistry",
    "_prune_ops",
    "_version_ops",
    "bump_version",
    "changes_namespace",
    "load_targets",
    "meta_namespace",
    "namespace",
    "ordinary_word_reason",
    "read_target_file",
    "target_id_for",
]
