"""A small model's broken output (stray scripts, cut characters) never reaches a learner as a hint."""

from __future__ import annotations

import pytest

from tutor.tutoring.replies import check_reply_sync, readable

# what SmolLM2-135M served as a zh hint on a fresh `tutor up` before this check
BROKEN = "1. 盳子：国处小向雅化为毫点平衠，让刻机坊线成� blend\n\nבקריפה מנו"


@pytest.mark.parametrize(
    "text",
    [
        "先想一想：等号两边同时减去 3 会怎样？",
        "Try subtracting 3 from both sides first. What do you get?",
        "① 移项：$2x = 7 - 3$，② 两边除以 2。x² − 4 ≥ 0，α ≤ β，→ ÷ ×",
        "（提示）把 \\frac{1}{2} 化成小数：0.5。",
    ],
)
def test_hints_in_chinese_english_and_math_notation_are_readable(text: str) -> None:
    assert readable(text)


@pytest.mark.parametrize("text", [BROKEN, "答案是 \ufffd", "Привет, решите уравнение", "مرحبا x = 2"])
def test_stray_scripts_and_cut_characters_are_not(text: str) -> None:
    assert not readable(text)


def test_a_broken_hint_is_replaced_with_its_reason() -> None:
    verdict = check_reply_sync("3x - 5 = 10", BROKEN, "给出下一步的提示")
    assert verdict.reason == "unreadable_text"
