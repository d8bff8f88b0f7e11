"""The tables of a document -> categories of indicators: header, merged cells, category rows,
sub-items, names below codes, rules spilling over rows, units per row, task lists.
"""
from __future__ import annotations

import re
from decimal import Decimal

from authoring.detail_rules import split_notes
from authoring.document import Block
from authoring.rule_words import NUM, parse_number
from authoring.units import looks_like_units
from authoring.bullets import split_bullets
from authoring.cell_text import CN_ORDINAL, _POINTS_IN, _TAG, _is_title, _looks_like_rules, _name_points, _only_units, _points
from authoring.outline import _Cat, _Ind, _cat_head
from authoring.table_header import _align, _header_roles

_UNIT_LABEL = r"(?:牵头|责任)(?:单位|部门)\s*[:：]"
_SUB = re.compile(rf"^\s*[(（]({CN_ORDINAL})[)）]\s*([^(（]{{2,40}}?)\s*[(（]\s*({NUM})\s*分?\s*[)）]\s*(.*)$",
                  re.S)


def _sub_item(cells: tuple[str, ...]) -> tuple[str, str, Decimal, str] | None:
    """'(一)事业单位信用状况(4分) 未整改到位扣2分…' in any cell: a numbered sub-indicator."""
    for c in cells:
        t = _TAG.sub(" ", c)
        m = _SUB.match(t)
        head = re.match(rf"^\s*{CN_ORDINAL}[、.．][^(（]*?\s(?=[(（]{CN_ORDINAL}[)）])", t)
        if m is None and head:  # the category's merged cell prints its sub-item too
            m = _SUB.match(t[head.end():])
        if m:
            return m.group(1), m.group(2).strip(), parse_number(m.group(3)), m.group(4).strip()
    return None


def _ordinal(code: str) -> int:
    """一 … 十九 -> 1 … 19; 0 when it is not one."""
    return int(parse_number(code)) if re.fullmatch(CN_ORDINAL, code) else 0


def _next_ordinal(code: str) -> str:
    n = _ordinal(code) + 1
    digits = "一二三四五六七八九"
    if n < 2:
        return code + "'"
    if n < 10:
        return digits[n - 1]
    return ("" if n < 20 else digits[n // 10 - 1]) + "十" + (digits[n % 10 - 1] if n % 10 else "")


def _first_number(rules: str) -> int:
    """'2. (1分) 农户…' -> 2: the number a cell's first bullet carries (0 if none)."""
    m = re.match(r"^\s*(\d{1,2})\s*[.、．]", _TAG.sub(" ", rules))
    return int(m.group(1)) if m else 0


def _read_tables(blocks: list[Block]) -> list[_Cat]:
    cats: list[_Cat] = []
    roles: dict[str, int] | None = None
    table_title = ""
    cat: _Cat | None = None
    width = 0
    # A merged 项目 cell prints its text in the middle of its rows, so a row with an empty
    # 项目 cell that would overflow the category above belongs to the category below.
    pending: list[_Ind] = []
    # the row just run on into the indicator above, to give back when the next row shows it
    # was the first bullet of a sub-item whose merged name cell is printed lower down
    last_cont: tuple[_Ind, tuple[str, str, str], tuple[str, str, str]] | None = None

    def cell(cells: tuple[str, ...], role: str) -> str:
        i = roles.get(role) if roles else None
        return cells[i].strip() if i is not None and i < len(cells) else ""

    queue = list(blocks)
    header_above: dict[str, int] | None = None  # the header row just read, if the last row
    while queue:
        b = queue.pop(0)
        if not b.is_row:
            if _is_title(b.text):
                table_title = re.sub(r"[#*\s]", "", b.text)
            heading = _table_heading(b.text) if queue and _header_roles(queue[0].cells) else None
            if heading is not None:
                # 一、工作组织推进力度（分值：40分） above a table of its own: each category its table
                cat = heading
                cats.append(cat)
            continue
        head = _header_roles(b.cells)
        if head and header_above is not None:
            # a two-row header (考核指标 over 一级指标 | 二级指标): the lower row names the columns
            # it splits, the upper row the others
            head = {**head, **{r: i for r, i in header_above.items()
                               if r not in head and i not in head.values()}}
        if head:
            if head != roles and "基础指标" in table_title + "".join(b.cells) and (
                    cat is None or cat.section != "gate"):
                cat = _Cat("基础", "基础指标", None, "gate")
                cats.append(cat)
            roles, width = head, max(len(b.cells), width if header_above is not None else 0)
            header_above = head
            continue
        header_above = None
        if roles is None:
            continue
        cells = _align(b.cells, roles, width)
        below = _name_below(cells, roles, width)
        if below is not None:  # a sub-item whose bullets came above its name, in one cell
            cells, more = below
            queue.insert(0, Block("\t".join(more), more))
        prev_cont, last_cont = last_cont, None
        if re.sub(r"\s", "", next((c for c in cells if c.strip()), "")) in ("总分", "合计", "总计", "总计分"):
            continue
        code = cell(cells, "code")
        cat_text = cell(cells, "category")
        name = cell(cells, "name")
        pts = _points(cell(cells, "points"))
        head_cat = _row_category(code, cat_text, name, cell(cells, "rules"))
        worded = _worded_category(cat_text, code, cat, roles.get("name") not in (None, roles.get("category")))
        if head_cat is None and worded:
            # a category named without 一、 (制度建设落实（4分）), or printed in the 序号 column
            # of a table that numbers nothing: its merged cell repeats on every row, so only a
            # new name opens a category; the row's 分值 is the indicator's, not the category's
            head_cat, code = (_next_ordinal(cat.code) if cat else "一", worded), "" if worded == code else code
            cat = _new_category(head_cat, None, roles)
            cats.append(cat)
        elif cat is not None and code and re.sub(r"\s", "", code) == cat.name:
            code = ""  # the category's merged cell again, not a 序号
        if head_cat and cat and cat.section == "gate" and not re.fullmatch(r"\d+", code):
            cat = None
        if head_cat and cat is not None and cat.provisional:
            _adopt(cat, head_cat, pts)  # the heading of the category its sub-items opened
        if head_cat and not (cat and cat.code == head_cat[0]):
            above = cat
            cat = _new_category(head_cat, pts, roles)
            cat.inds, pending = pending, []
            cats.append(cat)
            ri = roles.get("rules")
            if above is not None and above.inds and ri is not None and ri < len(cells) and \
                    above.points is not None and \
                    sum((i.used() for i in above.inds), Decimal(0)) < above.points:
                # only a category short of its 分值 can have lost the end of a bullet
                rest = _spill_back(above.inds[-1], cells[ri])
                if rest is not None:  # the row began with the end of the category above
                    cells = cells[:ri] + (rest,) + cells[ri + 1:]
                    cat.spilled = True
        if cat is None:
            cat = _Cat("一", table_title or "考核指标", None)
            cats.append(cat)
        detail = cell(cells, "detail")
        if detail and re.match(r"^[·•●◆▪]", detail) and roles.get("rules") is not None:
            # a 评分细则 note is numbered (1)…; a ·bullet there is 评分标准 that OCR moved right
            ri, di = roles["rules"], roles["detail"]
            cells = tuple((cells[ri] + " " + detail).strip() if i == ri else "" if i == di else c
                          for i, c in enumerate(cells))
            detail = ""
        if detail:
            cat.details += split_notes(detail)
            if not any(c.strip() for i, c in enumerate(cells) if i != roles["detail"] and i != roles.get("note")):
                if cat.inds and cell(cells, "note"):
                    cat.inds[-1].note += "\n" + cell(cells, "note")
                continue  # a row of 评分细则 notes only (a page break scattered them), not an indicator
        rules = cell(cells, "rules")
        content = cell(cells, "content")
        sub = _sub_item(cells)
        if sub and cat is not None:
            scode, sname, spts, rest = sub
            if cat.subs and 0 < _ordinal(scode) <= _ordinal(cat.subs[-1]):
                # (一) again: the next category has begun, its heading still to come
                cat = _Cat(_next_ordinal(cat.code), "", None, provisional=True)
                cats.append(cat)
            elif head_cat and _ordinal(scode) == 2 and not cat.inds and len(cats) > 1:
                _take_first(cats[-2], cat)  # the heading printed beside its (二): (一) is above
            cat.subs.append(scode)
            code, name, pts = f"{cat.code}({scode})", sname, spts
            if rest and _looks_like_rules(rest):
                rules = rest
            head_cat = None
        if head_cat and not rules and not content and not (worded and name and name != worded):
            continue  # a bare category row (not the first row of a merged 一级指标 cell)
        # 名称（6分） beside its bullets is an indicator even when no bullet says 得N分
        if not (head_cat or code or pts is not None or any(_looks_like_rules(c) for c in cells)
                or (name and rules and _name_points(name)[1] is not None)):
            units_cell = cell(cells, "responsible")
            if not (name or cat_text) and cat.inds and units_cell and looks_like_units(units_cell):
                _continue_row(cat.inds[-1], rules or content, cells, roles)  # units go on
            elif cat.inds and cell(cells, "note") and not any(
                    c.strip() for i, c in enumerate(cells) if i != roles.get("note")):
                cat.inds[-1].note += "\n" + cell(cells, "note")  # its 落实路径 goes on
            continue  # a note or list typed under the table, not an indicator
        if not head_cat and not code and not name and not (cat_text and _cat_head(cat_text)) \
                and cat.inds and (rules or content):
            run_on = cat.inds[-1]
            last_cont = (run_on, (run_on.rules[-1], run_on.responsible, run_on.evidence),
                         (rules or content, _row_units(cells, cell(cells, "responsible")),
                          cell(cells, "evidence")))
            _continue_row(run_on, rules or content, cells, roles)  # broken across pages
            continue
        if head_cat and cat.inds and not name and cat.code == head_cat[0] and \
                (pts is None or pts == cat.points) and len(cats) and cats[-1] is cat and rules:
            cat.inds[-1].rules[-1] += " " + rules  # the category repeated on a new page
            continue
        if head_cat and not name and len(_HEADED.findall(rules)) >= 2 and all(
                _HEADED.match(b) for b in split_bullets(rules)):
            cat.split = True  # '1.（3分）…  2.（3分）…' under a category: one indicator each
        iname, ipts = _name_points(name or (head_cat[1] if head_cat else "") or content[:30])
        # a 序号 of its own (1, 2 …) beside a category cell is the indicator's; a 一 there is the category's
        own_code = re.sub(r"\s", "", code)
        ind = _Ind(code=own_code if own_code and (not head_cat or re.fullmatch(r"\d+(?:\.\d+)*", own_code))
                   else "",
                   # 名称（8分） in a category row whose 分值 is 6: the 分值 column wins
                   name=iname, points=ipts if ipts is not None and not (
                       head_cat and pts is not None and ipts > pts) else pts,
                   content=content if rules else "", evidence=cell(cells, "evidence"),
                   responsible=_row_units(cells, cell(cells, "responsible")), due=cell(cells, "due"),
                   note=cell(cells, "note"), gate=cat.section == "gate")
        if head_cat and not cat.inds and (ind.points is None or (ipts is None and pts == cat.points)):
            # a category cell merged down repeats on every row (Word): only its first row's
            # indicator can be the category itself
            ind.points, ind.shared = cat.points, True
            # without a 分值 column the rows' points are in their rules: the category's is theirs
            # only if it stays one row (settled below)
            ind.from_rules = "points" not in roles
        ind.rules.append(rules or (content if not ind.gate else "") or (name if ind.gate else ""))
        if sub and prev_cont and cat.inds and prev_cont[0] is cat.inds[-1] and (
                (not rules and not ind.responsible)
                or 1 < _first_number(rules) == _first_number(prev_cont[2][0]) + 1):
            _take_back(prev_cont, ind)
        if (not head_cat and "category" in roles and not cat_text and cat.points is not None
                and ind.points is not None
                and sum((i.used() for i in cat.inds), Decimal(0)) + ind.points > cat.points):
            pending.append(ind)
            continue
        cat.inds.append(ind)
    if cat is not None:
        cat.inds += pending
    for c in cats:
        _settle_shared(c)
        for upper, ind in zip(c.inds, c.inds[1:]):
            if not ind.responsible.strip() and not ind.gate:
                # a 责任单位 cell merged down is printed once, on its first row
                ind.responsible = upper.responsible
    return [c for c in cats if c.inds]


# a bullet that opens with its own points: '1.（3分）按照…' / '(2分) 此项…'
_HEADED = re.compile(rf"(?:^|(?<=\s))(?:\d{{1,2}}[.、．]\s*)?[(（]\s*{NUM}\s*分\s*[)）]")


# a cell that begins mid-sentence: a bare number then a word ('1 两档: 如果…', the end of
# '本项得分为0、1两档'), or a joining word or mark
_MID_START = re.compile(r"^(?:\d+\s+[\u4e00-\u9fff]|[，,、；;）)的和及或])")


def _spill_back(last: _Ind, rules: str) -> str | None:
    """A category row whose rules begin mid-sentence, after a category whose last bullet
    stops mid-word ('…进行有效管'): a page break cut that bullet, and OCR put its end at the top
    of the next category's row. The end goes back to its bullet; returns the rest of the cell,
    or None when the row begins as rows do."""
    end = _TAG.sub(" ", last.rules[-1] if last.rules else "").strip()
    t = _TAG.sub(" ", rules).strip()
    if not end or re.search(r"[。；;！!.）)】」”\"]$|分$", end) or not _MID_START.match(t):
        return None
    m = re.search(r"[·•●◆▪]", t)
    head, rest = (t[:m.start()], t[m.start():]) if m else (t, "")
    last.rules[-1] = end + head.strip()
    return rest


def _fill_back(above: _Cat, cat: _Cat) -> None:
    """After a spill (see `_spill_back`), the next category's first indicators that make up
    exactly what the category above is short of its 分值 are its own, cut off by the break."""
    if above.points is None or not cat.inds:
        return
    short = above.points - sum((i.points or Decimal(0) for i in above.inds), Decimal(0))
    got, k = Decimal(0), 0
    while k < len(cat.inds) - 1 and got < short and (points := cat.inds[k].points) is not None:
        got += points
        k += 1
    if short > 0 and got == short:
        for ind in cat.inds[:k]:
            # its units were printed on the row it was cut from, not beside the heading
            ind.responsible = above.inds[-1].responsible
        above.inds += cat.inds[:k]
        del cat.inds[:k]


_SUB_NAME = re.compile(rf"^[(（]{CN_ORDINAL}[)）]\s*[^(（]{{2,40}}?\s*[(（]\s*{NUM}\s*分?\s*[)）]$")


def _name_below(cells: tuple[str, ...], roles: dict[str, int], width: int
                ) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """A cell ending in a sub-item's name paragraph ('（三）信用评级独立性（2）') after bullets
    ('1. (2分) 对信用评级机构无行政干预…'): the name is printed in the middle of its merged cell,
    below the bullets it names. Returns the row without them and a row of that sub-item (which
    also gets the units paragraph the cell began with: the two rows shared it)."""
    at = roles.get("content", roles.get("name", roles.get("rules")))
    ui = roles.get("responsible")
    if at is not None and ui is not None and len(cells) > 2 and \
            _SUB_NAME.match(re.sub(r"\s+", "", cells[-1])):
        # the same with each paragraph in a cell of its own (a short row split at <p>)
        k = len(cells) - 1
        while k > 0 and _looks_like_rules(cells[k - 1]) and k - 1 != at:
            k -= 1
        if k < len(cells) - 1:
            more = [""] * width
            more[at] = cells[-1] + " " + " ".join(cells[k:-1])
            if k > 0 and looks_like_units(cells[k - 1]):
                more[ui] = cells[k - 1]
            return cells[:k], tuple(more)
    for i, c in enumerate(cells):
        paras = [p.strip() for p in re.split(r"\s{2,}|\n", c) if p.strip()]
        if len(paras) < 2 or not _SUB_NAME.match(re.sub(r"\s+", "", paras[-1])) or i == at:
            continue
        bullets = [p for p in paras[:-1] if _looks_like_rules(p)]
        others = [p for p in paras[:-1] if p not in bullets]
        if not bullets or at is None or paras[:len(others)] != others:
            continue
        kept = cells[:i] + ("  ".join(others),) + cells[i + 1:]
        more = [""] * max(width, len(cells))
        more[at] = paras[-1] + " " + " ".join(bullets)
        if i == roles.get("responsible"):
            more[i] = "  ".join(others)
        return kept, tuple(more)
    return None


def _take_back(cont: tuple[_Ind, tuple[str, str, str], tuple[str, str, str]], ind: _Ind) -> None:
    """'1. (2分)…' ran on into the indicator above, then '(四) 名称 (2)' with no rules, or with
    '2. (1分)…': the run-on row was this sub-item's first bullet (its name cell is merged and
    printed in the middle of its rows), with its units and evidence."""
    above, (rules, units, evidence), (more, more_units, more_evidence) = cont
    above.rules[-1], above.responsible, above.evidence = rules, units, evidence
    ind.rules[-1] = (more + " " + ind.rules[-1]).strip()
    ind.responsible = ind.responsible or more_units
    ind.evidence = ind.evidence or more_evidence


def _take_first(above: _Cat, cat: _Cat) -> None:
    """A category heading printed beside its (二): the (一) just above is its first sub-item,
    not the last of the category above (a merged 项目 cell prints in the middle of its rows)."""
    last = above.inds[-1] if above.inds else None
    if last is not None and last.code == f"{above.code}(一)":
        above.inds.pop()
        last.code = f"{cat.code}(一)"
        cat.inds.append(last)
        cat.subs.append("一")
        if above.subs and above.subs[-1] == "一":
            above.subs.pop()


def _adopt(cat: _Cat, head: tuple[str, str], pts: Decimal | None) -> None:
    """A category opened by its sub-items takes its heading (and code) when the row comes."""
    old = cat.code
    named = _new_category(head, pts, {"name": 0})
    cat.code, cat.name, cat.points, cat.section = named.code, named.name, named.points, named.section
    cat.provisional = False
    for ind in cat.inds:
        if ind.code.startswith(old + "("):
            ind.code = cat.code + ind.code[len(old):]


def _row_category(code: str, cat_text: str, name: str, rules: str) -> tuple[str, str] | None:
    """A category row: 一 | 工作机制 | 15, or 一、政务诚信建设 in the 项目 column."""
    code = re.sub(r"[、.．]$", "", re.sub(r"\s", "", code))  # 一、 printed with its mark
    if re.fullmatch(CN_ORDINAL, code):
        return code, name or cat_text
    if cat_text and _cat_head(cat_text):
        return _cat_head(cat_text)
    if not code and not cat_text and name and not rules:
        return _cat_head(name)
    return None


_SCORE_NOTE = re.compile(rf"[(（]([^()（）]*?)(?:分值|满分)?[:：]?\s*({NUM})\s*分\s*[)）]")


def _table_heading(text: str) -> _Cat | None:
    """'一、工作组织推进力度（分值：40分）' / '四、工作创新（加分项，分值：10分）' -> its category."""
    head = _cat_head(text)
    if head is None:
        return None
    code, name = head
    m = _SCORE_NOTE.search(name)
    points = parse_number(m.group(2)) if m else None
    bonus = code == "附加" or "加分" in name
    name = (name[:m.start()] + name[m.end():]).strip() if m else name
    return _Cat(code, name, points, "bonus" if bonus else "deduction" if "扣分" in name else "base")


def _worded_category(cat_text: str, code: str, cat: _Cat | None, named: bool = False) -> str:
    """The words of a category cell that carries no 一、, or '' when the row opens none: a 项目
    cell with its own 分值 (制度建设落实（4分）), a plain 项目 / 一级指标 cell beside a column of
    its own for the indicators' names (`named`: 工作绩效 | 1 | 工作机制), or words in the 序号
    column of a table that numbers nothing (制度建设). A merged cell repeats on every row, so only
    a new name counts."""
    words = re.sub(r"\s", "", cat_text)
    plain_name = named and re.fullmatch(r"[\u4e00-\u9fff“”\"、和与及]{2,20}", words) is not None \
        and not looks_like_units(words) and not _looks_like_rules(words)
    if not plain_name and not (words and _POINTS_IN.search(words) and re.match(r"[\u4e00-\u9fff]", words)):
        words = re.sub(r"\s", "", code)
        if not re.fullmatch(r"[\u4e00-\u9fff]{2,12}", words) or looks_like_units(words):
            return ""
    if re.fullmatch(CN_ORDINAL, words) or _cat_head(words) or len(words) > 30:
        return ""
    return "" if cat is not None and _name_points(words)[0] == cat.name else words


def _new_category(head: tuple[str, str], pts: Decimal | None, roles: dict[str, int]) -> _Cat:
    code, name = head
    name, own = _name_points(name)
    section = ("bonus" if code == "附加" or "附加" in name or re.match(r"加分", name) else
               "deduction" if "扣分" in name else "base")
    # （12分） in the category's own cell wins; else the row's 分值 is the category's
    return _Cat(code, name, own if own is not None else pts, section,
                split=section == "deduction" or not ({"name", "content"} & set(roles)))


def _continue_row(ind: _Ind, rules: str, cells: tuple[str, ...], roles: dict[str, int]) -> None:
    """The rest of a row a page break cut: its rules, and the rest of its 责任单位 and 佐证材料
    cells too (a long unit list goes on below the break as much as the bullets do)."""
    if rules:
        ind.rules[-1] += " " + rules
    for role, attr in (("responsible", "responsible"), ("evidence", "evidence")):
        i = roles.get(role)
        more = cells[i].strip() if i is not None and i < len(cells) else ""
        if more:
            # a list cut mid-name ('…、市水利局、市' | '民政局') joins up; else it goes on the
            # list (not a new line, which would read as one group of units per bullet)
            joint = "" if re.search(r"(?:^|[、，,])[^、，,]{0,2}$", getattr(ind, attr)) else "、"
            setattr(ind, attr, (getattr(ind, attr) + joint + more).strip())


def _row_units(cells: tuple[str, ...], units: str) -> str:
    """The row's 责任单位 cell, or the 责任单位：… that OCR moved into another column."""
    if re.search(_UNIT_LABEL, units):
        return units
    labelled = next((c[m.start():] for c in cells if (m := re.search(_UNIT_LABEL, c))), None)
    return labelled if labelled is not None else _only_units(units)


def _settle_shared(cat: _Cat) -> None:
    """The category's 分值 was on its first row; the other rows have their own points."""
    first = cat.inds[0] if cat.inds else None
    if first and first.shared and first.from_rules and len(cat.inds) > 1:
        # no 分值 column: the first row's points, as every row's, come from its rules (and are
        # then checked against the category's), not the category's whole 分值
        first.points = None
        return
    if first and first.shared and len(cat.inds) > 1 and cat.points is not None:
        rest = sum((i.points or Decimal(0) for i in cat.inds[1:]), Decimal(0))
        if cat.points - rest > 0:
            first.points = cat.points - rest


def _tasks(blocks: list[Block]) -> list[_Cat]:
    """A work plan with no table: numbered paragraphs '1.完成…工作。…（责任单位：…）' are tasks,
    grouped under the 二、重点工作 / 三、保障措施 headings they follow."""
    cats: list[_Cat] = []
    heading = ("一", "重点工作")
    last: _Ind | None = None
    for b in blocks:
        t = re.sub(r"^[-*#\s]+", "", b.text)
        h = re.match(rf"^({CN_ORDINAL})、\s*(.{{2,20}})$", t)
        if h:
            heading, last = (h.group(1), h.group(2).strip()), None
            continue
        m = re.match(r"^(\d{1,2})[.、．]\s*([^。；;]{2,40})[。；;]?(.*)$", t)
        if m:
            if not cats or cats[-1].code != heading[0]:
                cats.append(_Cat(heading[0], heading[1], None, "tasks"))
            last = _Ind(m.group(1), m.group(2).strip(), None, [t])
            cats[-1].inds.append(last)
        elif last is not None:
            last.rules.append(t)
    for cat in cats:
        for ind in cat.inds:
            whole = " ".join(ind.rules)
            ind.responsible = _bracketed_units(whole)
            ind.content = whole
    return cats


def _bracketed_units(text: str) -> str:
    """'…（责任单位：市发展改革委、各区县(市)人民政府）' -> the inside, nested brackets kept."""
    m = re.search(r"[(（〔\[]\s*(?=(?:牵头|责任)(?:单位|部门))", text)
    if not m:
        return ""
    depth, out = 1, []
    for ch in text[m.end():]:
        depth += ch in "(（〔["
        depth -= ch in ")）〕]"
        if depth == 0:
            break
        out.append(ch)
    return "".join(out)
