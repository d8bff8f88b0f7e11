"""Scorecards and lists rendered as short Chinese chat text."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Mapping

from ledger.facts import Office, briefing_of
from worktime.calendar import WorkCalendar
from worktime.period import deadline_info, period_of_submission, periods_in_year
from schemes.asks import send_command, staff_only_metrics
from schemes.model import Indicator, metrics_read
from scoring.stakes import timeliness_metric
from scoring.card import STATUS_ZH, ItemCard, Scorecard, pts

__all__ = ["card_text", "missing_lines", "next_deadline", "deadline_text", "staff_only_metrics"]


def _all_staff_only(ind: Indicator) -> bool:
    typed = [m for m in ind.metrics if not m.derived or m.derived is True]
    return bool(typed) and len(staff_only_metrics(ind)) == len(typed)


def _head(card: Scorecard, who: str, off: Office) -> list[str]:
    lines = [f"【{who}】{off.year}年度 {off.scheme.title}"]
    if card.total is None:
        done = sum(1 for i in card.items if i.status == "reported")
        lines.append(f"任务进展：已报告 {done}/{len(card.items)} 项")
        return lines
    band = f"，{card.band}" if card.band else ""
    if card.band and card.band_before_downgrade and card.band != card.band_before_downgrade:
        band += f"（因{'、'.join(card.events)}由{card.band_before_downgrade}降档）"
    rank = f"，排名 {card.rank}/{card.rank_of}" if card.rank and card.rank_of and card.rank_of > 1 else ""
    lines.append(f"总分 {pts(card.total)}{band}{rank}")
    parts = [f"基础分 {pts(card.base)}/{pts(off.scheme.base_total)}"]
    if off.scheme.bonus_cap is not None:
        parts.append(f"附加分 {pts(card.bonus)}")
    if card.deductions:
        parts.append(f"扣分 {pts(card.deductions)}")
    lines.append("，".join(parts))
    gates = [i for i in card.items if i.gate and i.gate != "no_excellent"]  # 一票否优 takes the band
    if gates:
        failed = [i for i in gates if i.gate_passed is not True]
        if failed:
            lines.append(f"⚠ {'基础指标' if gates[0].gate == 'basic' else '一票否决指标'}未全部达标"
                         f"（{len(failed)}/{len(gates)} 项未达标或未确认），总分暂不计入")
        else:
            lines.append(f"门槛指标 {len(gates)} 项全部达标")
    return lines


def card_text(card: Scorecard, who: str, off: Office, weakest: int = 3) -> str:
    lines = _head(card, who, off)
    if card.total is not None:
        lines.append("分类得分：")
        sections = {c.name: c.section for c in off.scheme.categories}
        for name, got, mx in card.categories:
            if got is not None and mx and sections.get(name) in ("base", "bonus"):
                lines.append(f"· {name} {pts(got)}/{pts(mx)}")
        weak = card.weakest(weakest)
        if weak:
            lines.append("失分最多：")
            for i in weak:
                lines.append(f"· {i.code} {i.name} {pts(i.points)}/{pts(i.max_points)}"
                             f"（{STATUS_ZH[i.status]}）")
        pending = sum(1 for i in card.items if i.status == "provisional")
        if pending:
            lines.append(f"其中 {pending} 项待信用办审核，分数为暂计。")
    lines.append("发送「缺项」查看待补项目，「截止」查看截止时间。")
    return "\n".join(lines)


def next_deadline(ind: Indicator, today: date, cal: WorkCalendar) -> date | None:
    """The deadline of the period a submission made today would count for."""
    due = ind.due
    if due is None:
        return None
    if due.frequency == "once":
        return cal.adjust_deadline(due.date) if due.date else None
    period = period_of_submission(due.frequency, today, due.day, due.date, cal=cal)
    return deadline_info(cal, due.frequency, period, due.day, due.date).deadline


def next_deadline_in(ind: Indicator, today: date, cal: WorkCalendar, year: int) -> date | None:
    """The next deadline (from today) of a period that counts in `year`: in January, this
    year's 月报 is due in February, whatever last year's December still owes."""
    due = ind.due
    if due is None:
        return None
    if due.frequency == "once":
        return cal.adjust_deadline(due.date) if due.date else None
    for period in periods_in_year(due.frequency, year):
        dl = deadline_info(cal, due.frequency, period, due.day, due.date).deadline
        if dl >= today:
            return dl
    return None


def deadline_text(d: date | None, today: date, cal: WorkCalendar) -> str:
    """「截止1月31日（还剩17个工作日）」; the year is named when it is not this year's."""
    if d is None:
        return ""
    day = f"{d.year}年{d.month}月{d.day}日" if d.year != today.year else f"{d.month}月{d.day}日"
    if d < today:
        return f"截止{day}（已过）"
    left = cal.workdays_between(today, d)
    return f"截止{day}（还剩{left}个工作日）" if d > today else f"今天（{day}）截止"


def _task_order(code: str) -> tuple[int, str]:
    return (int(code), "") if code.isdigit() else (10**6, code)


def _only_timeliness(ind: Indicator) -> bool:
    """The item scores nothing but its reports in on time (月报's 按时报送次数)."""
    name = timeliness_metric(ind)
    return name is not None and all(metrics_read(p) <= {name} for p in ind.parts)


_GAP_ZH = {"missing": "未报送", "late": "逾期报送", "rejected": "被驳回"}


def _gap_text(ind: Indicator, gaps: list[tuple[str, str, date]]) -> str:
    """「2022年9月 未报送（截止10月8日）」 for each period not in on time, newest first."""
    from reminders.policy import period_label
    freq = ind.due.frequency if ind.due else "once"
    parts = [f"{period_label(freq, p)} {_GAP_ZH[state]}（截止{dl.month}月{dl.day}日）"
             for p, state, dl in reversed(gaps)]
    # three periods say the pattern on a phone; the count says the rest
    return "、".join(parts[:3]) + (f" 等 {len(parts)} 期" if len(parts) > 3 else "")


def missing_lines(items: list[ItemCard], scheme_inds: dict[str, Indicator], today: date,
                  cal: WorkCalendar, staff: bool = True,
                  gaps: dict[str, list[tuple[str, str, date]]] | None = None,
                  year: int | None = None,
                  stakes: Mapping[str, Decimal | None] | None = None) -> list[str]:
    """What is missing, rejected or overdue, most points first (tasks in their own order),
    with every period not in on time (`gaps`, ledger.facts.period_gaps). A liaison is not
    told about what only staff enter (酌情计分, gates). `stakes` (code -> the engine's figure of
    what acting now gains, scoring.stakes) replaces max − points where it is known: a 月报 or a
    台账 is worth what sending it on time still wins, nothing once that is lost."""
    periods = gaps or {}
    briefing = briefing_of(list(scheme_inds.values()))
    def theirs(i: ItemCard) -> list[str]:
        if staff:
            return list(i.missing)
        hidden = {m.label for m in staff_only_metrics(scheme_inds[i.code])}
        return [m for m in i.missing if m not in hidden]

    def owed(i: ItemCard) -> bool:
        ind = scheme_inds[i.code]
        if i.status in ("rejected", "overdue") or i.code in periods:
            return True
        if i.status == "provisional" and _all_staff_only(ind):
            return False  # evidence is in; the office confirms the rest
        # what only the office enters is not the liaison's to send, unless evidence is asked
        return bool(theirs(i)) or (i.status == "missing" and (
            staff or not _all_staff_only(ind) or bool(ind.evidence)))

    def worth(i: ItemCard) -> Decimal:
        known = (stakes or {}).get(i.code)
        if known is not None:
            return known
        return (i.max_points or Decimal(0)) - (i.points or Decimal(0))

    def offered(i: ItemCard) -> Decimal:
        """The points a line offers: none for periods that can only come in late."""
        lost = i.code in periods and all(state != "rejected" for _, state, _ in periods[i.code])
        return Decimal(0) if lost and (stakes or {}).get(i.code) is None else worth(i)

    wanted = [i for i in items if i.section in ("base", "gate", "tasks") and owed(i)]
    if all(i.section == "tasks" for i in wanted):
        wanted.sort(key=lambda i: _task_order(i.code))
    else:
        wanted.sort(key=lambda i: (-offered(i), i.code))
    out = []
    for i in wanted:
        ind = scheme_inds[i.code]
        owed_periods = theirs(i)
        what = "；".join(dict.fromkeys(owed_periods)) if owed_periods else (ind.evidence or "数据")
        gain = worth(i)
        at_stake = f"（{pts(gain)}分）" if gain > 0 else ""
        upcoming = (next_deadline(ind, today, cal) if year is None
                    else next_deadline_in(ind, today, cal, year))
        dl = deadline_text(upcoming, today, cal)
        periodic = ind.due is not None and ind.due.frequency != "once"
        # For a periodic item "overdue" is about earlier periods; the date shown is the next one.
        tag = {"overdue": "【往期未报】" if periodic else "【已逾期】",
               "rejected": "【被驳回】"}.get(i.status, "")
        if i.code in periods:
            how = send_command(ind, periods[i.code][-1][0], briefing=ind is briefing)
            # a period past its deadline counts only if in on time: sending it now wins nothing,
            # so no points are offered for it
            # (a rejected one corrected within the grace window keeps its on-time receipt)
            lost = all(state != "rejected" for _, state, _ in periods[i.code])
            # what the next period on time still wins (the engine's figure) goes with it
            known = (stakes or {}).get(i.code) is not None
            # an item that is only the count of reports on time (月报) wins its points with the
            # next period; one with data parts too (双公示) wins them with the data
            timely = _only_timeliness(ind)
            ahead = f"，按时可得{at_stake[1:-1]}" if lost and known and timely and at_stake else ""
            head = at_stake if not lost or (known and not timely) else ""
            counted = {m.label for m in ind.metrics if m.derived}  # the ledger counts these
            data = [m for m in dict.fromkeys(owed_periods) if m not in counted]
            also = f"；另缺 {'、'.join(data)}" if data and lost else ""
            out.append(f"· {tag}{i.code} {i.name}{head}："
                       f"{_gap_text(ind, periods[i.code])}{also}"
                       + ((f"；补报（逾期，不计入按时）：{how}" if lost else f"；补报：{how}")
                          if how and not staff else "")
                       + (f"；下一期{dl}{ahead}" if dl and "已过" not in dl else ""))
            continue
        out.append(f"· {tag}{i.code} {i.name}{at_stake}：缺 {what}{('，' + dl) if dl else ''}")
    return out
