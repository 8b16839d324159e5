"""Benchmarks: shortlist cost from 100 to 100,000 targets, and shortlist recall on RWKU.

``alu bench targets`` builds registries of synthetic-but-realistic targets (people with
names drawn from Faker's per-locale name lists, works and organizations, each with a
description and keywords; seeded, so every run measures the same registry) through
:meth:`TargetRegistry.add_many` in an ``InMemoryStore``, then times the real
:func:`alu.registry.shortlist` call (version check included) on questions and drafts of
which most mention no target. It also counts the tokens of the auditor's judge prompt —
built from the shortlist exactly as ``alu.nodes.auditor`` builds it — against the paper's
linear approach, which pastes the whole target list into the prompt.

``alu bench recall`` registers the RWKU targets and measures how often each forget probe
(levels 1–3, query + gold answer) shortlists its own target, with and without enrichment
keywords, and how often a neighbour probe (about something else) shortlists it.

Lives here: :mod:`~alu.bench.synthetic` (targets), :mod:`~alu.bench.queries`,
:mod:`~alu.bench.costs` (tokens, memory), :mod:`~alu.bench.targets`,
:mod:`~alu.bench.recall`, :mod:`~alu.bench.cli`. ``alu bench adversarial`` runs
:mod:`alu.evaluation.adversarial`.

May import: every product layer (text to graph), :mod:`alu.evaluation`,
:mod:`alu.local_model`; optional: ``faker`` (the ``bench`` extra), ``tiktoken``,
``llama_cpp``, ``psutil`` where installed.
"""

from alu.bench.cli import add_bench_parser, cmd_bench
from alu.bench.costs import judge_messages, linear_messages, rss_mb, token_counter
from alu.bench.queries import BenchQuery, synthetic_queries, tofu_exchanges
from alu.bench.recall import bench_recall, format_recall
from alu.bench.synthetic import synthetic_targets
from alu.bench.targets import DEFAULT_SIZES, bench_targets, format_targets_table
from alu.evaluation.rwku import RWKU_FORGET_LEVELS, RWKU_NEIGHBOR_LEVELS, DataMissing, load_rwku

__all__ = [
    "DEFAULT_SIZES",
    "RWKU_FORGET_LEVELS",
    "RWKU_NEIGHBOR_LEVELS",
    "BenchQuery",
    "DataMissing",
    "add_bench_parser",
    "bench_recall",
    "bench_targets",
    "cmd_bench",
    "format_recall",
    "format_targets_table",
    "judge_messages",
    "linear_messages",
    "load_rwku",
    "rss_mb",
    "synthetic_queries",
    "synthetic_targets",
    "tofu_exchanges",
    "token_counter",
]
