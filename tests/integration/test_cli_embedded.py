"""The fresh-machine path: no TUTOR_DATABASE_URL -> the CLI runs its own PostgreSQL, and stops it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest


@pytest.fixture
def fresh_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")}
    # Outside /root: as root the embedded server chmods every parent of its data dir.
    data = Path("/tmp") / f"tutor-cli-{tmp_path.name}"
    env.update({"TUTOR_DATA_DIR": str(data), "TUTOR_EMBEDDED_PG_DIR": str(data / "pgdata")})
    return env


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
