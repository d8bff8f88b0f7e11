"""The words people read for a record's status and a submission's kind — one table, so the chat,
the console and the year's workbook name a record alike."""
from __future__ import annotations

from collections.abc import Collection

__all__ = ["RECORD_STATUS_ZH", "SUBMISSION_KIND_ZH", "FROZEN_ZH", "record_status_zh"]

#: A submission's or an evidence file's status (ledger/db.py's CHECK constraints list the keys).
RECORD_STATUS_ZH = {"submitted": "待审核", "accepted": "已通过", "rejected": "已驳回",
                    "withdrawn": "已撤回", "superseded": "已被新数据替代"}
#: A record still 待审核 when its year was closed: frozen, never to be reviewed.
FROZEN_ZH = "未审核（年度已关闭）"


def record_status_zh(status: str, year: int | None, closed: Collection[int]) -> str:
    """A record's status in words; one still waiting in a closed year (`closed`) is frozen, not
    待审核 — nobody will review it."""
    if status == "submitted" and year is not None and year in closed:
        return FROZEN_ZH
    return RECORD_STATUS_ZH.get(status, status)


#: What a submission holds.
SUBMISSION_KIND_ZH = {"data": "数据", "briefing": "月报", "report": "台账", "task": "进展"}
