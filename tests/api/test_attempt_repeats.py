"""Repeated attempts are practice, not new evidence: mastery cannot be farmed by resubmitting an item.

Through the real app and PostgreSQL: the first attempt on an item updates mastery; re-submissions right
after seeing it graded are stored, graded and answered with feedback (zh and en) but leave mastery,
its observation counts unchanged (activity and the wrong-answer book still see them); concurrent re-submissions cannot both
count as first; once the spacing has passed, the item counts again.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, auth_headers, create_item, create_kp
from tutor.attempts.evidence import REPEAT_SPACING, counts_as_evidence
from tutor.db.models import Attempt, Item, Mastery
from tutor.settings import Settings


@pytest.fixture
async def item(session: AsyncSession, world: World) -> Item:
    await create_kp(session, "lin.one_step")
    return await create_item(
        session, ["lin.one_step"], answer="x=19", answer_kind="equation", stem_latex="x - 7 = 12"
    )


async def _mastery(session: AsyncSession, world: World) -> Mastery:
    learner_id = world.students[0].id
    session.expire_all()
    return (await session.scalars(select(Mastery).where(Mastery.learner_id == learner_id))).one()


async def test_resubmitting_one_item_cannot_farm_mastery(
    client: AsyncTestClient, world: World, item: Item, settings: Settings, session: AsyncSession
) -> None:
    headers = auth_headers(settings, world.students[0])
    first = await client.post(
        "/v1/attempts", json={"item_id": str(item.id), "answer": "x = 19"}, headers=headers
    )
    assert first.status_code == 201 and first.json()["counts_as_evidence"] is True
    after_first = first.json()["mastery"][0]["p_known"]
    assert after_first > first.json()["mastery"][0]["p_known_before"]
    for _ in range(3):
        again = await client.post(
            "/v1/attempts", json={"item_id": str(item.id), "answer": "x=19"}, headers=headers
        )
        assert again.status_code == 201
        body = again.json()
        assert body["is_correct"] is True and body["counts_as_evidence"] is False
        assert body["mastery"][0]["p_known"] == pytest.approx(after_first)
        assert body["mastery"][0]["p_known_before"] == pytest.approx(after_first)
        assert body["mastery"][0]["mastered"] is False
        assert body["feedback_zh"] == "答案正确。" and body["feedback_en"] == "The answer is correct."
    row = await _mastery(session, world)
    assert (row.n_observations, row.n_correct) == (1, 1)
    assert row.p_known == pytest.approx(after_first, abs=1e-6)
    stored = (await session.scalars(select(Attempt).order_by(Attempt.created_at))).all()
    assert [a.counts_as_evidence for a in stored] == [True, False, False, False]


async def test_wrong_then_right_at_once_is_practice_and_keeps_the_lowered_mastery(
    client: AsyncTestClient, world: World, item: Item, settings: Settings, session: AsyncSession
) -> None:
    headers = auth_headers(settings, world.students[0])
    wrong = await client.post(
        "/v1/attempts", json={"item_id": str(item.id), "answer": "x = 5"}, headers=headers
    )
    assert wrong.json()["is_correct"] is False and wrong.json()["counts_as_evidence"] is True
    lowered = wrong.json()["mastery"][0]["p_known"]
    right = await client.post(
        "/v1/attempts", json={"item_id": str(item.id), "answer": "x = 19"}, headers=headers
    )
    assert right.json()["is_correct"] is True and right.json()["counts_as_evidence"] is False
    assert right.json()["mastery"][0]["p_known"] == pytest.approx(lowered)
    assert (await _mastery(session, world)).n_observations == 1


async def test_echoing_the_question_is_graded_wrong_with_bilingual_feedback(
    client: AsyncTestClient, world: World, item: Item, settings: Settings
) -> None:
    headers = auth_headers(settings, world.students[0])
    echo = await client.post(
        "/v1/attempts", json={"item_id": str(item.id), "answer": "x - 7 = 12"}, headers=headers
    )
    assert echo.status_code == 201
    body = echo.json()
    assert body["is_correct"] is False
    assert body["feedback"] == body["feedback_en"] and "question itself" in body["feedback_en"]
    assert "题目本身" in body["feedback_zh"]


async def test_concurrent_resubmissions_count_once(
    client: AsyncTestClient, world: World, item: Item, settings: Settings, session: AsyncSession
) -> None:
    headers = auth_headers(settings, world.students[0])
    responses = await asyncio.gather(
        *[
            client.post("/v1/attempts", json={"item_id": str(item.id), "answer": "x = 19"}, headers=headers)
            for _ in range(6)
        ]
    )
    assert [r.status_code for r in responses] == [201] * 6
    assert sorted(r.json()["counts_as_evidence"] for r in responses) == [False] * 5 + [True]
    assert (await _mastery(session, world)).n_observations == 1


async def test_after_the_spacing_the_item_counts_again(
    client: AsyncTestClient, world: World, item: Item, settings: Settings, session: AsyncSession
) -> None:
    headers = auth_headers(settings, world.students[0])
    first = await client.post(
        "/v1/attempts", json={"item_id": str(item.id), "answer": "x = 19"}, headers=headers
    )
    assert first.json()["counts_as_evidence"] is True
    # the earlier attempt was a day ago
    hours = REPEAT_SPACING / timedelta(hours=1) + 0.1
    await session.execute(text(f"UPDATE attempts SET created_at = created_at - interval '{hours} hours'"))
    await session.commit()
    later = await client.post(
        "/v1/attempts", json={"item_id": str(item.id), "answer": "x = 19"}, headers=headers
    )
    assert later.json()["counts_as_evidence"] is True
    assert later.json()["mastery"][0]["p_known"] > later.json()["mastery"][0]["p_known_before"]
    assert (await _mastery(session, world)).n_observations == 2


def test_the_rule_itself() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert counts_as_evidence(None, now).counts
    assert not counts_as_evidence(now - timedelta(seconds=30), now).counts
    assert counts_as_evidence(now - REPEAT_SPACING, now).counts
    assert counts_as_evidence(now - timedelta(seconds=30), now, due_for_review=True).counts
