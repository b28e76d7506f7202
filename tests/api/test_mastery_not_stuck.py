"""Through the API: a long run of right answers must not freeze mastery (it used to stick at 1.0)."""

from __future__ import annotations

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, auth_headers, create_item, create_kp
from tutor.settings import Settings


async def test_thirty_right_then_six_wrong_is_not_mastered(
    client: AsyncTestClient,  # type: ignore[type-arg]
    session: AsyncSession,
    settings: Settings,
    world: World,
) -> None:
    await create_kp(session, "num.integers")
    # one item per answer: repeats of an item within a day are practice, not evidence
    items = [await create_item(session, ["num.integers"], answer="5") for _ in range(36)]
    headers = auth_headers(settings, world.students[0])
    last: dict[str, object] = {}
    for n, item in enumerate(items):
        answer = "5" if n < 30 else "9"
        response = await client.post(
            "/v1/attempts", json={"item_id": str(item.id), "answer": answer}, headers=headers
        )
        assert response.status_code == 201, response.text
        last = response.json()["mastery"][0]
        if n == 29:
            assert last["mastered"] is True
            assert last["p_known"] < 1.0
    assert last["mastered"] is False
    assert last["p_known"] < 0.9
    shown = (await client.get("/v1/me/mastery", headers=headers)).json()
    assert shown[0]["knowledge_point"] == "num.integers"
    assert shown[0]["mastered"] is False
    assert shown[0]["p_known"] < 0.9
