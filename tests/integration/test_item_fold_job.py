"""`tutor worker` folds the item calibration inbox (through the real SAQ worker on PostgreSQL)."""

from __future__ import annotations

import psycopg

from tutor.db.urls import libpq_url
from tutor.jobs.queue import collect_jobs, make_queue
from tutor.jobs.worker import _run
from tutor.seed.loader import seed_database


async def test_the_worker_folds_queued_attempts_into_item_difficulty(db_url: str) -> None:
    await seed_database(db_url, demo=False)
    assert "fold_item_calibration_job" in {fn.__name__ for fn in collect_jobs()[0]}
    with psycopg.connect(libpq_url(db_url)) as conn:
        item_id, before = conn.execute(
            "SELECT id, calibration_attempts FROM items ORDER BY code LIMIT 1"
        ).fetchone()  # type: ignore[misc]
        conn.execute(
            "INSERT INTO item_calibration_inbox (item_id, predicted, correct, at) "
            "SELECT %s, 0.3, true, now() FROM generate_series(1, 5)",
            (item_id,),
        )
    queue = make_queue(db_url)
    await queue.connect()
    job = await queue.enqueue("fold_item_calibration_job", timeout=120)
    await queue.disconnect()
    assert job is not None

    await _run(db_url, concurrency=1, burst=True)

    with psycopg.connect(libpq_url(db_url)) as conn:
        after = conn.execute("SELECT calibration_attempts FROM items WHERE id = %s", (item_id,)).fetchone()
        left = conn.execute("SELECT count(*) FROM item_calibration_inbox").fetchone()
        drift = conn.execute(
            "SELECT drift_attempts FROM item_calibration WHERE item_id = %s", (item_id,)
        ).fetchone()
    assert after == (before + 5,)
    assert left == (0,)
    assert drift == (5,)
