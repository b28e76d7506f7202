from __future__ import annotations

import msgspec
import pytest

from adapters.llm.params import GenerationParams, Use, defaults_for, validate_params
from tutor.errors import UnprocessableError


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("num_beams", 0),
        ("num_beams", 11),
        ("max_new_tokens", 0),
        ("max_new_tokens", 2049),
        ("temperature", 0.05),
        ("temperature", 2.5),
        ("top_p", 0.0),
        ("top_p", 1.5),
        ("top_k", 101),
        ("repetition_penalty", 0.9),
        ("repetition_penalty", 2.1),
        ("no_repeat_ngram_size", 11),
        ("num_return_sequences", 0),
    ],
)
def test_out_of_range_values_name_the_field(field: str, value: object) -> None:
    with pytest.raises(msgspec.ValidationError, match=rf"\$\.{field}"):
        msgspec.json.decode(msgspec.json.encode({field: value}), type=GenerationParams)
    with pytest.raises(UnprocessableError, match=field):
        validate_params({field: value})


def test_cross_field_rules_name_the_field() -> None:
    with pytest.raises(msgspec.ValidationError, match=r"\$\.min_new_tokens"):
        msgspec.convert({"min_new_tokens": 20, "max_new_tokens": 10}, GenerationParams)
    with pytest.raises(msgspec.ValidationError, match=r"\$\.num_return_sequences"):
        msgspec.convert({"num_return_sequences": 3, "num_beams": 1}, GenerationParams)
    assert msgspec.convert({"num_return_sequences": 3, "do_sample": True}, GenerationParams)


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(msgspec.ValidationError, match="temprature"):
        msgspec.convert({"temprature": 0.5}, GenerationParams)


def test_per_use_defaults() -> None:
    solution = defaults_for(Use.SOLUTION)
    assert not solution.do_sample and solution.temperature <= 0.3
    assert defaults_for("exercises").do_sample
    assert defaults_for("dialogue").do_sample


def test_overlay_keeps_base_and_hf_kwargs_drop_sampling_knobs_when_greedy() -> None:
    params = validate_params({"max_new_tokens": 7}, defaults_for("solution"))
    assert params.max_new_tokens == 7 and not params.do_sample
    hf = params.to_hf()
    assert "temperature" not in hf and hf["max_new_tokens"] == 7
    sampled = validate_params({"do_sample": True, "top_k": 0}).to_hf()
    assert sampled["top_k"] == 0 and "temperature" in sampled


def test_params_are_hashable_batch_keys() -> None:
    assert len({GenerationParams(), GenerationParams(), GenerationParams(num_beams=2)}) == 2
