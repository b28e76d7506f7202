"""Classes and enrolment: teachers manage their own classes, admins their school's; nobody else's."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from tests.factories import PASSWORD, World, auth_headers
from tutor.settings import Settings


async def test_teacher_creates_a_class_and_enrols_new_and_existing_learners(
    client: AsyncTestClient,
    world: World,
    settings: Settings,  # type: ignore[type-arg]
) -> None:
    headers = auth_headers(settings, world.teacher)
    created = await client.post("/v1/classes", json={"name": "七年级3班"}, headers=headers)
    assert created.status_code == 201
    class_id = created.json()["id"]
    assert created.json()["teacher_id"] == str(world.teacher.id)
    enrol = await client.post(
        f"/v1/classes/{class_id}/learners",
        json={
            "learner_ids": [str(world.students[0].id)],
            "new_learners": [{"username": "new.kid", "display_name": "小明", "password": "long-enough-pw"}],
        },
        headers=headers,
    )
    assert enrol.status_code == 201, enrol.text
    assert {s["username"] for s in enrol.json()["enrolled"]} == {world.students[0].username, "new.kid"}
    listed = await client.get(f"/v1/classes/{class_id}/learners", headers=headers)
    assert listed.json()["total"] == 2
    login = await client.post("/v1/auth/token", data={"username": "new.kid", "password": "long-enough-pw"})
    assert login.status_code == 200
    again = await client.post(
        f"/v1/classes/{class_id}/learners", json={"learner_ids": [str(world.students[0].id)]}, headers=headers
    )
    assert again.status_code == 201
    assert (await client.get(f"/v1/classes/{class_id}/learners", headers=headers)).json()["total"] == 2


async def test_lists_are_paginated_and_scoped(
    client: AsyncTestClient, world: World, settings: Settings
) -> None:  # type: ignore[type-arg]
    teacher_view = await client.get("/v1/classes?limit=1", headers=auth_headers(settings, world.teacher))
    assert teacher_view.status_code == 200
    assert teacher_view.json()["total"] == 1 and teacher_view.json()["limit"] == 1
    assert teacher_view.json()["items"][0]["id"] == str(world.school_class.id)
    admin_view = await client.get("/v1/classes", headers=auth_headers(settings, world.admin))
    assert admin_view.json()["total"] == 2
    outsider = await client.get("/v1/classes", headers=auth_headers(settings, world.outsider_admin))
    assert outsider.json()["total"] == 0
    too_big = await client.get("/v1/classes?limit=1000", headers=auth_headers(settings, world.admin))
    assert too_big.status_code == 422


async def test_class_routes_refuse_other_users_ids(
    client: AsyncTestClient, world: World, settings: Settings
) -> None:  # type: ignore[type-arg]
    mine = world.school_class.id
    cases = [
        (world.other_teacher, 403),  # same school, not their class
        (world.outsider_admin, 404),  # another school: existence not revealed
        (world.students[0], 403),  # learners never manage classes
    ]
    for user, status in cases:
        headers = auth_headers(settings, user)
        assert (await client.get(f"/v1/classes/{mine}", headers=headers)).status_code == status
        assert (await client.get(f"/v1/classes/{mine}/learners", headers=headers)).status_code == status
        enrol = await client.post(
            f"/v1/classes/{mine}/learners", json={"learner_ids": [str(world.students[1].id)]}, headers=headers
        )
        assert enrol.status_code == status
    admin = await client.get(f"/v1/classes/{mine}", headers=auth_headers(settings, world.admin))
    assert admin.status_code == 200


async def test_cannot_enrol_learners_of_another_school_or_duplicate_usernames(
    client: AsyncTestClient,
    world: World,
    settings: Settings,  # type: ignore[type-arg]
) -> None:
    headers = auth_headers(settings, world.teacher)
    url = f"/v1/classes/{world.school_class.id}/learners"
    foreign = await client.post(url, json={"learner_ids": [str(world.outsider_student.id)]}, headers=headers)
    assert foreign.status_code == 422
    assert foreign.json()["unknown"] == [str(world.outsider_student.id)]
    taken = await client.post(
        url,
        json={
            "new_learners": [
                {"username": world.students[0].username, "display_name": "x", "password": PASSWORD}
            ]
        },
        headers=headers,
    )
    assert taken.status_code == 409
    too_many = await client.post(
        url, json={"learner_ids": [str(world.students[0].id)] * 201}, headers=headers
    )
    assert too_many.status_code == 422


async def test_admin_creates_class_for_a_teacher_of_their_school_only(
    client: AsyncTestClient,
    world: World,
    settings: Settings,  # type: ignore[type-arg]
) -> None:
    headers = auth_headers(settings, world.admin)
    missing = await client.post("/v1/classes", json={"name": "x"}, headers=headers)
    assert missing.status_code == 422 and "teacher_id" in missing.json()["detail"]
    ok = await client.post(
        "/v1/classes", json={"name": "x", "teacher_id": str(world.other_teacher.id)}, headers=headers
    )
    assert ok.status_code == 201
    foreign = await client.post(
        "/v1/classes",
        json={"name": "x", "teacher_id": str(world.teacher.id)},
        headers=auth_headers(settings, world.outsider_admin),
    )
    assert foreign.status_code == 422
