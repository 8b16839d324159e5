"""Whose settings a run follows: the operator's policy, tightened (never loosened) by a caller.

Why: on LangGraph server any client can send ``context={...}`` with a run. If that context
were the policy, the forget list would be opt-out by the caller (another tenant, a lower
threshold, ``audit_mode: "match"``, a model of its choosing). So:

- **In process** (``graph.invoke(..., context=...)`` from Python, no server), the code that
  calls the graph *is* the operator: its context is the policy.
- **On a server** (a run carrying ``langgraph_auth_user`` or a server request id in its
  configurable), the policy is the operator's — the environment (``ALU_*``, read by
  :class:`Context`'s defaults) and, with custom auth, what the auth handler put on the
  user (``alu_tenant``, ``alu_policy``). The run's context (which on LangGraph server also
  holds the assistant's context) may only tighten it, field by field, as each field's
  ``policy`` metadata says (see :mod:`alu.graph.context`); an attempt to loosen raises
  :class:`InvalidContextError` naming the field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import fields, replace
from typing import Any

from alu.graph.context import (
    AUDIT_MODES,
    FREE,
    LOWER,
    OPERATOR,
    RAISE,
    STRICTER,
    TRACE_TEXTS,
    Context,
    InvalidContextError,
    ensure_context,
)

__all__ = ["POLICY_TABLE", "auth_user", "caller_fields", "operator_context", "run_context", "tighten"]

_STRICTNESS: dict[str, tuple[Any, ...]] = {  # loosest first
    "audit_mode": ("match", "judge"),
    "trace_texts": ("full", "redacted"),
    "semantic": (False, None, True),  # off, auto, on
}
assert set(_STRICTNESS["audit_mode"]) == set(AUDIT_MODES)
assert set(_STRICTNESS["trace_texts"]) == set(TRACE_TEXTS)
_SERVER_KEYS = ("langgraph_auth_user", "langgraph_request_id", "langgraph_auth_user_id")


def _configurable() -> Mapping[str, Any]:
    try:
        from langgraph.config import get_config

        return get_config().get("configurable") or {}
    except RuntimeError:  # called outside a run
        return {}


def auth_user(configurable: Mapping[str, Any] | None = None) -> Any:
    """The authenticated user of a server run (None in process or without auth)."""
    return (configurable if configurable is not None else _configurable()).get("langgraph_auth_user")


def _user_field(user: Any, name: str) -> Any:
    if user is None:
        return None
    if isinstance(user, Mapping):
        return user.get(name)
    try:
        return user[name]
    except (KeyError, TypeError, IndexError):
        return getattr(user, name, None)


def operator_context(user: Any = None, base: Context | None = None) -> Context:
    """The operator's policy for a server run: ``base`` (default: the environment), then
    the auth user's ``alu_policy`` (fields of :class:`Context`) and ``alu_tenant``."""
    base = base if base is not None else Context()
    policy = _user_field(user, "alu_policy")
    if isinstance(policy, Mapping) and policy:
        base = ensure_context({**_values(base), **dict(policy)})
    tenant = _user_field(user, "alu_tenant")
    if isinstance(tenant, str) and tenant:
        base = replace(base, tenant=tenant)
        base.__post_init__()
    return base


def _values(context: Context) -> dict[str, Any]:
    return {f.name: getattr(context, f.name) for f in fields(Context)}


def caller_fields(context: Context | Mapping[str, Any] | None) -> dict[str, Any]:
    """The fields a caller actually set: every key of a dict; for a ``Context`` (LangGraph
    may build one from the caller's dict), the fields that differ from the defaults."""
    if context is None:
        return {}
    if isinstance(context, Mapping):
        ensure_context(context)  # unknown fields and bad values: a clear error first
        return dict(context)
    if isinstance(context, Context):
        defaults = _values(Context())
        return {k: v for k, v in _values(context).items() if v != defaults[k]}
    raise InvalidContextError(f"context must be a Context or a dict, got {type(context).__name__}")


def tighten(base: Context, requested: Mapping[str, Any], *, tenant_free: bool = False) -> Context:
    """``base`` with the caller's ``requested`` fields applied where they only tighten it.

    Raises :class:`InvalidContextError` listing every field that would loosen the policy
    (or change an operator-only field); ``tenant_free`` lets the caller choose its tenant
    (an operator's choice, for servers without auth)."""
    meta = {f.name: f.metadata for f in fields(Context)}
    problems: list[str] = []
    changes: dict[str, Any] = {}
    for name, value in requested.items():
        current = getattr(base, name)
        if isinstance(value, list) and isinstance(current, tuple):
            value = tuple(value)  # JSON has no tuples: the operator's own list repeated
        if value == current or (name == "j" and value is None):
            continue
        rule, cap = meta[name].get("policy", OPERATOR), meta[name].get("cap")
        if name == "tenant" and tenant_free:
            rule = FREE
        if rule == FREE:
            changes[name] = value
        elif rule == OPERATOR:
            problems.append(f"{name} is set by the operator on this server; a run's context may not change it")
        elif rule == RAISE:
            if not isinstance(value, (int, float)) or value < current:
                problems.append(f"{name} may only be raised by a run's context (the operator's value is {current!r})")
            elif cap is not None and value > cap:
                problems.append(f"{name} may be raised to at most {cap!r} by a run's context (got {value!r})")
            else:
                changes[name] = value
        elif rule == LOWER:
            if not isinstance(value, (int, float)) or value > current:
                problems.append(f"{name} may only be lowered by a run's context (the operator's value is {current!r})")
            else:
                changes[name] = value
        elif rule == STRICTER:
            order = _STRICTNESS[name]
            rank = _rank(order, value)
            if rank is None or rank < (_rank(order, current) or 0):
                problems.append(
                    f"{name} may only be made stricter by a run's context ({' < '.join(map(_shown, order))};"
                    f" the operator's value is {_shown(current)})"
                )
            else:
                changes[name] = value
    if problems:
        raise InvalidContextError("the run's context would loosen this server's policy: " + "; ".join(problems))
    if not changes:
        return base
    result = replace(base, **changes)
    if "k" in changes and "j" not in requested:
        result = replace(result, j=min(base.j or 3, result.k))
    result.__post_init__()
    return result


def _rank(order: tuple[Any, ...], value: Any) -> int | None:
    """Where ``value`` stands in ``order``, None when it is not in it (by identity for
    True/False/None: 1 is not True)."""
    return next((i for i, o in enumerate(order) if value is o or (isinstance(o, str) and value == o)), None)


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def run_context(context: Context | Mapping[str, Any] | None) -> Context:
    """The settings this run follows (see the module's docstring); call it from a node
    with ``runtime.context``."""
    configurable = _configurable()
    if not any(key in configurable for key in _SERVER_KEYS):
        return ensure_context(context)
    user = auth_user(configurable)
    base = operator_context(user)
    # LangGraph server mirrors the run's context into ``configurable`` (and takes a
    # configurable as the context when none is given): those keys are what the caller
    # (or the assistant) set; the coerced ``Context`` adds the fields that differ from
    # the environment's defaults.
    known = {f.name for f in fields(Context)}
    requested = {**caller_fields(context), **{k: v for k, v in configurable.items() if k in known}}
    authenticated_tenant = isinstance(_user_field(user, "alu_tenant"), str)
    return tighten(base, requested, tenant_free=base.allow_caller_tenant and not authenticated_tenant)


def _table() -> list[tuple[str, str, Any]]:
    return [(f.name, f.metadata.get("policy", OPERATOR), f.metadata.get("cap")) for f in fields(Context)]


POLICY_TABLE = _table()
"""(field, rule, cap) of every ``Context`` field, as the README's table shows it."""
