"""Learning events as xAPI 1.0.3 statements (answered, completed, mastered) for an LRS.

The actor is the learner's pseudonym as an xAPI account, never a name or e-mail; the statement id is
derived from the event hash so re-exporting gives the same ids (an LRS then deduplicates).
"""

from __future__ import annotations

import uuid
from typing import Any, Final

from tutor.audit import kinds
from tutor.audit.canonical import canonical_timestamp
from tutor.audit.chain import ChainRow

__all__ = ["STATEMENT_NAMESPACE", "VERBS", "to_statement"]

STATEMENT_NAMESPACE: Final = uuid.UUID("6f1c3c8e-6a3e-4c39-9a1b-6d1f3c0e7a42")

VERBS: Final[dict[str, tuple[str, str]]] = {
    kinds.ATTEMPT_RECORDED: ("http://adlnet.gov/expapi/verbs/answered", "answered"),
    kinds.SESSION_COMPLETED: ("http://adlnet.gov/expapi/verbs/completed", "completed"),
    kinds.MASTERY_REACHED: ("http://adlnet.gov/expapi/verbs/mastered", "mastered"),
}

_INTERACTION: Final = "http://adlnet.gov/expapi/activities/cmi.interaction"
_OBJECTIVE: Final = "http://adlnet.gov/expapi/activities/objective"
_LESSON: Final = "http://adlnet.gov/expapi/activities/lesson"


def _object(event: ChainRow, home_page: str) -> dict[str, Any]:
    payload = event.payload
    if event.kind == kinds.MASTERY_REACHED:
        code = str(payload.get("knowledge_point", "unknown"))
        return {
            "objectType": "Activity",
            "id": f"{home_page}/knowledge-points/{code}",
            "definition": {"type": _OBJECTIVE},
        }
    if event.kind == kinds.SESSION_COMPLETED:
        session_id = str(payload.get("session_id", event.seq))
        return {
            "objectType": "Activity",
            "id": f"{home_page}/sessions/{session_id}",
            "definition": {"type": _LESSON},
        }
    item_id = str(payload.get("item_id", "unknown"))
    return {
        "objectType": "Activity",
        "id": f"{home_page}/items/{item_id}",
        "definition": {"type": _INTERACTION, "interactionType": "fill-in"},
    }


def _result(event: ChainRow) -> dict[str, Any] | None:
    payload = event.payload
    result: dict[str, Any] = {}
    if isinstance(payload.get("is_correct"), bool):
        result["success"] = payload["is_correct"]
    if event.kind == kinds.MASTERY_REACHED:
        result["success"] = True
        result["completion"] = True
    if event.kind == kinds.SESSION_COMPLETED:
        result["completion"] = True
    for key in ("p_mastery", "score"):
        value = payload.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1:
            result["score"] = {"scaled": value}
            break
    return result or None


def to_statement(event: ChainRow, *, home_page: str) -> dict[str, Any] | None:
    """The event as an xAPI statement, or None when it is not a learning event with a learner."""
    verb = VERBS.get(event.kind)
    if verb is None or event.learner_ref is None:
        return None
    statement: dict[str, Any] = {
        "id": str(uuid.uuid5(STATEMENT_NAMESPACE, event.hash)),
        "actor": {"objectType": "Agent", "account": {"homePage": home_page, "name": event.learner_ref}},
        "verb": {"id": verb[0], "display": {"en-US": verb[1]}},
        "object": _object(event, home_page),
        "timestamp": canonical_timestamp(event.occurred_at),
        "context": {"extensions": {f"{home_page}/xapi/audit-seq": event.seq}},
    }
    result = _result(event)
    if result is not None:
        statement["result"] = result
    return statement
