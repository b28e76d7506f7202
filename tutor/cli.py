"""The ``tutor`` command: run, migrate, seed, and manage the embedded database.

Areas add their own click groups (models, audit, retention, train, fit-mastery) in ``_mount``.
"""

from __future__ import annotations

import asyncio
import os

import click

from tutor.db.session import database_url
from tutor.settings import Settings, get_settings

__all__ = ["main"]


@click.group()
def main() -> None:
    """Adaptive math tutoring backend."""
    import logging
    import sys

    import structlog

    # Command output goes to stdout; logs (structlog and stdlib, e.g. the embedded server's) to stderr.
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(sys.stderr))
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)


@main.command()
def migrate() -> None:
    """Apply database migrations up to head."""
    from tutor.db.migrate import upgrade

    with database_url(get_settings()) as url:
        upgrade(url)
    click.echo("Database is at the latest migration.")


def wants_demo(settings: Settings, demo: bool | None) -> bool:
    """Demo accounts (with published passwords) go only into the embedded database, unless asked for."""
    return settings.database_url is None if demo is None else demo


_DEMO_HELP = (
    "Load the demo school (users with published passwords, classes, attempts). "
    "Default: only into the embedded database, never into a configured TUTOR_DATABASE_URL."
)


@main.command()
@click.option("--demo/--no-demo", default=None, help=_DEMO_HELP)
def seed(demo: bool | None) -> None:
    """Load the curriculum, item bank and (see --demo) the demo school (idempotent)."""
    from tutor.db.migrate import upgrade
    from tutor.seed.loader import seed_database

    settings = get_settings()
    with database_url(settings) as url:
        upgrade(url)
        report = asyncio.run(seed_database(url, demo=wants_demo(settings, demo)))
    click.echo(report.summary())


@main.command()
@click.option("--host", default=None, help="Bind address (default TUTOR_HOST or 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default TUTOR_PORT or 8000).")
def serve(host: str | None, port: int | None) -> None:
    """Run the API (embedded PostgreSQL when TUTOR_DATABASE_URL is unset)."""
    import uvicorn

    os.environ.setdefault("TUTOR_MATH_PREWARM", "1")  # math workers ready before the first answer
    settings = get_settings()
    uvicorn.run(
        "tutor.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level.lower(),
        access_log=False,
    )


@main.command()
@click.option("--host", default=None)
@click.option("--port", default=None, type=int)
@click.option("--demo/--no-demo", default=None, help=_DEMO_HELP)
@click.pass_context
def up(ctx: click.Context, host: str | None, port: int | None, demo: bool | None) -> None:
    """Migrate, load the seed (and, on the embedded database, the demo school) and serve."""
    ctx.invoke(seed, demo=demo)
    ctx.invoke(serve, host=host, port=port)


@main.group()
def db() -> None:
    """The embedded PostgreSQL server (only when TUTOR_DATABASE_URL is unset)."""


@db.command("start")
def db_start() -> None:
    """Start the embedded server and leave it running; prints its URL."""
    settings = get_settings()
    if settings.database_url:
        raise click.ClickException("TUTOR_DATABASE_URL is set: there is no embedded server to start.")
    with database_url(settings, keep_running=True) as url:
        click.echo(url)
    click.echo(f"export TUTOR_DATABASE_URL='{url}'  # to use it from other commands")


@db.command("stop")
def db_stop() -> None:
    """Stop an embedded server left running by `tutor db start`."""
    from tutor.db.embedded import stop_data_dir

    settings = get_settings()
    stopped = stop_data_dir(settings.embedded_pg_dir)
    click.echo("Stopped." if stopped else "No embedded server was running.")


def _mount() -> None:
    """Attach the command groups each area owns."""
    from tutor.audit.cli import audit
    from tutor.cli_models import models
    from tutor.jobs.worker import worker
    from tutor.learning_cli import fit_mastery, recalibrate_items
    from tutor.privacy.cli import retention
    from tutor.training.cli import train
    from tutor.training.math_lora import train_math_lora

    for command in (fit_mastery, recalibrate_items, models, audit, retention, train, train_math_lora, worker):
        main.add_command(command)


_mount()

if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
