"""Report periods: what a period is, how people type one, and when it is due.

A period is stored and shown as a short string, one form per kind (the ledger keeps these):

    month   "2022-08"      quarter "2022-Q3"
    year    "2022"         day     "2022-10-02" (a one-off item's fixed date)

`Period` is that string read once: its kind, year, the periods before and after, its Chinese
label, and its deadline on the work calendar. Code that holds a period string asks `Period`
rather than cutting the string (`period[:4]`). The functions below take a scheme's frequency
(monthly, quarterly, yearly, once) with a period string, as a scheme's `due` is written.

A deadline that falls on a 法定休假日 (a public holiday or a rest weekend) moves to the next
workday, as 民法典第二百零三条 says for the last day of a period.
"""
from __future__ import annotations

import calendar as _stdlib_calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, Protocol

from worktime.calendar import WorkCalendar, as_date, parse_day
from worktime.numerals import read_int

__all__ = [
    "DEFAULT_DUE_DAY",
    "FREQUENCIES",
    "KIND_OF_FREQUENCY",
    "Deadline",
    "DeadlineCalendar",
    "Frequency",
    "Kind",
    "Period",
    "deadline",
    "deadline_info",
    "is_on_time",
    "next_period",
    "nominal_deadline",
    "parse_period",
    "period_of_submission",
    "period_year",
    "periods_in_year",
    "previous_period",
    "upcoming_deadlines",
]

Frequency = Literal["monthly", "quarterly", "yearly", "once"]


class DeadlineCalendar(Protocol):
    """What a deadline needs of a calendar: moving a date past holidays (a WorkCalendar, or a
    page's memo of one)."""

    def adjust_deadline(self, d: date) -> date: ...

FREQUENCIES: tuple[str, ...] = ("monthly", "quarterly", "yearly", "once")
Kind = Literal["month", "quarter", "year", "day"]
KIND_OF_FREQUENCY: dict[str, Kind] = {"monthly": "month", "quarterly": "quarter",
                                      "yearly": "year", "once": "day"}

#: Day of the following month a period is due on when the scheme names none.
DEFAULT_DUE_DAY = 10

_CN_QUARTER = "一二三四"
_PERIOD_HELP = "请写成 2022-08、2022年8月、2022-Q3 或 2022年第三季度"
# (stored label, Chinese label without the year) per kind
_FORMATS: dict[str, tuple[str, str]] = {
    "month": ("{y:04d}-{m:02d}", "{m}月"),
    "quarter": ("{y}-Q{q}", "第{cq}季度"),
    "year": ("{y}", "全年"),
    "day": ("{y:04d}-{m:02d}-{d:02d}", "{m}月{d}日"),
}
_KIND_HELP = {"month": "月度期别“{}”应写成 2022-08", "quarter": "季度期别“{}”应写成 2022-Q3",
              "year": "年度期别“{}”应写成 2022"}


@dataclass(frozen=True, order=True)
class Period:
    """One report period: a month, a quarter, a year, or a single day. Ordered by start."""

    start: date
    kind: Kind

    # -- making one ------------------------------------------------------------------------------

    @classmethod
    def of_month(cls, year: int, month: int) -> Period:
        return cls(date(year, month, 1), "month")

    @classmethod
    def of_quarter(cls, year: int, quarter: int) -> Period:
        return cls(date(year, quarter * 3 - 2, 1), "quarter")

    @classmethod
    def of_year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), "year")

    @classmethod
    def of_day(cls, day: date) -> Period:
        return cls(as_date(day), "day")

    @classmethod
    def containing(cls, kind: Kind, when: date) -> Period:
        """The period of this kind that `when` falls in (this month, this quarter …)."""
        when = as_date(when)
        if kind == "month":
            return cls.of_month(when.year, when.month)
        if kind == "quarter":
            return cls.of_quarter(when.year, (when.month - 1) // 3 + 1)
        if kind == "year":
            return cls.of_year(when.year)
        return cls.of_day(when)

    @classmethod
    def from_label(cls, text: str, kind: Kind | None = None) -> Period:
        """A stored label ("2022-08", "2022-Q3", "2022", "2022-10-02"), of `kind` if given."""
        t = text.strip()
        found: Period | None = None
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", t):
            if 1 <= int(m.group(2)) <= 12:
                found = cls.of_month(int(m.group(1)), int(m.group(2)))
        elif m := re.fullmatch(r"(\d{4})-?[Qq]([1-4])", t):
            found = cls.of_quarter(int(m.group(1)), int(m.group(2)))
        elif re.fullmatch(r"\d{4}", t):
            found = cls.of_year(int(t))
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", t):
            found = cls.of_day(parse_day(t))
        if found is None or (kind is not None and found.kind != kind):
            raise ValueError(_KIND_HELP.get(kind or "", "无法识别的期别“{}”，" + _PERIOD_HELP)
                             .format(text))
        return found

    @classmethod
    def parse(cls, text: str, default_year: int | None = None) -> Period:
        """Read a period as people type it.

        Months: "2022-08", "2022-8", "2022/8", "2022年8月", "2022年八月份", "8月" (year from
        `default_year`). Quarters: "2022-Q3", "2022Q3", "2022年第三季度", "2022年3季度", "三季度",
        "Q3". Years: "2022", "2022年", "2022年度". Days (one-off items): "2022-10-02".
        """
        raw = text
        text = unicodedata.normalize("NFKC", text).strip().replace(" ", "")

        def year_or_default(found: str | None) -> int:
            if found:
                return int(found)
            if default_year is None:
                raise ValueError(f"期别“{raw}”没有写年份，{_PERIOD_HELP}")
            return default_year

        num = r"(\d{1,2}|十[一二]?|[一二两三四五六七八九])"
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return cls.of_day(parse_day(text))
        if m := re.fullmatch(r"(?:(\d{4})年?-?)?[Qq]([1-4])", text):
            return cls.of_quarter(year_or_default(m.group(1)), int(m.group(2)))
        if m := re.fullmatch(rf"(?:(\d{{4}})[年\-/.]?)?第?{num}季度?", text):
            quarter = read_int(m.group(2))
            if not 1 <= quarter <= 4:
                raise ValueError(f"季度“{raw}”应为第一至第四季度")
            return cls.of_quarter(year_or_default(m.group(1)), quarter)
        month = (
            re.fullmatch(rf"(\d{{4}})[年\-/.]{num}(?:月份?)?", text)
            or re.fullmatch(rf"(){num}月份?", text)
        )
        if month:
            number = read_int(month.group(2))
            if not 1 <= number <= 12:
                raise ValueError(f"月份“{raw}”应在1到12之间")
            return cls.of_month(year_or_default(month.group(1)), number)
        if m := re.fullmatch(r"(\d{4})(?:年度?)?", text):
            return cls.of_year(int(m.group(1)))
        raise ValueError(f"无法识别的期别“{raw}”，{_PERIOD_HELP}")

    # -- what it is ------------------------------------------------------------------------------

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def month(self) -> int:
        """The month (of a month or a day); a quarter's or year's first month."""
        return self.start.month

    @property
    def quarter(self) -> int:
        """The quarter it falls in (1–4)."""
        return (self.start.month - 1) // 3 + 1

    def __str__(self) -> str:
        """The stored label: 2022-08, 2022-Q3, 2022, 2022-10-02."""
        return _FORMATS[self.kind][0].format(**self._parts())

    @property
    def short_label(self) -> str:
        """In Chinese without the year: 8月, 第三季度, 全年, 10月2日."""
        return _FORMATS[self.kind][1].format(**self._parts())

    def _parts(self) -> dict[str, object]:
        return {"y": self.year, "m": self.month, "d": self.start.day, "q": self.quarter,
                "cq": _CN_QUARTER[self.quarter - 1]}

    @property
    def label(self) -> str:
        """In Chinese: 2022年8月, 2022年第三季度, 2022年度, 2022年10月2日."""
        if self.kind == "year":
            return f"{self.year}年度"
        return f"{self.year}年{self.short_label}"

    # -- neighbours ------------------------------------------------------------------------------

    def shift(self, by: int) -> Period:
        """The period `by` steps later (earlier when negative), of the same kind."""
        if self.kind == "month":
            index = self.year * 12 + self.month - 1 + by
            return Period.of_month(index // 12, index % 12 + 1)
        if self.kind == "quarter":
            index = self.year * 4 + self.quarter - 1 + by
            return Period.of_quarter(index // 4, index % 4 + 1)
        if self.kind == "year":
            return Period.of_year(self.year + by)
        raise ValueError("一次性事项没有上一期或下一期")

    def previous(self) -> Period:
        return self.shift(-1)

    def next(self) -> Period:
        return self.shift(1)

    @property
    def end(self) -> date:
        """Its last day."""
        if self.kind == "day":
            return self.start
        return self.next().start - timedelta(days=1)

    # -- when it is due --------------------------------------------------------------------------

    def nominal_due(self, day: int | None = None, fixed: date | str | None = None) -> date:
        """The deadline as the scheme prints it, before any holiday moves it.

        month: day N of the month after it ("每月2日前报送上月工作": 2022-08 → 2022-09-02);
        quarter: day N of the month after the quarter; year: `fixed` month/day in the next
        year, else 31 January (吕梁: 每年1月底前完成上年度考核); day: `fixed`, else itself.
        Without a `day`, months and quarters are due on the 10th.
        """
        if self.kind in ("month", "quarter"):
            after = self.end + timedelta(days=1)
            return _day_in_month(after.year, after.month, _due_day(day))
        if self.kind == "year":
            if fixed is None:
                return date(self.year + 1, 1, 31)
            when = _fixed_date(fixed)
            return _day_in_month(self.year + 1, when.month, when.day)
        return _fixed_date(fixed) if fixed is not None else self.start

    def due(self, cal: WorkCalendar, day: int | None = None,
            fixed: date | str | None = None) -> date:
        """The effective deadline: the nominal one, moved past holidays."""
        return cal.adjust_deadline(self.nominal_due(day, fixed))


# --------------------------------------------------------------------------------------------
# A scheme's frequency with a period label
# --------------------------------------------------------------------------------------------


def _check_frequency(frequency: str) -> None:
    if frequency not in FREQUENCIES:
        raise ValueError(f"未知的报送频率“{frequency}”，应为 monthly、quarterly、yearly 或 once")


def _of(frequency: str, period: str) -> Period:
    _check_frequency(frequency)
    return Period.from_label(period, KIND_OF_FREQUENCY[frequency])


def _fixed_date(fixed: date | str | None, period: str | None = None) -> date:
    """The date of a one-off item: `fixed`, else the period string itself."""
    if isinstance(fixed, date):
        return as_date(fixed)
    text = fixed if fixed is not None else period
    if text is None:
        raise ValueError("一次性事项需要指定截止日期")
    return parse_day(str(text))


def _day_in_month(year: int, month: int, day: int) -> date:
    """Day N of a month, clamped to its last day (31 → 30 Apr, 28/29 Feb)."""
    return date(year, month, min(day, _stdlib_calendar.monthrange(year, month)[1]))


def _due_day(day: int | None) -> int:
    if day is None:
        return DEFAULT_DUE_DAY
    if not isinstance(day, int) or not 1 <= day <= 31:
        raise ValueError(f"截止日“{day}”应为1到31之间的整数")
    return day


def nominal_deadline(frequency: Frequency | str, period: str, day: int | None = None,
                     fixed: date | str | None = None) -> date:
    """The deadline as the scheme prints it (see `Period.nominal_due`)."""
    _check_frequency(frequency)
    if frequency == "once":
        return _fixed_date(fixed, period)
    return _of(frequency, period).nominal_due(day, fixed)


def deadline(cal: DeadlineCalendar, frequency: Frequency | str, period: str,
             day: int | None = None, fixed: date | str | None = None) -> date:
    """The effective deadline: the nominal one, moved past holidays."""
    return cal.adjust_deadline(nominal_deadline(frequency, period, day, fixed))


@dataclass(frozen=True)
class Deadline:
    """A period's deadline, with what moved it (for "原定…，因…顺延至…")."""

    period: str
    nominal: date
    deadline: date
    moved: bool
    reason: str | None = None  # "国庆节", "春节", "周末", "假期" when moved

    def describe(self) -> str:
        """截止日期 in words: "10月10日", or "原定10月2日，因国庆节假期顺延至10月8日"."""
        if not self.moved:
            return _cn_date(self.deadline, self.nominal)
        because = "周末" if self.reason == "周末" else f"{self.reason or ''}假期"
        return (
            f"原定{_cn_date(self.nominal, self.deadline)}，"
            f"因{because}顺延至{_cn_date(self.deadline, self.nominal)}"
        )


def _cn_date(d: date, other: date) -> str:
    """"10月8日", with the year only when the two dates differ in year."""
    text = f"{d.month}月{d.day}日"
    return f"{d.year}年{text}" if d.year != other.year else text


def deadline_info(cal: WorkCalendar, frequency: Frequency | str, period: str,
                  day: int | None = None, fixed: date | str | None = None) -> Deadline:
    nominal = nominal_deadline(frequency, period, day, fixed)
    actual = cal.adjust_deadline(nominal)
    moved = actual != nominal
    return Deadline(
        period=period,
        nominal=nominal,
        deadline=actual,
        moved=moved,
        reason=cal.holiday_name(nominal) if moved else None,
    )


def is_on_time(cal: WorkCalendar, frequency: Frequency | str, period: str, received: date,
               day: int | None = None, fixed: date | str | None = None) -> bool:
    """Received on or before the (holiday-adjusted) deadline."""
    return as_date(received) <= deadline(cal, frequency, period, day, fixed)


def period_of_submission(frequency: Frequency | str, when: date, day: int | None = None,
                         fixed: date | str | None = None, cal: WorkCalendar | None = None) -> str:
    """The period a submission made on `when` reports, when the sender names none.
    With `cal`, a quarterly window ends at the holiday-adjusted deadline (a 台账 due on a
    Sunday the 10th and sent on Monday the 11th still counts for the previous quarter).

    monthly: the previous month (a 月报 sent 2022-09-01 is for 2022-08); quarterly: the previous
    quarter while inside its reporting window (the month after the quarter, up to day N, default
    10), else the current quarter; yearly: the current year; once: the fixed date.
    """
    _check_frequency(frequency)
    when = as_date(when)
    if frequency == "monthly":
        return str(Period.containing("month", when).previous())
    if frequency == "quarterly":
        current = Period.containing("quarter", when)
        last_day = _due_day(day)
        if cal is not None and when.month in (1, 4, 7, 10):
            adjusted = cal.adjust_deadline(_day_in_month(when.year, when.month, last_day))
            last_day = max(last_day, adjusted.day if adjusted.month == when.month else 31)
        in_window = when.month in (1, 4, 7, 10) and when.day <= last_day
        return str(current.previous() if in_window else current)
    if frequency == "yearly":
        return str(when.year)
    return _fixed_date(fixed).isoformat()


def previous_period(frequency: Frequency | str, period: str) -> str:
    return str(_stepped(frequency, period, -1))


def next_period(frequency: Frequency | str, period: str) -> str:
    return str(_stepped(frequency, period, 1))


def _stepped(frequency: str, period: str, by: int) -> Period:
    _check_frequency(frequency)
    if frequency == "once":
        raise ValueError("一次性事项没有上一期或下一期")
    return _of(frequency, period).shift(by)


def periods_in_year(frequency: Frequency | str, year: int,
                    fixed: date | str | None = None) -> list[str]:
    """The periods of one calendar year; a one-off item has its date's period if it falls in it."""
    _check_frequency(frequency)
    if frequency == "once":
        when = _fixed_date(fixed)
        return [when.isoformat()] if when.year == year else []
    kind = KIND_OF_FREQUENCY[frequency]
    first = Period.containing(kind, date(year, 1, 1))
    found: list[str] = []
    p = first
    while p.year == year:
        found.append(str(p))
        p = p.next()
    return found


def upcoming_deadlines(cal: WorkCalendar, frequency: Frequency | str, today: date,
                       day: int | None = None, fixed: date | str | None = None,
                       horizon_days: int = 62) -> list[tuple[str, date]]:
    """(period, deadline) with the deadline from `today` (inclusive) to today + horizon,
    soonest first."""
    _check_frequency(frequency)
    today = as_date(today)
    last = today + timedelta(days=horizon_days)
    # A period's deadline lies in the year after it at the latest (yearly), and holidays move
    # it by days, so the periods of these years cover every deadline in the window.
    if frequency == "once":
        periods = [_fixed_date(fixed).isoformat()]
    else:
        periods = [
            p for year in range(today.year - 1, last.year + 1)
            for p in periods_in_year(frequency, year)
        ]
    found = [(p, deadline(cal, frequency, p, day, fixed)) for p in periods]
    return sorted(((p, d) for p, d in found if today <= d <= last), key=lambda pd: pd[1])


def period_year(frequency: Frequency | str, period: str) -> int:
    """The assessment year a period counts in (a one-off item's date's year)."""
    _check_frequency(frequency)
    if frequency == "once":
        return parse_day(period).year
    return _of(frequency, period).year


def parse_period(text: str, default_year: int | None = None) -> str:
    """A period as people type it (see `Period.parse`), as its stored label."""
    return str(Period.parse(text, default_year))
