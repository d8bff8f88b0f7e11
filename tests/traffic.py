"""Load helpers for the crash, two-worker and fuzz tests: a seeded office on disk, signed
DingTalk callbacks over loopback, and `creditbot submissions --json` on the same database."""
from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from channels.dingtalk import callback_sign
from command_line import creditbot
from ledger.db import open_db
from ledger.facts import init_office
from ledger.units import add_member, add_unit
SECRET = "load-test-dingtalk-secret"
NOW = "2022-09-01T10:00:00"


def seed_office(tmp: Path, units: int = 4) -> dict[str, str]:
    """吕梁 市直 with `units` units (liaisons l0, l1, …) and staff1; returns the server env."""
    db_path = tmp / "office.db"
    db = open_db(db_path)
    at = datetime.fromisoformat(NOW)
    init_office(db, "lvliang-2022-departments", 2022)
    for n in range(units):
        unit = add_unit(db, f"市测试{n}局", now=at)
        add_member(db, f"l{n}", f"联络员{n}", "liaison", unit.id, now=at)
    add_member(db, "staff1", "刘洋", "staff", None, now=at)
    db.close()
    return {"CREDITBOT_DB": str(db_path), "CREDITBOT_DATA": str(tmp / "data"),
            "CREDITBOT_NOW": NOW, "CREDITBOT_NO_SCHEDULER": "1",
            "CREDITBOT_CONFIG": str(tmp / "absent.toml"), "DINGTALK_APP_SECRET": SECRET}


def dingtalk_body(user: str, text: str, msg_id: str | None = None) -> dict[str, Any]:
    return {"conversationId": f"cid-{user}", "msgId": msg_id or uuid.uuid4().hex,
            "senderNick": user, "senderStaffId": user, "createAt": int(time.time() * 1000),
            "conversationType": "1", "senderId": f"$:{user}", "msgtype": "text",
            "text": {"content": text}}


_last_ms = [0]
_ms_lock = threading.Lock()


def unique_ms() -> int:
    """Now in ms, but never the same value twice in this process. DingTalk's sign covers only
    the timestamp, so the server binds a sign to one message: two different messages signed
    in the same millisecond would look like a replay (see README, DingTalk)."""
    with _ms_lock:
        _last_ms[0] = max(int(time.time() * 1000), _last_ms[0] + 1)
        return _last_ms[0]


def signed_headers(secret: str = SECRET) -> dict[str, str]:
    ts = str(unique_ms())
    return {"timestamp": ts, "sign": callback_sign(ts, secret),
            "Content-Type": "application/json; charset=utf-8"}


def reply_text(resp: requests.Response) -> str:
    try:
        return str(((resp.json() or {}).get("text") or {}).get("content") or "")
    except ValueError:
        return ""


def send(session: requests.Session, base: str, user: str, text: str,
         msg_id: str | None = None, timeout: float = 10) -> tuple[int, str]:
    """POST one signed DingTalk callback; (status, reply text)."""
    body = dingtalk_body(user, text, msg_id)
    resp = session.post(f"{base}/dingtalk/callback", data=json.dumps(body).encode(),
                        headers=signed_headers(), timeout=timeout)
    return resp.status_code, reply_text(resp)


@dataclass
class Load:
    """Submissions from several threads; `acked` holds every msgId answered 200 + 已记录."""

    bases: list[str]
    users: list[str]
    per_thread: int
    threads: int = 4
    acked: dict[str, str] = field(default_factory=dict)  # msgId -> reply
    sent: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self) -> list[threading.Thread]:
        """Start the threads (non-blocking); each sends to the bases in turn."""
        workers = [threading.Thread(target=self._worker, args=(n,), daemon=True)
                   for n in range(self.threads)]
        for t in workers:
            t.start()
        return workers

    def _worker(self, n: int) -> None:
        with requests.Session() as s:
            for i in range(self.per_thread):
                if self.stop.is_set():
                    return
                user = self.users[(n + i) % len(self.users)]
                base = self.bases[(n + i) % len(self.bases)]
                msg_id = f"load-{n}-{i}-{uuid.uuid4().hex[:8]}"
                try:
                    status, text = send(s, base, user, f"报送 7 {10 + i}", msg_id, timeout=10)
                except requests.RequestException:
                    continue  # the server is gone: not acknowledged
                finally:
                    with self._lock:
                        self.sent += 1
                if status == 200 and "已记录" in text:
                    with self._lock:
                        self.acked[msg_id] = text


def submissions(env: dict[str, str]) -> list[dict[str, Any]]:
    """`creditbot submissions --json` on the same database, with its own connection."""
    out = creditbot("submissions", "--json", env=env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)
