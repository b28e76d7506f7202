"""Rebuilding the aggregates from the attempts gives what the attempt transaction maintained online."""

from __future__ import annotations

from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, auth_headers, create_item, create_kp
from tutor.analytics.rebuild import rebuild_aggregates
from tutor.learning.config import LearningConfig
from tutor.settings import Settings

SNAPSHOTS = {
    "activity": "SELECT learner_id, day, attempts, correct, last_attempt_at FROM learner_daily_activity ORDER BY 1, 2",
    "tallies": (
        "SELECT class_id, kp_code, item_id, answer, learner_id, count FROM class_wrong_answer_tallies "
        "ORDER BY 1, 2, 3, 4, 5"
    ),
    "streaks": "SELECT learner_id, kp_code, wrong_streak, last_attempt_at FROM learner_kp_stats ORDER BY 1, 2",
    "daily": "SELECT learner_id, day, kp_code, attempts, correct FROM learner_daily_stats ORDER BY 1, 2, 3",
    "mastery_counts": "SELECT learner_id, kp_code, n_observations, n_correct FROM mastery ORDER BY 1, 2",
}


async def _snapshot(session: AsyncSession) -> dict[str, list[tuple[object, ...]]]:
    return {
        name: [tuple(r) for r in (await session.execute(text(sql))).all()] for name, sql in SNAPSHOTS.items()
    }


async def test_rebuild_matches_online_aggregates(
    client: AsyncTestClient,  # type: ignore[type-arg]
    session: AsyncSession,
    settings: Settings,
    world: World,
) -> None:
    await create_kp(session, "lin.one_step")
    await create_kp(session, "lin.two_step", requires=["lin.one_step"])
    both = await create_item(session, ["lin.one_step", "lin.two_step"], answer="5")
    one = await create_item(session, ["lin.one_step"], answer="5")
    plan = [
        (0, both, "5"),
        (0, both, " 4"),
        (0, one, "4"),
        (1, one, "x = 5"),
        (1, both, "6"),
        (0, one, "5"),
        (1, one, "6"),
    ]
    for student, item, answer in plan:
        response = await client.post(
            "/v1/attempts",
            json={"item_id": str(item.id), "answer": answer},
            headers=auth_headers(settings, world.students[student]),
        )
        assert response.status_code == 201
    online = await _snapshot(session)
    assert online["tallies"]  # there were wrong answers to count

    outcome = await rebuild_aggregates(session, LearningConfig())
    await session.commit()
    assert outcome.attempts == 10  # seven attempts, three of them on the two-point item
    assert await _snapshot(session) == online
