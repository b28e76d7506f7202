"""Exercise generation: only exercises the math engine can solve, with matching answers, are kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.llm.parsing import GeneratedExercise
from adapters.llm.testing import ScriptedEngine, tiny_llm_env
from tests.factories import World, auth_headers, create_kp
from tutor.audit.kinds import MODEL_OUTPUT_EXERCISE
from tutor.db.models import Item
from tutor.db.models.audit import AuditEvent
from tutor.learning.difficulty import typical_p_correct
from tutor.settings import Settings
from tutor.tutoring.engine import ENGINE_KEY
from tutor.tutoring.exercises import difficulty_prior, verify_candidates


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
async def kp(session: AsyncSession, world: World) -> str:
    await create_kp(session, "lin.two_step")
    return "lin.two_step"


PROPOSAL = json.dumps(
    {
        "items": [
            {"stem": "3x + 5 = 20", "answer": "5", "steps": ["3x = 15", "x = 5"]},
            {"stem": "2x - 1 = 7", "answer": "x = 3"},  # wrong: x = 4
            {"stem": "what is love", "answer": "1"},  # not math
            {"stem": "4x + 2 = 10", "answer": "x=2"},
            {"stem": "3x + 5 = 20", "answer": "5"},  # duplicate
        ]
    }
)


async def test_candidates_are_solved_and_matched() -> None:
    verdicts = await verify_candidates(
        [
            GeneratedExercise(stem="3x + 5 = 20", answer="5"),
            GeneratedExercise(stem="2x - 1 = 7", answer="3"),
            GeneratedExercise(stem="what is love", answer="1"),
            GeneratedExercise(stem="3x + 5 = 20", answer="5"),
        ]
    )
    assert [v.kept for v in verdicts] == [True, False, False, False]
    assert verdicts[0].answer is not None and verdicts[0].answer_kind
    assert "wrong" in verdicts[1].reason and "duplicate" in verdicts[3].reason


def test_difficulty_prior_is_monotone_and_means_a_typical_learner_s_p_correct() -> None:
    # difficulty d in [0, 1] asks for items a typical learner answers right with P = 1 - d
    assert difficulty_prior(0.1) < difficulty_prior(0.5) < difficulty_prior(0.9)
    assert typical_p_correct(difficulty_prior(0.3)) == pytest.approx(0.7, abs=1e-3)
    assert typical_p_correct(difficulty_prior(0.5)) == pytest.approx(0.5, abs=1e-3)
    assert difficulty_prior(0.0) >= -6 and difficulty_prior(1.0) <= 6


async def test_teacher_gets_only_verified_items_into_the_bank(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, session: AsyncSession, kp: str
) -> None:
    client.app.state[ENGINE_KEY] = ScriptedEngine([PROPOSAL])
    body = {"knowledge_point": kp, "difficulty": 0.7, "count": 5, "engine": "llm", "lang": "en"}
    response = await client.post(
        "/v1/exercises/generate", json=body, headers=auth_headers(settings, world.teacher)
    )
    assert response.status_code == 201, response.text
    out = response.json()
    assert [i["stem_latex"] for i in out["items"]] == ["3x + 5 = 20", "4x + 2 = 10"]
    assert out["rejected"] == 3 and out["provenance"]["template"] == "exercises.en.v1"
    items = list(await session.scalars(select(Item).where(Item.origin == "model")))
    assert sorted(i.stem_latex or "" for i in items) == ["3x + 5 = 20", "4x + 2 = 10"]
    assert all(i.verified and i.difficulty_prior == difficulty_prior(0.7) for i in items)
    assert all([k.code for k in i.knowledge_points] == [kp] for i in items)
    assert all(i.school_id == world.school.id and i.created_by == world.teacher.id for i in items)
    event = await session.scalar(select(AuditEvent).where(AuditEvent.kind == MODEL_OUTPUT_EXERCISE))
    assert event is not None and event.payload["verdict"]["kept"] == 2
    assert sorted(event.payload["item_ids"]) == sorted(str(i.id) for i in items)


async def test_tiny_model_output_is_checked_and_nothing_unverified_is_stored(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, session: AsyncSession, kp: str
) -> None:
    body = {
        "knowledge_point": kp,
        "count": 2,
        "engine": "llm",
        "params": {"max_new_tokens": 16, "do_sample": True},
    }
    response = await client.post(
        "/v1/exercises/generate", json=body, headers=auth_headers(settings, world.teacher)
    )
    assert response.status_code == 201, response.text
    out = response.json()
    assert out["requested"] == 2 and out["items"] == []
    assert await session.scalar(select(Item).where(Item.origin == "model")) is None
    event = await session.scalar(select(AuditEvent).where(AuditEvent.kind == MODEL_OUTPUT_EXERCISE))
    assert event is not None and event.payload["adapter"] == "math@v1"


async def test_access_and_limits(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, kp: str
) -> None:
    url = "/v1/exercises/generate"
    student = await client.post(
        url, json={"knowledge_point": kp}, headers=auth_headers(settings, world.students[0])
    )
    assert student.status_code == 403
    teacher = auth_headers(settings, world.teacher)
    too_many = await client.post(
        url, json={"knowledge_point": kp, "count": 11, "engine": "llm"}, headers=teacher
    )
    assert too_many.status_code == 422 and "count" in too_many.text
    way_too_many = await client.post(url, json={"knowledge_point": kp, "count": 500}, headers=teacher)
    assert way_too_many.status_code == 422 and "count" in way_too_many.text
    unknown = await client.post(
        url, json={"knowledge_point": "geo.circles", "engine": "llm"}, headers=teacher
    )
    assert unknown.status_code == 404 and "geo.circles" in unknown.json()["detail"]
    bad_difficulty = await client.post(url, json={"knowledge_point": kp, "difficulty": 2}, headers=teacher)
    assert bad_difficulty.status_code == 422 and "difficulty" in bad_difficulty.text


async def test_template_engine_needs_no_model_and_stores_verified_items(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, session: AsyncSession, kp: str
) -> None:
    body = {"knowledge_point": kp, "count": 3, "engine": "template", "difficulty": 0.3}
    response = await client.post(
        "/v1/exercises/generate", json=body, headers=auth_headers(settings, world.admin)
    )
    assert response.status_code == 201, response.text
    out = response.json()
    assert out["engine"] == "template" and len(out["items"]) == 3
    assert all(i["origin"] == "template" and i["verified"] for i in out["items"])
    stored = list(await session.scalars(select(Item).where(Item.origin == "template")))
    assert len(stored) == 3 and all(i.school_id == world.school.id for i in stored)
    assert client.app.state.get(ENGINE_KEY) is None  # the template path never built the model engine


async def test_template_items_follow_the_target_p_correct(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, kp: str
) -> None:
    # difficulty 0 used to give a mean of -2.46 logits on one point and +1.46 on another
    means = {}
    for target in (0.4, 0.85):
        body = {"knowledge_point": kp, "count": 4, "engine": "template", "target_p_correct": target}
        response = await client.post(
            "/v1/exercises/generate", json=body, headers=auth_headers(settings, world.admin)
        )
        assert response.status_code == 201, response.text
        out = response.json()
        assert out["target_p_correct"] == target
        items = out["items"]
        assert all(0.0 < i["typical_p_correct"] < 1.0 for i in items)
        means[target] = (
            sum(i["difficulty_prior"] for i in items) / len(items),
            sum(i["typical_p_correct"] for i in items) / len(items),
        )
    assert means[0.85][0] < means[0.4][0]  # an easier target gives easier items
    assert means[0.85][1] > means[0.4][1]
