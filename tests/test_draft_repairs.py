"""Damage a document reader should repair: tables cut by page breaks and OCR that runs one
column into the next. Each case in wording composed for the test, and as the seed prints it."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from one_bullet import score_bullet

from authoring.document import blocks_from_text
from authoring.draft import draft_blocks, draft_document
from authoring.bullets import split_bullets
from authoring.rule_reader import read_rule

SEEDS = Path(__file__).resolve().parent.parent / "bench" / "seeds"


def _inds(data) -> dict[str, dict]:
    return {i["code"]: i for c in data["categories"] for i in c["indicators"]}


def _one_row(name: str, points: int, rules: str) -> dict:
    """The parts of indicator 1 drafted from a one-row table."""
    text = f"序号\t考核指标\t分值\t评分标准\n1\t{name}\t{points}\t{rules}"
    (d,) = draft_blocks(blocks_from_text(text), "x.txt")
    return _inds(d.data)["1"]["parts"]


def _units(ind: dict) -> list[str]:
    return ind.get("lead", []) + ind.get("responsible", [])


def test_unit_list_goes_on_below_a_page_break():
    text = "\n".join([
        "项目\t分值\t评分标准\t责任单位",
        "一、信用宣传\t4\t· 开展诚信主题宣传活动的，得2分。 · 开展失信问题专项治理的，每个领域得0.5分，"
        "\t市委宣传部牵头，市教育局、市文旅局、市",
        "项目\t分值\t评分标准\t责任单位",  # the header repeated on the new page
        "\t\t最高得2分。\t卫健委、市市场监管局等",
        "二、信用应用\t2\t· 出台信用承诺制度的，得2分。\t市发展改革委",
    ])
    (d,) = draft_blocks(blocks_from_text(text), "x.txt")
    inds = _inds(d.data)
    # the name cut at the break ('市' | '卫健委') joins up; the rest of the list is kept
    assert inds["一.2"]["lead"] == ["市委宣传部"]
    assert inds["一.2"]["responsible"] == ["市教育局", "市文旅局", "市卫健委", "市市场监管局"]
    assert inds["一.2"]["parts"][0]["kind"] == "per_item" and inds["一.2"]["max_points"] == 2
    assert _units(inds["二"]) == ["市发展改革委"]


def test_unit_list_cut_between_names_is_one_list():
    text = "\n".join([
        "序号\t考核指标\t分值\t评分标准\t牵头单位",
        "1\t信用修复\t3\t每完成1家企业信用修复得0.5分，最高得3分\t市发展改革委、市税务局",
        "\t\t\t（以当年完成数为准）\t市人社局",
    ])
    (d,) = draft_blocks(blocks_from_text(text), "x.txt")
    assert _units(_inds(d.data)["1"]) == ["市发展改革委", "市税务局", "市人社局"]


def test_units_cell_with_a_paragraph_of_the_next_column():
    """OCR ran the end of the 落实路径 text into the 责任单位 cell: only the list of units is
    units; a cell that is all units (even far apart) stays as it is."""
    text = "\n".join([
        "项目\t分值\t评分标准\t落实路径\t责任单位",
        "一、信用承诺\t4\t· 信用承诺覆盖率达到80%的，得4分。\t1、市直部门报送承诺书数据；\t"
        "<p>市发展改革委汇总数据，按月通报，并在信用网站公示</p> <p>市市场监管局、市税务局</p>",
        "二、信用报告\t2\t· 使用信用报告的，得2分。\t按季度报送\t<p>市人行</p>   <p>市财政局</p>",
    ])
    (d,) = draft_blocks(blocks_from_text(text), "x.txt")
    inds = _inds(d.data)
    assert _units(inds["一"]) == ["市市场监管局", "市税务局"]
    assert _units(inds["二"]) == ["市人行", "市财政局"]


def test_seed_units_across_page_breaks_and_columns():
    (d,) = draft_document(SEEDS / "001_0d8eedc23a51c9bf.txt")
    inds = _inds(d.data)
    # 二: the list goes on below the repeated header (市扶贫办、市卫计委 … 市大数据公司等)
    assert {"市信用办", "市文明办", "市扶贫办", "市大数据公司"} <= set(_units(inds["二.2"]))
    # 十: '…完善出台政策措施，及时反馈相关信息数据…' was 落实路径 text, not a unit
    ten = _units(inds["十.1"])
    assert "市食药监局" in ten and not any("政策措施" in u or "反馈" in u for u in ten)


# ---- case-by-case scoring with a formula in one range ---------------------------------------

def _scored(text: str, x: Decimal) -> Decimal:
    assert read_rule(text).kind == "piecewise", read_rule(text).reason
    return score_bullet(text, [x])


@pytest.mark.parametrize("text, pieces, at", [
    # the seed's wording (OCR puts spaces around the signs)
    ("本项得分为0、2和连续打分三种情形：如果地区不良贷款率 < 2%，得2分；如果 2% ≤ 地区不良贷款率 < 5%，"
     "得分 = 2 / 3 * (5 - 地区不良贷款率 * 100)；如果地区不良贷款率 ≥ 5%，得0分。",
     [{"lt": Decimal("0.02"), "then": 2}, {"lt": Decimal("0.05"), "then": "2/3*(5-x*100)"}, {"then": 0}],
     [(Decimal("0.01"), 2), (Decimal("0.035"), 1), (Decimal("0.06"), 0)]),
    # composed: 若/时/则, the best range last, a formula over a plain number
    ("若投诉办结率低于60%时，不得分；若60%≤投诉办结率<90%时，则得分=(投诉办结率*100-60)/10；"
     "若投诉办结率≥90%时，得3分。",
     [{"lt": Decimal("0.6"), "then": 0}, {"lt": Decimal("0.9"), "then": "(x*100-60)/10"}, {"then": 3}],
     [(Decimal("0.5"), 0), (Decimal("0.75"), Decimal("1.5")), (Decimal("0.95"), 3)]),
    ("当年均响应时长≤2时，得4分；当2<年均响应时长≤6时，得分=4-(年均响应时长-2)；当年均响应时长>6时，得0分。",
     [{"le": 2, "then": 4}, {"le": 6, "then": "4-(x-2)"}, {"then": 0}],
     [(Decimal(1), 4), (Decimal(5), 1), (Decimal(8), 0)]),
])
def test_cases_with_a_formula_in_one_range(text, pieces, at):
    r = read_rule(text)
    assert r.kind == "piecewise" and r.params["pieces"] == pieces
    for x, want in at:
        assert _scored(text, x) == want


def test_latex_left_by_ocr_reads_as_the_signs():
    text = ("如果金融案件标的额兑现率$\\geq 70\\%$，得1分；如果$0\\% < \\text{金融案件标的额兑现率} < 70\\%$，"
            "得分$= 1 / 70 * (\\text{金融案件标的额兑现率} * 100 - 0)$；如果金融案件标的额兑现率$= 0\\%$，得0分。")
    r = read_rule(text)
    assert r.kind == "piecewise" and r.metrics[0]["label"] == "金融案件标的额兑现率"
    assert r.params["pieces"] == [{"ge": Decimal("0.7"), "then": 1},
                                  {"gt": 0, "then": "1/70*(x*100-0)"}, {"then": 0}]


def test_cases_without_a_formula_stay_bands():
    # fixed points in every range is what bands already read
    assert read_rule("如果办结率≥90%，得2分；如果办结率<90%，得0分。").kind == "bands"


def test_a_less_than_sign_is_not_markup():
    """'率 < 2%，得2分；… 率 ≥ 5%' once lost everything from '<' to the next '>'."""
    (part,) = _one_row("逾期率", 2, "<p>如果逾期率 < 1%，得2分；如果 1% ≤ 逾期率 < 3%，得分 = 3 - 逾期率 * 100；"
                       "如果逾期率 ≥ 3%，得0分。</p>")
    assert part["kind"] == "piecewise" and "待确认" not in part
    assert part["pieces"][1] == {"lt": 0.03, "then": "3-x*100"}


# ---- a cell of numbered sub-items, each '(N分) 标题。' then its scale ---------------------------

def test_sub_item_heading_stays_with_its_scale():
    cell = ("1. (1分)数据共享情况。参与共享的部门占比在60%以上的，得1分；30%-60%，得0.5分；30%以下的，得0分。"
            "  2. (2分) 平台建设情况。建成信用平台并正常运行的，得2分。未建成上述平台，得0分。")
    first, second = split_bullets(cell)
    assert first.startswith("1. (1分)数据共享情况") and first.endswith("30%以下的，得0分。")
    assert second.startswith("2. (2分) 平台建设情况") and second.endswith("得0分。")
    r = read_rule(first)
    assert r.kind == "bands" and r.points == 1
    assert [p["then"] for p in r.params["pieces"]] == [1, Decimal("0.5"), 0]
    # the seed's wording
    seed = ("2. (1分)涉企信用信息部门间共享情况。参与涉企信用信息共享的政府部门占当地政府部门比例在50%以上的，"
            "得1分；20%-50%，得0.5分；20%以下的，得0分。")
    assert split_bullets(seed) == [seed]
    assert read_rule(seed).kind == "bands"


@pytest.mark.parametrize("text, base, each", [
    ("1. (2分) 地方信用门户网站可访问性好、网站内容维护正常，得2分；每监测到一起不可访问情形的减0.5分；此项最低得0分。",
     2, Decimal("0.5")),
    ("2. (4分) 查询的企业信用信息报告内容全部符合标准要求的，得4分；不符合要求的发现一起减1分；此项最低得0分。", 4, 1),
    # composed
    ("窗口服务规范的，得3分；群众投诉经核实的，出现一次扣1分，扣完为止。", 3, 1),
    ("按时报送月报的得5分；每发现一次迟报减0.5分。", 5, Decimal("0.5")),
])
def test_points_then_a_deduction_per_case_is_one_rule(text, base, each):
    assert split_bullets(text) == [text]
    r = read_rule(text)
    assert (r.kind, r.params["base"], r.params["each"]) == ("deduction", base, each)


# ---- a row whose 评分标准 sits one column left, under the name header -------------------------

def test_rules_one_column_left_and_numbered_sub_items():
    """OCR merged two header cells, so the scoring text is under 评估内容 and the evidence under
    评分标准; the category's cell lists its sub-items '1.（3分）… 2.（2分）…', one indicator each."""
    text = "\n".join([
        "序号\t基础指标\t佐证材料",
        "1\t信用平台等保三级备案。\t备案证明",
        "2\t双公示上报率达到100%。\t统计表",
        "3\t未发生政府失信事件。\t情况说明",
        "项目\t评估内容\t评分标准\t佐证材料\t责任部门",
        "一、信用宣传（5分）\t1.（3分）开展诚信宣传月活动。根据活动场次、覆盖人群等情况计分，最高得3分。 "
        "2.（2分）发布守信典型案例。每发布1个案例得0.5分，最高得2分。\t提供活动方案、照片等佐证材料。\t"
        "牵头单位：市委宣传部，责任单位：市文明办",
    ])
    gates, scored = [c for c in draft_blocks(blocks_from_text(text), "x.txt")[0].data["categories"]]
    assert [i["code"] for i in gates["indicators"]] == ["基础1", "基础2", "基础3"]
    a, b = scored["indicators"]
    # one indicator per sub-item, named by its title, not its (3分); the category keeps 一
    assert (a["code"], a["name"], a["max_points"]) == ("一.1", "开展诚信宣传月活动", 3)
    assert (b["code"], b["name"], b["max_points"]) == ("一.2", "发布守信典型案例", 2)
    assert a["parts"][0]["kind"] == "discretionary" and b["parts"][0]["kind"] == "per_item"
    assert a["evidence"].startswith("提供活动方案") and a["lead"] == ["市委宣传部"]


@pytest.mark.parametrize("text, full", [
    ("(2分) 此项满分分为2分；如地方信用信息共享平台和信用门户网站发生被成功入侵等信息安全事件但未产生严重后果的，"
     "或受到主管部门安全事件通报的，此项不得分。", 2),
    ("本项满分3分，如年内发生重大安全生产责任事故的，本项不得分。", 3),
    ("本项4分。若考核年度内被上级通报批评，则本项计0分。", 4),
])
def test_full_mark_lost_if_an_event_happened(text, full):
    r = read_rule(text)
    assert r.kind == "bands" and r.metrics[0]["type"] == "bool"
    assert r.params["pieces"] == [{"eq": True, "then": 0}, {"then": full}]


def test_full_mark_with_a_condition_of_its_own_is_not_all_or_nothing():
    # a condition on the points themselves: a checklist item, as before
    assert read_rule("按时完成年度信用报告的得3分；若报告存在弄虚作假的，本项不得分。").kind == "checklist"
    # judged within the mark
    assert read_rule("根据工作情况酌情计分，本项满分2分，如未报送材料的，本项不得分。").kind == "discretionary"


def test_points_after_a_formula_in_the_same_clause():
    r = read_rule("信用报告应用根据提交比例计分，计分公式为提交信用报告的主体数量/应提交的主体数量*5，得5分")
    assert r.kind == "formula" and r.points == 5
    # the seed's wording
    r = read_rule("信用承诺工作根据承诺覆盖率计分，计分公式为(主动承诺型承诺+行业自律型承诺数量)/市场主体数+"
                  "失信修复型承诺数量/在运营的黑名单主体数量，得6分")
    assert r.kind == "formula" and r.points == 6


def test_above_listed_fields_cap_a_later_bullet():
    parts = _one_row("行业信用建设", 6, "行业信用建设包括住房、交通、医疗、教育等领域，在上述每1个领域建立信用档案的，"
                     "得0.5分；以上领域每1个领域开展信用评价的，得1分。")
    assert [(p["kind"], p["max_points"]) for p in parts] == [("per_item", 2), ("per_item", 4)]


def test_two_deductions_stay_two_rules():
    assert split_bullets("每发生1起失信事件扣2分；每迟报1次扣1分。") == ["每发生1起失信事件扣2分；", "每迟报1次扣1分。"]


def test_a_long_name_beside_an_empty_rules_cell_stays_the_name():
    text = "\n".join([
        "序号\t考核指标\t评分标准\t佐证材料",
        "1\t城市信用监测排名进入全国前100名且保持稳定提升态势（3分）\t\t监测报告",
    ])
    (d,) = draft_blocks(blocks_from_text(text), "x.txt")
    ind = _inds(d.data)["1"]
    assert ind["name"].startswith("城市信用监测排名") and ind["evidence"] == "监测报告"


@pytest.mark.parametrize("rules", [
    "未整改到位扣2分，最低得0分。",  # the seed's wording (濮阳 三(一), 4分)
    "发现一起未按期整改的扣2分，扣完为止。",
])
def test_deductions_come_off_the_items_own_points(rules):
    (part,) = _one_row("整改情况", 4, rules)
    assert (part["kind"], part["base"], part["each"], "cap" in part) == ("deduction", 4, 2, False)
    assert part["max_points"] == 4


def test_a_one_off_deduction_keeps_its_cap():
    # no 最低得0分 / 扣完为止: a fixed 2 off when it happens, not a count against the 4
    (part,) = _one_row("整改情况", 4, "出现失信被执行人未整改情形的，扣2分。")
    assert part["kind"] == "deduction" and part.get("cap") == 2 and "base" not in part
