"""Who can send what for an indicator, and the command that sends it.

A reminder, `截止` and `缺项` ask each person only for what that person can send, with a
command the bot accepts from them: a liaison types figures (`报送`), sends the monthly
briefing (`月报`) and files (`佐证`); gate confirmations (基础指标 / 一票否决), 酌情计分 and values
the bot counts itself belong to the office. Pure functions of the scheme.
"""
from __future__ import annotations

import re
import unicodedata

from schemes.model import Indicator, Metric

__all__ = ["staff_only_metrics", "liaison_metrics", "enterable", "printed_number", "needs_report",
           "liaison_can_send", "send_command"]


def staff_only_metrics(ind: Indicator) -> list[Metric]:
    """Metrics only the credit office enters: 酌情计分, gate confirmations, staff values and
    what the office finds (entered_by: office — 瞒报条数, cases notified)."""
    names = {p.metric for p in ind.parts if p.kind in ("discretionary", "pass_fail")}
    if ind.gate:
        names.add(ind.gate.metric)
    return [m for m in ind.metrics if m.name in names or m.derived is True or m.by_office]


def liaison_metrics(ind: Indicator) -> list[Metric]:
    """Metrics a liaison types with 报送."""
    staff = {m.name for m in staff_only_metrics(ind)}
    return [m for m in ind.metrics if not m.derived and m.name not in staff]


def enterable(ind: Indicator) -> list[Metric]:
    """Every metric a person may type for this item (the office may type them all; the ledger
    counts on-time reports itself). Printed numbers count along this list."""
    return [m for m in ind.metrics if m.derived not in ("on_time_count", "all_on_time")]


def printed_number(ind: Indicator, m: Metric) -> int:
    """The number printed before `m` wherever its item's metrics are listed (chat and console):
    the document's own mark when the label carries one (归集数据量（②） -> 2), else its place."""
    found = re.search(r"\((\d{1,2})\)\s*$", unicodedata.normalize("NFKC", m.label))
    if found:
        return int(found.group(1))
    return next(n for n, x in enumerate(enterable(ind), start=1) if x.name == m.name)


def needs_report(ind: Indicator) -> bool:
    """A periodic item whose timeliness the bot counts from reports (a quarterly 台账, the
    月报): a period is in only when its report (briefing or files) is, never by figures."""
    return (ind.due is not None and ind.due.frequency in ("monthly", "quarterly")
            and any(m.derived in ("on_time_count", "all_on_time") for m in ind.metrics))


def liaison_can_send(ind: Indicator) -> bool:
    return bool(liaison_metrics(ind)) or bool(ind.evidence) or needs_report(ind)


def _hint(m: Metric) -> str:
    return "是/否" if m.type == "bool" else "数值"


def send_command(ind: Indicator, period: str | None = None, briefing: bool = False) -> str | None:
    """The command a liaison sends for this item's period; None when nothing is theirs."""
    if briefing:
        return f"月报 {period} <内容>" if period and "-" in period else "月报 <内容>"
    if needs_report(ind):
        short = ind.aliases[0] if ind.aliases else ind.code
        return f"佐证 {short} {period}（随后发送台账文件）" if period else f"佐证 {short}（随后发送台账文件）"
    metrics = liaison_metrics(ind)
    if metrics:
        # one placeholder per value, in the help's order: the parser takes them positionally
        holes = " ".join(f"<{_hint(m)}>" for m in metrics)
        return f"报送 {ind.code} {holes}"
    if ind.evidence:
        return f"佐证 {ind.code}（随后发送文件）"
    return None
