"""Which indicators a unit answers for, by the 牵头/责任单位 printed in the scheme.

A unit is named by its full name, its name without the leading 市, or an alias; group names
name every unit of a kind: 县（市）区人民政府 / 各县（区） → the counties, 市直各部门 /
领导小组成员单位 → the departments.
"""
from __future__ import annotations

import re

from ledger.units import Unit
from schemes.model import Indicator, Scheme

__all__ = ["answers_for", "duties"]

_COUNTIES = re.compile(r"县（[市区、]+）区?|县（区）|县\(市\)区|各县|区县|县市区")
_DEPARTMENTS = re.compile(r"市直[各有相]*关?[部单][门位]|市级各行业主管部门|成员单位")


def answers_for(ind: Indicator, unit: Unit) -> bool:
    short = unit.name.removeprefix("市")
    for named in list(ind.lead) + list(ind.responsible):
        if unit.name in named or (len(short) >= 2 and short in named):
            return True
        if any(a and len(a) >= 2 and a in named for a in unit.aliases):
            return True
        if unit.kind == "county" and _COUNTIES.search(named):
            return True
        if unit.kind == "department" and _DEPARTMENTS.search(named):
            return True
    return False


def duties(scheme: Scheme, unit: Unit) -> set[str]:
    """Codes of the indicators this unit answers for."""
    return {ind.code for _, ind in scheme.indicators() if answers_for(ind, unit)}
