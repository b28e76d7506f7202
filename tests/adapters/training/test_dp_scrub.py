"""The scrubber removes personal data and leaves the math intact."""

from __future__ import annotations

from adapters.training.dataset import BelleExample
from adapters.training.scrub import Scrubber


def test_removes_known_names_ids_contacts() -> None:
    scrubber = Scrubber.for_names(["张小明", "Anna Lee", "anna_k12"])
    text = (
        "张小明说：我的账号是anna_k12，邮箱 anna.lee@school.cn，电话 138-1234-5678，"
        "学号 3f2b8c1e-1111-4a2b-9c3d-aabbccddeeff，身份证 11010519491231002X，找 @anna_k12 或 Anna Lee。"
    )
    out = scrubber.scrub(text)
    for secret in ("张小明", "anna_k12", "anna.lee", "1234", "3f2b8c1e", "11010519491231002X", "Anna Lee"):
        assert secret not in out
    assert out.count("[NAME]") == 3  # 张小明, anna_k12 (as text), Anna Lee
    assert "[EMAIL]" in out and "[PHONE]" in out and "[ID]" in out


def test_international_phone_and_urls() -> None:
    out = Scrubber().scrub("call +44 20 7946 0958 or see https://example.com/u?id=42")
    assert out == "call [PHONE] or see [URL]"


def test_math_is_untouched() -> None:
    math = "计算 123456 + 7 = 123463，x^2 - 5x + 6 = 0 的解是 x=2 或 x=3；3.14159265358979 ≈ π"
    assert Scrubber.for_names(["李雷"]).scrub(math) == math


def test_latin_names_only_as_whole_words_and_short_names_ignored() -> None:
    scrubber = Scrubber.for_names(["Anna", "明"])
    assert scrubber.scrub("Annabel and anna; 明天") == "Annabel and [NAME]; 明天"


def test_scrub_example_covers_every_field() -> None:
    example = BelleExample(instruction="王芳的问题", input="王芳: 1+1", output="王芳，答案是2")
    clean = Scrubber.for_names(["王芳"]).scrub_example(example)
    assert "王芳" not in clean.instruction + clean.input + clean.output
    assert clean.output == "[NAME]，答案是2"
