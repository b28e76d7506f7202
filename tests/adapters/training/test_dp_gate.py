"""The gate's decision rules and the metrics it reads."""

from __future__ import annotations

import pytest

from adapters.training.dataset import BelleExample
from adapters.training.evaluate import EvalScores, bleu4, evaluate_generations, extract_final_answer, rouge_l
from adapters.training.gate import passes_gate
from tutor.math.grading import grade_answer_sync


def check(candidate: str, reference: str) -> bool:
    return grade_answer_sync(reference, "number", candidate).correct


ACTIVE = EvalScores(accuracy=0.6, bleu4=0.3, rouge_l=0.5, examples=10, heldout_loss=2.0)


def test_first_adapter_passes_and_equal_passes() -> None:
    assert passes_gate(ACTIVE, None, 0.02).passed
    assert passes_gate(ACTIVE, ACTIVE, 0.0).passed


def test_worse_beyond_margin_is_blocked_with_reasons() -> None:
    worse = EvalScores(accuracy=0.5, bleu4=0.29, rouge_l=0.5, examples=10, heldout_loss=2.5)
    decision = passes_gate(worse, ACTIVE, 0.02)
    assert not decision.passed
    assert len(decision.reasons) == 2
    assert "accuracy" in decision.reasons[0] and "held-out loss" in decision.reasons[1]
    assert passes_gate(worse, ACTIVE, 0.3).passed
    with pytest.raises(ValueError):
        passes_gate(worse, ACTIVE, -1)


def test_final_answer_extraction() -> None:
    assert extract_final_answer("解：3+4=7。答：一共有7个。") == "7"
    assert extract_final_answer("所以 x = 2/3") == "2/3"
    assert extract_final_answer("不知道") == "不知道"


def test_chinese_metrics_are_character_level() -> None:
    refs = ["解：3+4=7。答：一共有7个。"]
    assert rouge_l(refs, refs) == pytest.approx(1.0)
    assert bleu4(refs, refs) == pytest.approx(1.0)
    assert 0.0 < rouge_l(["解：3+4=8。答：一共有8个。"], refs) < 1.0
    assert rouge_l(["hello"], refs) == 0.0


def test_evaluate_generations_uses_the_math_engine() -> None:
    examples = [
        BelleExample(instruction="3+4?", output="解：3+4=7。答：7"),
        BelleExample(instruction="1/2+1/4?", output="答：3/4"),
    ]
    scores = evaluate_generations(["答：7.0", "结果是 0.75"], examples, check)
    assert scores.accuracy == 1.0
    wrong = evaluate_generations(["答：8", "答：abc)("], examples, check)
    assert wrong.accuracy == 0.0
