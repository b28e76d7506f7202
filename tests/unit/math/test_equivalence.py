"""Answer grading: extraction from Chinese/English prose and equivalence by answer kind."""

from __future__ import annotations

import pytest

from tutor.errors import UnprocessableError
from tutor.math.extraction import extract_answer
from tutor.math.grading import grade_answer_sync

# (expected, kind, submitted, correct)
PAIRS = [
    # numbers
    ("5", "number", "5", True),
    ("5", "number", "所以 x = 5", True),
    ("30", "number", "The answer is 30.", True),
    ("30", "number", "答：一共有30个苹果。", True),
    ("12", "number", "答：绳子长 12 厘米。", True),
    ("12", "number", "$12", True),
    ("12", "number", "12 cm", True),
    ("3", "number", r"The answer is \boxed{3} dollars", True),
    ("1/2", "number", "0.5", True),
    (r"\frac{1}{2}", "number", "2/4", True),
    ("0.3", "number", "30%", True),
    ("0.25", "number", r"\frac{1}{4}", True),
    (r"\sqrt{2}", "number", "1.41", True),
    ("1/3", "number", "0.33", True),
    (r"\sqrt{8}", "number", r"2\sqrt{2}", True),
    ("-14", "number", "答案是 -14", True),
    ("7", "number", "Therefore, x = 7.", True),
    ("20", "number", "每人分得 20 个", True),
    ("5", "number", "6", False),
    ("0.125", "number", "0.13", False),
    ("1/3", "number", "0.3", False),
    ("30", "number", "The answer is 31.", False),
    ("12", "number", "答：绳子长 21 厘米。", False),
    ("-3", "number", "3", False),
    ("5", "number", "x + 1", False),
    ("5", "number", "hello world", False),
    # expressions
    ("2x+3", "expression", "3+2x", True),
    ("x^2+5x+6", "expression", "(x+2)(x+3)", True),
    ("x^2-2x-3", "expression", r"x^{2} - 2x - 3", True),
    (r"\frac{x-3}{x+2}", "expression", "(x-3)/(x+2)", True),
    ("3x^2-4x", "expression", "f'(x) = 3x^2 - 4x", True),
    ("6x^5", "expression", "6 x^5", True),
    ("2x+7y", "expression", "7y+2x", True),
    ("(x+1)(x-3)", "expression", "(x-3)(x+1)", True),
    ("(x+3)^2", "expression", "(x+3)(x+3)", True),
    ("3x(2x+3)", "expression", "x(6x+9)", True),
    ("2x+3", "expression", "2x+4", False),
    ("(x+1)(x-3)", "expression", "x^2-2x-3", False),
    ("(x+1)(x-3)", "expression", "(x-1)(x+3)", False),
    ("x^2-25", "expression", "(x-5)^2", False),
    ("12x^3-1", "expression", "12x^2-1", False),
    # equations as solution sets
    ("x=2, x=3", "equation", "x=3 或 x=2", True),
    ("x=2, x=3", "equation", r"\boxed{\{2,3\}}", True),
    ("x=2, x=3", "equation", "x_1=3, x_2=2", True),
    ("x=2, x=3", "equation", "x = 2 and x = 3", True),
    ("x=5", "equation", "解得 x=5", True),
    ("x=5", "equation", "解：2x+3=13，移项得 2x=10，所以 x=5。", True),
    (r"x = 2 \pm \sqrt{3}", "equation", "x=2+sqrt(3), x=2-sqrt(3)", True),
    (r"x=-1\pm\sqrt{2}", "equation", r"x_1=-1+\sqrt{2}, x_2=-1-\sqrt{2}", True),
    ("x=0.5", "equation", r"x = \frac{1}{2}", True),
    (r"\varnothing", "equation", "no solution", True),
    (r"\varnothing", "equation", "方程无解", True),
    ("x=3", "equation", "x^2-6x+9=0", True),
    ("x=2, x=3", "equation", "x=2", False),
    ("x=2, x=3", "equation", "x=2, x=-3", False),
    ("x=1", "equation", "无解", False),
    ("x=5", "equation", "So x = 6.", False),
    ("x=5", "equation", "y=5", False),
    # inequalities as intervals
    ("x>3", "inequality", "3<x", True),
    ("x>3", "inequality", r"(3, \infty)", True),
    ("x<=2", "inequality", r"x \leq 2", True),
    ("x<=2", "inequality", "x ≤ 2", True),
    ("x<-2", "inequality", "所以 x < -2", True),
    (r"-2 < x \le 3", "inequality", "(-2, 3]", True),
    ("x>=5", "inequality", r"[5, \infty)", True),
    ("x>3", "inequality", "x>=3", False),
    ("x<-2", "inequality", "x>-2", False),
    ("x<=2", "inequality", "x<2", False),
    (r"-2 < x \le 3", "inequality", "[-2, 3]", False),
    # ordered pairs for systems
    ("x = 1, y = 2", "pair", "(1,2)", True),
    ("x = 1, y = 2", "pair", "y=2, x=1", True),
    ("x = 3, y = -1", "pair", r"\begin{cases} x=3 \\ y=-1 \end{cases}", True),
    ("x = 3, y = 2", "pair", "The solution is x = 3 and y = 2.", True),
    ("x = 1/2, y = 2", "pair", "x=0.5, y=2", True),
    ("x = 1, y = 2", "pair", "(2,1)", False),
    ("x = 1, y = 2", "pair", "x=1, y=3", False),
    ("x = 1, y = 2", "pair", "x=1", False),
    # sets
    (r"\{1,2\}", "set", "{2,1}", True),
    (r"\{1,2\}", "set", r"\{1, 2\}", True),
    (r"\{-1,4\}", "set", "4, -1", True),
    (r"\{1,2\}", "set", "{1,3}", False),
    (r"\{1,2\}", "set", "{1,2,3}", False),
    ("3/4", "number", r"\frac{4}{3}", False),
    ("x=-4, x=4", "equation", "x=4", False),
    ("x>=5", "inequality", r"(5, \infty)", False),
    ("2x-2", "expression", "2x+2", False),
]


def test_pair_table_is_large_and_balanced() -> None:
    assert len(PAIRS) >= 80
    assert sum(ok for *_, ok in PAIRS) >= 30 and sum(not ok for *_, ok in PAIRS) >= 30
    assert any(any("\u4e00" <= c <= "\u9fff" for c in s) for _, _, s, _ in PAIRS)


@pytest.mark.parametrize(("expected", "kind", "submitted", "correct"), PAIRS)
def test_equivalence(expected: str, kind: str, submitted: str, correct: bool) -> None:
    result = grade_answer_sync(expected, kind, submitted)
    assert result.correct is correct, result.reason


def test_unreadable_answer_is_wrong_with_a_reason_not_an_error() -> None:
    result = grade_answer_sync("5", "number", "@@@")
    assert not result.correct and "could not be read" in result.reason
    assert result.normalized_submitted is None


def test_factored_expected_requires_factored_answer_and_says_so() -> None:
    result = grade_answer_sync("(x+1)(x-3)", "expression", "x^2-2x-3")
    assert not result.correct and "factored form" in result.reason


def test_normalized_answer_is_canonical() -> None:
    assert grade_answer_sync("x=2, x=3", "equation", "x=3 或 x=2").normalized_submitted == "x = 2, x = 3"
    assert grade_answer_sync("x>3", "inequality", "3<x").normalized_submitted == "x > 3"
    assert grade_answer_sync("x=1, y=2", "pair", "(1,2)").normalized_submitted == "x = 1, y = 2"


def test_over_long_answer_is_unprocessable() -> None:
    with pytest.raises(UnprocessableError, match="too long"):
        grade_answer_sync("5", "number", "1+" * 1001)


def test_unknown_kind_is_unprocessable() -> None:
    with pytest.raises(UnprocessableError, match="Unknown answer kind"):
        grade_answer_sync("5", "fraction", "5")


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        (r"so the result is \boxed{\frac{3}{4}}", r"\frac{3}{4}"),
        ("答：小明有 5 个苹果。", "5"),
        ("The answer is 30 dollars.", "30"),
        ("所以 x = 5", "x=5"),
        ("解得 x=2 或 x=3。", "x=2, x=3"),
        ("答：绳子长负 12 厘米。", "-12"),
    ],
)
def test_extraction(text: str, answer: str) -> None:
    assert extract_answer(text) == answer
