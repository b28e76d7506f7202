"""Confirm-then-use, the edit-rate signal per engine, engine states, and 503s that spare attempts."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import auth_headers, create_item, create_kp, create_school, create_user
from tests.fixtures.media import pad_drawing
from tests.fixtures.recognition import AUDIO_DIR, make_settings, recognition_client, shared_runtime
from tutor.auth.principal import Principal
from tutor.db.models import User
from tutor.errors import ConflictError, NotFoundError, UnprocessableError
from tutor.recognition.runtime import engine_states
from tutor.recognition.services import confirm_recognition, store_recognition


def _principal(user: User) -> Principal:
    return Principal(id=user.id, role=user.role, school_id=user.school_id)


async def _recognition(
    session: AsyncSession, user: User, text: str = "x+1=2", engine: str = "pix2tex"
) -> uuid.UUID:
    row = await store_recognition(
        session,
        _principal(user),
        kind="handwriting",
        engine=engine,
        text=text,
        confidence=0.8,
        parseable=True,
    )
    await session.commit()
    return row.id


async def test_confirm_records_whether_the_learner_edited(session: AsyncSession) -> None:
    school = await create_school(session)
    learner = await create_user(session, school, "student")
    same = await _recognition(session, learner, "x + 1 = 2")
    confirmed = await confirm_recognition(session, _principal(learner), same, "x  +  1 = 2 ")
    assert confirmed.edited is False  # spacing is not an edit
    assert confirmed.modality == "handwriting" and confirmed.engine == "pix2tex"
    changed = await _recognition(session, learner, "x + 7 = 2")
    confirmed = await confirm_recognition(session, _principal(learner), changed, "x + 1 = 2")
    assert confirmed.edited is True and confirmed.text == "x + 1 = 2"
    # a retry with the same text is fine; another text is a conflict
    again = await confirm_recognition(session, _principal(learner), changed, "x + 1 = 2")
    assert again.edited is True
    with pytest.raises(ConflictError):
        await confirm_recognition(session, _principal(learner), changed, "x = 3")


async def test_only_the_owner_may_confirm(session: AsyncSession) -> None:
    school = await create_school(session)
    owner = await create_user(session, school, "student")
    other = await create_user(session, school, "student")
    rec = await _recognition(session, owner)
    with pytest.raises(NotFoundError):
        await confirm_recognition(session, _principal(other), rec, "x+1=2")
    with pytest.raises(NotFoundError):
        await confirm_recognition(session, _principal(owner), uuid.uuid4(), "x+1=2")
    with pytest.raises(UnprocessableError):
        await confirm_recognition(session, _principal(owner), rec, "   ")
    with pytest.raises(UnprocessableError):
        await confirm_recognition(session, _principal(owner), rec, "1" * 2001)


async def test_recognise_then_attempt_then_admin_sees_edit_rate(
    db_url: str, session: AsyncSession, tmp_path: Path
) -> None:
    settings = make_settings(db_url, tmp_path / "data")
    school = await create_school(session)
    learner = await create_user(session, school, "student")
    admin = await create_user(session, school, "admin")
    await create_kp(session, "lin.two_step")
    item = await create_item(session, ["lin.two_step"], answer="5")
    async with recognition_client(settings, shared_runtime()) as client:
        headers = auth_headers(settings, learner)
        recognised = await client.post(
            "/v1/recognize/formula", files={"file": ("p.png", pad_drawing(), "image/png")}, headers=headers
        )
        assert recognised.status_code == 201
        rec = recognised.json()
        attempt = await client.post(
            "/v1/attempts",
            json={"item_id": str(item.id), "answer": "5", "recognition_id": rec["id"]},
            headers=headers,
        )
        assert attempt.status_code == 201, attempt.text
        assert attempt.json()["modality"] == "handwriting"
        # the tiny random model reads nonsense, so answering "5" is an edit unless it happened to read 5
        assert attempt.json()["recognition_edited"] is (" ".join(rec["text"].split()) != "5")

        quality = await client.get("/v1/admin/recognition-quality", headers=auth_headers(settings, admin))
        assert quality.status_code == 200, quality.text
        (row,) = quality.json()["engines"]
        assert row["engine"] == "pix2tex" and row["kind"] == "handwriting"
        assert (row["recognitions"], row["confirmed"]) == (1, 1)
        assert row["edit_rate"] == row["edited"]

        forbidden = await client.get("/v1/admin/recognition-quality", headers=headers)
        assert forbidden.status_code == 403


async def test_unconfigured_engines_answer_503_while_attempts_work(
    db_url: str, session: AsyncSession, tmp_path: Path
) -> None:
    settings = make_settings(db_url, tmp_path / "data")  # no model variables at all
    school = await create_school(session)
    learner = await create_user(session, school, "student")
    await create_kp(session, "lin.two_step")
    item = await create_item(session, ["lin.two_step"], answer="5")
    async with recognition_client(settings, None) as client:
        headers = auth_headers(settings, learner)
        formula = await client.post(
            "/v1/recognize/formula", files={"file": ("p.png", pad_drawing(), "image/png")}, headers=headers
        )
        assert formula.status_code == 503
        assert formula.headers["content-type"].startswith("application/problem+json")
        assert "TUTOR_PIX2TEX_CHECKPOINT" in formula.json()["detail"]
        speech = await client.post(
            "/v1/recognize/speech",
            files={"file": ("q.wav", (AUDIO_DIR / "question_en.wav").read_bytes(), "audio/wav")},
            headers=headers,
        )
        assert speech.status_code == 503
        assert "tutor models install" in speech.json()["detail"]

        ready = await client.get("/health/ready")
        engines = ready.json()["engines"]
        assert engines["formula"].startswith("not_configured")
        assert engines["speech"].startswith("not_configured")

        attempt = await client.post(
            "/v1/attempts", json={"item_id": str(item.id), "answer": "5"}, headers=headers
        )
        assert attempt.status_code == 201, attempt.text
        assert attempt.json()["is_correct"] is True


async def test_health_lists_engine_states_without_loading(db_url: str, tmp_path: Path) -> None:
    from tests.fixtures.recognition import tiny_model_env

    settings = make_settings(db_url, tmp_path / "data", tiny_model_env())
    async with recognition_client(settings, None) as client:
        engines = (await client.get("/health/ready")).json()["engines"]
        # configured from the environment, nothing loaded until the first request needs it
        assert {k: engines[k] for k in ("formula", "speech")} == {
            "formula": "configured",
            "speech": "configured",
        }
        assert engine_states(client.app.state) == {
            "formula:pix2tex": "configured",
            "speech:openai-whisper": "configured",
        }


async def test_warmup_loads_engines_in_the_background(db_url: str, tmp_path: Path) -> None:
    import asyncio

    from tests.fixtures.recognition import tiny_model_env

    extra = {**tiny_model_env(), "TUTOR_RECOGNITION_WARMUP": "1"}
    settings = make_settings(db_url, tmp_path / "data", extra)
    async with recognition_client(settings, None) as client:
        engines: dict[str, str] = {}
        for _ in range(600):  # poll: readiness is what an orchestrator would watch
            ready = (await client.get("/health/ready")).json()["engines"]
            engines = {k: ready[k] for k in ("formula", "speech")}
            if all(state == "ready" or state.startswith("failed") for state in engines.values()):
                break
            await asyncio.sleep(0.1)
        assert engines == {"formula": "ready", "speech": "ready"}
