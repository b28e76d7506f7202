"""``POST /v1/recognize/formula`` and ``/speech``; ``GET /v1/admin/recognition-quality``.

Uploads are read, validated and recognised on a bounded worker pool; only the resulting text is
stored. An engine that is not configured makes its route answer 503 saying what to set.
"""

from __future__ import annotations

import base64
import binascii
import time
from typing import Any

import msgspec
import structlog
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.audit.ai_content import record_recognition
from tutor.auth.consent_guard import TUTORING
from tutor.auth.guards import requires_roles
from tutor.auth.principal import Principal
from tutor.errors import UnprocessableError
from tutor.privacy.rate_limits import MODEL_ROUTE
from tutor.recognition.runtime import recognition_runtime
from tutor.recognition.schemas import FormulaJsonIn, RecognitionOut, RecognitionQualityOut
from tutor.recognition.services import quality_by_engine, store_recognition
from tutor.recognition.work import Recognised, recognise_formula, recognise_speech

__all__ = ["RecognitionController"]

Req = Request[Principal, Any, Any]
log = structlog.get_logger(__name__)


async def _upload(request: Req, field: str = "file") -> tuple[bytes, dict[str, Any]]:
    """The bytes of multipart field ``field`` plus the other (text) fields."""
    form = await request.form()
    upload = form.get(field)
    if not isinstance(upload, UploadFile):
        raise UnprocessableError(f"Attach the file in a multipart field named '{field}'.", field=field)
    data = await upload.read()
    others = {k: v for k, v in form.items() if k != field and isinstance(v, str)}
    return data, others


def _from_base64(raw: bytes) -> bytes:
    try:
        body = msgspec.json.decode(raw, type=FormulaJsonIn)
    except msgspec.DecodeError as exc:
        raise UnprocessableError(f"Invalid JSON body: {exc}", field="image_base64") from None
    text = body.image_base64
    if text.startswith("data:"):
        text = text.partition(",")[2]
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise UnprocessableError("image_base64 is not valid base64.", field="image_base64") from None


async def _store(
    db_session: AsyncSession, principal: Principal, kind: str, out: Recognised, started: float
) -> RecognitionOut:
    # operational facts only: never the text, the media or who sent it (learners are minors)
    log.info(
        "recognition",
        kind=kind,
        engine=out.engine,
        confidence=round(out.confidence, 3),
        parseable=out.parseable,
        empty=not out.text,
        ms=round((time.perf_counter() - started) * 1000),
    )
    row = await store_recognition(
        db_session,
        principal,
        kind=kind,
        engine=out.engine,
        text=out.text,
        confidence=out.confidence,
        parseable=out.parseable,
        language=out.language,
    )
    await record_recognition(
        db_session,
        principal,
        recognition_id=row.id,
        kind=kind,
        engine=out.engine,
        text=out.text,
        confidence=row.confidence,
        parseable=out.parseable,
        language=out.language,
    )
    return RecognitionOut(
        id=row.id,
        kind="speech" if kind == "speech" else "handwriting",
        text=out.text,
        confidence=row.confidence,
        parseable=out.parseable,
        engine=out.engine,
        language=out.language,
    )


class RecognitionController(Controller):
    opt = dict(TUTORING)  # a student needs guardian consent for tutoring (tutor.auth.consent_guard)
    path = "/v1"
    tags = ("recognition",)

    @post(
        "/recognize/formula",
        opt=MODEL_ROUTE,
        summary="Read a handwritten formula (pix2tex)",
        description=(
            "Send a PNG, JPEG or WebP picture from the handwriting pad, either as multipart field `file` or "
            'as JSON `{"image_base64": "..."}` (a `data:` URL is fine). At most 5 MB and 4 megapixels. '
            "Returns the LaTeX for the learner to confirm, its confidence, and whether the math engine can "
            "parse it. 503 when formula recognition is not configured or busy."
        ),
    )
    async def recognize_formula(self, request: Req, db_session: AsyncSession) -> RecognitionOut:
        started = time.perf_counter()
        runtime = recognition_runtime(request.app.state)
        runtime.formula.ensure_configured()
        if request.headers.get("content-type", "").startswith("multipart/"):
            data, _ = await _upload(request)
        else:
            data = _from_base64(await request.body())
        out = await runtime.formula_pool.run(recognise_formula, runtime.formula, data, runtime.limits)
        return await _store(db_session, request.user, "handwriting", out, started)

    @post(
        "/recognize/speech",
        opt=MODEL_ROUTE,
        summary="Transcribe a spoken question (whisper)",
        description=(
            "Send the recording as multipart field `file` (WAV, MP3, M4A, OGG/Opus or WebM; at most 60 s "
            "and 10 MB) and optionally `language` (`zh` or `en`; detected when absent). Silence or noise "
            "gives an empty text. The audio is never stored. 503 when speech recognition is not configured "
            "or busy."
        ),
    )
    async def recognize_speech(self, request: Req, db_session: AsyncSession) -> RecognitionOut:
        started = time.perf_counter()
        runtime = recognition_runtime(request.app.state)
        runtime.speech.ensure_configured()
        if not request.headers.get("content-type", "").startswith("multipart/"):
            raise UnprocessableError("Send the recording as multipart/form-data in a field named 'file'.")
        data, fields = await _upload(request)
        language = runtime.speech.check_language(fields.get("language"))
        out = await runtime.speech_pool.run(recognise_speech, runtime.speech, data, runtime.limits, language)
        return await _store(db_session, request.user, "speech", out, started)

    @get(
        "/admin/recognition-quality",
        summary="How often learners correct each recognition engine",
        guards=[requires_roles("admin")],
    )
    async def quality(self, request: Req, db_session: AsyncSession) -> RecognitionQualityOut:
        engines = await quality_by_engine(db_session, request.user.school_id)
        return RecognitionQualityOut(engines=engines)
