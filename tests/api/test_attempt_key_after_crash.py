"""An Idempotency-Key whose first request died with its connection is served on the next retry.

Nothing but a transaction lock marks a key as in flight (tutor.attempts.idempotency), so when the
original request's process is killed its connection goes, the server ends the transaction and the key
is free: the retry stores the attempt once instead of answering 409 for minutes.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, auth_headers, create_item, create_kp
from tutor.db.models import Attempt
from tutor.settings import Settings

_HOLDER = """
import sys, time, psycopg
conn = psycopg.connect(sys.argv[1])
conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (sys.argv[2],))
print("held", flush=True)
time.sleep(600)
"""


async def test_a_key_held_by_a_killed_process_is_free_within_seconds(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, session: AsyncSession, db_url: str
) -> None:
    await create_kp(session, "lin.one_step")
    item = await create_item(session, ["lin.one_step"], answer="5")
    learner = world.students[0]
    headers = {**auth_headers(settings, learner), "Idempotency-Key": "dies-midway"}
    body = {"item_id": str(item.id), "answer": "5"}
    holder = await asyncio.create_subprocess_exec(  # stands in for the API process that died mid-transaction
        sys.executable,
        "-c",
        _HOLDER,
        db_url,
        f"attempt:{learner.id}:dies-midway",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None
        assert (await asyncio.wait_for(holder.stdout.readline(), 30)).strip() == b"held"
        in_flight = await client.post("/v1/attempts", json=body, headers=headers)
        assert in_flight.status_code == 409 and in_flight.headers["retry-after"]
        os.kill(holder.pid, signal.SIGKILL)
        await asyncio.wait_for(holder.wait(), 10)
    finally:
        if holder.returncode is None:
            holder.kill()
    started = time.monotonic()
    while True:
        retried = await client.post("/v1/attempts", json=body, headers=headers)
        if retried.status_code != 409 or time.monotonic() - started > 10:
            break
        await asyncio.sleep(0.2)
    assert retried.status_code == 201, retried.text
    assert time.monotonic() - started < 5
    replay = await client.post("/v1/attempts", json=body, headers=headers)
    assert replay.status_code == 200 and replay.json()["id"] == retried.json()["id"]
    stored = await session.scalar(
        select(func.count()).select_from(Attempt).where(Attempt.idempotency_key == "dies-midway")
    )
    assert stored == 1
