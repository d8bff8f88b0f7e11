"""What changed between last year's scheme and this year's, in Chinese.

Indicators are paired by code first; an unpaired indicator whose name is close to an unpaired
one on the other side (rapidfuzz) is the same indicator renumbered. Points, names, rules (each
rule part in words), responsible units and due dates are compared per pair.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from rapidfuzz import fuzz

from schemes.model import Indicator, Scheme
from authoring.workbook import describe_part

__all__ = ["SchemeDiff", "diff_schemes"]

_SAME_NAME = 70  # token ratio above which two names are one indicator renumbered


def _pts(v: Decimal | None) -> str:
    if v is None:
        return "无分值"
    return f"{int(v) if v == v.to_integral_value() else v.normalize()}分"


@dataclass
class SchemeDiff:
    added: list[Indicator] = field(default_factory=list)
    removed: list[Indicator] = field(default_factory=list)
    changed: list[tuple[Indicator, Indicator, list[str]]] = field(default_factory=list)
    scheme: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = list(self.scheme)
        for ind in self.added:
            out.append(f"新增指标 {ind.code} {ind.name}（{_pts(ind.max_points)}）")
        for ind in self.removed:
            out.append(f"删除指标 {ind.code} {ind.name}（{_pts(ind.max_points)}）")
        for old, new, changes in self.changed:
            head = f"指标 {new.code} {new.name}" if old.code == new.code else \
                f"指标 {old.code} → {new.code} {new.name}"
            out.append(head + "：")
            out += [f"  - {c}" for c in changes]
        return out or ["两个方案的指标、分值和规则相同"]

    def to_json(self) -> dict:
        return {"scheme": self.scheme,
                "added": [{"code": i.code, "name": i.name} for i in self.added],
                "removed": [{"code": i.code, "name": i.name} for i in self.removed],
                "changed": [{"old_code": o.code, "code": n.code, "name": n.name, "changes": c}
                            for o, n, c in self.changed]}


def _rule(p, ind: Indicator) -> str:
    return describe_part(p, ind) + (f"（最高{_pts(p.max_points)}）" if p.max_points is not None
                                    and p.kind != "discretionary" else "")


def _rules(ind: Indicator) -> list[str]:
    return [f"{p.label + '：' if p.label else ''}{_rule(p, ind)}" for p in ind.parts]


def _rule_changes(old: Indicator, new: Indicator) -> list[str]:
    """Rules removed, added, or changed in place: a part is the same bullet when its label is
    (or, with no labels, its position among equally many parts), so a reworded or re-pointed
    bullet reads as one change, not as one removed and one added."""
    a, b = _rules(old), _rules(new)
    if a == b:
        return []
    if sorted(a) == sorted(b):
        return ["规则顺序调整"]
    gone = [k for k, r in enumerate(a) if r not in b]
    came = [k for k, r in enumerate(b) if r not in a]
    out = []
    for k in list(gone):
        po = old.parts[k]
        same = [j for j in came if (new.parts[j].label == po.label and po.label)
                or (not po.label and not new.parts[j].label and len(old.parts) == len(new.parts) and j == k)]
        if len(same) == 1:
            j = same[0]
            label = f"「{po.label}」" if po.label else "" if len(old.parts) == 1 else f"第{k + 1}条"
            out.append(f"规则{label}由「{_rule(po, old)}」改为「{_rule(new.parts[j], new)}」")
            gone.remove(k)
            came.remove(j)
    return ([f"删除规则：{a[k]}" for k in gone] + out + [f"新增规则：{b[j]}" for j in came])


def _compare(old: Indicator, new: Indicator) -> list[str]:
    out = []
    if old.code != new.code:
        out.append(f"编号由 {old.code} 改为 {new.code}")
    if old.name != new.name:
        out.append(f"名称由「{old.name}」改为「{new.name}」")
    if old.max_points != new.max_points:
        out.append(f"分值由 {_pts(old.max_points)} 改为 {_pts(new.max_points)}")
    out += _rule_changes(old, new)
    ou, nu = old.lead + old.responsible, new.lead + new.responsible
    if ou != nu:
        gone, came = [u for u in ou if u not in nu], [u for u in nu if u not in ou]
        bits = ([f"减少 {'、'.join(gone)}"] if gone else []) + ([f"增加 {'、'.join(came)}"] if came else [])
        out.append("责任单位" + ("；".join(bits) if bits else "排列调整"))
    od = old.due.text or old.due.frequency if old.due else "无"
    nd = new.due.text or new.due.frequency if new.due else "无"
    if (old.due.model_dump() if old.due else None) != (new.due.model_dump() if new.due else None):
        out.append(f"报送要求由「{od}」改为「{nd}」")
    if (old.gate.kind if old.gate else None) != (new.gate.kind if new.gate else None):
        zh = {"basic": "基础指标", "veto": "一票否决", "no_excellent": "一票否优", None: "非门槛"}
        out.append(f"门槛由「{zh[old.gate.kind if old.gate else None]}」改为"
                   f"「{zh[new.gate.kind if new.gate else None]}」")
    if old.per_unit != new.per_unit:
        how = {"mean": "各责任单位分别计分、全市取平均", "lowest": "各责任单位分别计分、全市取最低",
               "sum": "各责任单位分别计分、全市取合计", None: "全市统一计分"}
        out.append(f"计分方式由「{how[old.per_unit]}」改为「{how[new.per_unit]}」")
    return out


def _scheme_fields(old: Scheme, new: Scheme) -> list[str]:
    out = []
    for key, zh in (("title", "名称"), ("doc_number", "文号"), ("year", "年度"),
                    ("base_total", "基础分总分"), ("bonus_cap", "附加分上限"),
                    ("deduction_cap", "扣分上限")):
        a, b = getattr(old, key), getattr(new, key)
        if a != b:
            out.append(f"方案{zh}由 {a if a not in (None, '') else '无'} 改为 {b if b not in (None, '') else '无'}")
    ob = "、".join(f"{b.name}≥{b.min}" for b in old.bands)
    nb = "、".join(f"{b.name}≥{b.min}" for b in new.bands)
    if ob != nb:
        out.append(f"等级划分由「{ob or '无'}」改为「{nb or '无'}」")
    return out


def diff_schemes(old: Scheme, new: Scheme) -> SchemeDiff:
    d = SchemeDiff(scheme=_scheme_fields(old, new))
    olds = [i for _, i in old.indicators()]
    news = [i for _, i in new.indicators()]
    pairs: list[tuple[Indicator, Indicator]] = []

    def sim(o: Indicator, n: Indicator) -> float:
        return fuzz.ratio(o.name, n.name)

    def take(match) -> None:
        for o in list(olds):
            n = match(o)
            if n is not None:
                pairs.append((o, n))
                olds.remove(o)
                news.remove(n)

    # same code and a similar name; then the most similar name anywhere (renumbered); then
    # the same code with a new name (renamed); what is left was removed or added
    take(lambda o: next((n for n in news if n.code == o.code and sim(o, n) >= _SAME_NAME), None))
    take(lambda o: max((n for n in news if sim(o, n) >= _SAME_NAME), key=lambda n: sim(o, n),
                       default=None))
    take(lambda o: next((n for n in news if n.code == o.code), None))
    d.removed = olds
    d.added = news
    news = [i for _, i in new.indicators()]
    order = {id(n): k for k, n in enumerate(news)}
    for o, n in sorted(pairs, key=lambda p: order[id(p[1])]):
        changes = _compare(o, n)
        if changes:
            d.changed.append((o, n, changes))
    return d
