"""A liaison's year period by period (吕梁 市直 unless said): figures alone do not complete the
quarterly ledger, a briefing is for the month it names, a rejection or a correction touches its
own month, monthly counts add up over the year, last year stays open for what is due, 缺项 lists
every overdue period, and reminders ask only for what the liaison can send."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bot.app import make_calendar
from ledger.facts import init_office
from ledger.office import open_year
from reminders.jobs import plan_reminders
from schemes.asks import send_command
from schemes.loader import scheme_by_id


def plan(office, when: str):
    return plan_reminders(office.db, datetime.fromisoformat(when),
                          make_calendar(office.settings), office.settings)


def ledger_file(tmp_path: Path, name: str = "双公示台账.xlsx") -> Path:
    f = tmp_path / name
    f.write_bytes(b"PK\x03\x04 ledger rows")
    return f


def test_figures_alone_do_not_complete_the_quarterly_ledger(lvliang, tmp_path):
    reply = lvliang.at("2022-04-08T10:00").chat("sw1", "报送 双公示 准确率=100%")
    assert "2022-Q1 的台账尚未报送" in reply and "佐证 双公示 2022-Q1" in reply
    due = lvliang.chat("sw1", "截止")
    q1 = next(line for line in due.splitlines() if "2022-Q1" in line)
    assert "未报送" in q1 and "佐证 双公示 2022-Q1" in q1 and "✓" not in q1
    reminders = [r for r in plan(lvliang, "2022-04-11T09:00") if r.unit == "市税务局"]
    assert reminders and "佐证 双公示 2022-Q1" in reminders[0].text
    assert "<数值>" not in reminders[0].text
    digest = [r for r in plan(lvliang, "2022-04-12T09:00") if r.kind == "late_digest"]
    assert digest and "市税务局" in digest[0].text
    missing = lvliang.at("2022-04-12T10:00").chat("sw1", "缺项 全部")
    assert "2022年第一季度 未报送" in missing and "佐证 双公示 2022-Q1" in missing
    # the files complete the quarter (late now, but in)
    lvliang.chat("sw1", "佐证 双公示 2022-Q1", files=[ledger_file(tmp_path)])
    missing = lvliang.chat("sw1", "缺项 全部")
    assert "2022年第一季度 逾期报送" in missing


@pytest.mark.parametrize("text", ["月报 8月完成了信用承诺归集", "月报：8月工作总结", "月报8月份工作总结",
                                  "月报 本月工作总结", "月报 八月份工作总结", "月报 2022年8月工作总结",
                                  "月报 2022-08 工作总结"])
def test_a_briefing_sent_at_month_end_is_for_the_month_it_names(lvliang, text):
    reply = lvliang.at("2022-08-30T16:00").chat("sw1", text)
    assert "2022年8月月报" in reply and "按时" in reply
    due = lvliang.at("2022-09-01T10:00").chat("sw1", "截止")
    assert any("2022-08" in line and "✓已报送" in line for line in due.splitlines())


def test_december_at_year_end_and_last_month_without_a_month_named(lvliang):
    assert "2022年12月月报" in lvliang.at("2022-12-30T10:00").chat("sw1", "月报 12月工作总结")
    assert "2022年12月月报" in lvliang.chat("mz1", "月报 十二月工作总结")
    # no month: previous month up to its deadline
    assert "2022年8月月报" in lvliang.at("2022-09-01T10:00").chat("sw1", "月报 工作总结")
    # after the deadline with last month in: this month
    assert "2022年9月月报" in lvliang.at("2022-09-28T10:00").chat("sw1", "月报 工作总结")


def test_last_month_missing_and_overdue_asks_and_records_nothing_until_answered(lvliang):
    ask = lvliang.at("2022-10-10T10:00").chat("mz1", "月报 国庆期间开展宣传")
    assert "1. 9月（上月补报，逾期）" in ask and "2. 10月（本月）" in ask
    assert lvliang.db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 0
    reply = lvliang.chat("mz1", "1")
    assert "2022年9月月报" in reply and "逾期" in reply
    assert "国庆期间开展宣传" in lvliang.db.execute("SELECT text FROM submissions").fetchone()[0]


def _months_on_time(office, user: str, months: range) -> None:
    for m in months:
        office.at(f"2022-{m + 1:02d}-01T10:00").chat(user, f"月报 {m}月工作总结")


def test_rejecting_one_month_touches_that_month_only(lvliang):
    _months_on_time(lvliang, "sw1", range(1, 10))
    _months_on_time(lvliang, "mz1", range(1, 10))
    reply = lvliang.at("2022-10-09T10:00").chat("staff1", "审核 市民政局 月报 2022-09 驳回 内容过简")
    assert "「11 工作报送」2022-09 期的共 1 条记录" in reply and "2022-091" not in reply
    card = lvliang.chat("staff1", "单位 市民政局")
    assert "排名 2/2" in card
    item = lvliang.pipeline.handle(lvliang.message("staff1", "单位 市民政局")).text
    assert "已驳回" not in item  # the item is recomputed, not turned into "rejected"
    ranks = lvliang.chat("staff1", "排名")
    assert "1. 市税务局 5" in ranks and "市民政局 1" in ranks  # 8 on-time months against 9


def test_a_correction_within_the_grace_window_keeps_the_original_on_time(lvliang):
    _months_on_time(lvliang, "mz1", range(9, 10))
    lvliang.at("2022-10-09T10:00").chat("staff1", "审核 市民政局 月报 2022-09 驳回 内容过简")
    reply = lvliang.at("2022-10-12T10:00").chat("mz1", "月报 9月 补正后的总结")
    assert "保留原按时报送记录" in reply  # 3 workdays after the rejection (9th: 调休 workday)


def test_a_correction_after_the_grace_window_is_late(lvliang):
    _months_on_time(lvliang, "mz1", range(9, 10))
    lvliang.at("2022-10-09T10:00").chat("staff1", "审核 市民政局 月报 2022-09 驳回 内容过简")
    reply = lvliang.at("2022-10-20T10:00").chat("mz1", "月报 9月 补正后的总结")
    assert "逾期" in reply and "保留" not in reply


def test_monthly_counts_add_up_over_the_year(lvliang):
    lvliang.at("2022-08-10T10:00").chat("sw1", "报送 信用承诺 420")
    reply = lvliang.at("2022-09-10T10:00").chat("sw1", "报送 信用承诺 35")
    assert "2022年9月" in reply and "35条" in reply and "全年累计" in reply and "455条" in reply
    again = lvliang.chat("sw1", "报送 信用承诺 40")  # September corrected, not added twice
    assert "460条" in again
    open_year(lvliang.db, 2023, lvliang.now, "test")
    reply = lvliang.at("2023-02-01T10:00").chat("sw1", "报送 信用承诺 12")
    assert "2023年2月" in reply and "12条" in reply
    from ledger.facts import unit_figures
    ind = scheme_by_id("lvliang-2022-departments").indicator("7")
    assert unit_figures(lvliang.db, 1, ind, 2022) == {"commitments": 460}
    assert unit_figures(lvliang.db, 1, ind, 2023) == {"commitments": 12}


def test_after_year_open_last_year_stays_readable_and_takes_what_is_due(lvliang, tmp_path):
    lvliang.at("2022-12-01T10:00").chat("sw1", "月报 11月工作")
    open_year(lvliang.db, 2023, lvliang.now, "test")
    ranks = lvliang.at("2023-01-05T10:00").chat("staff1", "排名 2022")
    assert "2022年度 总分排名" in ranks
    reply = lvliang.chat("sw1", "佐证 双公示", files=[ledger_file(tmp_path)])
    assert "2022-Q4" in reply and "按时" in reply and reply.startswith("【2022年度】")
    december = lvliang.chat("sw1", "月报 12月工作")
    assert december.startswith("【2022年度】") and "2022年12月月报" in december
    assert "确认" in lvliang.chat("staff1", "关闭年度 2022")  # first: what is pending
    assert "已关闭 2022" in lvliang.chat("staff1", "关闭年度 2022 确认")
    refused = lvliang.at("2023-01-06T10:00").chat("sw1", "月报 2022-12 补充")
    assert "已关闭" in refused
    assert "2022年度 总分排名" in lvliang.chat("staff1", "排名 2022")  # still readable


def test_missing_lists_every_overdue_period(lvliang):
    lvliang.at("2022-08-01T10:00").chat("sw1", "月报 7月工作")
    missing = lvliang.at("2022-10-10T10:00").chat("sw1", "缺项 全部")
    line = next(x for x in missing.splitlines() if "11 工作报送" in x)
    assert "2022年9月 未报送" in line and "2022年8月 未报送" in line and "2022年7月" not in line
    assert "2022年第二季度 未报送" in missing and "2022年第一季度 未报送" in missing
    staff = lvliang.chat("staff1", "缺项 市税务局 全部")
    assert "2022年9月 未报送" in staff


def test_reminders_ask_only_for_what_the_liaison_can_send(tmp_path):
    from conftest import Office
    office = Office(tmp_path)
    init_office(office.db, "puyang-2021-demo-city", 2021)
    office.unit("市发展改革委", "fgw1")
    office.staff()
    mine = [r for r in plan(office, "2021-05-31T10:00") if r.unit == "市发展改革委"]
    assert mine
    text = "\n".join(r.text for r in mine)
    assert "报送 基础4" not in text and "佐证 基础4" in text
    assert "无需报送" in office.at("2021-05-31T10:00").chat("fgw1", "报送 基础4 是")
    due = office.chat("fgw1", "截止")
    assert "报送 基础4" not in due
    # a gate with nothing a liaison can send is the office's alone
    ind = scheme_by_id("puyang-2021-demo-city").indicator("基础4")
    assert send_command(ind.model_copy(update={"evidence": ""})) is None
    digest = [r for r in plan(office, "2021-06-02T10:00") if r.kind == "late_digest"]
    assert digest and "基础4" in digest[0].text


def test_a_rejected_quarterly_ledger_corrected_within_the_grace_window_stays_on_time(
        lvliang, tmp_path):
    assert "按时" in lvliang.at("2022-07-08T10:00").chat(
        "sw1", "佐证 双公示 2022-Q2", files=[ledger_file(tmp_path)])
    reply = lvliang.at("2022-07-12T10:00").chat("staff1", "审核 市税务局 双公示 驳回 缺少盖章")
    assert "2022-Q2 期的" in reply
    fixed = lvliang.at("2022-07-14T10:00").chat(
        "sw1", "佐证 双公示 2022-Q2", files=[ledger_file(tmp_path, "盖章台账.pdf")])
    assert "保留原按时报送记录" in fixed
    assert "2022年第二季度" not in lvliang.chat("sw1", "缺项")
