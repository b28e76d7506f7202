"""Training and held-out data from the database, consented learners only, scrubbed.

Training examples: correct attempts of learners with active ``model_training`` consent on verified
items, as BELLE instruction pairs (stem -> "答：answer"). Free-text fields (learner answers, notes,
dialogue text) are never used. Held-out: verified items in a fixed hash split that training never
sees (nor duplicates of their text), built from item content only, so evaluation needs no learner data.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.training.dataset import BelleExample
from adapters.training.scrub import Scrubber
from tutor.db.models import Attempt, Item, User
from tutor.privacy.consent import learners_with_consent

__all__ = [
    "TRAINING_PURPOSE",
    "consented_learners",
    "heldout_examples",
    "is_heldout",
    "learner_examples",
]

TRAINING_PURPOSE = "model_training"
HELDOUT_BUCKETS = 10  # one item in ten (by hash of its id) is held out from training
MAX_ROWS_PER_LEARNER = 500


def is_heldout(item_id: UUID) -> bool:
    return hashlib.sha256(item_id.bytes).digest()[0] % HELDOUT_BUCKETS == 0


def _stem(item: Item) -> str | None:
    return item.stem_text_zh or item.stem_text_en or item.stem_latex


def _example(item: Item) -> BelleExample | None:
    stem = _stem(item)
    if not stem or not item.answer.strip():
        return None
    return BelleExample(instruction=stem, output=f"答：{item.answer}")


async def consented_learners(session: AsyncSession, school_id: UUID) -> list[UUID]:
    """Active students of the school with active training consent (sorted)."""
    consented = set(await learners_with_consent(session, TRAINING_PURPOSE))
    rows = await session.scalars(
        select(User.id).where(User.school_id == school_id, User.role == "student", User.is_active.is_(True))
    )
    return sorted(uid for uid in rows if uid in consented)


async def _scrubber(session: AsyncSession, school_id: UUID) -> Scrubber:
    rows = await session.execute(select(User.display_name, User.username).where(User.school_id == school_id))
    return Scrubber.for_names(name for row in rows for name in row)


async def learner_examples(
    session: AsyncSession, school_id: UUID, learner_ids: list[UUID]
) -> dict[str, list[BelleExample]]:
    """Scrubbed examples per learner (keyed by the learner id's text, never a name)."""
    if not learner_ids:
        return {}
    scrubber = await _scrubber(session, school_id)
    # Same problem text as a held-out item (a duplicate under another id) would leak the test set.
    heldout_text = {e.instruction for e in await heldout_examples(session, school_id, limit=10_000)}
    rows = await session.execute(
        select(Attempt.learner_id, Item)
        .join(Item, Item.id == Attempt.item_id)
        .where(Attempt.learner_id.in_(learner_ids), Attempt.is_correct.is_(True), Item.verified.is_(True))
        .order_by(Attempt.learner_id, Attempt.created_at.desc())
    )
    out: dict[str, list[BelleExample]] = defaultdict(list)
    seen: set[tuple[UUID, UUID]] = set()
    for learner_id, item in rows.tuples():
        if (learner_id, item.id) in seen or is_heldout(item.id):
            continue
        seen.add((learner_id, item.id))
        key = str(learner_id)
        if len(out[key]) >= MAX_ROWS_PER_LEARNER:
            continue
        example = _example(item)
        if example is not None:
            clean = scrubber.scrub_example(example)
            if clean.instruction not in heldout_text:
                out[key].append(clean)
    return dict(out)


async def heldout_examples(session: AsyncSession, school_id: UUID, limit: int = 200) -> list[BelleExample]:
    """Verified items (global or the school's) in the held-out split, in a stable order."""
    scrubber = await _scrubber(session, school_id)
    rows = await session.scalars(
        select(Item)
        .where(Item.verified.is_(True), (Item.school_id.is_(None)) | (Item.school_id == school_id))
        .order_by(Item.id)
    )
    examples: list[BelleExample] = []
    for item in rows:
        if not is_heldout(item.id):
            continue
        example = _example(item)
        if example is not None:
            examples.append(scrubber.scrub_example(example))
        if len(examples) >= limit:
            break
    return examples
