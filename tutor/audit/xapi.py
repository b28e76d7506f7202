"""xAPI 1.0.3 statements for what learners did: answered an item, mastered a knowledge point, asked for
a hint, started and took part in a tutoring dialogue.

Statements are built from the learning records themselves (attempts, mastery stats, dialogues) and,
for hints, from the model-output audit events, so erasure and retention remove a learner's statements
with their data, and recording an attempt takes no extra lock. The actor is the learner's pseudonym as
an xAPI account, never a name; statement ids are derived from the source row, so re-exporting or
re-pushing gives the same ids (an LRS deduplicates). Learners' own words are never put in a statement.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Final
from uuid import UUID

from tutor.audit.canonical import canonical_timestamp

__all__ = [
    "STATEMENT_NAMESPACE",
    "VERBS",
    "answered",
    "asked_hint",
    "interacted",
    "mastered",
    "started_dialogue",
]

STATEMENT_NAMESPACE: Final = uuid.UUID("6f1c3c8e-6a3e-4c39-9a1b-6d1f3c0e7a42")
PLATFORM: Final = "belle-math-tutor"

VERBS: Final[dict[str, tuple[str, str, str]]] = {
    "answered": ("http://adlnet.gov/expapi/verbs/answered", "answered", "回答了"),
    "mastered": ("http://adlnet.gov/expapi/verbs/mastered", "mastered", "掌握了"),
    "asked": ("http://adlnet.gov/expapi/verbs/asked", "asked for a hint on", "请求提示"),
    "initialized": ("http://adlnet.gov/expapi/verbs/initialized", "started", "开始了"),
    "interacted": ("http://adlnet.gov/expapi/verbs/interacted", "interacted with", "参与了"),
}

_INTERACTION: Final = "http://adlnet.gov/expapi/activities/cmi.interaction"
_OBJECTIVE: Final = "http://adlnet.gov/expapi/activities/objective"
_SESSION: Final = "http://adlnet.gov/expapi/activities/meeting"
_QUESTION: Final = "http://adlnet.gov/expapi/activities/question"


def _statement(
    key: str,
    verb: str,
    pseudonym: str,
    home_page: str,
    activity: dict[str, Any],
    at: datetime,
    result: dict[str, Any] | None = None,
    extensions: dict[str, Any] | None = None,
) -> dict[str, Any]:
    verb_id, en, zh = VERBS[verb]
    statement: dict[str, Any] = {
        "id": str(uuid.uuid5(STATEMENT_NAMESPACE, key)),
        "actor": {"objectType": "Agent", "account": {"homePage": home_page, "name": pseudonym}},
        "verb": {"id": verb_id, "display": {"en-US": en, "zh-CN": zh}},
        "object": {"objectType": "Activity", **activity},
        "timestamp": canonical_timestamp(at),
        "context": {"platform": PLATFORM},
        "version": "1.0.3",
    }
    if result:
        statement["result"] = result
    if extensions:
        statement["context"]["extensions"] = {f"{home_page}/xapi/{k}": v for k, v in extensions.items()}
    return statement


def answered(
    *,
    attempt_id: UUID,
    pseudonym: str,
    item_id: UUID,
    correct: bool,
    modality: str,
    at: datetime,
    home_page: str,
) -> dict[str, Any]:
    """One attempt: the item is the activity, the result says whether it was right (not what was written)."""
    return _statement(
        f"attempt:{attempt_id}",
        "answered",
        pseudonym,
        home_page,
        {
            "id": f"{home_page}/items/{item_id}",
            "definition": {"type": _INTERACTION, "interactionType": "fill-in"},
        },
        at,
        result={"success": correct, "completion": True, "score": {"scaled": 1 if correct else 0}},
        extensions={"modality": modality},
    )


def mastered(
    *, pseudonym: str, kp_code: str, at: datetime, p_known: float | None, home_page: str
) -> dict[str, Any]:
    result: dict[str, Any] = {"success": True, "completion": True}
    if p_known is not None and 0 <= p_known <= 1:
        result["score"] = {"scaled": round(p_known, 4)}
    return _statement(
        f"mastery:{pseudonym}:{kp_code}:{canonical_timestamp(at)}",
        "mastered",
        pseudonym,
        home_page,
        {"id": f"{home_page}/knowledge-points/{kp_code}", "definition": {"type": _OBJECTIVE}},
        at,
        result=result,
    )


def asked_hint(
    *, event_hash: str, pseudonym: str, problem_sha256: str | None, source: str, at: datetime, home_page: str
) -> dict[str, Any]:
    """A hint the learner was served; the problem is identified by its hash (it may be their own text)."""
    problem = problem_sha256 or "unknown"
    return _statement(
        f"hint:{event_hash}",
        "asked",
        pseudonym,
        home_page,
        {"id": f"{home_page}/problems/{problem}", "definition": {"type": _QUESTION}},
        at,
        extensions={"hint-source": source},
    )


def started_dialogue(*, dialogue_id: UUID, pseudonym: str, at: datetime, home_page: str) -> dict[str, Any]:
    return _statement(
        f"dialogue:{dialogue_id}",
        "initialized",
        pseudonym,
        home_page,
        {"id": f"{home_page}/tutoring-sessions/{dialogue_id}", "definition": {"type": _SESSION}},
        at,
    )


def interacted(
    *, dialogue_id: UUID, seq: int, pseudonym: str, at: datetime, home_page: str
) -> dict[str, Any]:
    """One message of the learner in a tutoring dialogue (its text stays in the dialogue)."""
    return _statement(
        f"dialogue:{dialogue_id}:{seq}",
        "interacted",
        pseudonym,
        home_page,
        {"id": f"{home_page}/tutoring-sessions/{dialogue_id}", "definition": {"type": _SESSION}},
        at,
        extensions={"turn": seq},
    )
