"""Opening the store the targets live in, and the few store-specific reads the registry

Why one module of 400 lines: every store-specific detail (SQLite, PostgreSQL sync and async,
the pool, migrations under a lock, errors without passwords) in one place, so the rest of the
registry stays store-agnostic.
uses: a SQLite file (the CLI's default) or PostgreSQL (``PostgresStore`` and
``PostgresSaver`` from ``langgraph-checkpoint-postgres``, on a ``psycopg_pool``
connection pool), sync and async.

PostgreSQL, in short:

- ``open_store("postgresql://user@host:5432/db")`` (sync) or
  ``async with open_async_postgres(url) as (store, saver)`` (the async path: LangGraph's
  ``ainvoke``/``astream``). Credentials come from the URL or from libpq's environment
  (``PGHOST``, ``PGPORT``, ``PGUSER``, ``PGPASSWORD``, ``PGDATABASE``, ``PGPASSFILE``
  / ``~/.pgpass``, ``PGSSLMODE``): ``postgresql://`` alone uses the environment only, so
  no password need appear in a URL, a command line or a process list.
- Migrations (``setup()`` of the store and the saver) run under a PostgreSQL advisory
  lock, so that many workers starting at once run them once, in turn, and the others
  find them done. ``setup=False`` skips them (a database migrated by its operator).
- The pool: ``ALU_PG_POOL_MIN`` (default 1) to ``ALU_PG_POOL_MAX`` (default 4)
  connections per process. A worker needs about one connection per run in flight (a
  run holds one for each store call, briefly) plus one for the saver's writes; keep
  workers × ``ALU_PG_POOL_MAX`` under the server's ``max_connections`` (100 by default)
  with room for the operator, or put PgBouncer (transaction mode) in between.
- Errors: :class:`StoreConnectionError` names the host, port, database and user, what
  went wrong and what to check; it never contains the password (see :func:`redact`).

Semantic search (``index=``) is not used: it needs the pgvector extension, which
Debian's PostgreSQL does not ship, and the registry's matcher does not need it.

May import: ``langgraph``'s stores and checkpointers, ``psycopg`` (lazily), the
standard library. Nothing of ``alu``: this is the bottom of the registry.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from langgraph.store.base import BaseStore

__all__ = [
    "POSTGRES_SCHEMES",
    "StoreConnectionError",
    "is_postgres_url",
    "keys_updated_since",
    "open_async_postgres",
    "open_postgres",
    "open_sqlite",
    "open_store",
    "redact",
    "row_summary",
]

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
_SETUP_LOCK_ID = 0x616C755F7067  # "alu_pg": the advisory lock held while migrating
_CONNECT_TIMEOUT_S = 10


class StoreConnectionError(RuntimeError):
    """The target store cannot be opened; the message says what to check (and never
    contains a password)."""


def is_postgres_url(spec: str | Path | None) -> bool:
    return isinstance(spec, str) and spec.strip().lower().startswith(POSTGRES_SCHEMES)


def redact(text: str, url: str = "") -> str:
    """``text`` with every password removed: the URL's password (as written and decoded),
    ``PGPASSWORD``, and any ``password=…`` or ``user:password@`` in it."""
    secrets = {os.environ.get("PGPASSWORD", "")}
    if url:
        try:
            raw = urlsplit(url).password or ""
        except ValueError:
            raw = ""
        secrets |= {raw, unquote(raw)}
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "***")
    text = re.sub(r"(?i)(password\s*=\s*)('[^']*'|\S+)", r"\1***", text)
    return re.sub(r"(?i)(postgres(?:ql)?://[^:/@\s]*):[^@\s]*@", r"\1:***@", text)


def _where(url: str) -> str:
    """host:port/database as user, from the URL and libpq's environment (no password)."""
    try:
        parts = urlsplit(url)
        host, port, user = parts.hostname, parts.port, parts.username
        database = unquote(parts.path.lstrip("/"))
    except ValueError:
        return redact(url, url)
    host = host or os.environ.get("PGHOST") or "the local socket"
    port_text = str(port or os.environ.get("PGPORT") or 5432)
    user = unquote(user) if user else os.environ.get("PGUSER") or "(your login name)"
    database = database or os.environ.get("PGDATABASE") or user
    return f"{host}:{port_text}/{database} as {user}"


def _connection_error(url: str, exc: BaseException) -> StoreConnectionError:
    first = redact(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__, url)
    low = first.lower()
    if "password authentication failed" in low or "no password supplied" in low:
        hint = "check the user and password (in the URL, or PGUSER / PGPASSWORD / ~/.pgpass)"
    elif "does not exist" in low and "database" in low:
        hint = "create the database (createdb), or name an existing one in the URL or PGDATABASE"
    elif "role" in low and "does not exist" in low:
        hint = "create the role (createuser), or name an existing one in the URL or PGUSER"
    elif "connection refused" in low or "no such file or directory" in low or "could not connect" in low:
        hint = "is PostgreSQL running and listening there? (host and port in the URL, or PGHOST / PGPORT)"
    elif "timeout" in low or "timed out" in low:
        hint = "the server did not answer in time: check the host, the port and any firewall"
    elif "missing" in low or "invalid" in low or "dsn" in low:
        hint = "the URL is malformed: postgresql://USER@HOST:PORT/DATABASE (password from PGPASSWORD)"
    else:
        hint = "check the URL and that the server accepts this user from this machine (pg_hba.conf)"
    return StoreConnectionError(f"cannot connect to PostgreSQL at {_where(url)}: {first}; {hint}")


def _pool_sizes(min_size: int | None, max_size: int | None) -> tuple[int, int]:
    def number(name: str, given: int | None, default: int) -> int:
        raw: Any = given if given is not None else os.environ.get(name) or default
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise StoreConnectionError(f"{name} must be a whole number, got {raw!r}") from None
        if value < 1:
            raise StoreConnectionError(f"{name} must be at least 1, got {value}")
        return value

    low = number("ALU_PG_POOL_MIN", min_size, 1)
    return low, max(low, number("ALU_PG_POOL_MAX", max_size, 4))


_CONN_KWARGS: dict[str, Any] = {"autocommit": True, "prepare_threshold": 0}


def _check_reachable(url: str) -> None:
    """One direct connection first: a pool only reports "timeout", this says why."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=_CONNECT_TIMEOUT_S):
            pass
    except (psycopg.Error, ValueError) as exc:
        raise _connection_error(url, exc) from None


def _take_setup_lock(conn: Any) -> None:
    """Wait for the migration lock without sitting in a statement: a session blocked in
    ``pg_advisory_lock`` holds a snapshot, and the migrations' ``CREATE INDEX
    CONCURRENTLY`` waits for every snapshot to go: a deadlock PostgreSQL does not see."""
    import time

    while not conn.execute("SELECT pg_try_advisory_lock(%s) AS ok", (_SETUP_LOCK_ID,)).fetchone()["ok"]:
        time.sleep(0.05)


@contextmanager
def open_postgres(
    url: str,
    *,
    setup: bool = True,
    min_size: int | None = None,
    max_size: int | None = None,
) -> Iterator[tuple[Any, Any]]:
    """``(PostgresStore, PostgresSaver)`` sharing one connection pool, migrated once."""
    from langgraph.checkpoint.postgres import PostgresSaver
    from langgraph.store.postgres import PostgresStore
    from psycopg.rows import dict_row
    from psycopg_pool import ConnectionPool

    low, high = _pool_sizes(min_size, max_size)
    _check_reachable(url)
    pool: Any = ConnectionPool(  # rows as dicts (row_factory), as the store and saver need
        url,
        min_size=low,
        max_size=high,
        kwargs={**_CONN_KWARGS, "row_factory": dict_row},
        open=False,
        name="alu",
    )
    try:
        pool.open(wait=True, timeout=_CONNECT_TIMEOUT_S)
    except Exception as exc:
        raise _connection_error(url, exc) from None
    try:
        store, saver = PostgresStore(pool), PostgresSaver(pool)
        if setup:
            with pool.connection() as conn:
                _take_setup_lock(conn)
                try:
                    store.setup()
                    saver.setup()
                finally:
                    conn.execute("SELECT pg_advisory_unlock(%s)", (_SETUP_LOCK_ID,))
        yield store, saver
    finally:
        pool.close()


@asynccontextmanager
async def open_async_postgres(
    url: str,
    *,
    setup: bool = True,
    min_size: int | None = None,
    max_size: int | None = None,
) -> AsyncIterator[tuple[Any, Any]]:
    """``(AsyncPostgresStore, AsyncPostgresSaver)`` on one async pool, migrated once: for
    ``graph.ainvoke`` / ``astream`` (the store's sync methods still work from worker
    threads, which is how the model-free stage reads the targets)."""
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from langgraph.store.postgres.aio import AsyncPostgresStore
    from psycopg.rows import dict_row
    from psycopg_pool import AsyncConnectionPool

    low, high = _pool_sizes(min_size, max_size)
    import asyncio

    await asyncio.to_thread(_check_reachable, url)
    pool: Any = AsyncConnectionPool(  # rows as dicts (row_factory)
        url,
        min_size=low,
        max_size=high,
        kwargs={**_CONN_KWARGS, "row_factory": dict_row},
        open=False,
        name="alu-async",
    )
    try:
        await pool.open(wait=True, timeout=_CONNECT_TIMEOUT_S)
    except Exception as exc:
        raise _connection_error(url, exc) from None
    try:
        store, saver = AsyncPostgresStore(pool), AsyncPostgresSaver(pool)
        if setup:
            async with pool.connection() as conn:
                while not (
                    await (await conn.execute("SELECT pg_try_advisory_lock(%s) AS ok", (_SETUP_LOCK_ID,))).fetchone()
                )["ok"]:
                    await asyncio.sleep(0.05)
                try:
                    await store.setup()
                    await saver.setup()
                finally:
                    await conn.execute("SELECT pg_advisory_unlock(%s)", (_SETUP_LOCK_ID,))
        yield store, saver
    finally:
        await pool.close()


@contextmanager
def open_sqlite(path: str | Path) -> Iterator[Any]:
    """The SQLite-backed store in ``path`` (created on first use; waits up to 10 s for a
    writer in another process)."""
    from langgraph.store.sqlite import SqliteStore

    store_path = Path(path).expanduser()
    try:
        store_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreConnectionError(f"cannot create the store's folder {store_path.parent}: {exc}") from None
    try:
        with SqliteStore.from_conn_string(str(store_path)) as store:
            store.conn.execute("PRAGMA busy_timeout = 10000")
            store.setup()
            yield store
    except sqlite3.Error as exc:  # not a database, locked, read-only
        raise StoreConnectionError(f"cannot use the target store {store_path}: {exc}") from None


@contextmanager
def open_store(spec: str | Path) -> Iterator[Any]:
    """The store named by ``spec``: a ``postgresql://`` URL (PostgresStore, migrated once)
    or a SQLite file path."""
    if is_postgres_url(spec):
        with open_postgres(str(spec).strip()) as (store, _saver):
            yield store
    else:
        with open_sqlite(spec) as store:
            yield store


# -- the few store-specific reads: how a raw write is noticed -------------------------
# Every registry write bumps the version item, which readers follow. A write straight
# into the store (``store.put`` of a target) does not; these reads let the index cache
# notice one: how many items a namespace holds and when the newest was written, and the
# keys written since a moment. ``None``: this store cannot say (then only writes through
# the registry, or followed by ``bump_version``, are followed).

_SQLITE_TS = "%Y-%m-%d %H:%M:%S"


def _pg_prefix(ns: tuple[str, ...]) -> str:
    return ".".join(ns)


def _pg_rows(store: Any, sql: str, params: tuple) -> list[tuple] | None:
    cursor = getattr(store, "_cursor", None)
    if cursor is None:
        return None
    loop = getattr(store, "loop", None)
    if loop is not None:  # AsyncPostgresStore: run on its loop (we are in a worker thread)
        import asyncio

        async def fetch() -> list[tuple]:
            async with cursor() as cur:
                await cur.execute(sql, params)
                return [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in await cur.fetchall()]

        if threading.current_thread() is threading.main_thread() and _loop_running_here(loop):
            return None
        return asyncio.run_coroutine_threadsafe(fetch(), loop).result()
    with cursor() as cur:
        cur.execute(sql, params)
        return [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in cur.fetchall()]


def _loop_running_here(loop: Any) -> bool:
    import asyncio

    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def _kind(store: BaseStore) -> str:
    module = type(store).__module__
    if module.startswith("langgraph.store.postgres"):
        return "postgres"
    if module.startswith("langgraph.store.sqlite"):
        return "sqlite"
    if module.startswith("langgraph.store.memory"):
        return "memory"
    return ""


def _as_utc(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


def row_summary(store: BaseStore, ns: tuple[str, ...]) -> tuple[int, datetime | None] | None:
    """(items in exactly ``ns``, when the newest was written), or None if unknown."""
    kind = _kind(store)
    if kind == "postgres":
        rows = _pg_rows(store, "SELECT count(*), max(updated_at) FROM store WHERE prefix = %s", (_pg_prefix(ns),))
        return None if rows is None else (int(rows[0][0]), _as_utc(rows[0][1]))
    if kind == "sqlite":
        conn = getattr(store, "conn", None)
        lock = getattr(store, "lock", None)
        if conn is None or lock is None:
            return None
        with lock:
            row = conn.execute(
                "SELECT count(*), max(updated_at) FROM store WHERE prefix = ?", (_pg_prefix(ns),)
            ).fetchone()
        return int(row[0]), _as_utc(row[1])
    if kind == "memory":
        data = getattr(store, "_data", None)
        if not isinstance(data, dict):
            return None
        items = list(data.get(tuple(ns), {}).values())
        return len(items), max((_as_utc(i.updated_at) for i in items), default=None, key=_sort_key)
    return None


def _sort_key(value: datetime | None) -> datetime:
    return value or datetime.min.replace(tzinfo=UTC)


def keys_updated_since(store: BaseStore, ns: tuple[str, ...], since: datetime) -> list[str] | None:
    """Keys in exactly ``ns`` written at or after ``since`` (None if unknown)."""
    kind = _kind(store)
    if kind == "postgres":
        rows = _pg_rows(store, "SELECT key FROM store WHERE prefix = %s AND updated_at >= %s", (_pg_prefix(ns), since))
        return None if rows is None else [r[0] for r in rows]
    if kind == "sqlite":
        conn = getattr(store, "conn", None)
        lock = getattr(store, "lock", None)
        if conn is None or lock is None:
            return None
        stamp = since.astimezone(UTC).replace(tzinfo=None) - timedelta(seconds=1)  # second resolution
        with lock:
            rows = conn.execute(
                "SELECT key FROM store WHERE prefix = ? AND updated_at >= ?",
                (_pg_prefix(ns), stamp.strftime(_SQLITE_TS)),
            ).fetchall()
        return [r[0] for r in rows]
    if kind == "memory":
        data = getattr(store, "_data", None)
        if not isinstance(data, dict):
            return None
        return [k for k, i in list(data.get(tuple(ns), {}).items()) if _sort_key(_as_utc(i.updated_at)) >= since]
    return None
