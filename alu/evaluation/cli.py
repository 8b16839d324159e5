"""``alu eval``: the evaluation harness from the command line.

Registered by :func:`add_eval_parser` on the ``alu`` command's subparsers. The summary
table goes to stdout; progress (starting the local model, the progress bar) to stderr.
Exit codes: 0 done, 2 bad input (suite, data folder, systems), 1 anything else.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from alu.evaluation.benchmark import build_benchmark
from alu.evaluation.config import SYSTEMS, InvalidSuiteError, load_suite, suite_names
from alu.evaluation.data import DataError, default_data_dir
from alu.evaluation.runner import run_evaluation
from alu.graph.context import Context
from alu.local_model import LOCAL_MODEL_NAME, LocalModelError, LocalModelServer

__all__ = ["add_eval_parser", "cmd_eval"]


def _say(message: str) -> None:
    print(f"[alu eval] {message}", file=sys.stderr, flush=True)


class _LocalModel:
    """As ``alu ask`` does: ``--model``/``ALU_MODEL`` if given, else an API key's default,
    else the bundled local model — started only when some query has to run (a re-run
    that only rewrites the reports needs no model), its environment then exported."""

    def __init__(self, model: str | None) -> None:
        if model:
            os.environ["ALU_MODEL"] = model
        self.needed = not (os.environ.get("ALU_MODEL") or os.environ.get("OPENAI_API_KEY"))
        self.spec = f"openai:{LOCAL_MODEL_NAME}" if self.needed else Context().model
        self.server: Any = None

    def start(self) -> None:
        if not self.needed or self.server is not None:
            return
        self.server = LocalModelServer()
        self.server.start(progress=_say)
        os.environ.update(self.server.environment())

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


def _systems(value: str) -> list[str]:
    names = [s.strip() for s in value.split(",") if s.strip()]
    unknown = [s for s in names if s not in SYSTEMS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"systems are {', '.join(SYSTEMS)} (comma-separated); got {value!r}")
    return names


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return number


def cmd_eval(args: argparse.Namespace) -> int:
    data = Path(args.data) if args.data else default_data_dir()
    try:
        config = load_suite(args.suite)
        if args.seed is not None:
            config = config.with_overrides(seed=args.seed)
        build_benchmark(data, config)  # bad data fails here, before a model starts
    except (InvalidSuiteError, DataError) as exc:
        print(f"alu: error: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else Path("results") / f"eval-{config.name}"
    local = _LocalModel(args.model)
    try:
        summary = run_evaluation(
            data,
            config,
            out,
            systems=args.systems,
            concurrency=args.concurrency,
            model_spec=local.spec,
            progress=not args.quiet,
            retry_errors=args.retry_errors,
            before_run=local.start,
        )
    except (InvalidSuiteError, DataError) as exc:
        print(f"alu: error: {exc}", file=sys.stderr)
        return 2
    except LocalModelError as exc:
        print(f"alu: error: no model configured and the bundled local model cannot start: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        _say(f"interrupted; re-run the same command to resume (records so far in {out / 'records.jsonl'})")
        return 130
    finally:
        local.stop()
    print(summary.markdown())
    _say(
        f"{summary.new_records} new record(s), {summary.records} in all; {summary.wall_time_s:.0f} s;"
        f" results in {summary.out_dir}: " + ", ".join(p.name for p in summary.files)
    )
    return 0


def add_eval_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``alu eval`` on the ``alu`` command's subparsers."""
    parser = subparsers.add_parser(
        "eval",
        help="measure leak, utility and cost of ALU against baselines on RWKU and TOFU",
        description=(
            "Run the systems (vanilla, prompt, filter, alu-linear, alu) on the same probes built from "
            "RWKU and TOFU (plus masking, cross-lingual, many-shot and injection attacks) and write "
            "records.jsonl, summary.json, summary.md and PNG charts. A re-run into the same --out "
            "resumes: records already there (same configuration) are skipped."
        ),
    )
    parser.add_argument(
        "--data", metavar="DIR", default=None,
        help="benchmark data folder with rwku/ and tofu/ (default: $ALU_DATA or ../shared/data)",
    )  # fmt: skip
    parser.add_argument(
        "--suite", default="smoke", metavar="NAME|FILE",
        help=f"committed suite ({', '.join(suite_names())}) or a suite JSON file (default: smoke)",
    )  # fmt: skip
    parser.add_argument("--out", metavar="DIR", default=None, help="results folder (default: results/eval-<suite>)")
    parser.add_argument(
        "--systems", type=_systems, default=None, metavar="LIST",
        help=f"comma-separated subset of {','.join(SYSTEMS)} (default: the suite's)",
    )  # fmt: skip
    parser.add_argument("--concurrency", type=_positive, default=2, metavar="N", help="queries in flight (default 2)")
    parser.add_argument("--model", default=None, help="provider:model for every system (same as ALU_MODEL)")
    parser.add_argument("--seed", type=int, default=None, help="sampling seed (default: the suite's)")
    parser.add_argument("--retry-errors", action="store_true", help="re-run the records whose system raised")
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    parser.set_defaults(func=cmd_eval)
    return parser
