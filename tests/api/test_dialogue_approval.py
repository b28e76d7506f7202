"""Teachers approve tutor turns as training data: who may, which turns, and the audit record."""

from __future__ import annotations

from uuid import uuid4

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, auth_headers, create_dialogue
from tutor.audit.kinds import AI_CONTENT_APPROVED
from tutor.db.models import SchoolClass, User
from tutor.db.models.audit import AuditEvent
from tutor.db.models.dialogues import DialogueTurnRow
from tutor.settings import Settings


async def _approvals(session: AsyncSession) -> list[AuditEvent]:
    session.expire_all()
    return list(await session.scalars(select(AuditEvent).where(AuditEvent.kind == AI_CONTENT_APPROVED)))


@pytest.mark.parametrize(
    ("who", "seq", "status"),
    [
        ("teacher", 2, 200),  # teaches the learner's class
        ("admin", 2, 200),  # the school's admin
        ("other_teacher", 2, 403),  # same school, not their learner
        ("outsider_admin", 2, 404),  # another school: existence not revealed
        ("learner", 2, 403),  # students never approve, not even their own dialogue
        ("classmate", 2, 403),
        ("teacher", 1, 422),  # the learner's own words are not tutor output
        ("teacher", 9, 404),  # no such turn
    ],
)
async def test_who_may_approve_which_turn(
    client: AsyncTestClient[Litestar],
    world: World,
    settings: Settings,
    session: AsyncSession,
    who: str,
    seq: int,
    status: int,
) -> None:
    learner = world.students[0]
    dialogue_id = await create_dialogue(
        session, learner, ("student", "我不会"), ("tutor", "先把 3 移到右边。")
    )
    caller = {"learner": learner, "classmate": world.students[1]}.get(who) or getattr(world, who)
    caller_id = caller.id  # read before the session's objects are expired below
    response = await client.post(
        f"/v1/dialogues/{dialogue_id}/turns/{seq}/approve", headers=auth_headers(settings, caller)
    )
    assert response.status_code == status, response.text
    events = await _approvals(session)
    row = await session.scalar(select(DialogueTurnRow).where(DialogueTurnRow.seq == seq))
    if status == 200:
        body = response.json()
        assert (body["dialogue_id"], body["seq"], body["role"]) == (str(dialogue_id), 2, "tutor")
        assert body["approved_by"] == str(caller_id)
        assert row is not None and row.approved_by == caller_id and row.approved_at is not None
        assert len(events) == 1
    else:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert row is None or (row.approved_by is None and row.approved_at is None)
        assert events == []  # a refused approval leaves no trace in the log


async def test_unknown_dialogue_is_404(
    client: AsyncTestClient[Litestar], world: World, settings: Settings
) -> None:
    response = await client.post(
        f"/v1/dialogues/{uuid4()}/turns/2/approve", headers=auth_headers(settings, world.teacher)
    )
    assert response.status_code == 404


async def test_approval_is_audited_once_and_idempotent(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, session: AsyncSession
) -> None:
    learner_id, teacher_id, school_id = world.students[0].id, world.teacher.id, world.school.id
    learner_headers = auth_headers(settings, world.students[0])
    dialogue_id = await create_dialogue(
        session, world.students[0], ("student", "我不会"), ("tutor", "先把 3 移到右边。")
    )
    url = f"/v1/dialogues/{dialogue_id}/turns/2/approve"
    first = await client.post(url, headers=auth_headers(settings, world.teacher))
    again = await client.post(url, headers=auth_headers(settings, world.teacher))
    by_admin = await client.post(url, headers=auth_headers(settings, world.admin))
    assert first.status_code == again.status_code == by_admin.status_code == 200
    assert first.json() == again.json() == by_admin.json()  # the first approval stands
    [event] = await _approvals(session)
    assert event.actor_id is None and event.actor_role == "teacher"  # staff by role and pseudonym
    assert (
        event.actor_ref is not None
        and event.actor_ref.startswith("stf_")
        and str(teacher_id) not in str(event.payload)
    )
    assert event.school_id == school_id
    assert event.payload == {"dialogue_id": str(dialogue_id), "seq": 2}
    assert event.learner_ref is not None and str(learner_id) not in str(event.payload)
    shown = await client.get(f"/v1/dialogues/{dialogue_id}", headers=learner_headers)
    assert [t["approved_at"] is not None for t in shown.json()["turns"]] == [False, True]


async def test_a_deleted_approver_leaves_the_approval_time(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, session: AsyncSession
) -> None:
    dialogue_id = await create_dialogue(session, world.students[0], ("student", "?"), ("tutor", "想一想。"))
    url = f"/v1/dialogues/{dialogue_id}/turns/2/approve"
    assert (await client.post(url, headers=auth_headers(settings, world.other_teacher))).status_code == 403
    assert (await client.post(url, headers=auth_headers(settings, world.teacher))).status_code == 200
    await session.delete(await session.get(SchoolClass, world.school_class.id))
    await session.delete(await session.get(User, world.teacher.id))  # a teacher who left the school
    await session.commit()
    session.expire_all()
    row = await session.scalar(select(DialogueTurnRow).where(DialogueTurnRow.seq == 2))
    assert row is not None and row.approved_by is None and row.approved_at is not None
