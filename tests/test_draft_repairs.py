"""Damage a document reader should repair: tables cut by page breaks and OCR that runs one
column into the next. Each case in wording composed for the test, and as the seed prints it."""
from __future__ import annotations

from pathlib import Path

from schemes.document import blocks_from_text
from schemes.draft import draft_blocks, draft_document

SEEDS = Path(__file__).resolve().parent.parent / "bench" / "seeds"


def _inds(data) -> dict[str, dict]:
    return {i["code"]: i for c in data["categories"] for i in c["indicators"]}


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
