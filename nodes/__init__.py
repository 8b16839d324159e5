"""The ALU agents, one module each; every node is a function of ``(state, runtime)``
(plus the graph's :class:`alu.graph.models.Models`, bound when the graph is built), with an
``a``-prefixed twin for the async path (``ainvoke``/``astream``, LangGraph server) that
awaits the model's async API instead of holding a thread per call. The eraser and critic
are the composer's child runs (:mod:`alu.nodes.rewrites`), not nodes: the composer stops
them once it can decide.

May import: the graph layer (``alu.graph``), the registry, detection and model modules of
``alu``, and ``alu.prompts``; never the entry points (CLI, bench, evaluation).
"""

from alu.nodes.auditor import aauditor, auditor, route_after_audit
from alu.nodes.composer import acomposer, composer
from alu.nodes.fail_closed import fail_closed
from alu.nodes.intake import aintake, areject, intake, reject
from alu.nodes.vanilla import avanilla, vanilla

__all__ = [
    "aauditor",
    "acomposer",
    "aintake",
    "areject",
    "auditor",
    "avanilla",
    "composer",
    "fail_closed",
    "intake",
    "reject",
    "route_after_audit",
    "vanilla",
]
