"""Pen strokes and InkML become the picture pix2tex expects; sizes are bounded; bad ink is a clear 4xx."""

from __future__ import annotations

import numpy as np
import pytest

from adapters.formula import PadSpec, prepare_handwriting
from adapters.formula.strokes import (
    RenderSpec,
    StrokeLimits,
    parse_inkml,
    render_strokes,
    strokes_from_points,
)
from tests.fixtures.strokes import formula_strokes, inkml_document
from tutor.errors import PayloadTooLargeError, UnprocessableError


@pytest.mark.parametrize("scale", [0.2, 1.0, 8.0], ids=["small-pad", "phone", "4k-tablet"])
def test_any_pad_size_renders_at_the_same_character_height(scale: float) -> None:
    image = render_strokes(strokes_from_points(formula_strokes(scale)))
    pixels = np.asarray(image)
    assert image.mode == "L" and pixels.max() == 255 and pixels.min() < 40  # dark ink on white
    ink_rows = np.flatnonzero((pixels < 128).any(axis=1))
    # strokes one "character" tall are drawn ~28 px tall whatever the pad's resolution
    assert 26 <= ink_rows[-1] - ink_rows[0] <= 34
    border = np.concatenate([pixels[:8].ravel(), pixels[-8:].ravel(), pixels[:, :8].ravel()])
    assert border.min() == 255  # the margin is empty


def test_lines_have_the_configured_width() -> None:
    vertical = [[[100.0, 0.0], [100.0, 500.0]], [[0.0, 0.0], [0.1, 0.0]]]
    image = render_strokes(strokes_from_points(vertical), RenderSpec(char_height=200, line_width=4))
    row = np.asarray(image)[image.height // 2]
    assert 3 <= int((row < 128).sum()) <= 5


def test_rendered_strokes_fit_pix2tex_input_range() -> None:
    spec = PadSpec(max_size=(672, 192), min_size=(32, 32))
    for strokes in (formula_strokes(1.0), [[[0.0, 0.0], [4000.0, 10.0]]], [[[5.0, 5.0]]]):
        prepared = prepare_handwriting(render_strokes(strokes_from_points(strokes)), spec)
        assert prepared.width % 32 == 0 and prepared.height % 32 == 0
        assert 32 <= prepared.width <= 672 and 32 <= prepared.height <= 192


def test_inkml_with_and_without_namespace_matches_the_points() -> None:
    strokes = formula_strokes()
    for namespaced in (True, False):
        parsed = parse_inkml(inkml_document(strokes, namespaced=namespaced))
        assert len(parsed) == len(strokes)
        assert parsed[0][0] == pytest.approx(tuple(strokes[0][0]), abs=0.06)  # time channel ignored


def test_inkml_difference_encoding_is_decoded() -> None:
    # explicit 10 10, then first differences +5 0 twice, then second differences (velocity grows)
    doc = "<ink><trace>10 10, '5 '0, 5 0, \"1 \"0, 1 0</trace></ink>"
    (stroke,) = parse_inkml(doc)
    assert [p[0] for p in stroke] == [10.0, 15.0, 20.0, 26.0, 33.0]
    assert all(p[1] == 10.0 for p in stroke)


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        ("<ink><trace>1 2, 3", "well-formed"),
        ("<svg><path d='M0 0'/></svg>", "root element must be <ink>"),
        ("<ink><trace>1, 2</trace></ink>", "without both X and Y"),
        (
            '<!DOCTYPE ink [<!ENTITY x SYSTEM "file:///etc/passwd">]><ink><trace>&x;</trace></ink>',
            "well-formed",
        ),
        (
            '<!DOCTYPE ink [<!ENTITY a "1 1,"><!ENTITY b "&a;&a;&a;&a;&a;">]><ink><trace>&b;</trace></ink>',
            "well-formed",
        ),
        ("<ink></ink>", "no strokes"),
    ],
    ids=["truncated", "not-inkml", "one-channel", "external-entity", "entity-expansion", "empty"],
)
def test_bad_inkml_is_422(doc: str, words: str) -> None:
    with pytest.raises(UnprocessableError) as info:
        parse_inkml(doc)
    assert words in info.value.message


def test_limits_on_strokes_and_points_are_413() -> None:
    limits = StrokeLimits(max_strokes=5, max_points=50)
    with pytest.raises(PayloadTooLargeError, match="more than 5 strokes"):
        strokes_from_points([[[0.0, 0.0]]] * 6, limits)
    with pytest.raises(PayloadTooLargeError, match="more than 50 points"):
        strokes_from_points([[[0.0, float(i)] for i in range(30)]] * 2, limits)
    with pytest.raises(PayloadTooLargeError):
        parse_inkml("<ink>" + "<trace>1 1</trace>" * 6 + "</ink>", limits)


@pytest.mark.parametrize(
    "raw",
    [[], [[]], [[[1.0]]], [[[float("nan"), 1.0]]], [[[1e9, 1.0]]]],
    ids=["no-strokes", "no-points", "one-coordinate", "nan", "far-away"],
)
def test_bad_points_are_422(raw: list[list[list[float]]]) -> None:
    with pytest.raises(UnprocessableError):
        strokes_from_points(raw)
