"""GET /v1/me/next-exercise: target difficulty, prerequisites, no repeats, due re-practice, reasons."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, auth_headers, create_item, create_kp
from tutor.db.models import Item, Mastery, SchoolClass
from tutor.db.models.learning import WrongAnswerEntry
from tutor.settings import Settings

KPS = ("lin.one_step", "lin.two_step", "lin.brackets")
DIFFICULTIES = (-2.0, -1.0, 0.0, 1.0, 2.0)


@pytest.fixture
async def bank(session: AsyncSession, world: World) -> dict[str, list[Item]]:
    await create_kp(session, KPS[0])
    await create_kp(session, KPS[1], requires=[KPS[0]])
    await create_kp(session, KPS[2], requires=[KPS[1]])
    return {
        kp: [await create_item(session, [kp], answer="5", difficulty=b) for b in DIFFICULTIES] for kp in KPS
    }


async def _set_mastery(session: AsyncSession, learner_id: object, values: dict[str, float]) -> None:
    for kp, p in values.items():
        stmt = insert(Mastery).values(learner_id=learner_id, kp_code=kp, p_known=p, n_observations=10)
        await session.execute(
            stmt.on_conflict_do_update(index_elements=["learner_id", "kp_code"], set_={"p_known": p})
        )
    await session.commit()


async def test_new_learner_starts_at_the_root_point_near_the_target(
    client: AsyncTestClient,  # type: ignore[type-arg]
    settings: Settings,
    world: World,
    bank: dict[str, list[Item]],
) -> None:
    response = await client.get("/v1/me/next-exercise", headers=auth_headers(settings, world.students[0]))
    assert response.status_code == 200, response.text
    body = response.json()
    reason = body["reason"]
    assert reason["knowledge_point"] == "lin.one_step"
    assert reason["code"] == "ready_to_learn"
    assert reason["target_p_correct"] == 0.7
    assert abs(reason["predicted_p_correct"] - 0.7) < 0.05
    assert reason["explanation"]
    assert "answer" not in body["item"]
    assert body["item"]["id"] in {str(i.id) for i in bank["lin.one_step"]}


async def test_mastered_prerequisite_unlocks_the_next_point(
    client: AsyncTestClient,  # type: ignore[type-arg]
    session: AsyncSession,
    settings: Settings,
    world: World,
    bank: dict[str, list[Item]],
) -> None:
    await _set_mastery(session, world.students[0].id, {"lin.one_step": 0.99, "lin.two_step": 0.5})
    body = (
        await client.get("/v1/me/next-exercise", headers=auth_headers(settings, world.students[0]))
    ).json()
    assert body["reason"]["knowledge_point"] == "lin.two_step"
    assert body["reason"]["code"] == "ready_to_learn"


async def test_point_whose_prerequisite_is_not_mastered_waits(
    client: AsyncTestClient,  # type: ignore[type-arg]
    session: AsyncSession,
    settings: Settings,
    world: World,
    bank: dict[str, list[Item]],
) -> None:
    # lin.brackets is the weakest point, but lin.two_step (its prerequisite) is not mastered
    await _set_mastery(
        session, world.students[0].id, {"lin.one_step": 0.99, "lin.two_step": 0.6, "lin.brackets": 0.05}
    )
    body = (
        await client.get("/v1/me/next-exercise", headers=auth_headers(settings, world.students[0]))
    ).json()
    assert body["reason"]["knowledge_point"] == "lin.two_step"


async def test_just_answered_item_is_not_served_again(
    client: AsyncTestClient,  # type: ignore[type-arg]
    settings: Settings,
    world: World,
    bank: dict[str, list[Item]],
) -> None:
    headers = auth_headers(settings, world.students[0])
    seen = []
    for _ in range(3):
        body = (await client.get("/v1/me/next-exercise", headers=headers)).json()
        seen.append(body["item"]["id"])
        answered = await client.post(
            "/v1/attempts", json={"item_id": body["item"]["id"], "answer": "5"}, headers=headers
        )
        assert answered.status_code == 201
    assert len(set(seen)) == 3


async def test_class_target_changes_the_difficulty_chosen(
    client: AsyncTestClient,  # type: ignore[type-arg]
    session: AsyncSession,
    settings: Settings,
    world: World,
    bank: dict[str, list[Item]],
) -> None:
    headers = auth_headers(settings, world.students[0])
    school_class = await session.get(SchoolClass, world.school_class.id)
    assert school_class is not None
    school_class.target_p_correct = 0.4
    await session.commit()
    hard = (await client.get("/v1/me/next-exercise", headers=headers)).json()["reason"]
    school_class.target_p_correct = 0.85
    await session.commit()
    easy = (await client.get("/v1/me/next-exercise", headers=headers)).json()["reason"]
    assert hard["target_p_correct"] == 0.4
    assert easy["target_p_correct"] == 0.85
    assert easy["predicted_p_correct"] > hard["predicted_p_correct"]


@pytest.fixture
async def review_client(settings: Settings) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    """An app whose selector always serves a due review when there is one (TUTOR_REVIEW_SHARE=1)."""
    from tutor.app import create_app

    always = dataclasses.replace(settings, env={**settings.env, "TUTOR_REVIEW_SHARE": "1"})
    async with AsyncTestClient(app=create_app(always)) as test_client:
        yield test_client


async def test_due_wrong_answer_is_mixed_in(
    review_client: AsyncTestClient,  # type: ignore[type-arg]
    session: AsyncSession,
    settings: Settings,
    world: World,
    bank: dict[str, list[Item]],
) -> None:
    headers = auth_headers(settings, world.students[0])
    target = bank["lin.one_step"][4]
    answered = await review_client.post(
        "/v1/attempts", json={"item_id": str(target.id), "answer": "9"}, headers=headers
    )
    assert answered.status_code == 201
    body = (await review_client.get("/v1/me/next-exercise", headers=headers)).json()
    assert body["reason"]["code"] != "review_due"  # filed for tomorrow, not due yet

    # another answer in between: the item just answered is never served straight back
    other = await review_client.post(
        "/v1/attempts", json={"item_id": str(bank["lin.one_step"][0].id), "answer": "5"}, headers=headers
    )
    assert other.status_code == 201
    entry = await session.get(WrongAnswerEntry, (world.students[0].id, target.id))
    assert entry is not None
    entry.due_at = datetime.now(UTC) - timedelta(minutes=5)
    await session.commit()
    body = (await review_client.get("/v1/me/next-exercise", headers=headers)).json()
    assert body["reason"]["code"] == "review_due"
    assert body["item"]["id"] == str(target.id)


async def test_empty_bank_is_a_clear_404_and_staff_are_refused(
    client: AsyncTestClient,  # type: ignore[type-arg]
    settings: Settings,
    world: World,
) -> None:
    response = await client.get("/v1/me/next-exercise", headers=auth_headers(settings, world.students[0]))
    assert response.status_code == 404
    assert "no exercise" in response.json()["detail"].lower()
    teacher = await client.get("/v1/me/next-exercise", headers=auth_headers(settings, world.teacher))
    assert teacher.status_code == 403
    anonymous = await client.get("/v1/me/next-exercise")
    assert anonymous.status_code == 401


async def test_failing_learner_never_gets_the_item_just_answered(
    client: AsyncTestClient,  # type: ignore[type-arg]
    settings: Settings,
    world: World,
    bank: dict[str, list[Item]],
) -> None:
    # a new learner who keeps failing used to get the same item six times in a row
    headers = auth_headers(settings, world.students[0])
    seen: list[str] = []
    for _ in range(20):
        body = (await client.get("/v1/me/next-exercise", headers=headers)).json()
        seen.append(body["item"]["id"])
        answered = await client.post(
            "/v1/attempts", json={"item_id": body["item"]["id"], "answer": "9"}, headers=headers
        )
        assert answered.status_code == 201
    repeats = sum(a == b for a, b in itertools.pairwise(seen))
    assert repeats == 0, seen


async def test_repeated_failure_steps_back_to_the_prerequisite_with_a_reason_in_both_languages(
    client: AsyncTestClient,  # type: ignore[type-arg]
    session: AsyncSession,
    settings: Settings,
    world: World,
    bank: dict[str, list[Item]],
) -> None:
    await _set_mastery(session, world.students[0].id, {"lin.one_step": 0.97, "lin.two_step": 0.3})
    headers = auth_headers(settings, world.students[0])
    reasons = []
    for _ in range(3):
        body = (await client.get("/v1/me/next-exercise", headers=headers)).json()
        reasons.append(body["reason"])
        assert body["reason"]["knowledge_point"] == "lin.two_step"
        answered = await client.post(
            "/v1/attempts", json={"item_id": body["item"]["id"], "answer": "9"}, headers=headers
        )
        assert answered.status_code == 201
    body = (await client.get("/v1/me/next-exercise", headers=headers)).json()
    reason = body["reason"]
    assert reason["code"] == "remediation_prerequisite"
    assert reason["knowledge_point"] == "lin.one_step"
    assert body["item"]["id"] in {str(i.id) for i in bank["lin.one_step"]}
    assert "先修" in reason["explanation_zh"] or "基础" in reason["explanation_zh"]
    assert "wrong" in reason["explanation_en"]
    assert reasons[0]["explanation_zh"] and reasons[0]["explanation_en"]
