"""Deadline calendar: workdays, Chinese public holidays, report periods and their deadlines.

Pure functions of dates: nothing here reads a clock or a database, so `today` is always passed
in. Workdays come from the `chinesecalendar` table (public holidays and 调休 working weekends),
which a small YAML file can extend when a new year's schedule is announced.

Periods are short strings, one form per frequency:

    monthly   "2022-08"      quarterly "2022-Q3"
    yearly    "2022"         once      "2022-10-02" (the fixed date itself)

A deadline that falls on a 法定休假日 (a public holiday or a rest weekend) moves to the next
workday, as 民法典第二百零三条 says for the last day of a period.
"""
from __future__ import annotations

import calendar as _stdlib_calendar
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import chinese_calendar
import yaml

__all__ = [
    "CalendarError",
    "make_calendar",
    "DEFAULT_HOLIDAYS_FILE",
    "FREQUENCIES",
    "Deadline",
    "Frequency",
    "WorkCalendar",
    "deadline",
    "deadline_info",
    "is_on_time",
    "next_period",
    "nominal_deadline",
    "parse_period",
    "period_of_submission",
    "periods_in_year",
    "previous_period",
    "upcoming_deadlines",
]

Frequency = Literal["monthly", "quarterly", "yearly", "once"]
FREQUENCIES: tuple[str, ...] = ("monthly", "quarterly", "yearly", "once")

#: The extension file shipped with the package (empty but for comments).
DEFAULT_HOLIDAYS_FILE = Path(__file__).with_name("holidays.yaml")

#: Day of the following month a period is due on when the scheme names none.
DEFAULT_DUE_DAY = 10

_MAX_SCAN_DAYS = 366  # no real run of holidays is longer; a longer one is a data error
_MAX_RANGE_DAYS = 366


class CalendarError(ValueError):
    """The holiday extension file cannot be used; the message names its file and line."""


# --------------------------------------------------------------------------------------------
# Workdays
# --------------------------------------------------------------------------------------------


def _as_date(d: date) -> date:
    """`datetime` is a `date` subclass; compare and hash plain dates only."""
    return d.date() if isinstance(d, datetime) else d


class WorkCalendar:
    """Workdays per the national holiday table, extended/overridden by local entries.

    Years the table does not cover fall back to Monday–Friday and are recorded in
    `uncovered_years`, so callers can warn that the count ignores holidays. A year counts as
    covered when the extension lists at least one holiday in it (staff have entered that
    year's schedule).
    """

    def __init__(
        self,
        extra_holidays: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
    ) -> None:
        self.extra_holidays: frozenset[date] = frozenset(_as_date(d) for d in extra_holidays)
        self.extra_workdays: frozenset[date] = frozenset(_as_date(d) for d in extra_workdays)
        both = self.extra_holidays & self.extra_workdays
        if both:
            days = "、".join(d.isoformat() for d in sorted(both))
            raise ValueError(f"日期不能既是节假日又是工作日：{days}")
        self._extension_years = {d.year for d in self.extra_holidays}
        self.uncovered_years: set[int] = set()

    @classmethod
    def from_file(cls, path: str | Path) -> WorkCalendar:
        """Read `{holidays: [...], workdays: [...]}`; entries are YYYY-MM-DD or ranges
        "YYYY-MM-DD..YYYY-MM-DD" (both ends included)."""
        holidays, workdays = _read_extension(Path(path))
        return cls(holidays, workdays)

    @classmethod
    def default(cls) -> WorkCalendar:
        """The national table plus the extension file shipped with the package, if present."""
        if DEFAULT_HOLIDAYS_FILE.exists():
            return cls.from_file(DEFAULT_HOLIDAYS_FILE)
        return cls()

    def __repr__(self) -> str:
        return (
            f"WorkCalendar(extra_holidays={len(self.extra_holidays)}, "
            f"extra_workdays={len(self.extra_workdays)})"
        )

    # -- single days ---------------------------------------------------------------------------

    def is_workday(self, d: date) -> bool:
        d = _as_date(d)
        if d in self.extra_workdays:
            return True
        if d in self.extra_holidays:
            return False
        try:
            return bool(chinese_calendar.is_workday(d))
        except NotImplementedError:  # the table does not cover this year
            if d.year not in self._extension_years:
                self.uncovered_years.add(d.year)
            return d.weekday() < 5

    def is_holiday(self, d: date) -> bool:
        """A rest day: a public holiday or a weekend that is not a 调休 workday."""
        return not self.is_workday(d)

    def holiday_name(self, d: date) -> str | None:
        """Why `d` is a rest day, in Chinese ("国庆节", "春节", "周末", "假期"); None on a workday."""
        d = _as_date(d)
        if self.is_workday(d):
            return None
        if d in self.extra_holidays:
            return "假期"
        try:
            _, name = chinese_calendar.get_holiday_detail(d)
        except NotImplementedError:
            name = None
        if name:
            try:
                return str(chinese_calendar.Holiday(name).chinese)
            except ValueError:
                return "假期"
        return "周末" if d.weekday() >= 5 else "假期"

    def warnings(self) -> list[str]:
        """One line per year counted by weekends only, for replies and logs."""
        return [f"节假日表未覆盖{y}年，仅按周末计算" for y in sorted(self.uncovered_years)]

    # -- moving between workdays ---------------------------------------------------------------

    def next_workday(self, d: date, include_self: bool = True) -> date:
        d = _as_date(d)
        day = d if include_self else d + timedelta(days=1)
        for _ in range(_MAX_SCAN_DAYS):
            if self.is_workday(day):
                return day
            day += timedelta(days=1)
        raise ValueError(f"{d.isoformat()} 之后一年内没有工作日，请检查节假日扩展文件")

    def previous_workday(self, d: date, include_self: bool = False) -> date:
        """The last workday strictly before `d` (or `d` itself with include_self=True)."""
        d = _as_date(d)
        day = d if include_self else d - timedelta(days=1)
        for _ in range(_MAX_SCAN_DAYS):
            if self.is_workday(day):
                return day
            day -= timedelta(days=1)
        raise ValueError(f"{d.isoformat()} 之前一年内没有工作日，请检查节假日扩展文件")

    def add_workdays(self, d: date, n: int) -> date:
        """The n-th workday after `d` (n > 0) or before it (n < 0); `d` itself for n == 0.
        E.g. "remind 3 workdays before the deadline" is add_workdays(deadline, -3)."""
        day = _as_date(d)
        for _ in range(abs(n)):
            if n > 0:
                day = self.next_workday(day, include_self=False)
            else:
                day = self.previous_workday(day)
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Workdays after `start` up to and including `end` — "还剩N个工作日"; 0 if end <= start."""
        start, end = _as_date(start), _as_date(end)
        count = 0
        day = start + timedelta(days=1)
        while day <= end:
            count += self.is_workday(day)
            day += timedelta(days=1)
        return count

    def adjust_deadline(self, d: date) -> date:
        """民法典第二百零三条: a period ending on a 法定休假日 ends on the day after the holiday,
        i.e. the next workday (a 调休 working weekend counts as a workday)."""
        return self.next_workday(d, include_self=True)


def _read_extension(path: Path) -> tuple[set[date], set[date]]:
    """Parse the extension file, naming the file and line of any bad entry."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CalendarError(f"{path}: 无法读取节假日扩展文件（{exc.strerror or exc}）") from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise CalendarError(f"{where}: YAML 格式错误：{getattr(exc, 'problem', exc)}") from exc

    found: dict[str, set[date]] = {"holidays": set(), "workdays": set()}
    if root is None:  # empty, or comments only
        return found["holidays"], found["workdays"]
    if not isinstance(root, yaml.MappingNode):
        raise CalendarError(
            f"{path}:{root.start_mark.line + 1}: 顶层应为 holidays: [...] 和 workdays: [...]"
        )
    for key_node, value_node in root.value:
        key = key_node.value
        line = key_node.start_mark.line + 1
        if key not in found:
            raise CalendarError(f"{path}:{line}: 未知的键“{key}”，只能是 holidays 或 workdays")
        if isinstance(value_node, yaml.ScalarNode) and value_node.value in ("", "~", "null"):
            continue  # `holidays:` with nothing under it
        if not isinstance(value_node, yaml.SequenceNode):
            raise CalendarError(f"{path}:{line}: {key} 应为列表，每行一个日期或日期范围")
        for item in value_node.value:
            item_line = item.start_mark.line + 1
            if not isinstance(item, yaml.ScalarNode):
                raise CalendarError(f"{path}:{item_line}: {key} 的每一项应为日期或日期范围")
            try:
                found[key].update(_parse_day_or_range(item.value))
            except ValueError as exc:
                raise CalendarError(f"{path}:{item_line}: {key}: {exc}") from None

    both = found["holidays"] & found["workdays"]
    if both:
        days = "、".join(d.isoformat() for d in sorted(both))
        raise CalendarError(f"{path}: 日期不能既在 holidays 又在 workdays：{days}")
    return found["holidays"], found["workdays"]


def _parse_day(text: str) -> date:
    text = text.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(f"“{text}”不是 YYYY-MM-DD 格式的日期")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{text}”不是有效日期") from None


def _parse_day_or_range(text: str) -> list[date]:
    if ".." not in text:
        return [_parse_day(text)]
    first, _, last = text.partition("..")
    start, end = _parse_day(first), _parse_day(last)
    if end < start:
        raise ValueError(f"日期范围“{text}”的结束日早于开始日")
    days = (end - start).days + 1
    if days > _MAX_RANGE_DAYS:
        raise ValueError(f"日期范围“{text}”超过一年，请检查是否写错")
    return [start + timedelta(days=i) for i in range(days)]


# --------------------------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------------------------


def _check_frequency(frequency: str) -> None:
    if frequency not in FREQUENCIES:
        raise ValueError(f"未知的报送频率“{frequency}”，应为 monthly、quarterly、yearly 或 once")


def _month_of(period: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", period.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"月度期别“{period}”应写成 2022-08")
    return int(m.group(1)), int(m.group(2))


def _quarter_of(period: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d{4})-?[Qq]([1-4])", period.strip())
    if not m:
        raise ValueError(f"季度期别“{period}”应写成 2022-Q3")
    return int(m.group(1)), int(m.group(2))


def _year_of(period: str) -> int:
    if not re.fullmatch(r"\d{4}", period.strip()):
        raise ValueError(f"年度期别“{period}”应写成 2022")
    return int(period)


def _fixed_date(fixed: date | str | None, period: str | None = None) -> date:
    """The date of a one-off item: `fixed`, else the period string itself."""
    if isinstance(fixed, date):
        return _as_date(fixed)
    text = fixed if fixed is not None else period
    if text is None:
        raise ValueError("一次性事项需要指定截止日期")
    return _parse_day(str(text))


def _month_label(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def _day_in_month(year: int, month: int, day: int) -> date:
    """Day N of a month, clamped to its last day (31 → 30 Apr, 28/29 Feb)."""
    return date(year, month, min(day, _stdlib_calendar.monthrange(year, month)[1]))


def _due_day(day: int | None) -> int:
    if day is None:
        return DEFAULT_DUE_DAY
    if not isinstance(day, int) or not 1 <= day <= 31:
        raise ValueError(f"截止日“{day}”应为1到31之间的整数")
    return day


def nominal_deadline(
    frequency: Frequency | str,
    period: str,
    day: int | None = None,
    fixed: date | str | None = None,
) -> date:
    """The deadline as the scheme prints it, before any holiday moves it.

    monthly: day N of the month after the period ("每月2日前报送上月工作": 2022-08 → 2022-09-02);
    quarterly: day N of the month after the quarter; yearly: `fixed` month/day in the next year,
    else 31 January (吕梁: 每年1月底前完成上年度考核); once: the fixed date.
    Without a `day`, monthly and quarterly are due on the 10th.
    """
    _check_frequency(frequency)
    if frequency == "monthly":
        year, month = _shift_month(*_month_of(period), 1)
        return _day_in_month(year, month, _due_day(day))
    if frequency == "quarterly":
        year, quarter = _quarter_of(period)
        next_year, next_month = _shift_month(year, quarter * 3, 1)
        return _day_in_month(next_year, next_month, _due_day(day))
    if frequency == "yearly":
        next_year = _year_of(period) + 1
        if fixed is None:
            return date(next_year, 1, 31)
        when = _fixed_date(fixed)
        return _day_in_month(next_year, when.month, when.day)
    return _fixed_date(fixed, period)


def deadline(
    cal: WorkCalendar,
    frequency: Frequency | str,
    period: str,
    day: int | None = None,
    fixed: date | str | None = None,
) -> date:
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


def deadline_info(
    cal: WorkCalendar,
    frequency: Frequency | str,
    period: str,
    day: int | None = None,
    fixed: date | str | None = None,
) -> Deadline:
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


def is_on_time(
    cal: WorkCalendar,
    frequency: Frequency | str,
    period: str,
    received: date,
    day: int | None = None,
    fixed: date | str | None = None,
) -> bool:
    """Received on or before the (holiday-adjusted) deadline."""
    return _as_date(received) <= deadline(cal, frequency, period, day, fixed)


def period_of_submission(
    frequency: Frequency | str,
    when: date,
    day: int | None = None,
    fixed: date | str | None = None,
    cal: "WorkCalendar | None" = None,
) -> str:
    """The period a submission made on `when` reports, when the sender names none.
    With `cal`, a quarterly window ends at the holiday-adjusted deadline (a 台账 due on a
    Sunday the 10th and sent on Monday the 11th still counts for the previous quarter).

    monthly: the previous month (a 月报 sent 2022-09-01 is for 2022-08); quarterly: the previous
    quarter while inside its reporting window (the month after the quarter, up to day N, default
    10), else the current quarter; yearly: the current year; once: the fixed date.
    """
    _check_frequency(frequency)
    when = _as_date(when)
    if frequency == "monthly":
        return _month_label(*_shift_month(when.year, when.month, -1))
    if frequency == "quarterly":
        quarter = (when.month - 1) // 3 + 1
        last_day = _due_day(day)
        if cal is not None and when.month in (1, 4, 7, 10):
            nominal = _day_in_month(when.year, when.month, last_day)
            last_day = max(last_day, cal.adjust_deadline(nominal).day
                           if cal.adjust_deadline(nominal).month == when.month else 31)
        in_window = when.month in (1, 4, 7, 10) and when.day <= last_day
        if in_window:
            return previous_period("quarterly", f"{when.year}-Q{quarter}")
        return f"{when.year}-Q{quarter}"
    if frequency == "yearly":
        return str(when.year)
    return _fixed_date(fixed).isoformat()


def previous_period(frequency: Frequency | str, period: str) -> str:
    return _step_period(frequency, period, -1)


def next_period(frequency: Frequency | str, period: str) -> str:
    return _step_period(frequency, period, 1)


def _step_period(frequency: str, period: str, by: int) -> str:
    _check_frequency(frequency)
    if frequency == "monthly":
        return _month_label(*_shift_month(*_month_of(period), by))
    if frequency == "quarterly":
        year, quarter = _quarter_of(period)
        index = year * 4 + (quarter - 1) + by
        return f"{index // 4}-Q{index % 4 + 1}"
    if frequency == "yearly":
        return str(_year_of(period) + by)
    raise ValueError("一次性事项没有上一期或下一期")


def periods_in_year(
    frequency: Frequency | str,
    year: int,
    fixed: date | str | None = None,
) -> list[str]:
    """The periods of one calendar year; a one-off item has its date's period if it falls in it."""
    _check_frequency(frequency)
    if frequency == "monthly":
        return [_month_label(year, m) for m in range(1, 13)]
    if frequency == "quarterly":
        return [f"{year}-Q{q}" for q in range(1, 5)]
    if frequency == "yearly":
        return [str(year)]
    when = _fixed_date(fixed)
    return [when.isoformat()] if when.year == year else []


def upcoming_deadlines(
    cal: WorkCalendar,
    frequency: Frequency | str,
    today: date,
    day: int | None = None,
    fixed: date | str | None = None,
    horizon_days: int = 62,
) -> list[tuple[str, date]]:
    """(period, deadline) with the deadline from `today` (inclusive) to today + horizon,
    soonest first."""
    _check_frequency(frequency)
    today = _as_date(today)
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


# --------------------------------------------------------------------------------------------
# Reading a period typed in chat
# --------------------------------------------------------------------------------------------

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9, "十": 10, "十一": 11, "十二": 12}
_NUM = r"(\d{1,2}|十[一二]?|[一二两三四五六七八九])"
_PERIOD_HELP = "请写成 2022-08、2022年8月、2022-Q3 或 2022年第三季度"


def _number(text: str) -> int:
    return int(text) if text.isdigit() else _CN_DIGITS[text]


def parse_period(text: str, default_year: int | None = None) -> str:
    """Read a period as people type it and return its canonical label.

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

    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return _parse_day(text).isoformat()
    if m := re.fullmatch(r"(?:(\d{4})年?-?)?[Qq]([1-4])", text):
        return f"{year_or_default(m.group(1))}-Q{m.group(2)}"
    if m := re.fullmatch(rf"(?:(\d{{4}})[年\-/.]?)?第?{_NUM}季度?", text):
        quarter = _number(m.group(2))
        if not 1 <= quarter <= 4:
            raise ValueError(f"季度“{raw}”应为第一至第四季度")
        return f"{year_or_default(m.group(1))}-Q{quarter}"
    month = (
        re.fullmatch(rf"(\d{{4}})[年\-/.]{_NUM}(?:月份?)?", text)
        or re.fullmatch(rf"(){_NUM}月份?", text)
    )
    if month:
        number = _number(month.group(2))
        if not 1 <= number <= 12:
            raise ValueError(f"月份“{raw}”应在1到12之间")
        return _month_label(year_or_default(month.group(1)), number)
    if m := re.fullmatch(r"(\d{4})(?:年度?)?", text):
        return m.group(1)
    raise ValueError(f"无法识别的期别“{raw}”，{_PERIOD_HELP}")


def make_calendar(settings: Mapping[str, Any]) -> WorkCalendar:
    """The office's work calendar: the built-in table plus CREDITBOT_HOLIDAYS, if set."""
    extra = str(settings.get("CREDITBOT_HOLIDAYS") or "").strip()
    return WorkCalendar.from_file(extra) if extra else WorkCalendar.default()
