"""The step verifier on worked solutions such as a language model writes them."""

from __future__ import annotations

import pytest

from tutor.errors import UnprocessableError
from tutor.math.verifier import MAX_STEPS, verify_steps


def verdicts(problem: str, steps: list[str], final: str | None = None) -> list[str]:
    return [v.verdict for v in verify_steps(problem, steps, final).steps]


def test_first_wrong_step_is_named_and_final_answer_checked() -> None:
    result = verify_steps("解方程：3x+5=20", ["移项得 3x = 20 - 5", "3x = 15", "x = 6", "所以 x = 5"], "x=5")
    assert [v.verdict for v in result.steps] == ["valid", "valid", "invalid", "valid"]
    assert result.first_invalid_step == 2 and not result.all_steps_valid
    assert result.final_answer_correct is True and result.expected_answer == "x = 5"


def test_wrong_final_answer_is_reported() -> None:
    result = verify_steps("2x+3=7", ["2x = 4", "x = 2"], r"\boxed{3}")
    assert result.all_steps_valid and result.final_answer_correct is False


def test_quadratic_steps_with_chinese_connectives_and_subscripts() -> None:
    assert verdicts("x^2-5x+6=0", ["(x-2)(x-3)=0", "x-2=0 或 x-3=0", "x_1=2, x_2=3"]) == ["valid"] * 3


def test_prose_is_unparseable_not_invalid() -> None:
    assert verdicts("x^2-5x+6=0", ["blah blah", "(x-2)(x-3)=0"]) == ["unparseable", "valid"]


def test_expression_chains_check_the_claimed_result() -> None:
    assert verdicts("化简 3x+5y-x+2y", ["= 2x + 7y", "3x - x + 5y + 2y = 2x+7y", "2x+3y"]) == [
        "valid",
        "valid",
        "invalid",
    ]


def test_system_steps_may_be_derived_single_equations() -> None:
    assert verdicts("2x+3y=12, 3x-2y=5", ["4x+6y=24, 9x-6y=15", "13x=39", "x=3, y=2", "x=4"]) == [
        "valid",
        "valid",
        "valid",
        "invalid",
    ]


def test_inequality_sign_slip_is_caught() -> None:
    assert verdicts("-2x+3>7", ["-2x>4", "x>-2", "x<-2"], "x<-2") == ["valid", "invalid", "valid"]


def test_no_solution_steps() -> None:
    assert verdicts("x^2+1=0", ["x^2 = -1", "无实数解"]) == ["valid", "valid"]
    assert verdicts("x^2-1=0", ["x^2 = 1", "无解"]) == ["valid", "invalid"]


def test_limits() -> None:
    with pytest.raises(UnprocessableError, match="Too many steps"):
        verify_steps("x=1", ["x=1"] * (MAX_STEPS + 1), None)
    result = verify_steps("x+1=2", ["x" * 3000], None)
    assert result.steps[0].verdict == "unparseable"


def test_roots_on_separate_lines_are_partial_but_valid() -> None:
    result = verify_steps(
        "x^2-5x+6=0", ["(x-2)(x-3)=0", "x-2=0", "x_1 = 2", "x_2 = 3", "x_3 = 4"], "x=2, x=3"
    )
    assert [v.verdict for v in result.steps] == ["valid", "valid", "valid", "valid", "invalid"]
    assert "part of" in result.steps[2].reason and result.first_invalid_step == 4
    assert verdicts("2x+3<7", ["x<1"]) == ["invalid"]  # a sub-interval is a mistake, not part of the answer
