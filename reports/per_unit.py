"""Items of a city scheme scored per responsible unit (`per_unit`, 各责任单位分别计分) in a 通报:
the city's points on the item are made from the units' (their mean, lowest or sum), so the
通报 names each unit's points in a table of its own, best first with places (ties share the
better place), the way 排名 lists them.
"""
from __future__ import annotations

from reports.document import Official, two
from scoring.card import STATUS_ZH, ItemCard, Scorecard
from scoring.engine import PER_UNIT_ZH
from worktime.numerals import write_int

__all__ = ["per_unit_items", "per_unit_tables"]


def per_unit_items(card: Scorecard) -> list[tuple[ItemCard, str]]:
    """The card's items scored per unit with how the city's points are made (平均, 最低, 合计)."""
    return [(item, PER_UNIT_ZH[item.per_unit]) for item in card.items
            if item.units and item.per_unit is not None]


def _summary(item: ItemCard, how: str) -> str:
    """全市取平均，本项得1.67分（满分5分）；3个责任单位，其中已计分2个、未报送1个。"""
    states = [u.status for u in item.units.values()]
    counts = "、".join(f"{zh}{states.count(s)}个" for s, zh in STATUS_ZH.items() if s in states)
    full = two(item.max_points) if item.max_points is not None else "—"
    return (f"各责任单位分别计分，全市取{how}，本项得{two(item.points)}分（满分{full}分）；"
            f"{len(states)}个责任单位，其中{counts}。")


def per_unit_tables(doc: Official, card: Scorecard) -> int:
    """For each item of `card` scored per unit, a line saying how the city's points are made
    and a table of every unit's points; returns how many items were written."""
    items = per_unit_items(card)
    for n, (item, how) in enumerate(items, start=1):
        doc.para(f"{write_int(n)}是“{item.code} {item.name}”。{_summary(item, how)}")
        rows = [[str(place), name, two(own.points), two(own.max_points), STATUS_ZH.get(own.status, own.status)]
                for place, name, own in item.unit_places()]
        doc.table(["名次", "责任单位", "得分", "满分", "状态"], rows, [1.4, 6.4, 1.8, 1.8, 2.2])
    return len(items)
