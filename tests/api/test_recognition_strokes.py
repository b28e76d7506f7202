"""Handwriting-pad strokes (JSON and InkML) through the real app to the tiny pix2tex, then confirmed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import auth_headers, create_item, create_kp, create_school, create_user
from tests.fixtures.recognition import make_settings, recognition_client, shared_runtime
from tests.fixtures.strokes import formula_strokes, inkml_document
from tutor.db.models import Attempt, Recognition

Client = AsyncTestClient[Litestar]
STROKES = [{"points": points} for points in formula_strokes()]


@pytest.fixture
async def api(
    db_url: str, session: AsyncSession, tmp_path: Path
) -> AsyncIterator[tuple[Client, dict[str, str]]]:
    settings = make_settings(db_url, tmp_path / "data")
    student = await create_user(session, await create_school(session), "student")
    async with recognition_client(settings, shared_runtime()) as client:
        yield client, auth_headers(settings, student)


async def test_strokes_reach_pix2tex_and_the_attempt_uses_the_confirmed_text(
    api: tuple[Client, dict[str, str]], session: AsyncSession
) -> None:
    client, headers = api
    await create_kp(session, "lin.two_step")
    item = await create_item(session, ["lin.two_step"], answer="1")
    recognised = await client.post("/v1/recognize/formula", json={"strokes": STROKES}, headers=headers)
    assert recognised.status_code == 201, recognised.text
    body = recognised.json()
    assert body["kind"] == "handwriting" and body["engine"] == "pix2tex"
    assert 0 < body["confidence"] <= 1 and body["status"] in ("ok", "low_confidence")
    assert (body["message"] is None) == (body["status"] == "ok")
    # the learner corrects the random model's reading and answers with it
    attempt = await client.post(
        "/v1/attempts",
        json={"item_id": str(item.id), "answer": "1", "recognition_id": body["id"]},
        headers=headers,
    )
    assert attempt.status_code == 201, attempt.text
    assert attempt.json()["modality"] == "handwriting" and attempt.json()["is_correct"] is True
    row = await session.get(Recognition, body["id"])
    assert row is not None and row.confirmed_text == "1"
    stored = (await session.execute(select(Attempt))).scalar_one()
    assert stored.recognition_id == row.id


@pytest.mark.parametrize("how", ["json", "raw-body", "multipart-file"])
async def test_inkml_is_accepted_three_ways(api: tuple[Client, dict[str, str]], how: str) -> None:
    client, headers = api
    document = inkml_document(formula_strokes())
    if how == "json":
        response = await client.post("/v1/recognize/formula", json={"inkml": document}, headers=headers)
    elif how == "raw-body":
        response = await client.post(
            "/v1/recognize/formula",
            content=document.encode(),
            headers={**headers, "Content-Type": "application/inkml+xml"},
        )
    else:
        files = {"file": ("pad.inkml", document.encode(), "application/inkml+xml")}
        response = await client.post("/v1/recognize/formula", files=files, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["engine"] == "pix2tex"


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"strokes": STROKES, "image_base64": "aGk="}, 422, "exactly one"),
        ({}, 422, "exactly one"),
        ({"strokes": [{"points": [[1.0, 2.0]]}] * 301}, 413, "300 strokes"),
        ({"strokes": [{"points": [[1.0, 2.0]] * 15_000}] * 2}, 413, "20000 points"),
        ({"strokes": [{"points": [[1.0]]}]}, 422, "Invalid JSON"),
        ({"strokes": [{"points": [[5.0, 5.0], [5.0, 5.0]]}]}, 201, ""),  # a dot is ink
        ({"inkml": "<ink><trace>1 2,"}, 422, "well-formed"),
    ],
    ids=["two-sources", "no-source", "301-strokes", "30000-points", "one-coordinate", "a-dot", "bad-inkml"],
)
async def test_bad_strokes_are_clear_4xx(
    api: tuple[Client, dict[str, str]], body: dict[str, object], status: int, words: str
) -> None:
    client, headers = api
    response = await client.post("/v1/recognize/formula", json=body, headers=headers)
    assert response.status_code == status, response.text
    if status >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert words in response.json()["detail"]


async def test_openapi_describes_every_upload_body(api: tuple[Client, dict[str, str]]) -> None:
    client, _ = api
    spec = (await client.get("/schema/openapi.json")).json()
    formula = spec["paths"]["/v1/recognize/formula"]["post"]["requestBody"]
    assert set(formula["content"]) == {"multipart/form-data", "application/json", "application/inkml+xml"}
    json_body = formula["content"]["application/json"]["schema"]["oneOf"]
    assert [next(iter(option["properties"])) for option in json_body] == ["image_base64", "strokes", "inkml"]
    assert json_body[1]["properties"]["strokes"]["maxItems"] == 300
    speech = spec["paths"]["/v1/recognize/speech"]["post"]["requestBody"]["content"]
    assert set(speech["multipart/form-data"]["schema"]["properties"]) == {"file", "language"}
