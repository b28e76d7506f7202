"""CPU work never blocks the event loop: /health/live answers while a class of 50 is being enrolled."""

from __future__ import annotations

import asyncio
import time

import httpx
from litestar import Litestar

from tests.concurrency import concurrent_client
from tests.factories import World, auth_headers
from tutor.settings import Settings


async def test_health_answers_while_fifty_learners_are_enrolled(
    app: Litestar, world: World, settings: Settings
) -> None:
    async with concurrent_client(app) as client:
        await _enrol_fifty_while_probing(client, world, settings)


async def _enrol_fifty_while_probing(client: httpx.AsyncClient, world: World, settings: Settings) -> None:
    new = [
        {"username": f"kid{n:02d}", "display_name": f"学生{n}", "password": f"pass-word-{n:02d}"}
        for n in range(50)
    ]
    enrol = asyncio.ensure_future(
        client.post(
            f"/v1/classes/{world.school_class.id}/learners",
            json={"new_learners": new},
            headers=auth_headers(settings, world.teacher),
        )
    )
    await asyncio.sleep(0.05)
    answered_meanwhile, slowest = 0, 0.0
    while not enrol.done():  # 50 argon2 hashes: seconds of CPU, none of it on the loop
        started = time.perf_counter()
        live = await client.get("/health/live")
        slowest = max(slowest, time.perf_counter() - started)
        assert live.status_code == 200
        if not enrol.done():
            answered_meanwhile += 1
    response = await enrol
    assert response.status_code in (200, 201), response.text
    assert answered_meanwhile >= 3
    assert slowest < 1.0  # loose: the machine is shared; a blocked loop would stall for seconds
