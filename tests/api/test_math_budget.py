"""One learner looping on /v1/answers/check uses up their own math budget, not the class's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.factories import World, auth_headers
from tutor.math import sandbox
from tutor.settings import Settings


@pytest.fixture
def tiny_budget(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TUTOR_MATH_ACCOUNT_BUDGET_S", "0.000001")  # one call, whatever it costs
    sandbox.shutdown()  # the next call builds the process-wide sandbox from these settings
    yield
    sandbox.shutdown()


async def test_an_account_over_its_math_budget_gets_429_others_are_served(
    tiny_budget: None, client: AsyncTestClient[Litestar], world: World, settings: Settings
) -> None:
    payload = {"expected": "x=2, x=3", "submitted": "x=3 或 x=2"}
    looping = auth_headers(settings, world.students[0])
    first = await client.post("/v1/answers/check", json=payload, headers=looping)
    assert first.status_code == 200, first.text
    refused = await client.post("/v1/answers/check", json=payload, headers=looping)
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert int(refused.headers["retry-after"]) >= 1
    assert "额度" in refused.json()["detail"]
    other = await client.post(
        "/v1/answers/check", json=payload, headers=auth_headers(settings, world.students[1])
    )
    assert other.status_code == 200 and other.json()["correct"] is True
