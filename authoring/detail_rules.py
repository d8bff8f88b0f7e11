"""A second scoring column (评分细则) beside 评分标准: numbered notes that refine some bullets.

Some documents print the coarse rule in 评分标准 ('制定详细的任务分工，明确责任单位和进度要求的，
得1分') and the finer one in 评分细则 ('(1)有详细任务的，得0.5分；明确责任单位的，得0.3分；有进度要求
的，得0.2分'), numbered (1)…(n) across a whole category; page breaks scatter the notes among the
rows. A note is paired with the bullet it refines by its words (rapidfuzz), and only when it
gives points of its own that add up to the bullet's: a note that only explains a term
('信用报告指第三方出具的…') refines nothing.
"""
from __future__ import annotations

import re
from dataclasses import replace
from collections.abc import Hashable, Sequence
from typing import TypeVar

from rapidfuzz import fuzz

from authoring.rule_words import NUM, normalise, parse_number
from authoring.reading import Reading
from authoring.rule_steps import listed_count
from authoring.rule_reader import read_rule

_NUMBERED = re.compile(r"(?:^|(?<=[\s。；;>]))[(（]\d{1,2}[)）]")
_DOTTED = re.compile(r"(?:^|(?<=[\s。；;>]))\d{1,2}[.、．](?!\d)")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_KINDS = ("checklist", "bands", "per_item", "deduction", "formula", "piecewise")
LIKENESS = 60  # partial ratio on the words alone; below it a note is about something else


def split_notes(text: str) -> list[str]:
    """A 评分细则 cell -> its numbered notes, without their numbers."""
    t = re.sub(r"\s+", " ", _TAG.sub(" ", text)).strip()
    # (1)(2)… as a rule; 1. 2. … when the cell opens with 1. and has no (1)
    numbered = _NUMBERED if _NUMBERED.search(t) or not _DOTTED.match(t) else _DOTTED
    heads = [m.start() for m in numbered.finditer(t)]
    if not heads:
        return [t] if t else []
    return [numbered.sub("", t[a:b], count=1).strip() for a, b in zip(heads, heads[1:] + [len(t)])]


def _words(text: str) -> str:
    return re.sub(r"[^\u4e00-\u9fffA-Za-z]", "", re.sub(r"得?\d+(?:\.\d+)?分", "", normalise(text)))


def _listed(note: str) -> int:
    """How many things a per-item note counts: 以上四类 / 等3项, or the list it opens with."""
    t = normalise(note)
    m = re.search(rf"(?:以上|等|共)({NUM})(?:类|项|个|种)", t)
    if m:
        return int(parse_number(m.group(1)))
    lead = [x for x in re.split(r"、", re.split(r"[,，:：;；。]", t)[0]) if x]
    return len(lead) if len(lead) >= 2 else listed_count(t)


K = TypeVar("K", bound=Hashable)


def pair_notes(notes: list[str], bullets: Sequence[tuple[K, str, Reading]]
               ) -> dict[K, tuple[str, Reading]]:
    """Each note that scores, to the one bullet (key, text, its reading) it refines.

    A bullet is refined only when the note's points equal the bullet's (a per-item note with
    no cap of its own counts up to the bullet's points when the things it counts do) and the note reads as a finer rule (more than one item, or another kind); each bullet and note is used once, the
    closest pairs first."""
    scored: list[tuple[float, K, str, Reading]] = []
    for note in notes:
        r = read_rule(note)
        # 每公开1类得0.25分 with no cap of its own counts up to the bullet's points
        open_count = r.kind == "per_item" and r.points is None
        if r.kind not in _KINDS or (r.points is None and not open_count) or r.reason:
            continue
        for key, text, br in bullets:
            if (br.points != r.points and not (open_count and br.points
                                               and _listed(note) * r.params["points"] == br.points)) \
                    or (br.kind == r.kind and len(r.params.get("items", [])) <= 1):
                continue
            like = fuzz.partial_ratio(_words(note), _words(text))
            if like >= LIKENESS:
                scored.append((like, key, note, replace(r, points=br.points) if open_count else r))
    out: dict[K, tuple[str, Reading]] = {}
    used: set[str] = set()
    for like, key, note, r in sorted(scored, key=lambda s: -s[0]):
        if key not in out and note not in used:
            out[key] = (note, r)
            used.add(note)
    return out
