"""Training data is what the service serves and checks: the served prompt, numbered steps with one
reason each, the final answer boxed; BELLE's school_math lines are converted into the same shape; the
evaluation gate grades the whole final answer with the math engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.llm import defaults_for, render
from adapters.training.dataset import BelleExample, format_prompt
from adapters.training.evaluate import evaluate_generations, final_answer_text
from tutor.errors import UnprocessableError
from tutor.training.belle_import import import_school_math
from tutor.training.runner import math_check
from tutor.training.serving_format import (
    LINEAR_QUADRATIC,
    generate_problems,
    serving_example,
    serving_prompt,
    synthetic_examples,
)
from tutor.tutoring.checking import check_model_text

SAMPLE = Path(__file__).parents[2] / "fixtures" / "belle" / "school_math_sample.jsonl"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_training_prompt_is_the_served_prompt(lang: str) -> None:
    example = serving_example("3x + 5 = 20", lang)
    assert (
        format_prompt(example)
        == render("solution", lang, problem="3x + 5 = 20").text
        == serving_prompt("3x + 5 = 20", lang)
    )
    marker = "答案：" if lang == "zh" else "Answer: "
    lines = example.output.split("\n")
    assert [ln.split(".")[0] for ln in lines[:-1]] == ["1", "2", "3"]
    assert lines[-1] == f"{marker}\\boxed{{x = 5}}"
    assert all("$" in ln and not any(ch.isdigit() for ch in ln[3 : ln.index("$")]) for ln in lines[:-1])


async def test_every_generated_target_passes_the_serving_checker() -> None:
    problems = generate_problems(10, seed=7)
    assert {p.kp_code for p in problems} == set(LINEAR_QUADRATIC)
    params = defaults_for("solution")
    for problem, example in zip(problems, synthetic_examples(problems), strict=True):
        attempt = await check_model_text(problem.problem, example.output, params, None)
        assert attempt.accepted, (problem.problem, example.output, attempt.verification)
        assert not any(s.verdict == "invalid" for s in attempt.verification.steps)


def test_held_out_problems_are_disjoint_and_reproducible() -> None:
    train = generate_problems(30, seed=1)
    assert [p.problem for p in generate_problems(30, seed=1)] == [p.problem for p in train]
    held = generate_problems(20, seed=2, exclude=[p.problem for p in train])
    assert not {p.problem.replace(" ", "") for p in held} & {p.problem.replace(" ", "") for p in train}
    langs = [("答案" in e.output) for e in synthetic_examples(train[:4])]
    assert langs == [True, False, True, False]  # zh and en in turn


def test_belle_school_math_lines_become_served_examples() -> None:
    report = import_school_math(SAMPLE.read_bytes())
    assert report.read == 5 and dict(report.skipped) == {"no final answer": 1}
    apples, car, equation, pens = report.examples
    problem = "小明有5个苹果，他又买了3个，现在他一共有多少个苹果？"
    assert format_prompt(apples) == render("solution", "zh", problem=problem).text
    assert (
        apples.output
        == "1. 小明原来有5个苹果，又买了3个。\n2. 所以一共有 5 + 3 = 8 个苹果。\n答案：\\boxed{8}"
    )
    assert car.output.endswith("3. 所以3小时行驶180千米。\n答案：\\boxed{180}")  # one paragraph, split
    assert "题目：解下列方程\n2x + 3 = 11" in equation.instruction  # BELLE's input joins the problem
    assert equation.output.splitlines()[0] == "1. 移项，得 2x = 11 - 3"  # renumbered, not doubled
    assert equation.output.endswith("答案：\\boxed{x = 4}")
    assert "Problem: A shop sells pens" in pens.instruction and pens.output.endswith("Answer: \\boxed{14}")


def test_a_broken_belle_line_is_refused_with_its_number() -> None:
    with pytest.raises(UnprocessableError, match="Line 2"):
        import_school_math(b'{"instruction": "1+1?", "output": "2"}\n{"instruction": "", "output": "x"}\n')


def test_the_gate_grades_the_whole_answer() -> None:
    reference = serving_example("x^2 - 5x + 6 = 0", "zh")
    assert final_answer_text(reference.output) == "x = 2, x = 3"
    half = evaluate_generations(["1. 因式分解：$(x-2)(x-3)=0$\n答：x = 3"], [reference], math_check)
    assert half.accuracy == 0.0  # the last number (3) is right; the answer is not
    whole = evaluate_generations(["答案：\\boxed{x = 3, x = 2}"], [reference], math_check)
    assert whole.accuracy == 1.0
    with_example = BelleExample(instruction="3+4?", output="答案：\\boxed{7}")
    assert evaluate_generations(["答：7.0"], [with_example], math_check).accuracy == 1.0
