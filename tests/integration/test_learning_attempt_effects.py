"""One attempt, one transaction: mastery (item-aware BKT), item difficulty, drift, wrong-answer book and
the analytics aggregates all move together, on a real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, auth_headers, create_item, create_kp
from tutor.attempts.item_fold import fold_item_calibration
from tutor.db.models import Item, Mastery
from tutor.db.models.learning import (
    ItemCalibration,
    LearnerDailyActivity,
    LearnerDailyStats,
    LearnerKpStats,
    WrongAnswerEntry,
    WrongAnswerTally,
)
from tutor.learning.bkt import DEFAULT_BKT_PARAMS
from tutor.practice.attempt_step import learning_config
from tutor.settings import Settings


@pytest.fixture
async def item(session: AsyncSession, world: World) -> Item:
    await create_kp(session, "lin.one_step")
    return await create_item(session, ["lin.one_step"], answer="5", stem_latex="x + 3 = 8")


async def _answer(client: AsyncTestClient, headers: dict[str, str], item_id: UUID, answer: str) -> dict:  # type: ignore[type-arg]
    response = await client.post(
        "/v1/attempts", json={"item_id": str(item_id), "answer": answer}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_correct_first_answer_follows_the_hand_computed_bkt_step(
    client: AsyncTestClient,  # type: ignore[type-arg]
    session: AsyncSession,
    settings: Settings,
    world: World,
    item: Item,
) -> None:
    headers = auth_headers(settings, world.students[0])
    body = await _answer(client, headers, item.id, "5")
    # average item (difficulty 0): plain BKT with the defaults, 0.2 -> 0.6 (see tests/unit/learning/test_bkt.py)
    assert body["mastery"][0]["p_known"] == pytest.approx(0.6, abs=1e-6)
    row = await session.get(Mastery, (world.students[0].id, "lin.one_step"), populate_existing=True)
    assert row is not None
    assert row.p_known == pytest.approx(0.6)


async def test_wrong_answer_moves_difficulty_files_the_book_and_counts(
    client: AsyncTestClient,  # type: ignore[type-arg]
    session: AsyncSession,
    settings: Settings,
    world: World,
    item: Item,
) -> None:
    item_id, learner, class_id = item.id, world.students[0].id, world.school_class.id
    headers = auth_headers(settings, world.students[0])
    body = await _answer(client, headers, item_id, "  7 ")

    # item calibration is folded in batches off the attempt transaction (tutor.attempts.item_fold)
    assert (await fold_item_calibration(session, learning_config(settings))).folded == 1
    await session.commit()
    # IRT: predicted P(correct) = 0.2*0.9 + 0.8*0.2 = 0.34; step 0.4 at n=0: b = 0 + 0.4 * 0.34
    refreshed = (
        await session.execute(select(Item.difficulty, Item.calibration_attempts).where(Item.id == item_id))
    ).one()
    assert refreshed.difficulty == pytest.approx(0.4 * 0.34)
    assert refreshed.calibration_attempts == 1
    calib = await session.get(ItemCalibration, item_id, populate_existing=True)
    assert calib is not None
    assert calib.drift_attempts == 1
    assert calib.drift_residual == pytest.approx(-0.34)
    assert not calib.drift_flagged

    entry = await session.get(WrongAnswerEntry, (learner, item_id), populate_existing=True)
    assert entry is not None
    assert entry.last_wrong_answer == "  7 "
    assert entry.cleared_at is None
    assert entry.due_at - entry.first_wrong_at == timedelta(days=1)

    tally = (
        await session.scalars(
            select(WrongAnswerTally)
            .where(WrongAnswerTally.class_id == class_id)
            .execution_options(populate_existing=True)
        )
    ).one()
    assert (tally.answer, tally.count) == ("7", 1)

    stats = await session.get(LearnerKpStats, (learner, "lin.one_step"), populate_existing=True)
    assert stats is not None
    assert stats.wrong_streak == 1
    day = entry.first_wrong_at.date()
    daily = await session.get(LearnerDailyStats, (learner, day, "lin.one_step"), populate_existing=True)
    assert daily is not None
    assert (daily.attempts, daily.correct) == (1, 0)
    activity = await session.get(LearnerDailyActivity, (learner, day), populate_existing=True)
    assert activity is not None
    assert (activity.attempts, activity.correct) == (1, 0)

    # the same wrong answer again: counted twice, streak grows, book entry stays open
    await _answer(client, headers, item_id, "7")
    tally = (
        await session.scalars(
            select(WrongAnswerTally)
            .where(WrongAnswerTally.class_id == class_id)
            .execution_options(populate_existing=True)
        )
    ).one()
    assert tally.count == 2
    stats = await session.get(LearnerKpStats, (learner, "lin.one_step"), populate_existing=True)
    assert stats is not None
    assert stats.wrong_streak == 2
    entry = await session.get(WrongAnswerEntry, (learner, item_id), populate_existing=True)
    assert entry is not None
    assert entry.wrong_count == 2
    assert body["is_correct"] is False


async def test_correct_re_practices_walk_the_ladder_then_clear_the_book_and_reset_streak(
    client: AsyncTestClient,  # type: ignore[type-arg]
    session: AsyncSession,
    settings: Settings,
    world: World,
    item: Item,
) -> None:
    item_id, learner = item.id, world.students[0].id
    headers = auth_headers(settings, world.students[0])
    await _answer(client, headers, item_id, "7")
    await _answer(client, headers, item_id, "5")  # same session: not yet a spaced re-practice
    entry = await session.get(WrongAnswerEntry, (learner, item_id), populate_existing=True)
    assert entry is not None
    assert entry.cleared_at is None

    for stage in range(1, 6):  # one correct due re-practice per step of the 1/3/7/14/30-day ladder
        entry.due_at = datetime.now(UTC) - timedelta(hours=1)
        await session.commit()
        await _answer(client, headers, item_id, "5")
        entry = await session.get(WrongAnswerEntry, (learner, item_id), populate_existing=True)
        assert entry is not None
        assert entry.stage == stage
        assert (entry.cleared_at is not None) == (stage == 5)
    stats = await session.get(LearnerKpStats, (learner, "lin.one_step"), populate_existing=True)
    assert stats is not None
    assert stats.wrong_streak == 0


async def test_harder_item_moves_mastery_more_on_a_correct_answer(
    client: AsyncTestClient,  # type: ignore[type-arg]
    session: AsyncSession,
    settings: Settings,
    world: World,
    item: Item,
) -> None:
    hard = await create_item(session, ["lin.one_step"], answer="5", stem_latex="2(x - 1) = 8", difficulty=1.5)
    easy_body = await _answer(client, auth_headers(settings, world.students[0]), item.id, "5")
    hard_body = await _answer(client, auth_headers(settings, world.students[1]), hard.id, "5")
    assert hard_body["mastery"][0]["p_known"] > easy_body["mastery"][0]["p_known"] > DEFAULT_BKT_PARAMS.prior
