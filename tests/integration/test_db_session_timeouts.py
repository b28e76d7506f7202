"""The API's connections carry server-side timeouts, so an orphaned transaction cannot hold a key for long."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tutor.db.engine import make_engine, session_timeouts
from tutor.db.retry import sqlstate


async def test_the_apps_connections_have_timeouts_and_an_idle_transaction_is_ended(db_url: str) -> None:
    limits = session_timeouts({"TUTOR_DB_IDLE_IN_TRANSACTION_MS": "300", "TUTOR_DB_LOCK_TIMEOUT_MS": "200"})
    engine = make_engine(db_url, pool_size=2, server_settings=limits)
    try:
        async with engine.connect() as conn:
            shown = {
                name: (await conn.execute(text(f"SHOW {name}"))).scalar_one()
                for name in ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout")
            }
        assert shown == {
            "statement_timeout": "30s",
            "lock_timeout": "200ms",
            "idle_in_transaction_session_timeout": "300ms",
        }

        async with engine.connect() as holder, engine.connect() as waiter:
            await holder.execute(text("SELECT pg_advisory_xact_lock(42)"))  # then the client goes quiet
            await asyncio.sleep(0.8)  # the server ends the idle transaction and frees the lock
            assert (await waiter.execute(text("SELECT pg_try_advisory_xact_lock(42)"))).scalar_one()
            with pytest.raises(DBAPIError):
                await holder.execute(text("SELECT 1"))

        async with engine.connect() as first, engine.connect() as second:
            await first.execute(text("SELECT pg_advisory_xact_lock(7)"))
            with pytest.raises(DBAPIError) as waited:
                await second.execute(text("SELECT pg_advisory_xact_lock(7)"))
            assert sqlstate(waited.value) == "55P03"  # lock_timeout: the API answers 503 + Retry-After
    finally:
        await engine.dispose()
