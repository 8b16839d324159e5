"""langgraph-alu: inference-time LLM unlearning (ALU) as a LangGraph graph.

    from alu import create_alu_graph, TargetRegistry
    from langgraph.store.memory import InMemoryStore

    store = InMemoryStore()
    TargetRegistry(store).add("Jane Austen")
    graph = create_alu_graph(models="openai:gpt-4o-mini", store=store)
    graph.invoke({"query": "Who wrote Pride and Prejudice?"})["answer"]
"""

from alu.graph import Context, InvalidContextError, build_graph, create_alu_graph, graph
from alu.inputs import InvalidInputError
from alu.targets import InvalidTargetError, Target, TargetRegistry

__all__ = [
    "create_alu_graph",
    "build_graph",
    "graph",
    "Context",
    "Target",
    "TargetRegistry",
    "InvalidContextError",
    "InvalidInputError",
    "InvalidTargetError",
]
__version__ = "0.1.0"
