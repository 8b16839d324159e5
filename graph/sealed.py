"""Sealing the texts that must never reach the caller: the draft, the rewrites, the
critiques.

Why: LangGraph streams more than the output schema — ``debug``, ``tasks`` and
``checkpoints`` stream modes show node inputs and channel values. The graph needs the
draft in its state to pass it between agents, so it keeps it there encrypted
(Fernet, from ``cryptography``): a streaming client sees only ciphertext, and only the
nodes open it. The key is ``ALU_STATE_KEY`` (a Fernet key: ``alu`` prints one with
``python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"``)
or a random per-process key — enough for LangGraph server, which runs a run in one
worker. A value that cannot be opened (another process's key) is an error, and the run
fails closed.
"""

from __future__ import annotations

import os
import threading

from cryptography.fernet import Fernet, InvalidToken

__all__ = ["SealError", "seal", "unseal"]

PREFIX = "alu-sealed:"
_lock = threading.Lock()
_fernet: Fernet | None = None


class SealError(RuntimeError):
    """A sealed value could not be opened (wrong key or corrupted state)."""


def _key() -> Fernet:
    global _fernet
    with _lock:
        if _fernet is None:
            configured = os.environ.get("ALU_STATE_KEY")
            try:
                _fernet = Fernet(configured.encode() if configured else Fernet.generate_key())
            except ValueError:
                raise SealError("ALU_STATE_KEY is not a valid Fernet key (32 url-safe base64 bytes)") from None
        return _fernet


def seal(text: str) -> str:
    """``text`` encrypted, marked so that it is recognisable in state dumps."""
    return PREFIX + _key().encrypt(text.encode("utf-8")).decode("ascii")


def unseal(value: str) -> str:
    """The text inside a sealed value (raises :class:`SealError` if it cannot be opened)."""
    if not isinstance(value, str) or not value.startswith(PREFIX):
        raise SealError("expected a sealed value from an earlier stage of this run")
    try:
        return _key().decrypt(value[len(PREFIX) :].encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise SealError("a sealed value could not be opened (different ALU_STATE_KEY?)") from None
