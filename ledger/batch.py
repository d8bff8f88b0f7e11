"""A batch of the platform's figures (an import sheet) applied as one staff act.

The office gets some figures for every unit at once from the credit platform (双公示 准确率,
报送量 …). A sheet of them is recorded all or nothing: each unit's figures become that unit's
data for the period, entered by the office (so already reviewed), and the whole batch is one
act with one 编号 that `撤销` undoes.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils

from ledger import acts
from ledger import submissions as subs
from ledger.db import immediate, now_iso

__all__ = ["record_figures"]


def record_figures(db: sqlite_utils.Database, *, indicator: str, period: str,
                   figures: dict[int, dict[str, Any]], summary: str, member_id: int | None,
                   now: datetime, actor: str, channel: str, source: str | None) -> int:
    """Record `figures` (unit id -> {metric: value}) for `indicator` in `period` as one act
    (kind 导入); returns its 编号. Values the caller leaves out keep what the unit had."""
    with immediate(db), acts.recording(db, "导入", None, member_id, now, actor,
                                       units=sorted(figures)) as rec:
        for unit_id, metrics in sorted(figures.items()):
            sub = subs.record_submission(
                db, unit_id=unit_id, indicator=indicator, period=period, kind="data",
                metrics=metrics, text=summary, now=now, member_id=member_id, channel=channel,
                source_msg_id=f"{source}:{unit_id}" if source else None, actor=actor)
            # figures the office enters are its own: they count as reviewed
            db.execute("UPDATE submissions SET status = 'accepted', review_reason = '信用办导入', "
                       "reviewed_by = ?, reviewed_at = ? WHERE id = ?",
                       [member_id, now_iso(now), sub.id])
        rec.summary = summary
    assert rec.id is not None  # recording() files the act when the block ends
    return rec.id
