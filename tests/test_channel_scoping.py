"""Reminders under per-platform bindings: one user id on WeCom and on DingTalk is two people,
so a liaison's reminder (or their deputy's) goes out on the platform the liaison is on."""
from __future__ import annotations

from datetime import datetime

from bot.app import make_calendar
from ledger.units import add_member
from reminders.jobs import plan_reminders


def _plan(office, when: str):
    return plan_reminders(office.db, datetime.fromisoformat(when),
                          make_calendar(office.settings), office.settings)


def test_a_deputy_with_an_id_taken_on_the_other_platform_is_reached_on_the_liaisons(lvliang):
    db = lvliang.db
    db.execute("UPDATE members SET channel = 'dingtalk' WHERE user_id IN ('sw1', 'mz1')")
    db.conn.commit()
    add_member(db, "zs", "张三（企业微信上的另一个人）", "staff", None, channel="wecom")
    add_member(db, "zs", "张胜（钉钉上的代理人）", "staff", None, channel="dingtalk")
    msg = lvliang.at("2022-07-29T10:00").message("sw1", "代理 zs 至 2022-08-01",
                                                 channel="dingtalk")
    refused = lvliang.pipeline.handle(msg).text  # not a liaison of the unit: the office approves
    assert "张胜" in refused and "批准代理 sw1 zs" in refused
    add_member(db, "staff1", "刘洋", "staff", None, channel="dingtalk")
    msg = lvliang.message("staff1", "批准代理 sw1 zs 至 2022-08-01", channel="dingtalk")
    assert "张胜" in lvliang.pipeline.handle(msg).text
    sent = [r for r in _plan(lvliang, "2022-08-01T10:00") if r.unit == "市税务局"]
    assert [(r.channel, r.to) for r in sent] == [("dingtalk", ("zs",))]
    others = [r for r in _plan(lvliang, "2022-08-01T10:00") if r.unit == "市民政局"]
    assert [(r.channel, r.to) for r in others] == [("dingtalk", ("mz1",))]
