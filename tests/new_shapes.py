"""Tables of the shapes issue 20 found refused or misread, COMPOSED for the tests and the bench
(no internet here: the wording follows the kinds of document named, not a stored copy of one).
Each is written as such a document prints it, as a Word table built by code.

- MONITOR: a 城市信用状况监测指标 table — 一级指标 merged down its rows | 序号 | 二级指标 | 分值; no
  scoring column at all (points only), no year in the title.
- DISTRICT: a district's evaluation table — 项目 merged down its rows with no 一、 and no (N分) |
  序号 | 指标 | 评分标准; no 分值 column (the points are in the rules), one row with its name cell
  left empty."""
from __future__ import annotations

from pathlib import Path

from real_tables import write_grid

__all__ = ["MONITOR", "DISTRICT", "write_monitor", "write_district"]

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
