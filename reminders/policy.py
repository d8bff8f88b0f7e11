"""The reminder policy: when to remind, whom, and what the message says.

Defaults (each overridable in settings / environment):

    REMIND_HOUR=9               reminders go out from 09:00 on a workday
    QUIET_START=21, QUIET_END=8 nothing is sent from 21:00 to 08:00
    REMIND_DAYS_BEFORE=1        remind this many workdays before the deadline ("3,1": both)
    REMIND_DIRECT=1             a direct message to each liaison (or their deputy on leave)
    REMIND_MENTION_IN_GROUP=1   and an @-mention in the unit's group (when it has a webhook)
    REMIND_DIGEST=1             on the first workday after a deadline, a digest to staff

Three kinds of push, at most one per unit (or staff) per kind and day:

    before_deadline  N workdays before the deadline, to liaisons whose unit has not submitted
    deadline_day     on the morning of the deadline day, the same
    late_digest      on the first workday after the deadline, to staff: who is late

Nothing goes out on a rest day, in quiet hours, or for a unit whose reminders are paused.
Everything here is a pure function of its arguments (no clock, no database).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from worktime.calendar import WorkCalendar
from worktime.period import KIND_OF_FREQUENCY, Deadline, Period
from schemes.asks import send_command
from schemes.model import Indicator
from scoring.card import fmt

__all__ = ["BEFORE", "DAY", "DIGEST", "MAX_PUSH_BYTES", "DueItem", "PolicyError", "ReminderKind",
           "ReminderPolicy",
           "digest_text", "liaison_text", "period_label"]

ReminderKind = Literal["before_deadline", "deadline_day", "late_digest"]
BEFORE: ReminderKind = "before_deadline"
DAY: ReminderKind = "deadline_day"
DIGEST: ReminderKind = "late_digest"


class PolicyError(ValueError):
    """A reminder setting (or the time asked for) that cannot be used; the message names it."""


_FALSE = {"0", "false", "no", "off", "否", "不", "关", ""}


def _flag(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() not in _FALSE


def _hour(value: Any, default: int, key: str) -> int:
    if value is None or str(value).strip() == "":
        return default
    try:
        hour = int(str(value).strip())
    except ValueError:
        raise PolicyError(f"{key} 应为0到23之间的整数，收到：{value}") from None
    if not 0 <= hour <= 23:
        raise PolicyError(f"{key} 应为0到23之间的整数，收到：{value}")
    return hour


def _days_before(value: Any) -> tuple[int, ...]:
    """"1", 1, "3,1" or [3, 1] -> (3, 1); 0 and duplicates dropped (the deadline day is its own
    reminder)."""
    if value is None or str(value).strip() == "":
        return (1,)
    items = value if isinstance(value, (list, tuple)) else str(value).replace("，", ",").split(",")
    try:
        days = {int(str(v).strip()) for v in items if str(v).strip()}
    except ValueError:
        raise PolicyError(f"REMIND_DAYS_BEFORE 应为工作日数，如 1 或 3,1，收到：{value}") from None
    if any(d < 0 or d > 30 for d in days):
        raise PolicyError(f"REMIND_DAYS_BEFORE 应在0到30个工作日之间，收到：{value}")
    return tuple(sorted((d for d in days if d > 0), reverse=True))


@dataclass(frozen=True)
class ReminderPolicy:
    remind_hour: int = 9
    quiet_start: int = 21
    quiet_end: int = 8
    days_before: tuple[int, ...] = (1,)
    direct: bool = True
    mention_in_group: bool = True
    digest: bool = True

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> ReminderPolicy:
        return cls(
            remind_hour=_hour(settings.get("REMIND_HOUR"), 9, "REMIND_HOUR"),
            quiet_start=_hour(settings.get("QUIET_START"), 21, "QUIET_START"),
            quiet_end=_hour(settings.get("QUIET_END"), 8, "QUIET_END"),
            days_before=_days_before(settings.get("REMIND_DAYS_BEFORE")),
            direct=_flag(settings.get("REMIND_DIRECT"), True),
            mention_in_group=_flag(settings.get("REMIND_MENTION_IN_GROUP"), True),
            digest=_flag(settings.get("REMIND_DIGEST"), True),
        )

    def is_quiet(self, now: datetime) -> bool:
        """Inside the quiet window [QUIET_START, QUIET_END), which may wrap midnight."""
        start, end, hour = self.quiet_start, self.quiet_end, now.hour
        if start == end:
            return False
        if start < end:
            return start <= hour < end
        return hour >= start or hour < end

    def why_not_now(self, now: datetime, cal: WorkCalendar, whole_day: bool = False) -> str | None:
        """None when reminders may go out at `now`; otherwise the reason, in Chinese.
        `whole_day` asks about the day only (a dry run planning the day ahead)."""
        if not cal.is_workday(now):
            name = cal.holiday_name(now) or "休息日"
            return f"{now.month}月{now.day}日是{name}，不发送提醒"
        if whole_day:
            return None
        if self.is_quiet(now):
            return f"现在处于免打扰时段（{self.quiet_start}:00—次日{self.quiet_end}:00），不发送提醒"
        if now.hour < self.remind_hour:
            return f"提醒在工作日{self.remind_hour}:00之后发送"
        return None

    def kinds_for(self, today: date, deadline: date, cal: WorkCalendar) -> list[ReminderKind]:
        """Which pushes a deadline calls for on `today` (a workday)."""
        kinds: list[ReminderKind] = []
        if today < deadline and any(cal.add_workdays(deadline, -n) == today
                                    for n in self.days_before):
            kinds.append(BEFORE)
        if today == deadline:
            kinds.append(DAY)
        if self.digest and today > deadline and cal.next_workday(deadline, include_self=False) == today:
            kinds.append(DIGEST)
        return kinds


@dataclass(frozen=True)
class DueItem:
    """One indicator's period that a unit still owes."""

    indicator: Indicator
    period: str
    deadline: Deadline
    briefing: bool = False  # the monthly briefing (月报) indicator

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def label(self) -> str:
        """"2022年7月月报" for the briefing, else "「3 双公示…」2022年第三季度"."""
        when = period_label(self.indicator.due.frequency if self.indicator.due else "once",
                            self.period)
        if self.briefing:
            return f"{when}月报"
        return f"「{self.indicator.code} {self.indicator.name}」{when}"


def period_label(frequency: str, period: str) -> str:
    """"2022-07" -> "2022年7月", "2022-Q3" -> "2022年第三季度", "2022" -> "2022年度"; a one-off
    item's period (its date) says nothing more than the deadline, so it is empty."""
    if frequency not in ("monthly", "quarterly", "yearly"):
        return ""
    try:
        return Period.from_label(period, KIND_OF_FREQUENCY[frequency]).label
    except ValueError:
        return ""


def _cn_day(d: date) -> str:
    return f"{d.month}月{d.day}日"


def _when(dl: Deadline, today: date, cal: WorkCalendar) -> str:
    """"将于8月2日（明天）截止" / "今天（8月2日）截止", with the holiday move when there is one."""
    d = dl.deadline
    if d == today:
        text = f"今天（{_cn_day(d)}）截止"
    else:
        left = cal.workdays_between(today, d)
        hint = "明天" if (d - today).days == 1 else f"还剩{left}个工作日"
        text = f"将于{_cn_day(d)}（{hint}）截止"
    if dl.moved:
        text += f"（{dl.describe()}）"
    return text


def _stakes(items: Sequence[DueItem], stakes: Mapping[str, Decimal] | None = None) -> str:
    """「缺 2 项，最多可失 7 分」: with `stakes` (code -> the points sending on time is worth
    now, by the engine), those; else each item's full value."""
    points = sum(((stakes or {}).get(i.code, i.indicator.max_points or Decimal(0))
                  for i in items), Decimal(0))
    gates = sum(1 for i in items if i.indicator.gate is not None)
    text = f"缺 {len(items)} 项"
    if points > 0:
        text += f"，最多可失 {fmt(points)} 分"
    if gates:
        text += f"；其中 {gates} 项为基础指标/一票否决项，不达标则总分不计"
    return text + "。"


def _how(items: Sequence[DueItem]) -> str:
    """The commands that send these items (each one the bot accepts from a liaison)."""
    if all(i.briefing for i in items):
        return "请发送：月报 <内容>"
    cmds = list(dict.fromkeys(c for i in items if (c := send_command(
        i.indicator, i.period if i.indicator.due and i.indicator.due.frequency in
        ("monthly", "quarterly") else None, i.briefing))))
    shown = "；".join(cmds[:3]) + ("……" if len(cmds) > 3 else "")
    return f"请发送：{shown}；发送「缺项」查看详情。"


_MAX_LISTED = 8


def liaison_text(kind: ReminderKind, unit_name: str, items: Sequence[DueItem], today: date,
                 cal: WorkCalendar, stakes: Mapping[str, Decimal] | None = None) -> str:
    """One message per unit and day for everything due on the same deadline."""
    head = "【提醒】" if kind == BEFORE else "【今日截止】"
    when = _when(items[0].deadline, today, cal)
    if len(items) == 1:
        return (f"{head}{unit_name}：{items[0].label}{when}，尚未报送。"
                f"{_stakes(items, stakes)}{_how(items)}")
    lines = [f"{head}{unit_name}：以下 {len(items)} 项{when}，尚未报送："]
    lines += [f"· {i.label}" for i in items[:_MAX_LISTED]]
    if len(items) > _MAX_LISTED:
        lines.append(f"· ……等共 {len(items)} 项")
    lines.append(f"{_stakes(items, stakes)}{_how(items)}")
    return "\n".join(lines)


#: A group robot takes one message of 2048 bytes (WeCom text); keep pushes within it.
MAX_PUSH_BYTES = 1900


def digest_text(today: date, rows: Sequence[tuple[DueItem, list[str], list[str]]]) -> str:
    """The staff digest: per overdue item, units that sent nothing and units that sent late.
    `rows` are (item, names missing, names sent after the deadline). Long lists are cut to fit
    one group-robot message."""
    head = f"【逾期汇总】截至{_cn_day(today)}，以下事项有单位未按时报送："
    tail = "发送「未交」查看月报情况，「单位 <名称>」查看单位详情。"
    budget = MAX_PUSH_BYTES - len(head.encode()) - len(tail.encode()) - 60
    lines = [head]
    for n, (item, missing, late) in enumerate(rows):
        parts = []
        if missing:
            parts.append(f"未报送 {len(missing)} 个：{'、'.join(missing[:15])}"
                         + ("等" if len(missing) > 15 else ""))
        if late:
            parts.append(f"逾期补报：{'、'.join(late[:15])}" + ("等" if len(late) > 15 else ""))
        line = f"· {item.label}（截止{_cn_day(item.deadline.deadline)}）{'；'.join(parts)}"
        budget -= len(line.encode()) + 1
        if budget < 0 and n:
            lines.append(f"· ……等共 {len(rows)} 项")
            break
        lines.append(line)
    lines.append(tail)
    return "\n".join(lines)
