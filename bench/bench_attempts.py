"""A class answering at once: ``POST /v1/attempts`` under classroom load, through the real app.

Builds a fresh database on the test PostgreSQL (``TUTOR_TEST_DATABASE_URL``, else the machine's
``postgresql://postgres@127.0.0.1:5432/test``), migrates it, loads the seed with the demo school
(60 students with published passwords), starts the API the way ``tutor serve`` does (one uvicorn
process) and signs in N demo students. Then, each phase for ``--seconds``:

* **baseline**: the same N clients loop ``GET /v1/me`` (the floor of an authenticated request);
* **scenario A**: every learner answers the *same* item (a teacher's exercise on the board);
* **scenario B**: every learner fetches their own next exercise and answers it.

Reported per scenario: attempts/s, p50/p99 latency of the attempt, 5xx count, other non-2xx codes,
attempts stored (counted in the database), deadlocks (``pg_stat_database.deadlocks`` delta plus
``deadlock detected`` lines in the server's log) and the ratio attempts/s ÷ baseline reads/s,
measured in the same run (absolute figures are noisy on a shared 2-core machine).

Usage: ``python bench/bench_attempts.py [--learners 40] [--seconds 30] [--label before]``
Writes ``bench/results/bench_attempts.json`` (or ``bench_attempts_<label>.json``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/test"
STUDENT_PASSWORD = "demo-student-pass"


@dataclass
class Phase:
    name: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    ok: int = 0

    def record(self, status: int, elapsed: float) -> None:
        self.latencies.append(elapsed)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if 200 <= status < 300:
            self.ok += 1

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies)

        def pct(p: float) -> float | None:
            return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 1) if lat else None

        return {
            "requests": len(lat),
            "ok_per_s": round(self.ok / self.seconds, 2),
            "p50_ms": pct(0.50),
            "p99_ms": pct(0.99),
            "status_counts": {str(k): v for k, v in sorted(self.statuses.items())},
            "5xx": sum(v for k, v in self.statuses.items() if k >= 500),
            "transport_errors": self.errors,
        }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _with_db(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


def prepare_database(server_url: str, name: str) -> str:
    """Create, migrate and seed (demo school) a fresh database; returns its URL."""
    from tutor.db.migrate import upgrade
    from tutor.seed.loader import seed_database

    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = _with_db(server_url, name)
    upgrade(url)
    asyncio.run(seed_database(url, demo=True))
    return url


def start_api(url: str, port: int, log_path: Path, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TUTOR_DATABASE_URL": url,
        "TUTOR_DATA_DIR": str(data_dir),
        "TUTOR_JWT_SECRET": "bench-secret-" + "x" * 32,
        "TUTOR_LOG_LEVEL": "WARNING",
        "TUTOR_MATH_PREWARM": "1",  # as `tutor serve` sets it
        "HF_HUB_OFFLINE": "1",
        "NO_ALBUMENTATIONS_UPDATE": "1",
    }
    cmd = [
        sys.executable, "-m", "uvicorn", "tutor.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    handle = log_path.open("ab")
    return subprocess.Popen(cmd, env=env, stdout=handle, stderr=subprocess.STDOUT, cwd=str(ROOT))


async def wait_live(base: str, proc: subprocess.Popen[bytes], within_s: float = 90.0) -> float:
    start = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, timeout=2.0) as client:
        while time.perf_counter() - start < within_s:
            if proc.poll() is not None:
                raise RuntimeError(f"the API exited with {proc.returncode}")
            try:
                if (await client.get("/health/live")).status_code == 200:
                    return time.perf_counter() - start
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("the API did not come up")


async def sign_in(client: httpx.AsyncClient, username: str) -> str:
    for _ in range(5):
        r = await client.post("/v1/auth/token", data={"username": username, "password": STUDENT_PASSWORD})
        if r.status_code == 200:
            return str(r.json()["access_token"])
        await asyncio.sleep(1)
    raise RuntimeError(f"sign-in failed for {username}: {r.status_code} {r.text[:200]}")


def _answer(answers: dict[str, str], item_id: str, rng: random.Random) -> str:
    right = answers[item_id]
    return right if rng.random() < 0.7 else f"{right} + 1"


async def run_phase(
    clients: list[httpx.AsyncClient],
    phase: Phase,
    kind: str,
    answers: dict[str, str],
    shared_item: str | None,
    extra: Phase | None = None,
) -> None:
    deadline = time.perf_counter() + phase.seconds

    async def learner(n: int, client: httpx.AsyncClient) -> None:
        rng = random.Random(n)
        while time.perf_counter() < deadline:
            try:
                if kind == "me":
                    t0 = time.perf_counter()
                    r = await client.get("/v1/me")
                    phase.record(r.status_code, time.perf_counter() - t0)
                    continue
                item_id = shared_item
                if item_id is None:
                    t0 = time.perf_counter()
                    nxt = await client.get("/v1/me/next-exercise")
                    if extra is not None:
                        extra.record(nxt.status_code, time.perf_counter() - t0)
                    if nxt.status_code != 200:
                        await asyncio.sleep(0.05)
                        continue
                    item_id = str(nxt.json()["item"]["id"])
                t0 = time.perf_counter()
                r = await client.post(
                    "/v1/attempts",
                    json={"item_id": item_id, "answer": _answer(answers, item_id, rng)},
                    headers={"Idempotency-Key": str(uuid.uuid4())},
                )
                phase.record(r.status_code, time.perf_counter() - t0)
            except httpx.HTTPError:
                phase.errors += 1
                await asyncio.sleep(0.05)

    await asyncio.gather(*(learner(n, c) for n, c in enumerate(clients)))


def _deadlocks(server_url: str, name: str) -> int:
    with psycopg.connect(server_url, autocommit=True) as conn:
        row = conn.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = %s", (name,)).fetchone()
    return int(row[0]) if row else 0


def _stored(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM attempts").fetchone()
    return int(row[0]) if row else 0


def _log_count(log_path: Path, needle: str) -> int:
    return log_path.read_text(errors="replace").count(needle) if log_path.exists() else 0


async def main_async(args: argparse.Namespace, server_url: str, name: str, url: str) -> dict[str, Any]:
    with psycopg.connect(url, autocommit=True) as conn:
        answers = {str(i): str(a) for i, a in conn.execute("SELECT id, answer FROM items").fetchall()}
    work = Path(tempfile.mkdtemp(prefix="bench-attempts-", dir="/tmp"))
    log_path = work / "api.log"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_api(url, port, log_path, work / "data")
    results: dict[str, Any] = {
        "learners": args.learners,
        "seconds": args.seconds,
        "label": args.label,
        "load_before": os.getloadavg()[0],
    }
    try:
        await wait_live(base, proc)
        limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
        anon = httpx.AsyncClient(base_url=base, timeout=60.0)
        sem = asyncio.Semaphore(4)

        async def login(n: int) -> str:
            async with sem:
                return await sign_in(anon, f"student{n:02d}")

        tokens = await asyncio.gather(*(login(n) for n in range(1, args.learners + 1)))
        await anon.aclose()
        clients = [
            httpx.AsyncClient(
                base_url=base, timeout=60.0, limits=limits, headers={"Authorization": f"Bearer {t}"}
            )
            for t in tokens
        ]
        first = await clients[0].get("/v1/me/next-exercise")
        first.raise_for_status()
        shared = str(first.json()["item"]["id"])
        results["shared_item"] = shared
        for scenario, label in (("A", "same item"), ("B", "own next exercise")):
            baseline = Phase("GET /v1/me", args.seconds)
            await run_phase(clients, baseline, "me", answers, None)
            attempts = Phase("POST /v1/attempts", args.seconds)
            nexts = Phase("GET /v1/me/next-exercise", args.seconds)
            dl0, stored0 = _deadlocks(server_url, name), _stored(url)
            log_dl0 = _log_count(log_path, "deadlock detected")
            await run_phase(clients, attempts, "attempt", answers, shared if scenario == "A" else None, nexts)
            me = baseline.summary()
            out = attempts.summary()
            out.update(
                {
                    "scenario": label,
                    "attempts_per_s": out["ok_per_s"],
                    "stored": _stored(url) - stored0,
                    "deadlocks_pg_stat": _deadlocks(server_url, name) - dl0,
                    "deadlocks_in_log": _log_count(log_path, "deadlock detected") - log_dl0,
                    "baseline_me": me,
                    "ratio_attempts_to_me_reads": round(out["ok_per_s"] / me["ok_per_s"], 3)
                    if me["ok_per_s"]
                    else None,
                }
            )
            if scenario == "B":
                out["next_exercise"] = nexts.summary()
            results[scenario] = out
            print(
                f"[{scenario}] {label}: {out['attempts_per_s']} attempts/s, p50 {out['p50_ms']} ms, "
                f"p99 {out['p99_ms']} ms, 5xx {out['5xx']}, statuses {out['status_counts']}, "
                f"stored {out['stored']}, deadlocks {out['deadlocks_pg_stat']} (log "
                f"{out['deadlocks_in_log']}); GET /v1/me {me['ok_per_s']} reads/s (p99 {me['p99_ms']} ms); "
                f"ratio {out['ratio_attempts_to_me_reads']}"
            )
        for c in clients:
            await c.aclose()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        results["server_log_errors"] = _log_count(log_path, '"level": "error"') + _log_count(
            log_path, "[error"
        )
        results["load_after"] = os.getloadavg()[0]
        if not args.keep_db:
            with psycopg.connect(server_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--label", default="", help="suffix of the JSON file, e.g. 'before'")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    if not 1 <= args.learners <= 60:
        parser.error("--learners must be 1-60 (the demo school has 60 students)")
    from tutor.db.urls import libpq_url

    server_url = libpq_url(os.environ.get("TUTOR_TEST_DATABASE_URL") or DEFAULT_SERVER)
    name = f"bench_attempts_{os.getpid()}"
    t0 = time.perf_counter()
    url = prepare_database(server_url, name)
    print(f"database {name} ready in {time.perf_counter() - t0:.1f} s")
    results = asyncio.run(main_async(args, server_url, name, url))
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / (f"bench_attempts_{args.label}.json" if args.label else "bench_attempts.json")
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
