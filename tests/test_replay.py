"""Replays: a WeCom callback carries a fresh timestamp and an unused nonce, and a message acted
on is acted on once, however often and however late it is delivered again — also after the
retention job has deleted the message copies (`creditbot prune`)."""
from __future__ import annotations

import logging
import secrets
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.app import create_app
from channels.freshness import timestamp_problem
from channels.wecom_crypto import WeComCrypto
from ledger.facts import init_office
from ledger.retention import Retention, prune
from ledger.submissions import list_submissions, record_submission
from ledger.units import add_member, add_unit
from ledger.db import open_db

TOKEN = "replayToken"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
CORP = "wwreplay"
TABLES = ("submissions", "adjustments", "staff_acts", "evidence", "audit", "outbox")


def _counts(db: Any) -> dict[str, int]:
    return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


def _prune_long_after(office: Any) -> None:
    """The nightly retention job, run far past the message copies' retention."""
    office.at((office.now + timedelta(days=200)).isoformat())
    counts = prune(office.db, office.settings["CREDITBOT_DATA"], office.now, Retention())
    assert counts["inbound"] > 0  # the copies that de-duplicated these messages are gone


@pytest.mark.parametrize("text", ["扣分 市民政局 乱收费 被省通报",
                                  "打分 市税务局 双公示 concealed_cut=1.5 瞒报2条",
                                  "代报 市税务局 信用承诺 40",
                                  "审核 市税务局 信用承诺 驳回 数字有误"])
def test_a_staff_record_replayed_after_prune_is_not_recorded_again(lvliang, text):
    lvliang.chat("sw1", "报送 信用承诺 35")  # something for 审核 to review
    first = lvliang.chat("staff1", text, msg_id="staff-msg-1")
    assert "编号" in first, first
    again = lvliang.chat("staff1", text, msg_id="staff-msg-1")  # a platform retry
    assert again == first
    recorded = _counts(lvliang.db)
    _prune_long_after(lvliang)
    recorded["audit"] += 1  # the prune's own entry
    replayed = lvliang.chat("staff1", text, msg_id="staff-msg-1")
    assert "处理过" in replayed and "没有重复记录" in replayed
    assert _counts(lvliang.db) == recorded


def test_a_gate_confirmation_replayed_after_prune_is_not_recorded_again(office):
    init_office(office.db, "puyang-2021-demo-city", 2021)
    office.unit("市中级人民法院", "fy1")
    office.staff()
    office.at("2021-05-10T10:00")
    assert "达标" in office.chat("staff1", "确认 市中级人民法院 基础3 达标", msg_id="gate-1")
    recorded = _counts(office.db)
    _prune_long_after(office)
    recorded["audit"] += 1
    assert "处理过" in office.chat("staff1", "确认 市中级人民法院 基础3 达标", msg_id="gate-1")
    assert _counts(office.db) == recorded


def test_a_replayed_submission_after_prune_logs_no_error(lvliang, caplog):
    assert "已记录" in lvliang.chat("sw1", "报送 信用承诺 35", msg_id="sub-1")
    _prune_long_after(lvliang)
    with caplog.at_level(logging.WARNING, logger="creditbot"):
        reply = lvliang.chat("sw1", "报送 信用承诺 35", msg_id="sub-1")
    assert "处理过" in reply
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    assert len([s for s in list_submissions(lvliang.db) if s.indicator == "7"]) == 1


def test_recording_one_message_twice_keeps_the_first(lvliang):
    """The ledger itself: a second submission under the same message id is the first one (a
    ledger migrated from before the message memory has no entry for its old messages)."""
    kw = dict(unit_id=1, indicator="7", period="2022-09", kind="data", text="",
              now=lvliang.now, member_id=None, channel="dingtalk", source_msg_id="dup-1")
    first = record_submission(lvliang.db, metrics={"count": 35}, **kw)
    second = record_submission(lvliang.db, metrics={"count": 99}, **kw)
    assert second.id == first.id and second.metrics == first.metrics
    assert len(list_submissions(lvliang.db)) == 1


# ---- the WeCom callback: a timestamp window and a nonce memory ----------------------------

@pytest.fixture
def wecom(tmp_path: Path) -> Any:
    settings = {"CREDITBOT_DB": str(tmp_path / "c.db"), "CREDITBOT_DATA": str(tmp_path / "data"),
                "CREDITBOT_NOW": "2022-09-01T10:00:00", "WECOM_CORP_ID": CORP,
                "WECOM_TOKEN": TOKEN, "WECOM_AES_KEY": AES_KEY}
    db = open_db(settings["CREDITBOT_DB"])
    init_office(db, "lvliang-2022-departments", 2022)
    add_member(db, "mz1", "赵磊", "liaison", add_unit(db, "市民政局").id)
    add_member(db, "staff1", "刘洋", "staff", None)
    db.close()
    client = create_app(settings).test_client()
    client.settings = settings
    return client


def _inner(user: str, text: str, msg_id: str) -> bytes:
    return (f"<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><FromUserName><![CDATA[{user}]]>"
            f"</FromUserName><CreateTime>{int(time.time())}</CreateTime><MsgType>text</MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId>"
            f"<AgentID>1</AgentID></xml>").encode()


def _request(inner: bytes, timestamp: str, nonce: str | None = None) -> tuple[str, str]:
    nonce = nonce or str(secrets.randbelow(10**9))
    encrypt, signature = WeComCrypto(TOKEN, AES_KEY, CORP).encrypt(inner, timestamp, nonce)
    query = urlencode({"msg_signature": signature, "timestamp": timestamp, "nonce": nonce})
    return (f"/wecom/callback?{query}",
            f"<xml><ToUserName>x</ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")


def _post(client: Any, req: tuple[str, str]) -> Any:
    return client.post(req[0], data=req[1], content_type="text/xml")


def _deductions(client: Any) -> int:
    db = open_db(client.settings["CREDITBOT_DB"])
    try:
        return db.execute("SELECT COUNT(*) FROM adjustments").fetchone()[0]
    finally:
        db.close()


@pytest.mark.parametrize("timestamp", ["1", "not-a-time", "１７００", "²", "9" * 40])
def test_wecom_refuses_a_timestamp_that_is_not_now(wecom, timestamp):
    resp = _post(wecom, _request(_inner("staff1", "扣分 市民政局 乱收费 被省通报", "w1"), timestamp))
    assert resp.status_code == 403 and "timestamp" in resp.get_data(as_text=True)
    assert _deductions(wecom) == 0


def test_a_wecom_request_captured_long_ago_is_refused(wecom):
    """What the attack did: a staff 扣分 captured once, sent again after 181 days (its inbound
    copy pruned by then). The signature still holds; the timestamp does not."""
    old = str(int(time.time()) - 181 * 86400)
    resp = _post(wecom, _request(_inner("staff1", "扣分 市民政局 乱收费 被省通报", "w2"), old))
    assert resp.status_code == 403
    assert _deductions(wecom) == 0


def test_a_wecom_retry_is_answered_and_a_reused_nonce_is_refused(wecom):
    now = str(int(time.time()))
    req = _request(_inner("staff1", "扣分 市民政局 乱收费 被省通报", "w3"), now, nonce="777")
    first = _post(wecom, req)
    assert first.status_code == 200 and first.data
    assert _post(wecom, req).status_code == 200  # the very same request: a retry
    other = _request(_inner("staff1", "扣分 市民政局 乱收费 又一起", "w4"), now, nonce="777")
    assert _post(wecom, other).status_code == 403
    assert _deductions(wecom) == 1


def test_the_window_either_side():
    assert timestamp_problem("1000", 1000 + 3600, 3600) is None
    assert timestamp_problem("1000", 1000 - 3600, 3600) is None
    assert timestamp_problem("1000", 1000 + 3601, 3600) is not None


def test_prune_keeps_the_nonces_for_as_long_as_their_requests_are_accepted(wecom):
    """The retention job runs between a capture and its replay: the nonce memory is kept a
    day, longer than the two hours a timestamp is accepted, so the pair still binds."""
    now = str(int(time.time()))
    assert _post(wecom, _request(_inner("staff1", "扣分 市民政局 乱收费 被省通报", "w5"), now,
                                 nonce="888")).status_code == 200
    db = open_db(wecom.settings["CREDITBOT_DB"])
    try:
        prune(db, wecom.settings["CREDITBOT_DATA"], datetime(2022, 9, 1, 12, 0), Retention())
    finally:
        db.close()
    other = _request(_inner("staff1", "扣分 市民政局 乱收费 又一起", "w6"), now, nonce="888")
    assert _post(wecom, other).status_code == 403
    assert _deductions(wecom) == 1
