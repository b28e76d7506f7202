"""Audit events for AI-generated content the model-output events do not cover, one call per site.

Every event records the input, the output, what produced it (engine, model/adapter/template versions,
parameters) and the checker's verdict, so a regulator can trace what a learner was shown. Learners' own
words (a recognised handwriting or speech, a correction) are recorded by SHA-256 and a reference to the
row erasure deletes, never as text: the audit log outlives erasure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, Final
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from tutor.audit import kinds
from tutor.audit.events import record_event
from tutor.auth.principal import Principal

__all__ = [
    "MAX_AUDIT_TEXT",
    "input_hash",
    "input_text",
    "record_correction",
    "record_generated_items",
    "record_recognition",
    "record_solver_solution",
    "sha256",
]

MAX_AUDIT_TEXT: Final = 8000


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _text(text: str) -> dict[str, Any]:
    return {"text": text[:MAX_AUDIT_TEXT], "sha256": sha256(text), "chars": len(text)}


def input_text(name: str, text: str) -> dict[str, Any]:
    """An input the math engine read (a problem): kept, bounded, with its hash."""
    return {name: text[:MAX_AUDIT_TEXT], f"{name}_sha256": sha256(text)}


def input_hash(name: str, text: str) -> dict[str, Any]:
    """A learner's own words: only the hash and length (the row holding them is erasable)."""
    return {f"{name}_sha256": sha256(text), f"{name}_chars": len(text)}


def _learner(principal: Principal) -> UUID | None:
    return principal.id if principal.is_student else None


async def record_solver_solution(
    session: AsyncSession,
    principal: Principal,
    *,
    problem: str,
    steps: Sequence[Mapping[str, Any]],
    answer: str,
    answer_kind: str,
    verification: str,
) -> None:
    """A symbolic solution served as a worked solution (input problem, every step, the check)."""
    await record_event(
        session,
        kind=kinds.SOLVER_OUTPUT_SOLUTION,
        actor_id=principal.id,
        actor_role=principal.role,
        learner_id=_learner(principal),
        school_id=principal.school_id,
        payload={
            "engine": "symbolic",
            "input": _text(problem),
            "output": {"steps": list(steps), "answer": answer, "answer_kind": answer_kind},
            "verdict": {"checked": True, "how": verification},
        },
    )


async def record_generated_items(
    session: AsyncSession,
    principal: Principal,
    *,
    engine: str,
    knowledge_point: str,
    parameters: Mapping[str, Any],
    items: Sequence[Any],
) -> None:
    """Exercises an engine (the templates) made and added to the bank, pending teacher review."""
    await record_event(
        session,
        kind=kinds.TEMPLATE_OUTPUT_EXERCISE,
        actor_id=principal.id,
        actor_role=principal.role,
        learner_id=None,
        school_id=principal.school_id,
        payload={
            "engine": engine,
            "input": {"knowledge_point": knowledge_point, **dict(parameters)},
            "output": [
                {
                    "item_id": item.id,
                    "stem_latex": item.stem_latex,
                    "stem_text_zh": item.stem_text_zh,
                    "stem_text_en": item.stem_text_en,
                    "answer": item.answer,
                    "answer_kind": item.answer_kind,
                    "difficulty_prior": item.difficulty_prior,
                }
                for item in items
            ],
            "verdict": {"checked": True, "how": "each item generated with its answer checked by the engine"},
            "review_status": "pending",
        },
    )


async def record_recognition(
    session: AsyncSession,
    principal: Principal,
    *,
    recognition_id: UUID,
    kind: str,
    engine: str,
    text: str,
    confidence: float,
    parseable: bool,
    language: str | None,
) -> None:
    """What pix2tex/whisper read from a learner's handwriting or voice (hash + reference, no text)."""
    await record_event(
        session,
        kind=kinds.MODEL_OUTPUT_RECOGNITION,
        actor_id=principal.id,
        actor_role=principal.role,
        learner_id=_learner(principal),
        school_id=principal.school_id,
        payload={
            "engine": engine,
            "input": {"kind": kind, "stored": False},
            "output": {"sha256": sha256(text), "chars": len(text), "language": language},
            "verdict": {"confidence": round(confidence, 4), "parseable": parseable},
            "recognition_id": recognition_id,
        },
    )


async def record_correction(
    session: AsyncSession,
    principal: Principal,
    *,
    recognition_id: UUID,
    recognized: str,
    confirmed: str,
    edited: bool,
) -> None:
    """The learner confirmed (and maybe corrected) what a recognition engine read."""
    await record_event(
        session,
        kind=kinds.RECOGNITION_CORRECTED,
        actor_id=principal.id,
        actor_role=principal.role,
        learner_id=_learner(principal),
        school_id=principal.school_id,
        payload={
            "recognition_id": recognition_id,
            "edited": edited,
            "before_sha256": sha256(recognized),
            "after_sha256": sha256(confirmed),
        },
    )
