"""Without TUTOR_LLM_* settings the model routes answer 503 naming the variable; others still work."""

from __future__ import annotations

import dataclasses

import pytest
from litestar import Litestar
from litestar.datastructures import State
from litestar.testing import AsyncTestClient

from tests.factories import World, auth_headers, create_kp
from tutor.errors import ServiceUnavailableError
from tutor.settings import Settings
from tutor.tutoring.engine import get_engine


async def test_model_routes_are_503_with_the_setting_to_fix(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, session: object
) -> None:
    student = auth_headers(settings, world.students[0])
    created = await client.post("/v1/dialogues", json={"problem": "2x = 4"}, headers=student)
    assert created.status_code == 201  # storing a dialogue needs no model
    turn = await client.post(
        f"/v1/dialogues/{created.json()['id']}/turns", json={"message": "hi"}, headers=student
    )
    assert turn.status_code == 503
    assert turn.headers["content-type"].startswith("application/problem+json")
    assert "TUTOR_LLM_MODEL" in turn.json()["detail"]
    solve = await client.post("/v1/solve/stream", json={"problem": "2x = 4"}, headers=student)
    assert solve.status_code == 503 and "TUTOR_LLM_REMOTE_URL" in solve.json()["detail"]
    await create_kp(session, "lin.one_step")  # type: ignore[arg-type]
    teacher = auth_headers(settings, world.teacher)
    gen = await client.post(
        "/v1/exercises/generate", json={"knowledge_point": "lin.one_step", "engine": "llm"}, headers=teacher
    )
    assert gen.status_code == 503 and "TUTOR_LLM_MODEL" in gen.json()["detail"]
    ready = await client.get("/health/ready")
    assert ready.json()["engines"]["llm"].startswith("not_configured: set TUTOR_LLM_MODEL")


def test_invalid_model_settings_are_503_naming_the_variable(settings: Settings) -> None:
    env = {**settings.env, "TUTOR_LLM_MODEL": "some/model", "TUTOR_LLM_QUANTIZATION": "2bit"}
    with pytest.raises(ServiceUnavailableError, match="TUTOR_LLM_QUANTIZATION"):
        get_engine(State(), dataclasses.replace(settings, env=env))
