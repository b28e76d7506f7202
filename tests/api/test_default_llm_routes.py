"""A fresh install (``tutor models install``, no ``TUTOR_LLM_*`` variable) answers every model route
with the real SmolLM2 (and the math LoRA shipped for it): hints, dialogue turns and ``/v1/solve``
``engine=llm``. Each reply either comes from the model and was checked, or says honestly that the
solver's checked steps replaced it.

One app for the module so the 538 MB model loads once; generation is slow on a shared CPU, so the
requests ask for few tokens where the route accepts ``params``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.llm.install import smollm2_dir
from tests.factories import World, auth_headers, build_world
from tests.fixtures.llm_default import smollm2_model_dir
from tutor.audit.kinds import MODEL_OUTPUT_DIALOGUE_TURN, MODEL_OUTPUT_HINT, MODEL_OUTPUT_SOLUTION
from tutor.db.models.audit import AuditEvent
from tutor.settings import Settings

Client = AsyncTestClient[Litestar]
SHORT = {"max_new_tokens": 24, "do_sample": False}


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    # only where the models are: exactly what `tutor models install && tutor up` leaves behind
    return Settings.from_env(
        {
            "TUTOR_DATABASE_URL": db_url,
            "TUTOR_DATA_DIR": str(tmp_path / "data"),
            "TUTOR_JWT_SECRET": "test-secret-" + "x" * 32,
            "TUTOR_MODEL_DIR": str(smollm2_model_dir()),
            "TUTOR_LLM_TIMEOUT_S": "600",
        }
    )


@pytest.fixture
async def fresh(settings: Settings, session: AsyncSession) -> AsyncIterator[tuple[Client, World]]:
    from tutor.app import create_app

    world = await build_world(session)
    async with AsyncTestClient(app=create_app(settings)) as client:
        yield client, world


async def _events(session: AsyncSession, kind: str) -> list[AuditEvent]:
    return list(await session.scalars(select(AuditEvent).where(AuditEvent.kind == kind)))


async def test_every_model_route_answers_with_the_real_model(
    fresh: tuple[Client, World], settings: Settings, session: AsyncSession
) -> None:
    client, world = fresh
    headers = auth_headers(settings, world.students[0])
    model = str(smollm2_dir(smollm2_model_dir()))

    # /v1/solve engine=llm: the model's steps were verified, or the solver's replaced them with a reason
    solved = await client.post("/v1/solve", json={"problem": "3x + 5 = 20", "engine": "llm"}, headers=headers)
    assert solved.status_code == 200, solved.text
    out = solved.json()
    if out["engine"] == "llm":
        assert out["answer"].replace(" ", "") == "x=5"
        assert all(step["verdict"] == "valid" for step in out["steps"]), out
    else:
        assert out["engine"] == "symbolic" and out["verification"].startswith("After"), out
    solution_events = await _events(session, MODEL_OUTPUT_SOLUTION)  # one per model attempt
    assert solution_events and all(
        e.payload["model"] == model and e.payload["output"] for e in solution_events
    )
    assert all(e.payload["adapter"] == "math@v1" for e in solution_events)  # the shipped LoRA by default

    # /v1/hints: the real model's hint, checked not to give the answer away (or the solver's step)
    body = {"problem": "3x - 5 = 10", "work": "3x = 15", "lang": "en", "params": SHORT}
    hinted = await client.post("/v1/hints", json=body, headers=headers)
    assert hinted.status_code == 201, hinted.text
    hint = hinted.json()
    assert hint["text"] and hint["provenance"]["model"] == model
    assert hint["source"] in {"model", "model_retry"} or hint["fallback_reason"]
    assert "x = 5" not in hint["text"].replace("x=5", "x = 5")
    hint_events = await _events(session, MODEL_OUTPUT_HINT)
    assert hint_events and hint_events[-1].payload["verdict"]["served"] == hint["source"]

    # a dialogue turn: the tutor's reply is the real model's, stored and audited
    started = await client.post(
        "/v1/dialogues", json={"problem": "2x + 3 = 7", "lang": "en"}, headers=headers
    )
    assert started.status_code == 201, started.text
    turn = await client.post(
        f"/v1/dialogues/{started.json()['id']}/turns",
        json={"message": "How do I start?", "params": SHORT},
        headers=headers,
    )
    assert turn.status_code == 201, turn.text
    _learner, tutor = turn.json()
    assert tutor["role"] == "tutor" and tutor["text"].strip()
    dialogue_events = await _events(session, MODEL_OUTPUT_DIALOGUE_TURN)
    assert dialogue_events and all(e.payload["model"] == model for e in dialogue_events)
    assert dialogue_events[-1].payload["output"].strip()
