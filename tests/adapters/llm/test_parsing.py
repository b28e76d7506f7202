from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.llm.parsing import extract_boxed, parse_exercises, parse_solution


def test_numbered_steps_and_boxed_answer_zh() -> None:
    parsed = parse_solution("1. 2x+3=7\n2、2x=4\n3. x=2\n答案：\\boxed{x=2}")
    assert parsed.steps == ["2x+3=7", "2x=4", "x=2"]
    assert parsed.final_answer == "x=2"


def test_step_words_and_inline_boxed() -> None:
    parsed = parse_solution("Step 1: 2x = 4\nStep 2: x = \\boxed{\\frac{1}{2}}")
    assert parsed.steps == ["2x = 4", "x = \\frac{1}{2}"]
    assert parsed.final_answer == "\\frac{1}{2}"
    assert parse_solution("第1步：x+1=3\n第2步：x=2").steps == ["x+1=3", "x=2"]


def test_continuation_lines_join_their_step_and_unnumbered_text_uses_lines() -> None:
    parsed = parse_solution("1. move 3:\n   2x = 4\n2. x = 2")
    assert parsed.steps == ["move 3: 2x = 4", "x = 2"]
    assert parse_solution("2x=4\n\nx=2").steps == ["2x=4", "x=2"]


def test_boxed_edge_cases() -> None:
    assert extract_boxed("\\boxed{\\{2,3\\}}") == "\\{2,3\\}"
    assert extract_boxed("no answer") is None
    assert extract_boxed("\\boxed{1} then \\boxed{2}") == "2"
    assert extract_boxed("\\boxed{2") is None
    assert parse_solution("gibberish \\boxed{").final_answer is None


def test_exercises_json_extracted_from_prose_and_validated() -> None:
    text = (
        'Here you go: {"items": [{"stem": "x+1=2", "answer": "1", "steps": ["x=2-1"]},'
        ' {"stem": "", "answer": "3"}, {"question": "bad"}, {"stem": "2x=6", "answer": "3"}]} bye'
    )
    items = parse_exercises(text, limit=5)
    assert [(i.stem, i.answer) for i in items] == [("x+1=2", "1"), ("2x=6", "3")]
    assert items[0].steps == ["x=2-1"]
    assert len(parse_exercises(text, limit=1)) == 1


def test_exercises_malformed_output_gives_nothing() -> None:
    assert parse_exercises("not json at all {", limit=3) == []
    assert parse_exercises('{"items": "nope"}', limit=3) == []
    assert parse_exercises('[{"stem": "x=1", "answer": "1"}]', limit=3)[0].answer == "1"


PIECES = [
    *'0123456789x=+-{}()^第步 .:、\n[]",',
    "\\boxed{",
    "\n1. ",
    "\n2、",
    "Step ",
    "答案：",
    '{"items": [',
    '"stem": ',
    '"answer": ',
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=80).map("".join))
def test_parsers_never_fail_on_arbitrary_model_text(text: str) -> None:
    parsed = parse_solution(text)
    assert len(parsed.steps) <= 50 and all(s.strip() for s in parsed.steps)
    assert all(item.stem and item.answer for item in parse_exercises(text, limit=3))
    boxed = extract_boxed(text)
    assert boxed is None or boxed in text


def test_unclosed_and_repeated_boxes_in_one_step() -> None:
    assert parse_solution("1. x = \\boxed{ 2 + \\boxed{2}").steps == [
        "x = \\boxed{ 2 + \\boxed{2}"
    ]  # ambiguous: kept
    assert parse_solution("1. a=\\boxed{1}, b=\\boxed{\\frac{1}{2}}").steps == ["a=1, b=\\frac{1}{2}"]
    assert extract_boxed("\\boxed{1} then \\boxed{2") == "1"
