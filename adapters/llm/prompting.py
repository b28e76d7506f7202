"""BELLE prompting: versioned templates from ``adapters/prompts/belle.<lang>.yaml``.

BELLE was tuned on ``"Human: \\n{q}\\n\\nAssistant: \\n"``; multi-turn dialogue repeats that pair.
Templates are data (so a teacher-facing wording change is a YAML edit plus a version bump) and each
rendered prompt carries ``template_id`` so the audit log says exactly which wording produced an output.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from string import Template
from typing import Literal

import msgspec
import yaml

from tutor.errors import UnprocessableError

__all__ = [
    "LANGS",
    "DialogueTurn",
    "RenderedPrompt",
    "belle_prompt",
    "build_dialogue_prompt",
    "render",
]

Lang = Literal["zh", "en"]
Kind = Literal["solution", "hint", "exercises", "dialogue"]
LANGS: tuple[str, ...] = ("zh", "en")
HUMAN = "Human: \n"
ASSISTANT = "Assistant: \n"


class RenderedPrompt(msgspec.Struct, frozen=True):
    """The full model input and the template that made it (``solution.zh.v1``)."""

    text: str
    template_id: str
    template_version: int


class DialogueTurn(msgspec.Struct, frozen=True):
    """One stored turn: ``role`` is ``student`` or ``tutor``."""

    role: Literal["student", "tutor"]
    text: str


class _Template(msgspec.Struct, frozen=True):
    version: int
    text: str


class _TemplateFile(msgspec.Struct, frozen=True):
    lang: str
    templates: dict[str, _Template]


@lru_cache(maxsize=4)
def _load(lang: str) -> _TemplateFile:
    if lang not in LANGS:
        raise UnprocessableError(f"Unsupported prompt language {lang!r}; use one of {', '.join(LANGS)}.")
    raw = resources.files("adapters").joinpath("prompts", f"belle.{lang}.yaml").read_text(encoding="utf-8")
    return msgspec.convert(yaml.safe_load(raw), _TemplateFile)


def belle_prompt(question: str) -> str:
    """One BELLE exchange with the assistant's answer left open."""
    return f"{HUMAN}{question}\n\n{ASSISTANT}"


def _instruction(kind: Kind, lang: str, values: Mapping[str, object]) -> tuple[str, str, int]:
    template = _load(lang).templates[kind]
    try:
        body = Template(template.text).substitute({k: str(v) for k, v in values.items()})
    except KeyError as exc:  # a template edited to need a value the code does not pass
        raise ValueError(f"prompt template {kind}.{lang} needs {exc.args[0]!r}") from exc
    return body, f"{kind}.{lang}.v{template.version}", template.version


def render(kind: Kind, lang: str, **values: object) -> RenderedPrompt:
    """Render a single-exchange template (solution, hint, exercises) in BELLE format."""
    body, template_id, version = _instruction(kind, lang, values)
    return RenderedPrompt(belle_prompt(body), template_id, version)


def build_dialogue_prompt(
    problem: str,
    turns: Sequence[DialogueTurn],
    lang: str,
    count_tokens: Callable[[str], int],
    *,
    max_turns: int = 3,
    max_tokens: int = 1024,
) -> RenderedPrompt:
    """The problem, up to ``max_turns`` earlier exchanges that fit ``max_tokens``, and the new message.

    A "turn" is one student message with the tutor's reply; the student message being answered
    always stays. Older turns are dropped first, whole, so the model never sees half an exchange.
    """
    if not turns or turns[-1].role != "student":
        raise UnprocessableError("A dialogue prompt needs the student's new message last.")
    preamble, template_id, version = _instruction("dialogue", lang, {"problem": problem})
    # group into exchanges: [student, tutor?] ...
    exchanges: list[list[DialogueTurn]] = []
    for turn in turns:
        if turn.role == "student" or not exchanges:
            exchanges.append([turn])
        else:
            exchanges[-1].append(turn)

    def render_exchanges(chosen: Sequence[list[DialogueTurn]]) -> str:
        parts: list[str] = []
        for i, exchange in enumerate(chosen):
            student = exchange[0].text if exchange[0].role == "student" else ""
            question = f"{preamble}\n\n{student}" if i == 0 else student
            parts.append(f"{HUMAN}{question}\n\n{ASSISTANT}")
            if len(exchange) > 1:
                parts.append("".join(t.text for t in exchange[1:]) + "\n\n")
        return "".join(parts)

    kept = exchanges[-1:]
    for exchange in reversed(exchanges[-(max_turns + 1) : -1] if max_turns > 0 else []):
        candidate = [exchange, *kept]
        if count_tokens(render_exchanges(candidate)) > max_tokens:
            break
        kept = candidate
    return RenderedPrompt(render_exchanges(kept), template_id, version)
