"""The month's 通报 (月报报送情况通报): every report that fell due in the month — the monthly
工作总结, a quarter's 台账 — and for each, who sent it on time, who sent it late (and how many
days late), and who has not sent it, with counts.

A report is due in the month when its deadline (moved past holidays) falls in it: the 通报 for
2022-08 covers July's 工作总结 (due 8月2日), and in October the third quarter's 台账.

A city scheme that scores items per responsible unit adds, for each such item, every unit's
points so far (reports.per_unit): who is pulling the city's figure down is what the month's
通报 is for.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import sqlite_utils

from ledger.facts import CITY, all_facts, briefing_indicator
from ledger.office import Office, offices, year_status
from ledger.responsibility import duties
from ledger.submissions import report_filings
from ledger.units import Unit, list_units
from reports.document import Official, chinese_date
from reports.per_unit import per_unit_items, per_unit_tables
from schemes.asks import needs_report
from schemes.model import Indicator
from scoring.card import Scorecard
from scoring.engine import score_all
from worktime.calendar import WorkCalendar
from worktime.numerals import write_int
from worktime.period import Period, deadline, periods_in_year

__all__ = ["Filing", "DueItem", "MonthReport", "month_report", "write_month", "MonthError"]

ON_TIME, LATE, MISSING, REJECTED, OPEN = "on_time", "late", "missing", "rejected", "open"


class MonthError(ValueError):
    """The month cannot be reported (the message is for people)."""


@dataclass(frozen=True)
class Filing:
    unit: Unit
    state: str  # on_time | late | missing | rejected (sent, turned back, not sent again) | open
    received: date | None = None
    days_late: int | None = None


@dataclass
class DueItem:
    office: Office
    indicator: Indicator
    period: str
    deadline: date
    filings: list[Filing] = field(default_factory=list)

    def of(self, state: str) -> list[Filing]:
        return [f for f in self.filings if f.state == state]

    @property
    def what(self) -> str:
        """「2022年7月工作总结」, 「2022年第二季度“双公示”台账」: what was due, in words."""
        return f"{period_words(self.period)}{self.indicator.name}"


@dataclass
class MonthReport:
    month: str
    today: date
    items: list[DueItem]
    provisional: bool  # the year is still open
    # a city scheme's card, for its items scored per responsible unit (each unit's points)
    per_unit: list[tuple[Office, Scorecard]] = field(default_factory=list)

    def offices(self) -> list[Office]:
        seen: dict[str, Office] = {}
        for item in self.items:
            seen.setdefault(f"{item.office.scheme.id}:{item.office.year}", item.office)
        return list(seen.values())


def period_words(period: str) -> str:
    """2022年7月, 2022年第二季度: a stored period label in words."""
    try:
        return Period.from_label(period).label
    except ValueError:
        return period


def _reports(ind: Indicator, scheme) -> tuple[str, ...] | None:
    """The kinds of record that count as the report for this item, or None if it is none."""
    briefing = briefing_indicator(scheme)
    if briefing is not None and ind.code == briefing.code:
        return ("briefing",)
    if needs_report(ind):
        return ("report", "briefing")
    return None


def _filing(unit: Unit, rows: list[tuple[str, bool, str]], due: date, today: date) -> Filing:
    live = [(on_time, received) for status, on_time, received in rows if status != "rejected"]
    if not live:
        if rows:
            return Filing(unit, REJECTED)
        return Filing(unit, OPEN if today <= due else MISSING)
    if any(on_time for on_time, _ in live):
        first = min(date.fromisoformat(r[:10]) for o, r in live if o)
        return Filing(unit, ON_TIME, first)
    received = min(date.fromisoformat(r[:10]) for _, r in live)
    return Filing(unit, LATE, received, max((received - due).days, 1))


def _units(db: sqlite_utils.Database, off: Office, ind: Indicator) -> list[Unit]:
    units = [u for u in list_units(db) if off.assesses(u.kind)]
    if off.scheme.audience in ("city", "tasks"):  # the departments named for the item
        units = [u for u in units if ind.code in duties(off.scheme, u)]
    return units


def month_report(db: sqlite_utils.Database, month: str, today: date,
                 cal: WorkCalendar) -> MonthReport:
    """Every report due in `month` (2022-08) under every scheme the office runs."""
    try:
        month = str(Period.from_label(month, "month"))
    except ValueError:
        raise MonthError(f"月份请写作 2022-08（收到 {month}）") from None
    year = int(month[:4])
    items: list[DueItem] = []
    # December's report and the fourth quarter's fall due in January of the next year
    for y in (year - 1, year):
        if year_status(db, y) is None:
            continue
        for off in offices(db, y):
            for _, ind in off.scheme.indicators():
                kinds = _reports(ind, off.scheme)
                if kinds is None or ind.due is None:
                    continue
                for period in periods_in_year(ind.due.frequency, y):
                    due = deadline(cal, ind.due.frequency, period, ind.due.day, ind.due.date)
                    if str(Period.containing("month", due)) != month:
                        continue
                    item = DueItem(off, ind, period, due)
                    sent = report_filings(db, ind.code, period, kinds)
                    item.filings = [_filing(u, sent.get(u.id, []), due, today)
                                    for u in _units(db, off, ind)]
                    items.append(item)
    if year_status(db, year) is None and not items:
        raise MonthError(f"本办没有 {year} 考核年度")
    items.sort(key=lambda i: i.deadline)  # soonest first, as they fell due
    return MonthReport(month, today, items, year_status(db, year) != "closed",
                       _per_unit_cards(db, year, today, cal))


def _per_unit_cards(db: sqlite_utils.Database, year: int, today: date,
                    cal: WorkCalendar) -> list[tuple[Office, Scorecard]]:
    """The city's card of each city scheme of `year` that scores items per responsible unit
    (only those are scored: the rest of the 通报 is about filings, not points)."""
    out: list[tuple[Office, Scorecard]] = []
    if year_status(db, year) is None:
        return out
    for off in offices(db, year):
        if not off.city_level or all(i.per_unit is None for _, i in off.scheme.indicators()):
            continue
        card = score_all(off.scheme, all_facts(db, off, today, cal)).get(CITY)
        if card is not None and per_unit_items(card):
            out.append((off, card))
    return out


def write_month(report: MonthReport, path: str | Path, issuer: str) -> Path:
    """The 通报 as .docx in the official layout."""
    month = Period.from_label(report.month).label  # 2022年8月
    doc = Official()
    doc.title(f"关于{month}社会信用体系建设工作报送情况的通报")
    if not report.items:
        doc.para(f"{month}没有到期的报送事项。")
        _per_unit_part(doc, report, 0)
        doc.signature(issuer, report.today)
        return doc.save(path)
    doc.para(f"根据考核办法，现将{month}到期的各项报送事项完成情况通报如下"
             f"（统计截至{chinese_date(report.today)}）：")
    n = -1
    for n, off in enumerate(report.offices()):
        items = [i for i in report.items if i.office is off]
        doc.heading(f"{write_int(n + 1)}、{off.scheme.title}")
        rows = [[str(k), f"{i.what}（截止{i.deadline.month}月{i.deadline.day}日）", str(len(i.filings)),
                 str(len(i.of(ON_TIME))), str(len(i.of(LATE))),
                 str(len(i.of(MISSING)) + len(i.of(REJECTED))) + (f"（{len(i.of(OPEN))}个未到期）" if i.of(OPEN) else "")]
                for k, i in enumerate(items, start=1)]
        doc.table(["序号", "报送事项", "应报", "按时", "逾期", "未报送"], rows, [1.3, 7, 1.4, 1.4, 1.4, 2])
        for k, item in enumerate(items):
            doc.subheading(f"（{write_int(k + 1)}）{item.what}（截止{item.deadline.month}月{item.deadline.day}日）")
            doc.para(_item_text(item))
    _per_unit_part(doc, report, n + 1)
    doc.para("请逾期和未报送的单位高度重视，抓紧补报，并于下一报送期按时报送。")
    doc.signature(issuer, report.today)
    return doc.save(path)


def _names(filings: list[Filing]) -> str:
    return "、".join(f.unit.name for f in filings)


def _item_text(item: DueItem) -> str:
    parts = [f"应报送{len(item.filings)}个单位。"]
    on_time, late = item.of(ON_TIME), item.of(LATE)
    missing, rejected, open_ = item.of(MISSING), item.of(REJECTED), item.of(OPEN)
    parts.append(f"按时报送{len(on_time)}个" + (f"：{_names(on_time)}。" if on_time else "。"))
    if late:
        late = sorted(late, key=lambda f: -(f.days_late or 0))
        parts.append(f"逾期报送{len(late)}个：" + "、".join(
            f"{f.unit.name}（逾期{f.days_late}天）" for f in late) + "。")
    else:
        parts.append("逾期报送0个。")
    parts.append(f"未报送{len(missing)}个" + (f"：{_names(missing)}。" if missing else "。"))
    if rejected:
        parts.append(f"报送后被退回、尚未重新报送{len(rejected)}个：{_names(rejected)}。")
    if open_:
        parts.append(f"尚未到截止日{len(open_)}个：{_names(open_)}。")
    return "".join(parts)


def _per_unit_part(doc: Official, report: MonthReport, first: int) -> None:
    """Each city scheme's items scored per unit, numbered on from the headings before: the
    points so far (暂计 while the year is open), every responsible unit named."""
    for n, (off, card) in enumerate(report.per_unit, start=first):
        doc.heading(f"{write_int(n + 1)}、{off.scheme.title}分别计分指标各责任单位得分")
        when = f"统计截至{chinese_date(report.today)}" + ("，为暂计结果" if report.provisional else "")
        doc.para(f"以下指标由各责任单位分别计分，全市得分由各单位得分计算（{when}）：")
        per_unit_tables(doc, card)
