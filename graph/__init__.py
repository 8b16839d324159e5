"""Graph wiring: state and schemas, the run-time ``Context``, the builder and ``graph``."""

from alu.graph.builder import build_graph, create_alu_graph, graph
from alu.graph.context import Context, InvalidContextError
from alu.graph.state import Audit, InputState, OutputState, State

__all__ = [
    "graph",
    "build_graph",
    "create_alu_graph",
    "Context",
    "InvalidContextError",
    "State",
    "InputState",
    "OutputState",
    "Audit",
]
