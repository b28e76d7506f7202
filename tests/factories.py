"""Small builders for test data; each commits so the app under test sees the rows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tutor.auth.passwords import hash_password
from tutor.auth.security import issue_token
from tutor.db.models import (
    Dialogue,
    DialogueTurnRow,
    Enrolment,
    Item,
    KnowledgePoint,
    LearnerConsent,
    Prerequisite,
    School,
    SchoolClass,
    User,
)
from tutor.settings import Settings

PASSWORD = "correct-horse-42"
_FAST_HASH = hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per test session


def _suffix() -> str:
    return uuid.uuid4().hex[:8]


async def create_school(session: AsyncSession, name: str = "Test School") -> School:
    school = School(name=name)
    session.add(school)
    await session.commit()
    return school


async def create_user(
    session: AsyncSession,
    school: School,
    role: str = "student",
    *,
    username: str | None = None,
    display_name: str | None = None,
    consents: Sequence[str] = ("tutoring", "analytics"),
) -> User:
    """Students get guardian consent for ``consents`` (tutoring and analytics unless told otherwise)."""
    user = User(
        school_id=school.id,
        role=role,
        username=username or f"{role}-{_suffix()}",
        display_name=display_name or f"{role.title()} {_suffix()}",
        password_hash=_FAST_HASH,
    )
    session.add(user)
    await session.flush()
    if role == "student":
        for purpose in consents:
            session.add(
                LearnerConsent(
                    learner_id=user.id,
                    purpose=purpose,
                    guardian_relation="parent",
                    granted_at=datetime.now(UTC),
                )
            )
    await session.commit()
    return user


async def create_class(
    session: AsyncSession, teacher: User, learners: Sequence[User] = (), *, name: str | None = None
) -> SchoolClass:
    school_class = SchoolClass(
        school_id=teacher.school_id, teacher_id=teacher.id, name=name or f"Class {_suffix()}"
    )
    session.add(school_class)
    await session.flush()
    for learner in learners:
        session.add(Enrolment(class_id=school_class.id, learner_id=learner.id))
    await session.commit()
    return school_class


async def create_kp(session: AsyncSession, code: str, *, requires: Sequence[str] = ()) -> KnowledgePoint:
    kp = KnowledgePoint(code=code, name_zh=f"知识点 {code}", name_en=f"Knowledge point {code}")
    session.add(kp)
    await session.flush()
    for prerequisite in requires:
        session.add(Prerequisite(code=code, requires=prerequisite))
    await session.commit()
    return kp


async def create_item(
    session: AsyncSession,
    kp_codes: Sequence[str],
    *,
    answer: str = "5",
    answer_kind: str = "number",
    stem_latex: str | None = "3x + 5 = 20",
    difficulty: float = 0.0,
    school: School | None = None,
    origin: str = "seed",
) -> Item:
    kps = [await session.get(KnowledgePoint, code) for code in kp_codes]
    item = Item(
        stem_latex=stem_latex,
        stem_text_en=None if stem_latex else "Solve it",
        answer=answer,
        answer_kind=answer_kind,
        difficulty=difficulty,
        difficulty_prior=difficulty,
        origin=origin,
        verified=True,
        school_id=school.id if school else None,
        knowledge_points=[kp for kp in kps if kp is not None],
    )
    session.add(item)
    await session.commit()
    return item


async def create_dialogue(session: AsyncSession, learner: User, *turns: tuple[str, str]) -> uuid.UUID:
    """A stored dialogue about "2x + 3 = 7" with ``(role, text)`` turns numbered from 1, as the routes write."""
    dialogue = Dialogue(
        learner_id=learner.id, school_id=learner.school_id, problem="2x + 3 = 7", lang="zh", turn_count=0
    )
    session.add(dialogue)
    await session.flush()
    for seq, (role, text) in enumerate(turns, start=1):
        session.add(DialogueTurnRow(dialogue_id=dialogue.id, seq=seq, role=role, text=text))
    dialogue.turn_count = len(turns)
    await session.commit()
    return dialogue.id


def auth_headers(settings: Settings, user: User) -> dict[str, str]:
    token, _ = issue_token(settings, user)
    return {"Authorization": f"Bearer {token}"}


@dataclass
class World:
    """Two schools; school A has an admin, two teachers each with a class of two students."""

    school: School
    other_school: School
    admin: User
    teacher: User
    other_teacher: User
    students: list[User]
    other_students: list[User]
    outsider_admin: User
    outsider_student: User
    school_class: SchoolClass
    other_class: SchoolClass
    extra: dict[str, object] = field(default_factory=dict)


async def build_world(session: AsyncSession) -> World:
    school = await create_school(session, "School A")
    other_school = await create_school(session, "School B")
    admin = await create_user(session, school, "admin")
    teacher = await create_user(session, school, "teacher")
    other_teacher = await create_user(session, school, "teacher")
    students = [await create_user(session, school, "student") for _ in range(2)]
    other_students = [await create_user(session, school, "student") for _ in range(2)]
    school_class = await create_class(session, teacher, students)
    other_class = await create_class(session, other_teacher, other_students)
    return World(
        school=school,
        other_school=other_school,
        admin=admin,
        teacher=teacher,
        other_teacher=other_teacher,
        students=students,
        other_students=other_students,
        outsider_admin=await create_user(session, other_school, "admin"),
        outsider_student=await create_user(session, other_school, "student"),
        school_class=school_class,
        other_class=other_class,
    )
