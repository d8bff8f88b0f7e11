"""The demo office `make run` starts with: the 吕梁 市直 scheme, five units, their liaisons and
one staff member, so a new user can chat with it at once."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ledger.db import get_meta, open_db
from ledger.facts import init_office, office, reports_per_period
from ledger.submissions import record_submission
from ledger.units import add_member, add_unit, list_units
from worktime.calendar import WorkCalendar
from worktime.period import Period, deadline

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
        from bot.app import make_clock
        now = make_clock(settings)()  # CREDITBOT_NOW fixes the demo's clock too
        if not get_meta(db, "scheme_id"):
            year = int(str(settings.get("CREDITBOT_NOW") or now.isoformat())[:4])
            init_office(db, DEMO_SCHEME, year)
        if not list_units(db):
            for name, uid, person in DEMO_UNITS:
                unit = add_unit(db, name, "department", now=now, actor="demo")
                add_member(db, uid, person, "liaison", unit.id, now=now, actor="demo")
            add_member(db, DEMO_STAFF[0], DEMO_STAFF[1], "staff", None, now=now, actor="demo")
            _seed(db, int(get_meta(db, "year") or now.year), now)
    finally:
        db.close()
    print("演示数据已就绪：吕梁市市直成员单位考核方案，5 个单位。试试（另开一个终端）：")
    print("  .venv/bin/creditbot chat --as fgw 帮助")
    print("  .venv/bin/creditbot chat --as fgw 报送 信用承诺 35")
    print("  .venv/bin/creditbot chat --as fgw 得分")
    print("  .venv/bin/creditbot chat --as xyb 排名")
    print("  PUBLIC_BASE_URL=http://127.0.0.1:5000 .venv/bin/creditbot chat --as xyb 控制台"
          "   # 网页控制台的登录链接")


# Some units further along than others, so 得分/排名/缺项 have something to show.
_DATA: dict[str, dict[str, dict[str, Any]]] = {
    "市发展改革委": {"1": {"staffed": True, "mechanism": True}, "7": {"commitments": 420},
                 "8": {"fulfilments": 380}, "12": {"cases": 36}, "13": {"realtime_push": True},
                 "5": {"classes": 5}},
    "市市场监管局": {"1": {"staffed": True, "mechanism": False}, "7": {"commitments": 260},
                 "8": {"fulfilments": 300}, "12": {"cases": 12}},
    "市税务局": {"7": {"commitments": 90}, "12": {"cases": 20}, "13": {"realtime_push": True}},
}


def _seed(db, year: int, now: datetime) -> None:
    cal = WorkCalendar.default()
    off = office(db)
    units = {u.name: u for u in list_units(db)}
    for n, (name, indicators) in enumerate(_DATA.items()):
        unit = units[name]
        for code, metrics in indicators.items():
            ind = off.scheme.indicator(code)
            # counts reported monthly: last month's figure (a 报送 now adds this month's)
            month = max(1, now.month - 1) if now.year == year else 12
            period = (str(Period.of_month(year, month)) if ind is not None and ind.due is None
                      and reports_per_period(ind) == "monthly" else str(year))
            record_submission(db, unit_id=unit.id, indicator=code, period=period, kind="data",
                              metrics=metrics, text="演示数据", now=now, member_id=None,
                              channel="demo", source_msg_id=None, actor="demo")
        # monthly briefings so far this year, the later units less punctual
        for month in range(1, min(now.month, 12) if now.year == year else 12):
            period = str(Period.of_month(year, month))
            due = deadline(cal, "monthly", period, 2)
            on_time = (month + n) % (n + 2) != 0
            record_submission(db, unit_id=unit.id, indicator="11", period=period,
                              kind="briefing", metrics={}, text=f"{month}月工作总结（演示）",
                              now=now, member_id=None, channel="demo", source_msg_id=None,
                              deadline=due.isoformat(), on_time=on_time, actor="demo")
