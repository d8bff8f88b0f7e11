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

__all__ = ["CommandError", "Ambiguous", "AskValue", "exact_tail", "period_in_text", "normalise", "find_indicator", "parse_value",
           "parse_metrics", "split_indicator", "writable_metrics"]


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


def normalise(text: str) -> str:
    """Full-width to half-width, collapse spaces, strip quotes around names."""
    text = unicodedata.normalize("NFKC", text or "")
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
    return wanted


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
        b = as_bool(raw)
        if b is None:
            raise CommandError(f"「{metric.label}」请填 是 或 否，收到：{text}")
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


@dataclass
class AskValue(CommandError):
    """A number that reads two ways (1.5: 1.5% or 150%): the reply asks, the answer is a number."""

    text: str
    options: list[str]
    label: str

    def __str__(self) -> str:
        return str(AmbiguousValue(self.text, self.options, self.label))


def _metric_by_name(ind: Indicator, name: str, writable: list[Metric] | None = None) -> Metric:
    key = _plain(normalise(name))
    for m in ind.metrics:
        if key.lower() == m.name.lower() or key == _plain(m.label):
            return m
    pool = writable_metrics(ind) if writable is None else writable
    cands = _closest(key, [m for m in pool if key and key in _plain(m.label)])
    if len(cands) == 1:
        return cands[0]
    if key and not cands:
        # a value this person may not set, named by part of its label (a liaison's 瞒报=0):
        # found, so that the caller can say who enters it instead of "no such item"
        others = _closest(key, [m for m in ind.metrics if m not in pool and key in _plain(m.label)])
        if len(others) == 1:
            return others[0]
    if key and not cands:  # a shortened label (制定本部门制度): the one clearly closest, if any
        scored = sorted(((fuzz.partial_ratio(key, _plain(m.label)), i) for i, m in enumerate(pool)),
                        reverse=True)
        if scored and scored[0][0] >= 70 and (len(scored) == 1 or scored[0][0] - scored[1][0] >= 15):
            return pool[scored[0][1]]
    raise CommandError(f"指标「{ind.code} {ind.name}」没有数据项「{name}」。可填：" + usage(ind))


def _closest(key: str, cands: list[Metric]) -> list[Metric]:
    """Of several labels holding the words, the one they clearly make up most of (瞒报 is
    “双公示”信息瞒报条数, not 瞒报5条以下时信用办酌情扣分（0–4分）); else all of them."""
    if len(cands) < 2:
        return cands
    share = sorted(((len(key) / max(len(_plain(m.label)), 1), i) for i, m in enumerate(cands)),
                   reverse=True)
    if share[0][0] >= 1.5 * share[1][0]:
        return [cands[share[0][1]]]
    return cands


def example(ind: Indicator, writable: list[Metric]) -> str:
    """A 报送 line the parser accepts for this item: one sample value per metric, in order."""
    short = ind.aliases[0] if ind.aliases else ind.code
    def sample(m: Metric) -> str:
        if m.type == "bool":
            return "是"
        if m.type == "percent":
            return "95%"
        return str(int(m.max)) if m.max is not None and m.max < 35 else "35"  # within its range
    return f"报送 {short} " + " ".join(sample(m) for m in writable)


def usage(ind: Indicator) -> str:
    """What can be reported, in order, by Chinese label: values follow that order, or are written
    as 名称=数值 (the label, a clear part of it, or the short name before the =)."""
    metrics = writable_metrics(ind)
    items = [f"{m.label}（{'是/否' if m.type == 'bool' else '如 95%' if m.type == 'percent' else m.unit or '数值'}）"
             for m in metrics]
    if len(items) == 1:
        return items[0]
    return "；".join(f"{i}. {t}" for i, t in enumerate(items, 1)) + "。按顺序写数值，或写 名称=数值"


_PAIR_SEP = re.compile(r"[,;，；、]\s*(?=[^\s=,;，；、]+[=＝])")


def parse_metrics(ind: Indicator, words: list[str],
                  allowed: list[Metric] | None = None) -> dict[str, Any]:
    """`35` for a one-metric indicator, or `name=value …` pairs (name or Chinese label).
    `allowed`: the metrics this person may set (default: what a liaison may report)."""
    writable = writable_metrics(ind) if allowed is None else allowed
    if not writable:
        raise CommandError(f"「{ind.code} {ind.name}」的数据由机器人自动统计或由信用办酌情计分，无需报送")
    if not words:
        raise CommandError(f"请写上数值，例如：{example(ind, writable)}。可填：{usage(ind)}")
    out: dict[str, Any] = {}
    # "accuracy=95%，concealed=0": a comma or 、 before the next name= separates pairs too
    words = [part for w in words for part in _PAIR_SEP.split(w) if part]
    bare = [w for w in words if "=" not in w and "＝" not in w]
    pairs = [w.replace("＝", "=") for w in words if "=" in w or "＝" in w]
    named = [(_metric_by_name(ind, name, writable), value)
             for name, _, value in (pair.partition("=") for pair in pairs)]
    found = [m for m, _ in named if m not in writable and m.by_office]
    if found:  # the whole message is refused: nobody certifies what the office finds
        labels = "、".join(f"「{m.label}」" for m in dict.fromkeys(found))
        rest = [p for p, (m, _) in zip(pairs, named) if m in writable]
        short = ind.aliases[0] if ind.aliases else ind.code
        again = (f"只报送其余数据请发：报送 {short} {' '.join(rest)}" if rest and not bare
                 else f"可报送：{usage(ind)}")
        raise CommandError(f"{labels}由市信用办核查后录入，不能由本单位报送；本条消息未记录。{again}")
    for metric, value in named:
        if metric not in writable:
            raise CommandError(f"「{metric.label}」由机器人自动统计或由信用办酌情计分，无需报送")
        out[metric.name] = parse_value(metric, value)
    percents = [m for m in writable if m.type == "percent" and m.name not in out]
    if bare:
        if len(writable) == 1 and not pairs:
            out[writable[0].name] = parse_value(writable[0], " ".join(bare))
        elif len(bare) == 1 and bare[0].endswith("%") and len(percents) == 1:
            out[percents[0].name] = parse_value(percents[0], bare[0])  # 报送 双公示 98%
        elif not pairs and len(bare) == len(writable) and all(m.type != "text" for m in writable):
            # 报送 制度建设 是 是: values in the order the help lists them
            out.update((m.name, parse_value(m, w)) for m, w in zip(writable, bare))
        else:
            raise CommandError(f"「{ind.code} {ind.name}」有多个数据项，请用 名称=数值 的写法。可填：{usage(ind)}")
    return out
