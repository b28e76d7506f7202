"""Hints are checked not to give the answer away; leaking hints are retried, then replaced."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.llm.testing import ScriptedEngine, tiny_llm_env
from tests.factories import World, auth_headers
from tutor.audit.kinds import MODEL_OUTPUT_HINT
from tutor.db.models.audit import AuditEvent
from tutor.settings import Settings
from tutor.tutoring.engine import ENGINE_KEY
from tutor.tutoring.hints import hint_checked

SOCRATIC = "What could you subtract from both sides first?"


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


async def test_a_socratic_hint_is_served_as_is() -> None:
    engine = ScriptedEngine([SOCRATIC])
    outcome = await hint_checked(engine, "2x + 3 = 7", work="2x = 4", lang="en")
    assert (outcome.answer.source, outcome.answer.text) == ("model", SOCRATIC)
    assert "2x = 4" in engine.requests[0].prompt and outcome.template_id == "hint.en.v1"


async def test_hints_that_give_the_answer_away_fall_back_to_the_solver() -> None:
    engine = ScriptedEngine(["So x = 2.", "答：\\boxed{2}"])
    outcome = await hint_checked(engine, "2x + 3 = 7", lang="zh")
    assert [a.leaks for a in outcome.attempts] == [True, True]
    assert outcome.answer.source == "solver" and outcome.answer.fallback_reason
    assert outcome.answer.text.startswith("想一想下一步") and "x = 2" not in outcome.answer.text
    second_try = ScriptedEngine(["x = 2", SOCRATIC])
    retry = await hint_checked(second_try, "2x + 3 = 7", lang="en")
    assert retry.answer.source == "model_retry" and retry.answer.text == SOCRATIC
    assert not second_try.requests[0].params.do_sample and second_try.requests[1].params.do_sample


async def test_hint_route_checks_and_audits_the_tiny_models_output(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, session: AsyncSession
) -> None:
    headers = auth_headers(settings, world.students[0])
    body = {"problem": "3x - 5 = 10", "work": "3x = 15", "lang": "en", "params": {"max_new_tokens": 10}}
    response = await client.post("/v1/hints", json=body, headers=headers)
    assert response.status_code == 201, response.text
    hint = response.json()
    assert hint["source"] in {"model", "model_retry", "solver"} and hint["text"]
    assert hint["provenance"]["template"] == "hint.en.v1"
    events = list(await session.scalars(select(AuditEvent).where(AuditEvent.kind == MODEL_OUTPUT_HINT)))
    assert events and events[0].payload["adapter"] == "math@v1"
    assert events[-1].payload["verdict"]["served"] == hint["source"]


async def test_hint_route_rejects_bad_input(
    client: AsyncTestClient[Litestar], world: World, settings: Settings
) -> None:
    client.app.state[ENGINE_KEY] = ScriptedEngine([])
    headers = auth_headers(settings, world.students[0])
    long_work = await client.post("/v1/hints", json={"problem": "x=1", "work": "x" * 2001}, headers=headers)
    assert long_work.status_code == 422 and "work" in long_work.text
    unreadable = await client.post("/v1/hints", json={"problem": "2x + = = 7"}, headers=headers)
    assert unreadable.status_code == 422
