"""Rules that count steps: a base with steps (以此为基数每增加…), deductions (每…扣X分), points
per item (每个…得X分，最高Y分), per rate point and per period.
"""
from __future__ import annotations

import re
from decimal import Decimal

from authoring.reading import Reading, _POINTS, _Unsure, _cap, _metric, _subject
from authoring.rule_words import MEASURE, NUM, RATIO_TEXT, _RATIO, _fmt, _ratio, normalise, parse_number, ratio_of


def _base_steps(t: str, r: Reading) -> bool:
    # words may stand between the base and its points (超过50%的市户籍人口拥有个人诚信分，得1.5分)
    m = re.search(rf"(?P<pre>达到|超过|满)?(?P<base>{RATIO_TEXT})(?:{MEASURE})?(?:的?[,，]?|(?P<mid>[^;；。]{{0,30}}?)[,，的])(?:得|计)(?P<pts>{NUM})分"
                  rf"[,，;；]?(?:以此为基数|在此基础上|此后)[,，]?每(?:增加|提高|提升|多)(?P<per>{RATIO_TEXT})(?:{MEASURE})?"
                  rf"(?:的)?[,，]?(?:加|得|再得|增加|计)(?P<each>{NUM})分", t)
    if not m:
        return False
    base, pct = ratio_of(m.group("base"))
    per, _ = ratio_of(m.group("per"))
    pts, each = parse_number(m.group("pts")), parse_number(m.group("each"))
    r.points, capw = _cap(t[m.end():])
    r.words = [m.group(0)] + ([capw] if capw else [])
    # with words between, the subject runs on through them (…超过50%的市户籍人口拥有个人诚信分)
    subject = _subject(t, m.start("mid") + len(m.group("mid")) if m.group("mid") else m.start()) or "完成值"
    if pts != each and per > 0 and (r.points is not None or pct):
        return _base_ladder(r, m.group("pre") == "超过", base, per, pts, each, pct, subject)
    r.kind = "per_item"
    r.params = {"value": "rate" if pct else "count", "base": base, "per": per, "points": each}
    r.metrics = [_metric(r.params["value"], subject, "percent" if pct else "number")]
    if pts != each:
        r.reason = f"达到基数得{pts}分而每增加一档得{each}分，两者不同：已按每档{each}分读，请核对"
    return True


def _base_ladder(r: Reading, strict: bool, base: Decimal, per: Decimal, pts: Decimal,
                 each: Decimal, pct: bool, subject: str) -> bool:
    """超过50%得1.5分，在此基础上每多10%加0.5分，最高4分: the base's points differ from a step's,
    so per_item cannot say it; the steps are written out as bands up to the cap (or 100%)."""
    pieces = [{"gt" if strict else "ge": base, "then": pts}]
    level, got = base + per, pts + each
    while (r.points is None or got <= r.points) and (not pct or level <= 1) and len(pieces) < 50:
        pieces.insert(0, {"ge": level, "then": got})
        level, got = level + per, got + each
    pieces.append({"then": Decimal(0)})
    r.kind = "bands"
    r.points = r.points if r.points is not None else pieces[0]["then"]
    r.params = {"value": "rate" if pct else "value", "pieces": pieces}
    r.metrics = [_metric(r.params["value"], subject, "percent" if pct else "number")]
    return True


_DEDUCT = r"(?:减|扣|扣除|扣减|少得|倒扣)"
_USED_UP = r"扣完为止|扣满为止|扣至0分|减至0分|直至扣完|最多扣完|累计扣完|可累计扣完|扣完|减完为止"
_STEP_VERB = (r"(?:增加|发生|出现|有|存在|被|新增|降低|下降|减少|上升|提高|低于|高于|超出|超过|超期|少报|漏报|迟报|"
              r"缺少|缺|少|低|高|多|监测到|发现)")
# a count of one before the deduction also steps: 抽到1条扣0.5分 / 通报一次扣2分 / 少报一次减2分
_ONE_STEP = rf"(?<![\d.])(?=(?:一|1)(?:{MEASURE})[^;；。,，]{{0,12}}?{_DEDUCT}\d)"
_CAP_BEFORE = re.compile(r"(?:最高|最多|累计|不超过|上限|封顶|总计|合计)[^;；。,，]{0,2}$")


def _deduct_amounts(t: str) -> list[Decimal]:
    """The different points a bullet takes off per step (a cap such as 最多扣6分 is not one)."""
    out = []
    for m in re.finditer(rf"{_DEDUCT}(?P<n>{NUM})分", t):
        if not _CAP_BEFORE.search(t[max(0, m.start() - 6):m.start()]):
            out.append(parse_number(m.group("n")))
    return out


def _step_of(t: str, start: int, end: int) -> tuple[Decimal, bool, str] | None:
    """每低于达标线1个百分点 / 每1万条: the step written between 每 and the points."""
    seg = t[start:end]
    m = re.search(rf"(?P<per>{RATIO_TEXT})(?P<wan>万|千)?(?P<unit>{MEASURE})?", seg)
    if not m or not (m.group("unit") or ratio_of(m.group("per"))[1]):
        return None
    v, pct = ratio_of(m.group("per"))
    if m.group("wan"):
        v *= 10000 if m.group("wan") == "万" else 1000
    return v, pct, m.group("unit") or ""


def _after_mei(t: str, m: re.Match) -> int:
    """Where the words of a step start: after 每 (每高于警戒线…), else at the count (抽到1条…)."""
    i = t.find("每", m.start(), m.start("each"))
    return i + 1 if i >= 0 else m.start("at")


def _step_label(words: str, pct: bool) -> str:
    """高于警戒线0.5个百分点 -> 高于警戒线的幅度: what staff enter, without the step itself."""
    if not re.search(rf"{RATIO_TEXT}(?:万|千)?(?:{MEASURE})?$", words) or not re.search(r"[\u4e00-\u9fff]", words):
        return words
    head = re.sub(rf"(?:{RATIO_TEXT})(?:万|千)?(?:{MEASURE})?$", "", words).strip(",，的")
    if not head:
        return words
    return f"{head}的幅度" if pct else head


# 每低1个百分点扣1分 measured from a bar the bullet names (上报率达到100%的得10分 / 以98%为标准 /
# 低于90%的): liaisons report the rate itself, and the rule counts the points between it and the bar
_DOWN = r"降低|下降|减少|低于|低|少|不足"
_UP = r"高于|超过|超出|上升|提高|增加|高|多"
_RATE_WORD = r"率|占比|比例|比重|比率|覆盖面"
_BAR = re.compile(rf"(?P<rel>以|达到|达|为|在|不低于|不少于|不高于|不超过|低于|高于|超过|控制在|≥|>=|≤|<=|<|>)"
                  rf"(?P<bar>{RATIO_TEXT})(?:\(含\))?(?P<post>为标准|为基准|为目标|为达标线|及以上|以上|及以下|以下|以内)?")
_BAR_DOWN = {"以", "达到", "达", "为", "在", "不低于", "不少于", "低于", "≥", ">=", "<"}
_BAR_UP = {"以", "为", "在", "不高于", "不超过", "低于", "高于", "超过", "控制在", "≤", "<=", "<", ">"}


def _rate_bar(t: str, mei: int) -> tuple[str, str, list[str]] | None:
    """上报率达到100%的得10分，每低1个百分点扣1分 (每 at `mei`) -> ('1 - rate', '上报率', words):
    the value a deduction counts in 百分点, over the rate a liaison reports. A rate named just
    before 每降低 with no bar (起评10分，上报率每降低1个百分点减1分) falls from 100%."""
    verb = re.match(rf"(?:{_DOWN}|{_UP})", t[mei + 1:])
    if not verb:
        return None
    down = bool(re.fullmatch(_DOWN, verb.group(0)))
    head = t[max(t.rfind(x, 0, mei) for x in "。;；,，:：") + 1:mei]
    near = _subject(head, len(head))
    near = near if re.search(rf"(?:{_RATE_WORD})$", near) else ""
    name = ""
    # the bar may stand in a sentence of its own (准确率须达到98%，达到的得4分；每低0.5个百分点…)
    bars = [b for b in _BAR.finditer(t, 0, mei)
            if (ratio_of(b.group("bar"))[1] or (not down and b.group("bar") in ("0", "零")))
            and b.group("rel") in (_BAR_DOWN if down else _BAR_UP)
            and not (down and b.group("post") in ("及以下", "以下", "以内"))
            and not (not down and b.group("post") in ("及以上", "以上"))]
    # 合规率达到95%得满分，低于95%的，每降低…: the rate is named at the last bar that names it
    for b in reversed(bars):
        start = max(t.rfind(x, 0, b.start()) for x in "。;；,，:：") + 1
        name = re.sub(r"(?:要|应|须|需|必须|应当|均|需要)$", "", _subject(t[start:b.start()], b.start() - start))
        if name:
            break
    if bars and not (near and name and near not in name and name not in near):
        bar, _ = ratio_of(bars[-1].group("bar"))
        name, words = near or name, [f"{name}{bars[-1].group(0)}"]
    elif near and down:  # a bar of another rate, or none: this rate falls from 100%
        bar, name, words = Decimal(1), near, [f"{near}（按100%起算）"]
    else:
        return None
    if down:
        expr = f"{_fmt(bar)} - rate"
    else:
        expr = "rate" if bar == 0 else f"rate - {_fmt(bar)}"
    return expr, name or "比率", words


def _deduction(t: str, r: Reading) -> bool:
    amounts = _deduct_amounts(t)
    if len(set(amounts)) > 1:
        raise _Unsure(f"一条里有几种扣分（{'、'.join(_fmt(a) + '分' for a in dict.fromkeys(amounts))}），"
                      f"请拆成几条，每条一种扣法")
    # 起评: 得3分，每增加1件…减1分 / 3分起评 / 基础分3分，每发生1起扣1分，扣完为止 / 满分3分。每次扣0.5分
    m = re.search(rf"(?:(?:(?:基础分|起评分?|满分|本项|此项|该项|本指标)(?:满分)?(?:为)?(?P<b1>{NUM})分|(?P<b2>{NUM})分起评)[^;；]*?"
                  rf"|(?:(?:得|计)(?P<b3>{NUM})分|(?:^|[:：(（])(?P<b4>{NUM})分[,，])[^。]*?)"
                  rf"(?:每{_STEP_VERB}?|(?:发现|出现|发生)(?=(?:一|1)(?:{MEASURE}))|{_ONE_STEP})"
                  rf"(?P<at>)(?P<per>{RATIO_TEXT})?(?P<unit>{MEASURE})?"
                  rf"[^;；。]*?{_DEDUCT}(?P<each>{NUM})分", t)
    if m:
        base = parse_number(m.group("b1") or m.group("b2") or m.group("b3") or m.group("b4"))
        per, pct = ratio_of(m.group("per")) if m.group("per") else (Decimal(1), False)
        if not m.group("per"):
            step = _step_of(t, m.start("at"), m.start("each"))
            if step:
                per, pct = step[0], step[1]
        r.kind = "deduction"
        r.params = {"value": "rate_drop" if pct else "count", "base": base, "each": parse_number(m.group("each"))}
        if per != 1:
            r.params["per"] = per
        r.points = base
        # what is counted: 每增加1件[未整改到位的政府失信事件]减1分
        after = max(m.end("unit") if m.group("unit") else -1, m.end("per") if m.group("per") else -1)
        sub = _step_label(re.sub(rf"(?:的|者)?[,，]?{_DEDUCT}$", "",
                                 t[after if after >= 0 else _after_mei(t, m):m.start("each")]).strip(",，的"), pct)
        late = re.match(r"超期|少报|漏报|迟报|缺席|逾期|未报", t[_after_mei(t, m):])
        if not sub and late and not pct:  # 得6分；每迟报1次扣1分: what is counted is the late reports
            sub = f"{late.group(0)}次数"
        if not sub:  # 处理时间在5个工作日内，得2分；每增加1天减0.4分: what the base clause is about
            sub = _subject(t, t.find("得", m.start()) if m.group("b3") else m.start())
            if pct and sub:  # 得2分；每少1%扣0.1分: what is entered is the shortfall, not the rate
                sub = f"{sub}（低于要求的幅度）"
        r.metrics = [_metric(r.params["value"], sub or "发生数", "percent" if pct else "count",
                             "" if pct else (m.group("unit") or "个"))]
        r.words = [m.group(0)]
        if pct:
            _measured_from_bar(t, r, t.find("每", m.start(), m.start("each")))
        return True
    m = re.search(rf"(?:每{_STEP_VERB}?|{_ONE_STEP})(?P<per>{RATIO_TEXT})?(?P<unit>{MEASURE})?[^;；。]*?"
                  rf"{_DEDUCT}(?P<each>{NUM})分", t)
    if not m:
        m2 = re.search(rf"(?:扣|扣除|扣减|减)(?P<each>{NUM})分", t)
        if not m2 or re.search(r"每", t[:m2.start()]):
            return False
        r.kind = "deduction"
        r.params = {"value": "count", "each": parse_number(m2.group("each"))}
        if _POINTS.search(t[:m2.start()]):
            r.reason = "同一条里既有得分又有扣分：已按扣分读，请拆成两条（得分一条、扣分一条）"
        cap, capw = _cap(t)
        # 迟报一次扣0.5分 / 发生一起扣2分 count occurrences; 出现…的，扣2分 is a one-off
        per_case = re.search(rf"(?:一|1)(?:{MEASURE})", t[:m2.start()]) or re.search(_USED_UP, t)
        if cap is not None or not per_case:
            r.params["cap"] = r.params["each"] if cap is None else cap
            r.points = r.params["cap"]
        r.metrics = [_metric("count", (_subject(t, m2.start()) or "发生") + "（次数）", "count", "次")]
        r.words = [m2.group(0)]
        return True
    per, pct = ratio_of(m.group("per")) if m.group("per") else (Decimal(1), False)
    if not m.group("per"):
        step = _step_of(t, m.start() + 1, m.start("each"))
        if step:
            per, pct = step[0], step[1]
    r.kind = "deduction"
    r.params = {"value": "rate_drop" if pct else "count", "each": parse_number(m.group("each"))}
    if per != 1:
        r.params["per"] = per
    cap, capw = _cap(t)
    if cap is not None:
        r.params["cap"] = cap
        r.points = cap
    r.words = [m.group(0)] + ([capw] if capw else [])
    used_up = re.search(_USED_UP, t)
    if used_up:
        r.words.append(used_up.group(0))
    if _POINTS.search(t[:m.start()]):
        r.reason = "同一条里既有得分又有扣分：已按扣分读，请核对得分的部分（或拆成两条）"
    what = re.sub(r"(?:的|者)?[,，]?(?:减|扣|扣除|扣减)$", "", t[m.start() + 1:m.start("each")])
    subject = _subject(t, m.start())
    versus = re.fullmatch(r"(?:对比|比较|较|与|相比|同比)?[^,，]{0,4}?(上年度?|去年|上一年)(?:相比|比较)?", subject)
    verb = re.match(_STEP_VERB, t[m.start() + 1:]) if versus else None
    if versus and verb and not pct:  # 对比上年度，每增加1人扣0.5分: the increase is entered
        subject = f"较{versus.group(1)}{verb.group(0)}的{m.group('unit') or '个'}数"
    r.metrics = [_metric(r.params["value"], subject or what.strip(",，的") or "发生数",
                         "percent" if pct else "count", "" if pct else (m.group("unit") or "个"))]
    if pct:
        _measured_from_bar(t, r, t.find("每", m.start(), m.start("each")))
    return True


def _measured_from_bar(t: str, r: Reading, mei: int) -> None:
    """A step in 百分点 below (above) a bar: the metric becomes the rate, the value its distance."""
    got = _rate_bar(t, mei) if mei >= 0 else None
    if not got:
        return
    expr, name, words = got
    before = r.metrics[0]["label"]
    r.params["value"] = expr
    r.metrics = [_metric("rate", name, "percent")]
    # the part keeps the bullet's own words as its name (a draft names an indicator by them)
    r.label = before if before not in ("发生数", name) else ""
    r.words += words


_PER_POINTS = re.compile(rf"每[^;；。]{{0,30}}?(?:得|加|计|记)(?P<n>{NUM})分")


def _per_item(t: str, r: Reading) -> bool:
    amounts = [parse_number(x.group("n")) for x in _PER_POINTS.finditer(t)
               if not _CAP_BEFORE.search(t[max(0, x.start("n") - 8):x.start("n")])]
    if len(set(amounts)) > 1:
        raise _Unsure(f"一条里有几种按个数计分（{'、'.join(_fmt(a) + '分' for a in dict.fromkeys(amounts))}），"
                      f"请拆成几条，每条一种")
    if _per_rate(t, r):
        return True
    m = re.search(rf"每(?:[\u4e00-\u9fff]{{1,4}}?(?=(?:\d+|[一二两三四五六七八九十]+)(?:万|千)?(?:{MEASURE})))?"
                  rf"(?P<per>{NUM})?(?P<wan>万|千)?(?P<unit>{MEASURE})(?!季度|月|年|周|工作日|百分点)"
                  rf"(?P<what>[^;；。,，]{{0,16}}?)[^;；。]{{0,24}}?(?:的)?[,，]?(?:得|加|计|记)?(?P<pts>{NUM})分(?!点|之)", t)
    if not m:
        # 1篇得0.5分，最高得6分 / 1次得0.5分，最多2分: a count of one with its points and a cap
        m = re.search(rf"(?<![\d.])(?P<per>1|一)(?P<wan>)(?P<unit>{MEASURE})(?P<what>)(?:的)?[,，]?"
                      rf"(?:得|加|计|记)(?P<pts>{NUM})分", t)
        if not m or _cap(t)[0] is None:
            return _per_period(t, r)
    per = parse_number(m.group("per")) if m.group("per") else Decimal(1)
    if m.group("wan"):
        per *= 10000 if m.group("wan") == "万" else 1000
    unit = m.group("unit")
    r.kind = "per_item"
    r.params = {"value": "count", "points": parse_number(m.group("pts"))}
    if per != 1:
        r.params["per"] = per
    cap, capw = _cap(t)
    if cap is None:
        # 包括生产、流通、税务……等领域，每1个领域…得0.1分: the list sets the most it can give
        n = listed_count(t)
        if n:
            cap, capw = r.params["points"] * n / per, f"所列{n}项"
    r.points = cap
    what = re.sub(r"(?:的|者)?[,，]?(?:得|加|计|记)$", "", t[m.end("unit"):m.start("pts")]).strip("的,，")
    what = re.sub(r"(?:的|并?上报)$", "", what)[:24]
    label = re.sub(r"^(?:在|对)?(?:上述|以上|下列)?(?:领域)?", "", _subject(t, m.start()))
    label = label or what or "个数"
    if what and what not in label:
        label = f"{label}（{what}）"
    r.metrics = [_metric("count", label + "（个数）", "count", unit)]
    r.words = [m.group(0)] + ([capw] if capw else [])
    return True


def _per_rate(t: str, r: Reading) -> bool:
    """每下降一个百分点加0.5分 / 每提高1%得0.2分: points per step of a rate."""
    m = re.search(rf"每(?P<verb>[\u4e00-\u9fff]{{0,4}}?)(?P<per>(?:十万分之|万分之|千分之|百分之){NUM}|{NUM}(?:%|‰|个百分点))"
                  rf"[^;；。]{{0,12}}?(?:得|加|计|记)(?P<pts>{NUM})分", t)
    if not m:
        return False
    per, _ = ratio_of(m.group("per"))
    r.kind = "per_item"
    r.params = {"value": "rate_change", "per": per, "points": parse_number(m.group("pts"))}
    r.points, capw = _cap(t)
    label = _subject(t, m.start()) or "比率"
    r.metrics = [_metric("rate_change", f"{label}（{m.group('verb') or '变化'}的幅度）", "percent")]
    r.words = [m.group(0)] + ([capw] if capw else [])
    return True


def listed_count(t: str) -> int:
    """包括A、B、C等领域 -> 3 (0 when the text lists nothing)."""
    n = re.search(rf"等({NUM})(?:类|项|个|种)", normalise(t))  # 燃气费、不动产等3类信息
    if n:
        return int(parse_number(n.group(1)))
    m = re.search(r"(?:包括|涵盖|含)([^;；。:：]{2,200}?)等(?:[\u4e00-\u9fff]{1,4})", normalise(t))
    if not m:
        return 0
    items = [x for x in re.split(r"[、,，]", m.group(1)) if x]
    return len(items) if len(items) >= 2 else 0


def _per_period(t: str, r: Reading) -> bool:
    """每月按时报送得0.5分，全年最高6分: points per month (quarter) that meets the bar."""
    m = re.search(rf"每(?:个)?(?P<p>月|季度|半年)(?P<what>[^;；。]{{0,30}}?)(?:的)?[,，]?(?:得|加|计)(?P<pts>{NUM})分", t)
    cap, capw = _cap(t)
    if not m or cap is None:
        return False  # 每个季度按时报送得3分 with no cap: every quarter on time is the condition
    r.kind = "per_item"
    r.params = {"value": "count", "points": parse_number(m.group("pts"))}
    r.points = cap
    what = m.group("what").strip("的,，") or "符合要求"
    r.metrics = [_metric("count", f"{what}的{m.group('p')}数", "count", m.group("p"))]
    r.words = [m.group(0)] + ([capw] if capw else [])
    return True
