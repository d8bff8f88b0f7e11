"""Bulk review in chat, over the real WeCom and DingTalk callbacks: 审核 … 全部 / 年度 / 期别 通过
approves every waiting period it names as one record, the reply counts per unit, the liaisons
hear once, 驳回 stays one item, and one 撤销 puts all of it back."""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import pytest

from bot.app import create_app
from fake_dingtalk import FakeDingTalk
from ledger.db import open_db
from ledger.facts import init_office
from ledger.outbox import list_items
from ledger.units import add_member, add_unit, set_aliases
from servers import app_server
from test_e2e_dingtalk import Robot
from test_e2e_wecom import served_wecom

NOW = "2022-09-01T10:00:00"
# unit, 简称, liaison: each sends its 月报 for these months
UNITS = [("市税务局", None, "sw1", (5, 6, 7, 8)), ("市发展改革委", "发改委", "fgw1", (6, 7, 8)),
         ("市民政局", None, "mz1", (8,))]


def _office(settings: dict[str, Any]) -> dict[str, Any]:
    """Writes the three-unit office; returns its settings."""
    db = open_db(settings["CREDITBOT_DB"])
    init_office(db, "lvliang-2022-departments", 2022)
    for name, short, uid, _ in UNITS:
        unit = add_unit(db, name)
        if short:
            set_aliases(db, unit, [short], datetime.fromisoformat(NOW))
        add_member(db, uid, f"联络员{uid}", "liaison", unit.id)
    add_member(db, "staff1", "刘洋", "staff", None)
    db.close()
    return settings


@pytest.fixture(params=["wecom", "dingtalk"])
def say(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., str]]:
    """say(user, text[, msg_id]) -> the reply, through the platform's signed callback."""
    base = {"CREDITBOT_DB": str(tmp_path / "creditbot.db"), "CREDITBOT_DATA": str(tmp_path / "data"),
            "CREDITBOT_NOW": NOW}
    if request.param == "wecom":
        with served_wecom(lambda p: _office({**base, **p})) as platform:
            n = iter(range(1, 10_000))
            yield lambda user, text, msg_id=None: platform.say(user, text, msg_id or str(next(n)))
    else:
        with FakeDingTalk() as fake:
            settings = {**base, **fake.settings()}
            _office(settings)
            with app_server(create_app(settings)) as url:
                robot = Robot(url, fake, settings)
                yield lambda user, text, msg_id=None: robot.say(user, text, msg_id)


def _statuses(tmp_path: Path) -> dict[tuple[str, str], str]:
    """(unit, period) of each 月报 → its status."""
    db = open_db(tmp_path / "creditbot.db")
    try:
        return {(u, p): s for u, p, s in db.execute(
            "SELECT u.name, s.period, s.status FROM submissions s JOIN units u ON u.id = s.unit_id "
            "WHERE s.kind = 'briefing'").fetchall()}
    finally:
        db.close()


def _send_briefings(say: Callable[..., str]) -> None:
    for _, _, uid, months in UNITS:
        for m in months:
            assert "已收到" in say(uid, f"月报 2022-{m:02d} {m}月开展诚信宣传两次。")


def test_a_year_a_whole_item_and_one_month_for_everyone(say: Callable[..., str], tmp_path: Path):
    _send_briefings(say)
    year = say("staff1", "审核 发改委 月报 2022 通过")
    assert "已通过 3 条记录（1 个单位）" in year
    assert "市发展改革委：3 条" in year and "2022-06、2022-07、2022-08" in year
    every = say("staff1", "审核 市税务局 月报 全部 通过")
    assert "市税务局：4 条" in every and "2022-05、2022-06、2022-07、2022-08" in every
    status = _statuses(tmp_path)
    assert {k: v for k, v in status.items() if v == "accepted"}.keys() == {
        ("市发展改革委", "2022-06"), ("市发展改革委", "2022-07"), ("市发展改革委", "2022-08"),
        ("市税务局", "2022-05"), ("市税务局", "2022-06"), ("市税务局", "2022-07"), ("市税务局", "2022-08")}
    assert status[("市民政局", "2022-08")] == "submitted"
    # Nothing left for the tax office: said plainly, nothing recorded.
    assert "没有待审核" in say("staff1", "审核 市税务局 月报 全部 通过")


def test_one_undo_puts_a_whole_bulk_approval_back(say: Callable[..., str], tmp_path: Path):
    _send_briefings(say)
    before = _statuses(tmp_path)
    reply = say("staff1", "审核 全部 月报 2022-08 通过", "bulk-1")
    assert "已通过 3 条记录（3 个单位）" in reply
    for name in ("市税务局", "市发展改革委", "市民政局"):
        assert f"{name}：1 条" in reply
    assert say("staff1", "审核 全部 月报 2022-08 通过", "bulk-1") == reply  # a retry: one act
    after = _statuses(tmp_path)
    assert [k for k in after if after[k] != before[k]] == [
        k for k in after if k[1] == "2022-08"]
    number = re.search(r"撤销请发：撤销 (\d+)", reply).group(1)
    undone = say("staff1", f"撤销 {number}")
    assert f"已撤销编号 {number}" in undone
    assert _statuses(tmp_path) == before
    db = open_db(tmp_path / "creditbot.db")
    try:
        acts = db.execute("SELECT count(*) FROM staff_acts WHERE kind = '审核'").fetchone()[0]
        told = [(i.target.get("users"), i.payload.get("text", "")) for i in list_items(db)]
    finally:
        db.close()
    assert acts == 1
    for uid in ("sw1", "fgw1", "mz1"):  # each unit heard of the approval and of the undo once
        mine = [t for users, t in told if users == [uid]]
        assert sum("审核了您单位的报送" in t and "2022-08" in t for t in mine) == 1, mine
        assert sum("撤销了对您单位的一条记录" in t for t in mine) == 1, mine


def test_rejecting_stays_one_item_with_a_reason(say: Callable[..., str], tmp_path: Path):
    _send_briefings(say)
    before = _statuses(tmp_path)
    refused = say("staff1", "审核 全部 月报 驳回 材料不全")
    assert "不能批量驳回" in refused
    assert "不能批量驳回" in say("staff1", "审核 市税务局 月报 全部 驳回 材料不全")
    assert _statuses(tmp_path) == before
    one = say("staff1", "审核 市税务局 月报 2022-07 驳回 材料不全")
    assert "已驳回（材料不全）" in one
    assert _statuses(tmp_path) == {**before, ("市税务局", "2022-07"): "rejected"}
    # A liaison cannot review at all, in bulk or not.
    assert "已通过" not in say("sw1", "审核 全部 月报 通过")
