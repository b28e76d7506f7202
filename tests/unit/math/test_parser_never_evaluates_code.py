"""The plain-text parser never evaluates attribute access or method calls (issue 13, guard at the input)."""

from __future__ import annotations

import pytest

from tutor.errors import UnprocessableError
from tutor.math.parsing import parse_math


@pytest.mark.parametrize("text", ["pi.n(10^6)", "pi.n(10)", "E.evalf(100)", "x . subs(x, 2)", "(1/3).n(50)"])
def test_attribute_access_and_method_calls_are_refused(text: str) -> None:
    with pytest.raises(UnprocessableError, match="attribute access"):
        parse_math(text)


@pytest.mark.parametrize("text", ["2.5x + 1 = 6", "0.5", "3.14 * r^2", "x = 1.5"])
def test_decimals_still_parse(text: str) -> None:
    assert parse_math(text).items
