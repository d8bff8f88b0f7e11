"""Pydantic models of a scheme file (考核指标细则 as data).

A scheme is categories -> indicators -> rule parts. Each part is one scoring bullet of the
document with its own rule kind; an indicator's points are the sum of its parts, clamped to
[0, max_points] (deduction indicators are negative and capped by the scheme's deduction cap).
`extra="forbid"` everywhere so a mistyped key is an error, not silence.
"""
from __future__ import annotations

import datetime as dt
import re
import weakref
from decimal import Decimal
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from schemes.expr import names_in

__all__ = [
    "Metric", "Due", "Gate", "Applicability", "Band", "DowngradeEvent",
    "Checklist", "PerItem", "Formula", "Piecewise", "Bands", "Place", "Rank", "Deduction",
    "Discretionary", "PassFail", "Task", "Part", "Indicator", "Category", "Scheme",
    "RULE_KINDS", "DataPath", "part_expressions", "part_metrics", "metrics_read",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Points = Annotated[Decimal, Field(ge=0)]
MetricType = Literal["number", "count", "percent", "ratio", "money", "bool", "text"]


class Metric(_Strict):
    """A named input of an indicator. Percent values are stored as fractions (3% -> 0.03)."""

    name: str
    label: str
    type: MetricType = "number"
    unit: str = ""
    # Filled by the ledger, not typed by liaisons: "on_time_count" counts the indicator's on-time
    # reports in the year; "all_on_time" is true while every elapsed period was reported on
    # time; true means entered by staff only.
    derived: bool | Literal["on_time_count", "all_on_time"] = False
    # Figures the document says are reported monthly / quarterly / as they happen: each is
    # stored for its month (quarter), and `adds_up` says how the year's figure is made from
    # them. Unset: the indicator's own reporting period (monthly/quarterly due) or the year.
    period: Literal["month", "quarter", "year"] | None = None
    # sum: the year's figure is the sum of the periods' (counts); latest: the newest period's
    # figure stands (a rate, a yes/no); max: the highest period's. Unset: sum for a count
    # reported per period, else latest.
    adds_up: Literal["sum", "latest", "max"] | None = None
    # Values only the credit office knows — what its own checks or a higher authority's 通报
    # find (瞒报条数, cases notified): `office` means staff enter them (代报 / 打分) and a
    # liaison may not, so no unit certifies its own findings. Until the office enters one,
    # `default` holds (0: nothing found) and the unit is neither asked for it nor marked as
    # missing it. `scheme check` requires the default.
    entered_by: Literal["unit", "office"] = "unit"
    default: Decimal | bool | None = None

    def aggregate(self, per_period: bool) -> str:
        """How this metric adds up over periods (see `adds_up`)."""
        if self.adds_up:
            return self.adds_up
        return "sum" if per_period and self.type == "count" else "latest"
    # The values that make sense, in the metric's own unit (a percent as a fraction: -1 is
    # -100%, 1.5 is 150%; "150%" is accepted too). Absent: the type's default range (counts,
    # money and numbers from 0 up, percents 0–100%); written as null: no limit on that side.
    min: Decimal | None = None
    max: Decimal | None = None

    @field_validator("min", "max", "default", mode="before")
    @classmethod
    def _percent_text(cls, v: object) -> object:
        if isinstance(v, str) and v.strip().endswith("%"):
            return Decimal(v.strip()[:-1]) / 100
        return v

    @model_validator(mode="after")
    def _range_order(self) -> "Metric":
        lo, hi = self.bounds()
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"取值范围 min {lo} 大于 max {hi}")
        return self

    @model_validator(mode="after")
    def _default_fits(self) -> "Metric":
        """A default belongs to an office-entered value and must be a value of its type."""
        if self.entered_by == "office" and self.derived:
            raise ValueError("由信用办录入（entered_by: office）的数据项不能同时是自动统计（derived）")
        if self.default is None:
            return self
        if self.entered_by != "office":
            raise ValueError("default 只用于信用办录入的数据项（entered_by: office）")
        if self.type == "text":
            raise ValueError("文本（text）类型的数据项不能设默认值")
        if (self.type == "bool") != isinstance(self.default, bool):
            want = "true/false（是/否）" if self.type == "bool" else "数字"
            raise ValueError(f"默认值 default 应为{want}，收到 {self.default}")
        if isinstance(self.default, Decimal):
            lo, hi = self.bounds()
            if (lo is not None and self.default < lo) or (hi is not None and self.default > hi):
                raise ValueError(f"默认值 default {self.default} 不在取值范围内")
            if self.type == "count" and self.default != self.default.to_integral_value():
                raise ValueError(f"计数（count）的默认值应为整数，收到 {self.default}")
        return self

    @property
    def by_office(self) -> bool:
        """Only the office enters this value (a finding), never a liaison."""
        return self.entered_by == "office"

    def bounds(self) -> tuple[Decimal | None, Decimal | None]:
        """The effective (min, max) a value must lie in; None is open on that side."""
        if self.type in ("bool", "text"):
            return None, None
        lo = self.min if "min" in self.model_fields_set else Decimal(0)
        default_hi = Decimal(1) if self.type == "percent" else None
        hi = self.max if "max" in self.model_fields_set else default_hi
        return lo, hi


class Due(_Strict):
    """When data/evidence for an indicator is due.

    monthly: `day` of the month after the period (月报 by the 2nd -> day: 2);
    quarterly: `day` of the month after the quarter; yearly: `date` (month/day used) or Jan 31
    of the next year; once: the fixed `date`.
    """

    frequency: Literal["monthly", "quarterly", "yearly", "once"]
    day: int | None = Field(default=None, ge=1, le=31)
    date: dt.date | None = None
    text: str = ""  # as printed, e.g. "每月2日前"

    @model_validator(mode="after")
    def _needs_fields(self) -> "Due":
        if self.frequency == "once" and self.date is None:
            raise ValueError("一次性截止（once）必须给出 date")
        if self.frequency == "monthly" and self.day is None:
            raise ValueError("每月截止（monthly）必须给出 day")
        return self


class Gate(_Strict):
    """基础指标 (all must pass) or 一票否决 (a veto): the card shows pass/fail and the total does
    not count if any fails. 一票否优 (`no_excellent`): a failed one takes no points but bars the
    top band (优秀): the unit is graded one band lower at most. `metric` is the boolean metric
    that says "passed"."""

    kind: Literal["basic", "veto", "no_excellent"]
    metric: str


class Applicability(_Strict):
    """The indicator applies only while `expr` is true; otherwise it is 不适用 and its max
    points move to `transfer_to` (that indicator is scaled up proportionally)."""

    expr: str
    transfer_to: str | None = None
    text: str = ""


class Band(_Strict):
    name: str
    min: Decimal


class DowngradeEvent(_Strict):
    id: str
    name: str
    levels: int = 1
    text: str = ""


# ---- rule parts -------------------------------------------------------------------------------

class _Part(_Strict):
    id: str | None = None  # for `requires` links; defaults to p1, p2, …
    label: str = ""  # the bullet in words
    max_points: Points | None = None  # None: the part may reach the indicator max
    requires: list[str] = []  # part ids that must score > 0, else this part scores 0 too
    note: str = ""
    text: str = ""  # the bullet as printed, kept beside the rule it was read as


class ChecklistItem(_Strict):
    metric: str
    points: Points
    label: str = ""
    when: bool = True  # score when the metric equals this (否 -> 2 uses when: false)


class Checklist(_Part):
    """Each item met -> its points (有/无). `one_of`: the items are grades of one thing
    (完整的10分；不完整的5分): one choice, the most of the items met, never their sum."""

    kind: Literal["checklist"]
    items: list[ChecklistItem] = Field(min_length=1)
    one_of: bool = False


class PerItem(_Part):
    """points for every `per` units of `value` (每个案例0.1分; 每10个0.1分), capped by max."""

    kind: Literal["per_item"]
    value: str  # expression over metrics, usually one metric name
    per: Decimal = Field(default=Decimal(1), gt=0)
    points: Points
    # "达到10%的得1分，以此为基数每增加10%得1分": base=0.1, per=0.1 (base reached -> 1 step)
    base: Decimal = Decimal(0)


class Formula(_Part):
    """A safe arithmetic expression over metrics (simpleeval), clamped to [floor, max]."""

    kind: Literal["formula"]
    expr: str
    floor: Decimal = Decimal(0)


class Piece(_Strict):
    """A condition on x (lt/le/gt/ge/eq; all given must hold) and what it scores: a number or
    an expression in x."""

    lt: Decimal | None = None
    le: Decimal | None = None
    gt: Decimal | None = None
    ge: Decimal | None = None
    eq: Decimal | bool | str | None = None
    then: Decimal | str


class Piecewise(_Part):
    """Continuous scoring by ranges of x = `value` (不良贷款率, 执结率 …). First match wins."""

    kind: Literal["piecewise"]
    value: str
    pieces: list[Piece] = Field(min_length=1)


class Bands(_Part):
    """Fixed points by ranges of x = `value` (≥50% -> 1; 比值≥1 -> 3; 是 -> 0, 否 -> 2)."""

    kind: Literal["bands"]
    value: str
    pieces: list[Piece] = Field(min_length=1)


class Place(_Strict):
    """Places `first` to `last` (one place when `last` is absent) get `points`; counted from the
    bottom (倒数第1名 is the last) when `from_bottom`."""

    first: int = Field(ge=1)
    last: int | None = None
    points: Points
    from_bottom: bool = False

    @model_validator(mode="after")
    def _in_order(self) -> "Place":
        if self.last is not None and self.last < self.first:
            raise ValueError(f"名次 last {self.last} 小于 first {self.first}")
        return self

    def covers(self, place: int) -> bool:
        return self.first <= place <= (self.last if self.last is not None else self.first)


class Rank(_Part):
    """Points by rank among all units on `value`.

    method `linear`: the highest gets `top`, the lowest `bottom`, the others by rank position
      linearly in between (最多的得5分、最少的得1分、中间依序赋分).
    method `top_bottom`: the first `top_n` get `top`, the last `bottom_n` get `bottom`, the middle
      linearly by position (前三名5分、后三名0分).
    method `full_then_rank`: value >= `full_at` gets `top`; the others linearly from `top` down to
      `bottom` by rank (100%得8分，其余按排名).
    method `places`: fixed points by place (排名第1至5名的依次赋予60分、57分…; 第6至10名得40分;
      倒数第1名得0分): the first of `places` that covers a unit's place gives its points, `rest`
      the places none covers. `pool` says who takes places: `reported` — only units with a value
      (the others score 0), `all` — every unit, those without a value taking the last places.
      `ties`: `better` — tied units all take the better place; `average` — they share the mean of
      the points of the places they occupy. `top` is the most a place gives.
    Ties share the better rank (1, 2, 2, 4). `zero_if_none`: a value of 0 or none scores 0
    (未报送的不得分); with `higher_is_better: false` only none does (0 is then the best value).
    """

    kind: Literal["rank"]
    value: str
    method: Literal["linear", "top_bottom", "full_then_rank", "places"] = "linear"
    top: Points
    bottom: Points = Decimal(0)
    top_n: int = 1
    bottom_n: int = 1
    full_at: Decimal | None = None
    higher_is_better: bool = True
    zero_if_none: bool = True
    tie_rule: str = "并列者名次相同并取较好名次（如 1、2、2、4），末名（含并列）得最低分"
    places: list[Place] = []
    rest: Points = Decimal(0)
    pool: Literal["reported", "all"] = "reported"
    ties: Literal["better", "average"] = "better"

    @model_validator(mode="before")
    @classmethod
    def _top_of_places(cls, data: Any) -> Any:
        """A places rule names its points per place; its `top` is the most of them."""
        if isinstance(data, dict) and data.get("method") == "places" and "top" not in data:
            pts = [p.get("points") if isinstance(p, dict) else getattr(p, "points", None)
                   for p in data.get("places") or []] + [data.get("rest", 0)]
            try:
                data = {**data, "top": max(Decimal(str(x)) for x in pts if x is not None)}
            except (ArithmeticError, ValueError):
                pass  # the field validators say what is wrong
        return data

    @model_validator(mode="after")
    def _places_for_places(self) -> "Rank":
        if self.method == "places" and not self.places:
            raise ValueError("按名次赋分（method: places）须列出 places（名次与分值）")
        if self.method != "places" and self.places:
            raise ValueError(f"places 只用于 method: places（此处 method 为 {self.method}）")
        if self.method != "places" and (self.pool != "reported" or self.ties != "better"):
            raise ValueError("pool / ties 只用于 method: places（其他排名方法按已报送单位排名、并列取较好名次）")
        return self


class Deduction(_Part):
    """每发生1个扣5分最高扣10分 (base 0: negative points, capped by `cap`), or a start-from-base
    rule 无…得3分，每增加1件减1分 (base 3, floor 0)."""

    kind: Literal["deduction"]
    value: str
    per: Decimal = Field(default=Decimal(1), gt=0)
    each: Points
    base: Points = Decimal(0)
    cap: Points | None = None


class Discretionary(_Part):
    """酌情计分: staff enter points (metric `points`) within the max, with a reason."""

    kind: Literal["discretionary"]
    metric: str = "points"


class PassFail(_Part):
    """A gate with no points of its own: the boolean `metric` passed or not."""

    kind: Literal["pass_fail"]
    metric: str


class Task(_Part):
    """A work-plan task with no points: tracked by progress reports (`progress` text metric)."""

    kind: Literal["task"]
    metric: str = "progress"


Part = Annotated[
    Union[Checklist, PerItem, Formula, Piecewise, Bands, Rank, Deduction, Discretionary,
          PassFail, Task],
    Field(discriminator="kind"),
]
RULE_KINDS = ("checklist", "per_item", "formula", "piecewise", "bands", "rank", "deduction",
              "discretionary", "pass_fail", "task")


_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u9fff\uff00-\uffef])")


def _join_cjk(text: str) -> str:
    """YAML folded text puts a space at each line break; Chinese has no spaces between words."""
    return _CJK_GAP.sub("", text) if isinstance(text, str) else text


class Indicator(_Strict):
    code: str
    name: str
    max_points: Points | None = None  # None only for tasks / pure gates
    aliases: list[str] = []
    content: str = ""  # 考核内容 / 评分标准 as printed (shortened)
    metrics: list[Metric] = []
    parts: list[Part] = Field(min_length=1)
    evidence: str = ""  # 佐证材料
    lead: list[str] = []  # 牵头单位
    responsible: list[str] = []  # 责任单位
    due: Due | None = None
    gate: Gate | None = None
    applies: Applicability | None = None
    # 各责任单位分别计分 (a city scheme only): each responsible unit is scored on its own figures
    # by the rule, and the city's points on the item are the units' `mean`, `lowest` or `sum`
    # (capped at max_points) — as the document says the city's figure is made.
    per_unit: Literal["mean", "lowest", "sum"] | None = None
    note: str = ""

    @field_validator("content", "evidence", "note", mode="before")
    @classmethod
    def _tidy(cls, v: str) -> str:
        return _join_cjk(v)

    @field_validator("code")
    @classmethod
    def _code_nonempty(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("指标编号不能为空")
        return v


class Category(_Strict):
    code: str
    name: str
    section: Literal["base", "bonus", "deduction", "gate", "tasks"] = "base"
    max_points: Points | None = None
    indicators: list[Indicator] = Field(min_length=1)
    note: str = ""


class Scheme(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    issuer: str
    doc_number: str = ""
    year: int
    audience: Literal["departments", "counties", "city", "tasks"]
    source: str = ""  # seed file it was read from
    base_total: Points | None = None
    bonus_cap: Points | None = None
    deduction_cap: Points | None = None
    bands: list[Band] = []
    downgrade_events: list[DowngradeEvent] = []
    categories: list[Category] = Field(min_length=1)
    note: str = ""

    def indicators(self) -> list[tuple[Category, Indicator]]:
        return [(c, i) for c in self.categories for i in c.indicators]

    def indicator(self, code: str) -> Indicator | None:
        for _, ind in self.indicators():
            if ind.code == code:
                return ind
        return None


# Where a value sits in scheme data: mapping keys and list indexes (pydantic's `loc`).
DataPath = tuple[str | int, ...]


def part_expressions(part: Part) -> list[tuple[DataPath, str, frozenset[str]]]:
    """The expressions a rule part evaluates, by field, each with the names it binds itself (a
    piece's `x`)."""
    out: list[tuple[DataPath, str, frozenset[str]]] = []
    if isinstance(part, Formula):
        out.append((("expr",), part.expr, frozenset()))
    elif not isinstance(part, (Checklist, Discretionary, PassFail, Task)):
        out.append((("value",), part.value, frozenset()))
    if isinstance(part, (Piecewise, Bands)):
        out += [(("pieces", k, "then"), piece.then, frozenset({"x"}))
                for k, piece in enumerate(part.pieces) if isinstance(piece.then, str)]
    return out


def part_metrics(part: Part) -> list[tuple[DataPath, str]]:
    """The metrics a rule part names outright, by field: checklist items, the staff-entered,
    gate or progress metric."""
    if isinstance(part, Checklist):
        return [(("items", k, "metric"), item.metric) for k, item in enumerate(part.items)]
    if isinstance(part, (Discretionary, PassFail, Task)):
        return [(("metric",), part.metric)]
    return []


# Parts are frozen: what one reads is worked out once, while it lives (scoring asks it of every
# part of every unit's card).
_READS: dict[int, frozenset[str]] = {}


def metrics_read(part: Part) -> frozenset[str]:
    """The metric names a rule part reads (formulas, piece expressions, items, named metric)."""
    got = _READS.get(id(part))
    if got is None:
        names = {name for _, name in part_metrics(part)}
        for _, text, local in part_expressions(part):
            names |= names_in(text) - local
        got = _READS[id(part)] = frozenset(names)
        weakref.finalize(part, _READS.pop, id(part), None)
    return got
