"""OpenAPI request bodies of the upload routes, which read their body themselves (multipart or JSON).

Litestar documents a body from a typed ``data`` argument; these routes accept several media types
on one path, so their operations declare the bodies explicitly here.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema

from adapters.formula.strokes import StrokeLimits

__all__ = ["FormulaUploadOperation", "SpeechUploadOperation"]

_LIMITS = StrokeLimits()
_BINARY = Schema(type=OpenAPIType.STRING, format="binary")  # type: ignore[arg-type]
_LANGUAGE = Schema(
    type=OpenAPIType.STRING, enum=["zh", "en"], description="Spoken language; detected when absent."
)
_POINT = Schema(
    type=OpenAPIType.ARRAY,
    items=Schema(type=OpenAPIType.NUMBER),
    min_items=2,
    max_items=4,
    description="[x, y] in pad units (y grows downwards); a third/fourth value (time, pressure) is ignored.",
)
_STROKES = Schema(
    type=OpenAPIType.ARRAY,
    max_items=_LIMITS.max_strokes,
    description=f"Pen strokes in drawing order; at most {_LIMITS.max_strokes} strokes and "
    f"{_LIMITS.max_points} points in all.",
    items=Schema(
        type=OpenAPIType.OBJECT,
        required=["points"],
        properties={"points": Schema(type=OpenAPIType.ARRAY, items=_POINT, min_items=1)},
    ),
)
_FORMULA_JSON = Schema(
    one_of=[
        Schema(
            type=OpenAPIType.OBJECT,
            required=["image_base64"],
            properties={
                "image_base64": Schema(
                    type=OpenAPIType.STRING, description="PNG/JPEG/WebP as base64 or a data: URL."
                )
            },
        ),
        Schema(type=OpenAPIType.OBJECT, required=["strokes"], properties={"strokes": _STROKES}),
        Schema(
            type=OpenAPIType.OBJECT,
            required=["inkml"],
            properties={"inkml": Schema(type=OpenAPIType.STRING, description="An InkML <ink> document.")},
        ),
    ]
)


def _formula_body() -> RequestBody:
    return RequestBody(
        required=True,
        description="A pad picture, the pad's pen strokes, or an InkML document (exactly one).",
        content={
            "multipart/form-data": OpenAPIMediaType(
                schema=Schema(
                    type=OpenAPIType.OBJECT,
                    required=["file"],
                    properties={
                        "file": Schema(
                            type=OpenAPIType.STRING,
                            format="binary",  # type: ignore[arg-type]
                            description="PNG, JPEG or WebP (at most 5 MB, 4 megapixels), or an .inkml file "
                            "(content type application/inkml+xml).",
                        )
                    },
                )
            ),
            "application/json": OpenAPIMediaType(schema=_FORMULA_JSON),
            "application/inkml+xml": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING)),
        },
    )


def _speech_body() -> RequestBody:
    return RequestBody(
        required=True,
        description="The recording (WAV, MP3, M4A, OGG/Opus or WebM; at most 60 s and 10 MB).",
        content={
            "multipart/form-data": OpenAPIMediaType(
                schema=Schema(
                    type=OpenAPIType.OBJECT,
                    required=["file"],
                    properties={"file": _BINARY, "language": _LANGUAGE},
                )
            )
        },
    )


@dataclass
class FormulaUploadOperation(Operation):
    def __post_init__(self) -> None:
        self.request_body = _formula_body()


@dataclass
class SpeechUploadOperation(Operation):
    def __post_init__(self) -> None:
        self.request_body = _speech_body()
