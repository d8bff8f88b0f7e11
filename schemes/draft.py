"""This year's document -> a scheme draft staff finish by hand.

The draft is an ordinary scheme file in which every guess the reader could not make is a
`待确认: reason` line (which `scheme check` refuses until staff resolve and delete it). Each
rule part keeps its bullet's original text in `text:` beside what it was read as.

Tables are read by their header words (项目/序号/考核指标/分值/评分标准/佐证材料/责任单位 …), not
by column position, so a city's own layout works as long as its headers say what a column is.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from schemes.detail_rules import pair_notes, split_notes
from schemes.document import Block, read_blocks
from schemes.loader import UNRESOLVED, SchemeError, load_text
from schemes.rule_reader import MEASURE, NUM, Reading, listed_count, normalise, parse_number, plain, read_rule
from schemes.units import looks_like_units, parse_units, prose_units, settle_names

__all__ = ["Draft", "draft_document", "draft_blocks", "draft_yaml", "split_bullets",
           "parse_units", "draft_problems"]

CN_ORDINAL = r"[一二三四五六七八九十]+"
# markup left by conversion (<p>, </li>, <input …>); a '<' before a space or digit is 小于
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")

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
    i = roles.get("category")
    if "name" not in roles and i is not None and i + 1 < len(words) and not words[i + 1] \
            and i + 1 not in roles.values() and ("code" in roles or "rules" in roles):
        # 考核项目 over two columns beside 序号 and 考核内容: the items are named there (the
        # categories are the 一、 rows of the 序号 column)
        roles["name"] = roles.pop("category")
    i = roles.get("content")
    if "rules" not in roles and "name" not in roles and i is not None and i + 1 < len(words) \
            and not words[i + 1] and i + 1 not in roles.values():
        del roles["content"]
        roles["name"], roles["rules"] = i, i + 1
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


@dataclass
class _Ind:
    code: str
    name: str
    points: Decimal | None
    rules: list[str] = field(default_factory=list)
    content: str = ""
    evidence: str = ""
    responsible: str = ""
    due: str = ""
    note: str = ""
    gate: bool = False
    shared: bool = False  # points read from a category row's 分值, i.e. the category's
    refined: dict[int, tuple[str, Reading]] = field(default_factory=dict)  # bullet -> 评分细则

    def used(self) -> Decimal:
        """Points this row's bullets can give, when each says (else its 分值)."""
        got = [read_rule(b).points for r in self.rules for b in split_bullets(r)]
        if got and all(p is not None for p in got):
            return min(sum(got, Decimal(0)), self.points or sum(got, Decimal(0)))
        return self.points or Decimal(0)


@dataclass
class _Cat:
    code: str
    name: str
    points: Decimal | None
    section: str = "base"
    split: bool = False  # one indicator per bullet (no indicator column, or 扣分情形)
    inds: list[_Ind] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # 评分细则 notes printed in its rows
    # opened by a sub-item numbered (一) again, before the category's own heading row: a merged
    # 项目 cell prints its text in the middle of its rows, so the heading comes further down
    provisional: bool = False
    spilled: bool = False  # its first row began with the end of the category above
    subs: list[str] = field(default_factory=list)  # its (一)(二)… in order


@dataclass
class Draft:
    """One drafted scheme: the data (with 待确认 lines), what to look at, and its source."""

    data: dict[str, Any]
    problems: list[str]
    unresolved: int
    source: str


# ---- small readers --------------------------------------------------------------------------

_POINTS_IN = re.compile(rf"[(（]\s*({NUM})\s*分?\s*[)）]")


def _points(text: str) -> Decimal | None:
    t = normalise(text)
    m = re.fullmatch(rf"({NUM})分?", t)
    if m:
        return parse_number(m.group(1))
    m = re.search(rf"({NUM})分", t)
    return parse_number(m.group(1)) if m and len(t) < 12 else None


def _name_points(text: str) -> tuple[str, Decimal | None]:
    """'工作保障（2分）' -> ('工作保障', 2)."""
    t = re.sub(r"\s+", "", _TAG.sub("", text))
    m = _POINTS_IN.search(t)
    if m:
        return (t[:m.start()] + t[m.end():]).strip(), parse_number(m.group(1))
    return t, None


def _cat_head(text: str) -> tuple[str, str] | None:
    """'一、政务诚信建设' -> ('一', '政务诚信建设'); '附加项：探索创新' -> ('附加', …)."""
    t = re.sub(r"\s+", "", _TAG.sub("", text))
    m = re.match(rf"^({CN_ORDINAL})[、.．]\s*(.+)$", t)
    if m:
        # '四、征信体系建设 （二）农村信用体系建设（3）': the sub-item shares the merged cell
        name = re.split(rf"(?<=.)[(（]{CN_ORDINAL}[)）]", m.group(2))[0]
        return m.group(1), name
    if re.match(r"^(附加|加分)", t) or "附加分" in t:
        t = re.sub(r"[(（]附加(?:分|项)?[)）]", "", t)
        return "附加", re.sub(r"^(附加项|附加分|加分项)[:：]?", "", t) or t
    return None


_BULLET = re.compile(r"(?:^|(?<=[\s。；;>]))(?:[·•●◆▪]|\d{1,2}[、.．](?!\d)|[(（]\d{1,2}[)）]|[①②③④⑤⑥⑦⑧⑨⑩])")
_CONTINUES = re.compile(r"^(?:否则|其余|剩余|其他|中间|比值越|最高|最多|最低|总分|共计|此项|本项最|扣完|扣满|"
                        r"每增加|每降低|每减少|每发生|每出现|有\d+条|以此为基数|如果?均?为?[“\"]?否|"
                        r"(?:如果|若)[^,，;；。]{0,40}?(?:<|>|≤|≥|=)|"
                        # the next tier of a scale: 20%-50%，得0.5分 / 20%以下的，得0分
                        r"\d+(?:\.\d+)?%?(?:-|至|到)\d+(?:\.\d+)?%|\d+(?:\.\d+)?%(?:及?以下|及?以上)|"
                        r"未[^;；。]{0,20}?[,，]?(?:不得分|不计分|得0分)|"
                        r"未[^,，;；。]{0,20}(?:不得分|不计分|得0分)|"
                        # the other end of a proportion: 退出率为0的不得分；介于两者之间的按比例计分
                        r"[^,，;；。]{0,16}?为0%?的?[,，]?(?:不得分|不计分|得0分)|(?:介于|在)(?:两者|二者)之间)")
_BETWEEN = re.compile(r"(?:介于|在)(?:两者|二者)之间")
# a deduction per case after the points it comes off (得2分；每监测到一起…减0.5分), but not a
# second deduction after a first (每发生1起扣2分；每迟报1次扣1分 are two rules)
_DEDUCTS_FROM = re.compile(rf"^(?:每|[^;；。]{{0,12}}?(?:发现|出现|发生)(?:一|1)(?:{MEASURE}))[^;；。]{{0,24}}?(?:减|扣)\d")


def split_bullets(text: str) -> list[str]:
    """A 评分标准 cell -> its scoring bullets.

    Bullet marks (·, 1., (1), ①) split first; then 。/；-separated sentences that each carry a rule
    become bullets, and sentences that only qualify the one before (否则不得分; 最高3分; 每增加1件减
    1分 after 得3分) stay with it."""
    t = _TAG.sub(" ", text)
    t = re.sub(r"\s+", " ", t).strip()
    if not t:
        return []
    heads = [m.start() for m in _BULLET.finditer(t)]
    chunks = [t[a:b] for a, b in zip([0] + heads, heads + [len(t)])]
    out: list[str] = []
    for chunk in chunks:
        chunk = re.sub(r"^\s*【[^】]*】\s*", "", chunk.strip())  # 【要点】 headline, not a rule
        sentences = [s for s in re.split(r"(?<=[。；;])", chunk) if s.strip()]
        cur = ""
        for k, s in enumerate(sentences):
            n = normalise(s)
            # 小于1‰得2分；大于5‰不得分；介于两者之间的按比例计分: the far end of a proportion
            # belongs with the near one, whatever it says
            ends_proportion = k + 1 < len(sentences) and bool(_BETWEEN.match(normalise(sentences[k + 1])))
            if cur and not _has_rule(_POINTS_IN.sub("", normalise(cur))):
                # a lead-in with no rule of its own belongs to what follows ('(1分)平台建设情况。'
                # is a heading with its points, not a rule)
                cur += s
            elif cur and (_CONTINUES.match(n) or ends_proportion or _next_level(cur, n)
                          or read_rule(s).kind is None
                          or not _has_rule(n)
                          or (_DEDUCTS_FROM.match(n) and not re.search(r"[扣减]", normalise(cur)))):
                cur += s
            else:
                if cur:
                    out.append(cur.strip())
                cur = s
        if cur.strip():
            if out and not _has_rule(normalise(cur)):
                out[-1] += cur
            else:
                out.append(cur.strip())
    return [b for b in (re.sub(r"^[\s·•●◆▪]+", "", b).strip() for b in out) if normalise(b)]


_LEVEL = r"(?:国家级|国家|省级|省|市级|市|县级|县|区级|区)"


def _next_level(cur: str, n: str) -> bool:
    """省级…得3分；市级…得2分；县级…得1分: the next level down of the same thing is a tier of one
    rule (only one applies), kept with it so the reader sees the tiers, not items that add up."""
    a = re.match(rf"^(?:\d{{1,2}}[.、．])?[^;；。，,]{{0,16}}?受?({_LEVEL})级?(?:媒体|表彰|推广|通报|奖励|荣誉)",
                 normalise(cur))
    b = re.match(rf"^[^;；。，,]{{0,4}}?({_LEVEL})级?[^;；。，,]{{0,3}}?(?:媒体|表彰|推广|通报|奖励|荣誉)", n)
    return bool(a and b and a.group(1)[0] != b.group(1)[0])


def _has_rule(n: str) -> bool:
    """Says something about points (得1分, 不得分, 酌情, 否决), not just 分工 / 分类 in passing."""
    return bool(re.search(rf"{NUM}分(?![之工类级别析])|不得分|不计分|酌情|否决|赋分|排名|排序", n))


def _due(texts: list[str], year: int) -> dict[str, Any] | None:
    t = normalise(" ".join(texts))
    m = re.search(rf"每月({NUM})[日号](?:前|之前|以前)?", t)  # 每月10号前 is said as often
    if m:
        return {"frequency": "monthly", "day": int(parse_number(m.group(1))), "text": m.group(0)}
    m = re.search(rf"每(?:个)?季度(?:结束后|末|第一个月)?(?:({NUM})日(?:前)?)?", t)
    if m:
        out = {"frequency": "quarterly", "text": m.group(0)}
        if m.group(1):
            out["day"] = int(parse_number(m.group(1)))
        return out
    m = re.search(r"(\d{1,2})月(\d{1,2})[日号](?:前|之前|以前)", t)
    if m:
        return {"frequency": "once", "date": f"{year}-{int(m.group(1)):02d}-{int(m.group(2)):02d}",
                "text": m.group(0)}
    m = re.search(r"年底|年终|每年|全年", t)
    if m:
        return {"frequency": "yearly", "text": m.group(0)}
    return None


# ---- document -> categories ------------------------------------------------------------------

def _meta(blocks: list[Block]) -> dict[str, Any]:
    paras = [b.text for b in blocks if not b.is_row][:40]
    text = "\n".join(paras)
    doc = re.search(r"[\u4e00-\u9fff]{1,8}[〔\[［(（]\d{4}[〕\]］)）]\s*\d+\s*号", text)
    year = None
    if doc:
        year = int(re.search(r"\d{4}", doc.group(0)).group(0))
    issuer = next((re.sub(r"\s+", "", p).removesuffix("文件") for p in paras
                   if re.sub(r"\s+", "", p).endswith("文件") and len(p) < 40), "")
    if not issuer:
        issuer = next((p for p in paras if re.search(r"(领导小组|办公室|委员会|人民政府)$", p.strip())
                       and len(p) < 40), "")
    return {"doc_number": re.sub(r"\s+", "", doc.group(0)) if doc else "", "year": year,
            "issuer": issuer.strip("# ")}


def _is_title(text: str) -> bool:
    t = re.sub(r"[#*\s]", "", text)
    return (4 <= len(t) <= 60 and bool(re.search(r"(细则|指标|清单|台账|办法|考核表|评分表|要点|建设标准|评分标准)(（.*）|\(.*\))?$", t))
            and not t.startswith("附件:") and not t.startswith("附件："))


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


def _looks_like_rules(text: str) -> bool:
    return bool(re.search(r"【|[·•]|(?:得|加|扣|减)\s*\d+(?:\.\d+)?\s*分|酌情|一票否决|计分|赋分", text))


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
        worded = _worded_category(cat_text, code, cat)
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
        if head_cat and not rules and not content:
            continue  # a bare category row
        # 名称（6分） beside its bullets is an indicator even when no bullet says 得N分
        if not (head_cat or code or pts is not None or any(_looks_like_rules(c) for c in cells)
                or (name and rules and _name_points(name)[1] is not None)):
            more = cell(cells, "responsible")
            if not (name or cat_text) and cat.inds and more and looks_like_units(more):
                _continue_row(cat.inds[-1], rules or content, cells, roles)  # units go on
            elif cat.inds and cell(cells, "note") and not any(
                    c.strip() for i, c in enumerate(cells) if i != roles.get("note")):
                cat.inds[-1].note += "\n" + cell(cells, "note")  # its 落实路径 goes on
            continue  # a note or list typed under the table, not an indicator
        if not head_cat and not code and not name and not (cat_text and _cat_head(cat_text)) \
                and cat.inds and (rules or content):
            above = cat.inds[-1]
            last_cont = (above, (above.rules[-1], above.responsible, above.evidence),
                         (rules or content, _row_units(cells, cell(cells, "responsible")),
                          cell(cells, "evidence")))
            _continue_row(above, rules or content, cells, roles)  # broken across pages
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
        for above, ind in zip(c.inds, c.inds[1:]):
            if not ind.responsible.strip() and not ind.gate:
                # a 责任单位 cell merged down is printed once, on its first row
                ind.responsible = above.responsible
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
    while k < len(cat.inds) - 1 and got < short and cat.inds[k].points is not None:
        got += cat.inds[k].points
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


def _worded_category(cat_text: str, code: str, cat: _Cat | None) -> str:
    """The words of a category cell that carries no 一、, or '' when the row opens none: a 项目
    cell with its own 分值 (制度建设落实（4分）), or words in the 序号 column of a table that
    numbers nothing (制度建设). A merged cell repeats on every row, so only a new name counts."""
    words = re.sub(r"\s", "", cat_text)
    if not (words and _POINTS_IN.search(words) and re.match(r"[\u4e00-\u9fff]", words)):
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
    labelled = next((c[re.search(_UNIT_LABEL, c).start():] for c in cells
                     if re.search(_UNIT_LABEL, c)), None)
    return labelled if labelled is not None else _only_units(units)


def _only_units(text: str) -> str:
    """A 责任单位 cell into which OCR ran a paragraph of the 落实路径 column beside it
    ('<p>…完善出台政策措施，及时反馈…</p> <p>市工商局、市食药监局…</p>'): keep the paragraphs
    that are lists of units, when some are."""
    # markup is gone by now; paragraphs are what wide gaps and line breaks separate
    paras = [p.strip() for p in re.split(r"<p[^>]*>|</p>|\n|\s{2,}", text) if p.strip()]
    units = [p for p in paras if looks_like_units(p)]
    if not units or len(units) == len(paras):
        return text
    # the units a prose paragraph names (…；市信用信息中心、市大数据公司提供技术支持) are the
    # row's units too: the cell is 责任单位 whatever else OCR ran into it
    return "\n".join(units)


def _settle_shared(cat: _Cat) -> None:
    """The category's 分值 was on its first row; the other rows have their own points."""
    first = cat.inds[0] if cat.inds else None
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


# ---- categories -> scheme data ----------------------------------------------------------------

def _rename(part: dict[str, Any], metrics: list[dict], prefix: str) -> None:
    """Give the part's metric names a per-part prefix so two bullets never share one."""
    names = {m["name"]: prefix + m["name"] for m in metrics}
    for m in metrics:
        m["name"] = names[m["name"]]
    for key in ("value", "expr"):
        if isinstance(part.get(key), str):
            part[key] = re.sub(r"\b[A-Za-z_]\w*\b",
                               lambda mm: names.get(mm.group(0), mm.group(0)), part[key])
    if "metric" in part:
        part["metric"] = names.get(part["metric"], part["metric"])
    for item in part.get("items", []):
        item["metric"] = names.get(item["metric"], item["metric"])


def _part(reading: Reading, n: int, many: bool) -> tuple[dict[str, Any], list[dict]]:
    part = reading.part()
    metrics = [dict(m) for m in reading.metrics]
    why = reading.reason
    if reading.kind is None:
        part = {"kind": "discretionary", "metric": "points", "text": reading.text}
        metrics = [{"name": "points", "label": "信用办评定分数（待确认规则）", "type": "number",
                    "unit": "分"}]
    elif reading.kind == "task" and not why:  # no points in a scored table: a gap, not a task
        why = "本条没有分值，暂读作工作任务（不计分）；请写明计分办法或确认不计分"
    if why:
        # after `kind`, never first: deleting the 待确认 line must not delete the list's "- "
        part = {"kind": part["kind"], UNRESOLVED: why,
                **{k: v for k, v in part.items() if k != "kind"}}
    if many:
        _rename(part, metrics, f"p{n}_")
    return part, metrics


def _indicator(ind: _Ind, year: int, tasks: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"code": ind.code, "name": ind.name or ind.code}
    bullets = [b for r in ind.rules for b in split_bullets(r)]
    if tasks:
        out["parts"] = [{"kind": "task", "label": ind.name}]
        out["metrics"] = [{"name": "progress", "label": "工作进展", "type": "text"}]
        out["content"] = ind.content[:400]
    else:
        readings = [read_rule(b) for b in bullets] or [Reading(text="", reason="没有评分标准")]
        for k, (note, finer) in ind.refined.items():
            readings[k] = replace(finer, text=f"{bullets[k]}（评分细则：{note}）")
        _listed_before(bullets, readings)
        if len(readings) == 1 and ind.points and not ind.gate:
            _deduct_from_own(readings[0], ind.points)
        if ind.gate:
            readings = [_as_gate(r, ind) for r in readings[:1]]
        readings, first = _expand_each(readings)
        parts, metrics = [], []
        many = len(readings) > 1
        for n, r in enumerate(readings, start=1):
            p, ms = _part(r, n, many)
            parts.append(p)
            metrics += ms
        for n, r in enumerate(readings, start=1):
            for target in (first.get(k) for k in r.links):
                if target and target != n:
                    parts[n - 1]["id"] = f"p{n}"
                    parts[target - 1].setdefault("requires", []).append(f"p{n}")
        if ind.gate:
            out["gate"] = {"kind": readings[0].gate or "basic", "metric": metrics[0]["name"]}
        else:
            got = [r.points for r in readings if r.points is not None and r.kind != "deduction"]
            if ind.points is None and got and len(got) == len(readings):
                ind.points = sum(got, Decimal(0))
            if ind.points is None:
                out[UNRESOLVED] = "没有读出本指标的分值，请填写 max_points"
                ind.points = Decimal(0)
            out["max_points"] = ind.points
        out["metrics"] = metrics
        out["parts"] = parts
        if ind.content:
            out["content"] = re.sub(r"\s+", "", _TAG.sub("", ind.content))[:400]
    lead, resp = parse_units(ind.responsible)
    if not lead and not resp and not tasks:
        # no 责任单位 printed: the units its 落实路径 names (市信用办准备相关佐证资料) do the work
        resp = prose_units(ind.note)
    if lead:
        out["lead"] = lead
    if resp:
        out["responsible"] = resp
    if ind.evidence:
        out["evidence"] = re.sub(r"\s+", "", _TAG.sub("", ind.evidence))[:400]
    due = _due([ind.due, *ind.rules, ind.content], year)
    if due:
        out["due"] = due
    if ind.note:
        out["note"] = re.sub(r"\s+", "", _TAG.sub("", ind.note))[:400]
    return out


def _refine(cats: list[_Cat]) -> None:
    """Pair the table's 评分细则 notes with the bullets they refine; the notes are scattered by
    page breaks, so any note may belong to any category."""
    notes = [n for c in cats for n in c.details]
    if not notes:
        return
    bullets = [((id(ind), k), b, read_rule(b)) for c in cats if c.section != "gate" for ind in c.inds
               for k, b in enumerate(b for r in ind.rules for b in split_bullets(r))]
    by_id = {id(ind): ind for c in cats for ind in c.inds}
    for (ind_id, k), got in pair_notes(notes, bullets).items():
        by_id[ind_id].refined[k] = got


def _listed_before(bullets: list[str], readings: list[Reading]) -> None:
    """上述领域每1个领域…得0.5分 with no cap of its own: the list was in an earlier bullet
    (包括生产、流通…等领域), which sets the most it can give."""
    listed = 0
    for b, r in zip(bullets, readings):
        listed = listed_count(b) or listed
        if r.kind == "per_item" and r.points is None and listed and re.search(r"上述|以上|前述", b):
            r.points = r.params["points"] * listed / r.params.get("per", 1)
            r.words.append(f"上述{listed}项")


def _deduct_from_own(r: Reading, points: Decimal) -> None:
    """'(一)事业单位信用状况(4分) 未整改到位扣2分，最低得0分': the item's own points are what
    the deductions come off, down to 0 (not a one-off 2 off the total)."""
    if r.kind == "deduction" and "base" not in r.params and not r.reason and re.search(
            r"最低得?(?:为)?0分|扣完为止|扣至0分|减至0分", normalise(r.text)):
        r.params["base"] = points
        r.params.pop("cap", None)
        r.points = points
        r.words.append(f"本项{_fmt_points(points)}分扣完为止")


def _fmt_points(v: Decimal) -> str:
    return format(v.normalize(), "f")


def _expand_each(readings: list[Reading]) -> tuple[list[Reading], dict[int, int]]:
    """水费、电费…各得2分 is one rule per name: one part each. Also returns where each bullet
    (1-based, as 第二条 counts them) now starts."""
    out: list[Reading] = []
    first: dict[int, int] = {}
    for k, r in enumerate(readings, start=1):
        first[k] = len(out) + 1
        for name in r.each_of or [None]:
            if name is None:
                out.append(r)
                continue
            out.append(replace(r, each_of=[], label=name, params=copy.deepcopy(r.params),
                               metrics=[dict(m, label=f"{name}：{m['label']}") for m in r.metrics]))
    return out, first


def _as_gate(r: Reading, ind: _Ind) -> Reading:
    """A 基础指标 row is a pass/fail gate whatever its wording."""
    if r.kind == "pass_fail":
        return r
    return Reading(text=r.text, kind="pass_fail", params={"metric": "passed"},
                   metrics=[{"name": "passed", "label": normalise(ind.name)[:60] or "达标",
                             "type": "bool"}], words=["基础指标"], gate="basic")


def _bullet_name(bullet: str) -> str:
    """'地区不良贷款率。地区不良贷款率可从…' / '诚信分：使用…' / '失信行为穿透式监管根据…':
    a bullet that opens with its own short title."""
    t = re.sub(r"^(?:\d+[.、]|\(\d+\)|[①-⑩])\s*", "", normalise(bullet))
    t = re.sub(rf"^\({NUM}分\)", "", t)  # the bullet's own points, before its title
    m = re.match(r"^([^,，。:：;；()（）]{2,16}?)(?:[。:：]|(?=根据|按照|是指|指的是))", t)
    return m.group(1) if m and not re.search(r"得|分|的$", m.group(1)) else ""


def _split_cat(cat: _Cat) -> None:
    """No indicator column (or 扣分情形): each bullet of the category is its own indicator."""
    out = []
    for ind in cat.inds:
        bullets = [b for r in ind.rules for b in split_bullets(r)]
        if len(bullets) <= 1:
            out.append(ind)
            continue
        # one group of units per bullet, as a cell lists them line by line (OCR: wide gaps)
        groups = [g for g in re.split(r"\s{3,}|\n", ind.responsible.strip()) if g]
        per_bullet = len(groups) == len(bullets)
        readings = [read_rule(b) for b in bullets]
        _listed_before(bullets, readings)
        for k, (b, r) in enumerate(zip(bullets, readings)):
            name = _bullet_name(b) or re.sub(rf"^(?:\d+[.、]|[(（]\d+[)）])?(?:\({NUM}分\))?", "",
                                             r.label or normalise(b)[:24])
            out.append(_Ind("", name[:30], r.points, [b], evidence=ind.evidence,
                            responsible=groups[k] if per_bullet else ind.responsible,
                            due=ind.due, note=ind.note))
    cat.inds = out


def _remainder_points(cat: _Cat) -> None:
    """One indicator that prints no points of its own (每增加1个未接入的大厅减1分) in a category
    whose 分值 is known: it has what the others leave, as staff would reckon it."""
    if cat.points is None or cat.section not in ("base", "bonus"):
        return
    unknown = [i for i in cat.inds if i.points is None and not any(
        read_rule(b).points is not None and read_rule(b).kind != "deduction"
        for r in i.rules for b in split_bullets(r))]
    if len(unknown) != 1 or len(cat.inds) < 2:
        return
    rest = cat.points - sum((i.points or Decimal(0) for i in cat.inds), Decimal(0))
    if rest > 0:
        unknown[0].points = rest
        unknown[0].note = (unknown[0].note + "\n" if unknown[0].note else "") + \
            f"分值未写明，按类别分值{_fmt_points(cat.points)}分减去其他指标推定为{_fmt_points(rest)}分，请核对"


def _lone_points(cat: _Cat) -> None:
    """A category's only indicator whose name says （4分） while the category's 分值 and its
    bullets both say 8: two of the three agree, so 8 it is (staff see both in the text)."""
    if len(cat.inds) != 1 or cat.points is None or cat.inds[0].points in (None, cat.points):
        return
    got = [read_rule(b).points for r in cat.inds[0].rules for b in split_bullets(r)]
    if got and None not in got and sum(got, Decimal(0)) == cat.points:
        cat.inds[0].points = cat.points


def _codes(cat: _Cat, dotted: bool = False) -> None:
    """Number a category's unnumbered indicators 类.1, 类.2 …; a lone one keeps the category's
    code, unless the table numbers its other categories' indicators that way (then 一.1)."""
    if len(cat.inds) == 1 and not cat.inds[0].code and not dotted:
        cat.inds[0].code = cat.code
    for n, ind in enumerate(cat.inds, start=1):
        if not ind.code:
            ind.code = f"{cat.code}.{n}"
        elif cat.section == "gate" and re.fullmatch(r"\d+", ind.code):
            ind.code = f"基础{ind.code}"


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
    year = meta["year"] or int((re.search(r"(20\d\d)\s*年", title) or re.search(r"(20\d\d)", source)
                                or re.search(r"(20\d\d)", "2000")).group(1))
    tasks = bool(cats) and all(c.section == "tasks" for c in cats)
    # the file name's ASCII words, without the year the id already has ('2025考核细则' -> '')
    slug = re.sub(r"[^a-z0-9]+", "-", Path(source).stem.lower().replace(str(year), " ")).strip("-")
    data: dict[str, Any] = {
        "id": f"draft-{year}" + (f"-{slug}" if slug else "") + (f"-{n}" if n else ""),
        "title": title or "考核指标（草稿）",
        "issuer": meta["issuer"] or "待填写",
        "doc_number": meta["doc_number"],
        "year": year,
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
    data["categories"] = categories
    return plain(data)


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
