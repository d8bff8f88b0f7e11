"""Tables of the shapes issue 20 found refused or misread, COMPOSED for the tests and the bench
(no internet here: the wording follows the kinds of document named, not a stored copy of one).
Each is written as such a document prints it, as a Word table built by code.

- MONITOR: a 城市信用状况监测指标 table — 一级指标 merged down its rows | 序号 | 二级指标 | 分值; no
  scoring column at all (points only), no year in the title.
- RULE_SHAPES: a district's 考核细则 whose rules are the issue's rule shapes, one per row: points
  by rank place, grades without 得, a rule continued after 。 with an exemption, a bare formula,
  two metrics marked ①②, and 一票否优 in a row with no points.
- DISTRICT: a district's evaluation table — 项目 merged down its rows with no 一、 and no (N分) |
  序号 | 指标 | 评分标准; no 分值 column (the points are in the rules), one row with its name cell
  left empty."""
from __future__ import annotations

from pathlib import Path

from real_tables import write_grid

__all__ = ["MONITOR", "DISTRICT", "RULE_SHAPES", "write_monitor", "write_district", "write_rule_shapes"]

MONITOR_TITLE = "城市信用状况监测指标"
MONITOR_HEADER = ["一级指标", "序号", "二级指标", "分值"]
MONITOR_ROWS = [
    ["信用制度和基础建设", "1", "社会信用体系建设工作机制", "6"],
    ["", "2", "信用信息归集共享", "8"],
    ["", "3", "信用信息平台网站建设", "6"],
    ["", "4", "信用承诺制度落实", "5"],
    ["信用监管", "5", "信用分级分类监管", "8"],
    ["", "6", "“双公示”信息报送", "7"],
    ["", "7", "失信联合惩戒", "7"],
    ["", "8", "信用修复", "6"],
    ["信用惠民便企", "9", "“信易贷”融资服务", "8"],
    ["", "10", "“信易+”守信激励", "6"],
    ["", "11", "信用服务机构培育", "5"],
    ["诚信文化建设", "12", "诚信宣传教育", "6"],
    ["", "13", "诚信典型选树", "6"],
    ["", "14", "政务诚信建设", "8"],
    ["", "15", "重点领域信用建设", "8"],
]
MONITOR = (MONITOR_TITLE, MONITOR_HEADER, MONITOR_ROWS, [0])

DISTRICT_TITLE = "某区2025年度区直部门社会信用体系建设工作评价表"
DISTRICT_HEADER = ["项目", "序号", "指标", "评分标准"]
DISTRICT_ROWS = [
    ["工作绩效", "1", "工作机制", "成立区社会信用体系建设领导小组并明确联络员的，得4分；未成立的不得分。"],
    ["", "2", "信息报送", "按时报送“双公示”信息的，得6分；每迟报1次扣1分，扣完为止。"],
    ["", "3", "", "每报送1个信用联合奖惩案例得1分，最高得5分。"],
    ["配置效益", "4", "信用承诺", "承诺书覆盖率达到95%以上的得5分，80%-95%的得3分，低于80%的不得分。"],
    ["", "5", "信用修复", "办结率=按期办结数/受理数×100%，办结率达到100%的得5分，每低1个百分点扣0.5分，扣完为止。"],
    ["社会效益", "6", "诚信宣传", "开展诚信宣传活动的，每次得1分，最高得5分。"],
]
DISTRICT = (DISTRICT_TITLE, DISTRICT_HEADER, DISTRICT_ROWS, [0])


def write_monitor(path: Path) -> Path:
    return write_grid(path, MONITOR)


def write_district(path: Path) -> Path:
    return write_grid(path, DISTRICT)


RULE_SHAPES_TITLE = "某区2025年度区直部门社会信用体系建设工作考核细则"
RULE_SHAPES_HEADER = ["序号", "考核指标", "分值", "评分标准"]
RULE_SHAPES_ROWS = [
    ["1", "信用信息归集", "60", "按归集数据量排名，排名第1至5名的依次赋予60分、57分、54分、51分、48分，"
                          "其余得40分；并列的取较好名次，未报送的单位不参加排名。"],
    ["2", "信用信息申报", "10", "申报信息完整、准确的，10分；申报信息不完整，5分。"],
    ["3", "双公示报送", "10", "报送率达到100%的得10分。每低1%，扣0.5分，扣完为止。"],
    ["4", "信用修复办结", "8", "办结率=按时办结数/受理数×8分。"],
    ["5", "信用承诺", "10", "①归集信用承诺书，每100份得1分，最高5分；②承诺履约公示率达到100%的得5分，未达到的不得分。"],
    ["6", "信用建设经费", "2", "足额保障信用建设工作经费的，得2分。若保障不到位的，每少1%，扣0.1分；"
                          "但因上级政策调整的可不扣分。"],
    ["7", "诚信建设", "", "发生重大失信事件的，实行一票否优。"],
]
RULE_SHAPES = (RULE_SHAPES_TITLE, RULE_SHAPES_HEADER, RULE_SHAPES_ROWS, [])


def write_rule_shapes(path: Path) -> Path:
    return write_grid(path, RULE_SHAPES)
