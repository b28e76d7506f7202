"""Remove personal data from training text before it can reach a model.

Learners are minors: a LoRA can memorise rare strings, so names, handles, ids, emails and phone numbers
are replaced by fixed placeholders *before* a dataset exists. Free-text fields (notes, comments, chat
outside teacher-approved turns) never enter a dataset at all; the dataset builder only passes problem
statements, verified solutions and approved dialogue turns through :func:`Scrubber.scrub`.

Known names are replaced wherever they occur (Chinese names sit inside text without spaces). Names
shorter than two characters are not replaced on their own (a one-character given name is also a common
word); the learner's full name and username still are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from adapters.training.dataset import BelleExample

__all__ = ["PLACEHOLDERS", "Scrubber"]

PLACEHOLDERS = {
    "email": "[EMAIL]",
    "uuid": "[ID]",
    "id_card": "[ID]",
    "hex_id": "[ID]",
    "phone": "[PHONE]",
    "handle": "[USER]",
    "url": "[URL]",
    "name": "[NAME]",
}

# Order matters: emails before handles, UUIDs before generic hex ids, id cards before phone numbers.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")),
    ("url", re.compile(r"https?://\S+")),
    (
        "uuid",
        re.compile(r"\b[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\b"),
    ),
    ("id_card", re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")),
    ("hex_id", re.compile(r"\b(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{16,}\b")),
    # Mainland mobile (11 digits starting 1[3-9]), optional +86; international +CC with 7-14 digits.
    ("phone", re.compile(r"(?:\+?86[-\s]?)?(?<!\d)1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?!\d)")),
    ("phone", re.compile(r"\+\d{1,3}[-\s]?\d(?:[-\s]?\d){6,13}(?!\d)")),
    ("handle", re.compile(r"(?<![\w.])@[A-Za-z0-9_]{2,32}")),
)


@dataclass(frozen=True)
class Scrubber:
    """Pattern scrubber plus the known names (learners, classmates, teachers, usernames) to remove."""

    names: tuple[str, ...] = ()
    _name_re: re.Pattern[str] | None = field(init=False, default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        usable = sorted({n.strip() for n in self.names if len(n.strip()) >= 2}, key=len, reverse=True)
        ascii_names = [re.escape(n) for n in usable if n.isascii()]
        cjk_names = [re.escape(n) for n in usable if not n.isascii()]
        parts = []
        if ascii_names:
            # Latin names must stand alone ("Anna" is not removed from "Annabel").
            parts.append(rf"(?<![A-Za-z0-9_])(?:{'|'.join(ascii_names)})(?![A-Za-z0-9_])")
        if cjk_names:
            # CJK text has no spaces: a known Chinese name is removed wherever it occurs.
            parts.append(f"(?:{'|'.join(cjk_names)})")
        if parts:
            object.__setattr__(self, "_name_re", re.compile("|".join(parts), re.IGNORECASE))

    @classmethod
    def for_names(cls, names: Iterable[str]) -> Scrubber:
        return cls(names=tuple(names))

    def scrub(self, text: str) -> str:
        """Return ``text`` with every known name and personal-data pattern replaced by a placeholder."""
        for kind, pattern in _PATTERNS:
            text = pattern.sub(PLACEHOLDERS[kind], text)
        if self._name_re is not None:
            text = self._name_re.sub(PLACEHOLDERS["name"], text)
        return text

    def scrub_example(self, example: BelleExample) -> BelleExample:
        return BelleExample(
            instruction=self.scrub(example.instruction),
            input=self.scrub(example.input),
            output=self.scrub(example.output),
        )
