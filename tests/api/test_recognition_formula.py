"""POST /v1/recognize/formula through the HTTP client with a tiny real pix2tex model."""

from __future__ import annotations

import base64
import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import auth_headers, create_school, create_user
from tests.fixtures.media import pad_drawing, png_header_only
from tests.fixtures.recognition import make_settings, recognition_client, shared_runtime
from tutor.db.models.recognition import Recognition

Client = AsyncTestClient[Litestar]


def _blank_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (400, 200), (255, 255, 255)).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
async def api(
    db_url: str, session: AsyncSession, tmp_path: Path
) -> AsyncIterator[tuple[Client, dict[str, str]]]:
    settings = make_settings(db_url, tmp_path / "data")
    student = await create_user(session, await create_school(session), "student")
    async with recognition_client(settings, shared_runtime()) as client:
        yield client, auth_headers(settings, student)


async def test_multipart_upload_is_recognised_and_stored(
    api: tuple[Client, dict[str, str]], session: AsyncSession
) -> None:
    client, headers = api
    files = {"file": ("pad.png", pad_drawing(), "image/png")}
    response = await client.post("/v1/recognize/formula", files=files, headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["kind"] == "handwriting" and body["engine"] == "pix2tex"
    assert 0 < body["confidence"] <= 1
    assert isinstance(body["parseable"], bool)
    row = (await session.execute(select(Recognition))).scalar_one()
    assert str(row.id) == body["id"]
    assert row.recognized_text == body["text"]
    assert row.confirmed_text is None
    # only text is kept: the table has no column that could hold the picture
    assert not any(c.type.python_type is bytes for c in Recognition.__table__.columns)


@pytest.mark.parametrize("data_url", [False, True])
async def test_base64_json_is_accepted(api: tuple[Client, dict[str, str]], data_url: bool) -> None:
    client, headers = api
    encoded = base64.b64encode(pad_drawing(fmt="JPEG")).decode()
    if data_url:
        encoded = "data:image/jpeg;base64," + encoded
    response = await client.post("/v1/recognize/formula", json={"image_base64": encoded}, headers=headers)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("name", "data", "status", "words"),
    [
        ("empty.png", b"", 422, "empty"),
        ("truncated.png", pad_drawing()[:300], 422, "damaged"),
        ("bomb.png", png_header_only(50_000, 50_000), 422, "megapixels"),
        ("notes.png", b"x + 1 = 2, I promise this is a picture\n" * 5, 422, "not a readable"),
        ("blank.png", _blank_png(), 422, "blank"),
        ("huge.png", b"\x89PNG" + b"\0" * (6 * 1024 * 1024), 413, "5 MB"),
    ],
    ids=["empty", "truncated-png", "50000x50000-png", "text-file", "blank-page", "6mb"],
)
async def test_bad_uploads_are_clear_4xx(
    api: tuple[Client, dict[str, str]], name: str, data: bytes, status: int, words: str
) -> None:
    client, headers = api
    files = {"file": (name, data, "image/png")}
    response = await client.post("/v1/recognize/formula", files=files, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert words in response.json()["detail"]
    # the service stays up: a good picture right after is still read
    ok = await client.post(
        "/v1/recognize/formula", files={"file": ("p.png", pad_drawing(), "image/png")}, headers=headers
    )
    assert ok.status_code == 201


@pytest.mark.parametrize(
    ("body", "words"),
    [({"image_base64": "not base64 !!"}, "not valid base64"), ({"image": "abc"}, "Invalid JSON")],
    ids=["bad-base64", "wrong-field"],
)
async def test_bad_json_is_422(api: tuple[Client, dict[str, str]], body: dict[str, str], words: str) -> None:
    client, headers = api
    response = await client.post("/v1/recognize/formula", json=body, headers=headers)
    assert response.status_code == 422
    assert words in response.json()["detail"]


async def test_missing_file_field_is_422(api: tuple[Client, dict[str, str]]) -> None:
    client, headers = api
    response = await client.post(
        "/v1/recognize/formula", files={"image": ("p.png", pad_drawing(), "image/png")}, headers=headers
    )
    assert response.status_code == 422
    assert "'file'" in response.json()["detail"]


async def test_sign_in_is_required(api: tuple[Client, dict[str, str]]) -> None:
    client, _ = api
    response = await client.post(
        "/v1/recognize/formula", files={"file": ("p.png", pad_drawing(), "image/png")}
    )
    assert response.status_code == 401


async def test_busy_pool_answers_503_with_retry_after(
    db_url: str, session: AsyncSession, tmp_path: Path
) -> None:
    import asyncio
    import threading

    from tests.fixtures.recognition import tiny_model_env
    from tutor.recognition.runtime import RecognitionRuntime

    env = {**tiny_model_env(), "TUTOR_INFERENCE_WORKERS": "1", "TUTOR_INFERENCE_QUEUE": "0"}
    runtime = RecognitionRuntime.from_env(env)
    settings = make_settings(db_url, tmp_path / "data")
    student = await create_user(session, await create_school(session), "student")
    release = threading.Event()
    try:
        async with recognition_client(settings, runtime) as client:
            blocker = asyncio.ensure_future(
                runtime.formula_pool.run(release.wait, 10)
            )  # the one worker is busy
            await asyncio.sleep(0)
            response = await client.post(
                "/v1/recognize/formula",
                files={"file": ("p.png", pad_drawing(), "image/png")},
                headers=auth_headers(settings, student),
            )
            assert response.status_code == 503
            assert int(response.headers["Retry-After"]) >= 1
            assert "busy" in response.json()["detail"]
            release.set()
            assert await blocker is True
    finally:
        release.set()
        runtime.shutdown()
