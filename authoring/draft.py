"""This year's document -> a scheme draft staff finish by hand.

The draft is an ordinary scheme file in which every guess the reader could not make is a
`待确认: reason` line (which `scheme check` refuses until staff resolve and delete it). Each
rule part keeps its bullet's original text in `text:` beside what it was read as.

Tables are read by their header words (项目/序号/考核指标/分值/评分标准/佐证材料/责任单位 …), not
by column position, so a city's own layout works as long as its headers say what a column is.
"""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from worktime.clock import shanghai_now

from authoring.document import Block, read_blocks
from authoring.indicators import NO_RULES
from schemes.loader import UNRESOLVED, SchemeError, load_text
from authoring.rule_words import normalise, plain
from authoring.units import settle_names
from authoring.cell_text import _TAG, _is_title
from authoring.indicators import _codes, _indicator, _lone_points, _refine, _remainder_points, _split_cat
from authoring.per_unit import mark_per_unit
from authoring.outline import Draft, _Cat
from authoring.tables import _fill_back, _read_tables, _tasks

__all__ = ["draft_document", "draft_blocks", "draft_yaml", "draft_problems"]


def _meta(blocks: list[Block]) -> dict[str, Any]:
    paras = [b.text for b in blocks if not b.is_row][:40]
    text = "\n".join(paras)
    doc = re.search(r"[\u4e00-\u9fff]{1,8}[〔\[［(（](\d{4})[〕\]］)）]\s*\d+\s*号", text)
    year = int(doc.group(1)) if doc else None
    issuer = next((re.sub(r"\s+", "", p).removesuffix("文件") for p in paras
                   if re.sub(r"\s+", "", p).endswith("文件") and len(p) < 40), "")
    if not issuer:
        issuer = next((p for p in paras if re.search(r"(领导小组|办公室|委员会|人民政府)$", p.strip())
                       and len(p) < 40), "")
    return {"doc_number": re.sub(r"\s+", "", doc.group(0)) if doc else "", "year": year,
            "issuer": issuer.strip("# ")}


def _sections(blocks: list[Block]) -> list[tuple[str, list[Block]]]:
    """Split at standalone 附件N lines that lead to a table: each is its own scheme."""
    marks = [i for i, b in enumerate(blocks)
             if not b.is_row and re.fullmatch(r"#*\s*附件\s*\d+\s*", b.text)]
    marks = [i for i in marks if any(b.is_row for b in blocks[i:i + 8])] or [0]
    out = []
    for a, b in zip(marks, marks[1:] + [len(blocks)]):
        part = blocks[a:b]
        title = next((re.sub(r"[#*]", "", x.text).strip() for x in part if not x.is_row and _is_title(x.text)), "")
        if any(x.is_row for x in part):
            out.append((title, part))
    return out


def _audience(title: str) -> str:
    if re.search(r"工作要点|任务|台账.*分工", title) and "评分" not in title:
        return "tasks"
    if re.search(r"县|区）|区\)", title):
        return "counties"
    if re.search(r"市直|成员单位|部门", title):
        return "departments"
    return "city"


def _scheme(meta: dict, title: str, cats: list[_Cat], source: str, n: int, blocks: list[Block],
            document: list[Block]) -> dict:
    found_year = meta["year"] or next((int(m.group(1)) for m in (
        re.search(r"(20\d\d)\s*年", title), re.search(r"(20\d\d)", source)) if m), None)
    # no year printed anywhere: this year, asked rather than invented
    year = found_year or shanghai_now().year
    tasks = bool(cats) and all(c.section == "tasks" for c in cats)
    # the file name's ASCII words, without the year the id already has ('2025考核细则' -> '')
    slug = re.sub(r"[^a-z0-9]+", "-", Path(source).stem.lower().replace(str(year), " ")).strip("-")
    data: dict[str, Any] = {
        "id": f"draft-{year}" + (f"-{slug}" if slug else "") + (f"-{n}" if n else ""),
        "title": title or "考核指标（草稿）",
        "issuer": meta["issuer"] or "待填写",
        "doc_number": meta["doc_number"],
        "year": year,
        **({} if found_year else {UNRESOLVED: f"文件中没有写考核年度，暂填今年（{year}）：请核对 year"}),
        "audience": "tasks" if tasks else _audience(title),
        "source": Path(source).name,
    }
    # the 基础指标 gates are a table of their own: their 1…12 do not run on into the scored table
    numbered = [i for c in cats if c.section != "gate" for i in c.inds if re.fullmatch(r"\d+", i.code)]
    last = 0
    for c in cats:
        if c.split:
            _split_cat(c)
    for above, c in zip(cats, cats[1:]):
        if c.spilled:
            _fill_back(above, c)
    for c in cats:
        _remainder_points(c)
    # nearly every category holds several unnumbered indicators: a lone one is numbered like
    # them (一.1); with a few lone ones among them they keep the category's code
    many = [c for c in cats if c.section in ("base", "bonus") and len(c.inds) > 1]
    dotted = len(many) >= 0.75 * len(cats) and all(not i.code for c in many for i in c.inds)
    for c in cats:
        _lone_points(c)
        for ind in c.inds:
            # a table numbered 1, 2, 3 … through its categories: an unnumbered row in the run
            # (a category row that is itself an indicator) takes the next number
            if c.section == "gate":
                continue
            if re.fullmatch(r"\d+", ind.code):
                last = int(ind.code)
            elif len(numbered) >= 3 and not ind.code and c.section in ("base", "bonus") \
                    and len(c.inds) == 1:
                last += 1
                ind.code = str(last)
        _codes(c, dotted)
    base = [c for c in cats if c.section == "base"]
    full = re.search(r"满分\s*(\d+)\s*分", " ".join(b.text for b in blocks if not b.is_row))
    if not tasks:
        data["base_total"] = (Decimal(full.group(1)) if full else
                              sum((c.points if c.points is not None else
                                   sum((i.points or Decimal(0) for i in c.inds), Decimal(0))
                                   for c in base), Decimal(0)))
        bonus = [c for c in cats if c.section == "bonus"]
        if bonus:
            data["bonus_cap"] = bonus[0].points
        ded = [c for c in cats if c.section == "deduction"]
        if ded:
            data["deduction_cap"] = ded[0].points
    data["bands"] = _bands(document)  # grade bands are set out in the notice, before the annexes
    _refine(cats)
    categories = []
    for c in cats:
        inds = [_indicator(i, year, tasks) for i in c.inds]
        cd: dict[str, Any] = {"code": c.code, "name": c.name, "section": c.section}
        if c.points is not None and c.section in ("base", "bonus", "deduction"):
            cd["max_points"] = c.points
        cd["indicators"] = inds
        categories.append(cd)
    _settle_units([i for c in categories for i in c["indicators"]],
                  " ".join(x for b in blocks for x in (b.cells if b.is_row else (b.text,))))
    if data["audience"] == "city":
        for cd in categories:
            for ind in cd["indicators"]:
                mark_per_unit(ind)
    if not tasks and not full:
        # points read from the rules (no 分值 column) are known only now
        data["base_total"] = sum((Decimal(str(c.get("max_points", sum(
            (Decimal(str(i.get("max_points") or 0)) for i in c["indicators"]), Decimal(0)))))
            for c in categories if c["section"] == "base"), Decimal(0))
    _points_only(categories, data)
    data["categories"] = categories
    return plain(data)


def _points_only(categories: list[dict[str, Any]], data: dict[str, Any]) -> None:
    """A table with points and no scoring words (监测指标, 任务分解): each indicator is scored by
    staff within its points, and the table asks once, not once per row."""
    parts = [p for c in categories for i in c["indicators"] for p in i.get("parts", [])]
    if len(parts) < 2 or not all(p.get("text") == "" and p.get(UNRESOLVED) == NO_RULES for p in parts):
        return
    for p in parts:
        del p[UNRESOLVED]
    for c in categories:
        for i in c["indicators"]:
            for m in i.get("metrics", []):
                if m.get("name") == "points":
                    m["label"] = "信用办评定分数"
    ask = (f"本表只有分值，没有评分标准：{len(parts)} 个指标都读作信用办在分值内评定"
           "（酌情计分）；如另有评分办法，请逐项写入")
    data[UNRESOLVED] = f"{data[UNRESOLVED]}；{ask}" if UNRESOLVED in data else ask


def _settle_units(inds: list[dict[str, Any]], text: str) -> None:
    """One name per unit across the scheme: 工商局 in one row is the 市工商局 of the others."""
    names = [u for i in inds for key in ("lead", "responsible") for u in i.get(key, [])]
    full = settle_names(names, _TAG.sub(" ", text))
    for i in inds:
        for key in ("lead", "responsible"):
            if key in i:
                i[key] = list(dict.fromkeys(full.get(u, u) for u in i[key]))
        if "lead" in i and "responsible" in i:
            i["responsible"] = [u for u in i["responsible"] if u not in i["lead"]]


def _bands(blocks: list[Block]) -> list[dict[str, Any]]:
    text = normalise(" ".join(b.text for b in blocks if not b.is_row))
    out = []
    for name in ("优秀", "良好", "较好", "合格", "一般", "较差", "不合格"):
        m = (re.search(rf"(\d+)分(?:及以上|以上)(?:的)?(?:为|评为|定为){name}", text)
             or re.search(rf"(?<![\d.])(\d+)分?(?:至|到|-|—|～|~)\d+(?:\.\d+)?分(?:的)?(?:为|评为|定为){name}", text)
             or re.search(rf"{name}[:：(（]?(?:\d+分?-)?[≥]?(\d+)分(?:及以上|以上)", text))
        if m:
            out.append({"name": name, "min": int(m.group(1))})
        elif out and re.search(rf"(?:低于|不足|以下)[^。;；]{{0,6}}?(?:为|评为){name}", text):
            out.append({"name": name, "min": 0})
    return sorted(out, key=lambda b: -b["min"])


def draft_blocks(blocks: list[Block], source: str = "document") -> list[Draft]:
    """Every scheme the document holds (one per 附件 with a table), as drafts."""
    meta = _meta(blocks)
    sections = _sections(blocks)
    found = []
    for title, part in sections:
        cats = _read_tables(part)
        if cats:
            found.append((title, cats, part))
    if not found:
        cats = _tasks(blocks)
        title = next((re.sub(r"[#*]", "", b.text).strip() for b in blocks
                      if not b.is_row and _is_title(b.text)), "")
        if cats:
            found.append((title, cats, blocks))
    drafts = []
    for n, (title, cats, part) in enumerate(found, start=1):
        data = _scheme(meta, title, cats, source, n if len(found) > 1 else 0, part, blocks)
        problems = draft_problems(data)
        drafts.append(Draft(data, problems, _count_unresolved(data), source))
    return drafts


def draft_document(path: str | Path) -> list[Draft]:
    return draft_blocks(read_blocks(path), str(path))


def _count_unresolved(data: Any) -> int:
    if isinstance(data, dict):
        return (UNRESOLVED in data) + sum(_count_unresolved(v) for v in data.values())
    if isinstance(data, list):
        return sum(_count_unresolved(v) for v in data)
    return 0


def _without_unresolved(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_unresolved(v) for k, v in data.items() if k != UNRESOLVED}
    if isinstance(data, list):
        return [_without_unresolved(v) for v in data]
    return data


def draft_problems(data: dict[str, Any]) -> list[str]:
    """What `scheme check` would say once the 待确认 lines are gone (totals that do not add up …)."""
    try:
        load_text(yaml.safe_dump(_without_unresolved(data), allow_unicode=True, sort_keys=False))
    except SchemeError as exc:
        return [re.sub(r"^<scheme>:\d+ ", "", line) for line in exc.lines]
    return []


def draft_yaml(draft: Draft) -> str:
    head = [f"# 由 creditbot scheme draft 从 {Path(draft.source).name} 生成的方案草稿。",
            f"# 共 {draft.unresolved} 处「{UNRESOLVED}」：逐条核对 text（原文）与读出的规则，改好后删除该行；",
            "# 全部处理后运行 creditbot scheme check 本文件，通过后再用于考核。",
            "# id 是草稿编号，可改为本办的方案编号（小写字母、数字和连字符）。"]
    for p in draft.problems:
        head.append(f"# 检查提示：{p}")
    body = yaml.safe_dump(draft.data, allow_unicode=True, sort_keys=False, width=100)
    return "\n".join(head) + "\n" + body
