"""A run's log: no usernames, passwords, names or answers; 4xx without traceback; one record per 5xx."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar import Litestar, get
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, auth_headers, create_item, create_kp
from tutor.settings import Settings

SECRET_USERNAME = "lihua.private.name"
SECRET_PASSWORD = "Hu@ng-secret-passw0rd"
SECRET_ANSWER = "我家住在花园路12号-answer"
SECRET_NAME = "李华花园"


@get("/test/boom", include_in_schema=False)
async def boom(request: object) -> None:
    """A forced 500 whose database error quotes a stored value (a unique violation's DETAIL)."""
    sessions = request.app.state.session_maker  # type: ignore[attr-defined]
    async with sessions() as session, session.begin():
        await session.execute(text("CREATE TEMP TABLE t (name text PRIMARY KEY)"))
        await session.execute(text("INSERT INTO t VALUES (:n), (:n)"), {"n": SECRET_NAME})


@pytest.fixture
async def logged_client(settings: Settings) -> AsyncIterator[AsyncTestClient[Litestar]]:
    from tutor.app import create_app

    app = create_app(settings, extra_route_handlers=[boom])
    async with AsyncTestClient(app=app) as client:
        yield client


async def test_a_runs_log_holds_no_personal_data_and_one_record_per_5xx(
    logged_client: AsyncTestClient[Litestar],
    world: World,
    settings: Settings,
    session: AsyncSession,
    capfd: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    client = logged_client
    await create_kp(session, "lin.one_step")
    item = await create_item(session, ["lin.one_step"], answer="5")
    capfd.readouterr()

    for _ in range(2):
        bad = await client.post(
            "/v1/auth/token", data={"username": SECRET_USERNAME, "password": SECRET_PASSWORD}
        )
        assert bad.status_code == 401
    student = auth_headers(settings, world.students[0])
    wrong = await client.post(
        "/v1/attempts", json={"item_id": str(item.id), "answer": SECRET_ANSWER}, headers=student
    )
    assert wrong.status_code == 201
    nul = await client.post(
        "/v1/attempts", json={"item_id": str(item.id), "answer": "5\u0000" + SECRET_ANSWER}, headers=student
    )
    assert nul.status_code == 422
    missing = await client.get(f"/v1/items?knowledge_point={SECRET_NAME}", headers=student)
    assert 400 <= missing.status_code < 500
    boom_response = await client.get("/test/boom", headers={**student, "X-Request-ID": "req-boom-0001"})
    assert boom_response.status_code == 500
    assert boom_response.headers["x-request-id"] == "req-boom-0001"
    assert SECRET_NAME not in boom_response.text

    out, err = capfd.readouterr()
    log = out + err
    (tmp_path / "run.log").write_text(log)
    for secret in (SECRET_USERNAME, SECRET_PASSWORD, SECRET_ANSWER, SECRET_NAME, world.students[0].username):
        assert secret not in log, secret
    assert "$argon2" not in log
    records = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert records, "the app logged nothing"
    errors = [r for r in records if r.get("level") == "error"]
    assert len(errors) == 1, errors
    assert errors[0]["request_id"] == "req-boom-0001"
    assert "IntegrityError" in errors[0]["error_type"] and errors[0]["sqlstate"] == "23505"
    responses = [r for r in records if r.get("event") == "HTTP Response"]
    assert {r["status_code"] for r in responses} >= {401, 201, 422, 500}
    assert all(r.get("request_id") for r in responses)
    assert "Traceback" not in log  # 4xx: no traceback; the 5xx record keeps the stack without a message
