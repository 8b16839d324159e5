"""Sealing the texts that must never reach the caller: the draft, the rewrites, the
critiques.

Why: LangGraph streams more than the output schema — ``debug``, ``tasks`` and
``checkpoints`` stream modes show node inputs and channel values. The graph needs the
draft in its state to pass it between agents, so it keeps it there encrypted
(Fernet, from ``cryptography``): a streaming client sees only ciphertext, and only the
nodes open it.

The keys (shared through configuration, so that any worker can resume a thread another
worker checkpointed mid-run):

- ``ALU_STATE_KEYS``: comma-separated Fernet keys. The first seals; every one opens
  (``MultiFernet``), so a key can be rotated without breaking threads in flight: add
  the new key *second* on every worker, then move it first, then drop the old one.
  ``ALU_STATE_KEY`` (one key) is still read. A new key:
  ``python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"``.
- Neither set: a random per-process key — right for one process (the CLI, a notebook),
  wrong for many workers on one checkpointer: :func:`verify_shared_keys` refuses it.

A sealed value names the fingerprint of the key that sealed it (an HMAC of a fixed
label, not the key), so a value this process cannot open says which key it needs.
:func:`verify_shared_keys` is the start-up check for many workers: it compares this
worker's keys with those the last worker to start recorded in the shared store, and
raises :class:`SealError` when one would seal what the other cannot open.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

__all__ = [
    "KEYS_ITEM",
    "SealError",
    "SealingKeys",
    "fingerprint",
    "reset_keys",
    "seal",
    "sealing_keys",
    "unseal",
    "verify_shared_keys",
]

PREFIX = "alu-sealed:"
KEYS_ITEM = (("alu", "_sealing"), "keys")
"""Where :func:`verify_shared_keys` records the fingerprints of the last worker's keys."""
_lock = threading.Lock()
_keys: SealingKeys | None = None


class SealError(RuntimeError):
    """A sealed value could not be opened (wrong key or corrupted state), or the keys are
    misconfigured."""


def fingerprint(key: bytes) -> str:
    """A key's public name: 12 hex digits of an HMAC of a fixed label (not the key)."""
    return hmac.new(key, b"alu-state-key-fingerprint", hashlib.sha256).hexdigest()[:12]


@dataclass(frozen=True)
class SealingKeys:
    """The keys of this process: the first seals, all open."""

    fernet: MultiFernet
    fingerprints: tuple[str, ...]
    configured: bool

    @property
    def current(self) -> str:
        return self.fingerprints[0]


def _load() -> SealingKeys:
    raw = os.environ.get("ALU_STATE_KEYS") or os.environ.get("ALU_STATE_KEY") or ""
    source = "ALU_STATE_KEYS" if os.environ.get("ALU_STATE_KEYS") else "ALU_STATE_KEY"
    texts = [k.strip() for k in raw.split(",") if k.strip()]
    keys: list[bytes] = []
    for i, text in enumerate(texts, start=1):
        try:
            Fernet(text.encode())
        except ValueError:
            raise SealError(
                f"{source}: key {i} of {len(texts)} is not a valid Fernet key (32 url-safe base64 bytes)"
            ) from None
        keys.append(text.encode())
    configured = bool(keys)
    if not keys:
        keys = [Fernet.generate_key()]
    return SealingKeys(MultiFernet([Fernet(k) for k in keys]), tuple(fingerprint(k) for k in keys), configured)


def sealing_keys() -> SealingKeys:
    """This process's keys (read from the environment once; :func:`reset_keys` re-reads)."""
    global _keys
    with _lock:
        if _keys is None:
            _keys = _load()
        return _keys


def reset_keys() -> None:
    """Forget the keys read so far (the next seal reads the environment again)."""
    global _keys
    with _lock:
        _keys = None


def seal(text: str) -> str:
    """``text`` encrypted, marked so that it is recognisable in state dumps, with the
    fingerprint of the key that sealed it."""
    keys = sealing_keys()
    return f"{PREFIX}{keys.current}:" + keys.fernet.encrypt(text.encode("utf-8")).decode("ascii")


def unseal(value: str) -> str:
    """The text inside a sealed value (raises :class:`SealError` if it cannot be opened)."""
    if not isinstance(value, str) or not value.startswith(PREFIX):
        raise SealError("expected a sealed value from an earlier stage of this run")
    body = value[len(PREFIX) :]
    sealed_with, _, token = body.partition(":") if ":" in body else ("", "", body)
    keys = sealing_keys()
    try:
        return keys.fernet.decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        if sealed_with and sealed_with not in keys.fingerprints:
            raise SealError(
                f"a sealed value was sealed with key {sealed_with}, which this worker does not have "
                f"(its keys: {', '.join(keys.fingerprints)}); set the same ALU_STATE_KEYS on every worker"
            ) from None
        raise SealError("a sealed value could not be opened (different ALU_STATE_KEYS, or corrupted state)") from None


def verify_shared_keys(store: Any) -> SealingKeys:
    """Start-up check for workers sharing one checkpointer (and ``store``, a LangGraph
    ``BaseStore`` they share): raise :class:`SealError` when this worker and the last
    one to start would not open each other's sealed values; else record this worker's
    key fingerprints for the next one.

    Refused: no key configured (each worker would have its own random key), or a key
    that seals what the other cannot open (a rotation must add the new key second on
    every worker before any worker seals with it).
    """
    keys = sealing_keys()
    if not keys.configured:
        raise SealError(
            "ALU_STATE_KEYS is not set: every worker would seal with its own random key, and a thread "
            "checkpointed by one worker could not be resumed by another; set the same ALU_STATE_KEYS "
            "(comma-separated Fernet keys, the first seals) on every worker"
        )
    namespace, key = KEYS_ITEM
    item = store.get(namespace, key)
    if item is not None and isinstance(item.value, dict):
        other_current = item.value.get("current")
        other_known = item.value.get("known") or []
        if other_current not in keys.fingerprints:
            raise SealError(
                f"workers would disagree: another worker seals with key {other_current}, which this worker's "
                f"ALU_STATE_KEYS ({', '.join(keys.fingerprints)}) cannot open; give every worker the same keys"
            )
        if keys.current not in other_known:
            raise SealError(
                f"workers would disagree: this worker seals with key {keys.current}, which another worker "
                f"(keys {', '.join(map(str, other_known))}) cannot open; to rotate, first add the new key "
                "second on every worker, then move it first"
            )
    store.put(namespace, key, {"current": keys.current, "known": list(keys.fingerprints)}, index=False)
    return keys
