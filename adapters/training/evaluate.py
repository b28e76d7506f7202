"""Held-out evaluation of an adapter: math-checked answer accuracy, BLEU-4, ROUGE-L and held-out loss.

Answer correctness is delegated to the math engine through ``check_answer(candidate, reference)`` so
this module does not depend on ``tutor.math``. BLEU uses sacrebleu's ``zh`` tokenizer (Chinese split
per character, other scripts per word); ROUGE-L uses a character tokenizer, because rouge-score's
default one drops every non-ASCII character and would score Chinese solutions as empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from adapters.training.dataset import BelleExample, format_prompt

if TYPE_CHECKING:
    import torch

__all__ = [
    "EvalScores",
    "bleu4",
    "evaluate_generations",
    "extract_final_answer",
    "final_answer_text",
    "hf_generator",
    "rouge_l",
    "score_adapter",
]

CheckAnswer = Callable[[str, str], bool]


class EvalScores(msgspec.Struct, frozen=True, kw_only=True):
    """Scores on a held-out set; ``heldout_loss`` is the mean answer-token loss (lower is better)."""

    accuracy: float
    bleu4: float
    rouge_l: float
    examples: int
    heldout_loss: float | None = None


class _CharTokenizer:
    """rouge-score tokenizer: every non-space character is a token (right for Chinese)."""

    def tokenize(self, text: str) -> list[str]:
        return [ch for ch in text if not ch.isspace()]


def bleu4(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Corpus BLEU-4 in [0, 1]."""
    import sacrebleu

    return float(sacrebleu.corpus_bleu(list(hypotheses), [list(references)], tokenize="zh").score) / 100.0


def rouge_l(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Mean ROUGE-L F1 in [0, 1] over character tokens."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rougeL"], tokenizer=_CharTokenizer())
    if not references:
        return 0.0
    total = sum(
        scorer.score(ref, hyp)["rougeL"].fmeasure for hyp, ref in zip(hypotheses, references, strict=True)
    )
    return total / len(references)


_ANSWER_MARK = re.compile(r"(?:答案|答)\s*[:：]\s*(.+)")
_LAST_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:/\d+)?")


def extract_final_answer(solution: str) -> str:
    """The final answer of a BELLE-style solution: after the last "答：", else its last number."""
    marked = _ANSWER_MARK.findall(solution)
    if marked:
        answer = marked[-1].strip()
        numbers = _LAST_NUMBER.findall(answer)
        return numbers[-1] if numbers else answer.rstrip("。.")
    numbers = _LAST_NUMBER.findall(solution)
    return numbers[-1] if numbers else solution.strip()


_BOX = "\\boxed{"
_ANSWER_LINE = re.compile(r"(?:答案|答|Answer|Final answer)\s*[:：]\s*(.+)", re.IGNORECASE)


def _last_boxed(text: str) -> str | None:
    start = text.rfind(_BOX)
    while start != -1:
        depth, i = 1, start + len(_BOX)
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        if depth == 0:
            return text[start + len(_BOX) : i - 1].strip()
        start = text.rfind(_BOX, 0, start)
    return None


def final_answer_text(solution: str) -> str:
    """The *whole* final answer, as the serving checker reads it: the last ``\\boxed{}``, else the
    text after the last answer marker (``答案：``, ``答：``, ``Answer:``), else the last number.

    Whole, so that ``答：x = 3`` for ``x = 2, x = 3`` is graded as the incomplete answer it is.
    """
    boxed = _last_boxed(solution)
    if boxed is not None:
        return boxed
    marked = _ANSWER_MARK.findall(solution) or _ANSWER_LINE.findall(solution)
    if marked:
        return str(marked[-1]).strip().rstrip("。.")
    return extract_final_answer(solution)


def evaluate_generations(
    generations: Sequence[str],
    examples: Sequence[BelleExample],
    check_answer: CheckAnswer,
    *,
    heldout_loss: float | None = None,
) -> EvalScores:
    """Score generated solutions against the reference solutions of ``examples``.

    The whole final answer of each is compared by ``check_answer`` (the math engine), not its last
    number; the prompt the generations came from is the served one (``format_prompt``).
    """
    if len(generations) != len(examples) or not examples:
        raise ValueError("need one generation per example, and at least one example")
    references = [e.output for e in examples]
    correct = 0
    for generated, reference in zip(generations, references, strict=True):
        try:
            correct += bool(check_answer(final_answer_text(generated), final_answer_text(reference)))
        except Exception:  # a malformed generation is a wrong answer, not a failed evaluation
            continue
    return EvalScores(
        accuracy=correct / len(examples),
        bleu4=bleu4(generations, references),
        rouge_l=rouge_l(generations, references),
        examples=len(examples),
        heldout_loss=heldout_loss,
    )


def hf_generator(model: Any, tokenizer: Any, *, max_new_tokens: int = 128) -> Callable[[BelleExample], str]:
    """Greedy generation of a solution from BELLE's prompt (deterministic, so scores are repeatable)."""
    import torch

    def generate(example: BelleExample) -> str:
        enc = tokenizer(format_prompt(example), return_tensors="pt", add_special_tokens=False)
        with torch.no_grad():
            out = model.generate(
                **enc,
                max_new_tokens=max_new_tokens,
                do_sample=False,
                pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id,
            )
        return str(tokenizer.decode(out[0, enc["input_ids"].shape[1] :], skip_special_tokens=True))

    return generate


def _heldout_loss(
    model: torch.nn.Module, tokenizer: Any, examples: Sequence[BelleExample], max_len: int
) -> float:
    import torch

    from adapters.training.trainer import encode_batch, per_sample_loss

    with torch.no_grad():
        return float(per_sample_loss(model, encode_batch(tokenizer, examples, max_len)).mean())


def score_adapter(
    base_model_path: Path,
    adapter_dir: Path | None,
    heldout: Sequence[BelleExample],
    check_answer: CheckAnswer,
    *,
    max_new_tokens: int = 128,
    max_seq_len: int = 512,
) -> EvalScores:
    """Load base (+ adapter when given) and score it on ``heldout``; ``None`` scores the bare base model."""
    from adapters.training.trainer import load_base

    model, tokenizer = load_base(base_model_path)
    if adapter_dir is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(adapter_dir))
    model.eval()
    generate = hf_generator(model, tokenizer, max_new_tokens=max_new_tokens)
    generations = [generate(e) for e in heldout]
    loss = _heldout_loss(model, tokenizer, heldout, max_seq_len)
    return evaluate_generations(generations, heldout, check_answer, heldout_loss=loss)
