"""Start a real ``langgraph dev`` on a free loopback port (for tests and benchmarks).

From a temporary working directory (``langgraph dev`` writes ``.langgraph_api/`` into its
working directory whatever ``LANGGRAPH_DISABLE_FILE_PERSISTENCE`` says), with no
LangSmith variables (no tracing, no uploads) and the given model environment.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
STARTUP_TIMEOUT_S = 90.0


class DevServerError(RuntimeError):
    """langgraph dev did not start; the message holds the end of its log."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, chars: int = 3000) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"(no log: {exc})"
    return re.sub(r"\x1b\[[0-9;]*m", "", text)[-chars:]  # without the colour codes


class DevServer:
    """A ``langgraph dev`` process and where to reach it."""

    def __init__(self, process: subprocess.Popen, url: str, log: Path, workdir: Path) -> None:
        self.process, self.url, self.log, self.workdir = process, url, log, workdir

    def log_tail(self) -> str:
        return f"--- end of the langgraph dev log ({self.log}):\n{_tail(self.log)}"

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)  # its own process group (start_new_session)
        except ProcessLookupError:
            return
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def __enter__(self) -> DevServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def server_env(model_env: dict[str, str], extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without tracing, model or ALU settings, plus the model's."""
    drop = ("LANGSMITH_", "LANGCHAIN_", "ALU_", "OPENAI_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update(
        LANGGRAPH_CLI_NO_ANALYTICS="1",
        LANGGRAPH_NO_VERSION_CHECK="true",
        LANGGRAPH_DISABLE_FILE_PERSISTENCE="true",
        PYTHONUNBUFFERED="1",
    )
    env.update(model_env)
    env.update(extra or {})
    return env


def start_dev_server(
    model_env: dict[str, str],
    workdir: Path,
    extra_env: dict[str, str] | None = None,
    *,
    config_file: str = "langgraph.json",
    python: Path | None = None,
) -> DevServer:
    """``langgraph dev --no-browser --no-reload`` on a free port, serving the repository's
    ``config_file`` (``langgraph.auth.json``: with ALU's auth); raises
    :class:`DevServerError` (with the log's tail) when it does not come up.

    ``python``: serve with that interpreter and the ``alu`` installed in it (a wheel in a
    clean venv) instead of this venv's editable install of the repository."""
    config = json.loads((REPO / config_file).read_text())
    # This venv: the package is installed (editable) from the repository. Another
    # interpreter: only what is installed there, nothing from the repository.
    config["dependencies"] = [str(REPO)] if python is None else ["."]
    config_path = workdir / "langgraph.json"
    config_path.write_text(json.dumps(config, indent=2))
    log = workdir / "langgraph-dev.log"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    launcher = (
        [str(Path(sys.executable).parent / "langgraph")] if python is None else [str(python), "-m", "langgraph_cli"]
    )
    command = [
        *launcher, "dev",
        "--no-browser", "--no-reload",
        "--host", "127.0.0.1", "--port", str(port),
        "--config", str(config_path),
    ]  # fmt: skip
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command,
            cwd=workdir,
            env=server_env(model_env, extra_env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = DevServer(process, url, log, workdir)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    try:
        while True:
            if process.poll() is not None:
                raise DevServerError(f"langgraph dev exited with code {process.returncode}\n{server.log_tail()}")
            banner = log.read_text(errors="replace")
            # If the port was taken meanwhile, langgraph dev binds another one (with only a
            # warning) and whatever answers on ours is not this server.
            if f"Port {port} is already in use" in banner:
                raise DevServerError(f"port {port} was taken before langgraph dev bound it\n{server.log_tail()}")
            try:
                ok = httpx.get(f"{url}/ok", timeout=2.0).status_code == 200
            except httpx.HTTPError:
                ok = False
            if ok and url in banner:  # our URL in its banner: it is this server answering
                return server
            if time.monotonic() > deadline:
                raise DevServerError(
                    f"langgraph dev did not answer GET {url}/ok within {STARTUP_TIMEOUT_S:.0f} s"
                    f" (port taken, so it picked another?)\n{server.log_tail()}"
                )
            time.sleep(0.3)
    except BaseException:
        server.stop()
        raise
