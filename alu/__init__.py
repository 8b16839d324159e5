"""langgraph-alu: inference-time LLM unlearning (ALU) as a LangGraph graph.

from alu import create_alu_graph, TargetRegistry
from langgraph.store.memory import InMemoryStore

store = InMemoryStore()
TargetRegistry(store).add("Jane Austen")
graph = create_alu_graph(models="openai:gpt-4o-mini", store=store)
graph.invoke({"query": "Who wrote Pride and Prejudice?"})["answer"]

On an app's own LangChain agent: ``create_agent(model, tools,
middleware=[alu.UnlearningMiddleware(models=...)], store=store)``.
"""

from typing import TYPE_CHECKING

from alu.domain import InvalidTargetError, Target
from alu.graph import Context, InvalidContextError, build_graph, create_alu_graph, graph
from alu.graph.inputs import InvalidInputError
from alu.nodes.enrich import enrich_target
from alu.registry import TargetRegistry, use_enricher

if TYPE_CHECKING:
    from alu.middleware import UnlearningMiddleware

use_enricher(enrich_target)  # the registry's enrich=True: a model call, from the layer above

__all__ = [
    "Context",
    "InvalidContextError",
    "InvalidInputError",
    "InvalidTargetError",
    "Target",
    "TargetRegistry",
    "UnlearningMiddleware",
    "build_graph",
    "create_alu_graph",
    "graph",
]
__version__ = "0.3.0.dev0"


def __getattr__(name: str) -> object:
    """``alu.UnlearningMiddleware`` is imported on first use: it loads LangChain's agent
    package, which a caller of the graph alone does not need."""
    if name == "UnlearningMiddleware":
        from alu.middleware import UnlearningMiddleware

        return UnlearningMiddleware
    raise AttributeError(f"module 'alu' has no attribute {name!r}")
