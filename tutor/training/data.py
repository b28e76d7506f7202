"""Training and held-out data from the database, consented learners only, scrubbed.

Training examples, as BELLE instruction pairs, come from learners with active ``model_training``
consent only, from three sources:

* correct attempts on verified items (the stem in the served solution prompt -> the solver's numbered
  steps and the item's answer in ``\\boxed{}``; only the boxed answer when the solver cannot work
  the stem out);
* tutor dialogue turns a teacher approved (the dialogue's problem and the learner's message just
  before the turn -> the approved tutor text);
* recognitions the learner corrected (the confirmed text -> the symbolic solver's checked solution;
  problems the solver cannot work out are skipped).

Solution examples use exactly the served format (``tutor.training.serving_format``), so a LoRA trained
on them writes what the serving checker reads.

Every text goes through the :class:`Scrubber` (names, ids, contacts removed); other free text (notes,
unapproved turns, unedited recognitions) is never used. All sources share one per-learner pool, so
the per-learner bound (``adapters.training.bound``) applies across them. Held-out: verified items in a
fixed hash split that training never sees (nor duplicates of their text, nor dialogues about them),
built from item content only, so evaluation needs no learner data.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from uuid import UUID

import msgspec
from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from adapters.training.dataset import BelleExample
from adapters.training.scrub import Scrubber
from tutor.db.models import Attempt, Dialogue, DialogueTurnRow, Item, Recognition, User
from tutor.errors import UnprocessableError
from tutor.math.sandbox import run_sandboxed
from tutor.math.solver import solve_problem
from tutor.math.steps import Solution
from tutor.privacy.consent import learners_with_consent
from tutor.training.serving_format import serving_instruction, solution_target

__all__ = [
    "TRAINING_PURPOSE",
    "consented_learners",
    "heldout_examples",
    "is_heldout",
    "learner_examples",
]

TRAINING_PURPOSE = "model_training"
HELDOUT_BUCKETS = 10  # one item in ten (by hash of its id) is held out from training
MAX_ROWS_PER_LEARNER = 500  # across all sources
_LABELS = {"zh": ("题目：", "学生："), "en": ("Problem: ", "Student: ")}


def is_heldout(item_id: UUID) -> bool:
    return hashlib.sha256(item_id.bytes).digest()[0] % HELDOUT_BUCKETS == 0


def _stem(item: Item) -> str | None:
    return item.stem_text_zh or item.stem_text_en or item.stem_latex


_CJK = re.compile(r"[\u4e00-\u9fff]")
_ANSWER_LINES = {"zh": "答案：\\boxed{{{answer}}}", "en": "Answer: \\boxed{{{answer}}}"}


def _lang(text: str) -> str:
    return "zh" if _CJK.search(text) else "en"


async def _solved(problem: str, cache: dict[str, Solution | None]) -> Solution | None:
    if problem not in cache:
        try:
            cache[problem] = await run_sandboxed(solve_problem, problem)
        except UnprocessableError:
            cache[problem] = None  # not a problem the engine can work out
    return cache[problem]


def _agrees(solution: Solution, item: Item) -> bool:
    from tutor.math.grading import grade_answer_sync

    try:
        return grade_answer_sync(item.answer, item.answer_kind, solution.answer).correct
    except (UnprocessableError, ValueError, TypeError):
        return False


async def _example(item: Item, cache: dict[str, Solution | None]) -> BelleExample | None:
    """The item in the served format: solver steps when they reach the item's answer, else the answer."""
    stem = _stem(item)
    if not stem or not item.answer.strip():
        return None
    lang = _lang(stem)
    solution = await _solved(stem, cache)
    if solution is not None and _agrees(solution, item):
        output = solution_target(msgspec.structs.replace(solution, answer=item.answer), lang)
    else:
        output = _ANSWER_LINES[lang].format(answer=item.answer)
    return BelleExample(instruction=serving_instruction(stem, lang), output=output)


def _key(text: str) -> str:
    """Comparison form of a problem text: "3x + 5 = 20" and "3x+5=20" are the same problem."""
    return re.sub(r"\s+", "", text).casefold()


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


def _heldout_scope(school_id: UUID) -> list[ColumnElement[bool]]:
    return [Item.verified.is_(True), (Item.school_id.is_(None)) | (Item.school_id == school_id)]


async def _heldout_keys(session: AsyncSession, school_id: UUID, scrubber: Scrubber) -> set[str]:
    """Every stem (any language or LaTeX) of a held-out item, scrubbed, in comparison form."""
    stems = select(Item.id, Item.stem_text_zh, Item.stem_text_en, Item.stem_latex)
    rows = await session.execute(stems.where(*_heldout_scope(school_id)))
    return {
        _key(scrubber.scrub(text))
        for item_id, *stems in rows.tuples()
        if is_heldout(item_id)
        for text in stems
        if text
    }


class _Pools:
    """Per-learner example lists with one cap and de-duplication across every source."""

    def __init__(self, scrubber: Scrubber, heldout: set[str]) -> None:
        self.scrubber, self.heldout = scrubber, heldout
        self.out: dict[str, list[BelleExample]] = defaultdict(list)
        self._seen: set[tuple[str, str, str]] = set()

    def full(self, learner_id: UUID) -> bool:
        return len(self.out[str(learner_id)]) >= MAX_ROWS_PER_LEARNER

    def is_heldout_text(self, text: str) -> bool:
        return _key(self.scrubber.scrub(text)) in self.heldout

    def add(self, learner_id: UUID, example: BelleExample, problem: str | None = None) -> None:
        """Scrub and add; dropped when the learner is full, it repeats, or ``problem`` is held out."""
        key = str(learner_id)
        if self.full(learner_id):
            return
        clean = self.scrubber.scrub_example(example)
        if not clean.instruction.strip() or not clean.output.strip():
            return
        if _key(clean.instruction) in self.heldout or (problem is not None and self.is_heldout_text(problem)):
            return
        marker = (key, clean.instruction, clean.output)
        if marker in self._seen:
            return
        self._seen.add(marker)
        self.out[key].append(clean)


async def _add_attempts(
    session: AsyncSession, pools: _Pools, learners: list[UUID], cache: dict[str, Solution | None]
) -> None:
    rows = await session.execute(
        select(Attempt.learner_id, Item)
        .join(Item, Item.id == Attempt.item_id)
        .where(Attempt.learner_id.in_(learners), Attempt.is_correct.is_(True), Item.verified.is_(True))
        .order_by(Attempt.learner_id, Attempt.created_at.desc())
    )
    for learner_id, item in rows.tuples():
        if is_heldout(item.id) or pools.full(learner_id):
            continue
        example = await _example(item, cache)
        if example is not None:
            pools.add(learner_id, example, problem=_stem(item))


async def _add_approved_turns(
    session: AsyncSession, pools: _Pools, school_id: UUID, learners: list[UUID]
) -> None:
    """Teacher-approved tutor turns: problem + the learner's message before it -> the tutor's reply."""
    tutor = aliased(DialogueTurnRow)
    asked = aliased(DialogueTurnRow)
    rows = await session.execute(
        select(Dialogue.learner_id, Dialogue.item_id, Dialogue.problem, Dialogue.lang, asked.text, tutor.text)
        .join(tutor, tutor.dialogue_id == Dialogue.id)
        .outerjoin(
            asked,
            and_(asked.dialogue_id == Dialogue.id, asked.seq == tutor.seq - 1, asked.role == "student"),
        )
        .where(
            Dialogue.learner_id.in_(learners),
            Dialogue.school_id == school_id,
            tutor.role == "tutor",
            tutor.approved_at.is_not(None),
        )
        .order_by(Dialogue.learner_id, tutor.approved_at.desc(), tutor.id)
    )
    for learner_id, item_id, problem, lang, message, reply in rows.tuples():
        if (item_id is not None and is_heldout(item_id)) or pools.full(learner_id):
            continue
        problem_label, message_label = _LABELS.get(lang, _LABELS["zh"])
        instruction = f"{problem_label}{problem}"
        if message:
            instruction += f"\n{message_label}{message}"
        pools.add(learner_id, BelleExample(instruction=instruction, output=reply), problem=problem)


async def _add_corrected_recognitions(
    session: AsyncSession, pools: _Pools, learners: list[UUID], cache: dict[str, Solution | None]
) -> None:
    """Recognitions the learner edited: the confirmed problem -> the solver's checked solution."""
    rows = await session.execute(
        select(Recognition.learner_id, Recognition.confirmed_text)
        .where(
            Recognition.learner_id.in_(learners),
            Recognition.edited.is_(True),
            Recognition.confirmed_text.is_not(None),
        )
        .order_by(Recognition.learner_id, Recognition.confirmed_at.desc(), Recognition.id)
    )
    for learner_id, confirmed in rows.tuples():
        if not confirmed or pools.full(learner_id):
            continue
        problem = pools.scrubber.scrub(confirmed).strip()  # the solver never sees a name either
        if not problem or pools.is_heldout_text(problem):
            continue
        solution = await _solved(problem, cache)
        if solution is not None:
            lang = _lang(problem)
            example = BelleExample(
                instruction=serving_instruction(problem, lang), output=solution_target(solution, lang)
            )
            pools.add(learner_id, example, problem=problem)


async def learner_examples(
    session: AsyncSession, school_id: UUID, learner_ids: Iterable[UUID]
) -> dict[str, list[BelleExample]]:
    """Scrubbed examples per learner (keyed by the learner id's text, never a name).

    Only learners who are active students of the school with training consent *now* contribute,
    whatever the caller passes. Approved turns and corrected recognitions come first (they are rare),
    then correct attempts, up to ``MAX_ROWS_PER_LEARNER`` in all.
    """
    allowed = set(await consented_learners(session, school_id))
    learners = sorted({lid for lid in learner_ids if lid in allowed})
    if not learners:
        return {}
    scrubber = await _scrubber(session, school_id)
    # Same problem text as a held-out item (a duplicate under another id) would leak the test set.
    pools = _Pools(scrubber, await _heldout_keys(session, school_id, scrubber))
    await _add_approved_turns(session, pools, school_id, learners)
    solved: dict[str, Solution | None] = {}
    await _add_corrected_recognitions(session, pools, learners, solved)
    await _add_attempts(session, pools, learners, solved)
    return {key: examples for key, examples in pools.out.items() if examples}


async def heldout_examples(session: AsyncSession, school_id: UUID, limit: int = 200) -> list[BelleExample]:
    """Verified items (global or the school's) in the held-out split, in a stable order."""
    scrubber = await _scrubber(session, school_id)
    rows = await session.scalars(select(Item).where(*_heldout_scope(school_id)).order_by(Item.id))
    examples: list[BelleExample] = []
    solved: dict[str, Solution | None] = {}
    for item in rows:
        if not is_heldout(item.id):
            continue
        example = await _example(item, solved)
        if example is not None:
            examples.append(scrubber.scrub_example(example))
        if len(examples) >= limit:
            break
    return examples
