"""Tutoring dialogues: start one, add a turn (whole or streamed), read it back.

History lives in PostgreSQL; each prompt holds the problem plus the most recent exchanges that fit
the token budget (``TUTOR_DIALOGUE_MAX_TURNS`` / ``TUTOR_DIALOGUE_MAX_TOKENS``). Only the learner
talks in their dialogue; their teachers and school admins can read it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import msgspec
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
from tutor.math.sandbox import run_sandboxed
from tutor.tutoring.audit import record_model_output
from tutor.tutoring.config import TutoringConfig
from tutor.tutoring.replies import check_reply_sync, replacement_reply, screen_message, screened_reply
from tutor.tutoring.schemas import DialogueCreate, DialogueOut, ModelProvenance, TurnApprovalOut, TurnOut

__all__ = [
    "CheckedReply",
    "ReplyContext",
    "add_tutor_turn",
    "approval_out",
    "approve_turn",
    "check_tutor_reply",
    "create_dialogue",
    "dialogue_out",
    "dialogue_params",
    "dialogue_prompt",
    "get_dialogue",
    "list_dialogues",
    "load_turns",
    "own_dialogue",
    "record_student_turn",
    "screen_learner_message",
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


class CheckedReply(msgspec.Struct, frozen=True):
    """The text a learner is shown and the verdict recorded with what the model said."""

    text: str
    check: dict[str, object]


class ReplyContext(msgspec.Struct, frozen=True):
    """What checking a reply needs, captured while the dialogue row is loaded."""

    problem: str
    lang: str
    step_index: int

    @classmethod
    def of(cls, dialogue: Dialogue) -> ReplyContext:
        return cls(dialogue.problem, dialogue.lang, dialogue.turn_count // 2 + 1)


async def screen_learner_message(ctx: ReplyContext, message: str) -> CheckedReply | None:
    """A fixed reply when the learner's message must not reach the model (unsafe, injection, off-topic)."""
    reason = screen_message(message)
    if reason is None:
        return None
    text = await run_sandboxed(screened_reply, reason, ctx.problem, ctx.lang, ctx.step_index)
    return CheckedReply(text, {"served": "screened", "screened_because": reason})


async def check_tutor_reply(ctx: ReplyContext, raw: str, prompt: RenderedPrompt) -> CheckedReply:
    """The model's reply if it passes :func:`check_reply_sync`, else the solver's next step."""
    instructions = prompt.text.replace(ctx.problem, " ")
    verdict = await run_sandboxed(check_reply_sync, ctx.problem, raw, instructions)
    if verdict.ok:
        return CheckedReply(raw.strip(), {"served": "model"})
    text = await run_sandboxed(replacement_reply, ctx.problem, ctx.lang, ctx.step_index)
    check: dict[str, object] = {"served": "solver", "rejected_because": verdict.reason}
    if verdict.detail:
        check["detail"] = verdict.detail
    return CheckedReply(text, check)


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
    raw: str | None = None,
    check: dict[str, object] | None = None,
) -> DialogueTurnRow:
    """Store the tutor's reply (the checked text) and its audit event (what the model really said,
    and the check's verdict) in the caller's transaction."""
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
        output=text if raw is None else raw,
        verdict={"checked": check is not None, **(check or {}), "finish_reason": finish_reason},
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
