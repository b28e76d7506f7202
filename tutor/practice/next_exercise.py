"""Choose a learner's next exercise from the item bank (selection rules: `tutor.learning.selection`)."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Hashable
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import desc, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.auth.principal import Principal
from tutor.db.models import (
    Attempt,
    Enrolment,
    Item,
    Mastery,
    Prerequisite,
    SchoolClass,
    item_knowledge_points,
)
from tutor.db.models.learning import LearnerAbility, LearnerKpStats, WrongAnswerEntry
from tutor.errors import NotFoundError
from tutor.items.schemas import item_out
from tutor.learning.ability import for_learner
from tutor.learning.bkt import DEFAULT_BKT_PARAMS
from tutor.learning.decay import decay_since, needs_mastery_check
from tutor.learning.irt import ItemParams
from tutor.learning.selection import Candidate, DueReview, LearnerState, PickReason, select_next
from tutor.practice.attempt_step import learning_config
from tutor.practice.params import kp_params
from tutor.practice.schemas import NextExerciseOut, PickReasonOut
from tutor.settings import Settings

__all__ = ["HISTORY_ATTEMPTS", "MAX_CANDIDATES", "next_exercise"]

MAX_CANDIDATES = 5000
"""Upper bound on items considered per request (keeps the route fast on a huge bank)."""

HISTORY_ATTEMPTS = 200
"""Latest attempts read per request: the recent window, the item just answered, least-recently-seen order."""

_EXPLANATIONS: dict[PickReason, tuple[str, str]] = {
    PickReason.REVIEW_DUE: (
        "错题本里的一道题到了再练的时间。",
        "A question from your wrong-answer book is due for another try.",
    ),
    PickReason.MASTERY_CHECK: (
        "你已经掌握了这个知识点，但有一段时间没练了：做一道题检查一下是否还记得。",
        "You mastered this topic a while ago: a quick check that it has stuck.",
    ),
    PickReason.READY_TO_LEARN: (
        "你已经准备好学习这个知识点：它的先修知识都已掌握。",
        "You are ready for this topic: its prerequisites are mastered.",
    ),
    PickReason.PREREQUISITE_GAPS: (
        "这个知识点还需要练习，后面的内容要用到它。",
        "This topic still needs practice before the ones that build on it.",
    ),
    PickReason.MAINTENANCE: (
        "你已经掌握了所有可学的知识点：适当复习能让它们保持熟练。",
        "You have mastered every topic available: a little revision keeps it fresh.",
    ),
    PickReason.REMEDIATION_PREREQUISITE: (
        "刚才连续几题没做对：先回顾一下它所依赖的基础知识。",
        "The last few answers were wrong: first a step back to the topic this one builds on.",
    ),
    PickReason.REMEDIATION_EASIER: (
        "刚才连续几题没做对：先做一道简单一些的题。",
        "The last few answers were wrong: an easier question on the same topic first.",
    ),
    PickReason.EXPLORATION: (
        "这道题难度合适，而且我们还在了解它的难度：你的答案能帮助改进题库。",
        "This question suits your level and is new to the bank: your answer helps calibrate it.",
    ),
}


async def _class_target(session: AsyncSession, learner_id: UUID) -> float | None:
    """The target P(correct) of the learner's most recently joined class, if any."""
    return await session.scalar(
        select(SchoolClass.target_p_correct)
        .join(Enrolment, Enrolment.class_id == SchoolClass.id)
        .where(Enrolment.learner_id == learner_id)
        .order_by(desc(Enrolment.enrolled_at))
        .limit(1)
    )


async def _candidates(session: AsyncSession, principal: Principal) -> list[Candidate]:
    rows = await session.execute(
        select(
            Item.id,
            Item.difficulty,
            Item.discrimination,
            Item.calibration_attempts,
            func.array_agg(item_knowledge_points.c.kp_code),
        )
        .join(item_knowledge_points, item_knowledge_points.c.item_id == Item.id)
        .where(Item.verified.is_(True), or_(Item.school_id.is_(None), Item.school_id == principal.school_id))
        .group_by(Item.id)
        .limit(MAX_CANDIDATES)
    )
    out = []
    for item_id, b, a, n, kps in rows.tuples():
        params = ItemParams(min(max(b, -10.0), 10.0), min(max(a, 0.05), 5.0), max(n, 0))
        out.append(Candidate(item_id, tuple(sorted(kps)), params))
    return out


async def next_exercise(
    session: AsyncSession, principal: Principal, settings: Settings, *, rng: random.Random | None = None
) -> NextExerciseOut:
    config = learning_config(settings)
    now = datetime.now(UTC)
    learner_id = principal.id
    fitted = {code: params for code, (params, _) in (await kp_params(session)).items()}
    stored = (
        await session.execute(
            select(Mastery.kp_code, Mastery.p_known, Mastery.updated_at).where(
                Mastery.learner_id == learner_id
            )
        )
    ).tuples()
    p_known: dict[str, float] = {}
    checks: set[str] = set()
    for code, p, at in stored:  # mastery as of now: faded for the time since the last practice
        params = fitted.get(code, DEFAULT_BKT_PARAMS)
        shown = decay_since(p, at, now, params)
        p_known[code] = shown
        if needs_mastery_check(p, shown, config.mastery_threshold, params):
            checks.add(code)
    history = (
        (
            await session.execute(
                select(Attempt.item_id, Attempt.created_at)
                .where(Attempt.learner_id == learner_id)
                .order_by(desc(Attempt.created_at), desc(Attempt.id))
                .limit(HISTORY_ATTEMPTS)
            )
        )
        .tuples()
        .all()
    )
    last_seen: dict[Hashable, datetime] = {}
    for item_id, at in history:
        last_seen.setdefault(item_id, at)
    recent = frozenset(list(last_seen)[: config.recent_items])
    last_item = history[0][0] if history else None
    last_kps: tuple[str, ...] = ()
    if last_item is not None:
        last_kps = tuple(
            (
                await session.scalars(
                    select(item_knowledge_points.c.kp_code).where(
                        item_knowledge_points.c.item_id == last_item
                    )
                )
            ).all()
        )
    streaks = dict(
        (
            await session.execute(
                select(LearnerKpStats.kp_code, LearnerKpStats.wrong_streak).where(
                    LearnerKpStats.learner_id == learner_id, LearnerKpStats.wrong_streak > 0
                )
            )
        )
        .tuples()
        .all()
    )
    due = [
        DueReview(item_id, due_at)
        for item_id, due_at in (
            await session.execute(
                select(WrongAnswerEntry.item_id, WrongAnswerEntry.due_at)
                .where(
                    WrongAnswerEntry.learner_id == learner_id,
                    WrongAnswerEntry.cleared_at.is_(None),
                    WrongAnswerEntry.due_at <= now,
                )
                .order_by(WrongAnswerEntry.due_at)
                .limit(50)
            )
        ).tuples()
    ]
    prerequisites: dict[str, list[str]] = defaultdict(list)
    for code, requires in (await session.execute(select(Prerequisite.code, Prerequisite.requires))).tuples():
        prerequisites[code].append(requires)
    ability = await session.get(LearnerAbility, learner_id)
    theta = 0.0 if ability is None else ability.theta
    candidates = [  # each item as this learner meets it (tutor.learning.ability)
        Candidate(c.item_id, c.knowledge_points, for_learner(c.item, theta))
        for c in await _candidates(session, principal)
    ]
    target = await _class_target(session, learner_id)
    selection = config.selection(target)
    pick = select_next(
        candidates,
        LearnerState(
            p_known=p_known,
            recent_items=recent,
            due_reviews=due,
            last_item=last_item,
            last_knowledge_points=last_kps,
            last_seen=last_seen,
            wrong_streak=streaks,
            mastery_checks=frozenset(checks),
        ),
        prerequisites,
        now,
        kp_params=fitted,
        config=selection,
        rng=rng,
    )
    if pick is None:
        raise NotFoundError("There is no exercise available for you yet. Ask your teacher to add items.")
    item = await session.get(Item, pick.item_id)
    if item is None:  # deleted between the two reads
        raise NotFoundError("The chosen exercise was just removed. Please ask again.")
    return NextExerciseOut(
        item=item_out(item, with_answer=False),
        reason=PickReasonOut(
            code=pick.reason.value,  # type: ignore[arg-type]
            knowledge_point=pick.knowledge_point,
            predicted_p_correct=round(pick.predicted_p_correct, 4),
            target_p_correct=selection.target,
            explanation=_EXPLANATIONS[pick.reason][1],
            explanation_zh=_EXPLANATIONS[pick.reason][0],
            explanation_en=_EXPLANATIONS[pick.reason][1],
        ),
    )
