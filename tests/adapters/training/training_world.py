"""A school whose learners practised BELLE-style word problems, some with training consent.

Shared by the training integration and API tests (imported, not collected).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from adapters.training.dataset import BelleExample
from adapters.training.testing import arithmetic_examples, build_tiny_base_model, corpus_texts
from tests.factories import create_kp, create_school, create_user
from tutor.auth.principal import Principal
from tutor.db.models import Attempt, Item, School, User
from tutor.privacy.consent import grant_consent, revoke_consent
from tutor.training.data import is_heldout

STUDENT_NAME = "王小明"


@dataclass
class TrainingWorld:
    school: School
    admin: User
    teacher: User
    consenting: list[User]
    revoked: User
    no_consent: User
    train_items: list[Item]
    heldout_items: list[Item]


def build_base_model(directory: Path) -> Path:
    """Tiny LLaMA whose tokenizer covers the word problems and ``答：`` answers used below."""
    texts = corpus_texts(arithmetic_examples(200, seed=5))
    texts += corpus_texts(
        [BelleExample(instruction=f"{STUDENT_NAME}算 {a}+{a}", output=f"答：{2 * a}") for a in range(20)]
    )
    return build_tiny_base_model(directory, texts, arch="llama")


async def build_training_world(session: AsyncSession, *, learners: int = 12, seed: int = 0) -> TrainingWorld:
    rng = random.Random(seed)
    school = await create_school(session, "Training School")
    admin = await create_user(session, school, "admin")
    teacher = await create_user(session, school, "teacher")
    students = [
        await create_user(session, school, "student", display_name=STUDENT_NAME if i == 0 else None)
        for i in range(learners + 2)
    ]
    await create_kp(session, "arith.add")
    train_items: list[Item] = []
    heldout_items: list[Item] = []
    while len(train_items) < 8 or len(heldout_items) < 3:
        a, b = rng.randint(1, 9), rng.randint(1, 9)
        item = Item(
            stem_text_zh=f"小明有{a}个苹果，又买了{b}个，一共有几个？",
            answer=str(a + b),
            answer_kind="number",
            origin="teacher",
            verified=True,
            school_id=school.id,
        )
        session.add(item)
        await session.flush()
        (heldout_items if is_heldout(item.id) else train_items).append(item)
    # One item names a learner: the scrubber must remove it from the training text.
    named = Item(
        stem_text_zh=f"{STUDENT_NAME}算 3+4 等于几？",
        answer="7",
        answer_kind="number",
        origin="teacher",
        verified=True,
        school_id=school.id,
    )
    session.add(named)
    await session.flush()
    for learner in students:
        for item in [*rng.sample(train_items, 4), named, *heldout_items]:
            session.add(
                Attempt(learner_id=learner.id, item_id=item.id, submitted_answer=item.answer, is_correct=True)
            )
    await session.commit()
    staff = Principal(id=admin.id, role="admin", school_id=school.id)
    consenting, revoked, no_consent = students[:learners], students[learners], students[learners + 1]
    for learner in [*consenting, revoked]:
        await grant_consent(
            session,
            learner_id=learner.id,
            purpose="model_training",
            guardian_relation="parent",
            recorded_by=staff,
        )
    await revoke_consent(session, learner_id=revoked.id, purpose="model_training", revoked_by=staff)
    await session.commit()
    (heldout_items if is_heldout(named.id) else train_items).append(named)
    return TrainingWorld(
        school=school,
        admin=admin,
        teacher=teacher,
        consenting=consenting,
        revoked=revoked,
        no_consent=no_consent,
        train_items=train_items,
        heldout_items=heldout_items,
    )
