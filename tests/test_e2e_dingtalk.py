"""End to end on loopback: the real app served on 127.0.0.1, a DingTalk client written from the
protocol (timestamp + HMAC-SHA256 sign headers, JSON body), and FakeDingTalk as the DingTalk API
for file downloads and pushes."""
from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.app import create_app
from channels.dingtalk import callback_sign
from fake_dingtalk import FakeDingTalk
from ledger.files import locate
from ledger.db import open_db
from ledger.facts import init_office
from ledger.outbox import enqueue, list_items
from ledger.submissions import list_evidence, list_submissions
from ledger.units import add_member, add_unit
from reminders.outbox import deliver_due, make_senders
from servers import app_server
from traffic import unique_ms

XLSX = b"PK\x03\x04" + b"\x14\x00" * 40
_ids = itertools.count(1)


@dataclass
class Robot:
    """Plays DingTalk's side of the enterprise robot HTTP callback."""

    base: str
    fake: FakeDingTalk
    settings: dict[str, Any]

    def body(self, user: str, msgtype: str, content: Any, msg_id: str | None = None) -> dict:
        body: dict[str, Any] = {
            "conversationId": "cid-e2e", "msgId": msg_id or f"msg{next(_ids)}",
            "senderNick": "张敏", "senderStaffId": user, "senderId": "$:LWCP_v1:$x",
            "createAt": int(time.time() * 1000), "conversationType": "1",
            "sessionWebhook": self.fake.session_webhook(), "robotCode": self.fake.robot_code,
            "msgtype": msgtype,
        }
        body["text" if msgtype == "text" else "content"] = content
        return body

    def post(self, body: dict, timestamp_ms: int | None = None, sign: str | None = None) -> requests.Response:
        ts = str(timestamp_ms if timestamp_ms is not None else unique_ms())
        headers = {"timestamp": ts, "sign": sign or callback_sign(ts, self.fake.app_secret)}
        return requests.post(f"{self.base}/dingtalk/callback", json=body, headers=headers,
                             timeout=10)

    def say(self, user: str, text: str, msg_id: str | None = None) -> str:
        resp = self.post(self.body(user, "text", {"content": f" {text}"}, msg_id))
        assert resp.status_code == 200, resp.text
        data = resp.json()
        return data["text"]["content"] if data["msgtype"] == "text" else data["markdown"]["text"]

    def db(self) -> Any:
        return open_db(self.settings["CREDITBOT_DB"])


@pytest.fixture
def robot(tmp_path: Path) -> Iterator[Robot]:
    with FakeDingTalk() as fake:
        settings = {"CREDITBOT_DB": str(tmp_path / "creditbot.db"),
                    "CREDITBOT_DATA": str(tmp_path / "data"),
                    "CREDITBOT_NOW": "2022-09-01T10:00:00", **fake.settings()}
        db = open_db(settings["CREDITBOT_DB"])
        init_office(db, "lvliang-2022-departments", 2022)
        tax = add_unit(db, "市税务局")
        add_member(db, "sw1", "张敏", "liaison", tax.id)
        db.close()
        with app_server(create_app(settings)) as base:
            yield Robot(base, fake, settings)


def test_signed_score_request_gets_the_card(robot: Robot):
    assert "总分" in robot.say("sw1", "得分")


def test_stale_timestamp_and_wrong_sign_are_refused(robot: Robot):
    body = robot.body("sw1", "text", {"content": "报送 信用承诺 35"})
    two_hours_ago = int(time.time() * 1000) - 2 * 3600 * 1000
    assert robot.post(body, timestamp_ms=two_hours_ago).status_code == 403
    assert robot.post(body, sign="d3Jvbmcgc2lnbg==").status_code == 403
    db = robot.db()
    assert list_submissions(db) == []
    assert db.execute("SELECT COUNT(*) FROM inbound").fetchone()[0] == 0
    db.close()
    assert requests.get(f"{robot.base}/healthz", timeout=5).json()["channels"]["dingtalk"] is True


def test_unknown_sender_is_told_about_binding(robot: Robot):
    assert "绑定" in robot.say("stranger", "得分")


def test_a_file_after_evidence_command_is_fetched_and_stored(robot: Robot):
    robot.fake.files["DLCODE-1"] = (XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "佐证材料" in robot.say("sw1", "佐证 双公示")
    resp = robot.post(robot.body("sw1", "file", {"fileName": "2022年第三季度双公示台账.xlsx",
                                                 "downloadCode": "DLCODE-1", "spaceId": "1",
                                                 "fileId": "2"}))
    assert resp.status_code == 200 and "已收到" in resp.json()["text"]["content"]
    assert robot.fake.download_requests[-1] == {"downloadCode": "DLCODE-1",
                                                "robotCode": robot.fake.robot_code}
    db = robot.db()
    rows = list_evidence(db)
    db.close()
    assert len(rows) == 1 and rows[0]["indicator"] == "3" and rows[0]["channel"] == "dingtalk"
    assert rows[0]["original_name"] == "2022年第三季度双公示台账.xlsx"
    assert locate(robot.settings["CREDITBOT_DATA"], rows[0]["path"]).read_bytes() == XLSX


def test_a_repeated_msg_id_records_once(robot: Robot):
    replies = [robot.say("sw1", "报送 信用承诺 35", msg_id="dup-1") for _ in range(3)]
    assert replies[0] == replies[1] == replies[2]
    db = robot.db()
    assert len(list_submissions(db)) == 1
    db.close()


def test_pushes_to_users_and_group_robot_with_throttle_retry(robot: Robot):
    db = robot.db()
    t0 = datetime(2022, 9, 1, 9, 0)
    enqueue(db, "r:users", "dingtalk", {"users": [f"u{i}" for i in range(25)]},
            {"text": "请于9月2日前报送8月月报"}, t0)
    enqueue(db, "r:group", "dingtalk",
            {"webhook": robot.fake.robot_webhook, "secret": robot.fake.robot_secret,
             "mentions": ["sw1"]}, {"text": "以下单位尚未报送月报：市税务局"}, t0)
    robot.fake.robot_errcode_script.append(410100)
    senders = make_senders(robot.settings)
    assert deliver_due(db, t0, senders) == {"sent": 1, "retried": 1, "failed": 0, "deferred": 0}
    assert [len(c["userIds"]) for c in robot.fake.batch_calls] == [20, 5]
    group = next(i for i in list_items(db) if i.key == "r:group")
    assert group.status == "pending" and "410100" in (group.last_error or "")
    assert deliver_due(db, t0 + timedelta(minutes=5), senders)["sent"] == 0  # still throttled
    assert deliver_due(db, t0 + timedelta(minutes=10), senders)["sent"] == 1
    db.close()
    message = robot.fake.robot_messages[0]
    assert message["text"]["content"] == "以下单位尚未报送月报：市税务局"
    assert message["at"]["atUserIds"] == ["sw1"]
    assert robot.fake.token_requests == 1


def test_staff_read_a_submission_and_get_its_file_as_a_dingtalk_file_message(robot: Robot):
    db = robot.db()
    add_member(db, "staff1", "刘洋", "staff", None, channel="dingtalk")
    db.close()
    robot.fake.files["DLCODE-9"] = (XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp = robot.post(robot.body("sw1", "file", {"fileName": "双公示台账2022Q3.xlsx",
                                                 "downloadCode": "DLCODE-9"}))
    assert "已收到" in resp.json()["text"]["content"]  # named by its file name alone
    assert "F1｜市税务局｜3" in robot.say("staff1", "待审")
    shown = robot.say("staff1", "查看 F1")
    assert "双公示台账2022Q3.xlsx" in shown and "随后单独发给您" in shown
    db = robot.db()
    counts = deliver_due(db, datetime(2022, 9, 1, 10, 1), make_senders(robot.settings))
    db.close()
    assert counts["failed"] == 0
    (media_id,) = robot.fake.uploads
    assert robot.fake.uploads[media_id] == (XLSX, "双公示台账2022Q3.xlsx")
    call = next(c for c in robot.fake.batch_calls if c["msgKey"] == "sampleFile")
    assert call["userIds"] == ["staff1"]
    assert json.loads(call["msgParam"]) == {"mediaId": media_id, "fileName": "双公示台账2022Q3.xlsx",
                                            "fileType": "xlsx"}


def test_staff_control_through_the_dingtalk_callback(robot: Robot):
    db = robot.db()
    add_member(db, "staff1", "刘洋", "staff", None, channel="dingtalk")
    add_unit(db, "市发展改革委", aliases=["发改委"])
    db.close()
    entered = robot.say("staff1", "代报 市税务局 双公示 台账 2022-Q1 按时\n代报 市税务局 行政强制 三类")
    assert "【1】" in entered and "【2】" in entered and entered.count("编号") == 2
    number = int(entered.split("撤销请发：撤销 ")[2].split("）")[0])
    assert "已撤销" in robot.say("staff1", f"撤销 {number}")
    assert "市发展改革委" in robot.say("staff1", "单位 发改委")
    assert "5类" in robot.say("sw1", "报送 行政强制 7")
    assert "已记录" in robot.say("sw1", "报送 信用承诺 三十五份")
    assert "总分" in robot.say("sw1", "的分")
    db = robot.db()
    subs = list_submissions(db, statuses=("submitted", "accepted"))
    db.close()
    assert sorted((s.indicator, s.metrics.get("commitments")) for s in subs) == [("3", None), ("7", 35)]
