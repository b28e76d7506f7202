"""Exercise templates: every knowledge point is covered and every item is engine-verified."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tutor.errors import UnprocessableError
from tutor.math.grading import grade_answer_sync
from tutor.math.solver import solve_problem
from tutor.math.templates import KNOWLEDGE_POINT_CODES, generate_items

ROOT = Path(__file__).resolve().parents[3]


def test_templates_cover_every_curriculum_code() -> None:
    curriculum = yaml.safe_load((ROOT / "seed_data" / "curriculum.yaml").read_text(encoding="utf-8"))
    codes = {kp["code"] for kp in curriculum["knowledge_points"]}
    assert set(KNOWLEDGE_POINT_CODES) == codes and len(codes) == 33


@pytest.mark.parametrize("code", KNOWLEDGE_POINT_CODES)
def test_generated_items_are_distinct_verified_and_bounded(code: str) -> None:
    items = generate_items(code, 2, seed=11)
    assert len({i.stem_text_en for i in items}) == 2
    for item in items:
        assert item.knowledge_points == [code]
        assert -3.0 <= item.difficulty_prior <= 3.0
        assert item.stem_latex and item.stem_text_zh and item.stem_text_en and item.answer
        assert grade_answer_sync(item.answer, item.answer_kind, item.answer).correct
        assert {"steps", "max_coefficient", "fractions", "negatives"} <= set(item.features)


def test_same_seed_same_items() -> None:
    assert generate_items("quad.factoring", 3, seed=5) == generate_items("quad.factoring", 3, seed=5)


def test_target_difficulty_moves_the_prior() -> None:
    easy = generate_items("lin.brackets", 6, seed=3, target_difficulty=-3.0)
    hard = generate_items("lin.brackets", 6, seed=3, target_difficulty=3.0)
    mean = lambda items: sum(i.difficulty_prior for i in items) / len(items)  # noqa: E731
    assert mean(easy) < mean(hard)


def test_engine_answer_matches_an_independent_solve() -> None:
    (item,) = generate_items("sys.elimination", 1, seed=9)
    problem = item.stem_text_en.split(":", 1)[1].replace(";", ",")
    assert grade_answer_sync(item.answer, "pair", solve_problem(problem).answer).correct


def test_bad_requests() -> None:
    with pytest.raises(UnprocessableError, match="No exercise template"):
        generate_items("no.such.code", 1)
    with pytest.raises(UnprocessableError, match="count"):
        generate_items("lin.two_step", 0)


def test_seed_item_bank() -> None:
    bank = yaml.safe_load((ROOT / "seed_data" / "items.yaml").read_text(encoding="utf-8"))["items"]
    assert len(bank) >= 240
    assert len({i["code"] for i in bank}) == len(bank)
    per_kp: dict[str, int] = {}
    for item in bank:
        per_kp[item["knowledge_points"][0]] = per_kp.get(item["knowledge_points"][0], 0) + 1
        assert item["verified"] is True
    assert set(per_kp) == set(KNOWLEDGE_POINT_CODES) and min(per_kp.values()) >= 6
    difficulties = [i["difficulty"] for i in bank]
    assert min(difficulties) < -1.5 and max(difficulties) > 1.0
    sample = bank[:: len(bank) // 12]
    for item in sample:  # answers in the bank grade as correct against themselves through the engine
        assert grade_answer_sync(item["answer"], item["answer_kind"], item["answer"]).correct


def test_every_bank_item_states_its_task_and_echoing_its_stem_is_never_correct() -> None:
    from tutor.math.grading import question_task

    bank = yaml.safe_load((ROOT / "seed_data" / "items.yaml").read_text(encoding="utf-8"))["items"]
    tasks = {"solve", "calculate", "evaluate", "expand", "factor", "simplify", "reduce", "derivative"}
    for item in bank:
        assert item["task"] in tasks, item["code"]
        own = grade_answer_sync(
            item["answer"],
            item["answer_kind"],
            item["answer"],
            task=item["task"],
            question=item["stem_text_en"],
        )
        assert own.correct, (item["code"], own.reason)
        _, stem_math = question_task(item["stem_text_en"])
        if stem_math is None:  # a word problem: its stem is prose, there is no formula to paste back
            assert item["knowledge_points"] == ["lin.word_problems"], item["code"]
            continue
        echo = grade_answer_sync(
            item["answer"], item["answer_kind"], stem_math, task=item["task"], question=item["stem_text_en"]
        )
        assert not echo.correct, (item["code"], stem_math)
