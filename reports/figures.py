"""The platform's figures for every unit at once: template, preview, apply, notices.

Each way in (the CLI, a file sent in chat by staff, the console's upload, which goes through
the chat) calls these: `write_for` writes the sheet, `plan_for` reads a filled-in copy
against what the ledger holds now, `preview_text` says unit: old → new per metric, and
`apply` records it as one act (ledger.batch) and queues one notice per affected unit.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from ledger.batch import record_figures
from ledger.facts import reports_per_period
from ledger.office import Office, offices, year_status
from ledger.submissions import latest_by_indicator
from ledger.units import Unit, list_units
from reports.sheet import (Reader, SheetError, SheetKey, SheetPlan, read_key, read_sheet, show,
                           write_template)
from schemes.asks import liaison_metrics
from schemes.model import Indicator, Metric, Scheme
from worktime.period import KIND_OF_FREQUENCY, Period

__all__ = ["FiguresError", "period_kind", "check_period", "figure_metrics", "importable",
           "check_importable", "assessed_units",
           "current_figures", "write_for", "plan_for", "preview_text", "apply", "notice_text",
           "fingerprint"]


class FiguresError(ValueError):
    """A template or an import that cannot be made (the message is for people)."""


def period_kind(ind: Indicator) -> str:
    """'monthly', 'quarterly' or 'yearly': the period the indicator's figures are stored for."""
    return reports_per_period(ind) or "yearly"


def check_period(db: sqlite_utils.Database, ind: Indicator, period: str) -> None:
    """The period fits the indicator's figures and an assessment year the office runs."""
    kind = period_kind(ind)
    try:
        fits = Period.from_label(period).kind == KIND_OF_FREQUENCY[kind]
    except ValueError:
        fits = False
    if not fits:
        example = {"monthly": "2022-08", "quarterly": "2022-Q3", "yearly": "2022"}[kind]
        word = {"monthly": "按月", "quarterly": "按季度", "yearly": "按年度"}[kind]
        raise FiguresError(f"「{ind.code} {ind.name}」的数据{word}记录，期别应写作 {example}（收到 {period}）")
    year = Period.from_label(period).year
    status = year_status(db, year)
    if status is None:
        raise FiguresError(f"本办没有 {year} 考核年度")
    if status == "closed":
        raise FiguresError(f"{year} 考核年度已关闭，结果已定稿，不能再导入数据。")


def _figures(ind: Indicator) -> list[Metric]:
    """What a unit reports and what the office finds (瞒报条数: a sheet is the office's own act),
    in the scheme's order."""
    sent = {m.name for m in liaison_metrics(ind)}
    return [m for m in ind.metrics if (m.name in sent or m.by_office) and m.type != "text"]


def figure_metrics(ind: Indicator) -> list[Metric]:
    """The figures a sheet carries: what a unit reports (the platform's statistics) and what
    the office finds, not what the bot counts itself nor the office's own judgements (酌情计分,
    gates)."""
    metrics = _figures(ind)
    if not metrics:
        raise FiguresError(f"「{ind.code} {ind.name}」没有可批量导入的数据项（由机器人统计或由信用办酌情计分）")
    return metrics


def importable(scheme: Scheme) -> list[Indicator]:
    """The indicators a sheet can carry figures for. Deduction cases are not figures: each is
    recorded with its reason by 扣分."""
    out = []
    for cat, ind in scheme.indicators():
        if cat.section == "deduction":
            continue
        if _figures(ind):
            out.append(ind)
    return out


def check_importable(scheme: Scheme, ind: Indicator) -> None:
    figure_metrics(ind)
    if all(i.code != ind.code for i in importable(scheme)):
        raise FiguresError(f"「{ind.code} {ind.name}」是扣分情形，请用「扣分」逐条记录（写明情形和说明），不能批量导入")


def assessed_units(db: sqlite_utils.Database, off: Office) -> list[Unit]:
    return [u for u in list_units(db) if off.assesses(u.kind)]


def current_figures(db: sqlite_utils.Database, off: Office, ind: Indicator, period: str,
                    units: list[Unit]) -> dict[int, dict[str, Any]]:
    """Each unit's live figures for the indicator in that period (the newest record holds all
    of them: a new record carries the untouched values over)."""
    subs = latest_by_indicator(db, Period.from_label(period).year, ind.code, {u.id for u in units})
    out: dict[int, dict[str, Any]] = {}
    for unit_id, by_code in subs.items():
        live = next((s for s in by_code.get(ind.code, []) if s.kind == "data" and s.period == period), None)
        if live is not None:
            out[unit_id] = dict(live.metrics)
    return out


def _office(db: sqlite_utils.Database, scheme_id: str, year: int) -> Office:
    for off in offices(db, year):
        if off.scheme.id == scheme_id:
            return off
    raise FiguresError(f"本办 {year} 年度没有使用方案「{scheme_id}」，这份表格不能导入。")


def write_for(db: sqlite_utils.Database, off: Office, ind: Indicator, period: str,
              path: str | Path, now: datetime) -> Path:
    """The sheet for `ind` in `period`, every unit the office's scheme assesses."""
    check_period(db, ind, period)
    check_importable(off.scheme, ind)
    metrics = figure_metrics(ind)
    units = assessed_units(db, off)
    return write_template(path, scheme_id=off.scheme.id, year=off.year, indicator=ind,
                          period=period, metrics=metrics, units=units,
                          current=current_figures(db, off, ind, period, units), now=now)


def plan_for(db: sqlite_utils.Database, path: str | Path, read: Reader) -> SheetPlan:
    """Read a filled-in sheet against the ledger now; SheetError or FiguresError when it
    cannot be applied."""
    key: SheetKey = read_key(path)
    off = _office(db, key.scheme, key.year)
    ind = off.scheme.indicator(key.indicator)
    if ind is None:
        raise FiguresError(f"方案「{key.scheme}」中没有指标「{key.indicator}」")
    check_period(db, ind, key.period)
    check_importable(off.scheme, ind)
    units = assessed_units(db, off)
    return read_sheet(path, key=key, indicator=ind, metrics=figure_metrics(ind), units=units,
                      current=current_figures(db, off, ind, key.period, units), read=read)


def _title(plan: SheetPlan) -> str:
    return f"「{plan.indicator.code} {plan.indicator.name}」{plan.key.period}"


def preview_text(plan: SheetPlan, limit: int | None = None) -> str:
    """Unit: old → new per metric, one line per unit (`limit` units at most)."""
    units = plan.units()
    if not units:
        return f"导入预览：{_title(plan)}，读取 {plan.rows} 个单位，数值与现有记录相同，没有需要导入的变化。"
    lines = [f"导入预览：{_title(plan)}，读取 {plan.rows} 个单位，其中 {len(units)} 个单位有变化"
             f"（共 {len(plan.changes)} 项）："]
    for unit in units[:limit] if limit else units:
        lines.append(f"{unit.name}：" + "；".join(
            f"{c.metric.label} {show(c.metric, c.old)} → {show(c.metric, c.new)}"
            for c in plan.changes if c.unit.id == unit.id))
    if limit and len(units) > limit:
        lines.append(f"……另有 {len(units) - limit} 个单位有变化")
    return "\n".join(lines)


def notice_text(plan: SheetPlan, unit: Unit) -> str:
    shown = "；".join(f"{c.metric.label} {show(c.metric, c.old)} → {show(c.metric, c.new)}"
                     for c in plan.changes if c.unit.id == unit.id)
    return (f"市信用办导入了您单位{_title(plan)} 期的平台数据：{shown}。如有疑问请联系市信用办。")


def apply(db: sqlite_utils.Database, plan: SheetPlan, *, member_id: int | None, now: datetime,
          actor: str, channel: str, source: str | None) -> int:
    """Record the plan as one act; returns its 编号. The caller sends `notice_text` to each
    unit of `plan.units()` (one notice per affected unit)."""
    if not plan.changes:
        raise FiguresError("没有需要导入的变化。")
    summary = (f"导入 {_title(plan)} 平台数据：{len(plan.units())} 个单位 {len(plan.changes)} 项")
    return record_figures(db, indicator=plan.indicator.code, period=plan.key.period,
                          figures=plan.figures(), summary=summary, member_id=member_id,
                          now=now, actor=actor, channel=channel, source=source)


def fingerprint(plan: SheetPlan) -> str:
    """The changes a preview showed, so a confirmation applies exactly what was seen."""
    return "|".join(f"{c.unit.id}:{c.metric.name}:{c.old}:{c.new}" for c in plan.changes)
