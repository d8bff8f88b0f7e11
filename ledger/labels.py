"""The words people read for a record's status and a submission's kind — one table, so the chat,
the console and the year's workbook name a record alike."""
from __future__ import annotations

__all__ = ["RECORD_STATUS_ZH", "SUBMISSION_KIND_ZH"]

#: A submission's or an evidence file's status (ledger/db.py's CHECK constraints list the keys).
RECORD_STATUS_ZH = {"submitted": "待审核", "accepted": "已通过", "rejected": "已驳回",
                    "withdrawn": "已撤回", "superseded": "已被新数据替代"}

#: What a submission holds.
SUBMISSION_KIND_ZH = {"data": "数据", "briefing": "月报", "report": "台账", "task": "进展"}
