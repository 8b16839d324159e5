"""A throwaway PostgreSQL server on loopback, for tests and benchmarks.

``initdb`` in a temporary directory (as the ``postgres`` user when running as root:
initdb refuses root), ``pg_ctl start`` on a free loopback port with password
authentication over TCP, one database ``alu`` owned by user ``alu``; ``stop()`` stops
the server and deletes the directory. :func:`unavailable` says why there is no
PostgreSQL here (tests skip with that reason).
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

__all__ = ["ThrowawayPostgres", "unavailable"]


def _bin_dir() -> Path | None:
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def _as_postgres() -> list[str]:
    """The command prefix that runs a server binary as an unprivileged user."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    return [runuser, "-u", "postgres", "--"] if runuser else ["su", "postgres", "-s", "/bin/sh", "-c"]


def unavailable() -> str | None:
    """Why no throwaway PostgreSQL can be started here (None: it can)."""
    if _bin_dir() is None:
        return "PostgreSQL is not installed (no initdb; Debian: apt-get install -y postgresql, as .ci/run does)"
    if os.geteuid() == 0:
        import pwd

        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root with no 'postgres' user to run initdb as (initdb refuses root)"
        if not shutil.which("runuser"):
            return "running as root without runuser to start PostgreSQL as the 'postgres' user"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayPostgres:
    """``start()``, then ``url`` (with the password) or ``url_without_password`` plus
    ``password``; ``stop()``. Also a context manager."""

    user = "alu"
    database = "alu"

    def __init__(self, *, max_connections: int = 200) -> None:
        self.password = secrets.token_urlsafe(12)
        self.port = 0
        self.max_connections = max_connections
        self._dir: Path | None = None

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/{self.database}"

    @property
    def url_without_password(self) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{self.database}"

    def _run(self, *args: str, timeout: float = 120) -> None:
        prefix = _as_postgres()
        if prefix and prefix[0] == "su":
            cmd = [*prefix, " ".join(f"'{a}'" for a in args)]
        else:
            cmd = [*prefix, *args]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd="/")
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({done.returncode}): {done.stdout[-2000:]}{done.stderr[-2000:]}")

    def start(self) -> ThrowawayPostgres:
        reason = unavailable()
        if reason:
            raise RuntimeError(reason)
        bin_dir = _bin_dir()
        assert bin_dir is not None
        self._dir = Path(tempfile.mkdtemp(prefix="alu-pg-"))
        pwfile = self._dir / "pw"
        pwfile.write_text(self.password + "\n")
        if os.geteuid() == 0:
            shutil.chown(self._dir, "postgres", "postgres")
            shutil.chown(pwfile, "postgres", "postgres")
        data, sock = self._dir / "data", self._dir
        self._run(
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            self.user,
            f"--pwfile={pwfile}",
            "--auth-host=scram-sha-256",
            "--auth-local=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        pwfile.unlink()
        self.port = _free_port()
        options = (
            f"-p {self.port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off "
            f"-c synchronous_commit=off -c full_page_writes=off -c max_connections={self.max_connections}"
        )
        self._run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(self._dir / "log"), "-o", options, "-w", "start")
        self._run(str(bin_dir / "createdb"), "-h", str(sock), "-p", str(self.port), "-U", self.user, self.database)
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(self.url, connect_timeout=5).close()
                return self
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        if self._dir is None:
            return
        bin_dir = _bin_dir()
        try:
            if bin_dir is not None and (self._dir / "data" / "postmaster.pid").exists():
                self._run(str(bin_dir / "pg_ctl"), "-D", str(self._dir / "data"), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self) -> ThrowawayPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
