"""The nightly learner-model job runs through the real SAQ worker on PostgreSQL."""

from __future__ import annotations

import psycopg

from tutor.db.urls import libpq_url
from tutor.jobs.queue import collect_jobs, make_queue
from tutor.jobs.worker import _run
from tutor.seed.loader import seed_database


async def test_refit_job_fits_versions_and_rebuilds_mastery(db_url: str) -> None:
    await seed_database(db_url)  # the demo school: ~3 weeks of attempts
    names = {fn.__name__ for fn in collect_jobs()[0]}
    assert {"refit_learner_model", "train_adapter", "retention_job"} <= names

    queue = make_queue(db_url)
    await queue.connect()
    job = await queue.enqueue("refit_learner_model", min_observations=10, timeout=600)
    await queue.disconnect()
    assert job is not None

    await _run(db_url, concurrency=1, burst=True)

    with psycopg.connect(libpq_url(db_url)) as conn:
        versions = conn.execute("SELECT count(*) FROM bkt_param_versions").fetchone()
        stale = conn.execute(
            "SELECT count(*) FROM mastery m WHERE m.params_version IS DISTINCT FROM "
            "(SELECT max(v.id) FROM bkt_param_versions v WHERE v.kp_code = m.kp_code AND v.active)"
        ).fetchone()
    assert versions is not None and versions[0] > 0
    assert stale == (0,)  # every mastery row was replayed with the newest *active* fitted parameters
    queue = make_queue(db_url)
    await queue.connect()
    done = await queue.job(job.key)
    await queue.disconnect()
    assert done is not None and done.status == "complete", getattr(done, "error", None)
    assert done.result["knowledge_points_fitted"] > 0
    assert 0 <= done.result["knowledge_points_activated"] <= done.result["knowledge_points_fitted"]
