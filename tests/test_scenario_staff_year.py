"""A 吕梁 office that starts in September 2022, through the rest of the year and the January
rollover, as its staff and liaisons would use it."""
from __future__ import annotations

import re

from ledger.submissions import list_adjustments, list_submissions


def test_a_year_of_staff_control(lvliang, tmp_path):
    office = lvliang
    # September: the office starts; Q1 and Q2 双公示台账 arrived on paper, on time.
    office.at("2022-09-13T09:30")
    for q in ("2022-Q1", "2022-Q2"):
        assert "按时" in office.chat("staff1", f"代报 市税务局 双公示 台账 {q} 按时")
    assert "逾期" in office.chat("staff1", "代报 市民政局 双公示 台账 2022-Q2 逾期")
    # the office's own statistics for items 3–5, for both units, in one message
    reply = office.chat("staff1", "代报 市税务局 双公示 准确率=98%\n代报 市民政局 双公示 准确率=百分之九十\n"
                                  "代报 市税务局 行政强制 五类\n代报 市民政局 行政强制 3")
    assert reply.count("已代报") == 4
    ranking = office.chat("staff1", "排名")
    assert ranking.index("市税务局") < ranking.index("市民政局")

    # October: National Day moves the 9月 briefing deadline to 8 Oct; 民政局 is late.
    office.at("2022-10-08T16:00").chat("sw1", "月报 九月工作：\n一、宣传２次\n二、培训１次")
    office.at("2022-10-10T09:00").chat("mz1", "月报 2022-09 九月工作")
    late = office.at("2022-10-10T10:00").chat("staff1", "未交 2022-09")
    assert "全部单位已报送" in late and "市民政局 10月10日报送，晚 2 天（2 个工作日）" in late  # 9 Oct was a 调休 workday
    # the Q3 台账 arrives as a file named for it; staff read it and approve it
    f = tmp_path / "双公示台账2022Q3.pdf"
    f.write_bytes(b"%PDF-1.4 q3")
    assert "2022-Q3" in office.at("2022-10-11T10:00").chat("sw1", "", files=[f])
    pending = office.chat("staff1", "待审 税务")
    sub_id = re.search(r"#(\d+)｜市税务局｜3 .*台账 2022-Q3", pending).group(1)
    shown = office.chat("staff1", f"查看 {sub_id}")
    assert "双公示台账2022Q3.pdf" in shown
    review = office.chat("staff1", "审核 市税务局 双公示 2022-Q3 通过")
    assert "编号" in review

    # November: a deduction typed for the wrong unit is undone the same day
    wrong = office.at("2022-11-15T10:00").chat("staff1", "扣分 市民政局 重大失信 行政处罚未公示")
    number = re.search(r"撤销 (\d+)）", wrong).group(1)
    assert "降低1个档次" in wrong
    assert "已撤销" in office.chat("staff1", f"撤销 {number}")
    assert "市税务局" in office.chat("staff1", "扣分 市税务局 重大失信 行政处罚未公示")

    # January: last year's Q4 台账 is entered after the turn of the year
    office.at("2023-01-09T10:00")
    assert "按时" in office.chat("staff1", "代报 市民政局 双公示 台账 2022-Q4 按时")
    assert "期别" in office.chat("staff1", "代报 市民政局 双公示 台账 2023-Q1 按时")  # next year's
    reports = {(s.unit_id, s.period) for s in list_submissions(office.db, statuses=("accepted",))
               if s.kind == "report"}
    assert len(reports) == 5
    events = [(a["unit_id"], a["kind"]) for a in list_adjustments(office.db)]
    assert events == [(1, "event")]  # the real event stands, the mistaken one is undone
