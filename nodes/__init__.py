"""The ALU agents, one module each; every node is a function of ``(state, runtime)``
(plus the graph's :class:`alu.models.Models`, bound when the graph is built)."""

from alu.nodes.auditor import auditor, route_after_audit
from alu.nodes.composer import composer
from alu.nodes.critic import critic
from alu.nodes.eraser import eraser
from alu.nodes.fail_closed import fail_closed
from alu.nodes.vanilla import vanilla

__all__ = ["vanilla", "auditor", "route_after_audit", "eraser", "critic", "composer", "fail_closed"]
