"""``alu bench recall``: shortlist recall on RWKU's forget probes, false shortlists on
its neighbour probes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from langgraph.store.memory import InMemoryStore

from alu.domain import target_id_for
from alu.evaluation.rwku import RWKU_FORGET_LEVELS, RWKU_NEIGHBOR_LEVELS, load_rwku
from alu.registry import TargetRegistry, shortlist
from alu.text import normalize

__all__ = ["bench_recall", "format_recall"]


def _rate(hits: int, total: int) -> float:
    return round(hits / total, 4) if total else 0.0


def bench_recall(
    data_dir: str | Path = "../shared/data",
    *,
    shortlist_size: int = 8,
    limit: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Shortlist recall on RWKU's forget probes and false shortlists on its neighbour probes.

    Every RWKU target is registered (name; description from its intro), once without and
    once with enrichment keywords (``forget_words.json`` where present, standing in for
    :mod:`alu.nodes.enrich`). Each probe is shortlisted from its query + gold answer (the
    answer stands in for the draft). A forget probe is *recalled* when its own target is
    flagged directly or shortlisted as a candidate for the judge. A neighbour probe asks
    about something else (a work, a relative...): its RWKU target being flagged there is
    a false flag (``false_direct``), being shortlisted a false candidate (the judge is
    called and must say no). ``limit`` probes only the first N targets (all are still
    registered). Raises :class:`DataMissing` when there is no RWKU data.
    """
    say = progress or (lambda _message: None)
    targets = load_rwku(data_dir)
    probed = targets[:limit] if limit else targets
    report: dict = {
        "targets": len(targets),
        "targets_probed": len(probed),
        "targets_with_forget_words": sum(1 for t in targets if t["forget_words"]),
        "shortlist_size": shortlist_size,
    }
    for config in ("without_enrichment", "with_enrichment"):
        store = InMemoryStore()
        tenant = "rwku"
        TargetRegistry(store, tenant=tenant).add_many(
            [
                {
                    "name": t["name"],
                    "kind": "person",
                    "description": t["description"],
                    "keywords": (t["forget_words"] or []) if config == "with_enrichment" else [],
                }
                for t in targets
            ]
        )
        say(f"{config}: probing {len(probed)} targets")
        forget: dict[str, dict] = {}
        enriched_only = {"probes": 0, "recalled": 0}
        for level in RWKU_FORGET_LEVELS:
            n = direct = recalled = indirect = indirect_recalled = 0
            for t in probed:
                own = target_id_for(t["name"])
                for probe in t["forget"][level]:
                    if not isinstance(probe, dict) or not probe.get("query"):
                        continue
                    found = shortlist(
                        f"{probe['query']}\n{probe.get('answer', '')}",
                        store=store, tenant=tenant, size=shortlist_size,
                    )  # fmt: skip
                    is_direct = any(m.target_id == own for m in found.direct)
                    is_candidate = any(m.target_id == own for m in found.candidates)
                    n += 1
                    direct += is_direct
                    recalled += is_direct or is_candidate
                    if not is_direct:
                        indirect += 1
                        indirect_recalled += is_candidate
                    if t["forget_words"]:
                        enriched_only["probes"] += 1
                        enriched_only["recalled"] += is_direct or is_candidate
            forget[f"level{level}"] = {
                "probes": n,
                "direct": _rate(direct, n),
                "recall": _rate(recalled, n),
                "not_named_probes": indirect,
                "not_named_candidate": _rate(indirect_recalled, indirect),
            }
        total = sum(v["probes"] for v in forget.values())
        forget["all"] = {
            "probes": total,
            "direct": _rate(sum(round(v["direct"] * v["probes"]) for v in forget.values()), total),
            "recall": _rate(sum(round(v["recall"] * v["probes"]) for v in forget.values()), total),
        }
        neighbor: dict[str, dict] = {}
        for level in RWKU_NEIGHBOR_LEVELS:
            n = false_direct = false_candidate = names_subject = 0
            for t in probed:
                own, folded_name = target_id_for(t["name"]), normalize(t["name"])
                for probe in t["neighbor"][level]:
                    if not isinstance(probe, dict) or not probe.get("query"):
                        continue
                    text = f"{probe['query']}\n{probe.get('answer', '')}"
                    found = shortlist(text, store=store, tenant=tenant, size=shortlist_size)
                    n += 1
                    false_direct += any(m.target_id == own for m in found.direct)
                    false_candidate += any(m.target_id == own for m in found.candidates)
                    names_subject += f" {folded_name} " in f" {normalize(text)} "
            neighbor[f"level{level}"] = {
                "probes": n,
                "false_direct": _rate(false_direct, n),
                "false_candidate": _rate(false_candidate, n),
                "name_the_subject": names_subject,
            }
        n = sum(v["probes"] for v in neighbor.values())
        neighbor["all"] = {
            "probes": n,
            "false_direct": _rate(sum(round(v["false_direct"] * v["probes"]) for v in neighbor.values()), n),
            "false_candidate": _rate(sum(round(v["false_candidate"] * v["probes"]) for v in neighbor.values()), n),
            "name_the_subject": sum(v["name_the_subject"] for v in neighbor.values()),
        }
        report[config] = {
            "forget": forget,
            "neighbor": neighbor,
            "forget_recall_on_targets_with_words": _rate(enriched_only["recalled"], enriched_only["probes"]),
            "forget_probes_on_targets_with_words": enriched_only["probes"],
        }
    return report


def format_recall(report: dict) -> str:
    """The recall report as two small tables."""
    lines = [
        f"RWKU: {report['targets']} targets registered, {report['targets_probed']} probed;"
        f" {report['targets_with_forget_words']} have forget_words.json (the enrichment stand-in);"
        f" shortlist size {report['shortlist_size']}.",
        "",
        f"{'forget probes':<22} {'probes':>7} {'direct':>8} {'recall':>8} {'recall+kw':>10} {'not named':>10} {'cand|nn':>8} {'cand|nn+kw':>11}",
    ]
    plain, rich = report["without_enrichment"], report["with_enrichment"]
    for key in ("level1", "level2", "level3", "all"):
        a, b = plain["forget"][key], rich["forget"][key]
        extra = (
            f" {a['not_named_probes']:>10} {a['not_named_candidate']:>8.3f} {b['not_named_candidate']:>11.3f}"
            if "not_named_probes" in a
            else ""
        )
        lines.append(f"{key:<22} {a['probes']:>7} {a['direct']:>8.3f} {a['recall']:>8.3f} {b['recall']:>10.3f}{extra}")
    lines.append(
        f"{'targets with words':<22} {plain['forget_probes_on_targets_with_words']:>7} {'':>8}"
        f" {plain['forget_recall_on_targets_with_words']:>8.3f} {rich['forget_recall_on_targets_with_words']:>10.3f}"
    )
    lines += [
        "",
        f"{'neighbour probes':<22} {'probes':>7} {'false dir':>10} {'false cand':>11} {'+kw dir':>8} {'+kw cand':>9} {'name subject':>13}",
    ]
    for key in ("level1", "level2", "all"):
        a, b = plain["neighbor"][key], rich["neighbor"][key]
        lines.append(
            f"{key:<22} {a['probes']:>7} {a['false_direct']:>10.3f} {a['false_candidate']:>11.3f}"
            f" {b['false_direct']:>8.3f} {b['false_candidate']:>9.3f} {a['name_the_subject']:>13}"
        )
    lines.append(
        "\nrecall = own target flagged directly or shortlisted for the judge (query + gold answer);"
        " +kw = with forget_words.json as keywords; not named / cand|nn = probes whose text does"
        " not name the target, and the share of them shortlisted as a candidate; false dir/cand ="
        " a neighbour probe's own RWKU target flagged / shortlisted; name subject = neighbour"
        " probes whose text names that target outright."
    )
    return "\n".join(lines)
