"""The fresh-machine path: no TUTOR_DATABASE_URL -> the CLI runs its own PostgreSQL, and stops it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest


@pytest.fixture
def fresh_env() -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")}
    # Outside /root: as root the embedded server chmods every parent of its data dir. A unique directory
    # per test run, so concurrent checkouts never share (and mis-migrate) one embedded database.
    data = Path(tempfile.mkdtemp(prefix="tutor-cli-", dir="/tmp"))
    env.update({"TUTOR_DATA_DIR": str(data), "TUTOR_EMBEDDED_PG_DIR": str(data / "pgdata")})
    yield env
    shutil.rmtree(data, ignore_errors=True)


def _tutor(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tutor.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_migrate_then_db_start_and_stop_without_a_database_url(fresh_env: dict[str, str]) -> None:
    migrated = _tutor(fresh_env, "migrate")
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    assert "latest migration" in migrated.stdout

    started = _tutor(fresh_env, "db", "start")
    assert started.returncode == 0, started.stderr[-2000:]
    url = started.stdout.splitlines()[0]
    with psycopg.connect(url) as conn:
        head = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    assert head is not None

    stopped = _tutor(fresh_env, "db", "stop")
    assert stopped.returncode == 0 and "Stopped." in stopped.stdout
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=2)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_starts_embedded_postgres_answers_ready_and_stops_it_on_sigterm(
    fresh_env: dict[str, str],
) -> None:
    import signal
    import time
    import urllib.request

    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tutor.cli", "serve", "--port", str(port)],
        env=fresh_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body = None
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=2) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert body is not None and '"status":"ready"' in body, proc.stderr.read() if proc.poll() else body
        pid_file = Path(fresh_env["TUTOR_EMBEDDED_PG_DIR"]) / "postmaster.pid"
        assert pid_file.exists()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        assert not pid_file.exists(), "the embedded PostgreSQL must stop when the service exits"
    finally:
        if proc.poll() is None:
            proc.kill()
