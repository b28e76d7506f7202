"""Read spoken or written zh/en math phrasing into the engine's plain input.

``x squared minus 7x plus 12`` -> ``x^2-7x+12``; ``二x加三等于十一`` -> ``2x+3=11``; ``四分之三`` ->
``3/4``; ``某数的3倍加上7等于22，求这个数`` -> ``solve 3*(x)+7=22``. Every word is looked up in the one
vocabulary (:mod:`tutor.math.vocabulary`); a word that is not there is an
:class:`~tutor.errors.UnprocessableError` naming it (in zh and en), never dropped. Adjacent numbers
never multiply: ``2 3`` and ``two three`` are refused.

Two modes: strict (problems, :func:`spoken_to_math`) refuses any unknown word; lenient (a learner's or
a model's answer sentence, :func:`read_answer_text`) treats unknown words as prose around the math and
keeps the math only when exactly one piece of it remains. Words that change the meaning (不, not,
约, about ...) are refused in both modes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from tutor.errors import UnprocessableError
from tutor.math.normalize import normalize_text
from tutor.math.vocabulary import (
    EN_ORDINAL_POWERS,
    EN_PHRASES,
    EN_UNIT_WORDS,
    ZH_BIG_UNITS,
    ZH_DIGITS,
    ZH_PHRASES,
    ZH_UNITS,
    Word,
)

__all__ = ["ProseReading", "has_prose", "read_answer_text", "read_prose", "spoken_to_math"]

MAX_CHARS = 2000
_FUNCS = {"sin", "cos", "tan", "ln", "log", "exp", "sqrt", "abs", "lg"}
_CONSTANTS = {"pi": "pi", "oo": "oo", "inf": "oo", "infty": "oo", "infinity": "oo"}
_ZH_NUM_CHARS = set(ZH_DIGITS) | set(ZH_UNITS) | set(ZH_BIG_UNITS)
_ZH_MAX = max(len(p) for p in ZH_PHRASES)
_EN_BY_FIRST: dict[str, list[tuple[tuple[str, ...], Word]]] = {}
for _phrase, _word in EN_PHRASES.items():
    _words = tuple(_phrase.split())
    _EN_BY_FIRST.setdefault(_words[0], []).append((_words, _word))
for _options in _EN_BY_FIRST.values():
    _options.sort(key=lambda o: -len(o[0]))
_EN_UNITS = set(EN_UNIT_WORDS)
_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")  # what's, isn't; but f'(x) is f and a prime
_ZH_MARKERS = [
    "答案是",
    "答案为",
    "答案",
    "答",
    "解得",
    "可得",
    "求得",
    "移项得",
    "合并得",
    "化简得",
    "整理得",
    "所以",
    "因此",
    "于是",
    "故",
    "即",
    "解",
    "得出",
    "结果是",
    "结果为",
]
_EN_MARKERS = ("the answer is", "answer is", "answer", "final answer", "therefore", "thus", "hence", "so")


@dataclass(frozen=True, slots=True)
class ProseReading:
    """What the reader understood: the instruction (a task name or None) and the plain math."""

    task: str | None
    math: str
    target: str | None = None
    """The unknown a 'find x' / 求这个数 asks for, when one is named."""

    def as_input(self) -> str:
        return f"{self.task} {self.math}" if self.task else self.math


def _refuse(text: str, words: list[str], reason_en: str = "", reason_zh: str = "") -> UnprocessableError:
    shown = ", ".join(f"'{w}'" for w in words)
    en = reason_en or f"The engine could not read {shown} in '{_clip(text)}'."
    zh = reason_zh or f"无法识别“{_clip(text)}”中的 {shown}。"
    if words and not all(w in en for w in words):
        en += f" (could not read {shown})"
    if words and not all(w in zh for w in words):
        zh += f"（无法识别：{shown}）"
    return UnprocessableError(
        f"Could not read the math in '{_clip(text)}': {en}", detail_zh=zh, unreadable=words, input=_clip(text)
    )


def _clip(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."


# ---------------------------------------------------------------- tokens


@dataclass(slots=True)
class _Tok:
    kind: str
    value: str = ""
    src: str = ""
    space: bool = False  # whitespace before it


def _zh_small(run: str, full: str) -> int:
    value, digit, zero_gap, last_unit = 0, None, False, 10_000
    for ch in run:
        if ch in ("零", "〇"):
            zero_gap = True
            if digit is not None:
                raise _refuse(full, [run], f"'{run}' is not a number the engine can read.")
            continue
        if ch in ZH_DIGITS:
            if digit is not None:
                raise _refuse(full, [run], f"'{run}' is ambiguous (two digits with no unit between them).")
            digit = ZH_DIGITS[ch]
            continue
        unit = ZH_UNITS[ch]
        if unit >= last_unit:
            raise _refuse(full, [run], f"'{run}' is not a number the engine can read.")
        value += (1 if digit is None else digit) * unit
        digit, last_unit, zero_gap = None, unit, False
    if digit is not None:
        if last_unit in (100, 1000) and not zero_gap:
            # 二百五 is colloquially 250, 三千二 3200: refuse rather than guess
            raise _refuse(full, [run], f"'{run}' is ambiguous; say it in full (for example 二百五十).")
        value += digit
    return value


def _zh_number(run: str, full: str) -> int:
    for big_char, big in sorted(ZH_BIG_UNITS.items(), key=lambda kv: -kv[1]):
        if big_char in run:
            head, _, tail = run.rpartition(big_char)
            if not head or head.endswith(tuple(ZH_BIG_UNITS)):
                raise _refuse(full, [run], f"'{run}' is not a number the engine can read.")
            tail_value = _zh_number(tail, full) if tail else 0
            return _zh_number(head, full) * big + tail_value
    if run and all(ch in ("零", "〇") for ch in run) and len(run) == 1:
        return 0
    if not any(ch in ZH_DIGITS or ch in ZH_UNITS for ch in run):
        raise _refuse(full, [run], f"'{run}' is not a number the engine can read.")
    return _zh_small(run, full)


def _scan_zh_number(text: str, i: int) -> tuple[str, int]:
    j = i
    while j < len(text) and text[j] in _ZH_NUM_CHARS:
        j += 1
    run = text[i:j]
    value = str(_zh_number(run, text))
    if j < len(text) and text[j] == "点" and j + 1 < len(text) and text[j + 1] in ZH_DIGITS:
        k = j + 1
        digits = ""
        while k < len(text) and text[k] in ZH_DIGITS:
            digits += str(ZH_DIGITS[text[k]])
            k += 1
        return f"{value}.{digits}", k
    return value, j


def _match_zh(text: str, i: int) -> tuple[str, Word] | None:
    for size in range(min(_ZH_MAX, len(text) - i), 0, -1):
        phrase = text[i : i + size]
        if phrase in ZH_PHRASES:
            return phrase, ZH_PHRASES[phrase]
    return None


def _match_en(words: list[tuple[str, int, int]], k: int) -> tuple[int, Word] | None:
    first = words[k][0]
    for option, word in _EN_BY_FIRST.get(first, []):
        n = len(option)
        if tuple(w for w, _, _ in words[k : k + n]) == option:
            # words of a phrase must be separated by spaces only
            return n, word
    return None


def _tokenize(text: str, full: str, lenient: bool) -> list[_Tok]:
    toks: list[_Tok] = []
    i, space = 0, False
    n = len(text)

    def add(kind: str, value: str = "", src: str = "") -> None:
        nonlocal space
        toks.append(_Tok(kind, value, src or value, space))
        space = False

    while i < n:
        ch = text[i]
        if ch.isspace():
            space, i = True, i + 1
            continue
        if ch == "\\":
            m = re.match(r"\\([a-zA-Z]+|.)", text[i:])
            cmd = m.group(0) if m else "\\"
            add("latex", cmd)
            i += len(cmd)
            continue
        if ch.isdigit():
            m = re.match(r"\d+(?:\.\d+)?", text[i:])
            assert m is not None
            add("num", m.group(0))
            i += len(m.group(0))
            continue
        if ch.isascii() and ch.isalpha():
            i = _tokenize_words(text, i, toks, add, lenient)
            continue
        if _CJK.match(ch):
            if ch in _ZH_NUM_CHARS:
                phrase = _match_zh(text, i)
                if phrase is None or len(phrase[0]) == 1:
                    value, i = _scan_zh_number(text, i)
                    add("num", value)
                    continue
            phrase = _match_zh(text, i)
            if phrase is not None:
                src, word = phrase
                if word.kind == "unit" and not (toks and toks[-1].kind == "num"):
                    word = Word("unknown")
                if src in _ZH_MARKERS and lenient:
                    word = Word("marker")
                add(word.kind, word.value, src)
                i += len(src)
                continue
            if text[i : i + 1] == "的":
                add("de", "", "的")
                i += 1
                continue
            if lenient and ch in _ZH_MARKERS:
                add("marker", "", ch)
                i += 1
                continue
            j = i + 1
            while (
                j < n and _CJK.match(text[j]) and _match_zh(text, j) is None and text[j] not in _ZH_NUM_CHARS
            ):
                j += 1
            add("unknown", "", text[i:j])
            i = j
            continue
        i += 1
        if ch in "+-*/^=<>!":
            two = text[i - 1 : i + 1]
            if two in ("<=", ">=", "!="):
                add("op", two)
                i += 1
            elif ch == "!":
                add("bang", "!")
            elif ch == "*" and text[i : i + 1] == "*":
                add("op", "^")
                i += 1
            else:
                add("op", ch)
        elif ch in "([{":
            add("lp", ch)
        elif ch in ")]}":
            add("rp", ch)
        elif ch in ",;":
            add("sep", ch)
        elif ch == ":":
            add("colon", ":")
        elif ch == "|":
            add("bar", "|")
        elif ch == "%":
            add("percent_sym", "%")
        elif ch == "?":
            add("question", "?")
        elif ch == "'":
            add("prime", "'")
        elif ch == "√":
            add("pre", "sqrt(|)", "√")
        elif ch == "_":
            add("latex", "_")
        elif ch in ".":
            add("stop", ".")
        elif ch == "&":
            add("latex", "&")
        else:
            add("unknown", "", ch)
    return toks


def _tokenize_words(text: str, i: int, toks: list[_Tok], add: Callable[..., None], lenient: bool) -> int:
    """English words from ``i``: phrases, numbers, variables; returns the new position."""
    words: list[tuple[str, int, int]] = []
    j = i
    while True:
        m = _WORD.match(text, j)
        if not m:
            break
        words.append((m.group(0).lower(), m.start(), m.end()))
        k = m.end()
        gap = re.match(r"[ \t]+", text[k:])
        if gap is None or not _WORD.match(text, k + len(gap.group(0))):
            break
        j = k + len(gap.group(0))
    emit = add
    k = 0
    while k < len(words):
        word, start, end = words[k]
        raw = text[start:end]
        before = text[start - 1] if start > 0 else " "
        after = text[end] if end < len(text) else " "
        formula = (not before.isspace() and not before.isalpha()) or (
            not after.isspace() and after not in ".,?"
        )
        sub = re.match(r"_(\{\d+\}|\d+)|(\d)(?=\s*(?:=(?!=)|,))", text[end:])
        if len(raw) == 1 and sub is not None:
            emit("var", raw + "_" + (sub.group(1) or sub.group(2)).strip("{}"))
            return end + len(sub.group(0))
        matched = None if (formula and len(raw) <= 3 and word not in ("a", "an")) else _match_en(words, k)
        if matched is not None:
            size, meaning = matched
            src = text[start : words[k + size - 1][2]]
            emit(meaning.kind, meaning.value, src)
            k += size
            continue
        if word in _CONSTANTS:
            emit("var", _CONSTANTS[word], raw)
        elif word in _FUNCS:
            emit("func", word)
        elif word in _EN_UNITS and toks and toks[-1].kind == "num":
            emit("unit", "", raw)
        elif len(raw) == 1:
            emit("var", raw)
        elif formula and len(raw) <= 3 and raw.isalpha():
            for letter in raw:
                emit("var", letter)
        else:
            found = _match_en(words, k)
            if found is not None:
                size, meaning = found
                emit(meaning.kind, meaning.value, text[start : words[k + size - 1][2]])
                k += size
                continue
            emit("unknown", "", raw)
        k += 1
    return words[-1][2] if words else i + 1


def _merge_english_numbers(toks: list[_Tok], full: str) -> list[_Tok]:
    """``twenty one`` -> 21, ``one hundred and five`` -> 105, ``three point one four`` -> 3.14,
    ``three quarters`` -> 3/4; two numbers in a row are refused."""
    out: list[_Tok] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.kind == "article" and i + 1 < len(toks) and toks[i + 1].kind in ("en_scale", "en_den"):
            toks[i] = t = _Tok("en_num", "1", t.src, t.space)
        if t.kind in ("en_num", "en_scale"):
            total, current, last_small, src = 0, 0, None, []
            j = i
            while j < len(toks) and toks[j].kind in ("en_num", "en_scale", "and"):
                tj = toks[j]
                if tj.kind == "and":
                    if not (
                        current % 100 == 0
                        and current > 0
                        and j + 1 < len(toks)
                        and toks[j + 1].kind == "en_num"
                    ):
                        break
                    j += 1
                    continue
                v = int(tj.value)
                if tj.kind == "en_num":
                    if last_small is not None and (v >= 10 or last_small % 10 != 0 or last_small < 20):
                        raise _refuse(
                            full,
                            [" ".join(s for s in [*src, tj.src])],
                            "two numbers in a row; say the operation between them.",
                            "两个数连在一起，请说出它们之间的运算。",
                        )
                    current += v
                    last_small = v if last_small is None else last_small + v
                else:
                    if current == 0 and v != 100:
                        current = 1
                    if v == 100:
                        current = (current or 1) * 100
                    else:
                        total += current * v
                        current = 0
                    last_small = None
                src.append(tj.src)
                j += 1
            value = str(total + current)
            if j + 1 < len(toks) and toks[j].kind == "point" and toks[j + 1].kind == "en_num":
                value, j = _decimal_words(value, toks, j + 1)
            out.append(_Tok("num", value, " ".join(src), t.space))
            i = j
            continue
        if t.kind == "point" and i + 1 < len(toks) and toks[i + 1].kind == "en_num":
            value, i = _decimal_words("0", toks, i + 1)
            out.append(_Tok("num", value, "point", t.space))
            continue
        out.append(t)
        i += 1
    return out


def _decimal_words(whole: str, toks: list[_Tok], j: int) -> tuple[str, int]:
    digits = ""
    while j < len(toks) and toks[j].kind == "en_num" and int(toks[j].value) < 10:
        digits += toks[j].value
        j += 1
    return f"{whole}.{digits}", j


# ---------------------------------------------------------------- building the plain math


@dataclass(slots=True)
class _Pending:
    depth: int
    template: str  # ``open|close`` around the operand
    start: int
    needs_join: str = ""  # for "the sum of A and B": the operator "and" stands for
    joined: bool = False
    has_atom: bool = False


@dataclass
class _Builder:
    full: str
    lenient: bool
    out: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    depth: int = 0
    opens: list[int] = field(default_factory=list)
    side_start: list[int] = field(default_factory=lambda: [0])
    last_atom: tuple[int, int] | None = None
    pending: list[_Pending] = field(default_factory=list)
    task: str | None = None
    find_at: int | None = None
    unknown: list[str] = field(default_factory=list)
    gaps: list[int] = field(default_factory=list)
    bar_open: list[bool] = field(default_factory=lambda: [False])

    # -- helpers
    @property
    def prev(self) -> str:
        return self.kinds[-1] if self.kinds else "start"

    def push(self, text: str, kind: str) -> None:
        self.out.append(text)
        self.kinds.append(kind)

    def begin_atom(self, text: str, kind: str, sep_space: bool) -> None:
        """Append an operand, deciding how it meets the previous one (never number-number)."""
        prev = self.prev
        if prev in ("num", "var", "atom", "rp"):
            if kind == "num" and prev == "var":
                left = self.out[-1]
                raise _refuse(
                    self.full,
                    [f"{left}{text}"],
                    f"a number right after a letter ('{left}{text}'); write {left}*{text}, {left}^{text} "
                    f"or {left}_{text}.",
                    f"字母后直接跟数字（“{left}{text}”），"
                    f"请写成 {left}*{text}、{left}^{text} 或 {left}_{text}。",
                )
            if kind == "num" and prev in ("num", "rp", "atom"):
                left = self.out[-1]
                raise _refuse(
                    self.full,
                    [f"{left} {text}"],
                    f"two numbers in a row ('{left} {text}'); write the operation between them.",
                    f"两个数连在一起（“{left} {text}”），请写出它们之间的运算符号。",
                )
            if kind == "var" and prev in ("var", "atom", "rp"):
                if "\\" in self.full:  # LaTeX reads "d x", "x y" itself; a "*" would break \frac{d}{dx}
                    text = " " + text
                else:
                    self.push("*", "op")
        start = len(self.out)
        self.push(text, kind)
        self.last_atom = (start, len(self.out))
        for p in self.pending:
            if p.depth == self.depth:
                p.has_atom = True

    def flush(self) -> None:
        """Close prefix operators whose operand is complete (called before a non-postfix token)."""
        while self.pending and self.pending[-1].depth == self.depth and self.pending[-1].has_atom:
            p = self.pending[-1]
            if p.needs_join and not p.joined:
                return
            self.pending.pop()
            opening, close = p.template.split("|", 1)
            inner = "".join(self.out[p.start :])
            if opening == "(" and close.startswith(")") and _simple(inner):
                opening, close = "", close[1:]
            self._replace(p.start, len(self.out), opening + inner + close)

    def _replace(self, s: int, e: int, text: str) -> None:
        self.out[s:e] = [text]
        self.kinds[s:e] = ["atom"]
        self.last_atom = (s, s + 1)

    def atom_text(self) -> tuple[int, int, str]:
        if self.last_atom is None or self.prev not in ("num", "var", "atom", "rp"):
            raise _refuse(
                self.full, [], "a word such as 'squared' or 的平方 needs a number or letter before it."
            )
        s, e = self.last_atom
        return s, e, "".join(self.out[s:e])

    def postfix(self, template: str) -> None:
        s, e, atom = self.atom_text()
        simple = re.fullmatch(r"[A-Za-z](?:_\d+)?|\d+(?:\.\d+)?|\(.*\)", atom) is not None
        wrapped = atom if simple and _balanced_group(atom) else f"({atom})"
        text = template.replace("<>", wrapped).replace("{}", atom)
        self._replace(s, e, text)

    def boundary(self, text: str) -> None:
        self.flush()
        self.push(text, "op" if text not in (",",) else "sep")
        if len(self.side_start) > self.depth:
            self.side_start[self.depth] = len(self.out)
        self.last_atom = None

    def side_group(self) -> None:
        """Bracket everything on the current side (的和, 后)."""
        self.flush()
        s = self.side_start[self.depth]
        if s >= len(self.out):
            raise _refuse(self.full, [], "a grouping word (的和, 后 ...) has nothing before it.")
        self._replace(s, len(self.out), "(" + "".join(self.out[s:]) + ")")

    def side_is_bare_number(self) -> bool:
        s = self.side_start[self.depth]
        return self.kinds[s:] in (["num"], ["op", "num"]) or (
            len(self.kinds[s:]) == 1 and re.fullmatch(r"\(\d+/\d+\)", self.out[-1]) is not None
        )


def _simple(text: str) -> bool:
    return re.fullmatch(r"[A-Za-z](?:_\d+)?|\d+(?:\.\d+)?", text) is not None


def _balanced_group(text: str) -> bool:
    if not text.startswith("("):
        return True
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and i < len(text) - 1:
            return False
    return True


def _build(toks: list[_Tok], full: str, lenient: bool) -> _Builder:
    b = _Builder(full, lenient)
    i = 0
    while i < len(toks):
        t = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        k = t.kind
        if (
            k
            not in (
                "post",
                "times_post",
                "percent_sym",
                "percent_en",
                "percent_of",
                "bang",
                "prime",
                "de",
                "power_ord",
            )
            and k != "rp"
        ):
            b.flush()
        if k == "num":
            b.begin_atom(t.value, "num", t.space)
            if nxt is not None and nxt.kind == "en_den":
                s, _, _ = b.atom_text()
                b._replace(s, len(b.out), f"({t.value}/{nxt.value})")
                i += 1
        elif k == "var":
            b.begin_atom(t.value, "var", t.space)
        elif k == "func":
            if nxt is not None and nxt.kind == "lp":
                b.begin_atom(t.value, "func", t.space)
                b.kinds[-1] = "func"
            else:
                _open_prefix(b, f"{t.value}(|)")
        elif k == "latex":
            b.push(t.value + (" " if re.fullmatch(r"\\[a-zA-Z]+", t.value) else ""), "latex")
            b.last_atom = None
        elif k == "op":
            if t.value == "-" and b.prev in ("start", "op", "sep", "lp", "latex"):
                b.push("-", "neg")
            elif t.value in ("=", "<", ">", "<=", ">=", "!="):
                b.boundary(t.value)
            else:
                if b.prev in ("start", "op", "sep", "lp", "neg") and t.value != "+":
                    raise _refuse(full, [t.src], f"'{t.src}' needs something before it.")
                if b.prev in ("start", "sep", "lp", "op", "neg") and t.value == "+":
                    i += 1
                    continue
                b.push(t.value, "op")
                b.last_atom = None
        elif k == "bare_rel":
            if b.side_is_bare_number():
                raise _refuse(
                    full,
                    [t.src],
                    f"'{t.src}' after a number is ambiguous (a comparison or 'added to'); say 'is {t.src}'.",
                    f"“{t.src}”在数字后有歧义，请说“is {t.src}”。",
                )
            b.boundary(t.value)
        elif k == "is":
            if b.prev == "op" and b.out and b.out[-1] in ("=", "<", ">", "<=", ">=", "!="):
                pass  # 至少是 4, "is equal to"
            elif (
                nxt is not None
                and nxt.kind in ("question", "op")
                and (nxt.kind == "question" or nxt.value in ("=", "<", ">", "<=", ">=", "!="))
            ):
                pass
            elif b.prev in ("start", "sep") or b.find_at == len(b.out):
                pass  # "是" at the start of an answer: 是 5
            else:
                b.boundary("=")
        elif k == "neg":
            if b.prev in ("num", "var", "atom", "rp"):
                raise _refuse(
                    full, [t.src], f"'{t.src}' (a sign) comes right after a number; is an operation missing?"
                )
            b.push("-", "neg")
        elif k == "post":
            b.postfix("<>" + t.value[4:] if t.value.startswith("({})") else t.value)
        elif k == "de":
            # 的N倍 / 的N次方
            if (
                nxt is not None
                and nxt.kind == "num"
                and i + 2 < len(toks)
                and toks[i + 2].kind in ("times_post", "power")
            ):
                n = nxt.value
                b.postfix(f"{n}<>" if toks[i + 2].kind == "times_post" else f"<>^{n}")
                i += 3
                continue
            raise _refuse(full, ["的"], "'的' is only read in phrases such as 的平方, 的3倍, 的和.")
        elif k == "times_post":
            raise _refuse(full, [t.src], "倍 is read as 'A的N倍' (N times A).")
        elif k == "power":
            if b.prev == "num" and b.last_atom is not None and len(b.out) >= 2:
                n = b.out.pop()
                b.kinds.pop()
                b.last_atom = (
                    (len(b.out) - 1, len(b.out))
                    if b.kinds and b.kinds[-1] in ("num", "var", "atom", "rp")
                    else None
                )
                b.postfix(f"<>^{n}")
            else:
                raise _refuse(full, [t.src], "次方 is read as 'A的N次方'.")
        elif k == "power_ord":
            # "to the third power", "to the 4th"
            if nxt is not None and nxt.kind in ("en_den", "num", "en_num") and nxt.src in EN_ORDINAL_POWERS:
                n = str(EN_ORDINAL_POWERS[nxt.src])
            elif nxt is not None and nxt.kind == "num":
                n = nxt.value
            else:
                raise _refuse(full, [t.src], "'to the' is read in 'to the third power'.")
            b.postfix(f"<>^{n}")
            i += 2
            if i < len(toks) and toks[i].kind == "power_word":
                i += 1
            continue
        elif k == "pre":
            _open_prefix(b, t.value)
        elif k == "times_word":
            _open_prefix(b, f"{t.value}*(|)")
        elif k == "sum_of":
            b.pending.append(_Pending(b.depth, "(|)", len(b.out), needs_join=t.value))
        elif k == "and":
            top = b.pending[-1] if b.pending else None
            if top is not None and top.needs_join and not top.joined and top.depth == b.depth:
                b.push(top.needs_join, "op")
                top.joined = True
                top.has_atom = False
                b.last_atom = None
            else:
                b.boundary(",")
        elif k == "join":
            b.push("\x00", "join")
        elif k == "group":
            s = b.side_start[b.depth]
            joins = [j for j in range(s, len(b.out)) if b.kinds[j] == "join"]
            if not joins:
                raise _refuse(full, [t.src], f"'{t.src}' needs two parts joined by 与 or 和.")
            b.out[joins[-1]] = t.value
            b.kinds[joins[-1]] = "op"
            b.side_group()
        elif k == "wrap":
            b.side_group()
        elif k in ("percent_sym", "percent_en"):
            b.postfix("<>%" if re.fullmatch(r"\d+(\.\d+)?", b.atom_text()[2]) else "(<>/100)")
        elif k == "percent_of":
            b.postfix("<>%" if re.fullmatch(r"\d+(\.\d+)?", b.atom_text()[2]) else "(<>/100)")
            b.push("*", "op")
            b.last_atom = None
        elif k == "percent":  # 百分之N
            _open_prefix(b, "(|)%")
        elif k == "frac_of":  # A分之B = B/A
            s, e, den = b.atom_text()
            b.out[s:e] = []
            b.kinds[s:e] = []
            b.last_atom = None
            b.pending.append(_Pending(b.depth, f"(|/{den})", s))
        elif k == "of":
            if b.prev in ("num", "atom", "rp", "var"):
                b.push("*", "op")
                b.last_atom = None
            # otherwise "of" only links words (the value of ...)
        elif k == "colon" and i > 0 and toks[i - 1].kind in ("fill", "task", "find", "given", "question"):
            if b.out and b.prev not in ("sep", "start"):
                b.boundary(",")  # 求 2x+5 的值: ...  (a label, not a ratio)
        elif k == "ratio" or k == "colon":
            if b.prev in ("num", "var", "atom", "rp"):
                b.push("\x01", "ratio")
                b.last_atom = None
            elif k == "colon" and b.prev in ("start", "sep", "task", "fill"):
                pass  # "Solve: ..." / 解方程：
            else:
                raise _refuse(full, [t.src], f"'{t.src}' needs a number before it.")
        elif k == "lp":
            b.push(t.value if t.value != "" else "(", "lp")
            b.opens.append(len(b.out) - 1)
            b.depth += 1
            b.side_start.append(len(b.out))
            b.bar_open.append(False)
            b.last_atom = None
        elif k == "rp":
            b.flush()
            if not b.opens:
                raise _refuse(full, [t.src or ")"], "a closing bracket has no opening bracket.")
            start = b.opens.pop()
            b.depth -= 1
            b.side_start.pop()
            b.bar_open.pop()
            b.push(t.value or ")", "rp")
            b.last_atom = (start, len(b.out))
            for p in b.pending:
                if p.depth == b.depth:
                    p.has_atom = True
        elif k == "bar":
            if b.bar_open[-1]:
                b.bar_open[-1] = False
                b.push("|", "rp")
            else:
                b.bar_open[-1] = True
                b.push("|", "bar")
        elif k == "bang" or k == "prime":
            b.push(t.value, "atom" if k == "bang" else "prime")
        elif k == "sep":
            b.boundary(",")
        elif k == "given":
            if b.out and b.prev not in ("sep", "start"):
                b.boundary(",")
        elif k == "find":
            if b.out and b.prev not in ("sep", "start"):
                b.boundary(",")
            b.find_at = len(b.out)
        elif k == "task":
            if b.task is None or b.task == "calculate":
                b.task = t.value
        elif k == "question":
            while b.kinds and b.kinds[-1] == "op" and b.out[-1] == "=":
                b.out.pop()
                b.kinds.pop()
            if b.side_start[b.depth] > len(b.out):
                b.side_start[b.depth] = len(b.out)
        elif k in ("fill", "article"):
            if k == "article":
                b.begin_atom(t.src, "var", t.space)
        elif k == "stop":
            if lenient:
                b.boundary(",")
        elif k == "marker":
            b.out.clear()
            b.kinds.clear()
            b.side_start = [0] + [0] * b.depth
            b.last_atom = None
            b.gaps.clear()
        elif k == "refuse":
            raise _refuse(
                full,
                [t.src],
                f"'{t.src}' changes the meaning in a way the engine does not check.",
                f"“{t.src}”改变了题意，本系统无法检查。",
            )
        elif k in ("unknown", "unit", "en_den", "point", "power_word", "en_num", "en_scale"):
            if lenient:
                if b.kinds and b.kinds[-1] != "gap":
                    b.flush()
                    b.push("", "gap")
                    b.gaps.append(len(b.out) - 1)
            else:
                b.unknown.append(t.src)
        else:  # pragma: no cover - every token kind is handled above
            b.unknown.append(t.src)
        i += 1
    b.flush()
    return b


def _open_prefix(b: _Builder, template: str) -> None:
    opening = template.split("|", 1)[0]
    function = re.match(r"[a-z]+\(", opening) is not None
    if b.prev in ("var", "atom", "rp") or (b.prev == "num" and not function):
        b.push("*", "op")
    b.pending.append(_Pending(b.depth, template, len(b.out)))
    del opening


def _render_side(pieces: list[str], kinds: list[str], full: str) -> str:
    if "ratio" in kinds:
        at = [i for i, k in enumerate(kinds) if k == "ratio"]
        if len(at) > 1:
            raise _refuse(full, [":"], "a ratio with more than two terms is not supported.")
        j = at[0]
        left, right = "".join(pieces[:j]), "".join(pieces[j + 1 :])
        if not left or not right:
            raise _refuse(full, [":"], "a ratio needs a term on each side.")
        simple = re.compile(r"[A-Za-z0-9.]+")
        left = left if simple.fullmatch(left) else f"({left})"
        right = right if simple.fullmatch(right) else f"({right})"
        return f"{left}/{right}"
    return "".join(pieces)


def _render(b: _Builder) -> list[str]:
    """The items (split at top-level commas) as plain math strings."""
    if b.opens:
        raise _refuse(b.full, ["("], "a bracket is not closed.")
    for p in b.pending:
        if p.needs_join and not p.joined:
            raise _refuse(b.full, ["sum of"], "'the sum of' needs 'and' between its two parts.")
    pieces = ["," if k == "join" else p for p, k in zip(b.out, b.kinds, strict=True)]
    kinds = ["sep" if k == "join" else k for k in b.kinds]
    items: list[str] = []
    item: list[str] = []
    side: list[str] = []
    side_kinds: list[str] = []
    depth = 0
    for piece, k in zip(pieces, kinds, strict=True):
        depth += k == "lp"
        depth -= k == "rp" and piece != "|"
        if depth == 0 and k == "sep":
            item.append(_render_side(side, side_kinds, b.full))
            items.append("".join(item))
            item, side, side_kinds = [], [], []
        elif depth == 0 and k == "op" and piece in ("=", "<", ">", "<=", ">=", "!="):
            item.append(_render_side(side, side_kinds, b.full) + piece)
            side, side_kinds = [], []
        else:
            side.append(piece)
            side_kinds.append(k)
    item.append(_render_side(side, side_kinds, b.full))
    items.append("".join(item))
    return [_tidy(s) for s in items if s.strip()]


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"(\\[a-zA-Z]+) (?=[^a-zA-Z])", r"\1", text)
    text = re.sub(r"(?<![\w)^/.])\((\d+/\d+)\)(?![\w(^.!])", r"\1", text)
    text = re.sub(r"\s*([=<>+\-*/^,])\s*", r"\1", text) if "\\" not in text else text
    return text


def _prepare(text: str) -> str:
    if len(text) > MAX_CHARS:
        raise UnprocessableError(
            f"The math is too long ({len(text)} characters, limit {MAX_CHARS}).",
            detail_zh=f"输入太长（{len(text)} 个字符，上限 {MAX_CHARS}）。",
        )
    text = normalize_text(text)
    text = re.sub(r"\\(?:text|mathrm|textrm|mbox|operatorname)\s*\{([^{}]*)\}", r" \1 ", text)
    text = re.sub(r"\\(?:quad|qquad|,|;|!| )", " ", text)
    text = re.sub(r"(?<![\d.)/^_])(-?)(\d+)\s+(\d+)/(\d+)(?![\d.(^/])", _mixed_number, text)
    tens = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
    units = "one|two|three|four|five|six|seven|eight|nine"
    return re.sub(rf"\b({tens})-({units})\b", r"\1 \2", text, flags=re.IGNORECASE)


def _mixed_number(m: re.Match[str]) -> str:
    """``2 1/2`` is two and a half (a proper fraction after a whole number), never 2 × 1/2."""
    sign, whole, num, den = m.groups()
    if int(num) >= int(den) or int(den) == 0:
        return m.group(0)
    return f"{sign}({whole}+{num}/{den})"


def has_prose(text: str) -> bool:
    """True when ``text`` holds words (Chinese, or English beyond function names and single letters)."""
    if _CJK.search(text):
        return True
    stripped = re.sub(r"\\[a-zA-Z]+", " ", text)
    for word in _WORD.findall(stripped):
        low = word.lower()
        if len(word) > 3 and low not in _FUNCS and low not in ("infty", "infinity", "sqrt"):
            return True
        if low in EN_PHRASES and len(word) > 1 and low not in _FUNCS:
            return True
    return "?" in text


def _reading(text: str, *, lenient: bool) -> tuple[_Builder, list[str]]:
    prepared = _prepare(text)
    toks = _merge_english_numbers(_tokenize(prepared, text, lenient), text)
    if not lenient:
        unknown: list[str] = []
        for j, t in enumerate(toks):
            if t.kind in ("unknown", "unit"):
                joined = j > 0 and toks[j - 1].kind in ("unknown", "unit") and not t.space
                if joined and unknown:
                    unknown[-1] += t.src
                else:
                    unknown.append(t.src)
        if unknown:
            raise _refuse(text, list(dict.fromkeys(unknown)))
    b = _build(toks, text, lenient)
    if b.unknown:
        words = list(dict.fromkeys(b.unknown))
        raise _refuse(text, words)
    return b, _render(b)


def read_prose(text: str) -> ProseReading:
    """Strict reading of a problem: the task (if an instruction was given) and the plain math."""
    b, items = _reading(text, lenient=False)
    task, target = b.task, None
    if b.find_at is not None:
        rest: list[str] = []
        for p, k in zip(b.out[b.find_at :], b.kinds[b.find_at :], strict=True):
            if k == "sep":
                break
            rest.append(p)
        if len(rest) == 1 and re.fullmatch(r"[A-Za-z](?:_\d+)?", rest[0]):
            target = rest[0]
            if rest[0] in items and len(items) > 1:
                items.remove(rest[0])
            task = task or "solve"
        elif rest:
            task = task or ("evaluate" if re.search(r"[A-Za-z]", "".join(rest)) else "calculate")
    if not items:
        raise _refuse(text, [], "there is no math in it.", "其中没有可计算的数学内容。")
    return ProseReading(task, ", ".join(items), target)


def read_answer_text(text: str) -> str:
    """Lenient reading of an answer sentence: the one piece of math in it (prose around it ignored).

    Raises :class:`UnprocessableError` when no math, or more than one separate piece of it, remains.
    """
    b, _ = _reading(text, lenient=True)
    chunks: list[tuple[list[str], list[str]]] = [([], [])]
    for p, k in zip(b.out, b.kinds, strict=True):
        if k == "gap":
            chunks.append(([], []))
        else:
            chunks[-1][0].append(p)
            chunks[-1][1].append(k)
    found = []
    for pieces, kinds in chunks:
        while kinds and kinds[0] in ("sep", "op") and pieces[0] in (",", "="):
            pieces, kinds = pieces[1:], kinds[1:]
        while kinds and kinds[-1] in ("sep", "op", "neg") and pieces[-1] in (",", "=", "-", "+"):
            pieces, kinds = pieces[:-1], kinds[:-1]
        if any(k in ("num", "var", "atom", "latex", "rp") for k in kinds):
            found.append((pieces, kinds))
    if len(found) != 1:
        raise _refuse(
            text,
            [],
            "the answer has no math in it."
            if not found
            else "the answer has several separate pieces of math.",
            "答案中没有数学内容。" if not found else "答案中有几段分开的数学内容，无法确定哪一个是答案。",
        )
    sub = _Builder(text, True)
    sub.out, sub.kinds = found[0]
    return ", ".join(_render(sub))


def spoken_to_math(text: str, language: str | None = None) -> str:
    """Spoken or written zh/en math -> the engine's plain input (``x^2-7x+12``, ``solve 3x+5=20``).

    ``language`` (``zh``/``en``) is a hint only: both vocabularies are always read, because speech
    recognisers mix them (``3x 加 1 等于 20``). Raises :class:`UnprocessableError` naming the words it
    could not read.
    """
    del language
    return read_prose(text).as_input()
