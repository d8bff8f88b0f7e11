"""Reading what people type: indicator names, metric values, numbers, periods."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from schemes.asks import liaison_metrics
from schemes.model import Indicator, Metric, Scheme
from bot.numbers import AmbiguousValue, NumberError, read_value
from scoring.rules import as_bool
from worktime.numerals import read_int
from worktime.period import Period

__all__ = ["CommandError", "Ambiguous", "AskValue", "exact_tail", "exact_text", "period_in_text", "normalise", "find_indicator", "parse_value",
           "read_yes_no", "yes_no_word", "split_indicator", "writable_metrics"]


class CommandError(Exception):
    """A user-facing refusal: its text becomes the reply."""


@dataclass
class Ambiguous(CommandError):
    """Several indicators match: the reply is a numbered list to choose from."""

    text: str
    options: list[Indicator]

    def __str__(self) -> str:
        lines = [f"「{self.text}」可能指以下指标，请回复序号选择："]
        lines += [f"{n}. {i.code} {i.name}" for n, i in enumerate(self.options, start=1)]
        return "\n".join(lines)


_MARK = re.compile(r"(?:(?<=\s)|^)([\u2460-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf])")


def _printed_number(found: re.Match[str]) -> str:
    n = re.sub(r"[().]", "", unicodedata.normalize("NFKC", found.group(1)))
    return f"第{n}项" if n.isdigit() else found.group(1)


def normalise(text: str) -> str:
    """Full-width to half-width, collapse spaces, strip quotes around names. A document's own
    mark starting a word (① ⑴ ⒈) becomes 第1项: NFKC alone would make it the number 1, and
    `① 98.5%` two values instead of a metric and its value."""
    text = unicodedata.normalize("NFKC", _MARK.sub(_printed_number, text or ""))
    return re.sub(r"\s+", " ", text).strip()


def exact_tail(raw: str, words: list[str]) -> str:
    """The part of the message as sent (full-width punctuation, line breaks and all) that the
    normalised `words` were read from; stored text keeps what people wrote."""
    wanted = " ".join(words).strip()
    if not wanted:
        return ""
    starts = [m.start() for m in re.finditer(r"\S+", raw or "")]
    guess = len(starts) - len(wanted.split(" "))
    order = ([guess] if 0 <= guess < len(starts) else []) + list(range(len(starts)))
    for i in order:
        candidate = raw[starts[i]:].strip()
        if normalise(candidate) == wanted:
            return candidate
    if len(words) > 1:  # the first word was glued to the command (「9月月报 …」): the rest as sent
        rest = exact_tail(raw, words[1:])
        if rest in (raw or ""):
            return f"{words[0]} {rest}"
    return wanted


def exact_text(raw: str, words: list[str]) -> str:
    """Text staff or liaisons typed (a reason, a note), exactly as sent — full-width 「，」,
    line breaks and all — whether it ends the message or stands before a year word; the
    normalised words are for reading commands only."""
    tail = exact_tail(raw, words)
    if not words or tail in (raw or ""):
        return tail
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", raw or "")]
    k = len(tail.split(" "))
    for i in range(len(spans) - k + 1):
        candidate = raw[spans[i][0]:spans[i + k - 1][1]]
        if normalise(candidate) == tail:
            return candidate
    return tail


_PERIOD_IN_TEXT = re.compile(
    r"(20\d{2})\s*(?:年\s*)?(?:[-_ ]?[Qq]([1-4])|第?([一二三四1-4])季度?|[-_.]?(\d{1,2})月?)(?!\d)")


def period_in_text(text: str, frequency: str | None, year: int) -> str | None:
    """A period named inside a file name or caption (双公示台账2022Q3, 2022年第三季度台账,
    月报2022-09), when it fits the indicator's frequency and the assessment year."""
    for m in _PERIOD_IN_TEXT.finditer(unicodedata.normalize("NFKC", text or "")):
        y = int(m.group(1))
        if y != year:
            continue
        quarter = m.group(2) or m.group(3)
        if frequency == "quarterly" and quarter:
            return str(Period.of_quarter(y, read_int(quarter)))
        if frequency == "monthly" and m.group(4) and 1 <= int(m.group(4)) <= 12:
            return str(Period.of_month(y, int(m.group(4))))
    return None


def _plain(s: str) -> str:
    return re.sub(r"[“”\"'《》()（）、，,。\s]", "", s)


def find_indicator(scheme: Scheme, text: str, fuzzy: bool = True) -> Indicator:
    """By printed code, alias, or any unambiguous part of the name; fuzzy as a last resort."""
    key = _plain(normalise(text))
    if not key:
        raise CommandError("请写明指标（编号或名称），例如：报送 信用承诺 35")
    inds = [i for _, i in scheme.indicators()]
    exact = [i for i in inds if key == _plain(i.code) or key in map(_plain, i.aliases)
             or key == _plain(i.name)]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        raise Ambiguous(text, exact)
    part = [i for i in inds if key in _plain(i.name) or any(key in _plain(a) for a in i.aliases)]
    if len(part) == 1:
        return part[0]
    if len(part) > 1:
        raise Ambiguous(text, part[:9])
    if not fuzzy:
        raise CommandError(f"没有找到指标「{text}」")
    # "双公示台账", "我报信用承诺的": an alias or name contained in what was typed.
    inside = [i for i in inds if any(len(a) >= 2 and _plain(a) in key for a in i.aliases)
              or (len(_plain(i.name)) >= 4 and _plain(i.name) in key)]
    if len(inside) == 1:
        return inside[0]
    if not fuzzy:
        raise CommandError(f"没有找到指标「{text}」")
    names = {i.code: _plain(i.name) for i in inds}
    by_code = {i.code: i for i in inds}
    hits = process.extract(key, names, scorer=fuzz.partial_ratio, limit=5, score_cutoff=70)
    if hits and (len(hits) == 1 or hits[0][1] - hits[1][1] >= 10):
        return by_code[hits[0][2]]
    if hits:
        raise Ambiguous(text, [by_code[h[2]] for h in hits])
    raise CommandError(f"没有找到指标「{text}」。可以写指标编号（如 7）或名称中的几个字（如 信用承诺）；"
                       f"发送「缺项」查看本单位的全部指标。")


def split_indicator(scheme: Scheme, words: list[str]) -> tuple[Indicator, list[str]]:
    """The longest leading run of words that names an indicator, and the rest."""
    last_error: CommandError | None = None
    for fuzzy in (False, True):
        # Strict matches longest first ("行政强制 等" before "行政强制"); loose ones shortest
        # first, so a value after a misspelt name is not swallowed into it.
        lengths = range(len(words), 0, -1) if not fuzzy else range(1, len(words) + 1)
        for n in lengths:
            head = " ".join(words[:n])
            if "=" in head or "＝" in head:
                continue
            try:
                return find_indicator(scheme, head, fuzzy), words[n:]
            except Ambiguous as exc:
                last_error = last_error if isinstance(last_error, Ambiguous) else exc
            except CommandError as exc:
                last_error = last_error if isinstance(last_error, Ambiguous) else exc
        if isinstance(last_error, Ambiguous):
            raise last_error
    raise last_error or CommandError("请写明指标（编号或名称）")


def writable_metrics(ind: Indicator) -> list[Metric]:
    """What a liaison may report: not derived by the bot, not 酌情计分, not what only the
    office finds (schemes.asks)."""
    return liaison_metrics(ind)


def parse_value(metric: Metric, text: str) -> Any:
    """A typed value as people write it (bot.numbers): percents as fractions ("95%", 百分之九十五,
    a bare 95 -> 0.95), counts whole (35份, 三十五), money in the metric's unit (5000万元),
    booleans 是/否/有/无; the metric's declared range is checked."""
    if metric.type == "text":  # progress reports keep their own punctuation
        kept = (text or "").strip()
        if not kept:
            raise CommandError(f"「{metric.label}」不能为空")
        return kept
    raw = normalise(text)
    if metric.type == "bool":
        b = read_yes_no(metric, raw)
        if b is None:
            raise CommandError(f"「{metric.label}」请填 是 或 否（也可写 有/无），收到：{text}")
        return b
    try:
        value = read_value(metric, raw)
    except AmbiguousValue as exc:
        raise AskValue(exc.text, exc.options, exc.label) from None
    except NumberError as exc:
        msg = str(exc)
        if "不是有效的数字" in msg:
            msg += f"（{metric.label}），例如：35、95%、三十五、百分之九十五"
        raise CommandError(msg) from None
    if metric.type == "count":
        return int(value)
    return float(value)


_YES_WORDS = ("已经", "均已", "都已", "已")
_NO_WORDS = ("尚未", "还未", "还没有", "没有", "暂无", "未", "没", "无")


def yes_no_word(text: str) -> tuple[str, bool] | None:
    """`已明确` -> ("明确", True), `未制定` -> ("制定", False): a yes/no that says what it is about."""
    t = _plain(normalise(text)).removesuffix("了")
    for words, answer in ((_NO_WORDS, False), (_YES_WORDS, True)):
        for w in words:
            if t.startswith(w) and len(t) > len(w) + 1:
                return t[len(w):], answer
    return None


def read_yes_no(metric: Metric, text: str) -> bool | None:
    """是/否/有/无 and the like (scoring.rules.as_bool), 没有, and 已X / 未X where the label makes
    clear what X is (「明确分管领导…」: 已明确 is 是, 未明确 is 否). None: not a yes/no for it."""
    b = as_bool(text)
    if b is not None:
        return b
    if _plain(text) in ("没有", "暂无", "尚无"):
        return False
    said = yes_no_word(text)
    if said is not None and said[0] in _plain(normalise(metric.label)):
        return said[1]
    return None


@dataclass
class AskValue(CommandError):
    """A number that reads two ways (1.5: 1.5% or 150%): the reply asks, the answer is a number."""

    text: str
    options: list[str]
    label: str

    def __str__(self) -> str:
        return str(AmbiguousValue(self.text, self.options, self.label))
