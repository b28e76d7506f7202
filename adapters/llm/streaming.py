"""Cancellation for in-flight generation: a ``StoppingCriteria`` that watches a thread-safe flag.

Streaming uses transformers' ``AsyncTextIteratorStreamer`` (the asyncio twin of
``TextIteratorStreamer``); when the consumer stops iterating (client disconnect) the flag is set and
``generate`` ends at its next step instead of running to ``max_new_tokens`` on a busy worker.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from adapters._torch_compat import ensure_torchvision_ops

if TYPE_CHECKING:
    import torch

__all__ = ["make_cancel_criteria"]


def make_cancel_criteria(cancel: threading.Event) -> Any:
    """A ``StoppingCriteria`` instance that stops every sequence once ``cancel`` is set.

    Built lazily so importing this module never imports torch/transformers.
    """
    ensure_torchvision_ops()
    import torch
    from transformers import StoppingCriteria

    class CancelCriteria(StoppingCriteria):  # type: ignore[misc]
        def __init__(self) -> None:
            self.steps = 0

        def __call__(self, input_ids: torch.LongTensor, scores: Any, **kwargs: Any) -> torch.BoolTensor:
            self.steps += 1
            flag = cancel.is_set()
            return torch.full((input_ids.shape[0],), flag, dtype=torch.bool, device=input_ids.device)  # type: ignore[return-value]

    return CancelCriteria()
