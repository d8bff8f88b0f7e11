"""A full disk: questions keep being answered, writes get the Chinese message and record
nothing, and no callback, upload or console page answers with a 500. Simulated by a
connection on which every write fails as SQLite fails it on a full disk (SQLITE_FULL)."""
from __future__ import annotations

import json
import re
import secrets
import sqlite3
import time
from typing import Any

import pytest

import ledger.db
from bot.app import create_app
from channels.dingtalk import callback_sign
from callbacks import wecom_say
from ledger.diskspace import DISK_FULL
from ledger.units import add_member

SECRET = "disk-full-secret"
TOKEN, AES_KEY, CORP = "fullToken", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wwfull"
_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.I)


class Disk(sqlite3.Connection):
    """While `full`, every statement that would write fails with SQLITE_FULL's message."""
    full = False

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if Disk.full and _WRITES.match(sql):
            raise sqlite3.OperationalError("database or disk is full")
        return super().execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if Disk.full and _WRITES.match(sql):
            raise sqlite3.OperationalError("database or disk is full")
        return super().executemany(sql, *args)


def _connect(path: Any) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=15, factory=Disk)
    conn.execute("PRAGMA busy_timeout = 15000")
    return conn


class Office:
    def __init__(self, lvliang: Any) -> None:
        self.office = lvliang
        lvliang.settings.update({"DINGTALK_APP_SECRET": SECRET, "WECOM_CORP_ID": CORP,
                                 "WECOM_TOKEN": TOKEN, "WECOM_AES_KEY": AES_KEY,
                                 "PUBLIC_BASE_URL": "http://localhost"})
        lvliang.pipeline.settings.update(lvliang.settings)
        self.app = create_app(lvliang.settings)
        self.app.extensions["creditbot"].clock = lambda: lvliang.now

    def dingtalk(self, user: str, text: str) -> Any:
        ts = str(int(time.time() * 1000))
        body = {"conversationId": "c", "msgId": f"d-{secrets.token_hex(6)}", "senderStaffId": user,
                "createAt": int(ts), "conversationType": "1", "msgtype": "text",
                "text": {"content": text}}
        return self.app.test_client().post(
            "/dingtalk/callback", data=json.dumps(body), content_type="application/json",
            headers={"timestamp": ts, "sign": callback_sign(ts, SECRET)})

    def wecom(self, user: str, text: str) -> Any:
        return wecom_say(self.app, user, text, token=TOKEN, aes_key=AES_KEY, corp=CORP)

    def count(self, table: str) -> int:
        return self.office.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


@pytest.fixture
def full(lvliang: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(ledger.db, "_connect", _connect)  # the app's connections: on Disk
    monkeypatch.setattr(Disk, "full", False)
    office = Office(lvliang)
    office.office.chat("sw1", "报送 信用承诺 35")  # something to read
    # With both platforms on, each person is bound on the platform they write from.
    for channel in ("dingtalk", "wecom"):
        add_member(lvliang.db, f"sw1-{channel}", "张敏", "liaison", 1, channel=channel)
        add_member(lvliang.db, f"staff1-{channel}", "刘洋", "staff", None, channel=channel)
    return office


def _fill_the_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Disk, "full", True)


def _free_space() -> None:
    Disk.full = False


def test_callbacks_answer_reads_and_refuse_writes_in_chinese(full: Office, monkeypatch):
    before = {t: full.count(t) for t in ("submissions", "adjustments", "inbound")}
    _fill_the_disk(monkeypatch)
    score = full.dingtalk("sw1-dingtalk", "得分")
    assert score.status_code == 200 and "总分" in score.get_json()["text"]["content"]
    write = full.dingtalk("sw1-dingtalk", "报送 信用承诺 40")
    assert write.status_code == 200 and write.get_json()["text"]["content"] == DISK_FULL
    assert "总分" in full.wecom("sw1-wecom", "得分")
    assert full.wecom("staff1-wecom", "扣分 市民政局 乱收费 被省通报") == DISK_FULL
    _free_space()  # space freed: nothing was half-recorded, and writes work again
    assert {t: full.count(t) for t in before} == before
    assert "已记录" in full.dingtalk("sw1-dingtalk", "报送 信用承诺 40").get_json()["text"]["content"]


def test_no_console_page_is_a_500_on_a_full_disk(full: Office, monkeypatch):
    found = re.search(r"/console/login/\S+", full.office.chat("staff1", "控制台"))
    web = full.app.test_client()
    assert web.post(found.group(0)).status_code == 303
    page = web.get("/console/entry").data.decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    form_id = re.search(r'name="form_id" value="([^"]+)"', page).group(1)
    _fill_the_disk(monkeypatch)
    full.office.at("2022-09-01T13:00:00")  # past the session's touch interval: it would write
    routes = sorted({r.rule for r in full.app.url_map.iter_rules()
                     if r.rule.startswith("/console") and "GET" in r.methods})
    assert len(routes) >= 10
    for rule in routes:
        path = re.sub(r"<int:\w+>", "1", re.sub(r"<(?:string:)?\w+>", "x", rule))
        resp = web.get(path)
        assert resp.status_code < 500, (path, resp.status_code)
    resp = web.post("/console/entry", data={"csrf": csrf, "form_id": form_id,
                                            "kind": "deduction", "unit_id": "2",
                                            "code": "八.1", "cases": "1", "reason": "x"})
    assert resp.status_code != 500 and "存储空间不足" in resp.data.decode()
    _free_space()
    assert full.count("adjustments") == 0
