"""Approved tutor turns and corrected recognitions as training data, against real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.training.bound import cap_per_learner
from adapters.training.dataset import BelleExample
from tests.factories import create_class, create_dialogue, create_school, create_user
from tutor.auth.principal import Principal
from tutor.db.models import Attempt, Dialogue, Item, Recognition, School, User
from tutor.math import sandbox
from tutor.privacy.consent import grant_consent
from tutor.training import data
from tutor.training.data import is_heldout, learner_examples
from tutor.training.serving_format import serving_instruction
from tutor.tutoring.dialogues import approve_turn

NAME = "李小红"


@pytest.fixture(autouse=True)
def fresh_sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TUTOR_MATH_TIMEOUT_S", "10")
    monkeypatch.setenv("TUTOR_MATH_WORKERS", "1")
    sandbox.shutdown()
    yield
    sandbox.shutdown()


@dataclass
class Sources:
    school: School
    teacher: Principal
    learner: User  # training consent; named NAME
    no_consent: User


async def _world(session: AsyncSession) -> Sources:
    school = await create_school(session, "Sources School")
    admin = await create_user(session, school, "admin")
    teacher = await create_user(session, school, "teacher")
    learner = await create_user(session, school, "student", display_name=NAME)
    no_consent = await create_user(session, school, "student")
    await create_class(session, teacher, [learner, no_consent])
    staff = Principal(id=admin.id, role="admin", school_id=school.id)
    await grant_consent(
        session,
        learner_id=learner.id,
        purpose="model_training",
        guardian_relation="parent",
        recorded_by=staff,
    )
    await session.commit()
    return Sources(
        school=school,
        teacher=Principal(id=teacher.id, role="teacher", school_id=school.id),
        learner=learner,
        no_consent=no_consent,
    )


def _recognition(learner: User, recognized: str, confirmed: str, *, edited: bool) -> Recognition:
    return Recognition(
        learner_id=learner.id,
        kind="handwriting",
        engine="pix2tex",
        recognized_text=recognized,
        confidence=0.5,
        language=None,
        parseable=True,
        confirmed_text=confirmed,
        edited=edited,
        confirmed_at=datetime.now(UTC),
    )


async def _heldout_item(session: AsyncSession, school: School) -> Item:
    for n in range(1, 200):
        item = Item(
            stem_latex=f"x + {n} = {n + 5}",
            answer="5",
            answer_kind="number",
            origin="teacher",
            verified=True,
            school_id=school.id,
        )
        session.add(item)
        await session.flush()
        if is_heldout(item.id):
            await session.commit()
            return item
        await session.delete(item)
    raise AssertionError("no held-out id drawn")


async def _talk(session: AsyncSession, w: Sources, learner: User, approve: bool = True) -> None:
    dialogue_id = await create_dialogue(
        session,
        learner,
        ("student", f"我是{NAME}，这题我不会。"),
        ("tutor", f"{NAME}，先把 3 移到等号右边。"),
        ("student", "然后呢？"),
        ("tutor", "两边同时除以 2。"),  # never approved
    )
    if approve:
        await approve_turn(session, w.teacher, dialogue_id, 2)
        await session.commit()


async def test_approved_turns_and_corrected_recognitions_of_consenting_learners(
    session: AsyncSession,
) -> None:
    w = await _world(session)
    learner_id, no_consent_id = w.learner.id, w.no_consent.id
    for who in (w.learner, w.no_consent):
        await _talk(session, w, who)
        session.add(_recognition(who, "2x + 8 = 7", "2x + 3 = 7", edited=True))  # corrected
        session.add(_recognition(who, "x^2 - 9 = 0", "x^2 - 9 = 0", edited=False))  # read right: not used
        session.add(_recognition(who, "你好吗", "今天天气很好", edited=True))  # nothing the solver can check
    await session.commit()

    out = await learner_examples(session, w.school.id, [learner_id, no_consent_id])
    assert set(out) == {str(learner_id)}  # no training consent: none of their words, whatever the caller asks
    examples = out[str(learner_id)]
    assert len(examples) == 2

    [turn] = [e for e in examples if "2x + 3 = 7" in e.instruction and "学生" in e.instruction]
    assert turn.instruction == "题目：2x + 3 = 7\n学生：我是[NAME]，这题我不会。"
    assert turn.output == "[NAME]，先把 3 移到等号右边。"  # the learner's name is scrubbed, the turn kept
    assert all("两边同时除以" not in e.output for e in examples)  # unapproved turn

    [recognition] = [e for e in examples if e is not turn]
    assert recognition.instruction == serving_instruction("2x + 3 = 7", "en")  # the prompt as served
    lines = recognition.output.splitlines()
    # the solver's checked steps, numbered, then the boxed answer: the format the serving checker reads
    assert lines[-1] == "Answer: \\boxed{x = 2}" and len(lines) >= 3 and lines[0].startswith("1. ")
    assert all("x^2" not in e.instruction and "天气" not in e.instruction for e in examples)
    assert all(NAME not in e.instruction + e.output for e in examples)
    assert str(learner_id) not in str(examples)


async def test_held_out_problems_stay_out_of_every_source(session: AsyncSession) -> None:
    w = await _world(session)
    item = await _heldout_item(session, w.school)
    dialogue_id = await create_dialogue(
        session, w.learner, ("student", "怎么做？"), ("tutor", "先减去常数。")
    )
    dialogue = await session.get(Dialogue, dialogue_id)
    assert dialogue is not None
    dialogue.item_id, dialogue.problem = item.id, item.stem_latex or ""
    await session.commit()
    await approve_turn(session, w.teacher, dialogue_id, 2)
    # The learner wrote the held-out problem by hand (spaced differently): still the test set's text.
    session.add(_recognition(w.learner, "x+1", (item.stem_latex or "").replace(" ", ""), edited=True))
    session.add(Attempt(learner_id=w.learner.id, item_id=item.id, submitted_answer="5", is_correct=True))
    await session.commit()
    assert await learner_examples(session, w.school.id, [w.learner.id]) == {}


async def test_one_cap_across_sources_and_the_bound_applies(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = await _world(session)
    for n in range(3):  # three correct attempts on distinct verified, non-held-out items
        while True:
            item = Item(
                stem_text_zh=f"计算 {n} + {n}", answer=str(2 * n), answer_kind="number", origin="teacher",
                verified=True, school_id=w.school.id,
            )  # fmt: skip
            session.add(item)
            await session.flush()
            if not is_heldout(item.id):
                break
            await session.delete(item)
        session.add(Attempt(learner_id=w.learner.id, item_id=item.id, submitted_answer="x", is_correct=True))
    await _talk(session, w, w.learner)
    session.add(_recognition(w.learner, "3x = 7", "3x = 6", edited=True))
    await session.commit()

    everything = (await learner_examples(session, w.school.id, [w.learner.id]))[str(w.learner.id)]
    assert len(everything) == 5
    monkeypatch.setattr(data, "MAX_ROWS_PER_LEARNER", 3)
    capped = (await learner_examples(session, w.school.id, [w.learner.id]))[str(w.learner.id)]
    assert len(capped) == 3 and capped[:2] == everything[:2]  # the scarce sources come first
    assert {"Answer: \\boxed{x = 2}", "[NAME]，先把 3 移到等号右边。"} <= {
        e.output.splitlines()[-1] for e in capped
    }
    pools = cap_per_learner({str(w.learner.id): everything}, k=2, seed=1)
    assert pools.learner_count == 1 and pools.example_count == 2  # one learner, k examples, any source
    assert all(isinstance(e, BelleExample) for e in pools.flat())
