"""Generation controls as in the BELLE reference: defaults, seed, compute caps, context, time limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.llm.config import LLMConfig
from adapters.llm.local import LocalEngine
from adapters.llm.params import COMPUTE_CAPS, GenerationParams, defaults_for, enforce_compute_cap
from adapters.llm.prompting import render
from adapters.llm.schemas import GenerationRequest
from tutor.errors import UnprocessableError

PROMPT = render("solution", "en", problem="2x+3=7").text


def test_defaults_follow_the_belle_reference() -> None:
    params = GenerationParams()
    assert (params.repetition_penalty, params.top_p, params.top_k, params.temperature) == (1.2, 0.75, 40, 0.1)
    assert params.to_hf()["repetition_penalty"] == 1.2
    sampled = GenerationParams(do_sample=True).to_hf()
    assert (sampled["temperature"], sampled["top_p"], sampled["top_k"]) == (0.1, 0.75, 40)
    assert "seed" not in sampled  # not a generate() keyword: the engine seeds torch itself
    for use in ("solution", "hint", "dialogue"):
        assert defaults_for(use).repetition_penalty == 1.2


def test_compute_caps_per_role() -> None:
    big = GenerationParams(num_beams=10, max_new_tokens=2048)
    with pytest.raises(UnprocessableError, match="at most 2048 for a student"):
        enforce_compute_cap(big, "student")
    assert enforce_compute_cap(GenerationParams(num_beams=4, max_new_tokens=512), "student")
    assert enforce_compute_cap(GenerationParams(num_beams=4, max_new_tokens=2048), "teacher")
    assert COMPUTE_CAPS["service"] >= COMPUTE_CAPS["student"]


async def test_a_seed_makes_sampling_reproducible(llama_engine: LocalEngine) -> None:
    def params(seed: int) -> GenerationParams:
        return GenerationParams(
            do_sample=True, temperature=1.5, top_p=1.0, top_k=0, max_new_tokens=12, seed=seed
        )

    [a] = await llama_engine.generate([GenerationRequest(prompt=PROMPT, params=params(7))])
    [b] = await llama_engine.generate([GenerationRequest(prompt=PROMPT, params=params(7))])
    others = [
        (await llama_engine.generate([GenerationRequest(prompt=PROMPT, params=params(s))]))[0].text
        for s in (1, 2, 3)
    ]
    assert a.text == b.text and any(t != a.text for t in others)


async def test_prompt_plus_new_tokens_must_fit_the_context(tiny_llama: tuple[Path, Path]) -> None:
    model_dir, adapter_dir = tiny_llama
    engine = LocalEngine(
        LLMConfig(engine="local", model=str(model_dir), adapter_dir=adapter_dir, max_prompt_tokens=8000)
    )
    try:
        await engine.load()
        context = engine.context_length()
        assert context == 4096
        prompt = PROMPT + " x + 1 = 2" * 600
        n = engine.count_tokens(prompt)
        assert n < context
        room = context - n
        too_many = GenerationParams(max_new_tokens=min(2048, room + 1))
        if room + 1 <= 2048:
            with pytest.raises(UnprocessableError, match="context of 4096"):
                await engine.generate([GenerationRequest(prompt=prompt, params=too_many)])
        fits = GenerationParams(max_new_tokens=min(4, room))
        [ok] = await engine.generate([GenerationRequest(prompt=prompt, params=fits)])
        assert ok.generated_tokens <= 4
    finally:
        await engine.close()


async def test_finish_reason_says_when_the_time_limit_cut_the_output(tiny_llama: tuple[Path, Path]) -> None:
    model_dir, adapter_dir = tiny_llama
    engine = LocalEngine(
        LLMConfig(engine="local", model=str(model_dir), adapter_dir=adapter_dir, timeout_s=0.3)
    )
    try:
        endless = GenerationParams(max_new_tokens=2048, min_new_tokens=2048)
        [result] = await engine.generate([GenerationRequest(prompt=PROMPT, params=endless)])
        assert result.finish_reason == "time_limit" and result.generated_tokens < 2048
    finally:
        await engine.close()
