"""Shared by the bench scripts: a seeded ledger, signed/encrypted channel requests, figures.

Everything talks to 127.0.0.1 only; nothing here is imported by the app or the tests.
"""
from __future__ import annotations

import json
import os
import platform
import random
import statistics
import sys
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from ledger.facts import briefing_indicator  # noqa: E402
from channels.dingtalk import callback_sign  # noqa: E402
from channels.wecom_crypto import WeComCrypto  # noqa: E402
from ledger.db import immediate, open_db  # noqa: E402
from ledger.facts import init_office  # noqa: E402
from ledger.submissions import record_submission  # noqa: E402
from ledger.units import add_member, add_unit  # noqa: E402
from worktime.calendar import WorkCalendar  # noqa: E402
from worktime.period import deadline, periods_in_year
from schemes.model import Metric, Scheme  # noqa: E402

SCHEME = "lvliang-2022-departments"
YEAR = 2022
NOW = datetime(2022, 12, 15, 10, 0)  # a fixed clock late in the assessment year
DINGTALK_SECRET = "bench-dingtalk-secret"
CHANNELS = ("dingtalk", "wecom")
# Tencent's official sample key (public documentation), so any client can reproduce the traffic.
WECOM = {"WECOM_TOKEN": "QDG6eK", "WECOM_AES_KEY": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
         "WECOM_CORP_ID": "wx5823bf96d3bd56c7"}


def synthetic_value(metric: Metric, rng: random.Random) -> Any:
    """A plausible value of a metric's type (spread out, so rank rules have work to do)."""
    if metric.type == "bool":
        return rng.random() < 0.8
    if metric.type == "percent":
        return round(rng.uniform(0.6, 1.0), 3)
    if metric.type == "count":
        return rng.randint(0, 400)
    if metric.type == "number":
        return round(rng.uniform(0, 3), 2)
    return "已完成"


def synthetic_facts(scheme: Scheme, units: int, seed: int = 1) -> dict[str, dict[str, Any]]:
    """Facts for `units` units, every non-derived metric filled, most items reviewed."""
    rng = random.Random(seed)
    out: dict[str, dict[str, Any]] = {}
    for n in range(units):
        facts: dict[str, Any] = {}
        for _, ind in scheme.indicators():
            entry: dict[str, Any] = {m.name: synthetic_value(m, rng) for m in ind.metrics
                                     if not m.derived}
            for m in ind.metrics:
                if m.derived == "on_time_count":
                    entry[m.name] = rng.randint(6, 12)
                elif m.derived == "all_on_time":
                    entry[m.name] = rng.random() < 0.7
            entry["_status"] = "accepted" if rng.random() < 0.8 else "provisional"
            facts[ind.code] = entry
        out[f"单位{n:04d}"] = facts
    return out


def seed_ledger(db_path: Path, units: int, seed: int = 1) -> dict[str, Any]:
    """A year of data through the ledger functions: units, one liaison each, a staff member,
    monthly briefings Jan–Nov and one data submission per indicator (and period) per unit."""
    rng = random.Random(seed)
    db = open_db(db_path)
    off = init_office(db, SCHEME, YEAR)
    cal = WorkCalendar.default()
    brief = briefing_indicator(off.scheme)
    at = datetime(YEAR, 1, 1, 9, 0)
    counts = {"units": units, "submissions": 0}
    with immediate(db):  # one transaction: the helpers nest as savepoints
        # Bindings are per platform and the bench writes from both, so each person is bound on
        # each (an unscoped binding answers on neither once both platforms are configured).
        for channel in CHANNELS:
            add_member(db, "staff1", "刘洋", "staff", None, channel=channel, now=at)
        for n in range(units):
            unit = add_unit(db, f"市单位{n:04d}局", now=at)
            member = add_member(db, f"u{n:04d}", f"联络员{n}", "liaison", unit.id,
                                channel=CHANNELS[0], now=at)
            add_member(db, f"u{n:04d}", f"联络员{n}", "liaison", unit.id, channel=CHANNELS[1],
                       now=at)
            common = dict(unit_id=unit.id, member_id=member.id, channel="seed", source_msg_id=None)
            if brief is not None and brief.due is not None:
                for period in periods_in_year("monthly", YEAR)[:11]:
                    dl = deadline(cal, "monthly", period, brief.due.day)
                    record_submission(db, indicator=brief.code, period=period, kind="briefing",
                                      metrics={}, text=f"{period} 工作总结", now=at,
                                      deadline=dl.isoformat(), on_time=rng.random() < 0.85,
                                      **common)
                    counts["submissions"] += 1
            for _, ind in off.scheme.indicators():
                writable = [m for m in ind.metrics if not m.derived]
                if not writable:
                    continue
                freq = ind.due.frequency if ind.due else "yearly"
                periods = (periods_in_year(freq, YEAR) if freq in ("monthly", "quarterly")
                           else [str(YEAR)])
                for period in periods[:11]:
                    metrics = {m.name: synthetic_value(m, rng) for m in writable}
                    record_submission(db, indicator=ind.code, period=period, kind="data",
                                      metrics=metrics, text="seed", now=at, **common)
                    counts["submissions"] += 1
    db.close()
    return counts


def server_env(db_path: Path, data_dir: Path) -> dict[str, str]:
    return {"CREDITBOT_DB": str(db_path), "CREDITBOT_DATA": str(data_dir),
            "CREDITBOT_NOW": NOW.isoformat(), "CREDITBOT_NO_SCHEDULER": "1",
            "CREDITBOT_CONFIG": str(data_dir / "none.toml"),
            "DINGTALK_APP_SECRET": DINGTALK_SECRET, **WECOM}


_last_ms = [0]
_ms_lock = threading.Lock()


def _unique_ms() -> int:
    """Distinct ms timestamps across the client threads: the server binds each DingTalk sign
    (which covers only the timestamp) to one message, as a replay guard."""
    with _ms_lock:
        _last_ms[0] = max(int(time.time() * 1000), _last_ms[0] + 1)
        return _last_ms[0]


def dingtalk_post(session: requests.Session, base: str, user: str, text: str,
                  msg_id: str | None = None, secret: str = DINGTALK_SECRET,
                  timeout: float = 10) -> requests.Response:
    """A signed DingTalk robot callback (single chat) from `user`."""
    ts = str(_unique_ms())
    body = {"conversationId": f"cid-{user}", "msgId": msg_id or uuid.uuid4().hex,
            "senderNick": user, "senderStaffId": user, "createAt": int(ts),
            "conversationType": "1", "senderId": f"$:{user}", "msgtype": "text",
            "text": {"content": text}}
    return session.post(f"{base}/dingtalk/callback",
                        data=json.dumps(body, ensure_ascii=False).encode(),
                        headers={"timestamp": ts, "sign": callback_sign(ts, secret),
                                 "Content-Type": "application/json; charset=utf-8"},
                        timeout=timeout)


_CRYPTO = WeComCrypto(WECOM["WECOM_TOKEN"], WECOM["WECOM_AES_KEY"], WECOM["WECOM_CORP_ID"])


def wecom_post(session: requests.Session, base: str, user: str, text: str,
               timeout: float = 10) -> requests.Response:
    """An encrypted, signed WeCom self-built-app text callback from `user`."""
    now = int(time.time())
    inner = (f"<xml><ToUserName><![CDATA[{WECOM['WECOM_CORP_ID']}]]></ToUserName>"
             f"<FromUserName><![CDATA[{user}]]></FromUserName><CreateTime>{now}</CreateTime>"
             f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{text}]]></Content>"
             f"<MsgId>{uuid.uuid4().int % 10**18}</MsgId><AgentID>1</AgentID></xml>").encode()
    ts, nonce = str(now), uuid.uuid4().hex[:10]
    encrypt, signature = _CRYPTO.encrypt(inner, ts, nonce)
    body = (f"<xml><ToUserName><![CDATA[{WECOM['WECOM_CORP_ID']}]]></ToUserName>"
            f"<Encrypt><![CDATA[{encrypt}]]></Encrypt><AgentID>1</AgentID></xml>")
    return session.post(f"{base}/wecom/callback",
                        params={"msg_signature": signature, "timestamp": ts, "nonce": nonce},
                        data=body.encode(), headers={"Content-Type": "text/xml"}, timeout=timeout)


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of `values`, in the same unit."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"nproc={os.cpu_count()}, CPU={cpu or 'unknown'}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}, sqlite {__import__('sqlite3').sqlite_version}")


def wecom_reply_text(resp: requests.Response) -> str:
    """The decrypted Content of a WeCom passive reply ("" when it is not one), so the bench
    counts only real answers, not a polite refusal."""
    from defusedxml import ElementTree as SafeET
    try:
        envelope = SafeET.fromstring(resp.content)
        encrypt, signature = envelope.findtext("Encrypt"), envelope.findtext("MsgSignature")
        timestamp, nonce = envelope.findtext("TimeStamp"), envelope.findtext("Nonce")
        inner = SafeET.fromstring(_CRYPTO.decrypt(signature, timestamp, nonce, encrypt))
    except Exception:  # noqa: BLE001 - anything unreadable is simply not an answer
        return ""
    return inner.findtext("Content") or ""


def serve_in_chromium(app: Any, browser: str, driver_path: str,
                      window: str = "1366,768") -> tuple[Any, str, Any]:
    """The app on a loopback port in a thread, and a headless Chromium to drive it: (server, base
    URL, driver). The caller quits the driver and shuts the server down."""
    import logging

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-proxy-server", f"--window-size={window}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    return server, f"http://127.0.0.1:{server.server_port}", driver
