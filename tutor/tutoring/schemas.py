"""API shapes for the model-backed routes (solve with the LLM, dialogues, exercise generation)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from adapters.llm import GenerationParams
from tutor.db.models import Item
from tutor.learning.difficulty import typical_p_correct

__all__ = [
    "CheckedSolutionOut",
    "DialogueCreate",
    "DialogueOut",
    "ExerciseGenerateRequest",
    "ExerciseGenerateResponse",
    "GeneratedItemOut",
    "HintOut",
    "HintRequest",
    "LLMSolveRequest",
    "ModelProvenance",
    "StepVerdictOut",
    "TurnApprovalOut",
    "TurnCreate",
    "TurnOut",
    "generated_item_out",
]

Lang = Literal["zh", "en"]
Problem = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
Message = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
AdapterName = Annotated[str, msgspec.Meta(max_length=140, pattern=r"^[A-Za-z0-9_.@-]*$")]


class LLMSolveRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Solve with the language model; the math engine checks every step."""

    problem: Problem
    lang: Lang = "zh"
    adapter: AdapterName | None = None
    params: GenerationParams | None = None


class HintRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Ask for the next step only; ``work`` is what the learner has written so far."""

    problem: Problem
    work: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    lang: Lang = "zh"
    adapter: AdapterName | None = None
    params: GenerationParams | None = None


class ModelProvenance(msgspec.Struct, frozen=True, kw_only=True):
    """What produced an output (also what the audit log records)."""

    model: str
    adapter: str | None
    template: str


class StepVerdictOut(msgspec.Struct, frozen=True, kw_only=True):
    """One model step and the math engine's verdict on it (``explanation``: prose, no claim to check)."""

    index: int
    text: str
    verdict: Literal["valid", "invalid", "unparseable", "explanation", "unchecked"]
    detail: str | None = None


class HintOut(msgspec.Struct, kw_only=True):
    """A hint that was checked not to give the answer away (``source`` as for solutions)."""

    text: str
    source: Literal["model", "model_retry", "solver"]
    provenance: ModelProvenance | None = None
    fallback_reason: str | None = None


class CheckedSolutionOut(msgspec.Struct, kw_only=True):
    """The model's steps with verdicts, or the symbolic solver's when the model's did not check out.

    ``source`` says which: ``model`` (first try), ``model_retry`` (sampled retry), ``solver``
    (fallback; ``fallback_reason`` says why).
    """

    problem: str
    source: Literal["model", "model_retry", "solver"]
    steps: list[StepVerdictOut]
    final_answer: str | None
    answer_correct: bool | None
    attempts: int
    fallback_reason: str | None = None
    provenance: ModelProvenance | None = None


class DialogueCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Start a dialogue about a problem (text, or an item) or about one of the learner's attempts."""

    problem: Problem | None = None
    item_id: UUID | None = None
    attempt_id: UUID | None = None
    lang: Lang = "zh"


class DialogueOut(msgspec.Struct, kw_only=True):
    id: UUID
    problem: str
    lang: str
    item_id: UUID | None
    attempt_id: UUID | None
    created_at: datetime
    turns: list[TurnOut] = msgspec.field(default_factory=list)


class TurnCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    message: Message
    params: GenerationParams | None = None


class TurnOut(msgspec.Struct, kw_only=True):
    seq: int
    role: Literal["student", "tutor"]
    text: str
    created_at: datetime
    approved_at: datetime | None = None
    """Set once a teacher approved this tutor turn as training data."""


class TurnApprovalOut(msgspec.Struct, kw_only=True):
    """A tutor turn a teacher approved (as training data); approving again changes nothing."""

    dialogue_id: UUID
    seq: int
    role: Literal["tutor"]
    approved_by: UUID | None
    approved_at: datetime


class ExerciseGenerateRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    knowledge_point: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    difficulty: Annotated[float, msgspec.Meta(ge=0.0, le=1.0)] = 0.5
    """1 - target P(correct) for a typical learner (kept for older clients; see ``target_p_correct``)."""
    target_p_correct: Annotated[float, msgspec.Meta(ge=0.05, le=0.95)] | None = None
    """P(correct) a typical learner should have on the items; overrides ``difficulty`` when given."""
    count: Annotated[int, msgspec.Meta(ge=1, le=50)] = 3
    engine: Literal["template", "llm"] = "template"
    lang: Lang = "zh"
    params: GenerationParams | None = None

    @property
    def target(self) -> float:
        """The requested target P(correct) for a typical learner (one scale: `tutor.learning.difficulty`)."""
        return self.target_p_correct if self.target_p_correct is not None else 1.0 - self.difficulty


class GeneratedItemOut(msgspec.Struct, kw_only=True):
    id: UUID
    stem_latex: str
    answer: str
    answer_kind: str
    difficulty_prior: float
    """Point-relative logit (0 = the knowledge point's average item)."""
    typical_p_correct: float
    """P(correct) a typical learner is predicted to have on it (same scale as ``target_p_correct``)."""
    origin: str
    verified: bool
    """True once the item may be served to learners (a service key's items wait for a teacher)."""
    review_status: str = "pending"


def generated_item_out(item: Item) -> GeneratedItemOut:
    return GeneratedItemOut(
        id=item.id,
        stem_latex=item.stem_latex or "",
        answer=item.answer,
        answer_kind=item.answer_kind,
        difficulty_prior=item.difficulty_prior,
        typical_p_correct=round(typical_p_correct(item.difficulty), 4),
        origin=item.origin,
        verified=item.verified,
        review_status=item.review_status,
    )


class ExerciseGenerateResponse(msgspec.Struct, kw_only=True):
    knowledge_point: str
    engine: str
    requested: int
    items: list[GeneratedItemOut]
    rejected: int
    target_p_correct: float | None = None
    provenance: ModelProvenance | None = None
