"""Rate limits on the real app: per signed-in account, on every marked model route and the math routes."""

from __future__ import annotations

import dataclasses
import inspect

import pytest
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.testing import AsyncTestClient

from tests.factories import World, auth_headers
from tutor.app import create_app
from tutor.auth.security import issue_token
from tutor.privacy.config import PrivacySettings, parse_rate
from tutor.privacy.rate_limits import MATH, MODEL, RATE_LIMIT_OPT
from tutor.settings import Settings

MODEL_ROUTES = {
    ("POST", "/v1/solve"),
    ("POST", "/v1/solve/stream"),
    ("POST", "/v1/hints"),
    ("POST", "/v1/dialogues/{dialogue_id:uuid}/turns"),
    ("POST", "/v1/dialogues/{dialogue_id:uuid}/turns/stream"),
    ("POST", "/v1/exercises/generate"),
    ("POST", "/v1/recognize/formula"),
    ("POST", "/v1/recognize/speech"),
}
MATH_ROUTES = {("POST", "/v1/solve"), ("POST", "/v1/answers/check")}


def _marked(app: Litestar, rate_class: str) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if isinstance(handler, HTTPRouteHandler) and rate_class in handler.opt.get(RATE_LIMIT_OPT, ()):
                found.update((method, route.path) for method in handler.http_methods)
    return found


def test_every_route_that_runs_a_model_is_marked(app: Litestar) -> None:
    """Markers, not path prefixes: the real app's model and math routes, and any handler taking the engine."""
    model = _marked(app, MODEL)
    assert model >= MODEL_ROUTES
    assert _marked(app, MATH) == MATH_ROUTES
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            params = inspect.signature(handler.fn).parameters
            if "engine" in params:
                for method in handler.http_methods:
                    assert (method, route.path) in model, f"{method} {route.path} runs a model unmarked"


async def test_model_routes_are_limited_per_account_whatever_the_token(
    world: World, settings: Settings
) -> None:
    """No model is configured, so hints answer 503, but each call still spends the account's budget."""
    limited = dataclasses.replace(settings, env={**settings.env, "TUTOR_RATE_LIMIT_MODEL": "2/minute"})
    student, other = world.students[0], world.students[1]
    body = {"problem": "2x + 3 = 7"}
    async with AsyncTestClient(app=create_app(limited)) as client:
        first = await client.post("/v1/hints", json=body, headers=auth_headers(limited, student))
        assert first.status_code == 503
        fresh_token, _ = issue_token(limited, student)  # a second token of the same account
        second = await client.post("/v1/hints", json=body, headers={"Authorization": f"bearer {fresh_token}"})
        assert second.status_code == 503
        third = await client.post("/v1/hints", json=body, headers=auth_headers(limited, student))
        assert third.status_code == 429 and int(third.headers["retry-after"]) >= 1
        assert third.headers["content-type"].startswith("application/problem+json")
        other_account = await client.post("/v1/hints", json=body, headers=auth_headers(limited, other))
        assert other_account.status_code == 503
        dialogue_turn = await client.post(
            "/v1/dialogues/00000000-0000-0000-0000-000000000000/turns",
            json={"message": "hi"},
            headers=auth_headers(limited, student),
        )
        assert dialogue_turn.status_code == 429  # same budget across every model route
        reads = [
            (await client.get("/v1/me", headers=auth_headers(limited, student))).status_code for _ in range(4)
        ]
        assert reads == [200] * 4


async def test_math_routes_have_their_own_per_account_budget(world: World, settings: Settings) -> None:
    limited = dataclasses.replace(settings, env={**settings.env, "TUTOR_RATE_LIMIT_MATH": "3/minute"})
    headers = auth_headers(limited, world.students[0])
    check = {"expected": "5", "submitted": "5"}
    async with AsyncTestClient(app=create_app(limited)) as client:
        codes = [
            (await client.post("/v1/answers/check", json=check, headers=headers)).status_code
            for _ in range(3)
        ]
        assert codes == [200, 200, 200]
        solve = await client.post("/v1/solve", json={"problem": "2x + 3 = 7"}, headers=headers)
        assert solve.status_code == 429  # solve counts against the math budget too
        assert (await client.post("/v1/answers/check", json=check, headers=headers)).status_code == 429
        other = auth_headers(limited, world.students[1])
        assert (await client.post("/v1/answers/check", json=check, headers=other)).status_code == 200


def test_rates_and_retention_settings_are_validated() -> None:
    assert parse_rate("10/minute") == ("minute", 10)
    for bad in ("10", "ten/minute", "5/fortnight", "0/minute"):
        with pytest.raises(ValueError, match="10/minute"):
            parse_rate(bad)
    settings = PrivacySettings.from_env({"TUTOR_RETENTION_DAYS": "attempts=30,recognitions=0"})
    assert settings.retention_days["attempts"] == 30 and "recognitions" not in settings.retention_days
    with pytest.raises(ValueError, match="TUTOR_LOGIN_FREE_FAILURES"):
        PrivacySettings.from_env({"TUTOR_LOGIN_FREE_FAILURES": "0"})
