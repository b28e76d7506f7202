"""POST /v1/recognize/speech through the HTTP client: tiny openai-whisper and real faster-whisper."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import auth_headers, create_school, create_user
from tests.fixtures.media import encode_audio, tone
from tests.fixtures.recognition import AUDIO_DIR, make_settings, recognition_client, shared_runtime
from tutor.db.models.recognition import Recognition

Client = AsyncTestClient[Litestar]
QUESTION = (AUDIO_DIR / "question_en.wav").read_bytes()  # espeak-ng: "What is seven plus five?"
SILENCE = (AUDIO_DIR / "silence.wav").read_bytes()


async def _api(
    db_url: str, session: AsyncSession, tmp_path: Path, engine: str
) -> AsyncIterator[tuple[Client, dict[str, str]]]:
    settings = make_settings(db_url, tmp_path / "data")
    student = await create_user(session, await create_school(session), "student")
    async with recognition_client(settings, shared_runtime(engine)) as client:
        yield client, auth_headers(settings, student)


@pytest.fixture
async def api(
    db_url: str, session: AsyncSession, tmp_path: Path
) -> AsyncIterator[tuple[Client, dict[str, str]]]:
    async for pair in _api(db_url, session, tmp_path, "openai"):
        yield pair


@pytest.fixture
async def real_api(
    db_url: str, session: AsyncSession, tmp_path: Path
) -> AsyncIterator[tuple[Client, dict[str, str]]]:
    async for pair in _api(db_url, session, tmp_path, "faster"):
        yield pair


async def test_tiny_openai_whisper_end_to_end(
    api: tuple[Client, dict[str, str]], session: AsyncSession
) -> None:
    client, headers = api
    response = await client.post(
        "/v1/recognize/speech",
        files={"file": ("q.wav", QUESTION, "audio/wav")},
        data={"language": "en"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["kind"] == "speech" and body["engine"] == "openai-whisper" and body["language"] == "en"
    row = (await session.execute(select(Recognition))).scalar_one()
    assert row.recognized_text == body["text"] and row.kind == "speech"


async def test_real_model_hears_the_question(real_api: tuple[Client, dict[str, str]]) -> None:
    client, headers = real_api
    response = await client.post(
        "/v1/recognize/speech", files={"file": ("q.wav", QUESTION, "audio/wav")}, headers=headers
    )
    assert response.status_code == 201, response.text
    text = response.json()["text"].lower()
    assert "plus" in text and ("seven" in text or "7" in text) and ("five" in text or "5" in text)


async def test_browser_webm_recording_of_silence_is_empty(real_api: tuple[Client, dict[str, str]]) -> None:
    client, headers = real_api
    webm = encode_audio(tone(2.0, 48_000) * 0.0, "webm", "libopus", rate=48_000, layout="mono")
    response = await client.post(
        "/v1/recognize/speech", files={"file": ("rec.webm", webm, "audio/webm")}, headers=headers
    )
    assert response.status_code == 201, response.text
    assert response.json()["text"] == ""


async def test_silence_fixture_is_empty(real_api: tuple[Client, dict[str, str]]) -> None:
    client, headers = real_api
    response = await client.post(
        "/v1/recognize/speech", files={"file": ("s.wav", SILENCE, "audio/wav")}, headers=headers
    )
    assert response.status_code == 201
    assert response.json()["text"] == ""
    assert response.json()["parseable"] is False


@pytest.mark.parametrize(
    ("name", "data", "fields", "status", "words"),
    [
        ("empty.wav", b"", {}, 422, "empty"),
        ("question.wav", b"What is seven plus five?\n" * 20, {}, 422, "not a readable recording"),
        (
            "long.wav",
            encode_audio(tone(61.0, 8_000), "wav", "pcm_s16le", rate=8_000, layout="mono"),
            {},
            422,
            "60 seconds",
        ),
        ("big.wav", b"RIFF" + b"\0" * (11 * 1024 * 1024), {}, 413, "10 MB"),
        ("q.wav", QUESTION, {"language": "fr"}, 422, "not supported"),
    ],
    ids=["empty", "text-named-wav", "61-seconds", "11mb", "french"],
)
async def test_bad_recordings_are_clear_4xx(
    api: tuple[Client, dict[str, str]],
    name: str,
    data: bytes,
    fields: dict[str, str],
    status: int,
    words: str,
) -> None:
    client, headers = api
    response = await client.post(
        "/v1/recognize/speech", files={"file": (name, data, "audio/wav")}, data=fields, headers=headers
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert words in response.json()["detail"]
    ok = await client.post(
        "/v1/recognize/speech",
        files={"file": ("q.wav", QUESTION, "audio/wav")},
        data={"language": "en"},
        headers=headers,
    )
    assert ok.status_code == 201  # the service stays up


async def test_json_body_is_refused_with_a_hint(api: tuple[Client, dict[str, str]]) -> None:
    client, headers = api
    response = await client.post("/v1/recognize/speech", json={"audio": "..."}, headers=headers)
    assert response.status_code == 422
    assert "multipart" in response.json()["detail"]
