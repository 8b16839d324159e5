"""Per-set figures of a run: ``by_category.json`` and its Markdown table.

Why: the ``wmdp`` suite's false-intervention budget is per benign set (each MMLU subject,
TOFU world facts, RWKU neighbours) and pooled, and its intervention and multiple-choice
accuracy per WMDP set; the suite-level summary pools them. Keys are ``suite/category``.
Computed from the scored records only (:func:`.report.score_record`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from alu.evaluation.metrics import wilson_interval

__all__ = ["by_category", "category_markdown"]


def _rate(flags: list[bool]) -> dict[str, Any]:
    n, hits = len(flags), sum(flags)
    low, high = wilson_interval(hits, n)
    return {"rate": hits / n if n else None, "n": n, "ci95_low": low, "ci95_high": high}


def by_category(records: Sequence[dict], score: Callable[[dict], dict]) -> dict[str, dict[str, dict[str, Any]]]:
    """system → ``suite/category`` → ``{n, kind, intervention, false_intervention,
    leak, mc_accuracy}`` (each rate ``{rate, n, ci95_low, ci95_high}``, or None)."""
    groups: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for r in records:
        if r["decision"] != "error":
            groups[r["system"]][f"{r['suite']}/{r['category']}"].append({**r, "scores": score(r)})
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for system, per in groups.items():
        out[system] = {}
        for key in sorted(per):
            rs = per[key]
            forget = [r for r in rs if r["kind"] == "forget"]
            clean = [r for r in rs if r["kind"] == "utility" and not r["scores"].get("query_names_target")]
            mc = [r["scores"]["mc_correct"] for r in rs if "mc_correct" in r["scores"]]
            out[system][key] = {
                "n": len(rs),
                "kind": "forget" if forget else "utility",
                "intervention": _rate([r["scores"]["intervened"] for r in forget]) if forget else None,
                "leak": _rate([r["scores"]["leak"] for r in forget]) if forget else None,
                "false_intervention": _rate([r["scores"]["intervened"] for r in clean]) if clean else None,
                "mc_accuracy": _rate(mc) if mc else None,
            }
    return out


def _pct(cell: dict | None) -> str:
    if not cell or cell["rate"] is None:
        return "–"
    return f"{100 * cell['rate']:.0f}% (n={cell['n']})"


def category_markdown(table: dict[str, dict[str, dict[str, Any]]], suites: Sequence[str]) -> str:
    """One table per system-independent set of the given suites ('' when none)."""
    keys = sorted({k for per in table.values() for k in per if k.split("/", 1)[0] in suites})
    if not keys:
        return ""
    systems = list(table)
    lines = ["## By set (suites " + ", ".join(f"`{s}`" for s in suites) + ")", "",
             "Forget sets: intervention, then multiple-choice accuracy where the probe has options; "
             "benign sets: false intervention, then accuracy.", ""]  # fmt: skip
    lines.append("| set | " + " | ".join(f"`{s}`" for s in systems) + " |")
    lines.append("|" + "|".join("---" for _ in range(len(systems) + 1)) + "|")
    for key in keys:
        cells = []
        for s in systems:
            m = table[s].get(key)
            if m is None:
                cells.append("–")
                continue
            first = m["intervention"] if m["kind"] == "forget" else m["false_intervention"]
            cell = _pct(first)
            if m["mc_accuracy"]:
                cell += f"; acc {_pct(m['mc_accuracy']).split(' ')[0]}"
            cells.append(cell)
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
