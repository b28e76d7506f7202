"""One decoding slice for :class:`adapters.llm.scheduler.SliceScheduler`, on the model's thread.

Rows are left-padded prompt + tokens-so-far; a per-row stopping criterion ends each row at its own
budget (or when its caller cancelled) and hands every new token to the row's callback (streaming);
a per-row logits processor keeps end-of-sequence away until the row's ``min_new_tokens``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adapters._torch_compat import ensure_torchvision_ops
from adapters.llm.scheduler import SliceJob

__all__ = ["run_slice"]


def _eos_ids(model: Any, tokenizer: Any) -> set[int]:
    eos = getattr(model.generation_config, "eos_token_id", None)
    if eos is None:
        eos = tokenizer.eos_token_id
    if eos is None:
        return set()
    return set(eos) if isinstance(eos, list) else {int(eos)}


def run_slice(model: Any, tokenizer: Any, device: str, jobs: Sequence[SliceJob], steps: int) -> int:
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
    with torch.inference_mode():
        model.generate(
            input_ids=input_ids,
            attention_mask=attention,
            pad_token_id=pad,
            stopping_criteria=StoppingCriteriaList([RowStop()]),
            logits_processor=LogitsProcessorList([RowMinTokens()]),
            **kwargs,
        )
    for job in jobs:
        job.slices += 1
    return max(counts)
