"""A table's header row: which column is the code, name, points, rule, evidence, units …, read
by the header's words (项目/序号/考核指标/分值/评分标准/佐证材料/责任单位), not by position.
"""
from __future__ import annotations

import re

from authoring.rule_words import normalise
from authoring.units import looks_like_units
from authoring.bullets import _has_rule
from authoring.cell_text import _POINTS_IN, _TAG, _looks_like_rules, _only_units

# header word -> role; earlier words win when a header could be read two ways
_ROLE_WORDS: list[tuple[str, tuple[str, ...]]] = [
    ("code", ("序号", "编号")),
    ("points", ("分值", "分数", "权重", "标准分", "满分")),
    ("responsible", ("责任单位", "牵头单位", "责任部门", "牵头部门", "责任主体")),
    ("evidence", ("佐证材料", "考核依据", "证明材料", "佐证", "印证材料", "核实来源")),
    ("due", ("考核方式", "报送时间", "完成时限", "时限", "截止时间", "报送要求")),
    ("note", ("备注", "落实路径", "说明")),
    ("rules", ("评分标准", "计分标准", "评分办法", "评分方法", "考核标准", "计分方法", "评分细则", "得分标准",
               "指标细分")),
    ("name", ("考核指标", "指标名称", "基础指标", "评分指标", "三级指标", "二级指标", "指标", "项目名称")),
    ("content", ("评估内容", "考核内容", "工作内容", "内容", "工作要求")),
    ("category", ("项目", "类别", "一级指标", "考核项目")),
]


def _header_roles(cells: tuple[str, ...]) -> dict[str, int] | None:
    """Column index per role, or None when the row is not a table header."""
    words = [re.sub(r"\s", "", c) for c in cells]
    roles: dict[str, int] = {}
    for role, keys in _ROLE_WORDS:
        for key in keys:
            for i, w in enumerate(words):
                if i not in roles.values() and w and len(w) <= 12 and key in w:
                    roles.setdefault(role, i)
    if len(roles) < 2 or not ({"rules", "name", "content", "category"} & set(roles)):
        return None
    # 考核内容 over two columns (the next header cell left blank by the merge) and no 评分标准:
    # the first is the indicator's name, the second its bullets
    col = roles.get("category")
    if "name" not in roles and col is not None and col + 1 < len(words) and not words[col + 1] \
            and col + 1 not in roles.values() and ("code" in roles or "rules" in roles):
        # 考核项目 over two columns beside 序号 and 考核内容: the items are named there (the
        # categories are the 一、 rows of the 序号 column)
        roles["name"] = roles.pop("category")
    col = roles.get("content")
    if "rules" not in roles and "name" not in roles and col is not None and col + 1 < len(words) \
            and not words[col + 1] and col + 1 not in roles.values():
        del roles["content"]
        roles["name"], roles["rules"] = col, col + 1
    # 评分标准 absent: a second descriptive column carries the bullets (考核内容 | 考核指标)
    if "rules" not in roles and "name" in roles and "content" in roles:
        if roles["name"] > roles["content"]:
            roles["rules"], roles["name"] = roles.pop("name"), roles.pop("content")
    if "name" not in roles and "content" in roles and "rules" in roles:
        roles["name"] = roles.pop("content")
    # 评分标准 and 评分细则 both: the second is numbered notes refining some bullets
    detail = next((i for i, w in enumerate(words) if "细则" in w and i not in roles.values()), None)
    if detail is not None and "rules" in roles:
        roles["detail"] = detail
    return roles


def _align(cells: tuple[str, ...], roles: dict[str, int], width: int) -> tuple[str, ...]:
    """Put a row whose cells OCR merged or dropped back under its header.

    '<p>30</p> <p>名称</p>' is two cells; '14 名称' in the 分值 column is points and name; a short
    row's rule text goes to the rules column, not to whatever column comes next."""
    last = next((r for r, i in roles.items() if i == width - 1), None)
    if width and len(cells) > width and last in ("responsible", "evidence", "note") and \
            not any(_looks_like_rules(c) for c in cells[width - 1:]):
        # cells past the header's last column are that column run over (OCR split it)
        cells = cells[:width - 1] + ("\n".join(c for c in cells[width - 1:] if c.strip()),)
    out: list[str] = []
    for i, c in enumerate(cells):
        pieces = [x for x in re.split(r"</p>\s*<p[^>]*>", c) if x.strip()] if len(cells) < width else [c]
        if len(pieces) > 1 and not _looks_like_rules(pieces[0]) and len(pieces) <= width - len(cells) + 1:
            out += pieces
        else:
            out.append(c)
    cells = tuple(_TAG.sub(" ", c).strip() for c in out)
    pi = roles.get("points")
    if pi is not None and pi < len(cells):
        m = re.match(r"^\s*(\d+(?:\.\d+)?)\s*分?\s+(\S.*)$", cells[pi])
        if m and len(cells) < width:
            cells = cells[:pi] + (m.group(1), m.group(2)) + cells[pi + 1:]
    ri = roles.get("rules")
    if len(cells) < width and ri is not None:
        for i, c in enumerate(cells):
            if i < ri and _looks_like_rules(c) and i not in (roles.get("category"), roles.get("code")):
                gap = ri - i
                cells = cells[:i] + ("",) * gap + cells[i:]
                break
    ni = roles.get("name")
    if ni is not None and ri == ni + 1 and ri < len(cells) and len(cells[ni]) > 20 and cells[ri] \
            and _has_rule(_POINTS_IN.sub("", normalise(cells[ni]))) \
            and not _has_rule(normalise(cells[ri])) and not looks_like_units(cells[ri]):
        # the 评分标准 sits under the name header and everything after it one column left
        # (OCR merged two header cells): its 佐证材料 is not the rule
        cells = cells[:ni] + ("",) + cells[ni:]
    ui = roles.get("responsible")
    if ui is not None and len(cells) <= ui and len(cells) < width and (
            looks_like_units(cells[-1]) or looks_like_units(_only_units(cells[-1]).split("\n")[0])):
        cells = cells[:-1] + ("",) * (ui - len(cells) + 1) + cells[-1:]  # a short row's units
    return cells


_ROLE_ZH = {"code": "序号", "name": "指标名称", "points": "分值", "rules": "评分标准", "category": "类别/项目",
            "content": "考核内容", "responsible": "责任单位", "evidence": "佐证材料", "due": "时限",
            "note": "备注"}


def missing_header(rows: list[tuple[str, ...]]) -> str:
    """Why no table was read, in words staff act on: the row that looked most like a header,
    the columns recognised in it, and the ones a scheme table needs that it lacks."""
    if not rows:
        return "文件里没有表格"
    def roles(cells: tuple[str, ...]) -> list[str]:
        words = [re.sub(r"\s", "", c) for c in cells]
        return [role for role, keys in _ROLE_WORDS
                if any(w and len(w) <= 12 and any(k in w for k in keys) for w in words)]
    best = max(rows[:40], key=lambda cells: len(roles(cells)))
    found = roles(best)
    head = "｜".join(c.strip() for c in best if c.strip())[:60]
    need = [r for r in ("name", "points", "rules") if r not in found and not (
        r == "name" and {"content", "category"} & set(found))]
    seen = "、".join(_ROLE_ZH[r] for r in found) or "无"
    lack = "、".join(_ROLE_ZH[r] for r in need) or "分值或评分标准"
    return f"找到 {len(rows)} 行表格，最像表头的一行是「{head}」（认出的列：{seen}；缺少：{lack}）"
