"""A rule cell cut into bullets (1、 / （1） / ① / ·), keeping together what continues a bullet
(否则…, 其余…, 最高…, the next level down of the same tier).
"""
from __future__ import annotations

import re

from authoring.rule_words import MEASURE, NUM, normalise
from authoring.rule_reader import read_rule
from authoring.cell_text import _POINTS_IN, _TAG

_BULLET = re.compile(r"(?:^|(?<=[\s。；;>]))(?:[·•●◆▪]|\d{1,2}[、.．](?!\d)|[(（]\d{1,2}[)）]|[①②③④⑤⑥⑦⑧⑨⑩])")
_CONTINUES = re.compile(r"^(?:否则|其余|剩余|其他|中间|比值越|最高|最多|最低|总分|共计|此项|本项最|扣完|扣满|"
                        r"每增加|每降低|每减少|每发生|每出现|有\d+条|以此为基数|如果?均?为?[“\"]?否|"
                        r"(?:如果|若)[^,，;；。]{0,40}?(?:<|>|≤|≥|=)|"
                        # 得2分。若保障不到位的，每少1%，扣0.1分: the deduction comes off those points
                        r"(?:如果|若|如|对)[^;；。]{0,30}?每[^;；。]{0,24}?(?:减|扣)\d|"
                        # an exemption or exception is part of the rule it excepts from
                        r"但[^;；。]{0,40}?(?:可不扣分|不扣分|不予扣分|免于扣分|除外|不计入)|"
                        r"[^;；。]{0,40}?(?:可不扣分|不予扣分|免于扣分|除外)[。；;]?$|"
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
                          or _one_choice(cur, s) or read_rule(s).kind is None
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


def _one_choice(cur: str, s: str) -> bool:
    """完整的，10分；不完整，5分: grades of one thing read together as one choice (one_of), so
    the draft reads the cell as `scheme rule` reads it, never as two items adding up."""
    r = read_rule(cur + s)
    return r.kind == "checklist" and bool(r.params.get("one_of")) and not r.reason  # sure of it


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
