"""LangGraph server integration: the custom auth handler (``alu.server.auth:auth``).

Entry-point layer: may import the graph layer and everything below it; nothing in the
product imports it (LangGraph server loads it from ``langgraph.auth.json``).
"""
