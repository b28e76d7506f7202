"""BELLE instruction-format datasets: one validated JSON object per line, bounded in size.

BELLE's ``school_math_0.25M`` uses ``{"instruction", "input", "output"}``; exporting and importing that
shape lets a school start from BELLE's public math set and lets our own exports be read by BELLE's tools.
Every bound below exists so that a hostile or broken upload costs a 4xx, not the worker's memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

import msgspec

from tutor.errors import PayloadTooLargeError, UnprocessableError

__all__ = [
    "BELLE_PROMPT",
    "BelleExample",
    "DatasetLimits",
    "dataset_hash",
    "dump_jsonl",
    "format_prompt",
    "load_jsonl",
]

BELLE_PROMPT = "Human: \n{question}\n\nAssistant: \n"


class BelleExample(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=False):
    """One instruction example; ``input`` is optional context, as in BELLE's files."""

    instruction: str
    output: str
    input: str = ""


@dataclass(frozen=True)
class DatasetLimits:
    """Upper bounds for a dataset file (BELLE's math set has 250k lines of a few hundred characters)."""

    max_bytes: int = 256 * 1024 * 1024
    max_examples: int = 300_000
    max_field_chars: int = 8_000


_decoder = msgspec.json.Decoder(BelleExample)
_encoder = msgspec.json.Encoder()


def format_prompt(example: BelleExample) -> str:
    """BELLE's chat prompt; ``input`` (when present) follows the instruction on its own line."""
    question = example.instruction if not example.input else f"{example.instruction}\n{example.input}"
    return BELLE_PROMPT.format(question=question)


def _validate(example: BelleExample, line_no: int, limits: DatasetLimits) -> None:
    if not example.instruction.strip() or not example.output.strip():
        raise UnprocessableError(
            f"Line {line_no}: 'instruction' and 'output' must not be empty.", line=line_no
        )
    for name in ("instruction", "input", "output"):
        if len(getattr(example, name)) > limits.max_field_chars:
            raise UnprocessableError(
                f"Line {line_no}: field '{name}' is longer than {limits.max_field_chars} characters.",
                line=line_no,
            )


def _lines(source: bytes | IO[bytes], limits: DatasetLimits) -> Iterator[tuple[int, bytes]]:
    if isinstance(source, bytes):
        if len(source) > limits.max_bytes:
            raise PayloadTooLargeError(f"Dataset is larger than {limits.max_bytes} bytes.")
        yield from enumerate(source.splitlines(), start=1)
        return
    total = 0
    for line_no, line in enumerate(source, start=1):
        total += len(line)
        if total > limits.max_bytes:
            raise PayloadTooLargeError(f"Dataset is larger than {limits.max_bytes} bytes.")
        yield line_no, line


def load_jsonl(source: bytes | IO[bytes], limits: DatasetLimits | None = None) -> list[BelleExample]:
    """Parse and validate a BELLE JSON-lines file; blank lines are skipped, the first bad line is named."""
    limits = limits or DatasetLimits()
    examples: list[BelleExample] = []
    for line_no, raw in _lines(source, limits):
        if not raw.strip():
            continue
        try:
            example = _decoder.decode(raw)
        except msgspec.ValidationError as exc:
            raise UnprocessableError(f"Line {line_no}: {exc}", line=line_no) from None
        except msgspec.DecodeError:
            raise UnprocessableError(f"Line {line_no}: not a JSON object.", line=line_no) from None
        _validate(example, line_no, limits)
        examples.append(example)
        if len(examples) > limits.max_examples:
            raise PayloadTooLargeError(f"Dataset has more than {limits.max_examples} examples.")
    if not examples:
        raise UnprocessableError("Dataset is empty: no example lines found.")
    return examples


def dump_jsonl(examples: Iterable[BelleExample], sink: IO[bytes]) -> int:
    """Write examples as BELLE JSON lines (UTF-8, Chinese kept readable); returns the count."""
    count = 0
    for example in examples:
        sink.write(_encoder.encode(example))
        sink.write(b"\n")
        count += 1
    return count


def dataset_hash(examples: Iterable[BelleExample]) -> str:
    """SHA-256 over the canonical JSON lines: the ledger's proof of which data a run used."""
    digest = hashlib.sha256()
    for example in examples:
        digest.update(_encoder.encode(example))
        digest.update(b"\n")
    return digest.hexdigest()
