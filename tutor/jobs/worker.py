"""``tutor worker``: run queued jobs and scheduled (cron) jobs."""

from __future__ import annotations

import asyncio

import click
from saq import Worker

from tutor.jobs.queue import collect_jobs, make_queue
from tutor.settings import get_settings

__all__ = ["worker"]


async def _run(url: str, concurrency: int, burst: bool) -> None:
    queue = make_queue(url)
    functions, cron = collect_jobs()
    if not functions and not cron:
        raise click.ClickException("No jobs are registered.")
    await queue.connect()
    try:
        worker = Worker(
            queue,
            functions,
            cron_jobs=cron,
            concurrency=concurrency,
            burst=burst,
            dequeue_timeout=1.0 if burst else 0.0,  # SAQ needs a timeout to notice an empty queue
        )
        await worker.start()
    finally:
        await queue.disconnect()


@click.command()
@click.option("--concurrency", default=2, show_default=True, help="Jobs run at the same time.")
@click.option("--burst", is_flag=True, help="Exit when the queue is empty (for tests and cron-style runs).")
def worker(concurrency: int, burst: bool) -> None:
    """Run background jobs (training runs, mastery fitting, retention)."""
    from tutor.db.session import database_url

    with database_url(get_settings()) as url:
        asyncio.run(_run(url, concurrency, burst))
