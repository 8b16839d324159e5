"""Custom auth for LangGraph server: who may chat, who owns the forget list.

Load it with an ``auth`` entry in ``langgraph.json`` (see ``langgraph.auth.json``)::

    "auth": {"path": "alu.server.auth:auth"}

Why: without it, every client of a server can read the tenants' forget lists (the list of
who asked to be forgotten), unregister a target, read other users' threads, or create an
assistant whose context loosens the policy. With it:

- **authenticate**: a bearer token (``Authorization: Bearer …``) from the operator's users
  file, ``ALU_AUTH_USERS`` (a path to a JSON file, or the JSON itself)::

      {"users": [{"token_sha256": "<hex of sha256(token)>",   # or "token": "<token>"
                  "identity": "alice", "tenant": "acme",
                  "permissions": ["alu:targets:read", "alu:targets:write"],
                  "policy": {"threshold": 4.5}}]}

  The user's ``tenant`` and ``policy`` reach the graph as ``alu_tenant``/``alu_policy`` on
  ``langgraph_auth_user``: the run's tenant and operator policy (see
  :mod:`alu.graph.policy`). The file is read once, when the server loads this module.
  No users configured: every request is refused (fail closed).
- **store**: ``("alu", tenant, …)`` namespaces only for users with ``alu:targets:read``
  (get, search, list) or ``alu:targets:write`` (put, delete; implies read), and only their
  own tenant's, unless ``alu:operator``; every other namespace is scoped to the user
  (``(identity, …)``), as LangGraph's docs recommend.
- **threads and runs**: readable and usable by their owner only.
- **assistants**: anyone may read them; creating, updating and deleting one is for
  ``alu:operator`` (an assistant's context is a policy channel).

- **the ledger**: a ``put`` or ``delete`` of a target (``("alu", tenant, "targets")``)
  or of one of its parts (``("alu", tenant, "parts", id)``: names added to it) through
  the store API bypasses :class:`~alu.registry.TargetRegistry`, so this handler
  appends the forget-request ledger's entry itself (:mod:`alu.registry.ledger`: the
  authenticated identity, ``via: "server"``), in the server's own store, before letting
  the write through; a write whose entry cannot be recorded is refused (503).

These handlers gate the HTTP API only; the graph's own store reads are scoped by tenant
inside the graph.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from pathlib import Path
from typing import Any

from langgraph_sdk import Auth

from alu.registry import VERSION_KEY, meta_namespace
from alu.registry.ledger import server_entry
from alu.registry.versions import version_label

__all__ = ["OPERATOR", "READ", "WRITE", "auth", "load_users"]

OPERATOR = "alu:operator"
READ = "alu:targets:read"
WRITE = "alu:targets:write"

auth = Auth()


class AuthConfigError(ValueError):
    """The users file cannot be used; the message says what to fix."""


def load_users(source: str | None = None) -> list[dict[str, Any]]:
    """The users of ``ALU_AUTH_USERS`` (a JSON file's path, or the JSON text)."""
    raw = source if source is not None else os.environ.get("ALU_AUTH_USERS", "")
    if not raw.strip():
        return []
    text = raw if raw.lstrip().startswith("{") else Path(raw).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AuthConfigError(f"ALU_AUTH_USERS is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    users = data.get("users") if isinstance(data, dict) else None
    if not isinstance(users, list):
        raise AuthConfigError('ALU_AUTH_USERS must hold {"users": [...]}')
    for i, user in enumerate(users):
        if not isinstance(user, dict) or not isinstance(user.get("identity"), str) or not user["identity"]:
            raise AuthConfigError(f"user {i} of ALU_AUTH_USERS has no 'identity'")
        if not (isinstance(user.get("token_sha256"), str) or isinstance(user.get("token"), str)):
            raise AuthConfigError(f"user {user['identity']!r} of ALU_AUTH_USERS has no 'token_sha256' (or 'token')")
    return users


_USERS = load_users()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _find(token: str) -> dict[str, Any] | None:
    digest = _digest(token)
    found = None
    for user in _USERS:
        expected = user.get("token_sha256") or _digest(user.get("token", ""))
        if hmac.compare_digest(expected, digest):  # every user compared: no timing hint
            found = user
    return found


@auth.authenticate
async def authenticate(authorization: str | None) -> dict[str, Any]:
    """The user a bearer token belongs to; 401 otherwise."""
    scheme, _, token = (authorization or "").partition(" ")
    user = _find(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if user is None:
        raise Auth.exceptions.HTTPException(status_code=401, detail="a valid bearer token is required")
    result: dict[str, Any] = {
        "identity": user["identity"],
        "permissions": list(user.get("permissions") or []),
        "alu_policy": dict(user.get("policy") or {}),
    }
    if isinstance(user.get("tenant"), str) and user["tenant"]:
        result["alu_tenant"] = user["tenant"]
    return result


def _forbidden(detail: str) -> Auth.exceptions.HTTPException:
    return Auth.exceptions.HTTPException(status_code=403, detail=detail)


def _tenant(ctx: Auth.types.AuthContext) -> str | None:
    try:
        tenant = ctx.user["alu_tenant"]
    except (KeyError, TypeError):
        return None
    return tenant if isinstance(tenant, str) else None


@auth.on
async def owner_only(ctx: Auth.types.AuthContext, value: dict) -> dict[str, str]:
    """Threads, runs and crons: each user sees and uses their own only."""
    filters = {"owner": ctx.user.identity}
    if isinstance(value, dict):
        metadata = value.get("metadata")
        if not isinstance(metadata, dict):
            metadata = value["metadata"] = {}
        metadata.update(filters)
    return filters


@auth.on(resources="assistants", actions=["read", "search"])
async def read_assistants(ctx: Auth.types.AuthContext, value: dict) -> None:
    """Anyone may read assistants (runs name one)."""
    return None


@auth.on(resources="assistants", actions=["create", "update", "delete"])
async def change_assistants(ctx: Auth.types.AuthContext, value: dict) -> None:
    """An assistant's configuration is policy: the operator's."""
    if OPERATOR not in ctx.permissions:
        raise _forbidden("creating, updating or deleting assistants needs the alu:operator permission")
    return None


async def _record(ctx: Auth.types.AuthContext, namespace: tuple[str, ...], value: dict) -> None:
    """Append the ledger entry of a target written through the store API (see above)."""
    import time
    import uuid

    try:
        from langgraph_api.store import get_store  # type: ignore[import-untyped]

        store = await get_store()
        tenant = namespace[1]
        current = await store.aget(meta_namespace(tenant), VERSION_KEY)
        ns, key, entry = server_entry(
            tenant,
            actor=ctx.user.identity,
            action="put" if ctx.action == "put" else "delete",
            key=str(value.get("key") or ""),
            value=value.get("value") if ctx.action == "put" else None,
            registry_version=version_label(current.value if current is not None else None),
            ts=time.time(),
            token=uuid.uuid4().hex,
            part_of=namespace[3] if namespace[2] == "parts" else None,
        )
        await store.aput(ns, key, entry, index=False)
    except Exception as exc:  # fail closed: no write the ledger did not record
        raise Auth.exceptions.HTTPException(
            status_code=503, detail=f"the forget-request ledger could not record this write ({type(exc).__name__})"
        ) from None


def _refuse_ordinary_words(namespace: tuple[str, ...], item: Any) -> None:
    """A target item (``("alu", tenant, "targets")``) or part (``("alu", tenant, "parts",
    id)``) put over the HTTP API gets the registry's rule: names that cannot be told from
    ordinary words need the item's ``"allow_ordinary_word": true``. A 422 names the field,
    never the name; items already stored are read and honoured as they are."""
    if not isinstance(item, dict) or len(namespace) < 3 or namespace[2] not in ("targets", "parts"):
        return
    from alu.domain import InvalidTargetError, Target, ordinary_word_reason
    from alu.registry import OrdinaryWordError, check_ordinary_words
    from alu.registry.store import OPT_IN_HINT

    try:
        if namespace[2] == "targets":
            if "name" not in item:
                return  # not a target (the registry's version and bookkeeping items)
            check_ordinary_words(Target.parse(item, strict=False))
        elif item.get("allow_ordinary_word") is not True:
            aliases = [a for a in item.get("aliases") or [] if isinstance(a, str)]
            for position, alias in enumerate(aliases, start=1):  # a part's names
                reason = ordinary_word_reason(alias)
                if reason is not None and reason != "has no letters or digits":
                    raise OrdinaryWordError(f"alias {position} {reason}: {OPT_IN_HINT}")
    except OrdinaryWordError as exc:
        raise Auth.exceptions.HTTPException(status_code=422, detail=str(exc)) from None
    except InvalidTargetError:
        return  # malformed items are skipped by every reader, as before


@auth.on.store()
async def store_access(ctx: Auth.types.AuthContext, value: dict) -> None:
    """The forget list (``("alu", tenant, …)``) is for its tenant's permitted users; a
    target written through the store API is recorded in the tenant's ledger."""
    namespace = tuple(value.get("namespace") or ())
    operator = OPERATOR in ctx.permissions
    if not namespace or namespace[0] != "alu":
        if ctx.action == "list_namespaces" and not namespace and operator:
            return None
        if not operator:
            value["namespace"] = (ctx.user.identity, *namespace)
        return None
    records = ctx.action in ("put", "delete") and (
        (len(namespace) == 3 and namespace[2] == "targets") or (len(namespace) == 4 and namespace[2] == "parts")
    )
    if ctx.action == "put":
        _refuse_ordinary_words(namespace, value.get("value"))
    if operator:
        if records:
            await _record(ctx, namespace, value)
        return None
    needed = WRITE if ctx.action in ("put", "delete") else READ
    if needed not in ctx.permissions and WRITE not in ctx.permissions:
        raise _forbidden(f"the ALU target store needs the {needed} permission")
    tenant = _tenant(ctx)
    if len(namespace) < 2 or tenant is None or namespace[1] != tenant:
        raise _forbidden("the ALU target store of another tenant is not yours to use")
    if records:
        await _record(ctx, namespace, value)
    return None
