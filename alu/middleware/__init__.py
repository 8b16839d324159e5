"""ALU on an app's own agent: :class:`UnlearningMiddleware` for LangChain's
``create_agent``, which audits the agent's answers with the ALU graph's guard entry
(``answer_to_audit``: the vanilla call skipped) and holds every token of a model turn
until ALU has decided.

May import: the graph layer (``alu.graph``, ``alu.nodes``) and everything below it; never
the entry points (CLI, server, bench, evaluation) or the shims.
"""

from alu.middleware.agent import AgentAudit, UnlearningMiddleware, UnlearningState

__all__ = ["AgentAudit", "UnlearningMiddleware", "UnlearningState"]
