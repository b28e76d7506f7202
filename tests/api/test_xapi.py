"""xAPI statements from a real run are accepted by an LRS implementation's statement models (ralph),
and pushed to a configured LRS with retries (issue 13)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from ralph.models.xapi.base.statements import BaseXapiStatement
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.llm.testing import ScriptedEngine
from tests.factories import World, auth_headers, create_item, create_kp, create_user
from tutor.audit.lrs import LrsError, LrsSettings, push_pending
from tutor.db.engine import make_engine, make_session_maker
from tutor.db.models import LearnerPseudonym, XapiPushState
from tutor.settings import Settings
from tutor.tutoring.engine import ENGINE_KEY

HOME = "https://tutor.invalid"
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
SECRET_ANSWER = "x = 41 我的电话 13800000000"


async def _real_run(
    client: AsyncTestClient[Litestar], session: AsyncSession, world: World, settings: Settings
) -> Any:
    """20 attempts by three learners (one without analytics consent), a hint and a dialogue turn."""
    await create_kp(session, "lin.two_step")
    items = [await create_item(session, ["lin.two_step"], answer=str(n)) for n in (5, 6, 7)]
    no_analytics = await create_user(session, world.school, "student", consents=("tutoring",))
    learners = [world.students[0], world.students[1], no_analytics]
    for n in range(20):
        learner, item = learners[n % 3], items[n % 3]
        answer = item.answer if n % 4 else SECRET_ANSWER
        response = await client.post(
            "/v1/attempts",
            json={"item_id": str(item.id), "answer": answer},
            headers=auth_headers(settings, learner),
        )
        assert response.status_code == 201, response.text
    student = auth_headers(settings, world.students[0])
    client.app.state[ENGINE_KEY] = ScriptedEngine(["What could you subtract first?", "Try moving 3 first."])
    hint = await client.post("/v1/hints", json={"problem": "2x + 3 = 7", "lang": "en"}, headers=student)
    assert hint.status_code == 201, hint.text
    dialogue = await client.post(
        "/v1/dialogues", json={"problem": "2x + 3 = 7", "lang": "en"}, headers=student
    )
    assert dialogue.status_code == 201
    turn = await client.post(
        f"/v1/dialogues/{dialogue.json()['id']}/turns", json={"message": "I am stuck"}, headers=student
    )
    assert turn.status_code == 201, turn.text
    return no_analytics


def _validated(statements: list[dict[str, Any]]) -> list[BaseXapiStatement]:
    return [BaseXapiStatement.model_validate(statement) for statement in statements]


async def test_statements_from_a_real_run_are_valid_xapi_and_respect_consent(
    client: AsyncTestClient[Litestar], session: AsyncSession, world: World, settings: Settings
) -> None:
    no_analytics = await _real_run(client, session, world, settings)
    response = await client.get(
        "/v1/audit/export", params={"format": "xapi"}, headers=auth_headers(settings, world.admin)
    )
    assert response.status_code == 200
    statements = response.json()
    validated = _validated(statements)
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in statements]
    assert verbs.count("answered") == 14  # 20 attempts, minus the 6 of the learner without analytics consent
    assert {"asked", "initialized", "interacted"} <= set(verbs)
    assert len({str(s.id) for s in validated}) == len(statements)
    answered = next(s for s in statements if s["verb"]["id"] == ANSWERED)
    assert answered["object"]["id"].startswith(f"{HOME}/items/")
    assert isinstance(answered["result"]["success"], bool)
    assert SECRET_ANSWER not in response.text and "I am stuck" not in response.text
    hidden = await session.scalar(
        select(LearnerPseudonym.pseudonym).where(LearnerPseudonym.learner_id == no_analytics.id)
    )
    assert hidden is None or hidden not in response.text
    again = (
        await client.get(
            "/v1/audit/export", params={"format": "xapi"}, headers=auth_headers(settings, world.admin)
        )
    ).json()
    assert [s["id"] for s in again] == [s["id"] for s in statements]  # stable ids: an LRS deduplicates

    erased = await client.delete(
        f"/v1/learners/{world.students[1].id}", headers=auth_headers(settings, world.admin)
    )
    assert erased.status_code == 200
    after = (
        await client.get(
            "/v1/audit/export", params={"format": "xapi"}, headers=auth_headers(settings, world.admin)
        )
    ).json()
    assert [s["verb"]["id"] for s in after].count(ANSWERED) == 7  # the erased learner's statements are gone


async def test_statements_are_pushed_to_the_lrs_with_retries(
    client: AsyncTestClient[Litestar], session: AsyncSession, world: World, settings: Settings, db_url: str
) -> None:
    await _real_run(client, session, world, settings)
    received: list[dict[str, Any]] = []
    calls: list[int] = []

    def lrs(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        assert request.url.path == "/xAPI/statements"
        assert request.headers["x-experience-api-version"] == "1.0.3"
        assert request.headers["authorization"].startswith("Basic ")
        if len(calls) == 1:
            return httpx.Response(503, headers={"Retry-After": "0"})
        batch = json.loads(request.content)
        _validated(batch)  # the LRS's own statement models accept every statement
        received.extend(batch)
        return httpx.Response(200, json=[s["id"] for s in batch])

    settings_lrs = LrsSettings(
        url="http://lrs.invalid/xAPI", username="tutor", password="pw", batch=10, backoff_s=0
    )
    later = datetime.now(UTC) + timedelta(minutes=5)
    engine = make_engine(db_url, pool_size=2)  # the app's pool lives on the test client's loop
    sessions = make_session_maker(engine)
    report = await push_pending(
        sessions, settings_lrs, home_page=HOME, now=later, transport=httpx.MockTransport(lrs)
    )
    assert report.sent == len(received) >= 17 and len(calls) >= 3  # one retried batch, then batches of 10
    watermark = await session.scalar(select(XapiPushState.pushed_until))
    assert watermark is not None and watermark > datetime.now(UTC)
    nothing_new = await push_pending(
        sessions, settings_lrs, home_page=HOME, now=later, transport=httpx.MockTransport(lrs)
    )
    assert nothing_new.sent == 0

    def refusing(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"error": "bad statement"})

    await session.execute(delete(XapiPushState))
    await session.commit()
    with pytest.raises(LrsError, match="400"):
        await push_pending(
            sessions, settings_lrs, home_page=HOME, now=later, transport=httpx.MockTransport(refusing)
        )
    session.expire_all()
    assert await session.scalar(select(XapiPushState.pushed_until)) is None  # nothing marked as sent
    await engine.dispose()
