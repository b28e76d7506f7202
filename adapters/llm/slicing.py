"""One decoding slice for :class:`adapters.llm.scheduler.SliceScheduler`, on the model's thread.

Rows are left-padded prompt + tokens-so-far; a per-row stopping criterion ends each row at its own
budget (or when its caller cancelled) and hands every new token to the row's callback (streaming);
a per-row logits processor keeps end-of-sequence away until the row's ``min_new_tokens``.

When the next slice serves the same rows and every row advanced by the same number of tokens (the
common case: one long request, or a uniform batch), the padded input is the previous one plus the
new tokens, so the KV cache of the previous slice is passed back to ``generate`` and only the new
token is computed; any change of rows (a request joined or left) re-encodes once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adapters._torch_compat import ensure_torchvision_ops
from adapters.llm.scheduler import SliceJob

__all__ = ["SliceCache", "run_slice"]


class SliceCache:
    """The KV cache of the last slice and the rows (and their lengths) it belongs to."""

    def __init__(self) -> None:
        self.rows: tuple[int, ...] = ()
        self.lengths: tuple[int, ...] = ()
        self.past: Any = None
        self.reused = 0

    def take(self, jobs: Sequence[SliceJob], lengths: list[int]) -> Any:
        """The cache if ``jobs`` are the same rows, each grown by the same amount; else None."""
        if self.past is None or self.rows != tuple(id(j) for j in jobs) or len(lengths) != len(self.lengths):
            return None
        grown = {now - before for now, before in zip(lengths, self.lengths, strict=True)}
        if len(grown) != 1 or grown.pop() <= 0:
            return None
        self.reused += 1
        return self.past

    def keep(self, jobs: Sequence[SliceJob], lengths: list[int], past: Any) -> None:
        self.rows, self.lengths, self.past = tuple(id(j) for j in jobs), tuple(lengths), past

    def clear(self) -> None:
        self.rows, self.lengths, self.past = (), (), None


def _eos_ids(model: Any, tokenizer: Any) -> set[int]:
    eos = getattr(model.generation_config, "eos_token_id", None)
    if eos is None:
        eos = tokenizer.eos_token_id
    if eos is None:
        return set()
    return set(eos) if isinstance(eos, list) else {int(eos)}


def run_slice(
    model: Any,
    tokenizer: Any,
    device: str,
    jobs: Sequence[SliceJob],
    steps: int,
    cache: SliceCache | None = None,
) -> int:
    """Decode up to ``steps`` tokens for every job (appending to ``job.generated``); returns the
    number of forward steps run."""
    ensure_torchvision_ops()
    import torch
    from transformers import LogitsProcessor, LogitsProcessorList, StoppingCriteria, StoppingCriteriaList

    params = jobs[0].payload.params
    pad = tokenizer.pad_token_id
    eos = _eos_ids(model, tokenizer)
    seqs = [job.prompt_ids + job.generated for job in jobs]
    width = max(len(s) for s in seqs)
    input_ids = torch.tensor([[pad] * (width - len(s)) + s for s in seqs], device=device)
    attention = torch.tensor([[0] * (width - len(s)) + [1] * len(s) for s in seqs], device=device)
    budgets = [min(steps, job.remaining) for job in jobs]
    counts = [0] * len(jobs)
    done = [False] * len(jobs)

    class RowStop(StoppingCriteria):  # type: ignore[misc]
        def __call__(self, ids: Any, scores: Any, **kwargs: Any) -> Any:
            last = ids[:, -1].tolist()
            for i, job in enumerate(jobs):
                if done[i]:
                    continue
                token = int(last[i])
                counts[i] += 1
                if token in eos:
                    done[i] = True
                    job.finish = "stop"
                    continue
                job.generated.append(token)
                if job.on_token is not None:
                    job.on_token(token)
                if counts[i] >= budgets[i] or job.cancel.is_set():
                    done[i] = True
            return torch.tensor(done, dtype=torch.bool, device=ids.device)

    class RowMinTokens(LogitsProcessor):  # type: ignore[misc]
        def __call__(self, ids: Any, scores: Any) -> Any:
            for i, job in enumerate(jobs):
                if len(job.generated) < job.min_new_tokens:
                    for token in eos:
                        scores[i, token] = float("-inf")
            return scores

    kwargs = params.to_hf()
    kwargs.update(max_new_tokens=max(budgets), min_new_tokens=0, num_beams=1, num_return_sequences=1)
    if params.seed is not None:
        torch.manual_seed(params.seed + len(jobs[0].generated))
    lengths = [len(s) for s in seqs]
    past = cache.take(jobs, lengths) if cache is not None else None
    if past is not None:
        kwargs["past_key_values"] = past
    with torch.inference_mode():
        out = model.generate(
            input_ids=input_ids,
            attention_mask=attention,
            pad_token_id=pad,
            stopping_criteria=StoppingCriteriaList([RowStop()]),
            logits_processor=LogitsProcessorList([RowMinTokens()]),
            return_dict_in_generate=True,
            **kwargs,
        )
    for job in jobs:
        job.slices += 1
    if cache is not None:
        uniform = (
            all(c == budgets[0] for c in counts) and all(d for d in done) and not any(j.finish for j in jobs)
        )
        ran_all = out.sequences.shape[1] == width + budgets[0]
        if uniform and ran_all and getattr(out, "past_key_values", None) is not None:
            cache.keep(jobs, lengths, out.past_key_values)
        else:
            cache.clear()
    return max(counts)
