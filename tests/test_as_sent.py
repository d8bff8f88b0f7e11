"""Exactly as sent: 查看 shows the message a record came from verbatim, and the answer to the
bot's follow-up question as such; what staff type (reasons, notes) reaches the liaison with
its full-width punctuation — normalisation is for reading commands only."""
from __future__ import annotations

import re
from typing import Any

from ledger import submissions as subs
from ledger.outbox import list_items


def _record_id(reply: str) -> int:
    found = re.search(r"记录编号 (\d+)", reply)
    assert found, reply
    return int(found.group(1))


def _notices(office: Any, user: str) -> list[str]:
    return [i.payload.get("text", "") for i in list_items(office.db)
            if user in i.target.get("users", [])]


def test_show_gives_the_message_and_the_follow_up_answer_verbatim(lvliang):
    lvliang.at("2022-09-06T10:00")  # August's briefing is overdue and missing: the bot asks
    asked = lvliang.chat("sw1", "月报 完成环境信用评价工作，召开专题会议1次")
    assert "哪个月" in asked
    done = lvliang.chat("sw1", "1")
    sub = subs.get(lvliang.db, _record_id(done))
    assert sub.period == "2022-08" and sub.text == "完成环境信用评价工作，召开专题会议1次"
    shown = lvliang.chat("staff1", f"查看 {sub.id}")
    assert "原文：月报 完成环境信用评价工作，召开专题会议1次\n对追问的回答：1" in shown
    assert "2022-08" in shown.splitlines()[0]
    assert "原文：2022-08" not in shown


def test_show_keeps_line_breaks_and_punctuation_of_a_plain_message(lvliang):
    text = "月报 8月：\n1、开展诚信宣传（两次）；\n2、报送“双公示”数据。"
    sub_id = _record_id(lvliang.chat("sw1", text))
    shown = lvliang.chat("staff1", f"查看 {sub_id}")
    assert f"原文：{text}" in shown and "对追问的回答" not in shown


def test_a_reason_with_full_width_commas_reaches_the_liaison_unchanged(lvliang):
    lvliang.chat("sw1", "月报 8月开展诚信宣传")
    reason = "内容过于简单，请补充具体数据（如活动次数）"
    said = lvliang.chat("staff1", f"审核 市税务局 月报 2022-08 驳回 {reason}")
    assert f"驳回（{reason}）" in said
    notice = [t for t in _notices(lvliang, "sw1") if "驳回" in t]
    assert len(notice) == 1 and f"驳回（{reason}）" in notice[0]
    assert subs.list_submissions(lvliang.db, unit_id=1)[0].review_reason == reason


def test_staff_notes_keep_what_was_typed_before_a_year_word(lvliang):
    said = lvliang.chat("staff1", "扣分 市民政局 乱收费 被省通报，已整改 2022年")
    assert "记入2022年度" in said
    adj = [a for a in subs.list_adjustments(lvliang.db) if a["kind"] == "deduction"]
    assert [a["reason"] for a in adj] == ["被省通报，已整改"]
    lvliang.chat("staff1", "扣分 市税务局 重大失信事件 被央视曝光，影响恶劣")
    events = [a["reason"] for a in subs.list_adjustments(lvliang.db) if a["kind"] == "event"]
    assert events == ["重大失信事件 被央视曝光，影响恶劣"]
