"""Staff in control: 代报, 确认, and 撤销 of any staff record by its 编号, through the real pipeline."""
from __future__ import annotations

import re

from ledger import audit
from ledger.facts import init_office
from ledger.outbox import list_items
from ledger.submissions import list_adjustments, list_submissions
from ledger.units import find_member


def number(reply: str) -> int:
    m = re.search(r"编号 (\d+)（撤销请发", reply)
    assert m, reply
    return int(m.group(1))


def told(office, user: str) -> list[str]:
    return [i.payload["text"] for i in list_items(office.db) if user in i.target.get("users", [])]


def test_staff_enter_a_figure_for_a_unit_and_it_counts(lvliang):
    lvliang.at("2022-09-20T10:00")
    reply = lvliang.chat("staff1", "代报 市税务局 双公示 准确率=95%")
    assert "已代报" in reply and "95%" in reply and "2022-Q3" in reply
    sub = list_submissions(lvliang.db)[0]
    assert sub.metrics == {"accuracy": 0.95} and sub.status == "accepted"
    assert sub.member_id == find_member(lvliang.db, "console", "staff1").id  # who entered it
    assert any("代报" in t for t in told(lvliang, "sw1"))
    assert "信用办代报" in lvliang.chat("sw1", "记录")
    # the liaison cannot withdraw what the office entered
    assert "市信用办代报" in lvliang.chat("sw1", f"撤回 {sub.id}")


def test_an_office_starting_in_september_marks_earlier_ledgers_received(lvliang):
    lvliang.at("2022-09-20T10:00")
    before = lvliang.chat("staff1", "单位 市税务局")
    for q in ("2022-Q1", "2022-Q2"):
        assert "按时" in lvliang.chat("staff1", f"代报 市税务局 双公示 台账 {q} 按时")
    reports = [s for s in list_submissions(lvliang.db) if s.kind == "report"]
    assert sorted(s.period for s in reports) == ["2022-Q1", "2022-Q2"]
    assert all(s.on_time for s in reports)
    assert "逾期" in lvliang.chat("staff1", "代报 市民政局 双公示 台账 2022-Q1 逾期")
    assert before != lvliang.chat("staff1", "单位 市税务局")


def test_enter_refuses_wrong_periods_and_values(lvliang):
    lvliang.at("2022-09-20T10:00")
    assert "期别" in lvliang.chat("staff1", "代报 市税务局 双公示 台账 2022-09 按时")
    assert "还没到" in lvliang.chat("staff1", "代报 市税务局 双公示 台账 2022-Q4 按时")
    assert "5类" in lvliang.chat("staff1", "代报 市税务局 行政强制 7")
    assert "仅限信用办" in lvliang.chat("sw1", "代报 市税务局 行政强制 3")
    assert list_submissions(lvliang.db) == []
    assert "6/10" in lvliang.chat("staff1", "代报 市税务局 行政强制 三类")


def test_discretionary_refusal_points_to_enter(lvliang):
    assert "代报 市税务局" in lvliang.chat("staff1", "打分 市税务局 双公示 准确率=95%")


def test_gates_confirmed_by_their_printed_names(office):
    init_office(office.db, "puyang-2021-demo-city", 2021)
    office.unit("市中级人民法院", "fy1")
    office.staff()
    office.at("2021-05-10T10:00")
    assert "达标" in office.chat("staff1", "确认 市中级人民法院 基础3 达标")
    assert "达标" in office.chat("staff1", "确认 市中级人民法院 基础4 是")
    assert "理由" in office.chat("staff1", "确认 市中级人民法院 基础5 未达标")
    reply = office.chat("staff1", "确认 市中级人民法院 基础5 未达标 平台未对接")
    assert "未达标（平台未对接）" in reply and "编号" in reply
    values = {a["indicator"]: a["value"]["points"] for a in list_adjustments(office.db)}
    assert values == {"基础3": True, "基础4": True, "基础5": False}
    assert "不是基础指标" in office.chat("staff1", "确认 市中级人民法院 五(一) 达标")
    assert "确认 市中级人民法院 基础3 达标" in office.chat("staff1", "打分 市中级人民法院 基础3 达标")


def test_undo_a_downgrade_event_restores_the_band_and_keeps_the_audit(lvliang):
    lvliang.chat("staff1", "代报 市税务局 制度建设 implemented=是 own_rules=是")
    card = lvliang.chat("staff1", "单位 市税务局")
    reply = lvliang.chat("staff1", "扣分 市发展改革委 重大失信 撤销")
    assert "没有找到单位" in reply  # a typo'd unit records nothing
    n = number(lvliang.chat("staff1", "扣分 市税务局 重大失信 违规发文"))
    assert list_adjustments(lvliang.db)[0]["kind"] == "event"
    undone = lvliang.chat("staff1", f"撤销 {n}")
    assert f"已撤销编号 {n}" in undone
    assert list_adjustments(lvliang.db) == []
    assert lvliang.chat("staff1", "单位 市税务局") == card
    assert "撤销过" in lvliang.chat("staff1", f"撤销 {n}")
    actions = [e["action"] for e in audit.entries(lvliang.db)]
    assert "act.undo" in actions and "adjust.event" in actions
    assert any("撤销" in t for t in told(lvliang, "sw1"))


def test_undo_every_kind_of_staff_record(lvliang, tmp_path):
    lvliang.at("2022-09-20T10:00")
    # 代报 over a liaison's own figure: undo brings the liaison's figure back
    lvliang.chat("sw1", "报送 信用承诺 35")
    n = number(lvliang.chat("staff1", "代报 市税务局 信用承诺 40"))
    lvliang.chat("staff1", f"撤销 {n}")
    live = list_submissions(lvliang.db, statuses=("submitted", "accepted"))
    assert [s.metrics for s in live] == [{"commitments": 35}]
    # 审核: the verdict goes, the submission waits for review again
    n = number(lvliang.chat("staff1", "审核 市税务局 信用承诺 驳回 数字有误"))
    assert list_submissions(lvliang.db, statuses=("rejected",))
    lvliang.chat("staff1", f"撤销 {n}")
    assert [s.status for s in list_submissions(lvliang.db, statuses=("submitted",))] == ["submitted"]
    # 打分 replacing an earlier 打分: the earlier one comes back
    lvliang.chat("staff1", "打分 市税务局 双公示 concealed_cut=1.5 瞒报2条")
    n = number(lvliang.chat("staff1", "打分 市税务局 双公示 concealed_cut=2 更正"))
    lvliang.chat("staff1", f"撤销 {n}")
    assert [a["reason"] for a in list_adjustments(lvliang.db)] == ["瞒报2条"]
    # 扣分 of several cases at once goes in one undo
    n = number(lvliang.chat("staff1", "扣分 市税务局 乱收费 2 通报"))
    lvliang.chat("staff1", f"撤销 {n}")
    assert [a["kind"] for a in list_adjustments(lvliang.db)] == ["points"]
    # 绑定: a new binding ends; a move goes back to the old unit
    n = number(lvliang.chat("staff1", "绑定 new1 市民政局 王五"))
    lvliang.chat("staff1", f"撤销 {n}")
    assert find_member(lvliang.db, "console", "new1") is None
    n = number(lvliang.chat("staff1", "绑定 sw1 市民政局 张敏 改绑"))
    lvliang.chat("staff1", f"撤销 {n}")
    assert "市税务局" in lvliang.chat("sw1", "得分")


def test_undo_keeps_what_changed_since(lvliang):
    lvliang.chat("sw1", "报送 信用承诺 35")
    n = number(lvliang.chat("staff1", "审核 市税务局 信用承诺 通过"))
    lvliang.chat("sw1", "报送 信用承诺 36")  # the reviewed figure is superseded
    reply = lvliang.chat("staff1", f"撤销 {n}")
    assert "保持不变" in reply
    assert [s.metrics for s in list_submissions(lvliang.db, statuses=("submitted",))] == [
        {"commitments": 36}]


def test_undo_refusals(lvliang):
    assert "编号" in lvliang.chat("staff1", "撤销 abc")
    lvliang.chat("staff1", "扣分 市民政局 乱收费 1 通报")
    listing = lvliang.chat("staff1", "撤销")
    assert "您最近的记录" in listing and re.search(r"#\d+ .* 扣分：已记录 市民政局", listing)
    assert "没有编号为 99" in lvliang.chat("staff1", "撤销 99")
    from ledger.units import add_member
    add_member(lvliang.db, "staff2", "王芳", "staff")
    n = number(lvliang.chat("staff1", "扣分 市税务局 乱收费"))
    assert "其他工作人员" in lvliang.chat("staff2", f"撤销 {n}")
    assert len(list_adjustments(lvliang.db)) == 2


def test_enter_uses_the_scheme_of_the_unit_named(office):
    from ledger.office import init_office as init_offices
    init_offices(office.db, ["lvliang-2022-departments", "lvliang-2022-counties"], 2022)
    office.unit("市税务局", "sw1")
    from ledger.units import add_unit
    add_unit(office.db, "离石区", "county", aliases=["离石"])
    office.staff()
    office.at("2022-10-11T10:00")
    # the county scheme has no quarterly 双公示台账: said plainly, nothing recorded
    assert "没有按月或按季度" in office.chat("staff1", "代报 离石 双公示 台账 2022-Q1 按时")
    reply = office.chat("staff1", "代报 离石 双公示 records=120 accuracy=98%")
    assert "离石区" in reply and "120条" in reply and "编号" in reply
    assert "按时" in office.chat("staff1", "代报 市税务局 双公示 台账 2022-Q1 按时")
