"""A scheme as an Excel workbook staff can edit in WPS or Excel, and back.

Sheet 细则 has one row per scoring bullet (rule part) with its indicator and category beside it;
数据项 lists each indicator's inputs; 方案 holds the scheme-wide fields. A rule is written twice:
in words (规则说明, for people) and as parameters (规则参数, exact). On import an empty 规则参数
means "read 规则说明 again": the rule reader turns the edited words into a rule. Import runs the
same checks as `scheme check`, so a workbook that imports is a scheme that loads.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from schemes.expr import bar_gap
from schemes.loader import SchemeError, load_text
from schemes.model import Indicator, Scheme
from authoring.reading import KIND_ZH
from authoring.rule_words import plain
from authoring.rule_reader import read_rule
from authoring.sheet_cell import put

__all__ = ["export_workbook", "import_workbook", "describe_part", "RULE_COLUMNS"]

SECTION_ZH = {"base": "基础分", "bonus": "附加分", "deduction": "扣分", "gate": "门槛", "tasks": "任务"}
FREQ_ZH = {"monthly": "每月", "quarterly": "每季度", "yearly": "每年", "once": "一次性"}
GATE_ZH = {"basic": "基础指标", "veto": "一票否决", "no_excellent": "一票否优"}
_ZH_KIND = {v: k for k, v in KIND_ZH.items()}

SCHEME_FIELDS = [("id", "方案编号"), ("title", "名称"), ("issuer", "发文单位"), ("doc_number", "文号"),
                 ("year", "年度"), ("audience", "考核对象"), ("source", "来源文件"),
                 ("base_total", "基础分总分"), ("bonus_cap", "附加分上限"), ("deduction_cap", "扣分上限"),
                 ("bands", "等级"), ("downgrade_events", "降档事项"), ("note", "说明")]
RULE_COLUMNS = ["类别编号", "类别名称", "类别分组", "类别分值", "类别说明",
                "指标编号", "指标名称", "指标分值", "别名", "考核内容", "佐证材料", "牵头单位", "责任单位",
                "报送频次", "截止日", "截止日期", "截止说明", "门槛", "门槛数据项", "适用条件", "指标说明",
                "分项编号", "分项名称", "规则类型", "规则说明", "规则参数", "分项分值", "关联分项",
                "原文", "分项说明"]
METRIC_COLUMNS = ["指标编号", "数据项", "名称", "类型", "单位", "自动计算", "报送周期", "汇总方式"]
# A metric's declared range (Metric.min/max): blank is the type's default, 不限 is no limit.
# Optional on import, so a workbook exported before ranges existed still reads.
RANGE_COLUMNS = ["最小值", "最大值"]
NO_LIMIT = "不限"
# Who enters a value (Metric.entered_by): blank is the unit, 信用办 the office (a finding such
# as 瞒报条数), with the value that holds until it does (默认值). Optional on import, like ranges.
OFFICE_COLUMNS = ["录入方", "默认值"]
OFFICE_ZH = {"unit": "", "office": "信用办"}
# Hidden on 细则: the rule's words and parameters as exported, to tell which one staff edited.
EXPORTED = ["导出时的规则说明", "导出时的规则参数"]
# After the hidden ones, and only when a city scheme scores an item per 责任单位: 平均/最低/合计.
PER_UNIT_COLUMN = "分别计分"
PER_UNIT_ZH = {"mean": "平均", "lowest": "最低", "sum": "合计"}
TYPE_ZH = {"number": "数值", "count": "计数", "percent": "百分比", "ratio": "比值", "money": "金额",
           "bool": "是否", "text": "文字"}
PERIOD_ZH = {"month": "每月", "quarter": "每季度", "year": "每年"}
ADDS_UP_ZH = {"sum": "累加", "latest": "取最新", "max": "取最大"}
_PART_COMMON = {"kind", "id", "label", "max_points", "requires", "note", "text"}


def _flow(v: Any) -> str:
    if v in (None, "", [], {}):
        return ""
    return yaml.safe_dump(plain(v), allow_unicode=True, default_flow_style=True, width=10_000).strip()


def _n(v: Decimal | None) -> str:
    return "" if v is None else str(plain(v))


def describe_part(part: Any, ind: Indicator | None = None) -> str:
    """A rule in words, the way the documents write it (and the rule reader reads it)."""
    labels = {m.name: m.label for m in (ind.metrics if ind else [])}
    k = part.kind
    cap = f"，最高{_n(part.max_points)}分" if part.max_points is not None else ""
    if k == "checklist":
        words = "；".join(f"{it.label or labels.get(it.metric, it.metric)}"
                         f"{'' if it.when else '为否'}的，得{_n(it.points)}分" for it in part.items)
        return words + ("（只取其一）" if part.one_of else "")
    if k == "per_item":
        what = labels.get(part.value, part.value)
        if part.base:
            return f"{what}达到{_n(part.base)}的，得{_n(part.points)}分，以此为基数每增加{_n(part.per)}得{_n(part.points)}分{cap}"
        per = "" if part.per == 1 else _n(part.per)
        return f"{what}每{per}个得{_n(part.points)}分{cap}"
    if k == "formula":
        return f"计分公式为：{part.expr}{cap}"
    if k in ("bands", "piecewise"):
        bits = []
        for p in part.pieces:
            cond = "、".join(f"{sym}{_n(getattr(p, op))}" for op, sym in
                            (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")) if getattr(p, op) is not None)
            if p.eq is not None:
                cond = f"为“{'是' if p.eq is True else '否' if p.eq is False else p.eq}”"
            then = p.then if isinstance(p.then, str) else f"{_n(p.then)}分"
            bits.append(f"{cond or '其他'}：{then}")
        return f"{labels.get(part.value, part.value)}：" + "；".join(bits)
    if k == "rank":
        if part.method == "places":
            return _places_words(part, labels.get(part.value, part.value))
        if part.method == "top_bottom":
            return f"前{part.top_n}名得{_n(part.top)}分，后{part.bottom_n}名得{_n(part.bottom)}分，其余按名次赋分"
        if part.method == "full_then_rank":
            return f"达到{_n(part.full_at)}得{_n(part.top)}分，其余按排名赋分"
        hi, lo = ("最多", "最少") if part.higher_is_better else ("最少", "最多")
        return f"{labels.get(part.value, part.value)}{hi}的得{_n(part.top)}分，{lo}的得{_n(part.bottom)}分，中间的依排序赋分"
    if k == "deduction":
        gap = _bar_words(part, ind)
        if gap:
            return gap
        metric = next((m for m in (ind.metrics if ind else []) if m.name == part.value), None)
        what = labels.get(part.value, part.value)
        # a step of a percent is written in 百分点, as documents do (0.01 → 1个百分点)
        step = (f"{_n(part.per * 100)}个百分点" if metric is not None and metric.type == "percent"
                else f"{_n(part.per)}{(metric.unit if metric is not None else '') or '个'}")
        if part.base:
            return f"起评{_n(part.base)}分，{what}每增加{step}减{_n(part.each)}分，减至0分为止"
        c = f"，最高扣{_n(part.cap)}分" if part.cap is not None else ""
        return f"{what}每发生{step}扣{_n(part.each)}分{c}"
    if k == "discretionary":
        return f"酌情计分{cap}"
    if k == "pass_fail":
        return f"{labels.get(part.metric, part.metric)}：达标/未达标"
    return "工作任务，按进展报告跟踪"


def _bar_words(part: Any, ind: Indicator | None) -> str:
    """A deduction per 百分点 below (above) a bar, as documents write it and the reader reads it
    back: 上报率达到95%的得10分，每低1个百分点扣1分，扣完为止."""
    gap = bar_gap(part.value)
    metric = next((m for m in (ind.metrics if ind else []) if m.name == gap[0]), None) if gap else None
    if gap is None or not metric or metric.type != "percent" or gap[1] == 0:
        return ""
    _, bar, down = gap
    step = f"每{'低' if down else '超过'}{_n(part.per * 100)}个百分点扣{_n(part.each)}分"
    if part.base:
        return (f"{metric.label}{'达到' if down else '不超过'}{_n(bar * 100)}%的得{_n(part.base)}分，"
                f"{step}，扣完为止")
    c = f"，最多扣{_n(part.cap)}分" if part.cap is not None else ""
    return f"{metric.label}以{_n(bar * 100)}%为标准，{step}{c}"


def _places_words(part: Any, label: str) -> str:
    """按名次赋分 in words the rule reader reads back to the same places, pool and ties."""
    bits = []
    for pl in part.places:
        end = f"至{pl.last}" if pl.last is not None and pl.last != pl.first else ""
        bits.append(f"{'倒数' if pl.from_bottom else ''}第{pl.first}{end}名得{_n(pl.points)}分")
    if part.rest:
        bits.append(f"其余名次得{_n(part.rest)}分")
    pool = "未报送单位并列最后参加排名" if part.pool == "all" else "未报送单位不参加排名"
    ties = "并列的平分所占名次的分数" if part.ties == "average" else "并列的取较好名次"
    order = "" if part.higher_is_better else "（数值越小名次越前）"
    return f"按{label}排名{order}，{'，'.join(bits)}；{pool}，{ties}"


# ---- export ----------------------------------------------------------------------------------

def _indicator_cells(ind: Indicator) -> list[Any]:
    due = ind.due
    return [ind.code, ind.name, _n(ind.max_points), "；".join(ind.aliases), ind.content,
            ind.evidence, "；".join(ind.lead), "；".join(ind.responsible),
            FREQ_ZH.get(due.frequency, "") if due else "", due.day if due and due.day else "",
            due.date.isoformat() if due and due.date else "", due.text if due else "",
            GATE_ZH[ind.gate.kind] if ind.gate else "", ind.gate.metric if ind.gate else "",
            _flow(ind.applies.model_dump(exclude_defaults=True)) if ind.applies else "", ind.note]


def export_workbook(scheme: Scheme, path: str | Path) -> Path:
    """Write `scheme` as 方案 / 细则 / 数据项 sheets."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "细则"
    split = any(ind.per_unit for _, ind in scheme.indicators())
    bold = Font(bold=True)
    for c, h in enumerate(RULE_COLUMNS + EXPORTED + ([PER_UNIT_COLUMN] if split else []), start=1):
        put(ws, 1, c, h).font = bold
    row = 2
    for cat in scheme.categories:
        for ind in cat.indicators:
            for n, part in enumerate(ind.parts):
                cat_cells = [cat.code, cat.name, SECTION_ZH[cat.section], _n(cat.max_points), cat.note]
                ind_cells = _indicator_cells(ind) if n == 0 else [ind.code] + [""] * 15
                params = {k: v for k, v in part.model_dump(exclude_defaults=True).items()
                          if k not in _PART_COMMON}
                if part.kind in ("discretionary", "task") and "metric" not in params:
                    params = {"metric": part.metric}
                words, flow = describe_part(part, ind), _flow(params)
                part_cells = [part.id or "", part.label, KIND_ZH[part.kind], words, flow,
                              _n(part.max_points), "；".join(part.requires), part.text, part.note,
                              words, flow]
                if split:
                    part_cells.append(PER_UNIT_ZH[ind.per_unit] if ind.per_unit and n == 0 else "")
                for c, v in enumerate(cat_cells + ind_cells + part_cells, start=1):
                    put(ws, row, c, v)
                row += 1
    from openpyxl.utils import get_column_letter
    for c in range(len(RULE_COLUMNS) + 1, len(RULE_COLUMNS) + len(EXPORTED) + 1):
        ws.column_dimensions[get_column_letter(c)].hidden = True
    ws.freeze_panes = "A2"
    for col, width in zip("ABCDEFGHIJ", (8, 24, 8, 8, 20, 10, 30, 8, 16, 40)):
        ws.column_dimensions[col].width = width
    wrapped = Alignment(wrap_text=True, vertical="top")  # one style for every cell
    for r in ws.iter_rows(min_row=2):
        for cell in r:
            cell.alignment = wrapped

    ms = wb.create_sheet("数据项")
    for c, h in enumerate(METRIC_COLUMNS + RANGE_COLUMNS + OFFICE_COLUMNS, start=1):
        put(ms, 1, c, h)
    row = 2
    for _, ind in scheme.indicators():
        for m in ind.metrics:
            derived = "" if m.derived is False else ("是" if m.derived is True else m.derived)
            row_cells = [ind.code, m.name, m.label, TYPE_ZH[m.type], m.unit, derived,
                         PERIOD_ZH.get(m.period or "", ""), ADDS_UP_ZH.get(m.adds_up or "", "")]
            row_cells += [(NO_LIMIT if getattr(m, k) is None else _n(getattr(m, k)))
                          if k in m.model_fields_set else "" for k in ("min", "max")]
            row_cells += [OFFICE_ZH[m.entered_by], _default_cell(m.default)]
            for c, v in enumerate(row_cells, start=1):
                put(ms, row, c, v)
            row += 1

    ss = wb.create_sheet("方案")
    put(ss, 1, 1, "字段")
    put(ss, 1, 2, "值")
    data = scheme.model_dump()
    for r, (key, zh) in enumerate(SCHEME_FIELDS, start=2):
        value = data.get(key)
        put(ss, r, 1, zh)
        put(ss, r, 2, _flow(value) if isinstance(value, (list, dict)) else
             ("" if value is None else str(plain(value))))
    path = Path(path)
    wb.save(path)
    return path


# ---- import ----------------------------------------------------------------------------------

def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _default_cell(v: Any) -> Any:
    """A default as staff read it: 是/否 for a yes/no value, else the number."""
    if v is None:
        return ""
    return ("是" if v else "否") if isinstance(v, bool) else _n(v)


def _number(v: str) -> Any:
    if v == "":
        return None
    try:
        d = Decimal(v)
    except ArithmeticError:
        return v  # the checks report it with its path
    return int(d) if d == d.to_integral_value() else float(d)


def _list(v: str) -> list[str]:
    import re
    # units such as 各县（区）人民政府、管委会 contain 、 themselves: only ；/newline separate
    return [x for x in (s.strip() for s in re.split(r"[；;\n]", v)) if x]


def _choice(value: str, zh: dict[str, str], where: str, column: str) -> str:
    """A cell that takes one of a few words: the Chinese word (as exported) or the file's own."""
    key = {v: k for k, v in zh.items()}.get(value, value)
    if key not in zh:
        raise SchemeError([f"{where} {column}: 应为 {'、'.join(zh.values())} 之一，收到「{value}」"])
    return key


# The checks speak of the YAML file; in a workbook the same thing has another name.
_IN_WORKBOOK = [("（请在 metrics 中声明）", "（请在工作表「数据项」中为本指标加一行）"),
                ("计分指标必须给出分值 max_points", "计分指标必须给出分值（指标分值）"),
                ("（按月报送请写 period: month）", "（按月报送请在「报送周期」写 每月）"),
                ("（只能 latest）", "（只能 取最新）"), ("请用 latest 或 max", "请用 取最新 或 取最大"),
                ("未知的规则类型 kind", "未知的规则类型"), ("必须给出 day", "必须给出截止日"),
                ("必须给出 date", "必须给出截止日期"), ("（monthly）", ""), ("（once）", ""),
                ("：default（如未发现瞒报写 default: 0）", "：在「默认值」列填写（如未发现瞒报填 0）"),
                ("（entered_by: office）", "（录入方为信用办）")] + [
    (f"{key} 类型的", f"「{zh}」类型的") for key, zh in TYPE_ZH.items()]


def _in_workbook(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        for yaml_words, words in _IN_WORKBOOK:
            line = line.replace(yaml_words, words)
        out.append(line)
    return out


def _rows(ws, columns: list[str], where: str, optional: Sequence[str] = ()) -> list[dict[str, str]]:
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        raise SchemeError([f"{where}: 工作表为空"])
    header = [_text(h) for h in rows[0]]
    missing = [c for c in columns if c not in header]
    if missing:
        raise SchemeError([f"{where}:1 缺少列：{'、'.join(missing)}（请勿删除或改名表头）"])
    columns = columns + [c for c in optional if c in header]
    index = {h: i for i, h in enumerate(header)}
    out = []
    for n, r in enumerate(rows[1:], start=2):
        if not any(x not in (None, "") for x in r):
            continue
        d = {c: _text(r[index[c]]) if index[c] < len(r) else "" for c in columns}
        d["_row"] = str(n)
        out.append(d)
    return out


def _load_flow(text: str, where: str) -> Any:
    try:
        return yaml.safe_load(text) if text else None
    except yaml.YAMLError as exc:
        raise SchemeError([f"{where}: 无法读取（{getattr(exc, 'problem', exc)}）"]) from None


def _part_from_row(r: dict[str, str], where: str, metrics: list[dict]) -> dict[str, Any]:
    kind = _ZH_KIND.get(r["规则类型"], r["规则类型"])
    if r["规则类型"] and kind not in KIND_ZH:
        raise SchemeError([f"{where} 规则类型: 未知的规则类型「{r['规则类型']}」，应为 "
                           f"{'、'.join(KIND_ZH.values())} 之一（或留空，按规则说明重读）"])
    part: dict[str, Any] = {}
    if r["分项编号"]:
        part["id"] = r["分项编号"]
    if r["分项名称"]:
        part["label"] = r["分项名称"]
    params = _load_flow(r["规则参数"], f"{where} 规则参数")
    if params is None and kind not in ("discretionary", "task"):
        # the parameters were cleared: read the rule from its words again
        reading = read_rule(r["规则说明"] or r["原文"])
        if reading.kind is None:
            raise SchemeError([f"{where} 规则说明: 读不出规则：{reading.reason}"])
        kind, params = reading.kind, dict(reading.params)
        known = {m["name"] for m in metrics}
        metrics += [dict(m) for m in reading.metrics if m["name"] not in known]
        if r["分项分值"] == "" and reading.points is not None:
            r["分项分值"] = str(plain(reading.points))
    if params is not None and not isinstance(params, dict):
        raise SchemeError([f"{where} 规则参数: 应为 {{键: 值}} 形式"])
    part["kind"] = kind
    part.update(params or {})
    if r["分项分值"] != "":
        part["max_points"] = _number(r["分项分值"])
    if r["关联分项"]:
        part["requires"] = _list(r["关联分项"])
    if r["原文"]:
        part["text"] = r["原文"]
    if r["分项说明"]:
        part["note"] = r["分项说明"]
    return part


def _indicator_from_row(r: dict[str, str], where: str) -> dict[str, Any]:
    ind: dict[str, Any] = {"code": r["指标编号"], "name": r["指标名称"]}
    if r["指标分值"] != "":
        ind["max_points"] = _number(r["指标分值"])
    for key, col in (("aliases", "别名"), ("lead", "牵头单位"), ("responsible", "责任单位")):
        if r[col]:
            ind[key] = _list(r[col])
    for key, col in (("content", "考核内容"), ("evidence", "佐证材料"), ("note", "指标说明")):
        if r[col]:
            ind[key] = r[col]
    if r["报送频次"]:
        freq = _choice(r["报送频次"], FREQ_ZH, where, "报送频次")
        due: dict[str, Any] = {"frequency": freq}
        if r["截止日"]:
            due["day"] = _number(r["截止日"])
        if r["截止日期"]:
            due["date"] = r["截止日期"][:10]
        if r["截止说明"]:
            due["text"] = r["截止说明"]
        ind["due"] = due
    if r["门槛"]:
        ind["gate"] = {"kind": _choice(r["门槛"], GATE_ZH, where, "门槛"),
                       "metric": r["门槛数据项"]}
    if r["适用条件"]:
        ind["applies"] = _load_flow(r["适用条件"], f"{where} 适用条件")
    ind["metrics"] = []
    ind["parts"] = []
    return ind


_CAT_COLS = {"code": "类别编号", "name": "类别名称", "section": "类别分组", "max_points": "类别分值",
             "note": "类别说明"}
_IND_COLS = {"code": "指标编号", "name": "指标名称", "max_points": "指标分值", "aliases": "别名",
             "content": "考核内容", "evidence": "佐证材料", "lead": "牵头单位", "responsible": "责任单位",
             "due": "报送频次", "gate": "门槛", "applies": "适用条件", "note": "指标说明"}
_PART_COLS = {"id": "分项编号", "label": "分项名称", "kind": "规则类型", "max_points": "分项分值",
              "requires": "关联分项", "text": "原文", "note": "分项说明"}
_METRIC_COLS = {"name": "数据项", "label": "名称", "type": "类型", "unit": "单位", "derived": "自动计算",
                "period": "报送周期", "adds_up": "汇总方式", "min": "最小值", "max": "最大值",
                "entered_by": "录入方", "default": "默认值"}


@dataclass
class _Rows:
    """Where each piece of the imported scheme came from, so a check names the sheet, row and
    column staff edit, not a line of YAML they never see."""

    path: Path
    scheme: dict[str, int] = field(default_factory=dict)   # field -> 方案 row
    cats: list[int] = field(default_factory=list)           # category -> its first 细则 row
    inds: dict[tuple[int, int], int] = field(default_factory=dict)
    parts: dict[tuple[int, int, int], int] = field(default_factory=dict)
    metrics: dict[tuple[int, int, int], tuple[str, int]] = field(default_factory=dict)
    stale: list[str] = field(default_factory=list)  # rows whose words changed but not their rule

    def locate(self, p: tuple) -> str:
        rules = f"{self.path}[细则]"
        if not p or p[0] != "categories" or len(p) < 2:
            key = p[0] if p else "id"
            zh = dict(SCHEME_FIELDS).get(key, key)
            return f"{self.path}[方案]:{self.scheme.get(key, 1)} {zh}"
        c = p[1]
        if len(p) < 4 or p[2] != "indicators":
            return f"{rules}:{self.cats[c]} {_CAT_COLS.get(p[2] if len(p) > 2 else 'code', '类别编号')}"
        i = (c, p[3])
        rest = p[4:]
        if rest[:1] == ("parts",) and len(rest) > 1:
            col = _PART_COLS.get(rest[2] if len(rest) > 2 else "kind", "规则参数")
            return f"{rules}:{self.parts[i + (rest[1],)]} {col}"
        if rest[:1] == ("metrics",) and len(rest) > 1:
            sheet, row = self.metrics.get(i + (rest[1],), ("细则", self.inds[i]))
            col = _METRIC_COLS.get(rest[2], "数据项") if len(rest) > 2 else "数据项"
            return f"{self.path}[{sheet}]:{row} {col if sheet == '数据项' else '规则说明'}"
        return f"{rules}:{self.inds[i]} {_IND_COLS.get(rest[0] if rest else 'code', '指标编号')}"


def _torn(seen: dict[str, str], code: str, what: str, row: str, where: str) -> None:
    """Refuse a category or indicator whose rows come back after another's (a sort in Excel)."""
    if code in seen:
        raise SchemeError([f"{where}:{row} {what}编号: {what}「{code}」的行不相连（第{seen[code]}行起，"
                           f"中间隔着别的{what}）。工作表的行序就是方案的顺序：请撤销排序，"
                           f"或按原顺序把同一类别、同一指标的行放在一起后再导入"])
    seen[code] = row


def _words_edited_alone(r: dict[str, str]) -> bool:
    """规则说明 edited while 规则参数 is still as exported: the parameters would win on import
    and the edit be lost without a word. The hidden columns hold both as exported."""
    words, params = r.get(EXPORTED[0]), r.get(EXPORTED[1])
    if words is None or params is None or not r["规则参数"]:
        return False  # a workbook from before these columns, or the words are to be read again
    return r["规则说明"] != words and r["规则参数"] == params


def _grouped(rows: list[dict[str, str]], where: str) -> list[tuple[str, list[tuple[str, list[dict]]]]]:
    """细则 rows as categories of indicators of part rows, in the sheet's order. A blank 类别编号
    or 指标编号 is the row above's (as a merged cell reads). Rows of one category or indicator
    must stay together: after a sort in Excel the order is the scheme's order no more."""
    cats: list[tuple[str, list[tuple[str, list[dict]]]]] = []
    seen_cat: dict[str, str] = {}
    seen_ind: dict[str, str] = {}
    for r in rows:
        if not r["类别编号"]:
            if not cats:
                raise SchemeError([f"{where}:{r['_row']} 类别编号: 第一行的类别编号为空"])
            r["类别编号"] = cats[-1][0]
        if not r["指标编号"]:
            if not cats or cats[-1][0] != r["类别编号"] or not cats[-1][1]:
                raise SchemeError([f"{where}:{r['_row']} 指标编号: 为空（新指标请填写指标编号）"])
            r["指标编号"] = cats[-1][1][-1][0]
        cat, ind = r["类别编号"], r["指标编号"]
        if not cats or cats[-1][0] != cat:
            _torn(seen_cat, cat, "类别", r["_row"], where)
            cats.append((cat, []))
        inds = cats[-1][1]
        if not inds or inds[-1][0] != ind:
            _torn(seen_ind, ind, "指标", r["_row"], where)
            inds.append((ind, []))
        inds[-1][1].append(r)
    return cats


def import_workbook(path: str | Path) -> tuple[Scheme, str]:
    """Read a workbook written by `export_workbook` (and edited by staff) back into a scheme.

    Returns the checked scheme and its YAML text; raises SchemeError naming sheet and row."""
    from openpyxl import load_workbook

    path = Path(path)
    if not path.exists():
        raise SchemeError([f"{path}:1 找不到文件"])
    try:
        wb = load_workbook(str(path), data_only=True)
    except Exception:  # openpyxl raises several kinds for a damaged file
        raise SchemeError([f"{path}:1 无法读取 Excel 文件：文件已损坏、加了密码，或不是 .xlsx 格式"
                           f"（请在 WPS 或 Excel 中打开，另存为 .xlsx 后再试）"]) from None
    for sheet in ("细则", "数据项", "方案"):
        if sheet not in wb.sheetnames:
            raise SchemeError([f"{path}:1 缺少工作表「{sheet}」：import 只读 creditbot scheme export 导出"
                               f"（并修改过）的方案表；从考核文件起草请用 creditbot scheme draft"])
    at = _Rows(path)
    data: dict[str, Any] = {}
    zh_key = {zh: key for key, zh in SCHEME_FIELDS}
    for r in _rows(wb["方案"], ["字段", "值"], f"{path}[方案]"):
        key = zh_key.get(r["字段"], r["字段"])
        at.scheme[key] = int(r["_row"])
        v = r["值"]
        if key in ("bands", "downgrade_events"):
            data[key] = _load_flow(v, f"{path}[方案]:{r['_row']} {r['字段']}") or []
        elif key in ("base_total", "bonus_cap", "deduction_cap", "year"):
            data[key] = _number(v)
        elif v or key in ("id", "title", "issuer"):
            data[key] = v
    metrics: dict[str, list[dict]] = {}
    metric_rows: dict[str, list[int]] = {}
    for r in _rows(wb["数据项"], METRIC_COLUMNS, f"{path}[数据项]",
                   optional=RANGE_COLUMNS + OFFICE_COLUMNS):
        at_row = f"{path}[数据项]:{r['_row']}"
        m: dict[str, Any] = {"name": r["数据项"], "label": r["名称"],
                             "type": _choice(r["类型"] or "数值", TYPE_ZH, at_row, "类型")}
        if r["单位"]:
            m["unit"] = r["单位"]
        if r["自动计算"]:
            m["derived"] = True if r["自动计算"] == "是" else r["自动计算"]
        if r["报送周期"]:
            m["period"] = _choice(r["报送周期"], PERIOD_ZH, at_row, "报送周期")
        if r["汇总方式"]:
            m["adds_up"] = _choice(r["汇总方式"], ADDS_UP_ZH, at_row, "汇总方式")
        for key, col in zip(("min", "max"), RANGE_COLUMNS):
            if r.get(col):
                m[key] = None if r[col] == NO_LIMIT else _number(r[col])
        if r.get("录入方"):
            m["entered_by"] = _choice(r["录入方"], {"office": "信用办"}, at_row, "录入方")
        if r.get("默认值"):
            m["default"] = {"是": True, "否": False}.get(r["默认值"], None)
            if m["default"] is None:
                m["default"] = _number(r["默认值"])
        metrics.setdefault(r["指标编号"], []).append(m)
        metric_rows.setdefault(r["指标编号"], []).append(int(r["_row"]))
    where = f"{path}[细则]"
    cats: list[dict[str, Any]] = []
    rows = _rows(wb["细则"], RULE_COLUMNS, where, optional=EXPORTED + [PER_UNIT_COLUMN])
    for c, (_, ind_rows) in enumerate(_grouped(rows, where)):
        first = ind_rows[0][1][0]
        # category cells: from the first row that fills them (a row typed in may leave them blank)
        head = next((r for _, rs in ind_rows for r in rs if r["类别名称"]), first)
        cat: dict[str, Any] = {"code": first["类别编号"], "name": head["类别名称"],
                               "section": _choice(head["类别分组"] or "基础分", SECTION_ZH,
                                                  f"{where}:{head['_row']}", "类别分组"),
                               "indicators": []}
        if head["类别分值"] != "":
            cat["max_points"] = _number(head["类别分值"])
        if head["类别说明"]:
            cat["note"] = head["类别说明"]
        at.cats.append(int(head["_row"]))
        for i, (code, part_rows) in enumerate(ind_rows):
            named = next((r for r in part_rows if r["指标名称"]), part_rows[0])
            ind = _indicator_from_row(named, f"{where}:{named['_row']}")
            split = next((r[PER_UNIT_COLUMN] for r in part_rows if r.get(PER_UNIT_COLUMN)), "")
            if split:
                ind["per_unit"] = _choice(split, PER_UNIT_ZH, f"{where}:{named['_row']}", PER_UNIT_COLUMN)
            at.inds[(c, i)] = int(named["_row"])
            ind["metrics"] = [dict(m) for m in metrics.get(code, [])]
            for n, row in enumerate(metric_rows.get(code, [])):
                at.metrics[(c, i, n)] = ("数据项", row)
            for k, r in enumerate(part_rows):
                ind["parts"].append(_part_from_row(r, f"{where}:{r['_row']}", ind["metrics"]))
                at.parts[(c, i, k)] = int(r["_row"])
                if _words_edited_alone(r):
                    at.stale.append(f"{where}:{r['_row']} 规则说明: 文字改了，规则参数没改（仍是 "
                                    f"{r['规则参数']}），导入会按规则参数计分。要按新文字计分请清空"
                                    f"规则参数（导入时重读文字），否则请把规则说明改回")
            cat["indicators"].append(ind)
        cats.append(cat)
    data["categories"] = cats
    text = yaml.safe_dump(plain(data), allow_unicode=True, sort_keys=False, width=100)
    try:
        scheme = load_text(text, f"{path}", locate=at.locate)
    except SchemeError as exc:
        raise SchemeError(_in_workbook(exc.lines)) from None
    if at.stale:
        raise SchemeError(at.stale)
    return scheme, text
