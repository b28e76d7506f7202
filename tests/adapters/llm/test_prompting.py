from __future__ import annotations

import pytest

from adapters.llm.prompting import LANGS, DialogueTurn, belle_prompt, build_dialogue_prompt, render
from tutor.errors import UnprocessableError


def test_belle_format() -> None:
    assert belle_prompt("1+1?") == "Human: \n1+1?\n\nAssistant: \n"


@pytest.mark.parametrize("lang", LANGS)
def test_every_template_renders_with_a_version(lang: str) -> None:
    solution = render("solution", lang, problem="2x+3=7")
    assert solution.text.startswith("Human: \n") and solution.text.endswith("\n\nAssistant: \n")
    assert "2x+3=7" in solution.text and "\\boxed{" in solution.text
    assert solution.template_id == f"solution.{lang}.v{solution.template_version}"
    hint = render("hint", lang, problem="x^2=4", work="x=2")
    assert "x^2=4" in hint.text and "x=2" in hint.text
    exercises = render("exercises", lang, kp_code="lin.two_step", kp_name="two-step", difficulty=0.4, count=3)
    assert '{"items": [' in exercises.text and "lin.two_step" in exercises.text and "0.4" in exercises.text


def test_languages_differ_and_unknown_language_is_422() -> None:
    assert render("solution", "zh", problem="p").text != render("solution", "en", problem="p").text
    with pytest.raises(UnprocessableError, match="language"):
        render("solution", "fr", problem="p")


def test_user_text_with_dollar_and_braces_is_kept_verbatim() -> None:
    text = render("solution", "en", problem="$x$ costs {3} $work").text
    assert "$x$ costs {3} $work" in text


def _turns(n: int) -> list[DialogueTurn]:
    turns: list[DialogueTurn] = []
    for i in range(n):
        turns += [DialogueTurn("student", f"question {i}"), DialogueTurn("tutor", f"answer {i}")]
    return [*turns, DialogueTurn("student", "newest question")]


def test_dialogue_keeps_problem_and_last_three_exchanges() -> None:
    prompt = build_dialogue_prompt("2x=4", _turns(5), "en", len)
    text = prompt.text
    assert "2x=4" in text and text.endswith("newest question\n\nAssistant: \n")
    assert "question 4" in text and "question 2" in text and "question 1" not in text
    assert text.count("Human: \n") == 4
    assert prompt.template_id.startswith("dialogue.en.v")


def test_dialogue_token_budget_drops_oldest_whole_exchanges() -> None:
    full = build_dialogue_prompt("2x=4", _turns(5), "en", len, max_turns=10, max_tokens=100_000).text
    small = build_dialogue_prompt("2x=4", _turns(5), "en", len, max_turns=10, max_tokens=len(full) - 1).text
    assert "question 0" in full and "question 0" not in small and "answer 0" not in small
    assert "2x=4" in small and small.endswith("newest question\n\nAssistant: \n")
    only_new = build_dialogue_prompt("2x=4", _turns(5), "en", len, max_tokens=1).text
    assert only_new.count("Human: \n") == 1 and "2x=4" in only_new


def test_dialogue_needs_a_student_message_last() -> None:
    with pytest.raises(UnprocessableError):
        build_dialogue_prompt("p", [DialogueTurn("tutor", "hi")], "zh", len)
