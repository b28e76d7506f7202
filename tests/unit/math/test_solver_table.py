"""The solver on a table of problems of every supported kind, LaTeX and plain text.

For each problem: the engine's answer equals the hand-written expected answer, every step was
checked by the engine while solving, and an independent pass of the step verifier (which re-reads
each published step's LaTeX and compares it with the problem) finds no wrong step.
"""

from __future__ import annotations

import pytest

from tutor.math.grading import grade_answer_sync
from tutor.math.solver import solve_problem
from tutor.math.verifier import verify_steps

# (problem, expected answer, answer kind)
LINEAR = [
    ("3x+5=20", "x=5", "equation"),
    ("2x-7=11", "x=9", "equation"),
    ("x+8=3", "x=-5", "equation"),
    ("-4x=28", "x=-7", "equation"),
    ("5x+3=2x+18", "x=5", "equation"),
    ("7-3x=1", "x=2", "equation"),
    ("3(x-2)=2(x+1)+4", "x=12", "equation"),
    ("2(x+3)-3(x-1)=4", "x=5", "equation"),
    ("4(2x-1)=3(x+2)", "x=2", "equation"),
    ("-2(x-5)=x+1", "x=3", "equation"),
    ("5(x+1)-2(x-3)=20", "x=3", "equation"),
    ("x/2+1=4", "x=6", "equation"),
    ("(x+1)/3=(x-1)/2", "x=5", "equation"),
    ("(2x-1)/3-(x+2)/4=1", "x=22/5", "equation"),
    ("x/3-x/4=2", "x=24", "equation"),
    ("(3x+1)/2=2x-1", "x=3", "equation"),
    ("0.5x+1.2=0.3x+2", "x=4", "equation"),
    ("0.2x-1=0.1x+0.5", "x=15", "equation"),
    ("1.5x=4.5", "x=3", "equation"),
    ("0.25x+0.75=2", "x=5", "equation"),
    (r"\frac{2x+1}{3} = \frac{x-1}{2}", "x=-5", "equation"),
    (r"3x + 5 = 20", "x=5", "equation"),
    (r"\frac{x}{4} - 2 = 1", "x=12", "equation"),
    (r"2\left(x+4\right) = 3x - 1", "x=9", "equation"),
    (r"\frac{x-3}{2} + \frac{x}{5} = 2", "x=5", "equation"),
    (r"0.4x - 1.6 = 0", "x=4", "equation"),
    (r"6 - 2x = 3x - 9", "x=3", "equation"),
    (r"\frac{1}{2}x + \frac{1}{3} = \frac{5}{6}", "x=1", "equation"),
    ("解方程：4x-3=9", "x=3", "equation"),
    ("Solve 2x + 9 = 3", "x=-3", "equation"),
    ("2x+1=2x+3", r"\varnothing", "equation"),
    ("10-x=2x+1", "x=3", "equation"),
    ("3x=0", "x=0", "equation"),
    ("x-2.5=1.5", "x=4", "equation"),
    ("12x+4=10x", "x=-2", "equation"),
]
QUADRATIC = [
    ("x^2-5x+6=0", "x=2, x=3", "equation"),
    ("x^2+x-12=0", "x=-4, x=3", "equation"),
    ("x^2-9=0", "x=-3, x=3", "equation"),
    ("x^2+7x+10=0", "x=-5, x=-2", "equation"),
    ("x^2-4x=0", "x=0, x=4", "equation"),
    ("2x^2+3x-2=0", "x=-2, x=1/2", "equation"),
    ("3x^2-27x+60=0", "x=4, x=5", "equation"),
    ("x^2-6x+9=0", "x=3", "equation"),
    ("x^2+10x+25=0", "x=-5", "equation"),
    ("4x^2-4x+1=0", "x=1/2", "equation"),
    ("(x+1)^2=9", "x=-4, x=2", "equation"),
    ("(x-3)^2=16", "x=-1, x=7", "equation"),
    ("2x^2=8", "x=-2, x=2", "equation"),
    ("x^2=5", r"x=\pm\sqrt{5}", "equation"),
    ("3x^2-12=0", "x=-2, x=2", "equation"),
    ("x^2+2x-1=0", r"x=-1\pm\sqrt{2}", "equation"),
    ("x^2-4x+1=0", r"x=2\pm\sqrt{3}", "equation"),
    ("x^2+x-1=0", r"x=\frac{-1\pm\sqrt{5}}{2}", "equation"),
    ("2x^2-4x-1=0", r"x=\frac{2\pm\sqrt{6}}{2}", "equation"),
    ("x^2+1=0", r"\varnothing", "equation"),
    ("x^2+x+1=0", "no real solution", "equation"),
    (r"x^{2} - 5x + 6 = 0", "x=2 或 x=3", "equation"),
    (r"\left(x-2\right)^{2} = 25", "x=-3, x=7", "equation"),
    (r"x^2 + 6x = 7", "x=-7, x=1", "equation"),
    (r"2x^2 - 5x + 2 = 0", "x=1/2, x=2", "equation"),
    ("x(x-3)=10", "x=-2, x=5", "equation"),
    ("(x+2)(x-5)=0", "x=-2, x=5", "equation"),
    ("x^2=3x", "x=0, x=3", "equation"),
    ("5x^2+13x+6=0", "x=-2, x=-3/5", "equation"),
    ("x^2-2x-4=0", r"x=1\pm\sqrt{5}", "equation"),
    ("解方程 x^2 - 16 = 0", "x=-4, x=4", "equation"),
]
SYSTEMS = [
    (r"\begin{cases} x+y=3 \\ x-y=1 \end{cases}", "x=2, y=1", "pair"),
    ("2x+3y=12, 3x-2y=5", "x=3, y=2", "pair"),
    ("y=2x+1, 3x+y=11", "x=2, y=5", "pair"),
    ("x+2y=7, 3x-y=7", "x=3, y=2", "pair"),
    ("4x+3y=10, 2x-3y=-4", "x=1, y=2", "pair"),
    ("5x-2y=11, 3x+4y=-9", "x=1, y=-3", "pair"),
    ("y=x-4, 2x+y=5", "x=3, y=-1", "pair"),
    ("x=3y, x+y=8", "x=6, y=2", "pair"),
    (r"\begin{cases} 2x + y = 7 \\ x - y = -1 \end{cases}", "x=2, y=3", "pair"),
    (r"\begin{cases} 3x + 2y = 12 \\ 5x - 3y = 1 \end{cases}", "x=2, y=3", "pair"),
    ("6x+4y=-22, 2x+7y=-30", "x=-1, y=-4", "pair"),
    ("-2x-2y=2, -5x-7y=-1", "x=-4, y=3", "pair"),
    ("x+y=10, x-y=4", "(7,3)", "pair"),
    ("解方程组：a+b=5, a-b=1", "a=3, b=2", "pair"),
    ("0.5x+y=4, x-y=2", "x=4, y=2", "pair"),
    ("x/2+y/3=3, x-y=1", "x=4, y=3", "pair"),
    ("7x-3y=1, 2x+5y=12", "x=1, y=2", "pair"),
    ("y=-3x+9, x-2y=10", "x=4, y=-3", "pair"),
    ("3x+2y=7, 2x+3y=8", "x=1, y=2", "pair"),
    ("x+y=0, x-y=6", "x=3, y=-3", "pair"),
]
INEQUALITIES = [
    ("2x+3<7", "x<2", "inequality"),
    ("3x-1<=5", "x<=2", "inequality"),
    ("-2x+3>7", "x<-2", "inequality"),
    ("-3x>=12", "x<=-4", "inequality"),
    ("5x+2>3x+8", "x>3", "inequality"),
    ("4-x<1", "x>3", "inequality"),
    ("2(x-1)>=x+3", "x>=5", "inequality"),
    ("x/2-1<3", "x<8", "inequality"),
    (r"2x + 3 \leq 7", "x<=2", "inequality"),
    (r"-\frac{x}{3} > 2", "x<-6", "inequality"),
    (r"3x - 4 \geq 5x + 2", "x<=-3", "inequality"),
    ("0.5x+1>2", "x>2", "inequality"),
    ("7x-2<5x-2", "x<0", "inequality"),
    ("-5x-9>=-124", "x<=23", "inequality"),
    ("解不等式：3x+1>10", "x>3", "inequality"),
    ("x+1>x", r"(-\infty, \infty)", "inequality"),
    ("6-2x<=0", "x>=3", "inequality"),
    ("-x<4", "x>-4", "inequality"),
    ("3(x+2)<2x+1", "x<-5", "inequality"),
    ("(x-1)/2 >= (x+1)/3", "x>=5", "inequality"),
]
ARITHMETIC = [
    ("2+3*(4-1)^2", "29", "number"),
    ("12 ÷ 4 × 3", "9", "number"),
    ("(-3)^2-4*5", "-11", "number"),
    ("-7+12-(-5)", "10", "number"),
    ("(-6)*4/(-3)", "8", "number"),
    ("18-6/2*3", "9", "number"),
    ("(8-3)*(2+4)", "30", "number"),
    ("2^5-3^3", "5", "number"),
    ("-2^4", "-16", "number"),
    ("100/(5*4)+7", "12", "number"),
    ("1/2+1/3", "5/6", "number"),
    ("3/4-1/6", "7/12", "number"),
    ("2/3*9/4", "3/2", "number"),
    ("(5/6)/(10/9)", "3/4", "number"),
    ("18/24", "3/4", "number"),
    (r"\frac{3}{4}\times\frac{2}{9}", "1/6", "number"),
    (r"\frac{1}{2}+\frac{1}{4}+\frac{1}{8}", "7/8", "number"),
    (r"3 + 4 \times 2", "11", "number"),
    (r"\left(2+3\right)^{2} \div 5", "5", "number"),
    ("0.5+1.7*0.8", "1.86", "number"),
    ("25% * 80", "20", "number"),
    ("1.2*3-0.6", "3", "number"),
    ("计算：(-2)^3+3^2", "1", "number"),
    ("Calculate: 15 - 3 * 4", "3", "number"),
    (r"\sqrt{16} + 2^{3}", "12", "number"),
]
EXPRESSIONS = [
    ("化简：3x+5y-x+2y", "2x+7y", "expression"),
    ("simplify 4a-2b+3a+5b", "7a+3b", "expression"),
    ("化简 3(x-2)-2(x+1)", "x-8", "expression"),
    ("simplify 2(3x+1)+4(x-2)", "10x-6", "expression"),
    ("simplify x^3*x^4", "x^7", "expression"),
    ("simplify (x^2)^3", "x^6", "expression"),
    ("simplify 2x^2*3x^3", "6x^5", "expression"),
    ("simplify x^7/x^3", "x^4", "expression"),
    ("expand (x+2)(x+3)", "x^2+5x+6", "expression"),
    ("expand (2x-1)(x+4)", "2x^2+7x-4", "expression"),
    ("展开 (x+3)^2", "x^2+6x+9", "expression"),
    ("expand (x-5)(x+5)", "x^2-25", "expression"),
    ("expand (3x-2)^2", "9x^2-12x+4", "expression"),
    ("因式分解 x^2-9", "(x-3)(x+3)", "expression"),
    ("factor 6x^2+9x", "3x(2x+3)", "expression"),
    ("factor x^2+5x+6", "(x+2)(x+3)", "expression"),
    ("factor x^2-x-12", "(x-4)(x+3)", "expression"),
    ("因式分解 x^2+6x+9", "(x+3)^2", "expression"),
    ("factor 4x^2-25", "(2x-5)(2x+5)", "expression"),
    ("factor 3x^2+17x+20", "(x+4)(3x+5)", "expression"),
    ("factor 10x+12", "2(5x+6)", "expression"),
    ("factor 2x^2-8", "2(x-2)(x+2)", "expression"),
    (r"\frac{x^2-9}{x^2+5x+6}", r"\frac{x-3}{x+2}", "expression"),
    ("化简 (x^2-1)/(x^2+7x+6)", "(x-1)/(x+6)", "expression"),
    ("simplify (2x+4)/(x^2+2x)", "2/x", "expression"),
    ("3x^2-2x+1, x=-2", "17", "number"),
    ("当 x = 3 时，求 2x + 5 的值: 2x+5, x=3", "11", "number"),
    ("x^2+y^2, x=3, y=-4", "25", "number"),
]
DERIVATIVES = [
    ("求导 f(x)=x^3-2x^2+5", "3x^2-4x", "expression"),
    (r"\frac{d}{dx}(3x^4-x)", "12x^3-1", "expression"),
    ("d/dx (x^2+3x+1)", "2x+3", "expression"),
    ("derivative of f(x) = 5x^3 - 4x + 7", "15x^2-4", "expression"),
    ("d/dx (6x^2 + 3x - 4)", "12x+3", "expression"),
    ("d/dx ((x+1)^2)", "2x+2", "expression"),
    ("d/dx (x^5)", "5x^4", "expression"),
    ("f(x) = -x^4 + 2x^3 的导数", "-4x^3+6x^2", "expression"),
    ("d/dx (7)", "0", "expression"),
    ("d/dx (x(x-2))", "2x-2", "expression"),
    ("d/dx (0.5x^2 - x)", "x-1", "expression"),
    (r"\frac{d}{dx}\left(x^{3} + \frac{1}{2}x^{2}\right)", "3x^2+x", "expression"),
    (r"\frac{d}{dx}\left(4x^{2} - 3x\right)", "8x-3", "expression"),
]
TABLE = LINEAR + QUADRATIC + SYSTEMS + INEQUALITIES + ARITHMETIC + EXPRESSIONS + DERIVATIVES


def test_table_is_large_and_covers_latex_and_plain_text() -> None:
    assert len(TABLE) >= 150
    assert sum("\\" in p for p, _, _ in TABLE) >= 20
    assert sum("\\" not in p for p, _, _ in TABLE) >= 100


@pytest.mark.parametrize(("problem", "expected", "kind"), TABLE, ids=[p for p, _, _ in TABLE])
def test_solved_with_checked_steps(problem: str, expected: str, kind: str) -> None:
    solution = solve_problem(problem)
    graded = grade_answer_sync(expected, kind, solution.answer)
    assert graded.correct, (solution.answer, graded.reason)
    assert solution.steps[0].rule == "given" and len(solution.steps) >= 2
    for step in solution.steps:
        assert step.latex and step.rule and step.explanation_zh and step.explanation_en
    check = verify_steps(problem, [s.latex for s in solution.steps[1:]], solution.answer)
    assert check.first_invalid_step is None, [(v.text, v.verdict) for v in check.steps]
    assert check.final_answer_correct is True
    assert check.steps[-1].verdict == "valid"
