"""Teacher analytics latency with 40 learners and 1,000,000 attempts in the table.

Builds a fresh database (TUTOR_TEST_DATABASE_URL / TUTOR_DATABASE_URL server, else an embedded
PostgreSQL in a temp dir), generates the attempts in SQL with generate_series (seconds, not minutes),
rebuilds the aggregates and mastery from them (`tutor.analytics.rebuild`, the same code the repair path
uses), then calls each analytics route through the real app (HTTP stack, JWT auth, tenancy check,
SQL) and reports p50/p95 per route. Goal: p95 < 50 ms.

Baselines measured in the same run: ``GET /health/live`` through the same client (the floor of the
HTTP stack) and the naive way to answer weak-points, an aggregate straight over the attempts table.

Usage: ``python bench/bench_analytics.py [--attempts 1000000] [--calls 200]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import psycopg
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RESULTS = Path(__file__).resolve().parent / "results" / "bench_analytics.json"
ROOT = Path(__file__).resolve().parents[1]
LEARNERS = 40
ITEMS_PER_KP = 20


def _server_url() -> tuple[str, object | None]:
    url = os.environ.get("TUTOR_TEST_DATABASE_URL") or os.environ.get("TUTOR_DATABASE_URL")
    if url:
        from tutor.db.urls import libpq_url

        return libpq_url(url), None
    from tutor.db.embedded import EmbeddedPostgres

    server = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="tutor-bench-pg-", dir="/tmp")) / "pgdata")
    return server.start(), server


def _with_db(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


def seed(conn: psycopg.Connection, n_attempts: int) -> dict[str, str]:
    curriculum = yaml.safe_load((ROOT / "seed_data" / "curriculum.yaml").read_text())
    kps = curriculum["knowledge_points"]
    school, teacher, klass = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    conn.execute(
        "INSERT INTO schools (id, name, created_at, updated_at) VALUES (%s, 'Bench school', now(), now())",
        (school,),
    )
    conn.execute(
        "INSERT INTO users (id, school_id, role, username, display_name, is_active, created_at, updated_at) "
        "VALUES (%s, %s, 'teacher', 'bench-teacher', 'Bench Teacher', true, now(), now())",
        (teacher, school),
    )
    conn.execute(
        "INSERT INTO users (id, school_id, role, username, display_name, is_active, created_at, updated_at) "
        "SELECT gen_random_uuid(), %s, 'student', 'bench-learner-' || g, 'Learner ' || g, true, now(), now() "
        "FROM generate_series(1, %s) g",
        (school, LEARNERS),
    )
    conn.execute(
        "INSERT INTO classes (id, school_id, teacher_id, name, target_p_correct, created_at, updated_at) "
        "VALUES (%s, %s, %s, 'Bench class', 0.7, now(), now())",
        (klass, school, teacher),
    )
    conn.execute(
        "INSERT INTO enrolments (class_id, learner_id) SELECT %s, id FROM users WHERE role = 'student' "
        "AND school_id = %s",
        (klass, school),
    )
    conn.execute(  # analytics only ever shows learners whose guardian consented to it
        "INSERT INTO learner_consents (id, learner_id, purpose, guardian_relation, granted_at, created_at, "
        "updated_at) SELECT gen_random_uuid(), id, 'analytics', 'parent', now(), now(), now() FROM users "
        "WHERE role = 'student' AND school_id = %s",
        (school,),
    )
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO knowledge_points (code, name_zh, name_en) VALUES (%s, %s, %s)",
            [(kp["code"], kp["name_zh"], kp["name_en"]) for kp in kps],
        )
        cur.executemany(
            "INSERT INTO knowledge_point_prerequisites (code, requires) VALUES (%s, %s)",
            [(kp["code"], pre) for kp in kps for pre in kp["prerequisites"]],
        )
    conn.execute(
        "INSERT INTO items (id, code, stem_latex, answer, answer_kind, difficulty, discrimination, "
        "difficulty_prior, calibration_attempts, origin, verified, created_at, updated_at) "
        "SELECT gen_random_uuid(), kp.code || '#' || g, 'x + ' || g || ' = ' || (g + 5), '5', 'number', "
        "(random() * 3 - 1.5), 1.0, 0.0, 0, 'seed', true, now(), now() "
        "FROM knowledge_points kp CROSS JOIN generate_series(1, %s) g",
        (ITEMS_PER_KP,),
    )
    conn.execute(
        "INSERT INTO item_knowledge_points (item_id, kp_code) SELECT id, split_part(code, '#', 1) FROM items"
    )
    started = time.perf_counter()
    conn.execute(
        "WITH l AS (SELECT array_agg(id ORDER BY id) AS ids FROM users WHERE role = 'student'), "
        "i AS (SELECT array_agg(id ORDER BY id) AS ids, count(*) AS n FROM items), "
        "g AS (SELECT g, random() AS r, random() AS c FROM generate_series(1, %s) g) "
        "INSERT INTO attempts (id, learner_id, item_id, submitted_answer, is_correct, modality, created_at, "
        "updated_at) "
        "SELECT gen_random_uuid(), l.ids[1 + g.g %% %s], i.ids[1 + floor(g.r * i.n)::int], "
        "CASE WHEN g.c < 0.7 THEN '5' "
        "ELSE (ARRAY['4', '6', '-5', 'x = 4'])[1 + floor(random() * 4)::int] END, "
        "g.c < 0.7, 'typed', now() - (g.g::float / %s) * interval '120 days', "
        "now() - (g.g::float / %s) * interval '120 days' FROM g, l, i",
        (n_attempts, LEARNERS, n_attempts, n_attempts),
    )
    generate_seconds = time.perf_counter() - started
    return {"class_id": str(klass), "teacher_id": str(teacher), "generate_seconds": f"{generate_seconds:.1f}"}


async def rebuild(url: str) -> float:
    from tutor.analytics.rebuild import rebuild_aggregates
    from tutor.db.engine import make_engine, make_session_maker
    from tutor.learning.config import LearningConfig

    engine = make_engine(url, pool_size=1)
    started = time.perf_counter()
    async with make_session_maker(engine)() as session, session.begin():
        await rebuild_aggregates(session, LearningConfig())
    await engine.dispose()
    return time.perf_counter() - started


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_ms": statistics.median(ordered) * 1000,
        "p95_ms": p95 * 1000,
        "mean_ms": statistics.fmean(ordered) * 1000,
        "n": len(ordered),
    }


async def timed(call: Callable[[], Awaitable[object]], n: int, warmup: int = 10) -> list[float]:
    for _ in range(warmup):
        await call()
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - t)
    return samples


async def measure(url: str, class_id: str, teacher_id: str, calls: int) -> dict[str, dict[str, float]]:
    from litestar.testing import AsyncTestClient
    from sqlalchemy import text

    from tutor.app import create_app
    from tutor.auth.security import issue_token
    from tutor.db.engine import make_engine, make_session_maker
    from tutor.db.models import User
    from tutor.settings import Settings

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one log line per request would be timed too
    settings = Settings.from_env(
        {
            "TUTOR_DATABASE_URL": url,
            "TUTOR_JWT_SECRET": "bench-" + "x" * 40,
            "TUTOR_DATA_DIR": tempfile.mkdtemp(prefix="tutor-bench-data-"),
            "TUTOR_LOG_LEVEL": "WARNING",
        }
    )
    teacher = User(id=uuid.UUID(teacher_id), role="teacher", school_id=None)
    engine = make_engine(url, pool_size=2)
    async with make_session_maker(engine)() as session:
        teacher.school_id = (
            await session.execute(text("SELECT school_id FROM users WHERE id = :id"), {"id": teacher.id})
        ).scalar_one()
    token, _ = issue_token(settings, teacher)
    headers = {"Authorization": f"Bearer {token}"}
    results: dict[str, dict[str, float]] = {}
    async with AsyncTestClient(app=create_app(settings)) as client:

        def route(path: str) -> Callable[[], Awaitable[object]]:
            async def call() -> object:
                response = await client.get(path, headers=headers)
                assert response.status_code == 200, response.text
                return response

            return call

        results["baseline_health_live"] = percentiles(await timed(route("/health/live"), calls))
        base = f"/v1/classes/{class_id}/analytics"
        for name, path in (
            ("mastery", f"{base}/mastery"),
            ("weak_points", f"{base}/weak-points"),
            ("progress_day_30d", f"{base}/progress"),
            ("progress_week_1y", f"{base}/progress?bucket=week&from=2025-12-01"),
            ("alerts", f"{base}/alerts"),
        ):
            results[name] = percentiles(await timed(route(path), calls))

    naive_sql = text(
        "SELECT ikp.kp_code, count(*), count(*) FILTER (WHERE NOT a.is_correct) FROM attempts a "
        "JOIN enrolments e ON e.learner_id = a.learner_id AND e.class_id = :cid "
        "JOIN item_knowledge_points ikp ON ikp.item_id = a.item_id GROUP BY ikp.kp_code"
    )
    async with make_session_maker(engine)() as session:

        async def naive() -> object:
            return (await session.execute(naive_sql, {"cid": uuid.UUID(class_id)})).all()

        results["baseline_naive_error_rates_over_attempts_sql_only"] = percentiles(
            await timed(naive, max(5, calls // 20), warmup=1)
        )
    await engine.dispose()
    return results


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description="Teacher analytics latency on 1M attempts")
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args(argv)

    from tutor.db.migrate import upgrade

    server_url, server = _server_url()
    name = f"tutor_bench_{os.getpid()}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = _with_db(server_url, name)
    try:
        upgrade(url)
        with psycopg.connect(url, autocommit=True) as conn:
            ids = seed(conn, args.attempts)
        rebuild_seconds = asyncio.run(rebuild(url))
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
            counts = {
                table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
                for table in (
                    "attempts",
                    "mastery",
                    "learner_daily_stats",
                    "learner_daily_activity",
                    "learner_kp_stats",
                    "class_wrong_answer_tallies",
                )
            }
        timings = asyncio.run(measure(url, ids["class_id"], ids["teacher_id"], args.calls))
    finally:
        if not args.keep:
            with psycopg.connect(server_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if server is not None:
            server.stop()  # type: ignore[attr-defined]

    health = timings["baseline_health_live"]["p95_ms"]
    naive = timings["baseline_naive_error_rates_over_attempts_sql_only"]["p95_ms"]
    routes = {k: v for k, v in timings.items() if not k.startswith("baseline")}
    results: dict[str, object] = {
        "setup": {
            "learners": LEARNERS,
            "attempts": args.attempts,
            "rows": counts,
            "calls_per_route": args.calls,
        },
        "data_seconds": {
            "generate_attempts": float(ids["generate_seconds"]),
            "rebuild_aggregates": rebuild_seconds,
        },
        "timings": timings,
        "ratios": {
            name: {
                "p95_vs_health_p95": t["p95_ms"] / health,
                "p95_vs_naive_sql_p95": t["p95_ms"] / naive,
            }
            for name, t in routes.items()
        },
        "goal_p95_ms": 50,
        "all_routes_meet_goal": all(t["p95_ms"] < 50 for t in routes.values()),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
