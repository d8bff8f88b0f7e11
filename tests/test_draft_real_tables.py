"""Other places' real tables (tests/real_tables.py: 苏州, 南昌县, 河北), drafted from the Word
file as their publishers laid them out and checked as a staff member checks a draft against
the printed table; each layout the reader learnt from them also in a composed variant."""
from __future__ import annotations

import re

from decimal import Decimal

import pytest
import real_tables as rt
from one_bullet import score_bullet

from authoring.document import blocks_from_text
from authoring.draft import draft_blocks, draft_document
from authoring.rule_reader import read_rule


def _one(path) -> dict:
    (d,) = draft_document(path)
    return d.data


def _text(*rows: str):
    (d,) = draft_blocks(blocks_from_text("\n".join(rows)), "x.txt")
    return d


def _inds(data: dict) -> list[dict]:
    return [i for c in data["categories"] for i in c["indicators"]]


def _kinds(ind: dict) -> list[str]:
    return [p["kind"] for p in ind["parts"]]


# ---- 苏州: a heading paragraph and a table per category, 考核内容 over two columns --------------

def test_suzhou_categories_and_indicators_as_printed(tmp_path):
    data = _one(rt.write_suzhou(tmp_path / "苏州.docx"))
    printed_cats = [re.match(r"^(.)、(.+?)（(?:加分项，)?分值：(\d+)分）$", h).groups() for h, _ in rt.SUZHOU]
    assert [(c["code"], c["name"], c["max_points"]) for c in data["categories"]] == [
        (code, name, int(pts)) for code, name, pts in printed_cats]
    assert [c["section"] for c in data["categories"]] == ["base", "base", "base", "bonus"]
    assert data["base_total"] == 100
    printed = [(f"{code}.{n}", *re.match(r"^(.+)（(\d+)分）$", name).groups())
               for (code, _, _), (_, rows) in zip(printed_cats, rt.SUZHOU)
               for n, (name, _) in enumerate(rows, start=1)]
    assert [(i["code"], i["name"], i["max_points"]) for i in _inds(data)] == [
        (code, name, int(pts)) for code, name, pts in printed]
    # one part per printed bullet, each keeping its text
    bullets = [b for _, rows in rt.SUZHOU for _, bs in rows for b in bs]
    texts = [p["text"] for i in _inds(data) for p in i["parts"]]
    assert len(texts) == len(bullets) - 2  # 三.1 and 三.2 are one rule in two lines each
    assert all(any(t.startswith(b[:12]) for t in texts) for b in bullets if not b.startswith("参照"))


def test_suzhou_rules_and_due_dates(tmp_path):
    d, = draft_document(rt.write_suzhou(tmp_path / "苏州.docx"))
    ind = {i["name"]: i for i in _inds(d.data)}
    assert _kinds(ind["保障机制"]) == ["checklist", "checklist"]
    assert _kinds(ind["落实市信用管理部门工作任务"]) == ["deduction", "formula"]
    assert _kinds(ind["数据规范性"]) == ["piecewise", "piecewise"]
    assert _kinds(ind["双公示工作落实情况"]) == ["discretionary"]  # no 得N分: found by its （6分）
    assert ind["双公示月报表"]["due"]["frequency"] == "monthly" and ind["双公示月报表"]["due"]["day"] == 10
    # the printed table's own slip (标志失信程度（1分） whose bullet gives 3) is reported
    assert any("分项分值 3 超过指标分值 1" in p for p in d.problems)


def test_a_composed_table_per_category_with_a_two_column_header():
    d = _text("某市市级部门信用工作考核评分表",
              "一、组织推进（分值：5分）",
              "考核内容\t\t部门评分\t部门备注",
              "工作机构（3分）\t明确分管领导和联络员的得3分。",
              "工作台账（2分）\t每月5号前报送工作台账，参照报送要求酌情给分。",
              "二、工作创新（加分项，分值：2分）",
              "考核内容\t\t部门评分\t部门备注",
              "创新做法（2分）\t信用工作经验被市级推广的得2分。")
    data = d.data
    assert [(c["code"], c["name"], c["max_points"], c["section"]) for c in data["categories"]] == [
        ("一", "组织推进", 5, "base"), ("二", "工作创新", 2, "bonus")]
    assert [(i["code"], i["name"], i["max_points"], _kinds(i)) for i in _inds(data)] == [
        ("一.1", "工作机构", 3, ["checklist"]), ("一.2", "工作台账", 2, ["discretionary"]),
        ("二", "创新做法", 2, ["checklist"])]
    assert _inds(data)[1]["due"]["day"] == 5
    assert d.problems == []


# ---- 河北: the category in the 序号 column, merged down; 项目名称 | 工作要求 | 得分标准 ------------

def test_hebei_as_printed(tmp_path):
    d, = draft_document(rt.write_grid(tmp_path / "河北.docx", rt.HEBEI))
    data = d.data
    assert data["title"] == rt.HEBEI_TITLE
    assert [(c["code"], c["name"], c.get("max_points")) for c in data["categories"]] == [
        ("一", "制度建设", None), ("二", "基础保障", None)]  # the table prints no category points
    assert [(i["code"], i["name"], i["max_points"], i["responsible"]) for i in _inds(data)] == [
        (f"{code}.{n}", row[1], int(row[3]), re.split("、(?![^（]*）)", row[6]))
        for code, rows in (("一", rt.HEBEI_ROWS[:2]), ("二", rt.HEBEI_ROWS[2:]))
        for n, row in enumerate(rows, start=1)]
    first = _inds(data)[0]
    assert _kinds(first) == ["formula", "formula", "deduction"]
    assert [p.get("max_points") for p in first["parts"][:2]] == [1, 4]
    assert first["content"].startswith("转载和落实") and first["evidence"].startswith("本级政府")
    assert [_kinds(i) for i in _inds(data)[1:]] == [["checklist"]] * 3
    assert d.unresolved == 0 and d.problems == []


def test_a_composed_table_with_categories_in_the_number_column():
    data = _text("序号\t项目名称\t工作要求\t分值\t得分标准\t信息核实来源\t责任单位",
                 "组织保障\t联络员\t明确信用联络员\t2\t已明确的得2分，未明确不得分\t备案表\t市信用办",
                 "\t培训\t参加全市信用培训\t3\t每参加1次得1分，最高3分\t签到表\t市信用办",
                 "信息归集\t双公示\t按时报送双公示信息\t5\t每迟报1条扣0.5分，扣完为止\t平台数据\t市发展改革委").data
    assert [(c["code"], c["name"]) for c in data["categories"]] == [("一", "组织保障"), ("二", "信息归集")]
    assert [(i["code"], i["name"], i["max_points"], _kinds(i), i.get("evidence")) for i in _inds(data)] == [
        ("一.1", "联络员", 2, ["checklist"], "备案表"), ("一.2", "培训", 3, ["per_item"], "签到表"),
        ("二", "双公示", 5, ["deduction"], "平台数据")]


# ---- 南昌县: 考核项目（4分） without 一、; the bullets under 考核指标细分 ------------------------------

def test_nanchang_as_printed(tmp_path):
    d, = draft_document(rt.write_grid(tmp_path / "南昌县.docx", rt.NANCHANG))
    (cat,) = d.data["categories"]
    assert (cat["name"], cat["max_points"]) == ("制度建设落实", 4)
    (ind,) = cat["indicators"]
    assert (ind["code"], ind["name"], ind["max_points"], ind["responsible"]) == ("1", "提升法制化水平", 4, ["县直各单位"])
    (part,) = ind["parts"]
    assert (part["kind"], part["points"], part["max_points"]) == ("per_item", 0.5, 4)
    assert ind["evidence"] == "佐证材料" and d.unresolved == 0 and d.problems == []


def test_a_composed_table_with_worded_categories_and_their_points():
    data = _text("序号\t考核项目\t考核指标\t考核指标细分\t责任单位\t细分分值",
                 "1\t制度建设（5分）\t信用制度\t每出台1项信用制度得1分，最高得5分。\t县直各单位\t5",
                 "2\t信息归集（10分）\t双公示\t双公示信息合规率达到100%的得6分。\t县直各单位\t6",
                 "3\t\t红黑名单\t按时报送红黑名单的得4分。\t县直各单位\t4").data
    assert [(c["code"], c["name"], c["max_points"]) for c in data["categories"]] == [
        ("一", "制度建设", 5), ("二", "信息归集", 10)]
    assert [(i["code"], i["name"], i["max_points"]) for i in _inds(data)] == [
        ("1", "信用制度", 5), ("2", "双公示", 6), ("3", "红黑名单", 4)]


# ---- 石城县: 考核项目 over two columns, 一、 rows in 序号, a 总分 row first ------------------------

def test_shicheng_as_printed(tmp_path):
    d, = draft_document(rt.write_shicheng(tmp_path / "石城县.docx"))
    (cat,) = d.data["categories"]
    assert (cat["code"], cat["name"], cat["max_points"]) == ("一", "通用考核项目（全部责任单位）", 40)
    printed = [r for r in rt.SHICHENG_ROWS if r[0].isdigit()]
    assert [(i["code"], i["name"], i["max_points"]) for i in cat["indicators"]] == [
        (code, item, int(pts)) for code, item, pts, _, _ in printed]
    assert [i.get("content", "").replace("\n", "") for i in cat["indicators"]][1] == printed[1][3].replace("\n", "")
    assert d.data["base_total"] == 40


def test_a_composed_table_with_a_two_column_item_header():
    data = _text("序号\t考核项目\t\t分值\t考核内容\t评分标准\t说明",
                 "\t总分\t\t20",
                 "一、\t通用项目\t\t20",
                 "1\t组织领导\t\t8\t组织领导\t成立工作专班的，得8分。",
                 "2\t信息报送\t\t12\t按月报送信息\t每少报送一次扣1分，扣完为止。").data
    (cat,) = data["categories"]
    assert (cat["code"], cat["name"], cat["max_points"]) == ("一", "通用项目", 20)
    assert [(i["code"], i["name"], i["max_points"], _kinds(i)) for i in cat["indicators"]] == [
        ("1", "组织领导", 8, ["checklist"]), ("2", "信息报送", 12, ["deduction"])]


@pytest.mark.parametrize("text,points", [
    (rt.SHICHENG_ROWS[4][4].replace("\n", ""), 10),  # 石城县 3 宣传工作, as printed
    ("建立信用工作台账（含电子台账）（5分）；", 5),
])
def test_points_in_brackets_after_an_aside(text, points):
    r = read_rule(text)
    assert (r.kind, r.points) == ("checklist", points)
    assert score_bullet(text, [Decimal(1)]) == points and score_bullet(text, [Decimal(0)]) == 0


def test_tiers_by_level_split_by_semicolons_stay_one_rule(tmp_path):
    # 石城县 4 新经验好做法, bullet 2: one of the three levels applies (most 3), not 3+2+1
    d, = draft_document(rt.write_shicheng(tmp_path / "石城县.docx"))
    part = next(i for i in _inds(d.data) if i["name"] == "新经验好做法")["parts"][1]
    assert part["text"].count("得") == 3 and part["max_points"] == 3 and "只取其一" in part["待确认"]
    from authoring.bullets import split_bullets
    assert split_bullets("获得国家级表彰的得3分；获省级表彰的得2分；开展信用培训的得1分。") == [
        "获得国家级表彰的得3分；获省级表彰的得2分；", "开展信用培训的得1分。"]
    # different things each with its points are still items of their own
    assert len(split_bullets("建立市级信用平台的得3分；开展信用培训的得1分。")) == 2
