"""The math routes through HTTP: solve, answer check, clear 422s, and responsiveness under hostile input."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.factories import World, auth_headers
from tutor.math import sandbox
from tutor.settings import Settings

HOSTILE = "expand (a+b+c+d+e+f+g)^60"  # passes the size limits, then explodes in SymPy


@pytest.fixture(autouse=True)
def fresh_sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TUTOR_MATH_TIMEOUT_S", "3")
    monkeypatch.setenv("TUTOR_MATH_WORKERS", "2")
    sandbox.shutdown()
    yield
    sandbox.shutdown()


async def test_solve_returns_checked_steps_in_the_requested_language(
    client: AsyncTestClient,
    world: World,
    settings: Settings,  # type: ignore[type-arg]
) -> None:
    headers = auth_headers(settings, world.students[0])
    zh = await client.post("/v1/solve", json={"problem": "x^2-5x+6=0"}, headers=headers)
    assert zh.status_code == 200, zh.text
    body = zh.json()
    assert body["kind"] == "quadratic_equation" and body["answer"] == "x = 2, x = 3"
    assert body["answer_kind"] == "equation" and body["engine"] == "symbolic"
    assert all(s["verdict"] == "valid" for s in body["steps"]) and len(body["steps"]) >= 3
    en = await client.post(
        "/v1/solve",
        json={"problem": r"\frac{x}{2} + 1 = 4", "language": "en", "format": "latex"},
        headers=headers,
    )
    assert en.status_code == 200 and en.json()["answer"] == "x = 6"
    assert en.json()["steps"][-1]["explanation"].isascii()


async def test_unparseable_problem_is_422_problem_json_naming_it(
    client: AsyncTestClient,
    world: World,
    settings: Settings,  # type: ignore[type-arg]
) -> None:
    response = await client.post(
        "/v1/solve", json={"problem": "3x + = @"}, headers=auth_headers(settings, world.teacher)
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "Could not read the math" in response.json()["detail"]


async def test_llm_engine_is_503_until_a_model_is_configured(
    client: AsyncTestClient,
    world: World,
    settings: Settings,  # type: ignore[type-arg]
) -> None:
    response = await client.post(
        "/v1/solve", json={"problem": "2x=4", "engine": "llm"}, headers=auth_headers(settings, world.teacher)
    )
    assert response.status_code == 503 and "language model" in response.json()["detail"]
    assert "TUTOR_LLM_MODEL" in response.json()["missing_setting"]


async def test_limits_and_sign_in(
    client: AsyncTestClient,
    world: World,
    settings: Settings,  # type: ignore[type-arg]
) -> None:
    assert (await client.post("/v1/solve", json={"problem": "2x=4"})).status_code == 401
    too_long = await client.post(
        "/v1/solve", json={"problem": "x" * 2001}, headers=auth_headers(settings, world.admin)
    )
    assert too_long.status_code in (400, 422)


async def test_answer_check_with_and_without_kind(
    client: AsyncTestClient,
    world: World,
    settings: Settings,  # type: ignore[type-arg]
) -> None:
    headers = auth_headers(settings, world.students[1])
    ok = await client.post(
        "/v1/answers/check", json={"expected": "x=2, x=3", "submitted": "x=3 或 x=2"}, headers=headers
    )
    assert ok.status_code == 200
    assert ok.json() == {
        "correct": True,
        "reason": "The answer is correct.",
        "answer_kind": "equation",
        "normalized_submitted": "x = 2, x = 3",
        "reason_zh": "答案正确。",
        "reason_en": "The answer is correct.",
        "code": "correct",
    }
    wrong = await client.post(
        "/v1/answers/check",
        json={"expected": "30", "submitted": "The answer is 31.", "answer_kind": "number"},
        headers=headers,
    )
    assert wrong.status_code == 200 and wrong.json()["correct"] is False
    unreadable = await client.post(
        "/v1/answers/check", json={"expected": "5", "submitted": "@@"}, headers=headers
    )
    assert unreadable.status_code == 200 and "could not be read" in unreadable.json()["reason"]
    bad_expected = await client.post(
        "/v1/answers/check", json={"expected": "@@", "submitted": "5"}, headers=headers
    )
    assert bad_expected.status_code == 422 and "expected answer" in bad_expected.json()["detail"]


async def test_hostile_input_is_4xx_while_the_service_keeps_answering(
    app: Litestar, world: World, settings: Settings
) -> None:
    headers = auth_headers(settings, world.teacher)
    done: list[str] = []
    # litestar's test client serves one request at a time; httpx's ASGI transport in this event loop runs
    # them concurrently, like a real server does
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with (
        app.lifespan(),
        httpx.AsyncClient(transport=transport, base_url="http://test", headers=headers) as http,
    ):
        warm = await http.post("/v1/solve", json={"problem": "x+1=2"})  # start the pool
        assert warm.status_code == 200

        async def hostile() -> int:
            response = await http.post("/v1/solve", json={"problem": HOSTILE})
            done.append("hostile")
            return response.status_code

        async def normal() -> int:
            await asyncio.sleep(0.5)  # let the hostile request occupy its worker first
            response = await http.post("/v1/solve", json={"problem": "3x+5=20"})
            done.append("normal")
            return response.status_code

        hostile_status, normal_status = await asyncio.gather(hostile(), normal())
        assert normal_status == 200
        assert hostile_status == 422
        assert done == ["normal", "hostile"]  # the normal request was answered while the hostile one ran
        after = await http.post("/v1/solve", json={"problem": "2x=8"})
        assert (
            after.status_code == 200 and after.json()["answer"] == "x = 4"
        )  # the killed worker was replaced


async def test_answer_check_grades_by_the_task_and_speaks_the_learners_language(
    client: AsyncTestClient,
    world: World,
    settings: Settings,  # type: ignore[type-arg]
) -> None:
    headers = auth_headers(settings, world.students[1])
    echo = await client.post(
        "/v1/answers/check",
        json={
            "expected": "x=19",
            "submitted": "x - 7 = 12",
            "question": "Solve: x - 7 = 12",
            "language": "zh",
        },
        headers=headers,
    )
    assert echo.status_code == 200
    assert echo.json()["correct"] is False and echo.json()["code"] == "echo"
    assert echo.json()["reason"] == echo.json()["reason_zh"] and "题目本身" in echo.json()["reason"]
    unexpanded = await client.post(
        "/v1/answers/check",
        json={"expected": "x^2+5x+6", "submitted": "(x+2)(x+3)", "task": "expand"},
        headers=headers,
    )
    assert unexpanded.json()["correct"] is False and unexpanded.json()["code"] == "not_expanded"
    assert "expanded" in unexpanded.json()["reason"]
    reduced = await client.post(
        "/v1/answers/check",
        json={"expected": "1/4", "submitted": "2/8", "question": "Simplify the fraction 12/48"},
        headers=headers,
    )
    assert reduced.json()["correct"] is False and reduced.json()["code"] == "not_lowest"
    words = await client.post(
        "/v1/answers/check", json={"expected": "x=3", "submitted": "x等于3"}, headers=headers
    )
    assert words.json()["correct"] is True


async def test_word_problems_are_read_and_unknown_words_are_a_bilingual_422(
    client: AsyncTestClient,
    world: World,
    settings: Settings,  # type: ignore[type-arg]
) -> None:
    headers = auth_headers(settings, world.students[0])
    solved = await client.post(
        "/v1/solve", json={"problem": "某数的3倍加上7等于22，求这个数。"}, headers=headers
    )
    assert solved.status_code == 200, solved.text
    assert solved.json()["answer"] == "x = 5"
    refused = await client.post(
        "/v1/solve", json={"problem": "直角三角形的两条直角边分别是6和8，斜边是多少"}, headers=headers
    )
    assert refused.status_code == 422
    body = refused.json()
    assert "斜边" in body["detail"] and "斜边" in body["detail_zh"] and "斜边" in body["unreadable"]
