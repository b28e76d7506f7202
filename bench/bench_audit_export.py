"""Audit export memory: peak RSS while streaming 1M events vs 10k events (same code path as the route).

Run: ``.venv/bin/python bench/bench_audit_export.py [--url postgresql://...] [--large 1000000]``.
Uses ``TUTOR_DATABASE_URL`` (or ``--url``; default the local server) to create a scratch database,
migrates it, fills ``audit_events`` with synthetic rows by SQL, then exports each size in a fresh
child process (so each peak RSS is its own) through the export route's streaming body, draining the
bytes. A third child does everything but fetch rows: the baseline. Prints the figures and writes
``bench/results/audit_export.json``; quote the ratios (large/small), not the absolute megabytes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results" / "audit_export.json"
ROOT = Path(__file__).resolve().parents[1]

FILL_SQL = """
INSERT INTO audit_events (seq, occurred_at, kind, actor_id, actor_role, actor_ref, learner_ref, school_id,
                          payload, prev_hash, hash)
SELECT i + :offset,
       timestamptz '2026-01-01' + make_interval(secs => i + :offset),
       (ARRAY['attempt.recorded', 'model_output.hint', 'mastery.reached',
              'model_output.solution'])[1 + i % 4],
       NULL, 'student', NULL, 'lrn_' || md5((i % 500)::text), :school,
       jsonb_build_object('item_id', md5(i::text), 'is_correct', i % 3 = 0, 'model', 'belle-7b',
                          'adapter', 'math-lora@3', 'text', repeat('先移项，再合并同类项。', 1 + i % 4)),
       md5((i + :offset - 1)::text) || md5((i + :offset - 1)::text),
       md5((i + :offset)::text) || md5((i + :offset)::text)
FROM generate_series(1, :count) AS i
"""


def _current_rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def _child(url: str, mode: str) -> dict[str, Any]:
    """Export every stored event and report memory and time.

    ``stream``: the route's streaming body. ``naive``: the control, all rows fetched into memory first
    (what a plain ``.all()`` would do), to show the measurement sees growth when there is some.
    ``baseline``: only connect.
    """
    from sqlalchemy import text

    from tutor.audit.config import AuditSettings
    from tutor.audit.controllers import _export_body
    from tutor.audit.formats import encode_stream
    from tutor.audit.store import EventFilter, stream_rows
    from tutor.db.engine import make_engine, make_session_maker

    engine = make_engine(url, pool_size=2)
    sessions = make_session_maker(engine)
    settings = AuditSettings.from_env({})
    async with sessions() as session:
        await session.execute(text("SELECT 1"))
    before = _current_rss_mib()
    peak = before
    started = time.perf_counter()
    total_bytes = 0
    if mode == "stream":
        async for chunk in _export_body(sessions, EventFilter(), "jsonl", settings):
            total_bytes += len(chunk)
            peak = max(peak, _current_rss_mib())
    elif mode == "naive":
        async with sessions() as session:
            everything = [row async for batch in stream_rows(session, EventFilter()) for row in batch]

            async def one_batch() -> AsyncIterator[list[Any]]:
                yield everything

            async for chunk in encode_stream(one_batch(), "jsonl", home_page=settings.xapi_home_page):
                total_bytes += len(chunk)
                peak = max(peak, _current_rss_mib())
    seconds = time.perf_counter() - started
    await engine.dispose()
    return {
        "rss_before_mib": round(before, 1),
        "rss_growth_mib": round(peak - before, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "bytes": total_bytes,
        "seconds": round(seconds, 2),
    }


def _run_child(url: str, mode: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--url", url],
        capture_output=True, text=True, check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _with_db(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--url", default=os.environ.get("TUTOR_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--medium", type=int, default=100_000, help="largest size for the naive control")
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--child", choices=["stream", "naive", "baseline"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(asyncio.run(_child(args.url, args.child))))
        return

    import psycopg

    from tutor.db.migrate import upgrade
    from tutor.db.urls import libpq_url

    server = libpq_url(args.url)
    name = f"tutor_bench_audit_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = _with_db(server, name)
    sizes = {"small": args.small, "medium": args.medium, "large": args.large}
    plan = [
        ("baseline", "small", "baseline"),
        ("stream_small", "small", "stream"),
        ("naive_small", "small", "naive"),
        ("stream_medium", "medium", "stream"),
        ("naive_medium", "medium", "naive"),
        ("stream_large", "large", "stream"),
    ]
    figures: dict[str, Any] = {}
    try:
        upgrade(url)
        filled = 0
        school = str(uuid.uuid4())
        with psycopg.connect(url, autocommit=True) as conn:
            for label, size_name, mode in plan:
                size = sizes[size_name]
                if size > filled:
                    started = time.perf_counter()
                    sql = FILL_SQL.replace(":offset", str(filled)).replace(":count", str(size - filled))
                    conn.execute(sql.replace(":school", f"'{school}'::uuid"))
                    conn.execute("VACUUM ANALYZE audit_events")
                    print(
                        f"filled {size - filled} events in {time.perf_counter() - started:.1f} s", flush=True
                    )
                    filled = size
                result = _run_child(url, mode)
                result["events"] = size if mode != "baseline" else 0
                if result["events"]:
                    result["events_per_second"] = round(size / result["seconds"])
                figures[label] = result
                print(f"{label:>14}: {result['events']:>9} events  "
                      f"RSS growth {result['rss_growth_mib']:7.1f} MiB  "
                      f"peak {result['peak_rss_mib']:.1f} MiB  "
                      f"{result['bytes'] / 1e6:.1f} MB in {result['seconds']:.1f} s", flush=True)  # fmt: skip
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    summary = {
        "stream_peak_rss_ratio_large_vs_small": round(
            figures["stream_large"]["peak_rss_mib"] / figures["stream_small"]["peak_rss_mib"], 3
        ),
        "stream_rss_growth_mib": {k: figures[f"stream_{k}"]["rss_growth_mib"] for k in sizes},
        "naive_rss_growth_mib": {k: figures[f"naive_{k}"]["rss_growth_mib"] for k in ("small", "medium")},
        "stream_throughput_ratio_large_vs_small": round(
            figures["stream_large"]["events_per_second"] / figures["stream_small"]["events_per_second"], 2
        ),
        "events": sizes,
        "batch_rows": 2000,
        "format": "jsonl",
    }
    print(json.dumps(summary, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"figures": figures, "summary": summary}, indent=2) + "\n")


if __name__ == "__main__":
    main()
