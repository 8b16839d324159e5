"""The written public API, as a snapshot: what ``alu`` exports, the documented module
paths (old flat modules kept as shims), the store item and change-record formats, the
CLI's commands and ``langgraph.json``. A change here is a change for users: make it on
purpose, and say so in the README."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

from langgraph.store.memory import InMemoryStore

import alu

REPO = Path(__file__).resolve().parents[2]

PUBLIC = {
    "alu": [
        "Context", "InvalidContextError", "InvalidInputError", "InvalidTargetError", "Target",
        "TargetRegistry", "UnlearningMiddleware", "build_graph", "create_alu_graph", "graph",
    ],
    "alu.middleware": ["AgentAudit", "UnlearningMiddleware", "UnlearningState"],
    "alu.targets": [
        "CHANGE_RETENTION_S", "DEFAULT_TENANT", "InvalidTargetError", "MAX_ALIASES", "MAX_CHANGE_IDS",
        "MAX_NAME_CHARS", "TARGET_KINDS", "Target", "TargetKind", "TargetRegistry", "VERSION_KEY", "_prune_ops",
        "_version_ops", "bump_version", "changes_namespace", "load_targets", "meta_namespace", "namespace",
        "read_target_file", "target_id_for", "OrdinaryWordError", "ordinary_word_reason",
    ],
    "alu.shortlist": ["Shortlist", "_CACHE", "cache_stats", "clear_memos", "shortlist"],
    "alu.matching": [
        "ALIGNED_SIMILARITY", "DIRECT_KINDS", "MAX_POSTING", "Match", "MatchKind", "PROFILE_BUDGET",
        "PROFILE_MAX_DF", "STOPWORDS", "TargetIndex", "forget_folded_texts", "name_like_words", "normalize",
        "rank", "strict_mentions", "tokens",
    ],
    "alu.obfuscation": [
        "LEET", "NATO", "NameRun", "_homoglyph_table", "base64_texts", "fold_homoglyphs", "fold_leet",
        "name_runs", "nato_runs", "needs_transliteration", "readings", "romanized_syllables", "rot13",
        "sound_skeleton", "transliterate",
    ],
}  # fmt: skip


def test_exported_names_are_the_snapshot():
    for module, names in PUBLIC.items():
        exported = importlib.import_module(module).__all__
        assert sorted(exported) == sorted(names), module
        assert all(hasattr(importlib.import_module(module), n) for n in names), module


def test_shims_are_the_new_homes_objects():
    from alu import detection, domain, matching, obfuscation, registry, shortlist, targets, text

    assert matching.TargetIndex is detection.TargetIndex and matching.normalize is text.normalize
    assert targets.Target is domain.Target is alu.Target and targets.TargetRegistry is registry.TargetRegistry
    assert targets.bump_version is registry.bump_version and shortlist.shortlist is registry.shortlist
    assert obfuscation.readings is text.readings


def test_store_item_version_and_change_record_formats():
    store = InMemoryStore()
    target = alu.TargetRegistry(store, tenant="acme").add("Jane Austen", aliases=["J. Austen"])
    item = store.get(("alu", "acme", "targets"), target.id)
    assert item.key == "jane-austen"
    assert sorted(item.value) == [
        "aliases", "created_at", "description", "id", "id_format", "keywords", "kind", "name", "schema"
    ]  # fmt: skip
    assert item.value["id_format"] == 2 and item.value["schema"] == alu.registry.SCHEMA_VERSION == 3
    (part,) = store.search(("alu", "acme", "parts", "jane-austen"))  # what this write added
    assert part.value["aliases"] == ["Jane Austen", "J. Austen"] and part.value["keywords"] == []
    version = store.get(("alu", "acme", "meta"), "version").value
    assert sorted(version) == ["change", "schema", "token", "ts"]
    (record,) = store.search(("alu", "acme", "changes"))
    assert record.key == version["change"] and sorted(record.value) == ["ids", "schema", "token", "ts"]
    assert record.value["ids"] == ["jane-austen"]
    (entry,) = store.search(("alu", "acme", "ledger"))  # the forget-request ledger
    assert entry.key == f"{version['change']}-000000" and entry.value["registry_version"] == version["change"]
    assert sorted(entry.value) == [
        "action", "actor", "added", "aliases", "at", "name", "registry_version", "schema", "target_id", "ts", "via"
    ]  # fmt: skip


def test_cli_commands_and_langgraph_json():
    import argparse

    from alu.bench import add_bench_parser
    from alu.evaluation.cli import add_eval_parser

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    add_bench_parser(sub)
    add_eval_parser(sub)
    assert {"bench", "eval"} <= set(sub.choices)
    bench_sub = next(a for a in sub.choices["bench"]._actions if isinstance(a, argparse._SubParsersAction))
    assert sorted(bench_sub.choices) == ["adversarial", "goals", "readings", "recall", "targets", "topics"]
    config = json.loads((REPO / "langgraph.json").read_text())
    assert config["graphs"] == {"alu": "alu.graph:graph"}
    # a deployed server honours topics by default (the semantic stage's auto setting): its
    # image gets the `semantic` extra (langgraph.json cannot name a local package's extras)
    import tomllib

    semantic = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]["semantic"]
    for name in ("langgraph.json", "langgraph.auth.json"):
        deps = json.loads((REPO / name).read_text())["dependencies"]
        assert deps == [".", *semantic], name
    assert "console_scripts" not in config and 'alu = "alu.cli:main"' in (REPO / "pyproject.toml").read_text()
