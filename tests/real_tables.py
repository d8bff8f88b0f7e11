"""Other places' assessment tables, rebuilt as their publishers laid them out, for trying the
draft reader on documents it was not written against. The text is as printed (simplified
characters where the page was shown in traditional ones); the structure is the source's:
its header words, its merged category cells, its points column or "(N分)" in the name cell.
Where the stored copy of a source is cut off, the table stops at the last complete row.

Sources:
- SUZHOU: 苏州 市级部门社会信用体系建设绩效考核评分表, as a public repository's scoring page
  prints it (stored code index, read_file id 49696106301): four sections, each a heading
  "一、…（分值：N分）" and its own table 考核内容 (two columns) | 部门评分 | 部门备注, the bullets
  of a row split by line breaks.
- NANCHANG: 南昌县2023年度县直单位社会信用体系建设考核细则 (南信办字〔2023〕7号),
  http://www.liushimy.com/ncxrmzf/cxhhb/202309/b40dccfeb2704edbb0f9c953696d6ca4.shtml
  (the stored copy ends inside row 2's third bullet: only row 1 is complete).
- HEBEI: 河北省社会信用体系建设典型城市县级试点建设标准, https://m.001doc.com/doc/1124969.html
  (page 1 of 6: the 制度建设 and 基础保障 categories, the category printed vertically in the
  merged first column, no row numbers).
- SHICHENG: 石城县2018年度河长制湖长制工作责任单位目标管理（绩效）考核细则, a county's table for
  its member departments as a public repository's page prints it (stored code index, read_file
  id 8503071696): 考核项目 spans two columns, a 总分 row first, category rows 一、 in 序号. Only
  part 一 (通用考核项目, the same for every department) is rebuilt: part 二 gives each
  department its own 60 points, a scheme per department the draft does not make."""
from __future__ import annotations

from pathlib import Path

__all__ = ["SUZHOU", "NANCHANG", "HEBEI", "SHICHENG", "write_suzhou", "write_grid"]

SUZHOU_TITLE = "绩效考核评分"
SUZHOU_HEADER = ["考核内容", "部门评分", "部门备注"]
# (section heading, [(name cell, [bullets split by line breaks])])
SUZHOU: list[tuple[str, list[tuple[str, list[str]]]]] = [
    ("一、工作组织推进力度（分值：40分）", [
        ("保障机制（2分）", ["落实牵头处室和技术保障处室，明确专人负责，得1分；",
                        "建立和落实信用日常工作和数据报送、异议处理制度得1分。"]),
        ("宣传报道（10分）", ["开展信用宣传活动2分，向“诚信苏州”网站等提供稿件，按月报送1篇得0.5分，最高得6分；",
                        "年内稿件被“诚信苏州”网站采用1篇得1分，最高得2分。"]),
        ("应用信用信息和信用产品（4分）", [
            "在行政管理中实行信用承诺制度，并上网公示得1分；",
            "使用市公共信用信息中心出具的信用查询或审查报告，查询或审查对象超过100家以上或全年批量"
            "审查3次以上得3分，未达到100家或少于3次的，按比例得分。"]),
        ("落实市信用管理部门工作任务（14分）", [
            "参加市政府、市社会信用体系建设领导小组和市信用办等组织的会议（活动），满分2分，每缺席一次扣0.5分；",
            "完成工作要点（任务分解表）12分，未完成的按照任务量比例扣分。"]),
        ("开展失信联动奖惩（10分）", [
            "落实开展守信联合激励和失信联合惩戒制度，并向信用办报送守信联合激励和失信联合惩戒典型案例，最高得10分。"]),
    ]),
    ("二、向市级公共信用信息平台报送信息（分值：30分）", [
        ("提供方式（2分）", ["数据库对接方式或前置机方式提供的得2分；其他方式提供的得1分。"]),
        ("信息量（8分）", ["根据市级部门全年产生数据量和报送数据量按比值给分。最高得5分。"]),
        ("标志失信程度（1分）", ["报送信息中正确添加、标志失信严重程度的得3分，仅提供失信情况的得1分，否则不得分。"]),
        ("数据时效性（6分）", ["双公示信息按7个工作日内报送3分，其他信用信息每月报送3分。"]),
        ("数据有效入库情况（6分）", [
            "以有效入库率衡量，入库率=有效入库记录总数/提供记录总数×100%。入库率95%以上（含95%）得6分；"
            "95%以下的按百分比×6得分。"]),
        ("数据规范性（6分）", [
            "以完整率衡量，完整率=实际提供的数据项数量/要求提供的数据项数量×100%。完整率95%以上（含95%）得3分；"
            "95%以下的按百分比×3得分。",
            "提供的数据内容准确要求达95%以上（含95%）的得3分，95%以下的按百分比×3得分。"]),
        ("“红黑名单”报送（1分）", [
            "经严格审核，规范、准确向市公共信用信息系统报送已向社会公示的“红名单”或“黑名单”，除零增量外， 得1分。"]),
    ]),
    ("三、双公示工作情况（分值：30分）", [
        ("双公示月报表（12分）", ["各部门每月10号前上报上一月度部门双公示情况表，认真填写表格内容。",
                           "参照报送要求酌情给分，满分12分。"]),
        ("部门网站公示情况、数据报送情况（12分）", ["每月对各部门网站双公示工作情况、对各部门双公示信息报送情况进行考核。",
                                    "参照考核要求酌情给分，满分12分。"]),
        ("双公示工作落实情况（6分）", ["根据各部门工作推进情况，年度总结，参加会议，督查情况考评等综合评分，满分6分。"]),
    ]),
    ("四、工作创新（加分项，分值：10分）", [
        ("工作创新（6分）", ["开展信用信息和产品（如桂花分）应用推广创新；信用工作创新得6分。"]),
        ("获信用工作表彰情况或国家、省信用工作创新试点项目（4分）", ["国家级4分，条线系统、领导小组2分，市政府1分。"]),
    ]),
]

NANCHANG_TITLE = "南昌县2023年度县直单位社会信用体系建设考核细则"
NANCHANG_HEADER = ["序号", "考核项目", "考核指标", "考核指标说明", "考核指标细分", "责任单位", "细分分值", "考核依据"]
NANCHANG_ROWS = [
    ["1", "制度建设落实\n（4分）", "提升法制化水平\n（4分）", "完善信用制度",
     "对县级发布的社会信用体系建设文件的配合及落实情况。“配合”指对市县级层面制度文件的回复情况，"
     "“落实”指根据县级出台的文件出台相应的制度或提供落实的证明材料。每配合、落实一个得0.5，最高得4分。\n"
     "注：文件需2023年发布的正式盖章复函及制度文件等。",
     "县直各单位", "4", "佐证材料"],
]
NANCHANG = (NANCHANG_TITLE, NANCHANG_HEADER, NANCHANG_ROWS, ())

HEBEI_TITLE = "河北省社会信用体系建设典型城市县级试点建设标准"
HEBEI_HEADER = ["序号", "项目名称", "工作要求", "分值", "得分标准", "信息核实来源", "责任单位"]
HEBEI_ROWS = [
    ["制度建设", "贯彻落实党中央国务院决策部署和省委省政府工作要求",
     "转载和落实国家发布的12个社会信用体系建设顶层设计文件和省内公开发布文件（详见“信用河北网站”）", "5",
     "“转载”指在我县信用网站或政府网站转载，“落实”指我县已出台制度或已贯彻落实的证明材料。"
     "转载占1分，得分=转载数量/12*1；落实占4分，得分=落实数量/12*4。省内文件少转发1个扣0.1分。",
     "本级政府、信用网站发布内容、落实文件等。", "行政审批局"],
    ["", "个人信用积分建设情况", "执行上级或本级政策要求，依法依规为本辖区居民建立个人信用积分", "5",
     "已建立的得5分，未建立不得分", "政策文件、系统截图、工作总结、实地抽查等", "宣传部、各镇（街道办）"],
    ["基础保障", "试点建设协调机构设置情况", "成立以地方党委、政府负责人牵头的试点建设协调机制", "3",
     "已成立的得3分，未成立不得分", "试点县（市、区）提供佐证材料，如成立通知、会议纪要等", "行政审批局"],
    ["", "经费保障情况", "本级政府为社会信用体系建设各项工作提供经费保障", "3",
     "有经费保障的得3分，无则不得分", "部门预算、会议纪要、领导批示等", "行政审批局、财政局"],
]
HEBEI = (HEBEI_TITLE, HEBEI_HEADER, HEBEI_ROWS, (0,))

SHICHENG_TITLE = "石城县2018年度河长制湖长制工作责任单位目标管理（绩效）考核细则"
SHICHENG_HEADER = ["序号", "考核项目", "", "各项分值", "考核内容", "评分标准", "说明"]
# (序号, 考核项目 over two columns, 分值, 考核内容, 评分标准 as its printed lines)
SHICHENG_ROWS = [
    ("", "总分", "100", "", ""),
    ("一、", "通用考核项目（全部责任单位）", "40", "", ""),
    ("1", "组织领导", "8", "组织领导", "积极配合各乡镇开展“河长制”工作（8分）。"),
    ("2", "日常工作", "7", "调整领导小组，上报责任人\n及联系人员，加入河长制工作群",
     "1.成立河长制工作领导小组（1分）；落实分管领导及具体联络员，\n加入县河长制工作群（3分）\n"
     "2.单位领导班子部署河长制相关工作，年内至少3次，\n查看相关会议记录（3分，少一次扣1分）。"),
    ("3", "宣传工作", "10", "河长制工作宣传",
     "结合本部门工作职责，认真开展好河长制相关工作的宣传，有相关宣传资料\n（展板、公示牌、标语、宣传册）（10分 ）。"),
    ("4", "新经验好做法", "10", "各单位按时上报河长制工作进展情况，\n踊跃上报有地方特色的做法和经验及信息报送。",
     "1.按要求每月上报本单位河长制工作开展情况，得5分，\n每少一次扣0.5分，扣完为止，参加河长制相关会议\n"
     "（2分，少一次扣0.5分，扣完为止）\n2.河长制相关信息报道受省级媒体以上推广1篇，得3分；\n"
     "市级煤体推广2篇，得2分；县级媒体推广，得1分。"),
    ("5", "支持配合工作情况", "5", "协同配合工作", "配合县河长办调配抽调人员开展督查、执法等工作，得5分；\n出现不配合现象不得分。"),
]


def write_shicheng(path: Path) -> Path:
    """The caption as a paragraph, then the table; 考核项目 and each row's item merged over
    the two columns after 序号."""
    rows = [[code, item, "", points, content, rules] for code, item, points, content, rules in SHICHENG_ROWS]
    d, t = _titled_table(SHICHENG_TITLE, SHICHENG_HEADER, rows)
    for r in range(len(rows) + 1):
        text = t.cell(r, 1).text
        t.cell(r, 1).merge(t.cell(r, 2)).text = text
    d.save(str(path))
    return path


def _titled_table(title: str, header: list[str], rows: list[list[str]]):
    """A Word document: a title paragraph, then a grid of the header and rows."""
    import docx
    d = docx.Document()
    d.add_paragraph(title)
    t = d.add_table(rows=1 + len(rows), cols=len(header))
    t.style = "Table Grid"
    for r, cells in enumerate([header, *rows]):
        for c, v in enumerate(cells):
            t.cell(r, c).text = v
    return d, t


def write_suzhou(path: Path) -> Path:
    """Each section a heading paragraph and its own table; 考核内容 spans the two first columns."""
    import docx
    d = docx.Document()
    d.add_paragraph(SUZHOU_TITLE)
    for heading, rows in SUZHOU:
        d.add_paragraph(heading)
        t = d.add_table(rows=1 + len(rows), cols=4)
        t.style = "Table Grid"
        t.cell(0, 0).merge(t.cell(0, 1)).text = SUZHOU_HEADER[0]
        t.cell(0, 2).text, t.cell(0, 3).text = SUZHOU_HEADER[1], SUZHOU_HEADER[2]
        for r, (name, bullets) in enumerate(rows, start=1):
            t.cell(r, 0).text = name
            t.cell(r, 1).text = "\n".join(bullets)  # <br/> in the source: line breaks in one paragraph
    d.save(str(path))
    return path


def write_grid(path: Path, table: tuple) -> Path:
    """A title paragraph and one table; the columns in `merged` are merged down from each
    non-blank cell over the blank ones below it."""
    title, header, rows, merged = table
    d, t = _titled_table(title, header, rows)
    for col in merged:
        start = None
        for r in range(1, len(rows) + 2):
            if r == len(rows) + 1 or rows[r - 1][col]:
                if start is not None and r - 1 > start:
                    text = t.cell(start, col).text
                    t.cell(start, col).merge(t.cell(r - 1, col)).text = text
                start = r
    d.save(str(path))
    return path
