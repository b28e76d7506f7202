"""Alembic environment (async): URL from the caller's config or TUTOR_DATABASE_URL."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_engine_from_config

import tutor.db.models  # noqa: F401 - registers every table on the metadata
from tutor.db.base import metadata
from tutor.db.urls import async_url

config = context.config
target_metadata = metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("TUTOR_DATABASE_URL")
    if not url:
        raise RuntimeError("No database URL: set TUTOR_DATABASE_URL or use `tutor migrate`.")
    return async_url(url)


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Render advanced-alchemy column types by their short names (imported in script.py.mako)."""
    module = type(obj).__module__
    if type_ == "type" and module.startswith("advanced_alchemy.types"):
        return repr(obj).replace(module + ".", "")
    return False


def do_run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection, target_metadata=target_metadata, compare_type=True, render_item=_render_item
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    engine = async_engine_from_config(
        {"sqlalchemy.url": _url()}, prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
    await engine.dispose()


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    connection = config.attributes.get("connection")
    if connection is not None:
        do_run_migrations(connection)
    else:
        asyncio.run(run_async_migrations())
