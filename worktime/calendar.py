"""The work calendar: workdays and Chinese public holidays (report periods and their deadlines
are worktime.period's).

Pure functions of dates: nothing here reads a clock or a database, so `today` is always passed
in. Workdays come from the `chinesecalendar` table (public holidays and 调休 working weekends),
which a small YAML file can extend when a new year's schedule is announced. A deadline that
falls on a 法定休假日 moves to the next workday (`WorkCalendar.adjust_deadline`).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar
import yaml

__all__ = ["CalendarError", "DEFAULT_HOLIDAYS_FILE", "WorkCalendar", "as_date", "make_calendar",
           "parse_day"]

#: The extension file shipped with the package (empty but for comments).
DEFAULT_HOLIDAYS_FILE = Path(__file__).with_name("holidays.yaml")

_MAX_SCAN_DAYS = 366  # no real run of holidays is longer; a longer one is a data error
_MAX_RANGE_DAYS = 366


class CalendarError(ValueError):
    """The holiday extension file cannot be used; the message names its file and line."""


# --------------------------------------------------------------------------------------------
# Workdays
# --------------------------------------------------------------------------------------------


def as_date(d: date) -> date:
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
        self.extra_holidays: frozenset[date] = frozenset(as_date(d) for d in extra_holidays)
        self.extra_workdays: frozenset[date] = frozenset(as_date(d) for d in extra_workdays)
        both = self.extra_holidays & self.extra_workdays
        if both:
            days = "、".join(d.isoformat() for d in sorted(both))
            raise ValueError(f"日期不能既是节假日又是工作日：{days}")
        self._extension_years = {d.year for d in self.extra_holidays}
        self.uncovered_years: set[int] = set()
        # Each day looked up once: a deadline text counts the workdays up to it day by day, for
        # every item of every card.
        self._workday: dict[date, bool] = {}

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
        d = as_date(d)
        known = self._workday.get(d)
        if known is None:
            known = self._workday[d] = self._look_up(d)
        return known

    def _look_up(self, d: date) -> bool:
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
        d = as_date(d)
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
        d = as_date(d)
        day = d if include_self else d + timedelta(days=1)
        for _ in range(_MAX_SCAN_DAYS):
            if self.is_workday(day):
                return day
            day += timedelta(days=1)
        raise ValueError(f"{d.isoformat()} 之后一年内没有工作日，请检查节假日扩展文件")

    def previous_workday(self, d: date, include_self: bool = False) -> date:
        """The last workday strictly before `d` (or `d` itself with include_self=True)."""
        d = as_date(d)
        day = d if include_self else d - timedelta(days=1)
        for _ in range(_MAX_SCAN_DAYS):
            if self.is_workday(day):
                return day
            day -= timedelta(days=1)
        raise ValueError(f"{d.isoformat()} 之前一年内没有工作日，请检查节假日扩展文件")

    def add_workdays(self, d: date, n: int) -> date:
        """The n-th workday after `d` (n > 0) or before it (n < 0); `d` itself for n == 0.
        E.g. "remind 3 workdays before the deadline" is add_workdays(deadline, -3)."""
        day = as_date(d)
        for _ in range(abs(n)):
            if n > 0:
                day = self.next_workday(day, include_self=False)
            else:
                day = self.previous_workday(day)
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Workdays after `start` up to and including `end` — "还剩N个工作日"; 0 if end <= start."""
        start, end = as_date(start), as_date(end)
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


def parse_day(text: str) -> date:
    """A YYYY-MM-DD date, with a Chinese message when it is not one."""
    text = text.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(f"“{text}”不是 YYYY-MM-DD 格式的日期")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{text}”不是有效日期") from None


def _parse_day_or_range(text: str) -> list[date]:
    if ".." not in text:
        return [parse_day(text)]
    first, _, last = text.partition("..")
    start, end = parse_day(first), parse_day(last)
    if end < start:
        raise ValueError(f"日期范围“{text}”的结束日早于开始日")
    days = (end - start).days + 1
    if days > _MAX_RANGE_DAYS:
        raise ValueError(f"日期范围“{text}”超过一年，请检查是否写错")
    return [start + timedelta(days=i) for i in range(days)]


def make_calendar(settings: Mapping[str, Any]) -> WorkCalendar:
    """The office's work calendar: the built-in table plus CREDITBOT_HOLIDAYS, if set."""
    extra = str(settings.get("CREDITBOT_HOLIDAYS") or "").strip()
    return WorkCalendar.from_file(extra) if extra else WorkCalendar.default()
