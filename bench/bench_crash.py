"""Crash run: learners submit attempts with Idempotency-Keys, the API is SIGKILLed mid-load and restarted.

Same setup as ``bench_attempts`` (fresh database on the test PostgreSQL, demo school, the API as one
uvicorn process). Each of N learners has a fixed list of attempts (a key and a body each; all learners
on the same few items, the case that used to deadlock) and submits them one after another; anything
but a 2xx (a dropped connection, 409 in flight, 503) is retried with the same key and body, honouring
Retry-After, until acknowledged. After ``--kill-after`` seconds the API gets SIGKILL, and it is
started again ``--restart-after`` seconds later (the database keeps running).

Printed and written to ``bench/results/bench_crash.json``: submitted, acknowledged, stored (rows in
the database), lost (acknowledged but not stored), duplicated (more than one row for a key, or a
replay that answers with another attempt id), and the recovery: restart → API live, restart → first
acknowledgement, restart → every attempt acknowledged.

Usage: ``python bench/bench_crash.py [--learners 16] [--per-learner 10]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
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

from bench.bench_attempts import (  # noqa: E402  (after the path is set)
    DEFAULT_SERVER,
    RESULTS,
    _free_port,
    prepare_database,
    sign_in,
    start_api,
    wait_live,
)


@dataclass
class Planned:
    learner: int
    key: str
    body: dict[str, str]
    acknowledged_at: float | None = None
    attempt_ids: set[str] = field(default_factory=set)
    tries: int = 0
    statuses: dict[str, int] = field(default_factory=dict)


@dataclass
class Clock:
    killed_at: float | None = None
    restarted_at: float | None = None
    live_at: float | None = None


async def learner_loop(
    client: httpx.AsyncClient, plan: list[Planned], clock: Clock, give_up_at: float
) -> None:
    for attempt in plan:
        while attempt.acknowledged_at is None and time.perf_counter() < give_up_at:
            attempt.tries += 1
            try:
                r = await client.post(
                    "/v1/attempts", json=attempt.body, headers={"Idempotency-Key": attempt.key}
                )
                code = str(r.status_code)
            except httpx.HTTPError:
                r, code = None, "connection"
            attempt.statuses[code] = attempt.statuses.get(code, 0) + 1
            if r is not None and r.status_code in (200, 201):
                attempt.acknowledged_at = time.perf_counter()
                attempt.attempt_ids.add(str(r.json()["id"]))
                break
            wait = 0.2
            if r is not None and r.headers.get("retry-after", "").isdigit():
                wait = min(float(r.headers["retry-after"]), 2.0)
            await asyncio.sleep(wait)


async def run(args: argparse.Namespace, server_url: str, name: str, url: str) -> dict[str, Any]:
    with psycopg.connect(url, autocommit=True) as conn:
        items = conn.execute(
            "SELECT id, answer FROM items WHERE school_id IS NULL ORDER BY code LIMIT 3"
        ).fetchall()
    work = Path(tempfile.mkdtemp(prefix="bench-crash-", dir="/tmp"))
    log_path, data_dir = work / "api.log", work / "data"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_api(url, port, log_path, data_dir)
    clock = Clock()
    try:
        await wait_live(base, proc)
        async with httpx.AsyncClient(base_url=base, timeout=60.0) as anon:
            tokens = [await sign_in(anon, f"student{n:02d}") for n in range(1, args.learners + 1)]
        plans = [
            [
                Planned(
                    learner=n,
                    key=f"crash-{n}-{k}-{uuid.uuid4().hex[:8]}",
                    body={
                        "item_id": str(items[k % len(items)][0]),
                        "answer": str(items[k % len(items)][1])
                        if k % 3
                        else f"{items[k % len(items)][1]} + 1",
                    },
                )
                for k in range(args.per_learner)
            ]
            for n in range(args.learners)
        ]
        clients = [
            httpx.AsyncClient(base_url=base, timeout=30.0, headers={"Authorization": f"Bearer {t}"})
            for t in tokens
        ]
        warm = await clients[0].post(  # the first attempt of a fresh API pays for imports; not counted
            "/v1/attempts", json=plans[0][0].body, headers={"Idempotency-Key": f"warm-{uuid.uuid4().hex}"}
        )
        warm.raise_for_status()
        started = time.perf_counter()
        give_up_at = started + args.give_up
        load = asyncio.gather(
            *(learner_loop(c, p, clock, give_up_at) for c, p in zip(clients, plans, strict=True))
        )

        async def crash_and_restart() -> None:
            nonlocal proc
            await asyncio.sleep(args.kill_after)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            clock.killed_at = time.perf_counter()
            await asyncio.sleep(args.restart_after)
            clock.restarted_at = time.perf_counter()
            proc = start_api(url, port, log_path, data_dir)
            await wait_live(base, proc)
            clock.live_at = time.perf_counter()

        await asyncio.gather(load, crash_and_restart())
        # after recovery: a replay of every key must give back the same attempt, never a new one
        for client, plan in zip(clients, plans, strict=True):
            for attempt in plan:
                if attempt.acknowledged_at is None:
                    continue  # never acknowledged: a replay would be a first submission
                again = await client.post(
                    "/v1/attempts", json=attempt.body, headers={"Idempotency-Key": attempt.key}
                )
                if again.status_code in (200, 201):
                    attempt.attempt_ids.add(str(again.json()["id"]))
        for c in clients:
            await c.aclose()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except Exception:
            proc.kill()

    everything = [a for plan in plans for a in plan]
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT idempotency_key, count(*), array_agg(id::text) FROM attempts "
            "WHERE idempotency_key LIKE 'crash-%%' GROUP BY 1"
        ).fetchall()
    stored = {key: (n, set(ids)) for key, n, ids in rows}
    acknowledged = [a for a in everything if a.acknowledged_at is not None]
    lost = [a for a in acknowledged if a.key not in stored]
    duplicated = [
        a
        for a in everything
        if (a.key in stored and stored[a.key][0] > 1)
        or len(a.attempt_ids) > 1
        or (a.key in stored and a.attempt_ids and not a.attempt_ids <= stored[a.key][1])
    ]
    ack_times = [a.acknowledged_at for a in acknowledged if a.acknowledged_at is not None]
    restarted = clock.restarted_at or 0.0
    killed = clock.killed_at or float("inf")
    after_restart = [t for t in ack_times if clock.restarted_at is not None and t > restarted]
    statuses: dict[str, int] = {}
    for a in everything:
        for code, n in a.statuses.items():
            statuses[code] = statuses.get(code, 0) + n
    results: dict[str, Any] = {
        "learners": args.learners,
        "per_learner": args.per_learner,
        "submitted": len(everything),
        "acknowledged": len(acknowledged),
        "stored": len(stored),
        "lost": len(lost),
        "duplicated": len(duplicated),
        "acknowledged_before_kill": sum(1 for t in ack_times if t < killed),
        "restart_to_live_s": round((clock.live_at or restarted) - restarted, 2),
        "restart_to_first_ack_s": round(min(after_restart) - restarted, 2) if after_restart else None,
        "restart_to_all_acknowledged_s": round(max(after_restart) - restarted, 2)
        if after_restart and len(acknowledged) == len(everything)
        else None,
        "tries": sum(a.tries for a in everything),
        "status_counts": dict(sorted(statuses.items())),
        "load": os.getloadavg()[0],
    }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=16)
    parser.add_argument("--per-learner", type=int, default=10)
    parser.add_argument("--kill-after", type=float, default=4.0)
    parser.add_argument("--restart-after", type=float, default=1.0)
    parser.add_argument("--give-up", type=float, default=240.0, help="seconds after which retries stop")
    args = parser.parse_args()
    from tutor.db.urls import libpq_url

    server_url = libpq_url(os.environ.get("TUTOR_TEST_DATABASE_URL") or DEFAULT_SERVER)
    name = f"bench_crash_{os.getpid()}"
    url = prepare_database(server_url, name)
    try:
        results = asyncio.run(run(args, server_url, name, url))
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    for key in ("submitted", "acknowledged", "stored", "lost", "duplicated"):
        print(f"{key:>14}: {results[key]}")
    print(
        f"recovery: live {results['restart_to_live_s']} s, first ack {results['restart_to_first_ack_s']} s, "
        f"all acknowledged {results['restart_to_all_acknowledged_s']} s after the restart; "
        f"statuses {results['status_counts']}"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "bench_crash.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
