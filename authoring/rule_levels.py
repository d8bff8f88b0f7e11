"""Rules that choose a level: bands (达到X%得Y分), a share of the full mark, cases (若…则…),
losing everything, tasks, checklists and threshold gates.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from authoring.reading import Reading, _BARE, _FULL_MARK, _POINTS, _Unsure, _cap, _metric, _pts, _subject
from authoring.rule_words import MEASURE, NUM, RATIO_TEXT, _RATIO, _fmt, _ratio, normalise, parse_number, ratio_of

_UNIT = rf"(?:{MEASURE}|万元|元|万人|人次)"
_COND = re.compile(
    rf"(?P<pre>低于|少于|小于|不足|未达到|未达|高于|超过|大于|多于|不低于|不少于|不高于|不超过|达到|达|在|等于|为|≥|>=|≤|<=|<|>|前|后)?"
    rf"(?P<a>{RATIO_TEXT})(?P<wa>万(?!元)|千)?(?P<ua>{_UNIT})?(?P<inc>\(含\))?"
    rf"(?:(?:-|至|到)(?P<b>{RATIO_TEXT})(?P<wb>万(?!元)|千)?(?P<ub>{_UNIT})?)?"
    rf"(?P<post>以上|以下|及以上|及以下|以内|之间|\(含\)|（含）)?")


def _cval(c: re.Match, g: str) -> tuple[Decimal, bool]:
    """A bound of a _COND match with its 万/千 (10万条 -> 100000) and whether it is a ratio."""
    v, is_ratio = ratio_of(c.group(g))
    w = c.group("w" + g)
    return v * (10000 if w == "万" else 1000 if w == "千" else 1), is_ratio


def _bound(pre: str, post: str, v: Decimal) -> dict[str, Decimal] | None:
    out = _bound_open(pre, post, v)
    if out and post in ("(含)", "（含）"):  # 小于十万分之一（含）: the limit itself is inside
        out = {{"lt": "le", "gt": "ge"}.get(k, k): x for k, x in out.items()}
    return out


def _bound_open(pre: str, post: str, v: Decimal) -> dict[str, Decimal] | None:
    if pre in ("为", "等于") and not post:
        return {"eq": v}
    if pre in ("低于", "少于", "小于", "不足", "未达到", "未达", "<"):
        return {"lt": v}
    if pre in ("高于", "超过", "大于", "多于", ">"):
        return {"gt": v}
    if pre in ("不低于", "不少于", "达到", "达", "≥", ">=") or post in ("以上", "及以上"):
        return {"ge": v}
    if pre in ("不高于", "不超过", "≤", "<=") or post in ("以下", "及以下", "以内"):
        return {"le": v}
    return None


def _full_else_share(t: str, r: Reading) -> bool:
    """入库率95%以上（含95%）得6分；95%以下的按百分比×6得分 -> piecewise (≥95%: 6, else 6x);
    反馈率达到100%的得3分，低于100%的按实际比例得分 / 达到200次的得2分，不足的按比例得分 ->
    formula 3x / 2x÷200 up to the full mark."""
    m = re.search(rf"(?P<full>{RATIO_TEXT})(?P<wan>万|千)?(?:{_UNIT})?(?:及以上|以上)?(?:\(含[^()]{{0,12}}\))?(?:的)?[,，]?"
                  rf"(?:得|计)(?P<pts>{NUM})分[^;；。]*?[;；。,，](?P<rest>[^;；。]*?)(?:按|以)(?:照)?"
                  rf"(?P<how>百分比|实际比例|完成比例|比例|[\u4e00-\u9fff]{{0,6}}?率)(?:[*](?P<k>{NUM})分?)?"
                  rf"(?:得分|计分|折算|计算|给分|赋分)", t)
    if not m or not re.search(r"以下|低于|不足|未达到?|未满|少于", m.group("rest")):
        return False
    full, pct = ratio_of(m.group("full"))
    if m.group("wan"):
        full *= 10000 if m.group("wan") == "万" else 1000
    pts = parse_number(m.group("pts"))
    value = "rate" if pct else "value"
    label = re.sub(r"(?:达到|达|为|在|超过|满)$", "", _subject(t, m.start())) or ("比率" if pct else "完成数")
    r.points, r.words = pts, [m.group(0)]
    r.metrics = [_metric(value, label, "percent" if pct else "number")]
    if m.group("k") or m.group("how") == "百分比" or m.group("how").endswith("率") and pct:
        k = parse_number(m.group("k")) if m.group("k") else pts
        r.kind = "piecewise"
        r.params = {"value": value, "pieces": [{"ge": full, "then": pts}, {"then": f"{_fmt(k)} * x"}]}
        return True
    r.kind = "formula"
    scale = "" if full == 1 else f" / {_fmt(full)}"
    r.params = {"expr": f"{_fmt(pts)} * {value}{scale}"}
    return True


def _share(t: str, r: Reading) -> bool:
    """按完成比例得分，满分6分 / 完成工作要点12分，未完成的按照任务量比例扣分: the points times
    the share done. 根据A和B按比值给分 names no division: staff write it out."""
    if re.search(r"按(?:照)?比值(?:给分|计分|得分|赋分)", t):
        raise _Unsure("写了按比值计分，但没有写明哪个数除以哪个数：请写成“得分=A/B×N”")
    m = re.search(r"按(?:照)?(?P<what>[^;；。,，按]{0,8}?)比例(?P<how>扣分|得分|计分|给分|赋分|折算)", t)
    if not m:
        return False
    cap, capw = _cap(t)
    if cap is None:
        full = _FULL_MARK.search(t) or re.search(rf"(?P<n>{NUM})分", t[:m.start()])
        if not full:
            return False
        cap, capw = parse_number(full.group("n")), full.group(0)
    r.kind, r.points = "formula", cap
    what = m.group("what").strip("的") or "完成"
    r.params = {"expr": f"{_fmt(cap)} * share"}
    r.metrics = [_metric("share", f"{what}比例" if not what.endswith("率") else what, "percent")]
    r.words = [m.group(0), capw]
    return True


_GOT = re.compile(rf"(?:得|计)(?P<n>{NUM})分|不得分|不计分|{_BARE}")


def _bands(t: str, r: Reading) -> bool:
    # 是/否 tiers: 如果为“是”，得0分；如果为“否”，得2分
    yes = re.search(rf"为?[“\"]?是[”\"]?[,，的]*(?:得|计)({NUM})分", t)
    no = re.search(rf"为?[“\"]?否[”\"]?[,，的]*(?:(?:得|计)({NUM})分|不得分|不计分)", t)
    if yes and no:
        y, n = parse_number(yes.group(1)), parse_number(no.group(1) or "0")
        r.kind, r.points = "bands", max(y, n)
        r.params = {"value": "answer", "pieces": [{"eq": True, "then": y}, {"eq": False, "then": n}]}
        r.metrics = [_metric("answer", _subject(t, min(yes.start(), no.start())) or "是否", "bool")]
        r.words = [yes.group(0), no.group(0)]
        return True
    pieces: list[dict[str, Any]] = []
    words: list[str] = []
    percent, prev_end = False, 0
    for got in _GOT.finditer(t):
        pts = _pts(got)
        window = t[prev_end:got.start()]
        prev_end = got.end()
        conds = [c for c in _COND.finditer(window) if _is_condition(c)]
        if not conds and pts > 0 and pieces and re.search(r"其余|其他|否则|剩余", window):
            pieces.append({"then": pts})  # 其余得1分: everything the bands above leave
            words.append(got.group(0))
            break
        if not conds and pts > 0:
            return False  # points this reading cannot place in a band: not a banding
        if not conds:
            continue
        piece = _piece(conds[-1])
        if not piece:
            continue
        percent = percent or ratio_of(conds[-1].group("a"))[1]
        piece["then"] = pts
        pieces.append(piece)
        words.append(conds[-1].group(0) + got.group(0))
    if not pieces:
        return False
    if all(p["then"] == 0 for p in pieces):
        r.reason = "只写了不得分的情形：请把它并入本指标的计分规则（用 requires 关联，或作为门槛）"
        return False
    between = re.search(r"(?:介于|在)(?:两者|二者|上述两者|其)?之间的?[,，]?(?:按比例|线性|等比例)(?:计分|得分|赋分|折算)?", t)
    if between and len(pieces) == 2:
        return _interpolated(t, r, pieces, words + [between.group(0)], percent)
    if not any(set(p) == {"then"} for p in pieces) and all(p["then"] > 0 for p in pieces):
        pieces.append({"then": Decimal(0)})  # anything else scores nothing
    r.kind = "bands"
    r.points = max(p["then"] for p in pieces)
    r.params = {"value": "rate" if percent else "value", "pieces": pieces}
    first = next(c for c in _COND.finditer(t) if _is_condition(c))
    r.metrics = [_metric(r.params["value"], _subject(t, first.start()) or "数值",
                         "percent" if percent else "number")]
    r.words = words
    return True


def _interpolated(t: str, r: Reading, pieces: list[dict], words: list[str], percent: bool) -> bool:
    """≤a得P分；>b不得分；介于两者之间按比例计分 -> piecewise, linear from (a, P) to (b, Q)."""
    def edge(p: dict) -> Decimal:
        return next(p[k] for k in ("lt", "le", "gt", "ge", "eq") if k in p)
    (p1, p2) = pieces
    a, b = edge(p1), edge(p2)
    if a == b:
        return False
    pa, pb = p1["then"], p2["then"]
    if b == 0 and pb == 0 and a > 0:
        # 达到100%得2分，为0不得分，之间按比例: plain proportion, a formula staff read at a glance
        return _proportional(t, r, a, pa, words, percent)
    fa, fb = format(a.normalize(), "f"), format(b.normalize(), "f")
    r.kind = "piecewise"
    r.points = max(pa, pb)
    r.params = {"value": "rate" if percent else "value", "pieces": [
        p1, p2, {"then": f"{_fmt(pb)} + ({_fmt(pa)} - {_fmt(pb)}) * ({fb} - x) / ({fb} - {fa})"}]}
    first = next(c for c in _COND.finditer(t) if _is_condition(c))
    r.metrics = [_metric(r.params["value"], _subject(t, first.start()) or "数值",
                         "percent" if percent else "number")]
    r.words = words
    return True


def _proportional(t: str, r: Reading, full_at: Decimal, pts: Decimal, words: list[str],
                  percent: bool) -> bool:
    value = "rate" if percent else "value"
    scale = "" if full_at == 1 else f" / {format(full_at.normalize(), 'f')}"
    r.kind = "formula"
    r.points = pts
    r.params = {"expr": f"{_fmt(pts)} * {value}{scale}"}
    first = next(c for c in _COND.finditer(t) if _is_condition(c))
    r.metrics = [_metric(value, _subject(t, first.start()) or "数值", "percent" if percent else "number")]
    r.words = words
    return True


_CASE = re.compile(r"(?:如果|若|当)(?P<cond>[^,，:：;；。]+?)(?:时)?[,，](?:则)?(?P<out>[^,，;；。]+)")
_OPS = {"<": "lt", "<=": "le", "≤": "le", ">": "gt", ">=": "ge", "≥": "ge", "=": "eq"}
_FLIP = {"lt": "gt", "le": "ge", "gt": "lt", "ge": "le", "eq": "eq"}


def _case_bounds(cond: str) -> tuple[str, dict[str, Decimal], bool] | None:
    """'2%≤不良贷款率<5%' -> ('不良贷款率', {ge: .02, lt: .05}, True); '率≥5%' likewise."""
    op = r"<=|>=|≤|≥|<|>|="
    m = re.fullmatch(rf"(?P<a>{RATIO_TEXT})(?P<o1>{op})(?P<name>.+?)(?P<o2>{op})(?P<b>{RATIO_TEXT})", cond)
    if m and m.group("o1") != "=" and m.group("o2") != "=":
        (a, pa), (b, pb) = ratio_of(m.group("a")), ratio_of(m.group("b"))
        return m.group("name"), {_FLIP[_OPS[m.group("o1")]]: a, _OPS[m.group("o2")]: b}, pa or pb
    m = re.fullmatch(rf"(?P<name>.+?)(?P<o>{op})(?P<a>{RATIO_TEXT})", cond)
    if m:
        a, pct = ratio_of(m.group("a"))
        return m.group("name"), {_OPS[m.group("o")]: a}, pct
    # 办结率低于60% / 办结率在90%以上
    m = re.fullmatch(rf"(?P<name>.+?)(?P<pre>不低于|不少于|不高于|不超过|低于|小于|少于|不足|高于|大于|超过|"
                     rf"多于|达到|在|为)?(?P<a>{RATIO_TEXT})(?P<post>及以上|及以下|以上|以下|以内)?", cond)
    if m and (m.group("pre") or m.group("post")):
        a, pct = ratio_of(m.group("a"))
        bounds = _bound_open(m.group("pre") or "", m.group("post") or "", a)
        return (m.group("name"), bounds, pct) if bounds else None
    return None


def _cases(t: str, r: Reading) -> bool:
    """如果X<2%，得2分；如果2%≤X<5%，得分=2/3*(5-X*100)；如果X≥5%，得0分: one case per range,
    in order, a formula in some -> piecewise over x = X. A bound the cases before already
    settle (2%≤ after <2%) is left out; a last case with nothing left to check is 'otherwise'."""
    cases, words, name, pct = [], [], "", False
    for m in _CASE.finditer(t):
        got = _case_bounds(m.group("cond"))
        out = re.match(rf"(?:得|计)(?P<n>{NUM})分|不得分|不计分|(?:得分|分值)=(?P<f>[^;；。]+)", m.group("out"))
        if not got or not out or (name and got[0] != name):
            continue
        name, bounds, is_pct = got
        pct = pct or is_pct
        if out.group("f"):
            expr = out.group("f").replace(name, "x").replace("（", "(").replace("）", ")")
            if not re.fullmatch(r"[\dx.+\-*/() ]+", expr):
                return False
            try:
                from schemes.expr import check_expr
                check_expr(expr)
            except ValueError:
                return False
            then: Any = expr
        else:
            then = parse_number(out.group("n")) if out.group("n") else Decimal(0)
        cases.append((bounds, then))
        words.append(m.group(0))
    if len(cases) < 2 or not any(isinstance(then, str) for _, then in cases):
        return False
    pieces, edges = [], set()
    for bounds, then in cases:
        left = {k: v for k, v in bounds.items() if v not in edges}
        edges |= set(bounds.values())
        pieces.append({**left, "then": then})
    last = pieces[-1]
    if set(last) != {"then"} and all(v in edges for k, v in cases[-1][0].items()):
        pieces[-1] = {"then": last["then"]}
    r.kind = "piecewise"
    fixed = [then for _, then in cases if not isinstance(then, str)]
    cap, capw = _cap(t)
    r.points = cap if cap is not None else (max(fixed) if fixed else None)
    r.params = {"value": "rate" if pct else "value", "pieces": pieces}
    r.metrics = [_metric(r.params["value"], name, "percent" if pct else "number")]
    r.words = words
    return True


def _lose_all(t: str, r: Reading) -> bool:
    """此项满分为2分；如发生信息安全事件的，此项不得分: full points unless the event happened
    (a yes/no question: 是 -> 0, otherwise full)."""
    # only a full mark with no condition of its own (X的得3分；若Y不得分 stays a checklist item)
    full = re.search(rf"(?:满分分?为?|(?:此项|本项|该项)(?:满分)?(?:为|计)?)(?P<n>{NUM})分", t)
    if not full or re.search(r"酌情|视情况|综合评定", t):  # judged within the mark, not all-or-nothing
        return False
    lose = re.search(r"(?:如|若|凡|一旦)(?:果)?(?P<what>[^;；。]{2,120}?)的?[,，]?(?:则)?(?:此项|本项|该项)?"
                     r"(?:不得分|不计分|得0分|计0分)", t[full.end():])
    if not lose:  # 本项1分，被列入失信名单的单位，本项不得分: the condition without 如
        lose = re.search(r"^[,，](?P<what>[^;；。]{2,120}?)(?:的单位|的)?[,，]?(?:此项|本项|该项)(?:不得分|不计分|得0分|计0分)",
                         t[full.end():])
    if not lose or re.search(rf"{NUM}分|每", lose.group("what")):
        return False
    pts = parse_number(full.group("n"))
    r.kind, r.points = "bands", pts
    r.params = {"value": "happened", "pieces": [{"eq": True, "then": Decimal(0)}, {"then": pts}]}
    what = re.sub(r"(?:的|者)?[,，]?$", "", lose.group("what"))[:60]
    r.metrics = [_metric("happened", f"是否{what}", "bool")]
    r.words = [full.group(0), lose.group(0)[:40]]
    return True


def _task(t: str, r: Reading) -> bool:
    """A work-plan item with no points at all: tracked by progress reports."""
    if "分" in re.sub(r"[十千百万]分之|部分|充分|分类|分级|分工|区分|分析|分别", "", t):
        return False
    m = re.search(r"完成|推进|推动|建立|健全|完善|制定|开展|落实|加强|提升|实现|做好|深化|强化|构建|实施|规范|明确", t)
    if not m or len(t) < 6:
        return False
    r.kind = "task"
    r.params = {"metric": "progress"}
    r.metrics = [_metric("progress", "工作进展", "text")]
    r.words = [m.group(0), "（未写分值）"]
    return True


def _is_condition(c: re.Match) -> bool:
    """A number that is a threshold (低于2%, 90%-95%, 5条以上), not a count in passing."""
    a = _RATIO.fullmatch(c.group("a"))
    if not a:
        return False
    is_ratio = _ratio(a)[1]
    if c.group("pre") in ("前", "后"):  # 位居前20%: a share of the ranking; 前三名 is a rank, not a band
        return is_ratio
    if c.group("b") and c.group("pre") in (None, "在") and (
            c.group("ua") or c.group("ub") or ratio_of(c.group("b"))[1]):
        return True  # 500-1000页的 / 3至5个工作日的
    if c.group("pre") in ("为", "等于") and not c.group("post") and not c.group("b"):
        # 退出率为0的不得分 / 为100%时: a value named as a case; 得分为0、2两档 is not one
        return bool(re.match(rf"(?:{MEASURE})?(?:的|时|者)", c.string[c.end():]))
    return bool(is_ratio and (c.group("pre") or c.group("post") or c.group("b")
                              or _ratio(a)[0] == 1)
                or (c.group("pre") and c.group("pre") not in ("在", "为", "达")
                    and (c.group("post") or c.group("pre"))) or (c.group("post") and not is_ratio))


def _piece(c: re.Match) -> dict[str, Any]:
    av, is_ratio = _cval(c, "a")
    if c.group("b"):
        bv, b_ratio = _cval(c, "b")
        if b_ratio and not is_ratio:  # 2%-5%: the first number shares the second's unit
            raw = _RATIO.fullmatch(c.group("b"))
            assert raw is not None  # b_ratio: the group is a ratio
            av = av * bv / parse_number(raw.group("a") or raw.group("b"))
        if c.group("wb") and not c.group("wa"):  # 5-10万元: both in 万
            av *= 10000 if c.group("wb") == "万" else 1000
        return {"ge": av, "lt": bv}
    if c.group("pre") == "前":
        return {"le": av}
    if c.group("pre") == "后":  # 位居后50%: below the first half of the ranking
        return {"gt": 1 - av}
    post = c.group("post") or ("(含)" if c.group("inc") and not c.group("post") else "")
    return _bound(c.group("pre") or "", post, av) or ({"ge": av} if av == 1 and is_ratio else {})


def _threshold_gate(t: str, r: Reading) -> bool:
    """统一社会信用代码重错率低于万分之一: a threshold with no points is a pass/fail gate."""
    if _POINTS.search(t) or "分" in re.sub(r"[十千百万]分之", "", t):
        return False
    c = next((c for c in _COND.finditer(t) if _is_condition(c)), None)
    if c is None:
        return False
    piece = _piece(c)
    if not piece:
        return False
    r.kind = "pass_fail"
    r.params = {"metric": "passed"}
    r.metrics = [_metric("passed", normalise(t).rstrip("。"), "bool")]
    r.words = [c.group(0)]
    r.reason = ""
    return True


def _graded(items: list[tuple[str, Decimal, str]]) -> re.Match | None:
    """审读结果为优的，10分；审读结果为良的，5分: the items name one thing in different grades
    (their words differ only in a few characters), so only one of them can apply."""
    import os.path
    subjects = [re.split(r"[,，]", s)[-1] for s, _, _ in items]  # 统计期内，…: the item's own words
    for a, b in zip(subjects, subjects[1:]):
        head = len(os.path.commonprefix([a, b]))
        tail = len(os.path.commonprefix([a[head:][::-1], b[head:][::-1]]))
        if head >= 4 and len(a) - head - tail <= 4 and len(b) - head - tail <= 4:
            return re.match(".*", a[head:len(a) - tail] + "/" + b[head:len(b) - tail])
    return None


def _negated(items: list[tuple[str, Decimal, str]]) -> re.Match | None:
    """申报信息完整、准确的，10分；申报信息不完整，5分: one item is another said with 不/未 — the
    two cannot both hold."""
    for a, _, _ in items:
        for b, _, _ in items:
            m = re.search(r"不|未|没有", b)
            plain = re.sub(r"不|未|没有", "", b)
            if m and a != b and len(plain) >= 2 and not re.search(r"不|未|没有", a) and (
                    plain in a or a in plain):
                return re.match(".*", f"{a}/{b}")
    return None


def _checklist(t: str, r: Reading) -> bool:
    items = []
    for clause in re.split(r"(?<=[;；。])", t):  # each clause keeps its end: 活动（1分）。
        start = 0
        for got in _POINTS.finditer(clause):
            before = clause[:got.start()]
            if re.search(r"最高|最多|不超过", before[-4:]):
                continue
            # 国家级表彰的加3分，省级表彰的加2分: each item's words start after the one before
            subject = _subject(clause[start:], got.start() - start) or _subject(clause, got.start())
            items.append((subject, _pts(got), got.group(0)))
            start = got.end()
    if not items:
        return False
    r.kind = "checklist"
    tiers = len(items) > 1 and (re.search(
        r"其余|其他|逾期|省级|市级|县级|国家级|第[一二三四五六七八九十\d至到-]+[位名]|前[一二三四五六七八九十\d]+[位名]|"
        r"(?<=[,，;；])(?:仅|只)", t) or _graded(items))
    # grades of one thing give different points (优秀10分，良好5分); equal points are parallel items
    graded = len({p for _, p, _ in items}) > 1
    grades = len(items) > 1 and (re.search(r"只取其一|取最高一档|不累加|不重复计分", t) or (
        graded and (_graded(items) or _negated(items))))
    cap_words = _cap(t)[0]
    if tiers and not grades:
        # equal points, or a cap of their own above the largest (最高加5分 over 4 and 2): they add up
        adds = not graded or (cap_words is not None and cap_words > max(p for _, p, _ in items))
        r.reason = (f"这几档得分像是只取其一的档次（“{tiers.group(0)}”），" +
                    ("已按逐项累加读；如只取其一，请把 one_of 设为 true" if adds else
                     "已按只取其一（取最高一档）读；如可以累加，请删去 one_of"))
        tiers = None if adds else tiers
    negative = re.search(rf"(?<![\d.])-{NUM}分", t)
    if negative:
        r.reason = f"有负分（“{negative.group(0)}”）：已按得分项读，请核对并改为扣分（deduction）"
    versus = re.search(r"(?:低于|高于|超过|不低于|不高于|达到|优于)(?:全国|全省|全市|全区|本地|同期|上年|上一年|去年)?"
                       r"(?:的)?(?:平均水平|平均值|平均|同期水平|同期|上年|去年|目标值|全省水平|全市水平)", t)
    if versus and not r.reason:
        r.reason = f"比较的对象不是数值（“{versus.group(0)}”）：已按达到即得分读，请写明门槛数值或确认由信用办判定"
    names = [f"done{i + 1}" if len(items) > 1 else "done" for i in range(len(items))]
    r.params = {"items": [{"metric": n, "points": p} for n, (_, p, _) in zip(names, items)]}
    if tiers or grades:
        r.params["one_of"] = True  # grades of one thing: one choice, never a sum
    r.metrics = [_metric(n, s or "达到要求", "bool") for n, (s, _, _) in zip(names, items)]
    total = sum((p for _, p, _ in items), Decimal(0))
    cap, capw = _cap(t)
    # tiers that may be exclusive give the largest unless the bullet writes its own cap
    r.points = min(total, cap) if cap is not None else max(p for _, p, _ in items) if tiers or grades else total
    r.words = [w for _, _, w in items] + ([capw] if cap is not None else [])
    return True
