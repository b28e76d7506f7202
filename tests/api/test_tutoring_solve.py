"""The checked-output path: model steps verified by the math engine, one retry, then the solver."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.llm import GenerationParams, LLMEngine
from adapters.llm.testing import ScriptedEngine, parse_sse, tiny_llm_env
from tests.factories import World, auth_headers
from tutor.audit.kinds import MODEL_OUTPUT_SOLUTION
from tutor.auth.principal import Principal
from tutor.db.models.audit import AuditEvent
from tutor.math.schemas import SolveIn
from tutor.settings import Settings
from tutor.tutoring.checking import check_model_text, solve_checked
from tutor.tutoring.engine import ENGINE_KEY
from tutor.tutoring.service import llm_solve, solve_out_with_llm

GOOD = "1. 2x = 7 - 3\n2. 2x = 4\n3. x = 2\n答案：\\boxed{x = 2}"
WRONG_STEP = "1. 2x = 7 + 3\n2. x = 5\n答案：\\boxed{2}"
WRONG_ANSWER = "1. 2x = 4\n2. x = 2\nAnswer: \\boxed{3}"


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings.from_env(
        {
            "TUTOR_DATABASE_URL": db_url,
            "TUTOR_DATA_DIR": str(tmp_path / "data"),
            "TUTOR_JWT_SECRET": "test-secret-" + "x" * 32,
            "TUTOR_DB_POOL_SIZE": "5",
            **tiny_llm_env(),
        }
    )


async def test_checked_text_names_the_first_wrong_step() -> None:
    params = GenerationParams()
    good = await check_model_text("2x + 3 = 7", GOOD, params, None)
    assert good.accepted and [s.verdict for s in good.verification.steps] == ["valid"] * 3
    bad = await check_model_text("2x + 3 = 7", WRONG_STEP, params, None)
    assert not bad.accepted and bad.verification.first_invalid_step == 0


async def test_first_answer_accepted_when_it_checks_out() -> None:
    engine = ScriptedEngine([GOOD])
    assert isinstance(engine, LLMEngine)
    outcome = await solve_checked(engine, "2x + 3 = 7", lang="zh")
    answer = outcome.answer
    assert (answer.source, answer.attempts, answer.answer_correct) == ("model", 1, True)
    assert [s.verdict for s in answer.steps] == ["valid", "valid", "valid"]
    assert answer.final_answer == "x = 2" and answer.provenance is not None
    assert answer.provenance.adapter == "math@v1" and answer.provenance.template == "solution.zh.v1"
    assert not engine.requests[0].params.do_sample  # the first try is greedy


async def test_wrong_step_retries_with_sampling_and_keeps_a_good_retry() -> None:
    engine = ScriptedEngine([WRONG_STEP, GOOD])
    outcome = await solve_checked(engine, "2x + 3 = 7", lang="en")
    assert (outcome.answer.source, outcome.answer.attempts) == ("model_retry", 2)
    assert engine.requests[1].params.do_sample
    assert [a.accepted for a in outcome.attempts] == [False, True]


async def test_two_failures_fall_back_to_the_solver_and_say_why() -> None:
    engine = ScriptedEngine([WRONG_ANSWER, WRONG_ANSWER])
    answer = (await solve_checked(engine, "2x + 3 = 7")).answer
    assert (answer.source, answer.attempts, answer.answer_correct) == ("solver", 2, True)
    assert answer.fallback_reason is not None and "final answer was wrong" in answer.fallback_reason
    assert answer.steps and all(s.verdict == "valid" for s in answer.steps)
    assert answer.final_answer is not None and "2" in answer.final_answer


async def test_llm_solve_hook_audits_every_attempt(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, session: AsyncSession
) -> None:
    client.app.state[ENGINE_KEY] = ScriptedEngine([WRONG_STEP, WRONG_ANSWER])
    student = world.students[0]
    principal = Principal(id=student.id, role="student", school_id=student.school_id)
    answer = await llm_solve(client.app.state, settings, session, principal, "2x + 3 = 7")
    await session.commit()
    assert answer.source == "solver"
    events = list(await session.scalars(select(AuditEvent).where(AuditEvent.kind == MODEL_OUTPUT_SOLUTION)))
    assert [e.payload["verdict"]["attempt"] for e in events] == [1, 2]
    assert events[0].payload["verdict"]["first_invalid_step"] == 0
    assert events[1].payload["verdict"]["served"] == "solver"
    assert events[0].payload["model"] == "scripted-belle" and events[0].payload["adapter"] == "math@v1"
    assert events[1].payload["params"]["do_sample"] is True


async def test_solve_stream_with_the_tiny_model_streams_then_falls_back(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, session: AsyncSession
) -> None:
    headers = auth_headers(settings, world.students[0])
    body = {"problem": "3x - 5 = 10", "lang": "en", "params": {"max_new_tokens": 12}}
    response = await client.post("/v1/solve/stream", json=body, headers=headers)
    assert response.status_code == 201, response.text
    events = parse_sse(response.text)
    kinds = [e for e, _ in events]
    assert kinds.count("progress") >= 1 and kinds[-1] == "result" and "token" not in kinds
    result = json.loads(events[-1][1])
    # random weights never write a checkable solution: the learner gets the solver's, and is told so
    assert result["source"] == "solver" and result["attempts"] == 2 and result["answer_correct"] is True
    assert result["fallback_reason"] and result["provenance"]["adapter"] == "math@v1"
    audited = list(await session.scalars(select(AuditEvent).where(AuditEvent.kind == MODEL_OUTPUT_SOLUTION)))
    assert len(audited) == 2 and audited[0].payload["output"]
    # gibberish steps are never released: at most a 'held' event, no 'step' event that did not check
    released = [json.loads(d) for e, d in events if e == "step"]
    assert all(s["verdict"] in ("valid", "explanation") for s in released)


async def test_solve_stream_rejects_bad_input_before_streaming(
    client: AsyncTestClient[Litestar], world: World, settings: Settings
) -> None:
    headers = auth_headers(settings, world.students[0])
    unreadable = await client.post("/v1/solve/stream", json={"problem": "2x + = = 7"}, headers=headers)
    assert unreadable.status_code == 422
    assert unreadable.headers["content-type"].startswith("application/problem+json")
    beams = await client.post(
        "/v1/solve/stream", json={"problem": "2x = 4", "params": {"num_beams": 11}}, headers=headers
    )
    assert beams.status_code == 422 and "num_beams" in beams.text
    adapter = await client.post(
        "/v1/solve/stream", json={"problem": "2x = 4", "adapter": "geometry"}, headers=headers
    )
    assert adapter.status_code == 422 and "geometry" in adapter.json()["detail"]


async def test_math_route_hook_returns_the_math_shape_and_audits(
    client: AsyncTestClient[Litestar], world: World, session: AsyncSession
) -> None:
    client.app.state[ENGINE_KEY] = ScriptedEngine([WRONG_ANSWER, GOOD])
    student = world.students[0]
    principal = Principal(id=student.id, role="student", school_id=student.school_id)
    out = await solve_out_with_llm(client.app.state, principal, SolveIn(problem="2x + 3 = 7", engine="llm"))
    assert out.engine == "llm" and [s.verdict for s in out.steps] == ["valid"] * 3
    assert out.answer == "x = 2" and "attempt 2" in out.verification
    events = list(await session.scalars(select(AuditEvent).where(AuditEvent.kind == MODEL_OUTPUT_SOLUTION)))
    assert [e.payload["verdict"]["accepted"] for e in events] == [False, True]
    client.app.state[ENGINE_KEY] = ScriptedEngine(["gibberish", "more gibberish"])
    fallback = await solve_out_with_llm(
        client.app.state, principal, SolveIn(problem="2x + 3 = 7", language="en")
    )
    assert fallback.engine == "symbolic" and "symbolic solver" in fallback.verification
    assert all(s.verdict == "valid" for s in fallback.steps)
