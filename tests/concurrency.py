"""An HTTP client that really runs requests concurrently against the app, in the test's event loop.

Litestar's ``AsyncTestClient`` hands each request to a portal thread and waits for it, so requests
sent with ``asyncio.gather`` through it run one after another. Tests about concurrency (a class on
one item, the loop staying free) use this client instead: httpx's ASGI transport in the same loop,
with the app's lifespan (startup and shutdown hooks) around it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from litestar import Litestar

__all__ = ["concurrent_client"]


@asynccontextmanager
async def concurrent_client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]  # Litestar types its ASGI scopes strictly
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
            yield client
