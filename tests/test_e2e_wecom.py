"""End to end on loopback: the real app (create_app) served on 127.0.0.1, a WeCom client written
from the protocol (encrypt, sign, POST; verify and decrypt the passive reply), and FakeWeCom as
the WeCom API for downloads and pushes."""
from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import defusedxml.ElementTree as SafeET
import pytest
import requests
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bot.app import create_app
from channels.wecom_crypto import WeComCrypto
from fake_wecom import FakeWeCom
from ledger.files import locate
from ledger.db import open_db
from ledger.facts import init_office
from ledger.outbox import list_items
from ledger.submissions import list_evidence, list_submissions
from ledger.units import add_member, add_unit
from reminders.outbox import deliver_due, make_senders
from servers import app_server

TOKEN = "e2eToken"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
AIBOT_TOKEN = "aibotToken"
AIBOT_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<xml><ToUserName>x</ToUserName><Encrypt>&lol4;</Encrypt></xml>"""


@dataclass
class Platform:
    """Plays WeCom's side of the callback protocol against the served app."""

    base: str
    fake: FakeWeCom
    settings: dict[str, Any]
    crypto: WeComCrypto
    aibot: WeComCrypto

    def _cdata(self, value: str) -> str:
        return f"<![CDATA[{value}]]>"

    def inner(self, user: str, msg_type: str, msg_id: str, **fields: str) -> bytes:
        parts = "".join(f"<{k}>{self._cdata(v)}</{k}>" for k, v in fields.items())
        return (f"<xml><ToUserName>{self._cdata(self.fake.corp_id)}</ToUserName>"
                f"<FromUserName>{self._cdata(user)}</FromUserName>"
                f"<CreateTime>{int(time.time())}</CreateTime><MsgType>{self._cdata(msg_type)}</MsgType>"
                f"{parts}<MsgId>{msg_id}</MsgId><AgentID>1000002</AgentID></xml>").encode()

    def post_inner(self, inner: bytes, tamper: bool = False) -> requests.Response:
        timestamp, nonce = str(int(time.time())), str(secrets.randbelow(10**9))  # as WeCom: a new nonce each time
        encrypt, signature = self.crypto.encrypt(inner, timestamp, nonce)
        if tamper:
            signature = "0" * 40
        body = (f"<xml><ToUserName>{self._cdata(self.fake.corp_id)}</ToUserName>"
                f"<AgentID>{self._cdata('1000002')}</AgentID>"
                f"<Encrypt>{self._cdata(encrypt)}</Encrypt></xml>")
        query = urlencode({"msg_signature": signature, "timestamp": timestamp, "nonce": nonce})
        return requests.post(f"{self.base}/wecom/callback?{query}", data=body.encode(),
                             headers={"Content-Type": "text/xml"}, timeout=10)

    def text(self, user: str, content: str, msg_id: str) -> requests.Response:
        return self.post_inner(self.inner(user, "text", msg_id, Content=content))

    def reply_content(self, resp: requests.Response) -> str:
        """Check the envelope's MsgSignature, decrypt, return the reply's Content."""
        assert resp.status_code == 200, resp.text
        envelope = SafeET.fromstring(resp.content)
        encrypt, signature = envelope.findtext("Encrypt"), envelope.findtext("MsgSignature")
        timestamp, nonce = envelope.findtext("TimeStamp"), envelope.findtext("Nonce")
        assert signature == self.crypto.signature(timestamp, nonce, encrypt)
        inner = SafeET.fromstring(self.crypto.decrypt(signature, timestamp, nonce, encrypt))
        assert inner.findtext("FromUserName") == self.fake.corp_id
        assert inner.findtext("MsgType") == "text"
        return inner.findtext("Content") or ""

    def say(self, user: str, content: str, msg_id: str) -> str:
        return self.reply_content(self.text(user, content, msg_id))

    def aibot_post(self, payload: dict[str, Any]) -> requests.Response:
        timestamp, nonce = str(int(time.time())), str(secrets.randbelow(10**9))
        encrypt, signature = self.aibot.encrypt(json.dumps(payload).encode(), timestamp, nonce)
        query = urlencode({"msg_signature": signature, "timestamp": timestamp, "nonce": nonce})
        return requests.post(f"{self.base}/wecom/aibot?{query}", json={"encrypt": encrypt},
                             timeout=10)

    def aibot_reply(self, resp: requests.Response) -> dict[str, Any]:
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["msgsignature"] == self.aibot.signature(body["timestamp"], body["nonce"],
                                                            body["encrypt"])
        return json.loads(self.aibot.decrypt(body["msgsignature"], body["timestamp"],
                                             body["nonce"], body["encrypt"]))

    def db(self) -> Any:
        return open_db(self.settings["CREDITBOT_DB"])

    def inbound_count(self) -> int:
        db = self.db()
        try:
            return db.execute("SELECT COUNT(*) FROM inbound").fetchone()[0]
        finally:
            db.close()


def encrypt_file(data: bytes, encoding_aes_key: str) -> bytes:
    """How 智能机器人 serves a file: AES-256-CBC, IV = key[:16], PKCS#7 padded to 32 bytes."""
    key = base64.b64decode(encoding_aes_key + "=")
    pad = 32 - len(data) % 32
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return encryptor.update(data + bytes([pad]) * pad) + encryptor.finalize()


def setup_office(settings: dict[str, Any], extra_units: int = 0) -> None:
    db = open_db(settings["CREDITBOT_DB"])
    init_office(db, "lvliang-2022-departments", 2022)
    tax = add_unit(db, "市税务局")
    add_member(db, "sw1", "张敏", "liaison", tax.id)
    add_member(db, "staff1", "刘洋", "staff", None)
    for n in range(extra_units):
        add_unit(db, f"吕梁市第{n + 1}号市直成员单位（信用体系建设）")
    db.close()


@contextmanager
def served_wecom(office: Callable[[dict[str, str]], dict[str, str]]) -> Iterator[Platform]:
    """The app on loopback with the fake WeCom, signed with TOKEN/AES_KEY: `office(platform)`
    writes an office and returns its settings, the platform's among them."""
    with FakeWeCom() as fake:
        settings = office({"WECOM_TOKEN": TOKEN, "WECOM_AES_KEY": AES_KEY, **fake.settings()})
        with app_server(create_app(settings)) as base:
            yield Platform(base, fake, settings, WeComCrypto(TOKEN, AES_KEY, fake.corp_id),
                           WeComCrypto(TOKEN, AES_KEY, ""))


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    with FakeWeCom() as fake:
        settings = {
            "CREDITBOT_DB": str(tmp_path / "creditbot.db"),
            "CREDITBOT_DATA": str(tmp_path / "data"),
            "CREDITBOT_NOW": "2022-09-01T10:00:00",
            "WECOM_TOKEN": TOKEN, "WECOM_AES_KEY": AES_KEY,
            "WECOM_AIBOT_TOKEN": AIBOT_TOKEN, "WECOM_AIBOT_AES_KEY": AIBOT_KEY,
            **fake.settings(),
        }
        setup_office(settings, extra_units=90)
        with app_server(create_app(settings)) as base:
            yield Platform(base, fake, settings, WeComCrypto(TOKEN, AES_KEY, fake.corp_id),
                           WeComCrypto(AIBOT_TOKEN, AIBOT_KEY, ""))


def test_url_verification_returns_the_echostr_plaintext(platform: Platform):
    echostr, signature = platform.crypto.encrypt(b"6227063587451730", "1700000000", "42")
    query = urlencode({"msg_signature": signature, "timestamp": "1700000000", "nonce": "42",
                       "echostr": echostr})
    resp = requests.get(f"{platform.base}/wecom/callback?{query}", timeout=10)
    assert resp.status_code == 200 and resp.content == b"6227063587451730"


def test_score_from_a_bound_liaison_gets_an_encrypted_reply(platform: Platform):
    assert "总分" in platform.say("sw1", "得分", "1001")


def test_the_same_message_three_times_records_one_submission(platform: Platform):
    replies = [platform.say("sw1", "报送 信用承诺 35", "2002") for _ in range(3)]
    assert replies[0] == replies[1] == replies[2] and "已记录" in replies[0]
    db = platform.db()
    subs = [s for s in list_submissions(db) if s.indicator == "7"]
    db.close()
    assert len(subs) == 1


def test_hostile_and_forged_requests_are_refused_and_change_nothing(platform: Platform):
    before = platform.inbound_count()
    inner = platform.inner("sw1", "text", "3003", Content="报送 信用承诺 99")
    assert platform.post_inner(inner, tamper=True).status_code == 403
    query = urlencode({"msg_signature": "0" * 40, "timestamp": str(int(time.time())),
                       "nonce": "1"})
    bomb = requests.post(f"{platform.base}/wecom/callback?{query}", data=BILLION_LAUGHS,
                         headers={"Content-Type": "text/xml"}, timeout=10)
    assert bomb.status_code == 400
    big = b"<xml><Encrypt>" + b"A" * (6 * 1024 * 1024) + b"</Encrypt></xml>"
    try:
        status = requests.post(f"{platform.base}/wecom/callback?{query}", data=big,
                               headers={"Content-Type": "text/xml"}, timeout=10).status_code
    except requests.ConnectionError:  # the server may close before the upload finishes
        status = -1
    assert status == 413
    assert platform.inbound_count() == before
    db = platform.db()
    assert not [s for s in list_submissions(db) if s.metrics.get("count") == 99]
    db.close()
    health = requests.get(f"{platform.base}/healthz", timeout=5)
    assert health.status_code == 200 and health.json()["channels"]["wecom"] is True


def test_an_image_after_evidence_command_is_stored(platform: Platform):
    platform.fake.add_media("MEDIA-1", PNG, "双公示截图.png", "image/png")
    assert "佐证材料" in platform.say("sw1", "佐证 双公示", "4001")
    resp = platform.post_inner(platform.inner("sw1", "image", "4002", PicUrl="http://x/p.png",
                                              MediaId="MEDIA-1"))
    assert "已收到" in platform.reply_content(resp)
    db = platform.db()
    rows = list_evidence(db)
    db.close()
    assert len(rows) == 1 and rows[0]["indicator"] == "3"
    assert rows[0]["original_name"] == "双公示截图.png"
    stored = locate(platform.settings["CREDITBOT_DATA"], rows[0]["path"])
    assert stored.read_bytes() == PNG
    assert Path(platform.settings["CREDITBOT_DATA"]).resolve() in stored.parents
    assert rows[0]["path"].startswith("evidence/")  # relative: a restored data folder finds it


def test_a_long_reply_is_split_and_the_rest_pushed(platform: Platform):
    first = platform.say("staff1", "排名", "5001")
    assert len(first.encode()) <= 2048 and "排名" in first
    db = platform.db()
    items = [i for i in list_items(db) if i.key.startswith("overflow:wecom:staff1:")]
    assert len(items) == 1 and items[0].target == {"users": ["staff1"]}
    rest = items[0].payload["text"]
    assert "吕梁市第59号" in rest and "吕梁市第59号" not in first
    # A retry of the same message does not queue the overflow twice.
    platform.say("staff1", "排名", "5001")
    assert len([i for i in list_items(db) if i.key.startswith("overflow:wecom:staff1:")]) == 1
    # The outbox worker delivers it through message/send.
    from datetime import datetime
    counts = deliver_due(db, datetime(2022, 9, 1, 10, 0, 5), make_senders(platform.settings))
    db.close()
    assert counts["sent"] == 1
    pushed = [s["text"]["content"] for s in platform.fake.sent if s["touser"] == "staff1"]
    assert "\n".join(pushed) == rest


def test_an_unknown_sender_is_told_how_to_get_bound(platform: Platform):
    reply = platform.say("stranger", "报送 信用承诺 35", "6001")
    assert "绑定" in reply and "stranger" in reply
    db = platform.db()
    assert list_submissions(db) == []
    db.close()


def aibot_message(msg_id: str, msgtype: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"msgid": msg_id, "aibotid": "AIBOT1", "chatid": "sw1", "chattype": "single",
            "from": {"userid": "sw1"}, "response_url": "http://127.0.0.1:9/unused",
            "msgtype": msgtype, msgtype: body}


def test_aibot_file_is_downloaded_decrypted_and_stored(platform: Platform):
    reply = platform.aibot_reply(platform.aibot_post(
        aibot_message("ai-1", "text", {"content": "佐证 双公示"})))
    assert "佐证材料" in reply["stream"]["content"]
    url = platform.fake.add_file("f1", encrypt_file(PDF, AIBOT_KEY))
    reply = platform.aibot_reply(platform.aibot_post(aibot_message("ai-2", "file", {"url": url})))
    assert "已收到" in reply["stream"]["content"]
    db = platform.db()
    rows = list_evidence(db)
    db.close()
    assert len(rows) == 1 and rows[0]["indicator"] == "3" and rows[0]["channel"] == "wecom_aibot"
    assert rows[0]["original_name"].endswith(".pdf")
    assert locate(platform.settings["CREDITBOT_DATA"], rows[0]["path"]).read_bytes() == PDF


def test_aibot_plain_file_is_kept_as_is_in_auto_mode(platform: Platform):
    platform.aibot_post(aibot_message("ai-3", "text", {"content": "佐证 双公示"}))
    url = platform.fake.add_file("f2", PDF)
    reply = platform.aibot_reply(platform.aibot_post(aibot_message("ai-4", "file", {"url": url})))
    assert "已收到" in reply["stream"]["content"]
    db = platform.db()
    assert locate(platform.settings["CREDITBOT_DATA"], list_evidence(db)[0]["path"]).read_bytes() == PDF
    db.close()


def test_wecom_push_retries_45009_and_reuses_the_token(platform: Platform):
    from datetime import datetime, timedelta
    from ledger.outbox import enqueue
    db = platform.db()
    t0 = datetime(2022, 9, 1, 10, 0)
    enqueue(db, "remind:1", "wecom", {"users": ["sw1"]}, {"text": "请于9月2日前报送8月月报"}, t0)
    enqueue(db, "remind:2", "wecom", {"webhook": platform.fake.webhook_url("office")},
            {"text": "月报截止提醒"}, t0)
    senders = make_senders(platform.settings)
    platform.fake.script_send_errors(45009)
    assert deliver_due(db, t0, senders) == {"sent": 1, "retried": 1, "failed": 0, "deferred": 0}
    assert deliver_due(db, t0 + timedelta(seconds=30), senders)["sent"] == 1
    db.close()
    assert [s["touser"] for s in platform.fake.sent] == ["sw1"]
    assert platform.fake.webhook_calls[0]["text"]["content"] == "月报截止提醒"
    assert platform.fake.token_requests == 1


def test_staff_read_a_submission_and_get_its_file_as_a_wecom_file_message(platform: Platform):
    from datetime import datetime
    from ledger.submissions import store_evidence
    assert "已记录" in platform.say("sw1", "报送 信用承诺 35", "v-1")
    db = platform.db()
    store_evidence(db, platform.settings["CREDITBOT_DATA"], unit_id=1, indicator="7", content=PDF,
                   original_name="信用承诺汇总.pdf", content_type="application/pdf",
                   now=datetime(2022, 9, 1, 10, 0), member_id=None, channel="wecom",
                   source_msg_id="aibot-file-1")
    db.close()
    pending = platform.say("staff1", "待审", "v-2")
    assert "#1｜市税务局｜7 信用承诺信息上报情况" in pending and "F1｜市税务局" in pending
    shown = platform.say("staff1", "查看 1", "v-3")
    assert "原文：报送 信用承诺 35" in shown and "信用承诺汇总.pdf" in shown and "随后单独发给您" in shown
    db = platform.db()
    counts = deliver_due(db, datetime(2022, 9, 1, 10, 1), make_senders(platform.settings))
    db.close()
    assert counts["failed"] == 0 and counts["sent"] >= 1
    (upload,) = platform.fake.uploads
    assert upload.data == PDF and upload.filename == "信用承诺汇总.pdf"
    files = [m for m in platform.fake.sent if m["msgtype"] == "file"]
    assert files == [{"touser": "staff1", "msgtype": "file", "agentid": files[0]["agentid"],
                      "file": {"media_id": "up-1"}}]


def test_staff_control_through_the_wecom_callback(platform: Platform):
    entered = platform.say("staff1", "代报 市税务局 双公示 准确率=百分之九十五", "c-1")
    assert "已代报" in entered and "95%" in entered
    event = platform.say("staff1", "扣分 市税务局 重大失信 通报", "c-2")
    assert "降低1个档次" in event
    number = int(event.split("撤销请发：撤销 ")[1].split("）")[0])
    assert "已撤销" in platform.say("staff1", f"撤销 {number}", "c-3")
    assert "请回复序号" in platform.say("sw1", "报送 行政 3", "c-4")
    assert "已取消" in platform.say("sw1", "取消", "c-5")
    both = platform.say("sw1", "月报 8月：宣传２次！\n继续走访企业。\n得份", "c-6")
    assert "已收到" in both and "总分" in both
    db = platform.db()
    (briefing,) = list_submissions(db, statuses=("submitted",))
    db.close()
    assert briefing.text == "宣传２次！\n继续走访企业。"  # 「8月：」 names the month
