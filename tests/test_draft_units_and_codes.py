"""Indicator fields a draft reads from the table around the rules: the units (one name per
unit across the scheme), codes and points. Each case in wording composed for the test, and
the seed's own where it shows the case."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from authoring.document import blocks_from_text
from authoring.draft import draft_blocks, draft_document
from authoring.units import parse_units, prose_units, settle_names, unit_list

SEEDS = Path(__file__).resolve().parent.parent / "bench" / "seeds"


def _inds(data) -> dict[str, dict]:
    return {i["code"]: i for c in data["categories"] for i in c["indicators"]}


def _units(ind: dict) -> list[str]:
    return ind.get("lead", []) + ind.get("responsible", [])


def _draft(*rows: str) -> dict:
    (d,) = draft_blocks(blocks_from_text("\n".join(rows)), "x.txt")
    return d.data


# ---- names --------------------------------------------------------------------------------

def test_a_units_share_of_the_work_is_not_part_of_its_name():
    assert unit_list("市旅游局 3 项、交通局1项、市民政局负责、市统计局配合") == [
        "市旅游局", "交通局", "市民政局", "市统计局"]
    assert parse_units("牵头单位：市商务局 责任单位：市卫健委 2 项、市林业局（4项）") == (
        ["市商务局"], ["市卫健委", "市林业局"])


def test_two_units_joined_by_ji_are_two():
    assert unit_list("下陆区人民政府及区信用主管部门") == ["下陆区人民政府", "区信用主管部门"]
    # 及 inside one name is not a join
    assert unit_list("市住房及城乡建设局") == ["市住房及城乡建设局"]


def test_units_named_in_a_sentence():
    text = ("1、市统计局、市大数据中心提供数据接口；县（市）区人民政府按照《某某市信用分办法》"
            "组织实施，市人行及相关金融机构配合")
    assert prose_units(text) == ["市统计局", "市大数据中心", "县（市）区人民政府", "市人行"]
    assert prose_units("市行政审批服务中心汇总") == ["市行政审批服务中心"]
    assert prose_units("按月通报，在网站公示") == []


def test_two_spellings_of_one_unit_become_the_more_used_one():
    names = ["市林业局", "林业局", "市林业局", "人行某某中心支行", "人行某某中心支行",
             "市人行某某中心支行", "财政局", "市财政局", "县财政局"]
    got = settle_names(names)
    assert got["林业局"] == "市林业局"
    assert got["市人行某某中心支行"] == "人行某某中心支行"
    assert "财政局" not in got  # 市财政局 or 县财政局: not for the draft to guess


def test_a_row_saying_gongshangju_is_the_others_shi_gongshangju():
    data = _draft(
        "项目\t分值\t评分标准\t责任单位",
        "一、信用记录\t2\t· 建立信用记录的，得2分。\t市林业局、市水务局",
        "二、信息公示\t2\t· 公示信用信息的，得2分。\t林业局、市水务局",
        "三、红黑名单\t2\t· 认定红黑名单的，得2分。\t市林业局",
    )
    assert _units(_inds(data)["二"]) == ["市林业局", "市水务局"]


def test_units_from_the_implementation_column_when_no_unit_is_printed():
    data = _draft(
        "项目\t分值\t评分标准\t落实路径\t责任单位",
        "一、组织保障\t3\t· 成立领导小组的，得3分。\t市信用办会同市政府督查室落实\t",
        "二、信用宣传\t2\t· 开展宣传活动的，得2分。\t市委宣传部组织\t市文明办",
    )
    inds = _inds(data)
    assert _units(inds["一"]) == ["市信用办", "市政府督查室"]
    assert _units(inds["二"]) == ["市文明办"]  # a printed 责任单位 wins over the prose


def test_seed_units_settled_across_the_scheme():
    (d,) = draft_document(SEEDS / "001_0d8eedc23a51c9bf.txt")
    inds = _inds(d.data)
    # 四's row says 工商局 where every other row says 市工商局
    assert "市工商局" in _units(inds["四.1"]) and "工商局" not in _units(inds["四.1"])
    # 十: 责任单位：市文广新局 7 项、…
    assert "市文广新局" in _units(inds["十.2"])
    # 十一 prints no 责任单位; its 落实路径 says 市信用办准备相关佐证资料
    assert "市信用办" in _units(inds["十一.1"])


# ---- codes and points ---------------------------------------------------------------------

def test_a_lone_indicator_is_numbered_like_its_neighbours():
    data = _draft(
        "项目\t分值\t评分标准",
        "一、组织领导\t2\t· 成立领导小组的，得2分。",
        "二、信用记录\t3\t· 建立信用记录的，得1分。 · 信息公示的，得2分。",
        "三、联合奖惩\t4\t· 开展联合奖惩的，得2分。 · 报送案例的，得2分。",
        "四、信用报告\t4\t· 使用信用报告的，得2分。 · 报送报告的，得2分。",
    )
    assert set(_inds(data)) == {"一.1", "二.1", "二.2", "三.1", "三.2", "四.1", "四.2"}


def test_lone_indicators_keep_the_category_code_when_several_categories_have_one():
    data = _draft(
        "项目\t分值\t评分标准",
        "一、组织领导\t2\t· 成立领导小组的，得2分。",
        "二、信用记录\t3\t· 建立信用记录的，得1分。 · 信息公示的，得2分。",
        "三、联合奖惩\t4\t· 开展联合奖惩的，得2分。 · 报送案例的，得2分。",
        "四、信用报告\t4\t· 使用信用报告的，得4分。",
    )
    assert set(_inds(data)) == {"一", "二.1", "二.2", "三.1", "三.2", "四"}


def test_a_lone_indicator_whose_name_disagrees_with_its_category_and_bullets():
    data = _draft(
        "项目\t分值\t考核指标\t评分标准",
        "一、工作保障\t6\t组织保障（3分）\t· 成立领导小组的，得2分； · 有经费保障的，得2分； "
        "· 有联络员制度的，得2分。",
    )
    assert _inds(data)["一"]["max_points"] == Decimal(6)


def test_a_lone_indicator_keeps_its_own_points_when_only_the_category_differs():
    data = _draft(
        "项目\t分值\t考核指标\t评分标准",
        "一、工作保障\t6\t组织保障（3分）\t· 成立领导小组的，得1分； · 有经费保障的，得2分。",
    )
    assert _inds(data)["一"]["max_points"] == Decimal(3)


# ---- merged cells printed in the middle of their rows --------------------------------------

_MERGED = [
    "项目\t评估内容\t评分标准\t责任部门",
    "一、政务诚信\t(一)机关信用状况(2分) 未整改到位扣2分。\t\t责任单位：市法院",
    "\t(二)公务员档案(2分) 建立公务员诚信档案的得2分。\t\t责任单位：市委组织部",
    # (一) again: the next category has begun, its merged heading cell prints further down
    "(一)平台建设(2分)\t1. (2分)建成平台的，得2分。\t\t责任单位：市数据局",
    "\t\t1. (1分) 辖区未发生金融风险事件的，得1分。\t牵头单位：市金融局，责任单位：市人行",
    "二、金融环境\t(二) 金融风险 (1)\t\t",
    "\t\t1. (1分) 重错码率为0的，得1分。\t责任单位：市市场监管局",
    "\t(三) 统一代码 (3)\t2. (2分) 统一代码转换率100%的，得2分。\t责任单位：市市场监管局",
]


def test_a_sub_item_numbered_one_again_opens_the_category_whose_heading_is_below():
    inds = _inds(_draft(*_MERGED))
    assert set(inds) == {"一(一)", "一(二)", "二(一)", "二(二)", "二(三)"}
    assert inds["二(一)"]["name"] == "平台建设"


def test_a_sub_item_name_printed_below_its_first_bullet_takes_it_back():
    inds = _inds(_draft(*_MERGED))
    # (二) has no rules on its own row: the run-on row above was its bullet, units and all
    assert inds["二(二)"]["parts"][0]["text"].startswith("1. (1分) 辖区未发生金融风险事件")
    assert _units(inds["二(二)"]) == ["市金融局", "市人行"]
    assert _units(inds["二(一)"]) == ["市数据局"]
    # (三)'s first bullet is numbered 2: the 1. on the row above was its first
    assert len(inds["二(三)"]["parts"]) == 2 and inds["二(三)"]["max_points"] == Decimal(3)
    assert len(inds["二(一)"]["parts"]) == 1


def test_a_heading_printed_beside_its_second_sub_item_takes_the_first():
    inds = _inds(_draft(
        "项目\t评估内容\t评分标准\t责任部门",
        "一、保障措施\t组织领导(2)\t1. (2分) 成立领导小组的，得2分。\t责任单位：市委办",
        "\t\t(一) 信用立法 (5) 已出台地方性法规的，得5分。\t责任单位：市司法局",
        "附加项：创新\t\t(二) 合同履约 (5) 开展合同履约监管的，得5分。\t责任单位：市商务局",
    ))
    assert {"附加(一)", "附加(二)"} <= set(inds)
    assert inds["附加(一)"]["name"] == "信用立法"


def test_cells_past_the_last_header_column_are_that_column_run_over():
    inds = _inds(_draft(
        "项目\t分值\t评分标准\t责任单位",
        "一、信用承诺\t4\t· 承诺覆盖率达到90%的，得4分。\t市商务局、市林业局\t"
        "市数据中心在平台上开发承诺功能并在网站公布\t市体育局、市文旅局",
    ))
    assert _units(inds["一"]) == ["市商务局", "市林业局", "市体育局", "市文旅局"]


# ---- a page break between categories -------------------------------------------------------

def test_the_end_of_a_cut_bullet_at_the_top_of_the_next_category_goes_back():
    data = _draft(
        "项目\t分值\t评分标准\t责任单位",
        "一、金融环境\t4\t· 不良贷款率低于2%的，得2分。 · 地方政府是否干预金融机构。本项得分为0、1两档："
        "如果为“是”，得0分；如果为“否”，得1分。 · 地方政府是否有效管理担保公司。本项得分为0、\t市人行",
        "\t\t\t市金融局、市商务局",
        "二、信息共享\t5\t1 两档：如果为“是”，得0分；如果为“否”，得1分。 · 存量代码转换率为100%的得2分。"
        " · 重错码率为0的得3分。\t市市场监管局",
    )
    cats = {c["code"]: c for c in data["categories"]}
    one = cats["一"]["indicators"]
    assert len(one) == 3 and one[-1]["max_points"] == Decimal(1)
    assert "有效管理担保公司" in one[-1]["parts"][0]["text"]
    assert [i["max_points"] for i in cats["二"]["indicators"]] == [Decimal(2), Decimal(3)]
    assert _units(cats["二"]["indicators"][0]) == ["市市场监管局"]


def test_a_row_that_begins_as_rows_do_stays_in_its_category():
    data = _draft(
        "项目\t分值\t评分标准\t责任单位",
        "一、组织领导\t3\t· 成立领导小组的，得2分。 · 有联络员的，得1分\t市信用办",
        "二、信息共享\t3\t· 存量代码转换率为100%的得1分。 · 重错码率为0的得2分。\t市市场监管局",
    )
    cats = {c["code"]: c for c in data["categories"]}
    assert len(cats["一"]["indicators"]) == 2 and len(cats["二"]["indicators"]) == 2


def test_an_indicator_without_points_has_what_its_category_leaves():
    data = _draft(
        "项目\t分值\t评分标准",
        "一、信息共享\t6\t· 存量代码转换率为100%的得1分。 · 政务大厅全部接入平台，每增加1个未接入的大厅减1分。"
        " · 信息上报率100%的得2分。",
    )
    inds = data["categories"][0]["indicators"]
    assert [i["max_points"] for i in inds] == [Decimal(1), Decimal(3), Decimal(2)]
    assert "推定为3分" in inds[1]["note"]


def test_a_bullet_in_the_notes_column_is_a_scoring_bullet():
    data = _draft(
        "项目\t分值\t评分标准\t评分细则\t责任单位",
        "一、网站建设\t4\t· 网站活跃度计分公式为100n，最高得2分。\t(1) n指日人均点击量。\t市数据局",
        "\t\t\t· 根据投资基金信用登记情况酌情计分，最高得2分。\t",
    )
    inds = data["categories"][0]["indicators"]
    assert len(inds) == 2 and inds[1]["parts"][0]["kind"] == "discretionary"


def test_a_sub_item_name_printed_below_its_bullets_in_the_units_cell():
    head = "项目\t评估内容\t评分标准\t佐证材料\t责任部门"
    for units_cell in (
        # the cell's paragraphs: the row's units, the next sub-item's bullet, then its name
        "<p>责任单位：市人行</p> <p>1. (2分) 对评级机构无行政干预的，得2分。</p> <p>（二）评级独立性（2）</p>",
        "责任单位：市人行   1. (2分) 对评级机构无行政干预的，得2分。   （二）评级独立性（2）",
    ):
        inds = _inds(_draft(
            head,
            f"一、金融环境\t(一)信用平台(3分)\t1. (3分)建成涉企信用平台的，得3分。\t\t{units_cell}",
        ))
        assert set(inds) == {"一(一)", "一(二)"}
        two = inds["一(二)"]
        assert two["name"] == "评级独立性" and two["max_points"] == Decimal(2)
        assert "无行政干预" in two["parts"][0]["text"]
        assert _units(two) == ["市人行"] and _units(inds["一(一)"]) == ["市人行"]


def test_a_short_row_split_at_its_paragraphs_with_the_name_last():
    inds = _inds(_draft(
        "项目\t评估内容\t评分标准\t佐证材料\t责任部门",
        "一、金融环境\t(一)信用平台(3分)\t1. (3分)建成涉企信用平台的，得3分。\t\t责任单位：市人行",
        # three cells for five columns; OCR kept each paragraph of the last one
        "\t<p>2. (1分) 农户信用信息覆盖率达到50%的，得1分。</p>\t<p>责任单位：市农业局</p> "
        "<p>1. (2分) 对评级机构无行政干预的，得2分。</p> <p>（二）评级独立性（2）</p>",
    ))
    assert inds["一(二)"]["name"] == "评级独立性" and _units(inds["一(二)"]) == ["市农业局"]


def test_a_complete_category_keeps_its_last_bullet_whatever_the_next_row_begins_with():
    data = _draft(
        "项目\t分值\t评分标准\t责任单位",
        "一、组织领导\t2\t· 成立领导小组的，得2分，未成立的实行一票否决\t市信用办",
        "二、信息共享\t3\t1 存量代码转换率为100%的得1分。 · 重错码率为0的得2分。\t市市场监管局",
    )
    cats = {c["code"]: c for c in data["categories"]}
    assert "存量代码" not in cats["一"]["indicators"][0]["parts"][0]["text"]
    assert sum(i["max_points"] for i in cats["二"]["indicators"]) == Decimal(3)


# ---- what the walkthrough of a new city's Word table found ---------------------------------

def test_a_unit_with_marks_inside_its_brackets_is_one():
    assert unit_list("各区（县、市）政府、市林业局") == ["各区（县、市）政府", "市林业局"]


def test_printed_numbers_beside_a_category_cell_are_the_codes():
    data = _draft(
        "考核项目\t序号\t考核内容\t分值\t评分标准\t责任单位",
        "一、组织领导（6分）\t1\t领导小组\t3\t成立领导小组的，得3分。\t市林业局、市水务局",
        "\t2\t联络员\t3\t确定联络员的，得3分。\t",
        "二、加分项（2分）\t3\t经验推广\t2\t经验被省级推广的，得2分。\t市林业局",
    )
    inds = _inds(data)
    assert list(inds) == ["1", "2", "3"]
    # the 责任单位 cell merged over 1 and 2 is printed once, on its first row
    assert _units(inds["2"]) == ["市林业局", "市水务局"]
    assert data["categories"][1]["section"] == "bonus" and data["bonus_cap"] == Decimal(2)


def test_a_category_cell_repeated_on_every_row_gives_its_points_to_its_first_row_only():
    data = _draft(
        "考核项目\t考核内容\t分值\t评分标准",
        "一、加分项（5分）\t经验推广\t5\t经验被省级推广的，得5分。",
        "一、加分项（5分）\t交办任务\t\t按时完成交办的其他工作任务。",
    )
    inds = data["categories"][0]["indicators"]
    assert inds[0]["max_points"] == Decimal(5) and "待确认" in inds[1]


def test_notes_numbered_one_dot_refine_their_bullet():
    data = _draft(
        "序号\t考核内容\t分值\t评分标准\t评分细则",
        "1\t典型案例\t6\t报送信用修复典型案例，按报送数量计分，最高6分。\t"
        "1.每报送1个信用修复典型案例得2分，最高6分。 2.典型案例指经市信用办采用的案例。",
    )
    part = _inds(data)["1"]["parts"][0]
    assert (part["kind"], part["points"], part["max_points"]) == ("per_item", Decimal(2), Decimal(6))
    assert "（评分细则：每报送1个信用修复典型案例得2分" in part["text"]


def test_grade_bands_written_as_ranges():
    data = _draft(
        "年度考核结果分为四档：85分及以上为优秀，70分至84分为良好，60-69分为合格，60分以下为不合格。",
        "序号\t考核内容\t分值\t评分标准",
        "1\t领导小组\t3\t成立领导小组的，得3分。",
    )
    assert [(b["name"], b["min"]) for b in data["bands"]] == [
        ("优秀", 85), ("良好", 70), ("合格", 60), ("不合格", 0)]


def test_the_draft_id_names_the_year_once():
    (d,) = draft_blocks(blocks_from_text("序号\t考核内容\t分值\t评分标准\n1\t领导小组\t3\t成立领导小组的，得3分。"),
                        "2026考核细则.txt")
    assert d.data["id"].startswith("draft-") and d.data["id"].count("20") <= 1


# ---- a two-row header ----------------------------------------------------------------------

_TWO_ROW_BODY = [
    ("一、组织领导（10分）", "领导机制", "5", "成立由分管领导牵头的领导小组的，得5分。", "市信用办"),
    ("", "工作机制", "5", "建立联络员制度的，得5分。", "市信用办"),
    ("二、信息归集（20分）", "双公示", "12", "双公示上报率达到100%的得12分，每低1个百分点扣1分，扣完为止。",
     "市发展改革委"),
    ("", "信用承诺", "8", "承诺书数量最多的得8分，最少的得2分，中间的依排序赋分。", "市发展改革委"),
]


def _two_row_shape(data) -> list:
    return [(i["code"], i["name"], i["max_points"], i["parts"][0]["kind"])
            for c in data["categories"] for i in c["indicators"]]


def test_a_two_row_header_in_text():
    data = _draft("考核指标\t\t分值\t评分标准\t责任单位", "一级指标\t二级指标\t\t\t",
                  *("\t".join(r) for r in _TWO_ROW_BODY))
    assert _two_row_shape(data) == [("一.1", "领导机制", 5, "checklist"), ("一.2", "工作机制", 5, "checklist"),
                                    ("二.1", "双公示", 12, "deduction"), ("二.2", "信用承诺", 8, "rank")]


def test_a_two_row_header_in_word_with_merged_cells(tmp_path):
    import docx

    d = docx.Document()
    table = d.add_table(rows=2 + len(_TWO_ROW_BODY), cols=5)
    for col, text in enumerate(["考核指标", "", "分值", "评分标准", "责任单位"]):
        table.cell(0, col).text = text
    table.cell(1, 0).text, table.cell(1, 1).text = "一级指标", "二级指标"
    table.cell(0, 0).merge(table.cell(0, 1))  # 考核指标 over both levels
    for col in (2, 3, 4):
        table.cell(0, col).merge(table.cell(1, col))  # 分值 … down over the second header row
    for r, row in enumerate(_TWO_ROW_BODY, start=2):
        for col, text in enumerate(row):
            table.cell(r, col).text = text
    table.cell(2, 0).merge(table.cell(3, 0))
    table.cell(4, 0).merge(table.cell(5, 0))
    path = tmp_path / "两行表头.docx"
    d.save(str(path))
    (got,) = draft_document(path)
    assert _two_row_shape(got.data) == [("一.1", "领导机制", 5, "checklist"),
                                        ("一.2", "工作机制", 5, "checklist"),
                                        ("二.1", "双公示", 12, "deduction"), ("二.2", "信用承诺", 8, "rank")]
