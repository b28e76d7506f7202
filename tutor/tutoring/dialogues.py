"""Tutoring dialogues: start one, add a turn (whole or streamed), read it back.

History lives in PostgreSQL; each prompt holds the problem plus the most recent exchanges that fit
the token budget (``TUTOR_DIALOGUE_MAX_TURNS`` / ``TUTOR_DIALOGUE_MAX_TOKENS``). Only the learner
talks in their dialogue; their teachers and school admins can read it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.llm import (
    DialogueTurn,
    GenerationParams,
    LLMEngine,
    RenderedPrompt,
    build_dialogue_prompt,
    defaults_for,
)
from tutor.audit.ai_content import input_hash
from tutor.audit.events import record_event
from tutor.audit.kinds import AI_CONTENT_APPROVED, MODEL_OUTPUT_DIALOGUE_TURN
from tutor.auth.access import learner_visible_to
from tutor.auth.principal import Principal
from tutor.db.models import Attempt, Item
from tutor.db.models.dialogues import Dialogue, DialogueTurnRow
from tutor.errors import ConflictError, ForbiddenError, NotFoundError, UnprocessableError
from tutor.items.access import visible_item
from tutor.tutoring.audit import record_model_output
from tutor.tutoring.config import TutoringConfig
from tutor.tutoring.schemas import DialogueCreate, DialogueOut, ModelProvenance, TurnApprovalOut, TurnOut

__all__ = [
    "add_tutor_turn",
    "approval_out",
    "approve_turn",
    "create_dialogue",
    "dialogue_out",
    "dialogue_params",
    "dialogue_prompt",
    "get_dialogue",
    "list_dialogues",
    "load_turns",
    "own_dialogue",
    "record_student_turn",
    "turn_out",
]


def _item_problem(item: Item, lang: str) -> str:
    text = item.stem_latex or (item.stem_text_zh if lang == "zh" else item.stem_text_en)
    return text or item.stem_text_zh or item.stem_text_en or ""


async def create_dialogue(session: AsyncSession, principal: Principal, data: DialogueCreate) -> Dialogue:
    """A learner starts a dialogue about a problem text, an item, or one of their own attempts."""
    if not principal.is_student:
        raise ForbiddenError("Only learners start tutoring dialogues.")
    if sum(x is not None for x in (data.problem, data.item_id, data.attempt_id)) != 1:
        raise UnprocessableError("Give exactly one of problem, item_id or attempt_id.")
    item_id, attempt_id, problem = data.item_id, data.attempt_id, data.problem
    if data.attempt_id is not None:
        attempt = await session.get(Attempt, data.attempt_id)
        if attempt is None or attempt.learner_id != principal.id:
            raise NotFoundError("Attempt not found.")
        item_id = attempt.item_id
    if item_id is not None:
        problem = _item_problem(await visible_item(session, principal, item_id), data.lang)
    if not problem:
        raise UnprocessableError("The problem has no text to talk about.")
    dialogue = Dialogue(
        learner_id=principal.id,
        school_id=principal.school_id,
        item_id=item_id,
        attempt_id=attempt_id,
        problem=problem,
        lang=data.lang,
        turn_count=0,
    )
    session.add(dialogue)
    await session.flush()
    return dialogue


async def get_dialogue(session: AsyncSession, principal: Principal, dialogue_id: UUID) -> Dialogue:
    """Readable by its learner, their teachers and school admins; others get 404/403."""
    dialogue = await session.get(Dialogue, dialogue_id)
    if dialogue is None or dialogue.school_id != principal.school_id:
        raise NotFoundError("Dialogue not found.")
    if principal.is_student and dialogue.learner_id != principal.id:
        raise NotFoundError("Dialogue not found.")
    if not principal.is_student:
        await learner_visible_to(session, principal, dialogue.learner_id)
    return dialogue


async def list_dialogues(
    session: AsyncSession, principal: Principal, learner_id: UUID | None, limit: int, offset: int
) -> tuple[list[Dialogue], int]:
    """Newest first: a learner's own; staff name a learner they may see (``learner_id``)."""
    if principal.is_student:
        if learner_id not in (None, principal.id):
            raise NotFoundError("Learner not found.")
        learner_id = principal.id
    elif learner_id is None:
        raise UnprocessableError("learner_id: name the learner whose dialogues to list.", field="learner_id")
    else:
        await learner_visible_to(session, principal, learner_id)
    where = Dialogue.learner_id == learner_id
    total = await session.scalar(select(func.count()).select_from(Dialogue).where(where)) or 0
    rows = await session.scalars(
        select(Dialogue)
        .where(where)
        .order_by(Dialogue.created_at.desc(), Dialogue.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


async def own_dialogue(session: AsyncSession, principal: Principal, dialogue_id: UUID) -> Dialogue:
    """The dialogue, locked for this transaction, if the caller is its learner (turns are sequential)."""
    dialogue = await session.scalar(select(Dialogue).where(Dialogue.id == dialogue_id).with_for_update())
    if dialogue is None or dialogue.learner_id != principal.id:
        raise NotFoundError("Dialogue not found.")
    return dialogue


async def load_turns(
    session: AsyncSession, dialogue: Dialogue, limit: int | None = None
) -> list[DialogueTurnRow]:
    """Turns in order; with ``limit`` only the newest ones."""
    query = select(DialogueTurnRow).where(DialogueTurnRow.dialogue_id == dialogue.id)
    if limit is None:
        return list(await session.scalars(query.order_by(DialogueTurnRow.seq)))
    newest = await session.scalars(query.order_by(DialogueTurnRow.seq.desc()).limit(limit))
    return list(reversed(list(newest)))


def _add_turn(session: AsyncSession, dialogue: Dialogue, role: str, text: str) -> DialogueTurnRow:
    dialogue.turn_count += 1
    row = DialogueTurnRow(dialogue_id=dialogue.id, seq=dialogue.turn_count, role=role, text=text)
    session.add(row)
    return row


async def record_student_turn(
    session: AsyncSession, dialogue: Dialogue, message: str, config: TutoringConfig
) -> DialogueTurnRow:
    if dialogue.turn_count + 2 > config.max_dialogue_turns_stored:
        raise ConflictError("This dialogue is full; start a new one.")
    row = _add_turn(session, dialogue, "student", message)
    await session.flush()
    return row


async def dialogue_prompt(
    session: AsyncSession, dialogue: Dialogue, engine: LLMEngine, config: TutoringConfig
) -> RenderedPrompt:
    """The problem plus the newest exchanges fitting the budget (the new student turn is last)."""
    history = await load_turns(session, dialogue, limit=2 * config.dialogue_max_turns + 1)
    turns = [DialogueTurn(role="tutor" if t.role == "tutor" else "student", text=t.text) for t in history]
    return build_dialogue_prompt(
        dialogue.problem,
        turns,
        dialogue.lang,
        engine.count_tokens,
        max_turns=config.dialogue_max_turns,
        max_tokens=config.dialogue_max_tokens,
    )


def dialogue_params(params: GenerationParams | None) -> GenerationParams:
    return params or defaults_for("dialogue")


async def add_tutor_turn(
    session: AsyncSession,
    principal: Principal,
    dialogue: Dialogue,
    text: str,
    *,
    adapter: str | None,
    model: str,
    template_id: str,
    params: GenerationParams,
    finish_reason: str,
) -> DialogueTurnRow:
    """Store the tutor's reply and its audit event in the caller's transaction."""
    row = _add_turn(session, dialogue, "tutor", text)
    row.model, row.adapter, row.template_id = model, adapter, template_id
    await session.flush()
    await record_model_output(
        session,
        kind=MODEL_OUTPUT_DIALOGUE_TURN,
        principal=principal,
        learner_id=dialogue.learner_id,
        provenance=ModelProvenance(model=model, adapter=adapter, template=template_id),
        params=params,
        output=text,
        verdict={"checked": False, "reason": "free-text tutoring reply", "finish_reason": finish_reason},
        refs={"dialogue_id": str(dialogue.id), "turn_seq": row.seq},
        inputs={**input_hash("problem", dialogue.problem), "answers_turn_seq": row.seq - 1},
    )
    return row


async def approve_turn(
    session: AsyncSession, principal: Principal, dialogue_id: UUID, seq: int
) -> DialogueTurnRow:
    """A teacher of the learner's class (or their school's admin) approves a tutor turn as training data.

    Another school's dialogue is 404, a learner the caller does not teach 403, a learner turn 422.
    Approving an approved turn changes nothing and records no second event. The audit event is written
    in the caller's transaction, so the approval and its record commit together.
    """
    if not (principal.is_teacher or principal.is_admin):
        raise ForbiddenError("Only the learner's teachers and school admins approve tutor turns.")
    dialogue = await session.get(Dialogue, dialogue_id)
    if dialogue is None or dialogue.school_id != principal.school_id:
        raise NotFoundError("Dialogue not found.")
    await learner_visible_to(session, principal, dialogue.learner_id)
    turn = await session.scalar(
        select(DialogueTurnRow)
        .where(DialogueTurnRow.dialogue_id == dialogue.id, DialogueTurnRow.seq == seq)
        .with_for_update()
    )
    if turn is None:
        raise NotFoundError("Turn not found.")
    if turn.role != "tutor":
        raise UnprocessableError("Only the tutor's turns can be approved.", field="seq")
    if turn.approved_at is not None:
        return turn
    turn.approved_by, turn.approved_at = principal.id, datetime.now(UTC)
    await session.flush()
    await record_event(
        session,
        kind=AI_CONTENT_APPROVED,
        actor_id=principal.id,
        actor_role=principal.role,
        learner_id=dialogue.learner_id,
        payload={"dialogue_id": str(dialogue.id), "seq": turn.seq},
        school_id=principal.school_id,
    )
    return turn


def approval_out(row: DialogueTurnRow) -> TurnApprovalOut:
    assert row.approved_at is not None  # only called on approved turns
    return TurnApprovalOut(
        dialogue_id=row.dialogue_id,
        seq=row.seq,
        role="tutor",
        approved_by=row.approved_by,
        approved_at=row.approved_at,
    )


def turn_out(row: DialogueTurnRow) -> TurnOut:
    return TurnOut(
        seq=row.seq,
        role="tutor" if row.role == "tutor" else "student",
        text=row.text,
        created_at=row.created_at,
        approved_at=row.approved_at,
    )


def dialogue_out(dialogue: Dialogue, turns: list[DialogueTurnRow]) -> DialogueOut:
    return DialogueOut(
        id=dialogue.id,
        problem=dialogue.problem,
        lang=dialogue.lang,
        item_id=dialogue.item_id,
        attempt_id=dialogue.attempt_id,
        created_at=dialogue.created_at,
        turns=[turn_out(t) for t in turns],
    )
