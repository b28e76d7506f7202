"""Pen strokes from a handwriting pad (JSON points or InkML) rendered to the picture pix2tex reads.

A pad sends where the pen went, not pixels. We draw it the way pix2tex's training formulas look:
dark ink on white, anti-aliased lines of even width, scaled so a typical character is about
``char_height`` pixels tall (the size of rendered formulas in its training data), with a margin; the
usual pad normalisation (``prepare_handwriting``: crop, size range, sides divisible by 32) follows.
Sizes are bounded before anything is drawn.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw

from tutor.errors import PayloadTooLargeError, UnprocessableError

__all__ = ["RenderSpec", "Stroke", "StrokeLimits", "parse_inkml", "render_strokes", "strokes_from_points"]

Stroke = list[tuple[float, float]]

_INKML_NS = "{http://www.w3.org/2003/InkML}"
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


@dataclass(frozen=True, slots=True)
class StrokeLimits:
    """At most ``max_strokes`` strokes and ``max_points`` points in all; coordinates finite and within
    ``max_coordinate`` (pads report pixels or 0.01 mm units)."""

    max_strokes: int = 300
    max_points: int = 20_000
    max_coordinate: float = 1e6
    max_inkml_chars: int = 2_000_000


@dataclass(frozen=True, slots=True)
class RenderSpec:
    char_height: float = 28.0
    """Median stroke height after scaling: about one character of pix2tex's rendered formulas."""
    line_width: float = 3.0
    supersample: int = 4
    margin: int = 12
    max_side: int = 2400
    """Largest drawn side before ``prepare_handwriting`` shrinks it into the model's range."""


def strokes_from_points(
    raw: Sequence[Sequence[Sequence[float]]], limits: StrokeLimits | None = None
) -> list[Stroke]:
    """Validate ``[[[x, y, ...], ...], ...]`` (extra channels such as time or pressure are ignored)."""
    limits = limits or StrokeLimits()
    if not raw:
        raise UnprocessableError("Draw the formula first: no strokes were sent.", field="strokes")
    if len(raw) > limits.max_strokes:
        raise PayloadTooLargeError(
            f"The drawing has more than {limits.max_strokes} strokes; please clear the pad and write less.",
            max_strokes=limits.max_strokes,
        )
    strokes: list[Stroke] = []
    total = 0
    for index, points in enumerate(raw):
        total += len(points)
        if total > limits.max_points:
            raise PayloadTooLargeError(
                f"The drawing has more than {limits.max_points} points; please write less at once.",
                max_points=limits.max_points,
            )
        stroke: Stroke = []
        for point in points:
            if len(point) < 2:
                raise UnprocessableError(
                    f"Stroke {index + 1} has a point without both x and y.", field="strokes"
                )
            x, y = float(point[0]), float(point[1])
            if not (math.isfinite(x) and math.isfinite(y)) or max(abs(x), abs(y)) > limits.max_coordinate:
                raise UnprocessableError(
                    f"Stroke {index + 1} has a point outside the drawing area.", field="strokes"
                )
            stroke.append((x, y))
        if stroke:
            strokes.append(stroke)
    if not strokes:
        raise UnprocessableError("Draw the formula first: the strokes have no points.", field="strokes")
    return strokes


def parse_inkml(text: str, limits: StrokeLimits | None = None) -> list[Stroke]:
    """The ``<trace>`` elements of an InkML document, in document order, as strokes.

    Parsed with defusedxml (no entities, no external references). Each trace is a comma-separated
    list of points whose first two channels are X and Y; InkML's difference-encoded values (``'``
    first, ``"`` second differences) are decoded as the standard describes.
    """
    limits = limits or StrokeLimits()
    if len(text) > limits.max_inkml_chars:
        raise PayloadTooLargeError(
            f"The InkML document is longer than {limits.max_inkml_chars} characters.",
            max_chars=limits.max_inkml_chars,
        )
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        root = ElementTree.fromstring(text)
    except (ElementTree.ParseError, DefusedXmlException, ValueError):
        raise UnprocessableError("The InkML document is not well-formed XML.", field="inkml") from None
    if root.tag not in (f"{_INKML_NS}ink", "ink"):
        raise UnprocessableError("The document is not InkML: its root element must be <ink>.", field="inkml")
    traces = [el for el in root.iter() if el.tag in (f"{_INKML_NS}trace", "trace")]
    if len(traces) > limits.max_strokes:
        raise PayloadTooLargeError(
            f"The drawing has more than {limits.max_strokes} strokes; please clear the pad and write less.",
            max_strokes=limits.max_strokes,
        )
    raw: list[list[tuple[float, float]]] = []
    budget = limits.max_points
    for index, trace in enumerate(traces):
        points = _trace_points(trace.text or "", index, budget)
        budget -= len(points)
        raw.append(points)
    return strokes_from_points(raw, limits)


def _trace_points(body: str, index: int, budget: int) -> list[tuple[float, float]]:
    """Decode one trace: explicit values, or ``'``/``"`` difference-encoded ones (per channel)."""
    points: list[tuple[float, float]] = []
    value = [0.0, 0.0]
    velocity = [0.0, 0.0]
    mode = ["!", "!"]
    for chunk in body.split(","):
        if not chunk.strip():
            continue
        if len(points) >= budget:
            raise PayloadTooLargeError("The drawing has too many points; please write less at once.")
        channel = 0
        for match in re.finditer(r"([!'\"]?)\s*(" + _NUMBER.pattern + ")", chunk):
            if channel >= 2:
                break  # time, pressure, ... are not drawn
            prefix, number = match.group(1), float(match.group(2))
            if prefix:
                mode[channel] = prefix
            if mode[channel] == "'":
                velocity[channel] = number
                value[channel] += number
            elif mode[channel] == '"':
                velocity[channel] += number
                value[channel] += velocity[channel]
            else:
                value[channel] = number
                velocity[channel] = 0.0
            channel += 1
        if channel < 2:
            raise UnprocessableError(f"Trace {index + 1} has a point without both X and Y.", field="inkml")
        points.append((value[0], value[1]))
    return points


def render_strokes(strokes: Sequence[Stroke], spec: RenderSpec | None = None) -> Image.Image:
    """Draw the strokes black on white (mode ``L``), scaled to pix2tex's character size."""
    spec = spec or RenderSpec()
    xs = [x for stroke in strokes for x, _ in stroke]
    ys = [y for stroke in strokes for _, y in stroke]
    min_x, min_y = min(xs), min(ys)
    width, height = max(xs) - min_x, max(ys) - min_y
    heights = sorted(max(y for _, y in s) - min(y for _, y in s) for s in strokes)
    typical = heights[len(heights) // 2] or max(height, width, 1.0)
    scale = spec.char_height / typical
    # a wide drawing of short strokes (or one long line) must still fit the canvas
    scale = min(scale, (spec.max_side - 2 * spec.margin) / max(width, height, 1e-9))
    if width * scale < 1 and height * scale < 1:
        scale = spec.char_height / max(width, height, 1.0)  # a dot or a tiny scribble: enlarge it
    factor = spec.supersample
    size = (
        math.ceil(width * scale) + 2 * spec.margin,
        math.ceil(height * scale) + 2 * spec.margin,
    )
    canvas = Image.new("L", (size[0] * factor, size[1] * factor), 255)
    draw = ImageDraw.Draw(canvas)
    line = max(1, round(spec.line_width * factor))
    radius = line / 2

    def place(point: tuple[float, float]) -> tuple[float, float]:
        return (
            ((point[0] - min_x) * scale + spec.margin) * factor,
            ((point[1] - min_y) * scale + spec.margin) * factor,
        )

    for stroke in strokes:
        placed = [place(p) for p in stroke]
        if len(placed) > 1:
            draw.line(placed, fill=0, width=line, joint="curve")
        for x, y in (placed[0], placed[-1]) if len(placed) > 1 else placed:  # round caps, and dots
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=0)
    return canvas.resize(size, Image.Resampling.LANCZOS)
