"""Annotating the current LangSmith run (a no-op when tracing is off).

Each agent is a LangGraph node, so each gets its own run named after it; this adds what
an operator filters on: tenant, flagged target ids, decision, the failed stage.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["annotate_run"]


def annotate_run(metadata: dict[str, Any], tags: Iterable[str] = ()) -> None:
    """Add metadata and tags to the run of the node that is executing, if traced."""
    try:
        from langsmith import get_current_run_tree
    except ImportError:  # pragma: no cover - langsmith is a dependency
        return
    run = get_current_run_tree()
    if run is None:
        return
    run.metadata.update(metadata)
    tags = [t for t in tags if t not in (run.tags or [])]
    if tags:
        run.add_tags(tags)
