"""The words for a metric, one language for staff and liaisons.

A metric answers to its label, its short words (a clear part of the label, the label without
its bracketed note, the label of the rule part that reads it) and its printed number (the
number the bot prints before it: 1, 2 …, or the document's own ①② where its label carries one).
`find_metric` reads a name the same way in 报送, 代报 and 打分; each command then decides whether
the person may set that metric. `read_metrics` reads a line of values as people write them:
`准确率=98.5%`, `准确率 98.5%`, `准确率98.5%`, `准确率 百分之九十八点五`, one metric per line,
values in the listed order, and yes/no words the label makes clear (`已明确`, `未制定`). What it
cannot read one way only it refuses, with a command that works, in this item's own labels.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from rapidfuzz import fuzz

from bot.numbers import NumberError, read_number
from bot.parse import AskValue, CommandError, parse_value, writable_metrics, yes_no_word
from schemes.asks import enterable, printed_number
from schemes.model import Indicator, Metric
from scoring.rules import as_bool

__all__ = ["enterable", "number_of", "short_name", "find_metric", "read_metrics", "usage",
           "example", "sample_value", "join_marks"]


def _plain(s: str) -> str:
    s = unicodedata.normalize("NFKC", s or "")
    return re.sub(r"[“”\"'‘’《》()（）\[\]【】、，,。；;：:\s]", "", s).lower()


def _main(label: str) -> str:
    """The label without its bracketed notes: 数据准确率（报送正确数据量/报送数据量） -> 数据准确率."""
    text = unicodedata.normalize("NFKC", label)
    return re.sub(r"\([^()]*\)", "", text)


def number_of(ind: Indicator, m: Metric) -> int:
    """The number printed before `m` wherever this item's metrics are listed."""
    return printed_number(ind, m)


def _part_words(ind: Indicator, m: Metric) -> list[str]:
    """Labels of the rule parts that read this metric alone (数据准确率, 瞒报情况, a 酌情 part)."""
    words = []
    for p in ind.parts:
        own = getattr(p, "value", None) == m.name or getattr(p, "metric", None) == m.name
        if own and p.label:
            words.append(p.label)
        for item in getattr(p, "items", None) or []:
            if item.metric == m.name and item.label:
                words.append(item.label)
    return words


def _judged(ind: Indicator) -> set[str]:
    """Metrics that hold the office's judgement (酌情 points, a cut, a gate), not a figure —
    a figure only the office enters (瞒报条数) is still a figure."""
    names = {p.metric for p in ind.parts if p.kind in ("discretionary", "pass_fail")}
    if ind.gate:
        names.add(ind.gate.metric)
    return names | {m.name for m in ind.metrics if m.derived is True}


_NUMBER = re.compile(r"第?(\d{1,2})(?:项|\.)?")


def _by_number(ind: Indicator, key: str) -> Metric | None:
    found = _NUMBER.fullmatch(key)
    if found is None:
        return None
    n = int(found.group(1))
    return next((m for m in enterable(ind) if number_of(ind, m) == n), None)


def _candidates(ind: Indicator, key: str) -> list[Metric]:
    """Strict readings of a name: exact, then a part of the label (without its notes first).
    Between a figure and a judgement that both contain the words, the figure is meant
    (瞒报: the 瞒报条数, not the 瞒报…酌情扣分, which answers to 扣分 or 酌情)."""
    pool = enterable(ind)
    if not key:
        return []
    numbered = _by_number(ind, key)
    if numbered is not None:
        return [numbered]
    exact = [m for m in pool if key in (m.name.lower(), _plain(m.label), _plain(_main(m.label)))
             or key in map(_plain, _part_words(ind, m))]
    if exact:
        return exact
    if len(key) < 2 or key.isdigit():
        return []
    for within in (lambda m: [_plain(_main(m.label)), *map(_plain, _part_words(ind, m))],
                   lambda m: [_plain(m.label)]):
        found = [m for m in pool if any(key in w for w in within(m))]
        if len(found) > 1:
            figures = [m for m in found if m.name not in _judged(ind)]
            found = figures or found
        if found:
            return found
    return []


def _strict(ind: Indicator, text: str) -> Metric | None:
    found = _candidates(ind, _plain(text))
    return found[0] if len(found) == 1 else None


def find_metric(ind: Indicator, text: str, pool: list[Metric] | None = None,
                say: str | None = None) -> Metric:
    """The metric `text` names (label, short words, printed number; a near miss of a label when
    one is clearly closest). `pool` and `say` shape the refusal's listing and example."""
    key = _plain(text)
    found = _candidates(ind, key)
    if len(found) == 1:
        return found[0]
    listing = usage(ind, pool)
    if len(found) > 1:
        names = "；".join(f"{number_of(ind, m)}. {m.label}" for m in found)
        raise CommandError(f"「{text}」可能指：{names}。请写完整名称或序号，例如："
                           f"{example(ind, pool, say, only=found[0])}")
    if key and not key.isdigit():  # a shortened or misremembered label: the one clearly closest
        pool_all = enterable(ind)
        scored = sorted(((fuzz.partial_ratio(key, _plain(_main(m.label))), n)
                         for n, m in enumerate(pool_all)), reverse=True)
        if scored and scored[0][0] >= 70 and (len(scored) == 1 or scored[0][0] - scored[1][0] >= 15):
            return pool_all[scored[0][1]]
    raise CommandError(f"「{ind.code} {ind.name}」没有数据项「{text}」。可填：{listing}。"
                       f"例如：{example(ind, pool, say)}")


def short_name(ind: Indicator, m: Metric) -> str:
    """The words the bot prints for `m` that read back as `m`: the label up to its first pause
    (明确分管领导), else the label without its notes, else the rule part's label, else the whole
    label, else its number."""
    main = _main(m.label).replace("“", "").replace("”", "").strip()
    head = re.split(r"[、，,；;：:]", main)[0].strip()
    tail = re.split(r"[时的后]", head)[-1].strip()  # 瞒报5条以下时信用办酌情扣分 -> 信用办酌情扣分
    tries = [t for t in (head, tail) if len(t) <= 12] + sorted(_part_words(ind, m), key=len)
    tries += [head, main, m.label]
    for t in tries:
        # a pause or a space inside would split it from its value again
        if len(_plain(t)) >= 2 and not re.search(r"[、，,；;=\s]", t) and not _looks_like_value(t) \
                and _strict(ind, t) is m:
            return t
    return str(number_of(ind, m))


def sample_value(m: Metric) -> str:
    """A value in range that shows how this kind of metric is written."""
    if m.type == "bool":
        return "是"
    if m.type == "percent":
        return "98.5%"
    if m.type == "text":
        return "已完成"
    lo, hi = m.bounds()
    if m.unit == "分":  # points the office enters: a small number, within any item's cap
        return "1分"
    if hi is not None and hi < 35:
        return f"{int(hi)}{m.unit}"
    return f"35{m.unit}" if m.unit and not m.unit.startswith("/") else "35"


def example(ind: Indicator, pool: list[Metric] | None = None, say: str | None = None,
            only: Metric | None = None) -> str:
    """A command that works for this item, with its own metric words: `报送 双公示 准确率=98.5%
    瞒报条数=35条`. `say` is the command and item as this person writes them (代报 单位 双公示)."""
    metrics = [only] if only is not None else (writable_metrics(ind) if pool is None else pool)
    if only is None:  # figures first: a 酌情 value has its own command (打分)
        metrics = [m for m in metrics if m.name not in _judged(ind)] or metrics
    say = say or f"报送 {ind.aliases[0] if ind.aliases else ind.code}"
    if len(metrics) == 1 and only is None and len(enterable(ind)) == 1:
        return f"{say} {sample_value(metrics[0])}"
    return f"{say} " + " ".join(f"{short_name(ind, m)}={sample_value(m)}" for m in metrics[:4])


def usage(ind: Indicator, pool: list[Metric] | None = None) -> str:
    """What can be typed, by printed number and label; how to write it."""
    metrics = writable_metrics(ind) if pool is None else pool
    def what(m: Metric) -> str:
        return "是/否" if m.type == "bool" else "如 98.5%" if m.type == "percent" \
            else "文字" if m.type == "text" else m.unit or "数值"
    if len(metrics) == 1:
        return f"{metrics[0].label}（{what(metrics[0])}）"
    items = "；".join(f"{number_of(ind, m)}. {m.label}（{what(m)}）" for m in metrics)
    return items + "。写法：名称=数值、名称 数值，或按顺序写数值；名称可用简称或序号，可一行一项"


# ---- reading a line of values ---------------------------------------------------------------

_UNIT_WORDS = {"%", "‰", "条", "份", "个", "户", "项", "次", "类", "件", "人", "起", "家", "笔",
               "分", "天", "元", "万元", "亿元", "千元", "万", "亿", "家次", "人次", "个工作日"}
_PAIR_SEP = re.compile(r"[,;，；、]\s*(?=[^\s=,;，；、]+[=＝])")


def _looks_like_value(t: str) -> bool:
    """A number as people write it (35, 三千条, 98.5%, 百分之九十八点五) or a yes/no word."""
    if as_bool(t) is not None or t in ("没有",):
        return True
    try:
        read_number(t)
        return True
    except NumberError:
        return False


def _self_named(ind: Indicator, t: str) -> Metric | None:
    """`已明确` / `未制定`: a yes/no whose verb is in exactly one yes/no label."""
    verb = yes_no_word(t)
    if verb is None:
        return None
    found = [m for m in enterable(ind) if m.type == "bool" and verb[0] in _plain(m.label)]
    return found[0] if len(found) == 1 else None


def _glued(ind: Indicator, t: str) -> tuple[Metric, str] | None:
    """`准确率98.5%`, `数据报送量三千条`: a name with its value stuck to it. Every way to cut it
    is tried; it is read only when exactly one cut gives a name and a value."""
    cuts = set()
    for i in range(1, len(t)):
        head, tail = t[:i], t[i:]
        if not _looks_like_value(tail) or _looks_like_value(head):
            continue
        m = _strict(ind, head)
        if m is not None:
            cuts.add((m.name, tail))
    if len(cuts) != 1:
        return None
    name, tail = cuts.pop()
    return next(m for m in ind.metrics if m.name == name), tail


def _entries(ind: Indicator, words: list[str]) -> tuple[list[tuple[str | None, str]], str | None]:
    """The words as (name or None, value) in order; a name left without a value is returned
    too. A word is a value, else a name (then the next word is its value), else a name and
    value stuck together, else a value nobody could name (refused later, by its metric)."""
    out: list[tuple[str | None, str]] = []
    pending: str | None = None
    for w in words:
        if "=" in w:
            if pending is not None:
                break
            name, _, value = w.partition("=")
            if value:
                out.append((name, value))
            else:
                pending = name
            continue
        if pending is not None:
            out.append((pending, w))
            pending = None
        elif out and w in _UNIT_WORDS and _looks_like_value(out[-1][1] + w):
            out[-1] = (out[-1][0], out[-1][1] + w)  # 三千 条: the unit goes with its number
        elif _looks_like_value(w):
            out.append((None, w))
        elif (m := _self_named(ind, w)) is not None:
            out.append((m.name, w))
        elif _candidates(ind, _plain(w)):  # a name; one that fits several is asked about later
            pending = w
        elif (glued := _glued(ind, w)) is not None:
            out.append((glued[0].name, glued[1]))
        else:
            out.append((None, w))
    return out, pending


_MARKED = re.compile(r"第\d{1,2}项")


def join_marks(words: list[str]) -> list[str]:
    """`第3项 1` as `第3项=1` (a document's ③ reaches here as 第3项, bot.parse.normalise): a
    printed number names its metric, never a value, so the value after it is its own. For a
    command that finds its value by position (打分), not by reading names (报送, 代报)."""
    out: list[str] = []
    for w in words:
        if out and _MARKED.fullmatch(out[-1]) and "=" not in w and _looks_like_value(w):
            out[-1] = f"{out[-1]}={w}"
        else:
            out.append(w)
    return out


def read_metrics(ind: Indicator, words: list[str], allowed: list[Metric] | None = None,
                 say: str | None = None) -> dict[str, Any]:
    """The values a message sets, by metric name. `allowed`: what this person may set (default:
    what a liaison may report); `say`: the command and item as typed, for examples."""
    writable = writable_metrics(ind) if allowed is None else allowed
    say = say or f"报送 {ind.aliases[0] if ind.aliases else ind.code}"
    if not writable:
        raise CommandError(f"「{ind.code} {ind.name}」的数据由机器人自动统计或由信用办录入，无需报送")
    if not words:
        in_order = ""
        if 1 < len(writable) <= 4 and all(m.type != "text" for m in writable):
            in_order = f"，或按顺序：{say} " + " ".join(sample_value(m) for m in writable)
        raise CommandError(f"请写上数值，例如：{example(ind, writable, say)}{in_order}。可填：{usage(ind, writable)}")
    words = [p.replace("＝", "=") for w in words for p in _PAIR_SEP.split(w) if p]
    if len(writable) == 1 and writable[0].type == "text":
        return _text_value(ind, writable[0], words)
    entries, pending = _entries(ind, words)
    if pending is not None:
        m = find_metric(ind, pending, writable, say)
        raise CommandError(f"「{m.label}」没有写数值，没有记录。例如：{example(ind, writable, say, only=m)}")
    named = [(n, v) for n, v in entries if n is not None]
    bare = [v for n, v in entries if n is None]
    out: dict[str, Any] = {}
    found = [(find_metric(ind, name, writable, say), name, value) for name, value in named]
    _refuse_findings(ind, writable, found, bool(bare), say)
    for m, name, value in found:
        if m not in writable:
            raise CommandError(_not_yours(ind, m, say))
        if m.name in out:
            raise CommandError(f"「{m.label}」写了两次，没有记录。请只写一个数值，例如："
                               f"{example(ind, writable, say, only=m)}")
        out[m.name] = _value(ind, m, value, say)
    if not bare:
        return out
    rest = [m for m in writable if m.name not in out]
    percents = [m for m in rest if m.type == "percent"]
    if not named and len(writable) == 1:
        out[writable[0].name] = _value(ind, writable[0], " ".join(bare), say)
    elif len(bare) == 1 and bare[0].endswith("%") and len(percents) == 1:
        out[percents[0].name] = _value(ind, percents[0], bare[0], say)  # 报送 双公示 98%
    elif not named and len(bare) == len(writable) and all(m.type != "text" for m in writable):
        out.update((m.name, _value(ind, m, w, say)) for m, w in zip(writable, bare))  # in order
    else:
        stray = "、".join(f"「{v}」" for v in bare)
        raise CommandError(f"{stray}不知道是哪一项的数值，没有记录。「{ind.code} {ind.name}」有多个数据项，"
                           f"请每项写上名称，例如：{example(ind, writable, say)}。可填：{usage(ind, writable)}")
    return out


def _value(ind: Indicator, m: Metric, text: str, say: str) -> Any:
    """The value typed for `m`; a refusal ends with how to write it for this item."""
    try:
        return parse_value(m, text)
    except AskValue:
        raise  # a question back (1.5: 1.5% or 150%?), answered by number
    except CommandError as exc:
        raise CommandError(f"{exc}。没有记录，请这样写：{example(ind, None, say, only=m)}") from None


def _text_value(ind: Indicator, m: Metric, words: list[str]) -> dict[str, Any]:
    """A progress report is its own words; only a leading `名称=` or `名称：` is the name."""
    first, _, value = words[0].partition("=")
    if value and _strict(ind, first) is m:
        words = [value, *words[1:]]
    return {m.name: parse_value(m, " ".join(words))}


def _refuse_findings(ind: Indicator, writable: list[Metric], found: list[tuple[Metric, str, str]],
                     bare: bool, say: str) -> None:
    """A message that sets what only the office finds (瞒报条数) is refused whole: nobody
    certifies their own concealment, and half a message recorded would be a surprise. The
    reply names the value and gives the command for the rest."""
    office = [m for m, _, _ in found if m not in writable and m.by_office]
    if not office:
        return
    labels = "、".join(f"「{m.label}」" for m in dict.fromkeys(office))
    rest = [f"{name}={value}" for m, name, value in found if m in writable]
    again = (f"只报送其余数据请发：{say} {' '.join(rest)}" if rest and not bare
             else f"可报送：{usage(ind, writable)}")
    raise CommandError(f"{labels}由市信用办核查后录入，不能由本单位报送；本条消息未记录。{again}")


def _not_yours(ind: Indicator, m: Metric, say: str | None) -> str:
    if m.name in _judged(ind):
        return f"「{m.label}」由市信用办录入（打分），无需报送"
    return f"「{m.label}」由机器人自动统计或由信用办录入，无需报送"
