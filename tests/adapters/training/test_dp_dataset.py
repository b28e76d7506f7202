"""BELLE JSON-lines import/export: round trip, validation with line numbers, size bounds."""

from __future__ import annotations

import io
import json

import pytest

from adapters.training.dataset import (
    BelleExample,
    DatasetLimits,
    dataset_hash,
    dump_jsonl,
    format_prompt,
    load_jsonl,
)
from tutor.errors import PayloadTooLargeError, UnprocessableError

EXAMPLES = [
    BelleExample(instruction="小明有3个苹果，又买了4个，一共有几个？", output="解：3+4=7。答：一共有7个。"),
    BelleExample(instruction="解方程", input="2x + 3 = 11", output="2x = 8，x = 4。答：x=4"),
]


def test_export_import_round_trip_keeps_chinese_readable() -> None:
    sink = io.BytesIO()
    assert dump_jsonl(EXAMPLES, sink) == 2
    raw = sink.getvalue()
    assert "苹果".encode() in raw  # UTF-8 text, not \\u escapes: BELLE's tools read it as-is
    assert load_jsonl(io.BytesIO(raw)) == EXAMPLES
    assert load_jsonl(raw) == EXAMPLES


def test_imports_belle_school_math_lines_with_extra_keys() -> None:
    question = "题目：一个数加5等于12，这个数是多少？"
    line = {"instruction": question, "input": "", "output": "12-5=7", "id": 9}
    assert load_jsonl(json.dumps(line, ensure_ascii=False).encode() + b"\n\n") == [
        BelleExample(instruction=question, output="12-5=7")
    ]


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        (b'{"instruction": "q", "output": "a"}\n{"instruction": "q"}\n', "Line 2"),
        (b'{"instruction": "q", "output": "a"}\nnot json\n', "Line 2: not a JSON object"),
        (b'{"instruction": " ", "output": "a"}\n', "must not be empty"),
        (b'{"instruction": 5, "output": "a"}\n', "Line 1"),
        (b"\n\n", "empty"),
    ],
)
def test_bad_lines_are_refused_with_a_clear_message(payload: bytes, fragment: str) -> None:
    with pytest.raises(UnprocessableError) as info:
        load_jsonl(payload)
    assert fragment in info.value.message


def test_size_bounds() -> None:
    sink = io.BytesIO()
    dump_jsonl(EXAMPLES * 3, sink)
    with pytest.raises(PayloadTooLargeError):
        load_jsonl(io.BytesIO(sink.getvalue()), DatasetLimits(max_bytes=100))
    with pytest.raises(PayloadTooLargeError):
        load_jsonl(sink.getvalue(), DatasetLimits(max_examples=5))
    with pytest.raises(UnprocessableError, match="longer than 10"):
        load_jsonl(sink.getvalue(), DatasetLimits(max_field_chars=10))


def test_hash_identifies_content_and_order() -> None:
    assert dataset_hash(EXAMPLES) == dataset_hash(list(EXAMPLES))
    assert dataset_hash(EXAMPLES) != dataset_hash(EXAMPLES[::-1])
    assert len(dataset_hash(EXAMPLES)) == 64


def test_prompt_is_belle_format() -> None:
    assert format_prompt(EXAMPLES[0]) == "Human: \n小明有3个苹果，又买了4个，一共有几个？\n\nAssistant: \n"
    assert format_prompt(EXAMPLES[1]) == "Human: \n解方程\n2x + 3 = 11\n\nAssistant: \n"
