"""Test infrastructure: a real PostgreSQL, one fresh migrated database per test.

The server is ``TUTOR_TEST_DATABASE_URL`` when set (CI: the machine's PostgreSQL), otherwise an
embedded server in a temp dir. Migrations run once into a template database; each test that asks for
the database gets its own copy (CREATE DATABASE ... TEMPLATE), so tests are isolated and order-free,
including tests that exercise concurrent transactions.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from adapters._torch_compat import ensure_torchvision_ops
from tutor.db.engine import make_engine, make_session_maker
from tutor.db.migrate import upgrade
from tutor.db.urls import libpq_url
from tutor.settings import Settings

ensure_torchvision_ops()  # before anything imports torchvision (see STACK.md: the CPU torchvision trap)


def _with_database(url: str, database: str) -> str:
    return make_url(libpq_url(url)).set(database=database).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """URL of a database on the test server with the right to CREATE DATABASE."""
    configured = os.environ.get("TUTOR_TEST_DATABASE_URL")
    if configured:
        yield libpq_url(configured)
        return
    from tutor.db.embedded import EmbeddedPostgres

    base = Path(tempfile.mkdtemp(prefix="tutor-test-pg-", dir="/tmp"))
    server = EmbeddedPostgres(base / "pgdata")
    url = server.start()
    yield url
    server.stop()


@pytest.fixture(scope="session")
def template_database(pg_server_url: str) -> Iterator[str]:
    name = f"tutor_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    upgrade(_with_database(pg_server_url, name))
    yield name
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db_url(pg_server_url: str, template_database: str) -> Iterator[str]:
    """A fresh database at migration head, dropped after the test."""
    name = f"tutor_t_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"')
    yield _with_database(pg_server_url, name)
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings.from_env(
        {
            "TUTOR_DATABASE_URL": db_url,
            "TUTOR_DATA_DIR": str(tmp_path / "data"),
            "TUTOR_JWT_SECRET": "test-secret-" + "x" * 32,
            "TUTOR_DB_POOL_SIZE": "5",
        }
    )


@pytest.fixture
async def session(db_url: str) -> AsyncIterator[AsyncSession]:
    """A session on the test's database; factories commit so the app sees their rows."""
    engine = make_engine(db_url, pool_size=2)
    async with make_session_maker(engine)() as db_session:
        yield db_session
    await engine.dispose()


@pytest.fixture
def app(settings: Settings) -> Litestar:
    from tutor.app import create_app

    return create_app(settings)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


@pytest.fixture
async def world(session: AsyncSession) -> object:
    from tests.factories import build_world

    return await build_world(session)
