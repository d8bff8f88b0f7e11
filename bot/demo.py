"""The demo office `make run` starts with: the 吕梁 市直 scheme, five units, their liaisons and
one staff member, so a new user can chat with it at once."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ledger.db import get_meta, open_db
from ledger.facts import init_office
from ledger.units import add_member, add_unit, list_units

__all__ = ["ensure_demo", "DEMO_UNITS", "DEMO_STAFF"]

DEMO_SCHEME = "lvliang-2022-departments"
DEMO_UNITS = [
    ("市发展改革委", "fgw", "王芳"),
    ("市市场监管局", "scjg", "李强"),
    ("市税务局", "sw", "张敏"),
    ("市民政局", "mz", "赵磊"),
    ("市人力资源社会保障局", "rs", "陈静"),
]
DEMO_STAFF = ("xyb", "刘洋（市信用办）")


def ensure_demo(settings: dict[str, Any]) -> None:
    """Create the demo office in an empty database; leave an existing one alone."""
    db = open_db(settings["CREDITBOT_DB"])
    try:
        now = datetime.now()
        if not get_meta(db, "scheme_id"):
            year = int(str(settings.get("CREDITBOT_NOW") or now.isoformat())[:4])
            init_office(db, DEMO_SCHEME, year)
        if not list_units(db):
            for name, uid, person in DEMO_UNITS:
                unit = add_unit(db, name, "department", now=now, actor="demo")
                add_member(db, uid, person, "liaison", unit.id, now=now, actor="demo")
            add_member(db, DEMO_STAFF[0], DEMO_STAFF[1], "staff", None, now=now, actor="demo")
    finally:
        db.close()
    print("演示数据已就绪：吕梁市市直成员单位考核方案，5 个单位。试试（另开一个终端）：")
    print("  .venv/bin/creditbot chat --as fgw 帮助")
    print("  .venv/bin/creditbot chat --as fgw 报送 信用承诺 35")
    print("  .venv/bin/creditbot chat --as fgw 得分")
    print("  .venv/bin/creditbot chat --as xyb 排名")
