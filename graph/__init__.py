"""The graph layer's wiring (the card's ``graph/``): state and schemas, the run-time
``Context`` and the operator's ``policy``, the run's input and window (``inputs``,
``conversation``), each agent's model (``models``), sealed internals, tracing metadata,
and the builder with the compiled default ``graph``.

May import: the registry, detection, target-model and text layers, ``alu.prompts``, and —
for the builder only — ``alu.nodes``; never the entry points (CLI, bench, evaluation,
server). Inside: builder → nodes → policy, inputs, models, conversation → context,
state, sealed, tracing (an import-linter contract).
"""

from alu.graph.builder import build_graph, create_alu_graph, graph
from alu.graph.context import Context, InvalidContextError
from alu.graph.state import Audit, InputState, OutputState, State

__all__ = [
    "Audit",
    "Context",
    "InputState",
    "InvalidContextError",
    "OutputState",
    "State",
    "build_graph",
    "create_alu_graph",
    "graph",
]
