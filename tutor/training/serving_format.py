"""Training examples in exactly the format the service asks for and checks.

The solution prompt is the served one (``adapters/prompts/belle.<lang>.yaml`` ``solution``, wrapped in
BELLE's ``Human: ...\\n\\nAssistant: \\n``), and the target is what the serving checker reads: numbered
steps, one short reason per step, the step's math between ``$...$``, and a last line
``答案：\\boxed{...}`` / ``Answer: \\boxed{...}``. Targets come from the symbolic solver's checked
steps, so every training target is itself a solution the checker accepts.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from adapters.llm.prompting import _instruction
from adapters.training.dataset import BelleExample, format_prompt
from tutor.errors import UnprocessableError
from tutor.math.solver import solve_problem
from tutor.math.steps import Solution
from tutor.math.templates.generators import TEMPLATES

__all__ = [
    "LINEAR_QUADRATIC",
    "GeneratedProblem",
    "generate_problems",
    "serving_example",
    "serving_instruction",
    "serving_prompt",
    "solution_target",
    "synthetic_examples",
]

LINEAR_QUADRATIC: tuple[str, ...] = (
    "lin.one_step",
    "lin.two_step",
    "lin.brackets",
    "quad.factoring",
)
"""The knowledge points the shipped math LoRA is trained and benchmarked on (``quad.perfect_square`` is
left out: its ``\\pm`` step is not read by the serving checker yet)."""

# One short reason per solver rule, without digits (a number in the prose is read as math).
_REASONS: dict[str, tuple[str, str]] = {
    "move terms": ("移项", "Move terms"),
    "combine like terms": ("合并同类项", "Combine like terms"),
    "divide by coefficient": ("系数化为一", "Divide by the coefficient"),
    "expand brackets": ("去括号", "Expand the brackets"),
    "clear denominators": ("去分母", "Clear the denominators"),
    "factor": ("因式分解", "Factor"),
    "zero product": ("令每个因式等于零", "Set each factor to zero"),
    "solve each factor": ("分别求解", "Solve each factor"),
    "square root": ("开平方", "Take the square root"),
    "solve": ("求解", "Solve"),
}
_ANSWER_LINE = {"zh": "答案：\\boxed{{{answer}}}", "en": "Answer: \\boxed{{{answer}}}"}
_STEP_SEP = {"zh": "：", "en": ": "}


@dataclass(frozen=True, slots=True)
class GeneratedProblem:
    """A template problem, the knowledge point it came from, and the solver's checked solution."""

    kp_code: str
    problem: str
    solution: Solution


def serving_instruction(problem: str, lang: str) -> str:
    """The served solution instruction (the template body) for ``problem``."""
    body, _template_id, _version = _instruction("solution", lang, {"problem": problem})
    return body


def serving_prompt(problem: str, lang: str) -> str:
    """The full model input the service sends for ``/v1/solve`` (BELLE wrapper included)."""
    return format_prompt(BelleExample(instruction=serving_instruction(problem, lang), output="-"))


def _compact(latex: str) -> str:
    """The solver's LaTeX, shorter: no ``\\left``/``\\right``, ``3 x`` as ``3x`` (fewer tokens to learn)."""
    text = latex.replace("\\left", "").replace("\\right", "")
    text = re.sub(r"(\d) (?=[a-z(])", r"\1", text)
    text = re.sub(r"(^|[=,(]\s?)- (?=\d)", r"\1-", text)
    text = re.sub(r"\) \(", ")(", text)
    return re.sub(r"\s+", " ", text).strip()


def _reason(rule: str, lang: str, fallback_zh: str, fallback_en: str) -> str:
    known = _REASONS.get(rule)
    if known is not None:
        return known[0] if lang == "zh" else known[1]
    text = fallback_zh.split("：")[0] if lang == "zh" else fallback_en.split(":")[0].rstrip(".")
    return re.sub(r"\d", "", text).strip() or ("变形" if lang == "zh" else "Rewrite")


def solution_target(solution: Solution, lang: str) -> str:
    """Numbered steps (``1. reason：$math$``) after the given problem, then the boxed answer line."""
    steps = [s for s in solution.steps if s.rule != "given"]
    sep = _STEP_SEP[lang]
    lines = [
        f"{i}. {_reason(s.rule, lang, s.explanation_zh, s.explanation_en)}{sep}${_compact(s.latex)}$"
        for i, s in enumerate(steps, start=1)
    ]
    lines.append(_ANSWER_LINE[lang].format(answer=solution.answer))
    return "\n".join(lines)


def serving_example(problem: str, lang: str, solution: Solution | None = None) -> BelleExample:
    """One training pair; the solver solves ``problem`` when no solution is given."""
    solved = solution if solution is not None else solve_problem(problem)
    return BelleExample(instruction=serving_instruction(problem, lang), output=solution_target(solved, lang))


def generate_problems(
    count: int, *, seed: int, kp_codes: Sequence[str] = LINEAR_QUADRATIC, exclude: Iterable[str] = ()
) -> list[GeneratedProblem]:
    """``count`` distinct template problems, round-robin over ``kp_codes``, each solved by the engine.

    A draft the engine does not solve to the template's own answer is dropped (as item generation
    does); ``exclude`` keeps a held-out set disjoint from a training set.
    """
    rng = random.Random(seed)
    seen = {re.sub(r"\s+", "", p) for p in exclude}
    out: list[GeneratedProblem] = []
    tries = 0
    while len(out) < count and tries < count * 20:
        code = kp_codes[tries % len(kp_codes)]
        tries += 1
        draft = TEMPLATES[code](rng, rng.randint(0, 2))
        key = re.sub(r"\s+", "", draft.problem)
        if key in seen:
            continue
        try:
            solution = solve_problem(draft.problem, task=draft.task, method=draft.method)
        except (UnprocessableError, ValueError, TypeError):  # not solvable: not an example
            continue
        seen.add(key)
        out.append(GeneratedProblem(code, draft.problem, solution))
    return out


def synthetic_examples(
    problems: Sequence[GeneratedProblem], langs: Sequence[str] = ("zh", "en")
) -> Iterator[BelleExample]:
    """Each problem once, in the languages taken in turn (half zh, half en for two languages)."""
    for i, item in enumerate(problems):
        yield serving_example(item.problem, langs[i % len(langs)], item.solution)
