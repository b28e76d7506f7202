"""Erasure survives a restart of `tutor up`, and demo accounts never reach a configured database unasked.

Through the real CLI (subprocesses) against a real PostgreSQL database, as an operator would run it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from tutor.db.urls import libpq_url
from tutor.seed.demo import demo_id


def _env(db_url: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")}
    env.update(
        {
            "TUTOR_DATABASE_URL": db_url,
            "TUTOR_DATA_DIR": str(tmp_path / "data"),
            "TUTOR_JWT_SECRET": "cli-test-secret-" + "y" * 40,
        }
    )
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _tutor_up(env: dict[str, str], *args: str) -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tutor.cli", "up", "--port", str(port), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(400):
            if proc.poll() is not None:
                raise AssertionError(f"tutor up exited: {proc.stderr.read()[-3000:] if proc.stderr else ''}")
            try:
                with urllib.request.urlopen(base + "/health/live", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()


def _sign_in(base: str, username: str, password: str) -> tuple[int, str | None]:
    body = urllib.parse.urlencode({"username": username, "password": password}).encode()
    try:
        with urllib.request.urlopen(base + "/v1/auth/token", data=body, timeout=30) as response:
            return response.status, json.loads(response.read())["access_token"]
    except urllib.error.HTTPError as exc:
        return exc.code, None


def _rows_about(db_url: str, learner_id: object) -> dict[str, int]:
    with psycopg.connect(libpq_url(db_url)) as conn:
        return {
            table: conn.execute(
                f"SELECT count(*) FROM {table} WHERE {column} = %s", (learner_id,)
            ).fetchone()[0]  # type: ignore[index]
            for table, column in (
                ("users", "id"),
                ("attempts", "learner_id"),
                ("mastery", "learner_id"),
                ("learner_consents", "learner_id"),
                ("enrolments", "learner_id"),
                ("learner_daily_activity", "learner_id"),
                ("learner_pseudonyms", "learner_id"),
            )
        }


def test_an_erased_demo_learner_stays_erased_after_tutor_up_restarts(db_url: str, tmp_path: Path) -> None:
    env = _env(db_url, tmp_path)
    learner = demo_id("user", "student05")
    with _tutor_up(env, "--demo") as base:
        status, token = _sign_in(base, "student05", "demo-student-pass")
        assert status == 200 and token
        _, admin = _sign_in(base, "admin", "demo-admin-pass")
        request = urllib.request.Request(
            f"{base}/v1/learners/{learner}", method="DELETE", headers={"Authorization": f"Bearer {admin}"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 200
    assert set(_rows_about(db_url, learner).values()) == {0}

    with _tutor_up(env, "--demo") as base:
        assert _sign_in(base, "student05", "demo-student-pass") == (401, None)
        assert _sign_in(base, "student06", "demo-student-pass")[0] == 200  # the others are still there
    assert set(_rows_about(db_url, learner).values()) == {0}
    with psycopg.connect(libpq_url(db_url)) as conn:
        records = conn.execute("SELECT key_hash, school_id FROM erasure_records").fetchall()
    assert len(records) == 1 and str(learner) not in records[0][0]  # a keyed hash, not the id


def test_seed_puts_no_demo_accounts_into_a_configured_database_unless_asked(
    db_url: str, tmp_path: Path
) -> None:
    env = _env(db_url, tmp_path)
    plain = subprocess.run(
        [sys.executable, "-m", "tutor.cli", "seed"], env=env, capture_output=True, text=True, timeout=300
    )
    assert plain.returncode == 0, plain.stderr[-2000:]
    with psycopg.connect(libpq_url(db_url)) as conn:
        users = conn.execute("SELECT count(*) FROM users").fetchone()
        items = conn.execute("SELECT count(*) FROM items").fetchone()
    assert users == (0,) and items is not None and items[0] > 100


def test_the_embedded_database_gets_the_demo_by_default_and_a_flag_always_wins(tmp_path: Path) -> None:
    from tutor.cli import wants_demo
    from tutor.settings import Settings

    embedded = Settings.from_env({"TUTOR_DATA_DIR": str(tmp_path), "TUTOR_JWT_SECRET": "s" * 40})
    configured = Settings.from_env({**embedded.env, "TUTOR_DATABASE_URL": "postgresql://db/x"})
    assert wants_demo(embedded, None) is True and wants_demo(configured, None) is False
    assert wants_demo(configured, True) is True and wants_demo(embedded, False) is False
