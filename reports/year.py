"""The year-end 考核结果通报: per scheme the ranking table (totals with two decimals, bands,
deductions), the ranking chart as an image, the deductions and 重大失信事件 named, and on a city
scheme each item scored per responsible unit with every unit's points (reports.per_unit). A closed
year's 通报 is the final one; an open year's is marked 暂计 throughout, and a unit whose total
still includes items waiting for review says so.

Every figure is the engine's (scoring.engine.score_all over ledger.facts.all_facts), the
same the console, the chat and the Excel export show, rounded once for display.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import sqlite_utils

from ledger.facts import CITY, all_facts
from ledger.office import Office, offices, year_status
from reports.chart import ROWS_PER_CHART, band_colour, cjk_font, ranking_png
from reports.document import Official, chinese_date, two
from reports.per_unit import per_unit_items, per_unit_tables
from scoring.card import Scorecard
from scoring.engine import score_all
from worktime.calendar import WorkCalendar
from worktime.numerals import write_int

__all__ = ["SchemeResult", "YearReport", "year_report", "write_year", "YearError", "two"]


class YearError(ValueError):
    """The year cannot be reported (the message is for people)."""


@dataclass
class SchemeResult:
    office: Office
    cards: list[tuple[str, Scorecard]]  # in rank order

    def waiting(self, card: Scorecard) -> int:
        """Items whose figures are in the total but not yet reviewed."""
        return sum(1 for i in card.items if i.status == "provisional")


@dataclass
class YearReport:
    year: int
    final: bool  # the year is closed
    today: date
    schemes: list[SchemeResult]


def year_report(db: sqlite_utils.Database, year: int, today: date,
                cal: WorkCalendar) -> YearReport:
    status = year_status(db, year)
    if status is None:
        raise YearError(f"本办没有 {year} 考核年度")
    results = []
    for off in offices(db, year):
        cards = score_all(off.scheme, all_facts(db, off, today, cal))
        ordered = sorted(cards.items(), key=lambda kv: (kv[1].rank or 10**6, kv[0]))
        results.append(SchemeResult(off, ordered))
    return YearReport(year, status == "closed", today, results)


def _deduction_lines(card: Scorecard) -> list[str]:
    """What was deducted and why: each deduction item with points, each event."""
    out = [f"{i.name}扣{two(abs(i.points))}分" for i in card.items
           if i.section == "deduction" and i.points]
    out += [f"{e}（降一档：{card.band_before_downgrade}→{card.band}）" if card.band_before_downgrade
            and card.band_before_downgrade != card.band else e for e in card.events]
    return out


def write_year(report: YearReport, path: str | Path, issuer: str) -> Path:
    doc = Official()
    mark = None if report.final else f"（暂计，统计截至{chinese_date(report.today)}）"
    doc.title(f"关于{report.year}年度社会信用体系建设工作考核结果的通报", mark)
    if report.final:
        doc.para(f"根据考核办法，经各单位报送、市信用办审核，{report.year}年度社会信用体系建设工作"
                 f"考核已完成，现将考核结果通报如下：")
    else:
        doc.para(f"{report.year}年度考核尚未结束。现将截至{chinese_date(report.today)}的考核情况通报如下，"
                 f"各项得分为暂计结果，以年度考核结束后的最终结果为准。")
    font = cjk_font()
    for n, result in enumerate(report.schemes):
        scheme = result.office.scheme
        doc.heading(f"{write_int(n + 1)}、{scheme.title}")
        bands = [b.name for b in scheme.bands]
        counts = Counter(c.band for _, c in result.cards if c.band)
        if counts:
            doc.para(f"参加考核{len(result.cards)}个单位，其中" + "，".join(
                f"{b}{counts.get(b, 0)}个" for b in bands) + "。")
        waiting_units = [name for name, c in result.cards if result.waiting(c)]
        header = ["排名", "单位", "基础分", "附加分", "扣分", "总分", "等级"]
        if not report.final:
            header.append("备注")
        rows = []
        for name, card in result.cards:
            row = [str(card.rank or "—"), name, two(card.base), two(card.bonus),
                   two(card.deductions), two(card.total), card.band or "—"]
            if not report.final:
                row.append(f"{result.waiting(card)}项待审" if result.waiting(card) else "")
            rows.append(row)
        doc.subheading("（一）考核得分及排名")
        doc.table(header, rows, [1.5, 4.6, 1.7, 1.7, 1.7, 1.8, 1.4] + ([2.5] if not report.final else []))
        if waiting_units and not report.final:
            doc.para(f"有{len(waiting_units)}个单位的得分含待审核的报送，审核后可能变动。")
        doc.subheading("（二）排名图")
        _charts(doc, result, bands, font, scheme.base_total)
        doc.subheading("（三）扣分情况")
        lines = [f"{name}：{'；'.join(_deduction_lines(card))}。" for name, card in result.cards
                 if _deduction_lines(card)]
        for line in lines or ["本年度没有单位被扣分。"]:
            doc.para(line)
        city = dict(result.cards).get(CITY)
        if city is not None and per_unit_items(city):
            doc.subheading("（四）分别计分指标各责任单位得分")
            per_unit_tables(doc, city)
    doc.signature(issuer, report.today)
    return doc.save(path)


def _charts(doc: Official, result: SchemeResult, bands: list[str], font: str | None,
            top: Decimal | int | None) -> None:
    if font is None:
        doc.para("（服务器上没有中文字体，未能绘制排名图；安装 fonts-noto-cjk 后重新生成即可。）")
        return
    rows = [(name, card.total, band_colour(card.band, bands)) for name, card in result.cards]
    top_value = max([top or 0] + [c.total or 0 for _, c in result.cards])
    for start in range(0, len(rows), ROWS_PER_CHART):
        chunk = rows[start:start + ROWS_PER_CHART]
        title = "总分排名" + (f"（第{start + 1}–{start + len(chunk)}名）" if len(rows) > ROWS_PER_CHART else "")
        doc.picture(ranking_png(chunk, top_value, title, font))
