"""TUTOR_* settings of the learner model."""

from __future__ import annotations

import pytest

from tutor.learning.config import LearningConfig


def test_defaults() -> None:
    cfg = LearningConfig.from_env({})
    assert cfg.mastery_threshold == 0.95
    assert cfg.target_p_correct == 0.7
    assert cfg.intervals_days == (1, 3, 7, 14, 30)


def test_overrides_and_class_target() -> None:
    cfg = LearningConfig.from_env(
        {
            "TUTOR_MASTERY_THRESHOLD": "0.9",
            "TUTOR_WRONG_BOOK_INTERVALS_DAYS": "1,2,4",
            "TUTOR_REVIEW_SHARE": "0",
        }
    )
    assert cfg.mastery_threshold == 0.9
    assert cfg.spacing.intervals_days == (1, 2, 4)
    assert cfg.selection(0.6).target == 0.6
    assert cfg.selection().review_share == 0.0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TUTOR_MASTERY_THRESHOLD", "high"),
        ("TUTOR_TARGET_P_CORRECT", "1.5"),
        ("TUTOR_WRONG_BOOK_INTERVALS_DAYS", "1,x"),
    ],
)
def test_bad_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        LearningConfig.from_env({name: value})
