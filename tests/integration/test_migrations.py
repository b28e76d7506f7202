"""Migrations and models agree, and the chain goes up from empty and back down to base."""

from __future__ import annotations

import psycopg
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

import tutor.db.models  # noqa: F401 - registers every table
from tutor.db.base import metadata
from tutor.db.migrate import downgrade, head_revision, upgrade
from tutor.db.urls import libpq_url


def _sync_url(url: str) -> str:
    return "postgresql+psycopg://" + libpq_url(url)[len("postgresql://") :]


def test_autogenerate_finds_no_difference_between_models_and_migrations(db_url: str) -> None:
    engine = create_engine(_sync_url(db_url))
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    engine.dispose()
    assert diff == []


def test_downgrade_to_base_then_upgrade_to_head(db_url: str) -> None:
    downgrade(db_url, "base")
    engine = create_engine(_sync_url(db_url))
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    upgrade(db_url, "head")
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    engine.dispose()
    assert {"users", "items", "attempts", "mastery", "knowledge_points"} <= tables
    assert version == head_revision()


def test_attempts_enforce_one_key_per_learner(db_url: str) -> None:
    """The backstop under the advisory-lock idempotency: the database itself refuses a duplicate key."""
    with psycopg.connect(libpq_url(db_url)) as conn:
        rows = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'attempts' AND indexname = 'uq_attempts_learner_idempotency'"
        ).fetchall()
    assert rows and "UNIQUE" in rows[0][0] and "(learner_id, idempotency_key)" in rows[0][0]
