"""The outbox worker against the local WeCom and DingTalk fakes, with a fake clock (no sleeping)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from fake_dingtalk import FakeDingTalk
from fake_wecom import FakeWeCom
from ledger.db import open_db
from ledger.outbox import enqueue, list_items
from reminders.outbox import deliver_due, make_senders, retry_delay, tick

T0 = datetime(2022, 9, 1, 9, 0, 0)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite_utils.Database]:
    conn = open_db(tmp_path / "o.db")
    yield conn
    conn.close()


@pytest.fixture
def wecom() -> Iterator[FakeWeCom]:
    with FakeWeCom() as fake:
        yield fake


@pytest.fixture
def dingtalk() -> Iterator[FakeDingTalk]:
    with FakeDingTalk() as fake:
        yield fake


def senders_for(wecom: FakeWeCom | None = None, dingtalk: FakeDingTalk | None = None) -> dict:
    settings: dict[str, Any] = {}
    if wecom:
        settings |= wecom.settings()
    if dingtalk:
        settings |= dingtalk.settings()
    return make_senders(settings, session=FakeDingTalk.session())


def item(db: sqlite_utils.Database, key: str) -> Any:
    return next(i for i in list_items(db) if i.key == key)


def next_try(db: sqlite_utils.Database, key: str) -> datetime:
    row = db.execute("SELECT next_try_at FROM outbox WHERE key = ?", [key]).fetchone()
    return datetime.fromisoformat(row[0])


def test_wecom_users_are_sent_and_marked(db, wecom):
    enqueue(db, "k1", "wecom", {"users": ["sw1", "mz1"]}, {"text": "请于9月2日前报送月报"}, T0)
    counts = deliver_due(db, T0, senders_for(wecom))
    assert counts == {"sent": 1, "retried": 0, "failed": 0, "deferred": 0}
    assert wecom.sent[0]["touser"] == "sw1|mz1"
    assert wecom.sent[0]["text"]["content"] == "请于9月2日前报送月报"
    assert item(db, "k1").status == "sent"
    assert deliver_due(db, T0 + timedelta(minutes=1), senders_for(wecom))["sent"] == 0


def test_wecom_markdown_and_batches_of_1000(db, wecom):
    users = [f"u{i}" for i in range(1500)]
    enqueue(db, "k", "wecom", {"users": users}, {"text": "**提醒**", "markdown": True}, T0)
    deliver_due(db, T0, senders_for(wecom))
    assert [len(s["touser"].split("|")) for s in wecom.sent] == [1000, 500]
    assert wecom.sent[0]["msgtype"] == "markdown"


def test_retry_then_success(db, wecom):
    senders = senders_for(wecom)
    wecom.script_send_errors(45009)
    enqueue(db, "k", "wecom", {"users": ["sw1"]}, {"text": "提醒"}, T0)
    assert deliver_due(db, T0, senders)["retried"] == 1
    it = item(db, "k")
    assert (it.status, it.attempts) == ("pending", 1) and "45009" in (it.last_error or "")
    assert next_try(db, "k") == T0 + retry_delay(1)
    assert deliver_due(db, T0 + timedelta(seconds=10), senders)["sent"] == 0  # not due yet
    assert deliver_due(db, T0 + timedelta(seconds=30), senders)["sent"] == 1
    assert item(db, "k").status == "sent" and len(wecom.sent) == 1


def test_token_fetched_once_and_reused(db, wecom):
    senders = senders_for(wecom)
    for n in range(3):
        enqueue(db, f"k{n}", "wecom", {"users": ["sw1"]}, {"text": f"第{n}条"}, T0)
        deliver_due(db, T0 + timedelta(minutes=n), senders)
    assert len(wecom.sent) == 3
    assert wecom.token_requests == 1


def test_final_failure_after_max_attempts(db, wecom):
    senders = senders_for(wecom)
    wecom.fail_http(502, times=10)
    enqueue(db, "k", "wecom", {"webhook": wecom.webhook_url()}, {"text": "群提醒"}, T0)
    now = T0
    results = []
    for _ in range(6):
        results.append(deliver_due(db, now, senders))
        now = next_try(db, "k")
    assert [r["retried"] for r in results] == [1, 1, 1, 1, 1, 0]
    assert results[-1]["failed"] == 1
    it = item(db, "k")
    assert (it.status, it.attempts) == ("failed", 6) and "502" in (it.last_error or "")
    assert deliver_due(db, now + timedelta(days=1), senders)["sent"] == 0  # kept, not resent


def test_backoff_grows_and_throttle_waits_ten_minutes():
    assert [retry_delay(n).total_seconds() for n in range(1, 6)] == [30, 60, 120, 240, 480]
    assert retry_delay(12) == timedelta(hours=1)
    assert retry_delay(1, "410100") == timedelta(minutes=10)


def test_non_retryable_error_fails_at_once(db, wecom):
    wecom.script_send_errors(40003)  # invalid userid: trying again will not help
    enqueue(db, "k", "wecom", {"users": ["nobody"]}, {"text": "提醒"}, T0)
    assert deliver_due(db, T0, senders_for(wecom))["failed"] == 1
    assert item(db, "k").status == "failed"


def test_rate_limit_spreads_25_webhook_messages_over_two_minutes(tmp_path, wecom):
    path = tmp_path / "rl.db"
    db = open_db(path)
    url = wecom.webhook_url("office-robot")
    for n in range(25):
        enqueue(db, f"k{n}", "wecom", {"webhook": url}, {"text": f"提醒{n}"}, T0)
    enqueue(db, "other", "wecom", {"webhook": wecom.webhook_url("other")}, {"text": "x"}, T0)
    first = deliver_due(db, T0, senders_for(wecom))
    assert first == {"sent": 21, "retried": 0, "failed": 0, "deferred": 5}
    db.close()
    # A "restart": a new connection and new senders still see the 20 sends of the last minute.
    db = open_db(path)
    assert deliver_due(db, T0 + timedelta(seconds=59), senders_for(wecom))["sent"] == 0
    second = deliver_due(db, T0 + timedelta(seconds=60), senders_for(wecom))
    assert second["sent"] == 5
    calls = [c for c in wecom.webhook_calls if c["_key"] == "office-robot"]
    assert [c["text"]["content"] for c in calls] == [f"提醒{n}" for n in range(25)]
    sent_at = [r[0] for r in db.execute("SELECT sent_at FROM outbox WHERE key LIKE 'k%' ORDER BY id")]
    assert sent_at[:20] == [T0.isoformat()] * 20
    assert sent_at[20:] == [(T0 + timedelta(seconds=60)).isoformat()] * 5
    db.close()


def test_console_items_are_marked_sent_without_network(db):
    enqueue(db, "c", "console", {"users": ["sw1"]}, {"text": "本地提醒"}, T0)
    assert deliver_due(db, T0, make_senders({}))["sent"] == 1
    assert item(db, "c").status == "sent"


def test_items_without_a_sender_stay_pending(db, wecom):
    enqueue(db, "x", "dingtalk", {"users": ["a"]}, {"text": "t"}, T0)
    enqueue(db, "w", "wecom", {"users": ["a"]}, {"text": "t"}, T0)
    counts = deliver_due(db, T0, {"wecom": senders_for(wecom)["wecom"]}, limit=1)
    assert counts["sent"] == 1 and item(db, "x").status == "pending"


def test_dingtalk_batch_send_chunks_of_20_and_retries_flow_controlled(db, dingtalk):
    users = [f"d{i}" for i in range(45)]
    dingtalk.flow_control_always.add("d7")
    senders = senders_for(dingtalk=dingtalk)
    enqueue(db, "k", "dingtalk", {"users": users}, {"text": "请报送", "title": "提醒"}, T0)
    assert deliver_due(db, T0, senders)["retried"] == 1
    sizes = [len(c["userIds"]) for c in dingtalk.batch_calls]
    assert [n for n in sizes if n > 1] == [20, 20, 5]  # the 1s: the client's in-call retries of d7
    assert item(db, "k").target == {"users": ["d7"]}  # only the one not reached
    dingtalk.flow_control_always.clear()
    assert deliver_due(db, next_try(db, "k"), senders)["sent"] == 1
    assert dingtalk.batch_calls[-1]["userIds"] == ["d7"]
    assert dingtalk.token_requests == 1


def test_dingtalk_group_robot_signed_and_throttle_retried(db, dingtalk):
    senders = senders_for(dingtalk=dingtalk)
    dingtalk.robot_errcode_script.append(410100)
    target = {"webhook": dingtalk.robot_webhook, "secret": dingtalk.robot_secret,
              "mentions": ["sw1"]}
    enqueue(db, "k", "dingtalk", target, {"text": "**逾期**", "markdown": True, "title": "逾期"}, T0)
    assert deliver_due(db, T0, senders)["retried"] == 1
    assert next_try(db, "k") == T0 + timedelta(minutes=10)
    assert deliver_due(db, T0 + timedelta(minutes=10), senders)["sent"] == 1
    msg = dingtalk.robot_messages[0]
    assert msg["msgtype"] == "markdown" and "@sw1" in msg["markdown"]["text"]
    assert msg["at"]["atUserIds"] == ["sw1"]


def test_missing_app_settings_is_a_clear_final_failure(db):
    enqueue(db, "k", "wecom", {"users": ["a"]}, {"text": "t"}, T0)
    assert deliver_due(db, T0, make_senders({}))["failed"] == 1
    assert "WECOM_SECRET" in (item(db, "k").last_error or "")


def test_tick_opens_its_own_connection(tmp_path, wecom):
    settings = {"CREDITBOT_DB": str(tmp_path / "t.db"), "CREDITBOT_NOW": "2022-09-01T09:00:00",
                **wecom.settings()}
    db = open_db(settings["CREDITBOT_DB"])
    enqueue(db, "k", "wecom", {"users": ["sw1"]}, {"text": "t"}, T0)
    assert tick(settings, senders_for(wecom))["sent"] == 1
    assert item(db, "k").status == "sent"
    db.close()
