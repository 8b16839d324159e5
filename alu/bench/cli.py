"""``alu bench``: the argument parser and the command."""

from __future__ import annotations

import argparse
import json
import sys

from alu.bench.goals import bench_goals, format_goals
from alu.bench.readings import DEFAULT_LENGTHS, bench_readings, format_readings
from alu.bench.recall import bench_recall, format_recall
from alu.bench.targets import DEFAULT_SIZES, bench_targets, format_targets_table
from alu.bench.topics import add_topics_parser
from alu.evaluation.adversarial import format_report, load_suite, measure
from alu.evaluation.rwku import DataMissing

__all__ = ["add_bench_parser", "cmd_bench"]


def _parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--sizes takes comma-separated integers, got {text!r}") from None
    if not sizes or any(s < 1 or s > 1_000_000 for s in sizes):
        raise argparse.ArgumentTypeError("--sizes must be integers from 1 to 1,000,000")
    return sizes


def _say(message: str) -> None:
    print(f"[alu bench] {message}", file=sys.stderr, flush=True)


def cmd_bench(args) -> int:
    if args.bench_command == "targets":
        rows = bench_targets(
            args.sizes, queries=args.queries, repeat=args.repeat, seed=args.seed, data_dir=args.data, progress=_say
        )
        print(json.dumps({"rows": rows}) if args.json else format_targets_table(rows))
        return 0
    if args.bench_command == "readings":
        report = bench_readings(args.lengths, targets=args.targets, repeat=args.repeat, progress=_say)
        print(json.dumps(report) if args.json else format_readings(report))
        return 0
    if args.bench_command == "goals":
        result = bench_goals(
            targets=args.targets,
            queries=args.queries,
            repeat=args.repeat,
            graph_cases=args.graph_cases,
            data_dir=args.data,
            progress=_say,
        )
        print(json.dumps(result, ensure_ascii=False) if args.json else format_goals(result))
        return 0
    if args.bench_command == "adversarial":
        report = measure(load_suite(args.suite), graph_cases=args.graph_cases, progress=_say)
        print(json.dumps(report, ensure_ascii=False) if args.json else format_report(report))
        return 0
    try:
        report = bench_recall(args.data, limit=args.limit, progress=_say)
    except DataMissing as exc:
        _say(f"skipped: {exc}")
        if args.json:
            print(json.dumps({"skipped": str(exc)}))
        return 0
    print(json.dumps(report) if args.json else format_recall(report))
    return 0


def add_bench_parser(subparsers) -> None:
    """Add ``alu bench targets``, ``recall`` and ``adversarial`` to the CLI's subcommands."""
    bench = subparsers.add_parser("bench", help="measure shortlist cost at scale, and recall on RWKU")
    bsub = bench.add_subparsers(dest="bench_command", required=True)
    targets = bsub.add_parser(
        "targets", help="shortlist latency, build time, memory and prompt tokens from 100 to 100,000 targets"
    )
    targets.add_argument(
        "--sizes", type=_parse_sizes, default=list(DEFAULT_SIZES), help="comma-separated registry sizes"
    )
    targets.add_argument("--queries", type=int, default=300, help="queries timed per size (default 300)")
    targets.add_argument(
        "--repeat", type=int, default=3, help="passes over the queries; each query's fastest counts (default 3)"
    )
    targets.add_argument("--seed", type=int, default=2025)
    targets.add_argument(
        "--data", default="../shared/data", help="benchmark data folder; its TOFU Q&A join the queries if present"
    )
    targets.add_argument("--json", action="store_true", help='print one JSON object {"rows": [...]}')
    recall = bsub.add_parser("recall", help="shortlist recall on RWKU forget probes, false shortlists on neighbours")
    recall.add_argument("--data", default="../shared/data", help="folder holding rwku/ (default ../shared/data)")
    recall.add_argument("--limit", type=int, default=None, help="probe only the first N targets")
    recall.add_argument("--json", action="store_true")
    adversarial = bsub.add_parser(
        "adversarial", help="block rate of names hidden in answers (homoglyphs, leetspeak, spelling, other scripts)"
    )
    adversarial.add_argument("--suite", default=None, help="a suite JSON file (default: the committed one)")
    adversarial.add_argument(
        "--graph-cases",
        type=int,
        default=None,
        help="run the graph (compromised agents) on the first N cases of each obfuscation only (default: all)",
    )
    adversarial.add_argument("--json", action="store_true")
    goals = bsub.add_parser(
        "goals", help="the three goals in one run: suite blocked, false direct flags and stage p95 at 100,000 targets"
    )
    goals.add_argument("--targets", type=int, default=100_000, help="synthetic targets (default 100,000)")
    goals.add_argument("--queries", type=int, default=300, help="queries timed (default 300)")
    goals.add_argument("--repeat", type=int, default=3, help="passes; each query's fastest counts (default 3)")
    goals.add_argument("--graph-cases", type=int, default=None, help="graph cases per obfuscation (default: all)")
    goals.add_argument("--data", default="../shared/data", help="benchmark data folder (TOFU Q&A join the queries)")
    goals.add_argument("--json", action="store_true")
    readings = bsub.add_parser(
        "readings", help="cost per 1,000 characters of each reading and of each script's worst text, 1k to 16k chars"
    )
    readings.add_argument(
        "--lengths", type=_parse_sizes, default=list(DEFAULT_LENGTHS), help="comma-separated text lengths"
    )
    readings.add_argument("--targets", type=int, default=1_000, help="synthetic targets in the index (default 1,000)")
    readings.add_argument("--repeat", type=int, default=3, help="runs per text; the fastest counts (default 3)")
    readings.add_argument("--json", action="store_true")
    add_topics_parser(bsub)  # `alu bench topics`: the semantic stage (needs the `semantic` extra)
    bench.set_defaults(func=cmd_bench, tenant="default")
