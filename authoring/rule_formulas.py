"""Rules read as a whole: 一票否决, ranks among units, 酌情计分, and formulas (得分=…).
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from authoring.reading import Reading, _POINTS, _Unsure, _cap, _metric, _pts, _subject
from authoring.rule_words import MEASURE, NUM, RATIO_TEXT, _RATIO, _ratio, normalise, parse_number, ratio_of


def _veto(t: str, r: Reading) -> bool:
    bar = re.search(r"一票否优|不得评(?:为|定为)?优秀|不能评(?:为)?优秀|取消(?:评优|优秀)(?:资格)?", t)
    if bar:  # 一票否优: no points taken, but not eligible for the top band
        r.kind, r.gate = "pass_fail", "no_excellent"
        r.params = {"metric": "passed"}
        what = re.sub(r"(?:的|者)?[,，]?(?:实行|予以|即|则)?$", "", _subject(t, bar.start()))
        r.metrics = [_metric("passed", "未" + (what if re.match(r"发生|出现|有|被", what) else f"出现{what}")
                             if what else "未出现否优情形", "bool")]
        r.words = [bar.group(0)]
        return True
    m = re.search(r"一票否决|实行否决|直接否决|不达标的?不得参评|基础指标|必须达标|须全部达标", t)
    if not m:
        return False
    r.kind, r.gate = "pass_fail", "basic" if "基础指标" in m.group(0) or "达标" in m.group(0) else "veto"
    r.params = {"metric": "passed"}
    r.metrics = [_metric("passed", re.sub(r"(?:的|者)?[,，]?(?:实行|予以|即)?$", "", _subject(t, m.start()))
                         or "达标", "bool")]
    r.words = [m.group(0)]
    return True


# 第1至5名 / 前3名 / 后2名 / 倒数第1名 / 其余 … then 依次赋予60分、57分 / 得10分 / 不得分
_PLACE = re.compile(
    rf"(?:排名|名次|排序|位列|排在|位次)?(?:(?P<down>倒数)?第(?P<a>{NUM})(?:(?:至|到|-|—|~)第?(?P<b>{NUM}))?名"
    rf"|(?<!最)(?P<end>前|后)(?P<n>{NUM})名|(?P<rest>其余|其他|剩余|其后)(?:名次)?)(?:以[内后])?(?:的)?(?:单位)?"
    rf"[,，]?(?P<seq>依次|分别)?(?:赋予?|得|计|给予?|记)?"
    rf"(?:(?P<pts>{NUM}分(?:[、,，]{NUM}分)*)|(?P<none>不得分|不计分))")


def _places(t: str, r: Reading) -> bool:
    """Fixed points by place: 排名第1至5名的依次赋予60分、57分…; 前3名得10分，第4至6名得8分，其余得6分；
    倒数第1名得0分. Two ends alone (前三名5分、后三名0分) are left to top_bottom (the middle by
    position)."""
    found = list(_PLACE.finditer(t))
    if not found or re.search(r"等差|中间|线性|(?:其余|其他)[^;；。]{0,8}(?:按|依)(?:名次|排名|排序)", t):
        return False  # the places between get points by position: linear / top_bottom
    shapes = {("end" if m.group("end") else "rest" if m.group("rest") else "place") for m in found}
    listed = any(m.group("pts") and "、" in m.group("pts") for m in found)
    if not listed and (len(found) < 2 or shapes == {"end"}):
        return False
    places: list[dict[str, Any]] = []
    rest = None
    for m in found:
        pts = [parse_number(x) for x in re.findall(rf"({NUM})分", m.group("pts") or "")] or [Decimal(0)]
        if m.group("rest"):
            if len(pts) > 1:
                raise _Unsure(f"“{m.group(0)}”给其余名次列了几个分数：请写明各名次的分数")
            rest = pts[0]
            continue
        down = bool(m.group("down")) or m.group("end") == "后"
        if m.group("end"):
            a, b = 1, int(parse_number(m.group("n")))
        else:
            a = int(parse_number(m.group("a")))
            b = int(parse_number(m.group("b"))) if m.group("b") else a
        if len(pts) == 1:
            places.append({"first": a, **({"last": b} if b != a else {}), "points": pts[0],
                           **({"from_bottom": True} if down else {})})
        elif len(pts) == b - a + 1:
            places += [{"first": a + k, "points": p, **({"from_bottom": True} if down else {})}
                       for k, p in enumerate(pts)]
        else:
            raise _Unsure(f"“{m.group(0)}”：第{a}至{b}名共{b - a + 1}个名次，却列了{len(pts)}个分数，请核对")
    # the bottom first: 倒数第1名得0分 holds whatever band above would also cover that place
    places.sort(key=lambda p: not p.get("from_bottom", False))
    r.kind = "rank"
    r.params = {"value": "value", "method": "places", "places": places}
    if rest is not None:
        r.params["rest"] = rest
    pool = re.search(r"未(?:报送|上报|提交)的?(?:单位)?(?:并列最后|列最后|参加排名|计入排名)|按全部单位排名", t)
    if pool:
        r.params["pool"] = "all"
    ties = re.search(r"并列[^;；。]{0,10}?(?:平分|平均)", t)
    if ties:
        r.params["ties"] = "average"
    low = re.search(r"越(?:小|少|低)(?:的)?(?:名次|排名)越(?:前|靠前)|数值越小名次越前|由低到高|从低到高", t)
    if low:
        r.params["higher_is_better"] = False
    r.points = max([p["points"] for p in places] + [rest or Decimal(0)])
    r.words = [m.group(0) for m in found] + [m.group(0) for m in (pool, ties, low) if m]
    # the sentence the places are in: one before it (各责任单位分别计分。) is about something else
    near = re.split(r"[。；;](?=.)", _subject(t, found[0].start()))[-1]
    subject = re.sub(r"^(?:按照?|依据?|根据)|(?:的)?(?:排名|排序|名次)$", "", near)
    if not re.search(r"未报送|未上报|不报|未提交|没有报送", t) and any(p.get("from_bottom") for p in places):
        r.reason = ("倒数名次按已报送单位计算（pool: reported）；若未报送单位也参加排名并列最后，"
                    "请改为 pool: all")
    _ranked_by(r, subject)
    return True


# A ranking that does not say what is ranked gets a stand-in label, never silently: staff name it.
UNNAMED_FIGURE = ("没有写明按哪项数据排名：数据项暂记为“排名依据”，请改为所排名的数据（例如 案例数、上报率），"
                  "并确认数值越大名次越前")


def _ranked_by(r: Reading, subject: str, name: str = "value", type_: str = "number") -> None:
    """The ranked figure's metric, named from the words before the rule; without them, a
    stand-in label and a reason for the draft's 待确认."""
    r.metrics = [_metric(name, subject or "排名依据", type_)]
    if not subject:
        r.reason = "；".join(filter(None, [r.reason, UNNAMED_FIGURE]))


def _rank(t: str, r: Reading) -> bool:
    if _places(t, r):
        return True
    # the two ends in either order: 最多的得5分，最少的得1分 / 用时最短的得2分，最长的得0分
    hi, lo = "最多|最高|最好|最大|最长|第一名?|排名第一", "最少|最低|最差|最小|最短|最后一名|末位|倒数第一"
    mm = re.search(rf"(?P<w1>{hi}|{lo}|最快|最慢)的?(?:单位)?(?:得|计)(?P<top>{NUM})分.*?"
                   rf"(?P<w2>{hi}|{lo}|最快|最慢)的?(?:单位)?(?:得|计)(?P<bot>{NUM})分", t)
    if mm and re.fullmatch(hi, mm.group("w1")) == re.fullmatch(hi, mm.group("w2")) is not None:
        mm = None  # both ends are the same side: not a ranking
    if mm and {mm.group("w1"), mm.group("w2")} == {"最快", "最慢"}:
        mm = None  # fastest is best or worst by what is measured: staff decide
    if mm:
        top, bottom = parse_number(mm.group("top")), parse_number(mm.group("bot"))
        first_hi = bool(re.fullmatch(hi, mm.group("w1"))) if mm.group("w1") not in ("最快", "最慢") \
            else not re.fullmatch(hi, mm.group("w2"))
        if top < bottom:  # written from the low end: 最少的得1分，最多的得5分
            top, bottom, first_hi = bottom, top, not first_hi
        r.kind, r.points = "rank", top
        r.params = {"value": "value", "method": "linear", "top": top, "bottom": bottom}
        if not first_hi:
            r.params["higher_is_better"] = False
        r.words = [mm.group(0)]
        _ranked_by(r, _subject(t, mm.start()))
        return True
    m = re.search(rf"前({NUM})(?:名|位)?(?:的|单位)?(?:得|计)({NUM})分.*?后({NUM})(?:名|位)?(?:的|单位)?"
                  rf"(?:(?:得|计)({NUM})分|不得分|不计分)", t)
    if m:
        top = parse_number(m.group(2))
        r.kind, r.points = "rank", top
        r.params = {"value": "value", "method": "top_bottom", "top": top,
                    "bottom": parse_number(m.group(4)) if m.group(4) else Decimal(0),
                    "top_n": int(parse_number(m.group(1))),
                    "bottom_n": int(parse_number(m.group(3)))}
        r.words = [m.group(0)]
        _ranked_by(r, _subject(t, m.start()))
        return True
    m = re.search(rf"(?:达到?|为)?(?P<full>{RATIO_TEXT})(?:的)?(?:得|计)(?P<top>{NUM})分.{{0,12}}?"
                  rf"(?:其余|剩余|其他|未达到?的?)[^;；。]{{0,12}}?(?:按|依)(?:照)?[^;；。,，]{{0,8}}?(?:排名|排序|名次)", t)
    if m and ratio_of(m.group("full"))[1]:
        full, _ = ratio_of(m.group("full"))
        top = parse_number(m.group("top"))
        r.kind, r.points = "rank", top
        r.params = {"value": "rate", "method": "full_then_rank", "full_at": full, "top": top,
                    "bottom": Decimal(0)}
        r.words = [m.group(0)]
        r.metrics = [_metric("rate", _subject(t, m.start()) or "比率", "percent")]
        return True
    step = re.search(rf"(?:第一名?|排名第一|最后一名|末位)[^;；。]{{0,16}}?(?:其余|其他)[^;；。]{{0,6}}?依次(?:递减|递增|减少|增加|减|加)(?P<n>{NUM})分", t)
    if step:
        raise _Unsure(f"按名次每差一名{'减' if '减' in step.group(0) else '加'}{step.group('n')}分：引擎按首末两名的分数"
                      f"线性赋分，请写明第一名和最后一名各得几分（如“最多的得5分，最少的得1分”）")
    m = re.search(r"(?:依|按照?)(?:排名|排序|名次)(?:依次|先后)?(?:赋分|计分|得分)|中间的?(?:单位)?(?:依|按)(?:排序|排名|次序)", t)
    if m:
        r.reason = f"写了按排名赋分（“{m.group(0)}”），但没有读出最高/最低分，请写明“最多的得X分，最少的得Y分”"
        return False
    return False


def _discretionary(t: str, r: Reading) -> bool:
    count = re.search(r"按(?:照)?[^;；。,，按]{0,10}?(?:数量|个数|件数|次数|条数|篇数)(?:计分|给分|赋分|得分|加分)", t)
    if count and not re.search(r"酌情|视情况|综合评定", t):
        raise _Unsure(f"写了{count.group(0)}，但没有写每个得几分：请写明“每个得X分，最高Y分”"
                      f"（或改为酌情计分）", _cap(t)[0])
    m = re.search(r"酌情(?:计分|给分|加分|扣分|赋分|评分|打分)?|视情况(?:计分|给分|加分|扣分|加|给|计|扣)?|综合评定|"
                  r"根据[^;；。]{0,30}情况(?:计分|给分|评分)", t)
    cap, capw = _cap(t)
    span = re.search(rf"(?<![\d.]){NUM}(?:-|至|到)(?P<n>{NUM})分", t)
    if m and cap is None and span:  # 酌情给予0-3分: the top of the span is the most
        cap, capw = parse_number(span.group("n")), span.group(0)
    if not m:
        # 最高得2分 with no counting rule: staff judge within the cap
        rest = t.replace(capw, "")
        if cap is not None and not re.search(r"每|得\d|公式|%|以上|以下|低于|高于|排名", rest) \
                and not _POINTS.search(rest):
            m = re.search(re.escape(capw), t)
        else:
            return False
    assert m is not None  # found above: capw is a part of t
    r.kind = "discretionary"
    r.points = cap
    r.params = {"metric": "points"}
    r.metrics = [_metric("points", (_subject(t, m.start()) or "信用办评定") + "（信用办评定）", "number", "分")]
    r.words = list(dict.fromkeys(w for w in (m.group(0), capw) if w))
    if "扣" in m.group(0):
        r.reason = "酌情扣分：请确认按扣分处理还是在分值内评定"
    return True


def _formula(t: str, r: Reading) -> bool:
    m = re.search(r"(?:计分公式|计算公式|得分公式|公式)(?:为|是)?[:：]?(?P<f>[^;；。]+)", t)
    if not m:
        m = re.search(r"(?:计分方法|计分办法|评分方法|评分办法|计算方法)(?:为|是)?[:：](?P<f>[^;；。]*[*/][^;；。]*)", t)
    if not m:
        m = re.search(r"(?:得分|分值)=(?P<f>[^;；。]+)", t)
    if not m:  # 按照合规率×3计分
        m = re.search(r"按(?:照)?(?P<f>[^;；。,，按]{1,30}?[*/][^;；。,，]{1,20}?)(?:计分|得分|折算|计算)", t)
    if not m:
        # 得分为A/B: a formula written without "="; 得分为0、2两档 has no operator and is not one
        m = re.search(r"(?:得分|分值)(?:为|是)(?P<f>[^;；。,，]*[\u4e00-\u9fff)][^;；。,，]*[*/][^;；。,，]+)", t)
    if not m:
        # a bare formula: (年度监督检查得分/监督检查总分)×60 / 办结率=按时办结数/受理数×4分 — the
        # quotient of two named figures times the points
        m = re.search(r"(?:^|[:：,，;；])(?:[\u4e00-\u9fff]{1,12}=)?(?P<f>\(?[\u4e00-\u9fff“”]{2,24}/"
                      r"[\u4e00-\u9fff“”]{2,24}\)?\*\d+(?:\.\d+)?分?)(?=$|[,，;；。])", t)
    if not m:
        return False
    ftext = re.split(_AFTER_FORMULA, m.group("f"))[0].strip("“”\"")
    ftext = re.sub(r"(\d)分$", r"\1", ftext)  # 履约率×5分: the constant is points
    expr, metrics = formula_expr(ftext)
    if not expr:
        r.reason = f"读到公式“{ftext}”，但无法拆成算式，请改写为算式"
        return False
    r.kind = "formula"
    r.points, capw = _cap(t)
    low = re.search(rf"(?:最低|最少|不低于|保底)(?:得|为|计)?(?P<n>{NUM})分|扣完为止|减至0分为止", t)
    if r.points is None:
        # 计分公式为…，得6分: the points follow the formula inside the same clause (最低0分 is a floor)
        after = t[m.start("f") + len(ftext):]
        got = _POINTS.search(after.replace(low.group(0), "") if low else after)
        if got:
            r.points, capw = _pts(got), got.group(0)
    k = re.fullmatch(r"(?P<share>\(?v1 / max\(v2, 1\)\)?|v1) \* (?P<k>\d+(?:\.\d+)?)", expr)
    if r.points is None and k and (k.group("share") != "v1" or re.search(r"率|比例|占比$", metrics[0]["label"])):
        # a share (A/B, or a rate) times k gives at most k
        r.points, capw = Decimal(k.group("k")), f"×{k.group('k')}"
    if r.points is None:
        r.points, capw = _most_of(expr, metrics), ""
    r.params = {"expr": expr}
    r.metrics = metrics
    r.words = [m.group(0)[:40]] + ([capw] if capw else [])
    if low:  # 最低0分: the engine never goes below the floor (0 unless written)
        if low.group("n") and parse_number(low.group("n")):
            r.params["floor"] = parse_number(low.group("n"))
        if low.group(0) not in r.words[0]:
            r.words.append(low.group(0))
    each = re.fullmatch(r"v1 \* (\d+(?:\.\d+)?)|(\d+(?:\.\d+)?) \* v1", expr)
    if each and re.search(rf"(?:数量|个数|总数|(?:{MEASURE})数)$", metrics[0]["label"]):
        # 领域数量*0.1: a count times a constant is 每个得0.1分, which staff read at a glance
        r.kind = "per_item"
        r.params = {"value": "count", "points": Decimal(each.group(1) or each.group(2))}
        r.metrics = [_metric("count", metrics[0]["label"], "count", "个")]
    return True


# what follows a formula in its clause: 得分=10-(1-上报率)×100，最低0分 / ，最高10分
_AFTER_FORMULA = re.compile(r"[,，](?:得|最高|最多|最低|最少|不低于|不超过|不高于|保底|封顶|上限|下限|扣完|减至|满分|其中)")
_OPERAND_SPLIT = re.compile(r"([+\-*/()（）])")
_RATE_LABEL = re.compile(r"(?:率|比例|占比|比重)$")


def _most_of(expr: str, metrics: list[dict[str, Any]]) -> Decimal | None:
    """The most a formula over one rate gives: 10 - (1 - 上报率) * 100 is 10 at 100%. A linear
    formula over one percent takes its largest value at an end."""
    if len(metrics) != 1 or metrics[0]["type"] != "percent":
        return None
    from schemes.expr import ExprError, evaluate
    try:
        ends = [Decimal(repr(evaluate(expr, {metrics[0]["name"]: x}))) for x in (0, 1)]
    except ExprError:
        return None
    most = max(ends).quantize(Decimal("1e-6")).normalize()
    return most if most > 0 else None


def formula_expr(ftext: str) -> tuple[str, list[dict[str, Any]]]:
    """'已经实施容缺受理的部门数量/具有行政审批权力的部门总量×2' -> ('a / max(b, 1) * 2', metrics).

    Each operand in words becomes a metric; a divisor that is a metric is guarded with
    max(…, 1) so a zero denominator scores 0 instead of failing."""
    t = normalise(ftext).replace("（", "(").replace("）", ")")
    # a remark in brackets after a word (农户数（多个系统相加并去重）) is not a term of the formula
    t = re.sub(r"(?<=[\u4e00-\u9fff])\([^()+\-*/]*\)", "", t)
    tokens = [x for x in _OPERAND_SPLIT.split(t) if x]
    out: list[str] = []
    metrics: list[dict[str, Any]] = []
    names: dict[str, str] = {}
    for i, tok in enumerate(tokens):
        if tok in "+-*/()":
            out.append(tok)
            continue
        rm = _RATIO.fullmatch(tok)
        if rm:
            v, _ = _ratio(rm)
            out.append(format(v.normalize(), "f"))
            continue
        label = tok.strip("“”\"'")
        if not label or not re.search(r"[\u4e00-\u9fffA-Za-z]", label):
            return "", []
        if label not in names:
            names[label] = f"v{len(names) + 1}"
            # a rate (上报率) is sent as 97%: a percent, so (1-上报率)×100 reads it as 0.97
            metrics.append(_metric(names[label], label, "percent" if _RATE_LABEL.search(label) else "number"))
        name = names[label]
        prev = next((x for x in reversed(out) if x != "("), None)
        out.append(f"max({name}, 1)" if out and out[-1] == "/" else name)
        del prev
    expr = " ".join(out).replace("( ", "(").replace(" )", ")")
    try:
        from schemes.expr import check_expr
        check_expr(expr)
    except ValueError:
        return "", []
    return expr, metrics
