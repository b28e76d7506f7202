"""Teacher analytics: mastery matrix, weak points, progress, alerts, and who may see them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, auth_headers, create_item, create_kp
from tutor.db.models import Item
from tutor.db.models.learning import LearnerDailyActivity
from tutor.settings import Settings

ROUTES = ("mastery", "weak-points", "progress", "alerts")


@pytest.fixture
async def practised(
    client: AsyncTestClient, session: AsyncSession, settings: Settings, world: World
) -> list[Item]:  # type: ignore[type-arg]
    """Student 0 fails lin.one_step four times (same wrong answer thrice); student 1 does well on frac."""
    await create_kp(session, "lin.one_step")
    await create_kp(session, "frac.simplify")
    lin = await create_item(session, ["lin.one_step"], answer="5")
    # student 1 answers four different items: re-submitting one item at once is practice, not evidence
    fracs = [
        await create_item(session, ["frac.simplify"], answer="5", stem_latex=f"{5 * k}/{k}")
        for k in range(2, 6)
    ]
    s0, s1 = (auth_headers(settings, s) for s in world.students)
    for answer in ("7", "7", "-5", "7"):  # one item four times: the first is evidence, the rest practice
        r = await client.post("/v1/attempts", json={"item_id": str(lin.id), "answer": answer}, headers=s0)
        assert r.status_code == 201
    for frac, answer in zip(fracs, ("5", "5", "5", "6"), strict=True):
        await client.post("/v1/attempts", json={"item_id": str(frac.id), "answer": answer}, headers=s1)
    return [lin, fracs[0]]


def _url(world: World, route: str, class_id: object | None = None) -> str:
    return f"/v1/classes/{class_id or world.school_class.id}/analytics/{route}"


async def test_mastery_matrix(
    client: AsyncTestClient,  # type: ignore[type-arg]
    settings: Settings,
    world: World,
    practised: list[Item],
) -> None:
    body = (await client.get(_url(world, "mastery"), headers=auth_headers(settings, world.teacher))).json()
    assert body["knowledge_points"] == ["frac.simplify", "lin.one_step"]
    rows = {r["learner_id"]: r for r in body["learners"]}
    assert set(rows) == {str(s.id) for s in world.students}
    s0 = rows[str(world.students[0].id)]["cells"]
    assert s0[0] is None  # never practised frac.simplify
    cell = s0[1]
    assert cell["n_observations"] == 1  # the three re-submissions of the same item were practice
    assert "low" not in cell and "high" not in cell  # the (p, n)-only interval carried no information
    assert cell["mastered"] is False
    assert cell["p_known"] < 0.2
    s1 = rows[str(world.students[1].id)]["cells"]
    assert s1[0]["p_known"] > 0.5
    assert body["mastery_threshold"] == 0.95


async def test_weak_points_rank_and_common_wrong_answers(
    client: AsyncTestClient,  # type: ignore[type-arg]
    settings: Settings,
    world: World,
    practised: list[Item],
) -> None:
    body = (
        await client.get(_url(world, "weak-points"), headers=auth_headers(settings, world.teacher))
    ).json()
    assert body["class_size"] == 2
    points = body["points"]
    assert [p["knowledge_point"] for p in points] == ["lin.one_step", "frac.simplify"]
    lin = points[0]
    assert lin["share_not_mastered"] == 1.0
    assert lin["error_rate"] == 1.0
    assert lin["attempts"] == 1  # answers that count as evidence; the three re-submissions were practice
    assert [(w["answer"], w["count"]) for w in lin["common_wrong_answers"]] == [("7", 3), ("-5", 1)]
    assert points[1]["error_rate"] == 0.25
    limited = (
        await client.get(
            _url(world, "weak-points") + "?limit=1", headers=auth_headers(settings, world.teacher)
        )
    ).json()
    assert len(limited["points"]) == 1


async def test_progress_by_day_and_week(
    client: AsyncTestClient,  # type: ignore[type-arg]
    settings: Settings,
    world: World,
    practised: list[Item],
) -> None:
    headers = auth_headers(settings, world.teacher)
    today = datetime.now(UTC).date()
    daily = (await client.get(_url(world, "progress"), headers=headers)).json()
    assert daily["bucket"] == "day"
    assert len(daily["buckets"]) == 30
    last = daily["buckets"][-1]
    assert last["start"] == today.isoformat()
    assert (last["attempts"], last["correct"], last["accuracy"]) == (8, 3, 0.375)
    assert all(b["attempts"] == 0 and b["accuracy"] is None for b in daily["buckets"][:-1])
    weekly = (
        await client.get(
            _url(world, "progress") + f"?bucket=week&from={(today - timedelta(days=20)).isoformat()}",
            headers=headers,
        )
    ).json()
    assert sum(b["attempts"] for b in weekly["buckets"]) == 8
    assert all(datetime.fromisoformat(b["start"]).weekday() == 0 for b in weekly["buckets"])


@pytest.mark.parametrize(
    "query",
    ["?from=2026-03-10&to=2026-03-01", "?from=2020-01-01&to=2026-01-01", "?bucket=month", "?from=yesterday"],
)
async def test_progress_rejects_bad_ranges_with_a_4xx(
    client: AsyncTestClient,  # type: ignore[type-arg]
    settings: Settings,
    world: World,
    query: str,
) -> None:
    response = await client.get(
        _url(world, "progress") + query, headers=auth_headers(settings, world.teacher)
    )
    assert 400 <= response.status_code < 500
    assert response.json()["detail"]


async def test_alerts_stuck_inactive_declining(
    client: AsyncTestClient,  # type: ignore[type-arg]
    session: AsyncSession,
    settings: Settings,
    world: World,
    practised: list[Item],
) -> None:
    s1 = world.students[1].id
    ten_days_ago = datetime.now(UTC) - timedelta(days=10)
    session.add(
        LearnerDailyActivity(
            learner_id=s1, day=ten_days_ago.date(), attempts=10, correct=10, last_attempt_at=ten_days_ago
        )
    )
    await session.commit()
    body = (await client.get(_url(world, "alerts"), headers=auth_headers(settings, world.teacher))).json()
    kinds = {(a["kind"], a["learner_id"]) for a in body["alerts"]}
    assert ("stuck", str(world.students[0].id)) in kinds
    stuck = next(a for a in body["alerts"] if a["kind"] == "stuck")
    assert stuck["knowledge_point"] == "lin.one_step"
    assert stuck["wrong_streak"] == 4
    # student 1: 10/10 the week before, 3/4 this week -> not enough attempts this week (needs 5)
    assert ("declining", str(s1)) not in kinds
    for _ in range(3):
        await client.post(
            "/v1/attempts",
            json={"item_id": str(practised[1].id), "answer": "0"},
            headers=auth_headers(settings, world.students[1]),
        )
    body = (await client.get(_url(world, "alerts"), headers=auth_headers(settings, world.teacher))).json()
    declining = [a for a in body["alerts"] if a["kind"] == "declining"]
    assert [a["learner_id"] for a in declining] == [str(s1)]
    assert declining[0]["accuracy_before"] == 1.0
    assert declining[0]["accuracy_recent"] == pytest.approx(3 / 7, abs=1e-4)
    assert not [a for a in body["alerts"] if a["kind"] == "inactive"]


async def test_learner_with_no_attempts_is_inactive(
    client: AsyncTestClient,  # type: ignore[type-arg]
    settings: Settings,
    world: World,
) -> None:
    body = (await client.get(_url(world, "alerts"), headers=auth_headers(settings, world.teacher))).json()
    inactive = {a["learner_id"] for a in body["alerts"] if a["kind"] == "inactive"}
    assert inactive == {str(s.id) for s in world.students}


@pytest.mark.parametrize("route", ROUTES)
async def test_only_the_classes_teacher_or_school_admin_may_see(
    client: AsyncTestClient,  # type: ignore[type-arg]
    settings: Settings,
    world: World,
    route: str,
) -> None:
    url = _url(world, route)
    assert (await client.get(url, headers=auth_headers(settings, world.teacher))).status_code == 200
    assert (await client.get(url, headers=auth_headers(settings, world.admin))).status_code == 200
    assert (await client.get(url, headers=auth_headers(settings, world.other_teacher))).status_code == 403
    assert (await client.get(url, headers=auth_headers(settings, world.students[0]))).status_code == 403
    assert (await client.get(url, headers=auth_headers(settings, world.outsider_admin))).status_code == 404
    assert (await client.get(url)).status_code == 401
    missing = _url(world, route, class_id="00000000-0000-7000-8000-000000000000")
    assert (await client.get(missing, headers=auth_headers(settings, world.teacher))).status_code == 404
