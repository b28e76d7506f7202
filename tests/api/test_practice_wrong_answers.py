"""GET /v1/me/wrong-answers: the wrong-answer book (错题本) as the learner sees it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, auth_headers, create_item, create_kp
from tutor.db.models import Item
from tutor.db.models.learning import WrongAnswerEntry
from tutor.settings import Settings


@pytest.fixture
async def items(session: AsyncSession, world: World) -> list[Item]:
    await create_kp(session, "frac.simplify")
    return [
        await create_item(session, ["frac.simplify"], answer="5", stem_latex=f"x + {n} = {n + 5}")
        for n in range(3)
    ]


async def test_wrong_answers_are_listed_with_schedule_and_cleared_after_the_whole_ladder(
    client: AsyncTestClient,  # type: ignore[type-arg]
    session: AsyncSession,
    settings: Settings,
    world: World,
    items: list[Item],
) -> None:
    headers = auth_headers(settings, world.students[0])
    for item in items[:2]:
        await client.post("/v1/attempts", json={"item_id": str(item.id), "answer": "x=4"}, headers=headers)
    await client.post("/v1/attempts", json={"item_id": str(items[2].id), "answer": "5"}, headers=headers)

    page = (await client.get("/v1/me/wrong-answers", headers=headers)).json()
    assert page["total"] == 2
    assert {e["item_id"] for e in page["items"]} == {str(i.id) for i in items[:2]}
    first = page["items"][0]
    assert first["last_wrong_answer"] == "x=4"
    assert first["wrong_count"] == 1
    assert first["is_due"] is False
    assert "answer" not in first["item"]
    due_at = datetime.fromisoformat(first["due_at"])
    assert timedelta(hours=23) < due_at - datetime.now(UTC) <= timedelta(days=1)

    assert (await client.get("/v1/me/wrong-answers?due_only=true", headers=headers)).json()["total"] == 0
    entry = await session.get(WrongAnswerEntry, (world.students[0].id, items[0].id))
    assert entry is not None
    entry.due_at = datetime.now(UTC) - timedelta(hours=1)
    await session.commit()
    due = (await client.get("/v1/me/wrong-answers?due_only=true", headers=headers)).json()
    assert [e["item_id"] for e in due["items"]] == [str(items[0].id)]

    # each correct due re-practice climbs the 1/3/7/14/30-day ladder; the 30-day check clears it
    for days in (3, 7, 14, 30):
        await client.post("/v1/attempts", json={"item_id": str(items[0].id), "answer": "5"}, headers=headers)
        listed = (await client.get("/v1/me/wrong-answers", headers=headers)).json()["items"]
        climbed = next(e for e in listed if e["item_id"] == str(items[0].id))
        assert climbed["is_due"] is False
        gap = datetime.fromisoformat(climbed["due_at"]) - datetime.now(UTC)
        assert timedelta(days=days) - timedelta(minutes=5) < gap <= timedelta(days=days)
        await session.refresh(entry)
        entry.due_at = datetime.now(UTC) - timedelta(hours=1)
        await session.commit()
    await client.post("/v1/attempts", json={"item_id": str(items[0].id), "answer": "5"}, headers=headers)
    after = (await client.get("/v1/me/wrong-answers", headers=headers)).json()
    assert [e["item_id"] for e in after["items"]] == [str(items[1].id)]


async def test_book_is_private_and_bounded(
    client: AsyncTestClient,  # type: ignore[type-arg]
    settings: Settings,
    world: World,
    items: list[Item],
) -> None:
    mine = auth_headers(settings, world.students[0])
    await client.post("/v1/attempts", json={"item_id": str(items[0].id), "answer": "1"}, headers=mine)
    other = (
        await client.get("/v1/me/wrong-answers", headers=auth_headers(settings, world.students[1]))
    ).json()
    assert other["total"] == 0
    assert (
        await client.get("/v1/me/wrong-answers", headers=auth_headers(settings, world.teacher))
    ).status_code == 403
    assert (await client.get("/v1/me/wrong-answers?limit=1000", headers=mine)).status_code == 422
