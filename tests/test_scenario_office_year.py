"""A year in one 吕梁 office running both annexes: 市直 departments and 县（市、区） together, from
January 2022 through the 2023 rollover and the closing of 2022. Briefings on time, late,
rejected and corrected; 台账 with and without files; monthly counts; 缺项 and reminders at each
step. The product's memory of how an office year goes."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bot.app import make_calendar
from conftest import Office
from ledger.db import LedgerError
from ledger.office import add_scheme, close_year, offices, open_year
from ledger.units import add_member, add_unit
from reminders.jobs import plan_reminders


def plan(office: Office, when: str):
    return plan_reminders(office.db, datetime.fromisoformat(when),
                          make_calendar(office.settings), office.settings)


def to(reminders, user: str) -> str:
    return "\n".join(r.text for r in reminders if user in r.to)


def test_a_year_with_departments_and_counties(tmp_path: Path):
    o = Office(tmp_path)  # 吕梁 市直 2022
    add_scheme(o.db, "lvliang-2022-counties", o.now)
    for name, kind, uid in (("市税务局", "department", "sw1"), ("市民政局", "department", "mz1"),
                            ("离石区", "county", "ls1"), ("孝义市", "county", "xy1")):
        unit = add_unit(o.db, name, kind, now=o.now)
        add_member(o.db, uid, f"{name}联络员", "liaison", unit.id, now=o.now)
    o.staff()
    ledger = tmp_path / "台账.xlsx"
    ledger.write_bytes(b"PK\x03\x04 quarter rows")
    dep, cty = offices(o.db)
    assert dep.scheme.id == "lvliang-2022-departments" and cty.scheme.id == "lvliang-2022-counties"

    # January–March: everyone's briefing on time except 孝义市 in February
    for month in (1, 2, 3):
        o.at(f"2022-{month + 1:02d}-01T10:00")
        for uid in ("sw1", "mz1", "ls1") + (("xy1",) if month != 2 else ()):
            assert "按时" in o.chat(uid, f"月报 {month}月工作总结")
        if month == 2:  # the digest after the deadline: per scheme, only where one is late
            digests = [r for r in plan(o, "2022-03-03T09:00") if r.kind == "late_digest"]
            assert len(digests) == 1 and "孝义市" in digests[0].text
            assert "lvliang-2022-counties" in digests[0].key
    assert "逾期" in o.at("2022-03-10T10:00").chat("xy1", "月报 2月工作总结")

    # Q1 台账 (departments only; the county annex has none): 市税务局 sends files, 市民政局
    # figures only
    o.at("2022-04-07T10:00")
    assert "按时" in o.chat("sw1", "佐证 双公示 2022-Q1", files=[ledger])
    assert "台账尚未报送" in o.chat("mz1", "报送 双公示 准确率=100%")
    assert "台账" not in o.chat("ls1", "报送 双公示 数据量=1200 准确率=99%")
    # the day before the deadline (4-11, moved from Sunday 4-10): reminders ask for the 台账
    before = plan(o, "2022-04-08T09:00")
    assert "佐证 双公示 2022-Q1" in to(before, "mz1")
    assert "双公示" not in to(before, "sw1") and "双公示" not in to(before, "xy1")
    digests = [r for r in plan(o, "2022-04-12T09:00") if r.kind == "late_digest"]
    assert len(digests) == 1 and "市民政局" in digests[0].text
    assert "2022年第一季度 未报送" in o.at("2022-04-12T10:00").chat("mz1", "缺项 全部")
    assert "2022年2月 逾期报送" in o.chat("xy1", "缺项 全部")

    # monthly counts add up, per unit and per scheme
    o.at("2022-05-10T10:00").chat("sw1", "报送 信用承诺 120")
    o.at("2022-06-10T10:00").chat("sw1", "报送 信用承诺 80")
    assert "全年累计" in o.chat("ls1", "报送 信用承诺 300")
    reply = o.at("2022-07-10T10:00").chat("ls1", "报送 信用承诺 50")
    assert "350条" in reply
    assert "200条" in o.chat("sw1", "报送 信用承诺 0")  # July: nothing new, year stays 200

    # rankings are per scheme: counties never appear among departments
    ranks = o.chat("staff1", "排名")
    dep_part, cty_part = ranks.split("\n\n")
    assert "市税务局" in dep_part and "离石区" not in dep_part
    assert "离石区" in cty_part and "市税务局" not in cty_part
    only = o.chat("staff1", "排名 县区")
    assert "离石区" in only and "市税务局" not in only

    # September: 市民政局's briefing rejected, corrected within the grace window
    for uid in ("sw1", "mz1", "ls1", "xy1"):
        o.at("2022-10-08T10:00").chat(uid, "月报 9月工作总结")
    assert "2022-09 期的" in o.at("2022-10-09T10:00").chat("staff1", "审核 市民政局 月报 驳回 过简")
    assert "保留原按时" in o.at("2022-10-11T10:00").chat("mz1", "月报 9月 补正")
    assert "2022年9月" not in o.chat("mz1", "缺项 全部").split("11 工作报送")[-1].split("\n")[0]

    # December and the rollover: 2023 opens, 2022 still takes its Q4 台账 and December briefing
    for month in range(4, 12):
        o.at(f"2022-{month + 1:02d}-01T10:00").chat("sw1", f"月报 {month}月")
    o.at("2022-12-30T10:00")
    assert "2022年12月月报" in o.chat("sw1", "月报 12月工作总结")
    open_year(o.db, 2023, o.now, "test")
    o.at("2023-01-05T10:00")
    q4 = o.chat("sw1", "佐证 双公示", files=[ledger])
    assert q4.startswith("【2022年度】") and "2022-Q4" in q4 and "按时" in q4
    assert o.chat("mz1", "月报 12月工作总结").startswith("【2022年度】")
    jan = plan(o, "2023-01-09T09:00")  # 2022-Q4 台账 due 1-10: still reminded in January
    assert "2022-Q4" in to(jan, "mz1") or "2022年第四季度" in to(jan, "mz1")
    assert "2022年度 总分排名" in o.chat("staff1", "排名 2022")
    assert "【2023年度】" in o.chat("staff1", "排名")

    # January, both years open: each item under the year it belongs to
    due = o.chat("sw1", "截止")
    last, this = due.split("【2023年度】")
    assert last.startswith("【2022年度】") and "2022-Q4" in last and "2023-" not in last
    assert "2022-" not in this and "2023-01" in this
    missing = o.chat("mz1", "缺项")
    assert missing.startswith("【2022年度】") and "【2023年度】" in missing
    this_year = missing.split("【2023年度】")[1]
    assert "截止2024年1月31日" in this_year  # this year's year-end items: the year is named
    assert "今天" not in this_year  # December's deadline is 2022's, not 2023's
    assert o.chat("sw1", "得分 2022").startswith("【2022年度】【市税务局】2022年度")
    assert o.chat("sw1", "得分 上年度").startswith("【2022年度】")
    assert o.chat("staff1", "缺项 市民政局 2022").startswith("【2022年度】市民政局")
    assert "不是本办的考核年度" in o.chat("sw1", "得分 2019")

    # closing 2022: first what is still pending, then on confirmation frozen, still
    # readable; replies stop naming the year
    waiting = o.at("2023-01-20T10:00").chat("staff1", "待审")
    assert "月报 2022-" in waiting
    ask = o.chat("staff1", "关闭年度 2022")
    assert "待审核" in ask and "逾期未报" in ask and "关闭年度 2022 确认" in ask
    assert "已关闭" not in ask and "月报 2022-" in o.chat("staff1", "待审")  # nothing closed
    assert "已关闭 2022" in o.chat("staff1", "关闭年度 2022 确认")
    assert "2022-" not in o.chat("staff1", "待审")  # frozen items leave 待审
    assert "已关闭" in o.chat("staff1", "待审 2022")
    assert "已关闭" in o.chat("mz1", "佐证 双公示 2022-Q4", files=[ledger])
    assert "已关闭" in o.chat("xy1", "月报 2022-12 补报")
    assert "已关闭" in o.chat("staff1", "审核 孝义市 月报 2022-12 通过")
    card = o.chat("staff1", "单位 离石区 2022")
    assert "2022年度" in card and "县（市、区）" in card
    assert not o.chat("staff1", "排名").startswith("【2023年度】")  # one open year again
    close_attempt = o.chat("staff1", "关闭年度 2023")
    assert "唯一开启的年度" in close_attempt
    # a staff record after the close names its year and takes the year word
    wrong = o.chat("staff1", "扣分 离石区 乱收费 1 2022年案例")
    assert "2022年度已关闭" in wrong and "已记录" not in wrong
    assert "已关闭" in o.chat("staff1", "扣分 离石区 乱收费 1 2022年")
    done = o.chat("staff1", "扣分 离石区 乱收费 1 2023年案例")
    assert "已记录" in done and "记入2023年度" in done
    with pytest.raises(LedgerError, match="已经关闭"):
        close_year(o.db, 2022, o.now, "test")
