"""One drafted indicator -> its scheme entry: the bullets read as rule parts, metrics named,
codes, due dates, points left over or deducted from the indicator's own.
"""
from __future__ import annotations

import copy
import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

from authoring.detail_rules import pair_notes
from schemes.loader import UNRESOLVED
from authoring.rule_words import NUM, normalise, parse_number
from authoring.reading import Reading
from authoring.rule_steps import listed_count
from authoring.rule_reader import read_rule
from authoring.units import parse_units, prose_units
from authoring.bullets import split_bullets
from authoring.cell_text import _TAG
from authoring.outline import _Cat, _Ind


def _due(texts: list[str], year: int) -> dict[str, Any] | None:
    t = normalise(" ".join(texts))
    m = re.search(rf"每月({NUM})[日号](?:前|之前|以前)?", t)  # 每月10号前 is said as often
    if m:
        return {"frequency": "monthly", "day": int(parse_number(m.group(1))), "text": m.group(0)}
    m = re.search(rf"每(?:个)?季度(?:结束后|末|第一个月)?(?:({NUM})日(?:前)?)?", t)
    if m:
        out: dict[str, Any] = {"frequency": "quarterly", "text": m.group(0)}
        if m.group(1):
            out["day"] = int(parse_number(m.group(1)))
        return out
    m = re.search(r"(\d{1,2})月(\d{1,2})[日号](?:前|之前|以前)", t)
    if m:
        return {"frequency": "once", "date": f"{year}-{int(m.group(1)):02d}-{int(m.group(2)):02d}",
                "text": m.group(0)}
    m = re.search(r"年底|年终|每年|全年", t)
    if m:
        return {"frequency": "yearly", "text": m.group(0)}
    return None


def _rename(part: dict[str, Any], metrics: list[dict], prefix: str) -> None:
    """Give the part's metric names a per-part prefix so two bullets never share one."""
    names = {m["name"]: prefix + m["name"] for m in metrics}
    for m in metrics:
        m["name"] = names[m["name"]]
    for key in ("value", "expr"):
        if isinstance(part.get(key), str):
            part[key] = re.sub(r"\b[A-Za-z_]\w*\b",
                               lambda mm: names.get(mm.group(0), mm.group(0)), part[key])
    if "metric" in part:
        part["metric"] = names.get(part["metric"], part["metric"])
    for item in part.get("items", []):
        item["metric"] = names.get(item["metric"], item["metric"])


def _part(reading: Reading, n: int, many: bool) -> tuple[dict[str, Any], list[dict]]:
    part = reading.part()
    metrics = [dict(m) for m in reading.metrics]
    why = reading.reason
    if reading.kind is None:
        part = {"kind": "discretionary", "metric": "points", "text": reading.text}
        metrics = [{"name": "points", "label": "信用办评定分数（待确认规则）", "type": "number",
                    "unit": "分"}]
    elif reading.kind == "task" and not why:  # no points in a scored table: a gap, not a task
        why = "本条没有分值，暂读作工作任务（不计分）；请写明计分办法或确认不计分"
    found = _office_findings(reading, metrics)
    if found and why:  # staff check this bullet anyway: the proposal is part of what they check
        why = f"{why}；{found}"
    elif found:  # a confident reading: said beside the rule, not one more 待确认
        part["note"] = "；".join(filter(None, [part.get("note"), found]))
    if why:
        # after `kind`, never first: deleting the 待确认 line must not delete the list's "- "
        part = {"kind": part["kind"], UNRESOLVED: why,
                **{k: v for k, v in part.items() if k != "kind"}}
    if many:
        _rename(part, metrics, f"p{n}_")
    return part, metrics


NO_RULES = "没有评分标准"

# What the office finds rather than what a unit reports: concealment, cases notified from above,
# what monitoring or checks detect. Only where the bullet takes points away (or names 瞒报),
# so that 通报的创新做法 (praise a unit reports itself) is not caught.
_FINDING = re.compile(r"瞒报|通报|监测到|发现|核查|抽查|约谈|投诉|督查|检查")
_NONE_WORDS = ("未", "无", "没有", "不")


def _office_findings(reading: Reading, metrics: list[dict]) -> str:
    """Propose `entered_by: office` with a default (nothing found) for the count or 是/否 a bullet
    like 出现瞒报…扣分 / 被…通报的…扣分 reads; the 待确认 text asks staff to check it."""
    text = normalise(reading.text)
    if not _FINDING.search(text) or not (reading.kind == "deduction" or "瞒报" in text):
        return ""
    said = []
    for m in metrics:
        if m.get("type") == "count":
            m.update(entered_by="office", default=0)
            said.append(f"「{m['label']}」未录入时按0计")
        elif m.get("type") == "bool":
            none = str(m.get("label", "")).startswith(_NONE_WORDS)  # 未出现瞒报: true means none found
            m.update(entered_by="office", default=none)
            said.append(f"「{m['label']}」未录入时按{'是' if none else '否'}计")
    if not said:
        return ""
    return (f"信用办核查或上级通报得知的情况：读作由信用办录入（entered_by: office），"
            f"{'，'.join(said)}（default），请核对")


def _row_name(ind: _Ind, readings: list[Reading]) -> str:
    """A name for a row whose name cell is empty: what its first rule counts or checks
    (每报送1个信用联合奖惩案例得1分 -> 信用联合奖惩案例), else the start of its rule."""
    label = re.sub(r"[（(][^()（）]*[)）]$", "", next((r.metrics[0]["label"] for r in readings if r.metrics), ""))
    label = re.sub(r"^(?:每|按时|按期)?(?:报送|上报|开展|完成|建立)?(?:\d+|[一二三四五六七八九十])?(?:个|次|项|件)?", "", label)
    text = re.split(r"[,，;；。:：]", normalise(" ".join(ind.rules)))[0]
    return (label if 2 <= len(label) <= 20 else text[:16]) or ind.code


_MARK = re.compile(r"^\s*([\u2460-\u2473\u2776-\u277f\u2780-\u2793]|[(（]?\d{1,2}[)）、.．])")


def _distinct_labels(parts: list[dict[str, Any]], metrics: list[dict], readings: list[Reading]) -> None:
    """Two bullets of one indicator asking for the same words (①归集数据量 … ②归集数据量) are told
    apart by the document's own mark (①), else by their order, so a liaison knows which is which."""
    seen: dict[str, int] = {}
    for m in metrics:
        seen[m["label"]] = seen.get(m["label"], 0) + 1
    if all(v == 1 for v in seen.values()):
        return
    for n, (part, r) in enumerate(zip(parts, readings), start=1):
        mark = _MARK.match(r.text)
        tag = mark.group(1) if mark and re.match(r"[\u2460-\u2473\u2776-\u2793]", mark.group(1)) else f"第{n}条"
        names = {m["name"] for m in metrics if m["name"].startswith(f"p{n}_") or len(parts) == 1}
        for m in metrics:
            if m["name"] in names and seen.get(m["label"], 0) > 1:
                m["label"] = f"{m['label']}（{tag}）"
                if part.get("label") and part["label"] + f"（{tag}）" == m["label"]:
                    part["label"] = m["label"]


def _indicator(ind: _Ind, year: int, tasks: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"code": ind.code, "name": ind.name or ind.code}
    bullets = [b for r in ind.rules for b in split_bullets(r)]
    if tasks:
        out["parts"] = [{"kind": "task", "label": ind.name}]
        out["metrics"] = [{"name": "progress", "label": "工作进展", "type": "text"}]
        out["content"] = ind.content[:400]
    else:
        readings = [read_rule(b) for b in bullets] or [Reading(text="", reason=NO_RULES)]
        for k, (note, finer) in ind.refined.items():
            readings[k] = replace(finer, text=f"{bullets[k]}（评分细则：{note}）")
        _listed_before(bullets, readings)
        if len(readings) == 1 and ind.points and not ind.gate:
            _deduct_from_own(readings[0], ind.points)
        if ind.gate:
            readings = [_as_gate(r, ind) for r in readings[:1]]
        readings, first = _expand_each(readings)
        parts, metrics = [], []
        many = len(readings) > 1
        for n, r in enumerate(readings, start=1):
            p, ms = _part(r, n, many)
            parts.append(p)
            metrics += ms
        _distinct_labels(parts, metrics, readings)
        for n, r in enumerate(readings, start=1):
            for target in (first.get(k) for k in r.links):
                if target and target != n:
                    parts[n - 1]["id"] = f"p{n}"
                    parts[target - 1].setdefault("requires", []).append(f"p{n}")
        if ind.gate:
            out["gate"] = {"kind": readings[0].gate or "basic", "metric": metrics[0]["name"]}
        elif not ind.points and len(readings) == 1 and readings[0].gate in ("veto", "no_excellent"):
            # 发生重大失信事件的，实行一票否优 in a row of its own, no points printed: a gate
            # that takes no points (as the scheme has it), not an item whose points are missing
            out["gate"] = {"kind": readings[0].gate, "metric": metrics[0]["name"]}
        else:
            # a deduction from a start (得6分；每迟报1次扣1分) gives at most its start
            got = [r.points for r in readings if r.points is not None and (
                r.kind != "deduction" or r.params.get("base"))]
            if ind.points is None and got and len(got) == len(readings):
                ind.points = sum(got, Decimal(0))
            if ind.points is None:
                out[UNRESOLVED] = "没有读出本指标的分值，请填写 max_points"
                ind.points = Decimal(0)
            out["max_points"] = ind.points
        if not ind.name and any(ind.rules):
            out["name"] = _row_name(ind, readings)
            out["note"] = "名称栏为空：名称取自评分标准，请核对"
        out["metrics"] = metrics
        out["parts"] = parts
        if ind.content:
            out["content"] = re.sub(r"\s+", "", _TAG.sub("", ind.content))[:400]
    lead, resp = parse_units(ind.responsible)
    if not lead and not resp and not tasks:
        # no 责任单位 printed: the units its 落实路径 names (市信用办准备相关佐证资料) do the work
        resp = prose_units(ind.note)
    if lead:
        out["lead"] = lead
    if resp:
        out["responsible"] = resp
    if ind.evidence:
        out["evidence"] = re.sub(r"\s+", "", _TAG.sub("", ind.evidence))[:400]
    due = _due([ind.due, *ind.rules, ind.content], year)
    if due:
        out["due"] = due
    if ind.note:
        out["note"] = ((out["note"] + "；") if "note" in out else "") + re.sub(r"\s+", "", _TAG.sub("", ind.note))[:400]
    return out


def _refine(cats: list[_Cat]) -> None:
    """Pair the table's 评分细则 notes with the bullets they refine; the notes are scattered by
    page breaks, so any note may belong to any category."""
    notes = [n for c in cats for n in c.details]
    if not notes:
        return
    bullets = [((id(ind), k), b, read_rule(b)) for c in cats if c.section != "gate" for ind in c.inds
               for k, b in enumerate(b for r in ind.rules for b in split_bullets(r))]
    by_id = {id(ind): ind for c in cats for ind in c.inds}
    for (ind_id, k), got in pair_notes(notes, bullets).items():
        by_id[ind_id].refined[k] = got


def _listed_before(bullets: list[str], readings: list[Reading]) -> None:
    """上述领域每1个领域…得0.5分 with no cap of its own: the list was in an earlier bullet
    (包括生产、流通…等领域), which sets the most it can give."""
    listed = 0
    for b, r in zip(bullets, readings):
        listed = listed_count(b) or listed
        if r.kind == "per_item" and r.points is None and listed and re.search(r"上述|以上|前述", b):
            r.points = r.params["points"] * listed / r.params.get("per", 1)
            r.words.append(f"上述{listed}项")


def _deduct_from_own(r: Reading, points: Decimal) -> None:
    """'(一)事业单位信用状况(4分) 未整改到位扣2分，最低得0分': the item's own points are what
    the deductions come off, down to 0 (not a one-off 2 off the total)."""
    if r.kind == "deduction" and "base" not in r.params and not r.reason and re.search(
            r"最低得?(?:为)?0分|扣完为止|扣至0分|减至0分", normalise(r.text)):
        r.params["base"] = points
        r.params.pop("cap", None)
        r.points = points
        r.words.append(f"本项{_fmt_points(points)}分扣完为止")


def _fmt_points(v: Decimal) -> str:
    return format(v.normalize(), "f")


def _expand_each(readings: list[Reading]) -> tuple[list[Reading], dict[int, int]]:
    """水费、电费…各得2分 is one rule per name: one part each. Also returns where each bullet
    (1-based, as 第二条 counts them) now starts."""
    out: list[Reading] = []
    first: dict[int, int] = {}
    for k, r in enumerate(readings, start=1):
        first[k] = len(out) + 1
        names: list[str | None] = [*r.each_of] or [None]
        for name in names:
            if name is None:
                out.append(r)
                continue
            out.append(replace(r, each_of=[], label=name, params=copy.deepcopy(r.params),
                               metrics=[dict(m, label=f"{name}：{m['label']}") for m in r.metrics]))
    return out, first


def _as_gate(r: Reading, ind: _Ind) -> Reading:
    """A 基础指标 row is a pass/fail gate whatever its wording."""
    if r.kind == "pass_fail":
        return r
    return Reading(text=r.text, kind="pass_fail", params={"metric": "passed"},
                   metrics=[{"name": "passed", "label": normalise(ind.name)[:60] or "达标",
                             "type": "bool"}], words=["基础指标"], gate="basic")


def _bullet_name(bullet: str) -> str:
    """'地区不良贷款率。地区不良贷款率可从…' / '诚信分：使用…' / '失信行为穿透式监管根据…':
    a bullet that opens with its own short title."""
    t = re.sub(r"^(?:\d+[.、]|\(\d+\)|[①-⑩])\s*", "", normalise(bullet))
    t = re.sub(rf"^\({NUM}分\)", "", t)  # the bullet's own points, before its title
    m = re.match(r"^([^,，。:：;；()（）]{2,16}?)(?:[。:：]|(?=根据|按照|是指|指的是))", t)
    return m.group(1) if m and not re.search(r"得|分|的$", m.group(1)) else ""


def _split_cat(cat: _Cat) -> None:
    """No indicator column (or 扣分情形): each bullet of the category is its own indicator."""
    out = []
    for ind in cat.inds:
        bullets = [b for r in ind.rules for b in split_bullets(r)]
        if len(bullets) <= 1:
            out.append(ind)
            continue
        # one group of units per bullet, as a cell lists them line by line (OCR: wide gaps)
        groups = [g for g in re.split(r"\s{3,}|\n", ind.responsible.strip()) if g]
        per_bullet = len(groups) == len(bullets)
        readings = [read_rule(b) for b in bullets]
        _listed_before(bullets, readings)
        for k, (b, r) in enumerate(zip(bullets, readings)):
            name = _bullet_name(b) or re.sub(rf"^(?:\d+[.、]|[(（]\d+[)）])?(?:\({NUM}分\))?", "",
                                             r.label or normalise(b)[:24])
            out.append(_Ind("", name[:30], r.points, [b], evidence=ind.evidence,
                            responsible=groups[k] if per_bullet else ind.responsible,
                            due=ind.due, note=ind.note))
    cat.inds = out


def _remainder_points(cat: _Cat) -> None:
    """One indicator that prints no points of its own (每增加1个未接入的大厅减1分) in a category
    whose 分值 is known: it has what the others leave, as staff would reckon it."""
    if cat.points is None or cat.section not in ("base", "bonus"):
        return
    unknown = [i for i in cat.inds if i.points is None and not any(
        read_rule(b).points is not None and read_rule(b).kind != "deduction"
        for r in i.rules for b in split_bullets(r))]
    if len(unknown) != 1 or len(cat.inds) < 2:
        return
    rest = cat.points - sum((i.points or Decimal(0) for i in cat.inds), Decimal(0))
    if rest > 0:
        unknown[0].points = rest
        unknown[0].note = (unknown[0].note + "\n" if unknown[0].note else "") + \
            f"分值未写明，按类别分值{_fmt_points(cat.points)}分减去其他指标推定为{_fmt_points(rest)}分，请核对"


def _lone_points(cat: _Cat) -> None:
    """A category's only indicator whose name says （4分） while the category's 分值 and its
    bullets both say 8: two of the three agree, so 8 it is (staff see both in the text)."""
    if len(cat.inds) != 1 or cat.points is None or cat.inds[0].points in (None, cat.points):
        return
    got = [read_rule(b).points for r in cat.inds[0].rules for b in split_bullets(r)]
    said = [p for p in got if p is not None]
    if got and len(said) == len(got) and sum(said, Decimal(0)) == cat.points:
        cat.inds[0].points = cat.points


def _codes(cat: _Cat, dotted: bool = False) -> None:
    """Number a category's unnumbered indicators 类.1, 类.2 …; a lone one keeps the category's
    code, unless the table numbers its other categories' indicators that way (then 一.1)."""
    if len(cat.inds) == 1 and not cat.inds[0].code and not dotted:
        cat.inds[0].code = cat.code
    for n, ind in enumerate(cat.inds, start=1):
        if not ind.code:
            ind.code = f"{cat.code}.{n}"
        elif cat.section == "gate" and re.fullmatch(r"\d+", ind.code):
            ind.code = f"基础{ind.code}"
