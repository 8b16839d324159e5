"""The ``alu`` command: ask through the ALU graph, and manage the persistent targets.

Built on ``argparse`` (standard library: nothing to install, stable, subcommands and
repeatable options are all this needs). The answer alone goes to stdout; progress
(starting the local model, each stage as it finishes) goes to stderr.

Exit codes: 0 answered (passthrough, rewritten or refused on the thresholds), 2 bad
input or usage, 3 refused because a stage failed (the JSON names the stage), 1 other.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alu.domain import TARGET_KINDS, InvalidTargetError, Target, read_target_file
from alu.graph.context import Context, InvalidContextError
from alu.graph.inputs import InvalidInputError
from alu.registry import TargetRegistry, backends
from alu.registry.backends import is_postgres_url

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_REFUSED_ON_ERROR = 0, 1, 2, 3


class CliError(Exception):
    """An error to print as one line on stderr, with an exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def _say(message: str) -> None:
    print(f"[alu] {message}", file=sys.stderr, flush=True)


def default_store_path() -> Path:
    """``$ALU_STORE`` (a path), else ``targets.sqlite`` in the user's data directory."""
    if os.environ.get("ALU_STORE") and not is_postgres_url(os.environ["ALU_STORE"]):
        return Path(os.environ["ALU_STORE"]).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("alu", appauthor=False)) / "targets.sqlite"


@contextmanager
def open_store(spec: str | Path | None) -> Iterator[Any]:
    """The target store: ``--store``, else ``$ALU_STORE``, else the SQLite file in the
    user's data directory. A ``postgresql://`` URL opens PostgreSQL (PostgresStore,
    migrated once; credentials from the URL or PGUSER / PGPASSWORD / ~/.pgpass); anything
    else is a SQLite file path (see :mod:`alu.registry.backends`)."""
    spec = spec or os.environ.get("ALU_STORE") or default_store_path()
    try:
        with backends.open_store(spec) as store:
            yield store
    except backends.StoreConnectionError as exc:
        raise CliError(str(exc), EXIT_ERROR) from None


# -- targets -------------------------------------------------------------------------


def _print_targets(targets: Sequence[Target], as_json: bool) -> None:
    if as_json:
        print(json.dumps([t.to_value() for t in targets], ensure_ascii=False, indent=2))
        return
    if not targets:
        _say("no targets registered")
    for t in targets:
        extra = f"  (aliases: {', '.join(t.aliases)})" if t.aliases else ""
        print(f"{t.id}\t{t.name}{extra}")


def _read_examples(path: str | None) -> list[str]:
    """Example texts for the semantic stage: one per line of ``path`` (blank lines skipped)."""
    if not path:
        return []
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read the examples file {path}: {exc}; nothing was stored", EXIT_USAGE) from None
    return [line.strip() for line in text.splitlines() if line.strip()]


def _actor(args: argparse.Namespace) -> str:
    """Who the ledger says asked: ``--actor``, else ``$ALU_ACTOR``, else the OS user."""
    from alu.registry.ledger import default_actor

    return getattr(args, "actor", None) or os.environ.get("ALU_ACTOR") or default_actor()


def _print_history(rows: Sequence[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        _say("no ledger entries")
    for r in rows:
        added = (r.get("added") or {}).get("aliases") or []
        what = r.get("name") or "(redacted)"
        extra = f" +{', '.join(added)}" if added and r.get("action") != "add" else ""
        print(
            f"{r.get('at', '')}\t{r.get('action')}\t{r.get('target_id') or '(redacted)'}\t{what}{extra}"
            f"\tby {r.get('actor')} ({r.get('via')})\tversion {r.get('registry_version')}"
        )


def cmd_targets(args: argparse.Namespace) -> int:
    with open_store(args.store) as store:
        registry = TargetRegistry(store, tenant=args.tenant, actor=_actor(args), via="cli")
        if args.targets_command == "add":
            from alu.nodes.enrich import EnrichmentError

            server = _configure_model(argparse.Namespace(model=None)) if args.enrich else None
            try:
                target = registry.add(
                    args.name,
                    aliases=args.alias or (),
                    kind=args.kind,
                    description=args.description or "",
                    keywords=args.keyword or (),
                    examples=_read_examples(args.examples),
                    enrich=args.enrich,
                    allow_ordinary_word=args.allow_ordinary_word,
                )
            except EnrichmentError as exc:
                raise CliError(f"{exc}; nothing was stored (retry, or add without --enrich)", EXIT_ERROR) from None
            finally:
                if server is not None:
                    server.stop()
            _say(f"added {target.name} (id {target.id})")
            _print_targets([target], args.json)
        elif args.targets_command == "list":
            _print_targets(sorted(registry.list(), key=lambda t: t.name.casefold()), args.json)
        elif args.targets_command == "remove":
            removed = registry.remove(args.name_or_id)
            if removed is None:
                raise CliError(f"no target named or with id {args.name_or_id!r} (see `alu targets list`)")
            _say(f"removed {removed.name} (id {removed.id})")
        elif args.targets_command == "check-ids":
            rows = registry.check_ids()
            if args.json:
                print(json.dumps(rows, ensure_ascii=False, indent=2))
            for row in [] if args.json else rows:
                print(
                    f"{row['id']}\tkept by {row['kept_by']!r}\tcontested by {row['contested_by']!r} (its id now: {row['id_now']})"
                )
            _say(
                f"{len(rows)} contested id(s)"
                + (
                    "; the target's own name keeps its id. If a contesting name is another target: "
                    "`alu targets remove ID`, then add both names again"
                    if rows
                    else ""
                )
            )
            return EXIT_OK if not rows else 4
        elif args.targets_command == "import":
            targets = registry.add_many(read_target_file(args.file), allow_ordinary_word=args.allow_ordinary_word)
            _say(f"imported {len(targets)} target(s) from {args.file}")
        elif args.targets_command == "history":
            from alu.registry.ledger import read_ledger

            _print_history(read_ledger(store, args.tenant, args.target), args.json)
        elif args.targets_command == "export":
            from alu.registry.ledger import export_jsonl

            if args.out in (None, "-"):
                count = export_jsonl(store, args.tenant, sys.stdout, args.target)
            else:
                try:
                    with open(args.out, "w", encoding="utf-8") as out:
                        count = export_jsonl(store, args.tenant, out, args.target)
                except OSError as exc:
                    raise CliError(f"cannot write the export {args.out}: {exc}", EXIT_ERROR) from None
            _say(f"exported {count} ledger entr{'y' if count == 1 else 'ies'} of tenant {args.tenant}")
    return EXIT_OK


# -- doctor and migrate ------------------------------------------------------------


def _tenants(args: argparse.Namespace, store: Any) -> list[str]:
    from alu.registry.upgrade import tenants

    return tenants(store) if args.all_tenants else [args.tenant]


def _embedding_key(store: Any, tenant_names: Sequence[str]) -> str | None:
    """The default embedding model's key, when some tenant has cached vectors (loading
    the model costs a fraction of a second; without the semantic extra: None)."""
    if not any(store.list_namespaces(prefix=("alu", t, "vectors"), max_depth=4, limit=1) for t in tenant_names):
        return None
    try:
        from alu.semantic.embeddings import default_embeddings, model_key

        return model_key(default_embeddings())
    except Exception as exc:  # the semantic extra absent or its model unreadable
        _say(f"cannot load the default embedding model ({type(exc).__name__}): vectors not compared")
        return None


def cmd_doctor(args: argparse.Namespace) -> int:
    from alu.registry.upgrade import doctor

    with open_store(args.store) as store:
        names = _tenants(args, store)
        key = _embedding_key(store, names)
        reports = [doctor(store, t, model_key=key).to_dict() for t in names]
    if args.json:
        print(json.dumps(reports, ensure_ascii=False, indent=2))
    for r in [] if args.json else reports:
        print(f"tenant {r['tenant']}: {r['targets']} target(s), items by schema {r['schemas']}")
        if r["old_items"]:
            print(f"  {r['old_items']} item(s) of an older schema: run `alu migrate`")
        for row in r["colliding_ids"]:
            print(f"  colliding id {row['id']}: kept by {row['kept_by']!r}, contested by {row['contested_by']!r}")
        for row in r["ordinary_words"]:
            print(f"  target {row['id']}: its {row['which']} {row['reason']} (today's rules would refuse it)")
        for key_ in r["unreadable"]:
            print(f"  item {key_!r} is not a readable target (the auditor skips it)")
        for key_ in r["orphan_parts"]:
            print(f"  parts of {key_!r} have no target item")
        if r["without_ledger"]:
            print(f"  {len(r['without_ledger'])} target(s) with no ledger entry: `alu migrate` records a baseline")
        for model, count in r["stale_vectors"].items():
            print(f"  {count} vector(s) of another embedding model ({model}): `alu migrate --drop-stale-vectors`")
    problems = sum(r["problems"] for r in reports)
    _say(f"{problems} problem(s) in {len(reports)} tenant(s)")
    return EXIT_OK if not problems else 4


def cmd_migrate(args: argparse.Namespace) -> int:
    from alu.registry.upgrade import migrate

    with open_store(args.store) as store:
        names = _tenants(args, store)
        key = _embedding_key(store, names) if args.drop_stale_vectors else None
        reports = [
            migrate(
                store,
                t,
                dry_run=args.dry_run,
                actor=_actor(args),
                model_key=key,
                drop_stale_vectors=args.drop_stale_vectors,
            ).to_dict()
            for t in names
        ]
    if args.json:
        print(json.dumps(reports, ensure_ascii=False, indent=2))
    changed = sum(r["changed"] for r in reports)
    verb = "would change" if args.dry_run else "changed"
    _say(f"{verb} {changed} item(s) in {len(reports)} tenant(s)" + ("" if changed else ": nothing to do"))
    return EXIT_OK


# -- purge ---------------------------------------------------------------------------


@contextmanager
def _open_threads(spec: str | None, store_spec: str | None) -> Iterator[Any]:
    """The checkpointer to purge: ``--threads`` (a SQLite file that exists, or a
    ``postgresql://`` URL), else the store's PostgreSQL database, else none."""
    spec = spec or (store_spec if is_postgres_url(store_spec) else None)
    if not spec:
        yield None
        return
    if is_postgres_url(spec):
        try:
            with backends.open_postgres(spec) as (_store, saver):
                yield saver
        except backends.StoreConnectionError as exc:
            raise CliError(str(exc), EXIT_ERROR) from None
        return
    path = Path(spec).expanduser()
    if not path.is_file():
        raise CliError(f"no checkpoint database at {path} (--threads names an existing SQLite file or a URL)")
    from langgraph.checkpoint.sqlite import SqliteSaver

    with SqliteSaver.from_conn_string(str(path)) as saver:
        yield saver


def cmd_purge(args: argparse.Namespace) -> int:
    from alu.graph.purge import purge_target

    store_spec = args.store or os.environ.get("ALU_STORE")
    with open_store(args.store) as store, _open_threads(args.threads, store_spec) as saver:
        report = purge_target(
            args.target,
            store=store,
            checkpointer=saver,
            tenant=args.tenant,
            dry_run=args.dry_run,
            actor=_actor(args),
            via="cli",
            redact_ledger=args.redact_ledger,
            vacuum=args.vacuum,
            on_progress=_say,
        )
    summary = report.to_dict()
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        for key, value in summary.items():
            print(f"{key}\t{len(value) if isinstance(value, list) else value}")
    verb = "would touch" if args.dry_run else "touched"
    _say(
        f"{verb} {report.checkpoint_rows} checkpoint row(s) in {len(report.threads)} thread(s), "
        f"{report.change_records} change record(s), {report.vectors} vector(s)"
        + (
            f"; {report.sealed_unreadable} sealed value(s) could not be opened (other ALU_STATE_KEYS)"
            if report.sealed_unreadable
            else ""
        )
        + ("" if saver is not None else "; no checkpoints named (--threads)")
    )
    return EXIT_OK


# -- ask -----------------------------------------------------------------------------


def _configure_model(args: argparse.Namespace) -> Any:
    """Use ``--model``/``ALU_MODEL`` if given; else an API key's default; else start the
    bundled local model. Returns the local server (or None)."""
    if args.model:
        os.environ["ALU_MODEL"] = args.model
    if os.environ.get("ALU_MODEL") or os.environ.get("OPENAI_API_KEY"):
        return None
    from alu.local_model import LocalModelError, LocalModelServer

    server = LocalModelServer()
    try:
        server.start(progress=_say)
    except LocalModelError as exc:
        raise CliError(f"no model configured and the bundled local model cannot start: {exc}", EXIT_ERROR) from None
    os.environ.update(server.environment())
    return server


def _forget_list(args: argparse.Namespace) -> list[Target]:
    extra = [Target(name=name) for name in args.forget or ()]
    if args.forget_file:
        extra.extend(read_target_file(args.forget_file))
    return extra


def cmd_ask(args: argparse.Namespace) -> int:
    from alu.graph.builder import create_alu_graph

    extra = _forget_list(args)
    # the CLI is the operator's tool: its audit names what was flagged
    overrides: dict[str, Any] = {"audit_view": "operator"}
    if args.tenant:
        overrides["tenant"] = args.tenant
    if args.k is not None:
        overrides["k"] = args.k
    server = _configure_model(args)
    try:
        context = Context(**overrides)
        with open_store(args.store) as store:
            graph = create_alu_graph(store=store)
            started = time.perf_counter()
            output: dict[str, Any] = {}
            for mode, chunk in graph.stream(
                {"query": args.query, "targets": [t.to_value() for t in extra]},
                context=context,
                stream_mode=["updates", "values"],
            ):
                if mode == "updates":
                    for node in chunk:
                        if not node.startswith("__"):
                            _say(f"{node} done")
                elif isinstance(chunk, dict):
                    output = chunk
            latency = time.perf_counter() - started
    finally:
        if server is not None:
            server.stop()
    audit = output["audit"]
    if args.json:
        print(
            json.dumps(
                {
                    "answer": output["answer"],
                    "decision": audit["decision"],
                    "flagged": [f["name"] for f in audit["flagged"]],
                    "calls": audit["calls"],
                    "latency_s": round(latency, 3),
                    "error": audit["error"],
                    "audit": audit,
                },
                ensure_ascii=False,
            )
        )
    else:
        print(output["answer"])
        _say(f"decision: {audit['decision']}; model calls: {audit['calls']}; {latency:.1f} s")
    return EXIT_REFUSED_ON_ERROR if audit["error"] else EXIT_OK


# -- parser --------------------------------------------------------------------------


_OPT_IN_HELP = (
    "register names that cannot be told from ordinary words (a stopword, two letters or fewer, "
    "a number alone: they flag nearly every answer) anyway"
)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--store",
        help="target store: a SQLite file, or postgresql://USER@HOST:PORT/DB (default: $ALU_STORE, else a SQLite file in the user data dir)",
    )
    common.add_argument("--tenant", default=None, help="tenant whose targets apply (default: $ALU_TENANT or 'default')")

    parser = argparse.ArgumentParser(
        prog="alu", description="Inference-time LLM unlearning (ALU) through a LangGraph graph."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", parents=[common], help="answer a query with the registered targets forgotten")
    ask.add_argument("query")
    ask.add_argument("--forget", action="append", metavar="NAME", help="also forget NAME for this call (repeatable)")
    ask.add_argument("--forget-file", metavar="FILE", help="also forget the targets in FILE for this call")
    ask.add_argument(
        "--json", action="store_true", help="print one JSON object (answer, decision, flagged, calls, latency_s)"
    )
    ask.add_argument("--model", help="provider:model for every agent (same as ALU_MODEL)")
    ask.add_argument("-k", type=int, default=None, help="number of rewrites (default 5)")
    ask.set_defaults(func=cmd_ask)

    actor = argparse.ArgumentParser(add_help=False)
    actor.add_argument(
        "--actor", metavar="WHO", help="who asked, for the ledger (default: $ALU_ACTOR, else the OS user)"
    )
    targets = sub.add_parser("targets", help="manage the persistent targets")
    tsub = targets.add_subparsers(dest="targets_command", required=True)
    add = tsub.add_parser("add", parents=[common, actor], help="register a target")
    add.add_argument("name")
    add.add_argument("--alias", action="append", metavar="A", help="another name (repeatable)")
    add.add_argument("--keyword", action="append", metavar="KW", help="a cue for indirect references (repeatable)")
    add.add_argument("--description", metavar="D")
    add.add_argument("--kind", choices=TARGET_KINDS, default=None)
    add.add_argument(
        "--examples", metavar="FILE", help="texts about the target, one per line (the semantic stage learns from them)"
    )
    add.add_argument("--enrich", action="store_true", help="ask the model once for aliases and keywords to store too")
    add.add_argument("--allow-ordinary-word", action="store_true", help=_OPT_IN_HELP)
    add.add_argument("--json", action="store_true")

    lst = tsub.add_parser("list", parents=[common], help="list the targets")
    lst.add_argument("--json", action="store_true")
    rm = tsub.add_parser("remove", parents=[common, actor], help="remove a target by name, alias or id")
    rm.add_argument("name_or_id")
    chk = tsub.add_parser(
        "check-ids", parents=[common], help="report ids that 0.1.0 gave to two different names (exit 4 if any)"
    )
    chk.add_argument("--json", action="store_true")
    imp = tsub.add_parser(
        "import", parents=[common, actor], help="add targets from a JSON list or a text file (one per line)"
    )
    imp.add_argument("file")
    hist = tsub.add_parser(
        "history", parents=[common], help="the forget-request ledger: every add, alias change and removal"
    )
    hist.add_argument("target", nargs="?", help="only the entries about this id, name or alias")
    hist.add_argument("--json", action="store_true")
    exp = tsub.add_parser("export", parents=[common], help="the ledger as JSON lines, for an auditor")
    exp.add_argument("target", nargs="?", help="only the entries about this id, name or alias")
    exp.add_argument("--out", metavar="FILE", help="write to FILE (default: stdout)")
    imp.add_argument("--allow-ordinary-word", action="store_true", help=_OPT_IN_HELP)
    targets.set_defaults(func=cmd_targets)
    everyone = argparse.ArgumentParser(add_help=False)
    everyone.add_argument("--all-tenants", action="store_true", help="every tenant in the store (default: --tenant)")
    doc = sub.add_parser(
        "doctor",
        parents=[common, everyone],
        help="report problems in the store: old schemas, colliding ids, refused names, stale vectors (exit 4 if any)",
    )
    doc.add_argument("--json", action="store_true")
    doc.set_defaults(func=cmd_doctor)
    mig = sub.add_parser(
        "migrate",
        parents=[common, everyone, actor],
        help="bring the store to this release's schema (idempotent, resumable)",
    )
    mig.add_argument("--dry-run", action="store_true", help="count what would change; write nothing")
    mig.add_argument(
        "--drop-stale-vectors", action="store_true", help="delete vectors cached for another embedding model"
    )
    mig.add_argument("--json", action="store_true")
    mig.set_defaults(func=cmd_migrate)
    purge = sub.add_parser(
        "purge",
        parents=[common, actor],
        help="redact a target's text in stored threads, change records and vector caches",
    )
    purge.add_argument("target", help="a target's id, name or alias (or any name)")
    purge.add_argument("--dry-run", action="store_true", help="report what would be touched; change nothing")
    purge.add_argument(
        "--threads",
        metavar="DB",
        help="the checkpoints: a SQLite file or postgresql:// URL (default: the store's PostgreSQL, if it is one)",
    )
    purge.add_argument(
        "--redact-ledger", action="store_true", help="also replace the target's names in the ledger by their digests"
    )
    purge.add_argument("--vacuum", action="store_true", help="PostgreSQL: VACUUM the checkpoint tables afterwards")
    purge.add_argument("--json", action="store_true")
    purge.set_defaults(func=cmd_purge)
    from alu.bench import add_bench_parser
    from alu.evaluation.cli import add_eval_parser

    add_bench_parser(sub)
    add_eval_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "tenant", None) is None:
        args.tenant = os.environ.get("ALU_TENANT") or "default"
    try:
        return args.func(args)
    except CliError as exc:
        print(f"alu: error: {exc}", file=sys.stderr)
        return exc.code
    except (InvalidTargetError, InvalidContextError, InvalidInputError) as exc:
        print(f"alu: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
