"""Read one scoring bullet of an assessment document (评分标准) as a rule part.

The reader works on the phrasings documents use, not on any one city's strings: 得X分; 每个/
每起/每N项…得X分，最高Y分; 达到X%的得Y分，以此为基数每增加…; thresholds in %, ‰, 万分之, 十万分
之; 起评 / 扣完为止; 最多的得X分，最少的得Y分; 酌情计分; 一票否决; linked bullets. Each reading
keeps the words that decided it, or says why nothing was recognised (a draft marks that
bullet `待确认`). Pure functions: no files, no clock.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

__all__ = ["Reading", "read_rule", "parse_number", "normalise", "listed_count", "plain", "KIND_ZH"]

KIND_ZH = {
    "checklist": "达标得分", "per_item": "按个数计分", "formula": "公式计分", "piecewise": "分段计分",
    "bands": "分档计分", "rank": "排名赋分", "deduction": "扣分", "discretionary": "酌情计分",
    "pass_fail": "达标门槛", "task": "工作任务",
}

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUM = "[零〇一二两三四五六七八九十百千]+"
NUM = rf"(?:\d+(?:\.\d+)?|{CN_NUM}|半)"
# a measure word after a count: 每个, 每起, 每10个, 每1个领域
MEASURE = ("个工作日|个|起|件|项|次|家|条|户|人|名|所|份|篇|期|场|笔|宗|例|批|类|种|天|小时|位|台|处|页|张|"
           "点(?<!百分点)")


def normalise(text: str) -> str:
    """Full-width digits and punctuation to ASCII (NFKC), no spaces or bullet marks."""
    t = unicodedata.normalize("NFKC", text or "")
    # HTML fragments left by OCR/conversion; '< 2%' (小于) is not one
    t = re.sub(r"</?[A-Za-z][^<>]{0,200}>", "", t)
    # LaTeX left by OCR: $\geq 70\%$, \text{兑现率}, \times
    t = re.sub(r"\\(?:text|mathrm|textrm)\s*\{([^{}]*)\}", r"\1", t)
    t = re.sub(r"\$?\\geq?\s*", "≥", t)
    t = re.sub(r"\$?\\leq?\s*", "≤", t).replace("$", "")
    t = t.replace("\\%", "%").replace("\\times", "*").replace("\\cdot", "*").replace("\\div", "/")
    t = t.replace("\\lt", "<").replace("\\gt", ">")
    t = t.replace("\u3000", " ")
    t = re.sub(r"\s+", "", t)
    t = t.replace("％", "%").replace("×", "*").replace("÷", "/").replace("—", "-").replace("~", "-")
    return t.lstrip("·•●◆-*□■☐")


def _cn_int(s: str) -> int:
    if all(c in _CN_DIGITS for c in s) and len(s) > 1:  # 二〇一九 style
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    total, cur = 0, 0
    for c in s:
        if c in _CN_DIGITS:
            cur = _CN_DIGITS[c]
        elif c in _CN_UNITS:
            total += (cur or 1) * _CN_UNITS[c]
            cur = 0
    return total + cur


def parse_number(s: str) -> Decimal:
    """'0.5', '十', '两', '半' -> Decimal."""
    if s == "半":
        return Decimal("0.5")
    if re.fullmatch(r"\d+(?:\.\d+)?", s):
        return Decimal(s)
    return Decimal(_cn_int(s))


# a ratio as written: 5%, 百分之五, 3‰, 千分之三, 万分之一, 十万分之二 -> fraction
_RATIO = re.compile(
    rf"(?P<den>十万分之|万分之|千分之|百分之)(?P<a>{NUM})|(?P<b>{NUM})(?P<sym>%|‰|个百分点)?")
_DEN = {"百分之": 100, "千分之": 1000, "万分之": 10000, "十万分之": 100000}
_SYM = {"%": 100, "‰": 1000, "个百分点": 100}


def _ratio(m: re.Match) -> tuple[Decimal, bool]:
    """The value of a _RATIO match and whether it was written as a ratio."""
    if m.group("den"):
        return parse_number(m.group("a")) / _DEN[m.group("den")], True
    v = parse_number(m.group("b"))
    if m.group("sym"):
        return v / _SYM[m.group("sym")], True
    return v, False


RATIO_TEXT = rf"(?:(?:十万分之|万分之|千分之|百分之){NUM}|{NUM}(?:%|‰|个百分点)?)"


def plain(v: Any) -> Any:
    """Decimals, dates and tuples as YAML/JSON write them (6 not 6.0, 0.1 not '0.1')."""
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


@dataclass
class Reading:
    """What one bullet is read as. `kind` None means not recognised (`reason` says why)."""

    text: str
    kind: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    reason: str = ""
    points: Decimal | None = None  # the most this bullet can give (None: unknown)
    gate: str | None = None  # "veto" / "basic" when the bullet is a gate
    links: list[int] = field(default_factory=list)  # 1-based bullets that also score 0
    each_of: list[str] = field(default_factory=list)  # 水费、电费…各得2分: one part per name
    label: str = ""

    def part(self) -> dict[str, Any]:
        """The part as scheme data (without id/requires, which need the indicator)."""
        out: dict[str, Any] = {"kind": self.kind or "discretionary"}
        if self.label:
            out["label"] = self.label
        out.update(self.params)
        if self.points is not None and "max_points" not in out and self.kind not in (
                "pass_fail", "task"):
            out["max_points"] = self.points
        out["text"] = self.text
        return out

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "kind": self.kind, "kind_zh": KIND_ZH.get(self.kind or "", "待确认"),
                "params": plain(self.params), "metrics": plain(self.metrics),
                "points": plain(self.points), "gate": self.gate, "links": self.links,
                "each_of": self.each_of,
                "words": self.words, "reason": self.reason or None, "label": self.label}


# ---- helpers ---------------------------------------------------------------------------------

class _Unsure(Exception):
    """A reader saw what the bullet is but no single rule can say it (two deductions in one
    bullet, a ratio without its terms): the bullet is 待确认 and no later reader may guess.
    `points`: the most it gives when the bullet says so (按数量计分，最高10分), so a finer note
    (评分细则) of the same points can be paired with it."""

    def __init__(self, reason: str, points: Decimal | None = None):
        super().__init__(reason)
        self.points = points

_CAP = re.compile(rf"(?:最高|最多|最高不超过|不超过|不得超过|满分|上限|封顶|最高计|最多计|最高得|总加分不得超过|总分|共|占)"
                  rf"(?:的|得|计|加|扣|为)?(?P<n>{NUM})分")
# points written without a verb: 报送的，10分； / 开展宣传活动2分 / 开展宣传月活动（1分）. Not a total
# (满分5分, 本项3分, 最高3分, 占4分) nor part of a number or range (二十分, 1至2分).
_NOT_BEFORE = "满项值为共高多扣减计得加记给予赋过占至到顶限总本分最前后第零〇一二两三四五六七八九十百千"
_BARE = (rf"(?<=[\u4e00-\u9fff”\",，])(?<![{_NOT_BEFORE}])(?P<bare>{NUM})分(?=[;；。,，)）]|$)"
         # 信用环境（2分） alone is a heading; 宣传资料（展板、标语）（10分）。 after an aside too
         rf"|(?<=[\u4e00-\u9fff)）][(（])(?P<par>{NUM})分[)）](?=[;；。,，])")
_POINTS = re.compile(rf"(?:得|计|加|记|给予?|赋)(?P<n>{NUM})分|{_BARE}")


def _pts(m: re.Match) -> Decimal:
    """The points of a _POINTS (or _GOT) match; 不得分 is 0."""
    n = next((m.group(g) for g in ("n", "bare", "par") if g in m.re.groupindex and m.group(g)), None)
    return parse_number(n) if n else Decimal(0)
_SUBJECT_END = re.compile(r"(?:的|者)?[,，:：]?$")


def _cap(t: str) -> tuple[Decimal | None, str]:
    m = _CAP.search(t)
    return (parse_number(m.group("n")), m.group(0)) if m else (None, "")


def _subject(t: str, stop: int) -> str:
    """The words before the rule (建立信用修复机制的，得1分 -> 建立信用修复机制)."""
    s = t[:stop]
    s = re.sub(r"^(?:\(?\d{1,2}[)、.．]|[一二三四五六七八九十]+、|\(\S{1,2}\))", "", s)
    s = re.sub(r"(?:以此为基数)?(?:每|按|凡|对|如|若|各|分别)$", "", s)
    s = s.rstrip(",，;；:：。")
    s = re.sub(r"(?:的|者|即可)$", "", s)
    return s.strip(",，;；:：。、")[:60]


def _metric(name: str, label: str, type_: str, unit: str = "", **extra: Any) -> dict[str, Any]:
    out = {"name": name, "label": label or name, "type": type_}
    if unit:
        out["unit"] = unit
    out.update(extra)
    return out


def _links(t: str) -> list[int]:
    """未按时报送…的不得分且第二条也不得分 -> [2]."""
    out = []
    for m in re.finditer(rf"第({NUM})(?:条|项|款)(?:也|亦|均|同时)?(?:不得分|不计分|为0分|得0分)", t):
        out.append(int(parse_number(m.group(1))))
    return out


# ---- the kinds, most specific first -----------------------------------------------------------

def _veto(t: str, r: Reading) -> bool:
    m = re.search(r"一票否决|实行否决|直接否决|不达标的?不得参评|基础指标|必须达标|须全部达标", t)
    if not m:
        return False
    r.kind, r.gate = "pass_fail", "basic" if "基础指标" in m.group(0) or "达标" in m.group(0) else "veto"
    r.params = {"metric": "passed"}
    r.metrics = [_metric("passed", re.sub(r"(?:的|者)?[,，]?(?:实行|予以|即)?$", "", _subject(t, m.start()))
                         or "达标", "bool")]
    r.words = [m.group(0)]
    return True


def _rank(t: str, r: Reading) -> bool:
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
        sub = _subject(t, mm.start())
        r.metrics = [_metric("value", sub or "排名依据", "number")]
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
        r.metrics = [_metric("value", _subject(t, m.start()) or "排名依据", "number")]
        return True
    m = re.search(rf"(?:达到?|为)?(?P<full>{RATIO_TEXT})(?:的)?(?:得|计)(?P<top>{NUM})分.{{0,12}}?"
                  rf"(?:其余|剩余|其他|未达到?的?)[^;；。]{{0,12}}?(?:按|依)(?:照)?[^;；。,，]{{0,8}}?(?:排名|排序|名次)", t)
    if m and _ratio(_RATIO.fullmatch(m.group("full")))[1]:
        full, _ = _ratio(_RATIO.fullmatch(m.group("full")))
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
    out, metrics, names = [], [], {}
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


def _base_steps(t: str, r: Reading) -> bool:
    # words may stand between the base and its points (超过50%的市户籍人口拥有个人诚信分，得1.5分)
    m = re.search(rf"(?P<pre>达到|超过|满)?(?P<base>{RATIO_TEXT})(?:{MEASURE})?(?:的?[,，]?|(?P<mid>[^;；。]{{0,30}}?)[,，的])(?:得|计)(?P<pts>{NUM})分"
                  rf"[,，;；]?(?:以此为基数|在此基础上|此后)[,，]?每(?:增加|提高|提升|多)(?P<per>{RATIO_TEXT})(?:{MEASURE})?"
                  rf"(?:的)?[,，]?(?:加|得|再得|增加|计)(?P<each>{NUM})分", t)
    if not m:
        return False
    base, pct = _ratio(_RATIO.fullmatch(m.group("base")))
    per, _ = _ratio(_RATIO.fullmatch(m.group("per")))
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
    if not m or not (m.group("unit") or _ratio(_RATIO.fullmatch(m.group("per")))[1]):
        return None
    v, pct = _ratio(_RATIO.fullmatch(m.group("per")))
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
            if (_ratio(_RATIO.fullmatch(b.group("bar")))[1] or (not down and b.group("bar") in ("0", "零")))
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
        bar, _ = _ratio(_RATIO.fullmatch(bars[-1].group("bar")))
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
        per, pct = _ratio(_RATIO.fullmatch(m.group("per"))) if m.group("per") else (Decimal(1), False)
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
        if not sub:  # 处理时间在5个工作日内，得2分；每增加1天减0.4分: what the base clause is about
            sub = _subject(t, t.find("得", m.start()) if m.group("b3") else m.start())
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
    per, pct = _ratio(_RATIO.fullmatch(m.group("per"))) if m.group("per") else (Decimal(1), False)
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
    if re.search(_USED_UP, t):
        r.words.append(re.search(_USED_UP, t).group(0))
    if _POINTS.search(t[:m.start()]):
        r.reason = "同一条里既有得分又有扣分：已按扣分读，请核对得分的部分（或拆成两条）"
    what = re.sub(r"(?:的|者)?[,，]?(?:减|扣|扣除|扣减)$", "", t[m.start() + 1:m.start("each")])
    r.metrics = [_metric(r.params["value"], _subject(t, m.start()) or what.strip(",，的") or "发生数",
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
    per, _ = _ratio(_RATIO.fullmatch(m.group("per")))
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


_UNIT = rf"(?:{MEASURE}|万元|元|万人|人次)"
_COND = re.compile(
    rf"(?P<pre>低于|少于|小于|不足|未达到|未达|高于|超过|大于|多于|不低于|不少于|不高于|不超过|达到|达|在|等于|为|≥|>=|≤|<=|<|>|前|后)?"
    rf"(?P<a>{RATIO_TEXT})(?P<wa>万(?!元)|千)?(?P<ua>{_UNIT})?(?P<inc>\(含\))?"
    rf"(?:(?:-|至|到)(?P<b>{RATIO_TEXT})(?P<wb>万(?!元)|千)?(?P<ub>{_UNIT})?)?"
    rf"(?P<post>以上|以下|及以上|及以下|以内|之间|\(含\)|（含）)?")


def _cval(c: re.Match, g: str) -> tuple[Decimal, bool]:
    """A bound of a _COND match with its 万/千 (10万条 -> 100000) and whether it is a ratio."""
    v, is_ratio = _ratio(_RATIO.fullmatch(c.group(g)))
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
    full, pct = _ratio(_RATIO.fullmatch(m.group("full")))
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
    pieces, words, percent = [], [], False
    prev_end = 0
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
        percent = percent or _ratio(_RATIO.fullmatch(conds[-1].group("a")))[1]
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
        (a, pa), (b, pb) = _ratio(_RATIO.fullmatch(m.group("a"))), _ratio(_RATIO.fullmatch(m.group("b")))
        return m.group("name"), {_FLIP[_OPS[m.group("o1")]]: a, _OPS[m.group("o2")]: b}, pa or pb
    m = re.fullmatch(rf"(?P<name>.+?)(?P<o>{op})(?P<a>{RATIO_TEXT})", cond)
    if m:
        a, pct = _ratio(_RATIO.fullmatch(m.group("a")))
        return m.group("name"), {_OPS[m.group("o")]: a}, pct
    # 办结率低于60% / 办结率在90%以上
    m = re.fullmatch(rf"(?P<name>.+?)(?P<pre>不低于|不少于|不高于|不超过|低于|小于|少于|不足|高于|大于|超过|"
                     rf"多于|达到|在|为)?(?P<a>{RATIO_TEXT})(?P<post>及以上|及以下|以上|以下|以内)?", cond)
    if m and (m.group("pre") or m.group("post")):
        a, pct = _ratio(_RATIO.fullmatch(m.group("a")))
        b = _bound_open(m.group("pre") or "", m.group("post") or "", a)
        return (m.group("name"), b, pct) if b else None
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


def _fmt(v: Decimal) -> str:
    return format(v.normalize(), "f")


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
            c.group("ua") or c.group("ub") or _ratio(_RATIO.fullmatch(c.group("b")))[1]):
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
    if tiers:
        r.reason = (f"这几档得分像是只取其一的档次（“{tiers.group(0)}”），已按逐项累加读；"
                    f"如只取其一，请改为分档（bands）或酌情计分")
    negative = re.search(rf"(?<![\d.])-{NUM}分", t)
    if negative:
        r.reason = f"有负分（“{negative.group(0)}”）：已按得分项读，请核对并改为扣分（deduction）"
    versus = re.search(r"(?:低于|高于|超过|不低于|不高于|达到|优于)(?:全国|全省|全市|全区|本地|同期|上年|上一年|去年)?"
                       r"(?:的)?(?:平均水平|平均值|平均|同期水平|同期|上年|去年|目标值|全省水平|全市水平)", t)
    if versus and not r.reason:
        r.reason = f"比较的对象不是数值（“{versus.group(0)}”）：已按达到即得分读，请写明门槛数值或确认由信用办判定"
    names = [f"done{i + 1}" if len(items) > 1 else "done" for i in range(len(items))]
    r.params = {"items": [{"metric": n, "points": p} for n, (_, p, _) in zip(names, items)]}
    r.metrics = [_metric(n, s or "达到要求", "bool") for n, (s, _, _) in zip(names, items)]
    total = sum((p for _, p, _ in items), Decimal(0))
    cap, capw = _cap(t)
    # tiers that may be exclusive give the largest unless the bullet writes its own cap
    r.points = min(total, cap) if cap is not None else max(p for _, p, _ in items) if tiers else total
    r.words = [w for _, _, w in items] + ([capw] if cap is not None else [])
    return True


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


_FULL_MARK = re.compile(rf"(?:(?:本项|此项|该项|本指标|本条)(?:满分)?(?:为|计)?|满分(?:为)?|^|[:：])(?P<n>{NUM})分(?![/之])")


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
