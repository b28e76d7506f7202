"""Attempts: graded, stored with mastery in one transaction, never lost nor doubled."""

from __future__ import annotations

import asyncio

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, auth_headers, create_item, create_kp
from tutor.db.models import Attempt, Mastery
from tutor.learning.bkt import DEFAULT_BKT_PARAMS, update_p_known
from tutor.settings import Settings


@pytest.fixture
async def item(session: AsyncSession, world: World) -> object:
    await create_kp(session, "lin.one_step")
    await create_kp(session, "lin.two_step", requires=["lin.one_step"])
    return await create_item(session, ["lin.two_step", "lin.one_step"], answer="5", stem_latex="3x + 5 = 20")


async def _count(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(Attempt)) or 0


async def test_correct_attempt_is_graded_stored_and_updates_mastery(
    client: AsyncTestClient,
    world: World,
    item: object,
    settings: Settings,
    session: AsyncSession,  # type: ignore[type-arg]
) -> None:
    headers = auth_headers(settings, world.students[0])
    response = await client.post(
        "/v1/attempts", json={"item_id": str(item.id), "answer": "x = 5"}, headers=headers
    )  # type: ignore[attr-defined]
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["is_correct"] is True
    assert body["modality"] == "typed"
    expected = update_p_known(DEFAULT_BKT_PARAMS.prior, True, DEFAULT_BKT_PARAMS)
    assert {m["knowledge_point"] for m in body["mastery"]} == {"lin.one_step", "lin.two_step"}
    for change in body["mastery"]:
        assert change["p_known_before"] == pytest.approx(DEFAULT_BKT_PARAMS.prior)
        assert change["p_known"] == pytest.approx(expected, abs=1e-6)
    rows = (await session.scalars(select(Mastery).where(Mastery.learner_id == world.students[0].id))).all()
    assert {(r.kp_code, r.n_observations, r.n_correct) for r in rows} == {
        ("lin.one_step", 1, 1),
        ("lin.two_step", 1, 1),
    }

    mastery = await client.get("/v1/me/mastery", headers=headers)
    assert mastery.status_code == 200
    assert [m["knowledge_point"] for m in mastery.json()] == ["lin.one_step", "lin.two_step"]
    assert mastery.json()[0]["p_known"] == pytest.approx(expected, abs=1e-6)
    assert mastery.json()[0]["mastered"] is False


async def test_wrong_attempt_lowers_mastery(
    client: AsyncTestClient,
    world: World,
    item: object,
    settings: Settings,  # type: ignore[type-arg]
) -> None:
    headers = auth_headers(settings, world.students[0])
    response = await client.post(
        "/v1/attempts", json={"item_id": str(item.id), "answer": "6"}, headers=headers
    )  # type: ignore[attr-defined]
    assert response.status_code == 201
    body = response.json()
    assert body["is_correct"] is False
    expected = update_p_known(DEFAULT_BKT_PARAMS.prior, False, DEFAULT_BKT_PARAMS)
    assert body["mastery"][0]["p_known"] == pytest.approx(expected, abs=1e-6)


async def test_same_key_same_body_replays_the_stored_response(
    client: AsyncTestClient,
    world: World,
    item: object,
    settings: Settings,
    session: AsyncSession,  # type: ignore[type-arg]
) -> None:
    headers = {**auth_headers(settings, world.students[0]), "Idempotency-Key": "k-1"}
    payload = {"item_id": str(item.id), "answer": "5"}  # type: ignore[attr-defined]
    first = await client.post("/v1/attempts", json=payload, headers=headers)
    second = await client.post("/v1/attempts", json=payload, headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert await _count(session) == 1


async def test_same_key_other_body_is_422_and_stores_nothing_new(
    client: AsyncTestClient,
    world: World,
    item: object,
    settings: Settings,
    session: AsyncSession,  # type: ignore[type-arg]
) -> None:
    headers = {**auth_headers(settings, world.students[0]), "Idempotency-Key": "k-2"}
    assert (
        await client.post("/v1/attempts", json={"item_id": str(item.id), "answer": "5"}, headers=headers)
    ).status_code == 201  # type: ignore[attr-defined]
    other = await client.post("/v1/attempts", json={"item_id": str(item.id), "answer": "7"}, headers=headers)  # type: ignore[attr-defined]
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["detail"]
    assert await _count(session) == 1


async def test_keys_are_per_learner(
    client: AsyncTestClient,
    world: World,
    item: object,
    settings: Settings,
    session: AsyncSession,  # type: ignore[type-arg]
) -> None:
    payload = {"item_id": str(item.id), "answer": "5"}  # type: ignore[attr-defined]
    for student in world.students:
        headers = {**auth_headers(settings, student), "Idempotency-Key": "shared"}
        assert (await client.post("/v1/attempts", json=payload, headers=headers)).status_code == 201
    assert await _count(session) == 2


async def test_fifty_concurrent_identical_submissions_create_one_attempt(
    client: AsyncTestClient,
    world: World,
    item: object,
    settings: Settings,
    session: AsyncSession,  # type: ignore[type-arg]
) -> None:
    headers = {**auth_headers(settings, world.students[0]), "Idempotency-Key": "race-1"}
    payload = {"item_id": str(item.id), "answer": "5"}  # type: ignore[attr-defined]
    responses = await asyncio.gather(
        *[client.post("/v1/attempts", json=payload, headers=headers) for _ in range(50)]
    )
    codes = [r.status_code for r in responses]
    assert codes.count(201) == 1, codes
    assert set(codes) <= {200, 201, 409}
    created = next(r.json() for r in responses if r.status_code == 201)
    assert all(r.json() == created for r in responses if r.status_code == 200)
    assert all(r.headers.get("retry-after") for r in responses if r.status_code == 409)
    assert await _count(session) == 1
    mastery = (await session.scalars(select(Mastery).where(Mastery.learner_id == world.students[0].id))).all()
    assert {m.n_observations for m in mastery} == {1}


async def test_concurrent_different_attempts_never_lose_a_mastery_update(
    client: AsyncTestClient,
    world: World,
    item: object,
    settings: Settings,
    session: AsyncSession,  # type: ignore[type-arg]
) -> None:
    headers = auth_headers(settings, world.students[0])
    # ten different items on the same knowledge points (re-submitting one item is practice, not
    # evidence: tests/api/test_attempt_repeats.py)
    items = [item] + [
        await create_item(
            session, ["lin.two_step", "lin.one_step"], answer="5", stem_latex=f"x + {k} = {k + 5}"
        )
        for k in range(1, 10)
    ]
    responses = await asyncio.gather(
        *[
            client.post("/v1/attempts", json={"item_id": str(it.id), "answer": "5"}, headers=headers)  # type: ignore[attr-defined]
            for it in items
        ]
    )
    assert [r.status_code for r in responses] == [201] * 10
    rows = (await session.scalars(select(Mastery).where(Mastery.learner_id == world.students[0].id))).all()
    assert {m.n_observations for m in rows} == {10}


async def test_bad_attempts_are_clear_4xx(
    client: AsyncTestClient,
    world: World,
    item: object,
    settings: Settings,
    session: AsyncSession,  # type: ignore[type-arg]
) -> None:
    headers = auth_headers(settings, world.students[0])
    too_long = await client.post(
        "/v1/attempts", json={"item_id": str(item.id), "answer": "1" * 2001}, headers=headers
    )  # type: ignore[attr-defined]
    assert too_long.status_code == 422
    assert too_long.headers["content-type"].startswith("application/problem+json")
    assert "answer" in too_long.json()["detail"]
    unknown_item = await client.post(
        "/v1/attempts",
        json={"item_id": "00000000-0000-7000-8000-000000000000", "answer": "5"},
        headers=headers,
    )
    assert unknown_item.status_code == 404
    bad_modality = await client.post(
        "/v1/attempts",
        json={"item_id": str(item.id), "answer": "5", "modality": "telepathy"},
        headers=headers,  # type: ignore[attr-defined]
    )
    assert bad_modality.status_code == 422
    assert (await client.post("/v1/attempts", content=b"{not json", headers=headers)).status_code in (
        400,
        422,
    )
    assert await _count(session) == 0


async def test_only_students_submit_and_see_their_own_attempts(
    client: AsyncTestClient,
    world: World,
    item: object,
    settings: Settings,  # type: ignore[type-arg]
) -> None:
    payload = {"item_id": str(item.id), "answer": "5"}  # type: ignore[attr-defined]
    teacher = await client.post("/v1/attempts", json=payload, headers=auth_headers(settings, world.teacher))
    assert teacher.status_code == 403
    await client.post("/v1/attempts", json=payload, headers=auth_headers(settings, world.students[0]))
    mine = await client.get("/v1/me/attempts", headers=auth_headers(settings, world.students[0]))
    theirs = await client.get("/v1/me/attempts", headers=auth_headers(settings, world.students[1]))
    assert mine.json()["total"] == 1 and theirs.json()["total"] == 0


async def test_items_of_another_school_are_invisible(
    client: AsyncTestClient,
    world: World,
    session: AsyncSession,
    settings: Settings,  # type: ignore[type-arg]
) -> None:
    await create_kp(session, "num.integers")
    private = await create_item(session, ["num.integers"], answer="3", school=world.other_school)
    response = await client.post(
        "/v1/attempts",
        json={"item_id": str(private.id), "answer": "3"},
        headers=auth_headers(settings, world.students[0]),
    )
    assert response.status_code == 404
