"""A client that disconnects from a streamed reply stops the model, and what was said is kept.

Runs the real app under uvicorn (the in-process test client cannot hang up mid-stream).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from litestar import Litestar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.llm.local import LocalEngine
from adapters.llm.testing import tiny_llm_env
from tests.factories import World, auth_headers
from tutor.audit.kinds import MODEL_OUTPUT_DIALOGUE_TURN, MODEL_OUTPUT_SOLUTION
from tutor.db.models.audit import AuditEvent
from tutor.db.models.dialogues import DialogueTurnRow
from tutor.settings import Settings
from tutor.tutoring.engine import ENGINE_KEY


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings.from_env(
        {
            "TUTOR_DATABASE_URL": db_url,
            "TUTOR_DATA_DIR": str(tmp_path / "data"),
            "TUTOR_JWT_SECRET": "test-secret-" + "x" * 32,
            **tiny_llm_env(),
        }
    )


@pytest.fixture
def served(app: Litestar) -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(15)
    sock.close()


async def test_disconnect_cancels_generation_and_keeps_the_partial_reply(
    served: str, app: Litestar, world: World, settings: Settings, session: AsyncSession
) -> None:
    headers = auth_headers(settings, world.students[0])
    async with httpx.AsyncClient(base_url=served, headers=headers, timeout=30) as http:
        created = await http.post("/v1/dialogues", json={"problem": "2x + 3 = 7"})
        assert created.status_code == 201, created.text
        url = f"/v1/dialogues/{created.json()['id']}/turns/stream"
        endless = {
            "message": "Explain everything",
            "params": {"max_new_tokens": 2000, "min_new_tokens": 2000},
        }
        async with http.stream("POST", url, json=endless) as response:
            assert response.status_code == 201
            tokens = 0
            async for line in response.aiter_lines():
                tokens += line.startswith("event: progress")
                if tokens >= 3:
                    break  # hang up mid-reply
    event = None
    for _ in range(300):
        event = await session.scalar(select(AuditEvent).where(AuditEvent.kind == MODEL_OUTPUT_DIALOGUE_TURN))
        if event is not None:
            break
        await asyncio.sleep(0.1)
    assert event is not None and event.payload["verdict"]["finish_reason"] == "cancelled"
    turn = await session.scalar(select(DialogueTurnRow).where(DialogueTurnRow.role == "tutor"))
    assert turn is not None and event.payload["output"]  # the partial reply is kept in the audit log
    if event.payload["verdict"]["served"] == "model":  # the learner's turn is the partial reply itself
        assert turn.text == event.payload["output"].strip()
    else:  # or it failed the reply check (a tiny random model's text) and the solver's step was stored
        assert event.payload["verdict"]["rejected_because"] and turn.text != event.payload["output"]
    engine = app.state[ENGINE_KEY]
    assert isinstance(engine, LocalEngine)
    for _ in range(300):
        if engine.stats.streams_cancelled:
            break
        await asyncio.sleep(0.1)
    assert engine.stats.streams_cancelled == 1 and engine.stats.last_stream_steps < 2000


async def test_disconnect_from_a_streamed_solution_still_audits_what_was_said(
    served: str, world: World, settings: Settings, session: AsyncSession
) -> None:
    headers = auth_headers(settings, world.students[0])
    endless = {"problem": "2x + 3 = 7", "params": {"max_new_tokens": 2000, "min_new_tokens": 2000}}
    async with (
        httpx.AsyncClient(base_url=served, headers=headers, timeout=30) as http,
        http.stream("POST", "/v1/solve/stream", json=endless) as response,
    ):
        assert response.status_code == 201
        tokens = 0
        async for line in response.aiter_lines():
            tokens += line.startswith("event: progress")
            if tokens >= 3:
                break
    event = None
    for _ in range(300):
        event = await session.scalar(select(AuditEvent).where(AuditEvent.kind == MODEL_OUTPUT_SOLUTION))
        if event is not None:
            break
        await asyncio.sleep(0.1)
    assert event is not None
    assert event.payload["verdict"] == {"checked": False, "ended": "client disconnected"}
    assert event.payload["output"] and event.payload["adapter"] == "math@v1"
