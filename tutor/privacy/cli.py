"""``tutor retention run [--dry-run]``: apply (or preview) the retention periods now."""

from __future__ import annotations

import asyncio

import click

from tutor.privacy.config import PrivacySettings
from tutor.privacy.retention import RetentionReport, run_retention

__all__ = ["retention"]


async def _run(url: str, settings: PrivacySettings, dry_run: bool) -> RetentionReport:
    from tutor.db.engine import make_engine, make_session_maker

    engine = make_engine(url, pool_size=1)
    try:
        async with make_session_maker(engine)() as session, session.begin():
            return await run_retention(session, settings, dry_run=dry_run)
    finally:
        await engine.dispose()


@click.group()
def retention() -> None:
    """Delete learner data older than its retention period."""


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
def run(dry_run: bool) -> None:
    """Apply the retention periods (TUTOR_RETENTION_DAYS) now."""
    from tutor.db.session import database_url
    from tutor.settings import get_settings

    try:
        settings = PrivacySettings.from_env()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    with database_url(get_settings()) as url:
        report = asyncio.run(_run(url, settings, dry_run))
    verb = "would delete" if dry_run else "deleted"
    for item in report.items:
        note = f" ({item.note})" if item.note else ""
        click.echo(f"{item.table}: {verb} {item.rows} rows older than {item.days} days{note}")
    click.echo(f"Total: {verb} {report.total} rows.")
