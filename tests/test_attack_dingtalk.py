"""Attacks on the DingTalk callback of a real server on 127.0.0.1, as the hardening review ran
them: a captured timestamp/sign pair replayed with another body, callers outside the allowed
networks, and hostile header values."""
from __future__ import annotations

from pathlib import Path

import requests
from hypothesis import given, strategies as st

from bot.app import create_app
from channels.dingtalk import callback_sign
from fake_dingtalk import FakeDingTalk
from ledger.db import open_db
from ledger.facts import init_office
from ledger.submissions import list_submissions
from ledger.units import add_member, add_unit, list_members
from servers import app_server
from test_e2e_dingtalk import Robot, robot  # noqa: F401  (fixture)
from traffic import unique_ms


def _count(robot: Robot, sql: str) -> int:
    db = robot.db()
    try:
        return db.execute(sql).fetchone()[0]
    finally:
        db.close()


def test_a_captured_sign_cannot_carry_another_body(robot: Robot):
    ts = str(unique_ms())
    sign = callback_sign(ts, robot.fake.app_secret)
    first = robot.body("sw1", "text", {"content": "得分"}, msg_id="cap-1")
    assert robot.post(first, timestamp_ms=int(ts), sign=sign).status_code == 200
    # The attacker keeps the headers and swaps the body: an admin's id, a rebinding command.
    members_before = len(list_members(robot.db()))
    evil = robot.body("admin1", "text", {"content": "绑定 evil 工作人员 坏人"}, msg_id="cap-2")
    resp = robot.post(evil, timestamp_ms=int(ts), sign=sign)
    assert resp.status_code == 403 and "重放" in resp.text
    same_id = robot.body("sw1", "text", {"content": "报送 信用承诺 99"}, msg_id="cap-1")
    assert robot.post(same_id, timestamp_ms=int(ts), sign=sign).status_code == 403
    assert len(list_members(robot.db())) == members_before
    assert list_submissions(robot.db()) == []
    assert _count(robot, "SELECT COUNT(*) FROM inbound") == 1


def test_dingtalk_retrying_the_same_delivery_is_still_answered_once(robot: Robot):
    ts = unique_ms()
    body = robot.body("sw1", "text", {"content": "报送 信用承诺 35"}, msg_id="retry-1")
    answers = [robot.post(body, timestamp_ms=ts) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[0].json() == answers[2].json()
    assert len(list_submissions(robot.db())) == 1


def _server(tmp_path: Path, fake: FakeDingTalk, allowed: str):
    settings = {"CREDITBOT_DB": str(tmp_path / "c.db"), "CREDITBOT_DATA": str(tmp_path / "d"),
                "CREDITBOT_NOW": "2022-09-01T10:00:00", **fake.settings(),
                "DINGTALK_ALLOWED_IPS": allowed}
    db = open_db(settings["CREDITBOT_DB"])
    init_office(db, "lvliang-2022-departments", 2022)
    add_member(db, "sw1", "张敏", "liaison", add_unit(db, "市税务局").id, channel="dingtalk")
    db.close()
    return app_server(create_app(settings))


def test_source_ip_allowlist_refuses_other_networks(tmp_path: Path):
    with FakeDingTalk() as fake, _server(tmp_path, fake, "10.0.0.0/8, 192.168.1.7") as base:
        robot_ = Robot(base, fake, {})
        resp = robot_.post(robot_.body("sw1", "text", {"content": "得分"}))
        assert resp.status_code == 403 and "来源地址" in resp.text
    with FakeDingTalk() as fake, _server(tmp_path / "b", fake, "127.0.0.0/8") as base:
        assert "总分" in Robot(base, fake, {}).say("sw1", "得分")


@given(timestamp=st.one_of(st.just("²"), st.just("9" * 5000), st.just("１２３"),
                           st.text(max_size=40)),
       sign=st.one_of(st.just(""), st.text(max_size=60)),
       query=st.dictionaries(st.text(max_size=10), st.text(max_size=30), max_size=3))
def test_hostile_headers_and_query_strings_get_a_clean_refusal(robot: Robot, timestamp: str,
                                                               sign: str, query: dict):
    headers = {"timestamp": timestamp.encode("utf-8").decode("latin-1"),
               "sign": sign.encode("utf-8").decode("latin-1")}
    headers = {k: v.replace("\r", "").replace("\n", "") for k, v in headers.items()}
    resp = requests.post(f"{robot.base}/dingtalk/callback", params=query, headers=headers,
                         json=robot.body("sw1", "text", {"content": "得分"}), timeout=10)
    assert resp.status_code in (400, 403), resp.text
    assert "Traceback" not in resp.text
