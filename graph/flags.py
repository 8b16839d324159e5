"""Flags as state holds them (sealed, with a random per-run reference) and as the audit
record shows them (a caller's view: references only; the operator's: who and why).

Why: the list of flagged targets answers the question an attacker asks ("is Jane Austen
on the forget list?"), and state reaches callers (thread state, debug streams). Only the
nodes open a flag; the caller's audit record carries the reference and the source.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Sequence
from typing import Literal

from alu.domain import Target
from alu.graph.sealed import seal, unseal
from alu.graph.state import Flag, FlaggedTarget, FlagSource, FlagSummary

__all__ = ["AuditView", "make_flag", "open_flags", "summarize", "targets_of"]

AuditView = Literal["caller", "operator"]


def make_flag(target: Target, evidence: str, source: FlagSource) -> Flag:
    """A sealed flag with a fresh random reference (unlinkable across runs)."""
    opened = {"id": target.id, "name": target.name, "aliases": list(target.aliases), "evidence": evidence,
              "kind": target.kind}  # fmt: skip
    if target.kind == "topic" and target.description:
        opened["description"] = target.description[:600]
    return Flag(ref=secrets.token_hex(6), source=source, target=seal(json.dumps(opened)))


def open_flags(flags: Iterable[Flag]) -> list[FlaggedTarget]:
    """The flags opened (nodes only)."""
    opened: list[FlaggedTarget] = []
    for flag in flags:
        value = json.loads(unseal(flag["target"]))
        item = FlaggedTarget(
            ref=flag["ref"],
            source=flag["source"],
            id=value["id"],
            name=value["name"],
            aliases=list(value.get("aliases") or []),
            evidence=value.get("evidence", ""),
        )
        if value.get("kind"):
            item["kind"] = value["kind"]
        if value.get("description"):
            item["description"] = value["description"]
        opened.append(item)
    return opened


def targets_of(flags: Iterable[Flag]) -> list[Target]:
    """Targets rebuilt from the flags, for the deterministic checks."""
    return [Target(name=f["name"], aliases=tuple(f["aliases"]), id=f["id"]) for f in open_flags(flags)]


def summarize(flags: Sequence[Flag], view: AuditView) -> list[FlagSummary]:
    """The audit record's ``flagged``: references and sources; who, for the operator."""
    if view != "operator":
        return [FlagSummary(ref=f["ref"], source=f["source"]) for f in flags]
    return [
        FlagSummary(
            ref=f["ref"], source=f["source"], id=f["id"], name=f["name"], aliases=f["aliases"], evidence=f["evidence"]
        )
        for f in open_flags(flags)
    ]
