"""Operations as the office will run them: readiness on a real server, failed pushes in chat
and on the command line, the audit export, retention and logs."""
from __future__ import annotations

import json
import logging
import os
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
import requests

import bot.readiness
from bot.app import create_app
from bot.logs import setup_logging
from command_line import Run, creditbot
from ledger.audit import entries
from ledger.db import now_iso, open_db, write_probe
from ledger.outbox import enqueue, list_items, mark_failed
from ledger.retention import prune
from ledger.units import add_member
from servers import app_server
from test_e2e_dingtalk import Robot, robot  # noqa: F401  (fixture)
from worktime.clock import shanghai_now


@pytest.fixture
def quick_write_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    """The readiness write probe waits 0.1 s for a held write lock instead of its 2 s: these
    tests hold the lock on purpose, and what they check is the answer, not the wait."""
    monkeypatch.setattr(bot.readiness, "write_probe", lambda path: write_probe(path, timeout=0.1))


def _health(base: str) -> tuple[int, dict]:
    resp = requests.get(f"{base}/healthz", timeout=10)
    return resp.status_code, resp.json()


def test_readiness_reports_an_outbox_backlog_and_recovers(robot: Robot):
    assert _health(robot.base)[0] == 200
    db = robot.db()
    enqueue(db, "stuck", "console", {"users": ["sw1"]}, {"text": "x"},
            shanghai_now() - timedelta(hours=2))
    status, body = _health(robot.base)
    assert status == 503 and any("推送积压" in r for r in body["reasons"])
    assert body["checks"]["outbox"]["due"] == 1
    db.execute("UPDATE outbox SET status = 'sent'")
    db.conn.commit()
    db.close()
    assert _health(robot.base)[0] == 200


def test_readiness_says_when_the_database_cannot_take_writes(robot: Robot, quick_write_probe):
    holder = sqlite3.connect(robot.settings["CREDITBOT_DB"])
    holder.execute("BEGIN IMMEDIATE")  # another process holding the write lock
    try:
        status, body = _health(robot.base)
    finally:
        holder.rollback()
        holder.close()
    assert status == 503 and body["checks"]["database_writable"] is False
    assert any("数据库不可写" in r for r in body["reasons"])


def test_readiness_checks_free_disk_and_the_scheduler(tmp_path: Path):
    settings = {"CREDITBOT_DB": str(tmp_path / "h.db"), "CREDITBOT_DATA": str(tmp_path / "d"),
                "HEALTH_MIN_FREE_MB": 10**9, "CREDITBOT_SCHEDULER_EXPECTED": True}
    with app_server(create_app(settings)) as base:
        status, body = _health(base)
    assert status == 503
    assert any("磁盘剩余" in r for r in body["reasons"])
    assert any("心跳" in r for r in body["reasons"])


def _failed_push(robot: Robot) -> int:
    db = robot.db()
    now = shanghai_now()
    enqueue(db, "remind:day:1:2022-08:d1:2022-09-01", "wecom", {"users": ["sw1", "sw2"]},
            {"text": "请报送"}, now)
    item = list_items(db)[-1]
    mark_failed(db, item.id, now, "[60111] userid not found", None)
    db.close()
    return item.id


def test_staff_see_failed_pushes_and_queue_them_again_in_chat(robot: Robot):
    item_id = _failed_push(robot)
    db = robot.db()
    add_member(db, "xyb", "刘洋", "staff", None, channel="dingtalk")
    db.close()
    status = robot.say("xyb", "推送状态")
    assert f"#{item_id}" in status and "已失败" in status and "60111" in status
    assert "没有失败的推送 #999" in robot.say("xyb", "重发 999")
    assert "已重新排队 1 条" in robot.say("xyb", f"重发 {item_id}")
    db = robot.db()
    item = next(i for i in list_items(db) if i.id == item_id)
    assert item.status == "pending" and item.attempts == 0
    assert entries(db, action="outbox.retry")[0]["target"] == str(item_id)
    db.close()
    assert "没有失败或重试中的推送" in robot.say("xyb", "推送状态")
    reply = robot.say("sw1", "推送状态")  # liaisons may not
    assert "已重新排队" not in reply and f"#{item_id}" not in reply


def _cli(settings: dict, *args: str) -> Run:
    return creditbot(*args, env={"CREDITBOT_DB": settings["CREDITBOT_DB"],
                                 "CREDITBOT_DATA": settings["CREDITBOT_DATA"],
                                 "CREDITBOT_CONFIG": "/nonexistent.toml"})


def test_outbox_list_and_retry_on_the_command_line(robot: Robot):
    item_id = _failed_push(robot)
    listed = _cli(robot.settings, "outbox", "list", "--json")
    data = json.loads(listed.stdout)
    assert data["backlog"]["failed"] == 1 and data["items"][0]["id"] == item_id
    assert "60111" in _cli(robot.settings, "outbox", "list").stdout
    assert _cli(robot.settings, "outbox", "retry").returncode == 1
    done = _cli(robot.settings, "outbox", "retry", "--all")
    assert done.returncode == 0 and "1 条" in done.stdout


def test_audit_export_since_a_date(robot: Robot):
    robot.say("sw1", "报送 信用承诺 35")
    out = _cli(robot.settings, "audit", "--json", "--since", "2022-09-01")
    rows = json.loads(out.stdout)
    assert rows and rows == sorted(rows, key=lambda r: r["id"])
    assert all(r["at"] >= "2022-09-01" for r in rows)
    assert "submission" in " ".join(r["action"] for r in rows)
    later = json.loads(_cli(robot.settings, "audit", "--json", "--since", "2099-01-01").stdout)
    assert later == []
    csv_out = _cli(robot.settings, "audit").stdout.splitlines()
    assert csv_out[0] == "编号,时间,操作人,操作,对象,详情"
    assert len(csv_out) - 1 == len(json.loads(_cli(robot.settings, "audit", "--json").stdout))


def test_retention_prunes_copies_and_orphans_but_never_records(tmp_path: Path):
    data = tmp_path / "data"
    db = open_db(tmp_path / "r.db")
    now = shanghai_now()
    old = now_iso(now - timedelta(days=400))
    db.execute("INSERT INTO inbound(channel, msg_id, sender, received_at) VALUES "
               "('dingtalk', 'old', 'x', ?), ('dingtalk', 'new', 'x', ?)", [old, now_iso(now)])
    db.execute("INSERT INTO pending(member_key, kind, data, expires_at) VALUES ('k', 'x', '{}', ?)",
               [old])
    db.conn.commit()
    (data / "evidence" / "ab").mkdir(parents=True)
    orphan = data / "evidence" / "ab" / "orphan.pdf"
    orphan.write_bytes(b"%PDF")
    fresh = data / "evidence" / "ab" / "fresh.pdf"
    fresh.write_bytes(b"%PDF")
    (data / "exports").mkdir()
    export = data / "exports" / "考核表-old.xlsx"
    export.write_bytes(b"PK")
    ancient = (now - timedelta(days=30)).timestamp()
    for path in (orphan, export):
        os.utime(path, (ancient, ancient))
    counts = prune(db, data, now)
    assert counts["inbound"] == 1 and counts["pending"] == 1
    assert counts["exports"] == 1 and counts["orphan_files"] == 1
    assert not orphan.exists() and fresh.exists() and not export.exists()
    assert [r[0] for r in db.execute("SELECT msg_id FROM inbound")] == ["new"]
    assert entries(db, action="retention.prune")
    db.close()


def test_log_file_rotates_and_scheduler_chatter_is_quiet(tmp_path: Path):
    root = logging.getLogger()
    before = list(root.handlers), root.level
    handlers = setup_logging({"LOG_FILE": str(tmp_path / "logs" / "creditbot.log"),
                              "LOG_MAX_MB": 1, "LOG_BACKUPS": 2})
    try:
        logging.getLogger("apscheduler.executors.default").info("Running job outbox")
        logging.getLogger("creditbot").warning("推送失败 #1")
        for h in handlers:
            h.flush()
        text = (tmp_path / "logs" / "creditbot.log").read_text(encoding="utf-8")
        assert "推送失败 #1" in text and "Running job" not in text
        assert "+08:00" in text.splitlines()[0]  # Beijing time stamps
        assert handlers[1].maxBytes == 1024 * 1024 and handlers[1].backupCount == 2
    finally:
        for h in handlers:
            root.removeHandler(h)
            h.close()
        root.setLevel(before[1])
        logging.getLogger("apscheduler.executors").setLevel(logging.NOTSET)
        logging.getLogger("apscheduler.scheduler").setLevel(logging.NOTSET)


def test_an_eager_monitor_does_not_take_the_write_lock_on_every_probe(tmp_path: Path,
                                                                       quick_write_probe):
    from bot.readiness import Readiness
    from clock import FakeClock
    settings = {"CREDITBOT_DB": str(tmp_path / "m.db"), "CREDITBOT_DATA": str(tmp_path / "d")}
    open_db(settings["CREDITBOT_DB"]).close()
    clock = FakeClock()
    check = Readiness(settings, lambda: open_db(settings["CREDITBOT_DB"], migrate=False), clock)
    assert check()[0] is True
    holder = sqlite3.connect(settings["CREDITBOT_DB"])
    holder.execute("BEGIN IMMEDIATE")
    try:
        clock.now += 0.5
        assert check()[0] is True  # the probe from half a second ago stands
        clock.now += 1.0
        ready, body = check()
        assert ready is False and body["checks"]["database_writable"] is False
    finally:
        holder.rollback()
        holder.close()


