"""Read one scoring bullet of an assessment document (评分标准) as a rule part.

The reader works on the phrasings documents use, not on any one city's strings: 得X分; 每个/
每起/每N项…得X分，最高Y分; 达到X%的得Y分，以此为基数每增加…; thresholds in %, ‰, 万分之, 十万分
之; 起评 / 扣完为止; 最多的得X分，最少的得Y分; 酌情计分; 一票否决; linked bullets. Each reading
keeps the words that decided it, or says why nothing was recognised (a draft marks that
bullet `待确认`). Pure functions: no files, no clock.
"""
from __future__ import annotations

import re

from authoring.reading import Reading, _FULL_MARK, _Unsure, _links
from authoring.rule_formulas import _discretionary, _formula, _rank, _veto
from authoring.rule_levels import _bands, _cases, _checklist, _full_else_share, _lose_all, _share, _task, _threshold_gate
from authoring.rule_steps import _base_steps, _deduction, _per_item
from authoring.rule_words import MEASURE, NUM, normalise

__all__ = ["read_rule"]

_READERS = (_veto, _rank, _base_steps, _cases, _full_else_share, _formula, _deduction, _per_item, _bands, _share,
            _lose_all, _discretionary, _checklist, _threshold_gate, _task)


def _each_of(t: str) -> list[str]:
    """水费、电费信息条数与企业数比值≥1的各得2分 -> ['水费', '电费']: the same rule for each."""
    m = re.search(r"(?:各|分别)(?:得|计|加)", t)
    if not m:
        return []
    before = [x for x in re.split(r"[,，:：;；]", t[:m.start()]) if x]
    # 制度健全，有承诺、评价、修复制度的，各得1分: the names are in the clause that lists them
    listed = [x for x in before if "、" in x]
    lead = re.split(r"的|与|信息|数据|≥|>|达到|低于|高于", listed[-1] if listed else (before or [""])[0])[0]
    lead = re.sub(r"^(?:有|建立|制定|出台|开展|完成)", "", lead)
    names = [x for x in re.split(r"、|和|及", lead) if x]
    return names if 2 <= len(names) <= 12 and all(len(x) <= 12 for x in names) else []


def read_rule(text: str) -> Reading:
    """Read one bullet; `kind` None (with `reason`) when no phrasing was recognised."""
    t = normalise(text)
    r = Reading(text=text.strip())
    if not t:
        r.reason = "空白条目"
        return r
    t = _without_deadlines(_repaired(t))
    r.links = _links(t)
    for reader in _READERS:
        trial = Reading(text=r.text, links=r.links)
        try:
            got = reader(t, trial)
        except _Unsure as unsure:
            r.reason, r.points = str(unsure), unsure.points
            return r
        if got:
            trial.label = trial.label or _label(t, trial)
            trial.each_of = _each_of(t) if trial.kind in ("checklist", "bands", "per_item") else []
            if trial.each_of:
                trial.words.append(f"各得（{len(trial.each_of)}项：{'、'.join(trial.each_of)}）")
            return trial
        r.reason = r.reason or trial.reason
    if not r.reason and re.search(r"降(?:一|1|两|2)?(?:个)?(?:档|等次|等级)|降低(?:一个)?(?:考核)?(?:档次|等次)|"
                                  r"直接(?:判|定为|评为|确定为)|(?:判|定|评)为?[A-E]档|(?:定|评|确定)为不合格", t):
        r.reason = "这是降档事项（不是计分规则）：请写入方案的 downgrade_events"
    elif not r.reason and re.search(r"本项不得分|不得分|计0分|得0分", t):
        r.reason = "只写了不得分的情形：请把它并入本指标的计分规则（用 requires 关联，或作为门槛）"
    r.reason = r.reason or "没有读出“得X分”“每…得/扣X分”“最高X分”“酌情计分”“一票否决”等计分写法"
    return r


# a sentence about when to report: 每月5日前报送上月案例。 / 于每季度末前报送。 / 12月31日前完成
_DEADLINE = re.compile(r"(?:\d+|[一二三四五六七八九十]+)(?:日|号)|月底|月末|季末|季度末|年底|年末|半年末|结束后")
_BY = re.compile(r"(?:前|内|以前|之前|为止)")


def _without_deadlines(t: str) -> str:
    """Drop sentences with no points that only say when to report, if a sentence with points
    remains: the due date is the draft's business, not the rule's (每月 would read as a step)."""
    sentences = [x for x in re.split(r"(?<=[;；。])", t) if x]
    def deadline(x: str) -> bool:
        return "分" not in x and any(_BY.match(x, w.end()) for w in _DEADLINE.finditer(x))
    kept = [x for x in sentences if not deadline(x)]
    return "".join(kept) if kept and len(kept) < len(sentences) else t


def _repaired(t: str) -> str:
    """Shorthands other documents print, spelled out the way the readers expect:
    10分/种 -> 每种得10分; 扣0.2分/次 or -2分/次 -> 每次扣…分; 得0.5，-> 得0.5分，; and
    得满分 -> 得X分 when the bullet names its full mark (本项3分 / 满分3分 / 成交率：10分)."""
    def per_unit(m: re.Match) -> str:
        verb = m.group("v") or ("扣" if m.group("neg") else "得")
        clause = re.split(r"[;；。]", m.string[:m.start()])[-1]
        each = "" if "每" in clause else f"每{m.group('u')}"  # 每新建一个街区，3分/个
        return f"{each}{verb}{m.group('n')}分"
    t = re.sub(rf"(?P<v>扣|减|加|得)?(?P<neg>-)?(?P<n>{NUM})分/(?P<u>{MEASURE})", per_unit, t)
    t = re.sub(r"得(\d+(?:\.\d+)?)(?=[,，;；。]|$)", r"得\1分", t)
    full = _FULL_MARK.search(t)
    if full and "得满分" in t:
        # 得满分3分 names its points: just 得3分
        t = re.sub(rf"得满分(?!{NUM}分)", f"得{full.group('n')}分", t).replace("得满分", "得")
    return t


def _label(t: str, r: Reading) -> str:
    first = r.metrics[0]["label"] if r.metrics else ""
    label = re.sub(r"（信用办评定）|数量$", "", first)
    return label[:30] or t[:30]
