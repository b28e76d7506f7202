"""A class answering one item at once: every attempt stored, no deadlock, difficulty moves after the fold."""

from __future__ import annotations

import asyncio

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.concurrency import concurrent_client
from tests.factories import World, auth_headers, create_class, create_item, create_kp, create_user
from tutor.attempts.item_fold import fold_item_calibration
from tutor.db.models import Attempt, Item
from tutor.db.models.learning import ItemCalibration, WrongAnswerTally
from tutor.db.retry import retry_transaction, sqlstate
from tutor.practice.attempt_step import learning_config
from tutor.settings import Settings


def _deadlocks(db_url: str) -> int:
    with psycopg.connect(db_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    return int(row[0]) if row else 0


async def test_a_class_on_one_item_is_all_stored_without_deadlock(
    app: Litestar,
    world: World,
    settings: Settings,
    session: AsyncSession,
    db_url: str,
) -> None:
    await create_kp(session, "lin.one_step")
    await create_kp(session, "lin.two_step", requires=["lin.one_step"])
    item = await create_item(session, ["lin.two_step", "lin.one_step"], answer="5", stem_latex="3x + 5 = 20")
    learners = [await create_user(session, world.school, "student") for _ in range(24)]
    await create_class(session, world.teacher, learners)
    item_id, difficulty_before = item.id, item.difficulty
    before = _deadlocks(db_url)

    async def answer(n: int) -> list[int]:
        headers = auth_headers(settings, learners[n])
        codes = []
        for k in range(2):  # a wrong answer, then the right one: tallies, book and mastery all written
            response = await client.post(
                "/v1/attempts",
                json={"item_id": str(item_id), "answer": "7" if k == 0 else "x = 5"},
                headers={**headers, "Idempotency-Key": f"class-{n}-{k}"},
            )
            codes.append(response.status_code)
        return codes

    async with concurrent_client(app) as client:  # really concurrent (tests/concurrency.py)
        codes = [c for per in await asyncio.gather(*(answer(n) for n in range(len(learners)))) for c in per]
    assert codes == [201] * (2 * len(learners)), codes
    assert await session.scalar(select(func.count()).select_from(Attempt)) == 2 * len(learners)
    assert _deadlocks(db_url) == before
    tallies = (await session.scalars(select(WrongAnswerTally).where(WrongAnswerTally.answer == "7"))).all()
    # one row per learner and knowledge point: no two learners ever write the same tally row
    assert sorted((t.learner_id, t.kp_code, t.count) for t in tallies) == sorted(
        (u.id, kp, 1) for u in learners for kp in ("lin.one_step", "lin.two_step")
    )

    # difficulty and drift move once the calibration inbox is folded (the API folds every 2 s)
    outcome = await fold_item_calibration(session, learning_config(settings))
    await session.commit()
    assert 0 <= outcome.folded <= 2 * len(learners)  # the app's background fold may have done some
    calibration_attempts = await session.scalar(
        select(Item.calibration_attempts).where(Item.id == item_id).execution_options(populate_existing=True)
    )
    assert calibration_attempts == 2 * len(learners)
    calib = await session.get(ItemCalibration, item_id, populate_existing=True)
    assert calib is not None
    assert calib.drift_attempts == 2 * len(learners)
    difficulty = await session.scalar(select(Item.difficulty).where(Item.id == item_id))
    assert difficulty != pytest.approx(difficulty_before)
    assert await session.scalar(text("SELECT count(*) FROM item_calibration_inbox")) == 0


async def test_a_fold_consumes_each_attempt_once(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, session: AsyncSession
) -> None:
    await create_kp(session, "lin.one_step")
    item = await create_item(session, ["lin.one_step"], answer="5")
    headers = auth_headers(settings, world.students[0])
    response = await client.post(
        "/v1/attempts", json={"item_id": str(item.id), "answer": "4"}, headers=headers
    )
    assert response.status_code == 201
    config = learning_config(settings)
    first = await fold_item_calibration(session, config)
    await session.commit()
    again = await fold_item_calibration(session, config)
    await session.commit()
    assert (first.folded + again.folded) <= 1 and again.folded == 0
    n = await session.scalar(select(Item.calibration_attempts).where(Item.id == item.id))
    assert n == 1


async def test_retry_runs_the_transaction_again_on_a_deadlock_error_only(session: AsyncSession) -> None:
    calls = []

    async def deadlocks_once() -> str:
        calls.append(1)
        if len(calls) == 1:
            await session.execute(text("DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '40P01'; END $$"))
        await session.rollback()
        return "done"

    async def wrong() -> str:
        await session.execute(text("DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '23505'; END $$"))
        return "never"

    async def failing() -> str:
        try:
            return await deadlocks_once()
        except DBAPIError:
            await session.rollback()
            raise

    assert await retry_transaction(failing) == "done"
    assert len(calls) == 2
    with pytest.raises(DBAPIError) as caught:
        await retry_transaction(wrong)
    assert sqlstate(caught.value) == "23505"
    await session.rollback()
