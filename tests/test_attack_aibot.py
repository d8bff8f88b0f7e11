"""The 智能机器人 endpoint under attack on a real server: live while switched off, a foreign
receive id, and attachment URLs that point into the office's own network."""
from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests

from bot.app import create_app
from channels.wecom_client import aibot_file_url_problem
from channels.wecom_crypto import WeComCrypto
from fake_wecom import FakeWeCom
from ledger.submissions import list_evidence
from servers import app_server
from test_e2e_wecom import (AES_KEY, AIBOT_KEY, PDF, TOKEN, Platform, aibot_message,  # noqa: F401
                            encrypt_file, platform, setup_office)


def _post(base: str, crypto: WeComCrypto, payload: dict) -> requests.Response:
    timestamp, nonce = str(int(time.time())), str(secrets.randbelow(10**9))  # as WeCom: a new nonce each time
    encrypt, signature = crypto.encrypt(json.dumps(payload).encode(), timestamp, nonce)
    query = urlencode({"msg_signature": signature, "timestamp": timestamp, "nonce": nonce})
    return requests.post(f"{base}/wecom/aibot?{query}", json={"encrypt": encrypt}, timeout=10)


def test_aibot_is_not_served_with_only_the_app_configured(tmp_path: Path):
    with FakeWeCom() as fake:
        settings = {"CREDITBOT_DB": str(tmp_path / "c.db"), "CREDITBOT_DATA": str(tmp_path / "d"),
                    "CREDITBOT_NOW": "2022-09-01T10:00:00", "WECOM_TOKEN": TOKEN,
                    "WECOM_AES_KEY": AES_KEY, **fake.settings()}
        setup_office(settings)
        with app_server(create_app(settings)) as base:
            app_keys = WeComCrypto(TOKEN, AES_KEY, "")
            resp = _post(base, app_keys, aibot_message("x-1", "text", {"content": "得分"}))
            assert resp.status_code == 404
            assert requests.get(f"{base}/healthz", timeout=5).json()["channels"]["wecom_aibot"] is False


def test_a_foreign_receive_id_is_refused(platform: Platform):
    foreign = WeComCrypto("aibotToken", AIBOT_KEY, "wwsomeothercorp")
    resp = _post(platform.base, foreign, aibot_message("x-2", "text", {"content": "得分"}))
    assert resp.status_code in (400, 403)
    assert platform.inbound_count() == 0


def test_a_file_url_into_the_loopback_admin_is_never_fetched(platform: Platform):
    platform.aibot_post(aibot_message("x-3", "text", {"content": "佐证 双公示"}))
    hits: list[str] = []
    from flask import Flask
    admin = Flask("admin")

    @admin.get("/admin/secret")
    def secret() -> bytes:
        hits.append("fetched")
        return PDF

    with app_server(admin) as admin_base:
        for url in (f"{admin_base}/admin/secret", "http://169.254.169.254/latest/meta-data",
                    "file:///etc/passwd", f"{platform.base}/healthz"):
            reply = platform.aibot_reply(platform.aibot_post(
                aibot_message(f"x-{hash(url)}", "file", {"url": url})))
            assert "已收到" not in reply["stream"]["content"]
    assert hits == []
    db = platform.db()
    assert list_evidence(db) == []
    db.close()
    # The platform's own file host still works.
    good = platform.fake.add_file("ok", encrypt_file(PDF, AIBOT_KEY))
    reply = platform.aibot_reply(platform.aibot_post(aibot_message("x-ok", "file", {"url": good})))
    assert "已收到" in reply["stream"]["content"]


@pytest.mark.parametrize("url, addresses, ok", [
    ("https://wework.qpic.cn/a.png", ["183.3.1.1"], True),
    ("https://evil.example.com/a.png", ["93.184.216.34"], False),
    ("https://x.qq.com.evil.cn/a", ["93.184.216.34"], False),
    ("https://ww.myqcloud.com/f", ["10.0.0.5"], False),  # a platform name pointing inside
    ("https://ww.myqcloud.com/f", ["::1"], False),
    ("http://ww.myqcloud.com/f", ["183.3.1.1"], False),
    ("https://user:pw@ww.myqcloud.com/f", ["183.3.1.1"], False),
])
def test_file_url_rules(url: str, addresses: list[str], ok: bool):
    problem = aibot_file_url_problem(url, {}, resolve=lambda host: addresses)
    assert (problem is None) is ok, problem
