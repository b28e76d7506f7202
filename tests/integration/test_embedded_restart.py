"""`tutor serve` SIGKILLed and started again adopts its still-running embedded PostgreSQL, then stops it."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def fresh_env() -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")}
    data = Path(tempfile.mkdtemp(prefix="tutor-restart-", dir="/tmp"))  # outside /root (STACK.md)
    env.update({"TUTOR_DATA_DIR": str(data), "TUTOR_EMBEDDED_PG_DIR": str(data / "pgdata")})
    yield env
    shutil.rmtree(data, ignore_errors=True)


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    port = _port()
    cmd = [sys.executable, "-m", "tutor.cli", "serve", "--port", str(port)]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), port


def _ready_after(proc: subprocess.Popen[bytes], port: int, limit_s: float = 120) -> float:
    start = time.monotonic()
    while time.monotonic() - start < limit_s:
        assert proc.poll() is None, f"serve exited with {proc.returncode}"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=2):
                return time.monotonic() - start
        except OSError:
            time.sleep(0.2)
    raise AssertionError("not ready in time")


def test_a_killed_api_restarts_on_its_embedded_server_and_stops_it_at_the_end(
    fresh_env: dict[str, str],
) -> None:
    pgdata = Path(fresh_env["TUTOR_EMBEDDED_PG_DIR"])
    first, port = _serve(fresh_env)
    try:
        _ready_after(first, port)
    finally:
        first.kill()  # SIGKILL: no shutdown hook runs, the server keeps running with a dead pid on file
        first.wait(timeout=30)
    assert (pgdata / "postmaster.pid").exists()

    second, port = _serve(fresh_env)
    try:
        assert _ready_after(second, port) < 60
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=60)
    finally:
        if second.poll() is None:
            second.kill()
    assert not (pgdata / "postmaster.pid").exists(), "the adopted server must stop with the service"
