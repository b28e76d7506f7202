"""Generation controls: one validated shape for every engine, plus per-use defaults.

Defaults follow the BELLE reference generation settings: ``repetition_penalty`` 1.2 (without it small
models loop: "The answer is: 2" repeated), and when sampling ``temperature`` 0.1, ``top_p`` 0.75,
``top_k`` 40. BELLE's reference decodes with ``num_beams`` 4 on a GPU; on a CPU the default is 1, and
:func:`enforce_compute_cap` bounds beams × sequences × new tokens per caller role.

Ranges (the API table): ``num_beams`` 1-10, ``num_return_sequences`` 1-10 (≤ ``num_beams`` when
greedy), ``max_new_tokens`` 1-2048, ``min_new_tokens`` 0-``max_new_tokens``, ``temperature`` 0.1-2.0,
``top_p`` 0.01-1.0, ``top_k`` 0-100 (0: off), ``repetition_penalty`` 1.0-2.0,
``no_repeat_ngram_size`` 0-10 (0: off), ``seed`` 0-2^32-1 (sampling becomes reproducible).
The ranges live in ``msgspec.Meta`` so that a request body carrying these fields is rejected by
Litestar with a 422 naming the field, before any model is touched.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import msgspec

from tutor.errors import UnprocessableError

__all__ = [
    "COMPUTE_CAPS",
    "GenerationParams",
    "Use",
    "defaults_for",
    "enforce_compute_cap",
    "validate_params",
]


class Use(StrEnum):
    """What a generation is for; each use has its own defaults."""

    SOLUTION = "solution"
    HINT = "hint"
    EXERCISES = "exercises"
    DIALOGUE = "dialogue"


class GenerationParams(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Decoding controls (the API table's ranges); ``frozen`` so a set of params can key a batch."""

    do_sample: bool = False
    num_beams: Annotated[int, msgspec.Meta(ge=1, le=10)] = 1
    max_new_tokens: Annotated[int, msgspec.Meta(ge=1, le=2048)] = 256
    min_new_tokens: Annotated[int, msgspec.Meta(ge=0, le=2048)] = 0
    temperature: Annotated[float, msgspec.Meta(ge=0.1, le=2.0)] = 0.1
    top_p: Annotated[float, msgspec.Meta(ge=0.01, le=1.0)] = 0.75
    top_k: Annotated[int, msgspec.Meta(ge=0, le=100)] = 40
    repetition_penalty: Annotated[float, msgspec.Meta(ge=1.0, le=2.0)] = 1.2
    no_repeat_ngram_size: Annotated[int, msgspec.Meta(ge=0, le=10)] = 0
    num_return_sequences: Annotated[int, msgspec.Meta(ge=1, le=10)] = 1
    seed: Annotated[int, msgspec.Meta(ge=0, le=2**32 - 1)] | None = None

    @property
    def compute(self) -> int:
        """The work a request asks for: beams × returned sequences × new tokens."""
        return max(self.num_beams, self.num_return_sequences) * self.max_new_tokens

    def __post_init__(self) -> None:
        # Cross-field rules msgspec.Meta cannot express; raised as msgspec.ValidationError so decoding
        # through Litestar still answers 422 with the field named.
        if self.min_new_tokens > self.max_new_tokens:
            raise msgspec.ValidationError(
                "min_new_tokens must not exceed max_new_tokens - at `$.min_new_tokens`"
            )
        if not self.do_sample and self.num_return_sequences > self.num_beams:
            raise msgspec.ValidationError(
                "num_return_sequences must not exceed num_beams when do_sample is false"
                " - at `$.num_return_sequences`"
            )

    def to_hf(self) -> dict[str, Any]:
        """Keyword arguments for ``transformers`` ``generate``; sampling knobs only when sampling."""
        kwargs: dict[str, Any] = {
            "do_sample": self.do_sample,
            "num_beams": self.num_beams,
            "max_new_tokens": self.max_new_tokens,
            "min_new_tokens": self.min_new_tokens,
            "repetition_penalty": self.repetition_penalty,
            "no_repeat_ngram_size": self.no_repeat_ngram_size,
            "num_return_sequences": self.num_return_sequences,
        }
        if self.do_sample:
            kwargs.update(temperature=self.temperature, top_p=self.top_p, top_k=self.top_k)
        return kwargs

    def to_openai(self) -> dict[str, Any]:
        """Fields for vLLM's OpenAI-compatible ``/v1/completions`` (its extra parameters included).

        vLLM's beam search takes ``use_beam_search: true`` with ``n`` as the beam width and returns
        ``n`` beams (the caller keeps the first ``num_return_sequences``); it applies no repetition
        penalty to beams. vLLM has no ``no_repeat_ngram_size``: asking for it is a 422, never a
        silently different decoding.
        """
        if self.no_repeat_ngram_size:
            raise UnprocessableError(
                "params.no_repeat_ngram_size: vLLM has no such control; use repetition_penalty"
                " (或 repetition_penalty) with the remote engine.",
                field="params.no_repeat_ngram_size",
            )
        body: dict[str, Any] = {
            "max_tokens": self.max_new_tokens,
            "min_tokens": self.min_new_tokens,
            "n": self.num_return_sequences,
            "repetition_penalty": self.repetition_penalty,
        }
        if self.seed is not None:
            body["seed"] = self.seed
        if self.do_sample:
            body.update(temperature=self.temperature, top_p=self.top_p, top_k=self.top_k or -1)
        else:
            body.update(temperature=0.0)
        if self.num_beams > 1:
            body.update(use_beam_search=True, n=self.num_beams)
        return body


_DEFAULTS: dict[Use, GenerationParams] = {
    # solutions and hints: greedy so the verifier sees the model's best guess (temperature unused)
    Use.SOLUTION: GenerationParams(do_sample=False, max_new_tokens=512),
    Use.HINT: GenerationParams(do_sample=False, max_new_tokens=128),
    # exercises: sampling hot on purpose, for variety (each one is verified before it is kept)
    Use.EXERCISES: GenerationParams(
        do_sample=True, max_new_tokens=768, temperature=0.9, top_p=0.95, top_k=50, repetition_penalty=1.1
    ),
    # dialogue: the BELLE reference sampling (temperature 0.1, top_p 0.75, top_k 40)
    Use.DIALOGUE: GenerationParams(do_sample=True, max_new_tokens=256),
}

COMPUTE_CAPS: dict[str, int] = {
    "student": 4 * 512,
    "teacher": 4 * 2048,
    "admin": 4 * 2048,
    "service": 4 * 2048,
}
"""Per-role bound on beams × sequences × new tokens (a learner cannot ask for 10 beams × 2048 tokens)."""


def enforce_compute_cap(params: GenerationParams, role: str) -> GenerationParams:
    """422 naming the cap when ``params`` asks for more work than ``role`` may."""
    cap = COMPUTE_CAPS.get(role, COMPUTE_CAPS["student"])
    if params.compute > cap:
        raise UnprocessableError(
            f"params: 计算量超出上限。 max(num_beams, num_return_sequences) × max_new_tokens ="
            f" {params.compute}, at most {cap} for a {role}.",
            field="params",
        )
    return params


def defaults_for(use: Use | str) -> GenerationParams:
    """The defaults for one use (solution greedy, exercises sampling, ...)."""
    return _DEFAULTS[Use(use)]


def validate_params(raw: dict[str, Any], base: GenerationParams | None = None) -> GenerationParams:
    """Overlay ``raw`` on ``base`` with the same validation as the API edge; 422 naming the field."""
    merged = msgspec.structs.asdict(base or GenerationParams()) | raw
    try:
        return msgspec.convert(merged, GenerationParams)
    except msgspec.ValidationError as exc:
        raise UnprocessableError(f"Invalid generation parameter: {exc}") from exc
