"""Request and response shapes of the math routes."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

import msgspec

from adapters.llm.params import GenerationParams
from tutor.math.parsing import MAX_INPUT_CHARS
from tutor.math.steps import Step

__all__ = ["AnswerCheckIn", "AnswerCheckOut", "SolveIn", "SolveOut", "SolveStepOut", "TaskName"]

MathText = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_INPUT_CHARS)]


class SolveIn(msgspec.Struct, frozen=True):
    problem: MathText
    format: Literal["latex", "text", "auto"] = "auto"
    engine: Literal["auto", "symbolic", "llm"] = "auto"
    """``auto``: the language model when one is configured (its output checked), else the symbolic solver."""
    language: Literal["zh", "en"] = "zh"
    recognition_id: UUID | None = None
    """A formula/speech recognition whose (confirmed or edited) text is ``problem``."""
    params: GenerationParams | None = None
    """Decoding controls for the language model (``engine`` ``llm`` or ``auto``); 422 with ``symbolic``."""


class SolveStepOut(msgspec.Struct, frozen=True):
    latex: str
    rule: str
    explanation: str
    verdict: Literal["valid", "invalid", "unparseable", "explanation"]


class SolveOut(msgspec.Struct, frozen=True):
    """``verification`` says how the steps were checked; every symbolic step is checked equivalent."""

    kind: str
    engine: str
    steps: list[SolveStepOut]
    answer: str
    answer_kind: str
    verification: str
    input_modality: str = "typed"
    recognition_edited: bool | None = None


TaskName = Literal["solve", "calculate", "evaluate", "expand", "factor", "simplify", "reduce", "derivative"]


class AnswerCheckIn(msgspec.Struct, frozen=True):
    expected: MathText
    submitted: MathText
    answer_kind: Literal["number", "expression", "equation", "inequality", "pair", "set"] | None = None
    task: TaskName | None = None
    """What the question asks: the answer must then be in answer form for it (not the question echoed)."""
    question: MathText | None = None
    """The question itself: its task is read from it when ``task`` is not given, and echoing it is wrong."""
    language: Literal["zh", "en"] | None = None
    """Language of ``reason`` (default English); ``reason_zh`` and ``reason_en`` always carry both."""


class AnswerCheckOut(msgspec.Struct, frozen=True):
    correct: bool
    reason: str
    answer_kind: str
    normalized_submitted: str | None = None
    reason_zh: str = ""
    reason_en: str = ""
    code: str = ""
    """Why, as a stable name: correct, wrong_value, echo, unsolved, unfinished, not_lowest ..."""


def step_out(step: Step, language: str) -> SolveStepOut:
    explanation = step.explanation_zh if language == "zh" else step.explanation_en
    return SolveStepOut(latex=step.latex, rule=step.rule, explanation=explanation, verdict="valid")
