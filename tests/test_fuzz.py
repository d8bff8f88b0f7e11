"""Hostile input: random chat text, random/truncated/oversized callback bodies, bad headers.

Nothing here may crash: no 500 (the platforms would retry), no apology-for-a-crash reply, and
the ledger changes only for a valid 报送/月报. Driven through Flask's test client (fast), with
one loopback check at the end that the real server is still healthy.
"""
from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.app import create_app
from bot.commands import COMMANDS
from channels.dingtalk import callback_sign
from bot.parse import normalise
from bot.pipeline import APOLOGY
from channels.wecom_crypto import WeComCrypto
from conftest import Office
from servers import app_server
from traffic import unique_ms

FUZZ = settings(max_examples=150)  # the rest comes from the suite's profile (conftest.py)
SECRET = "fuzz-dingtalk-secret"
WECOM = {"WECOM_TOKEN": "QDG6eK", "WECOM_AES_KEY": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
         "WECOM_CORP_ID": "wx5823bf96d3bd56c7"}
CRYPTO = WeComCrypto(WECOM["WECOM_TOKEN"], WECOM["WECOM_AES_KEY"], WECOM["WECOM_CORP_ID"])
BODY_LIMIT = 64 * 1024
WRITE_WORDS = ("报送", "填报", "上报", "月报", "报告", "工作总结")
WORDS = sorted({w for c in COMMANDS for w in c.words})

# Text a person might type: any unicode, or a command word followed by anything.
chat_text = st.one_of(
    st.text(max_size=60),
    st.builds(lambda w, sep, rest: f"{w}{sep}{rest}", st.sampled_from(WORDS),
              st.sampled_from(["", " ", "　", "\n", "="]), st.text(max_size=40)),
    st.builds(lambda w, code, v: f"{w} {code} {v}", st.sampled_from(WORDS),
              st.sampled_from(["7", "3", "11", "信用承诺", "双公示", "x", "99", "一"]),
              st.one_of(st.integers(-10**12, 10**12).map(str), st.floats().map(str),
                        st.sampled_from(["是", "否", "95%", "1e400", "NaN", "-0", "½", "٣"]))),
)
SCORED = ("submissions", "adjustments", "evidence", "units", "members")


def counts(office: Office) -> dict[str, int]:
    return {t: office.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in SCORED}


@pytest.fixture
def office(tmp_path: Path) -> Office:
    office = Office(tmp_path)
    office.unit("市税务局", "sw1", "张敏")
    office.unit("市民政局", "mz1", "赵磊")
    office.staff()
    # The app below has both platforms on: say which one sw1 writes from (ids are per platform).
    office.db.execute("UPDATE members SET channel = 'dingtalk' WHERE user_id = 'sw1'")
    office.db.conn.commit()
    return office


@FUZZ
@given(user=st.sampled_from(["sw1", "staff1", "stranger"]), text=chat_text)
def test_chat_never_crashes_and_writes_only_for_a_valid_submission(office: Office, user: str,
                                                                    text: str) -> None:
    before = counts(office)
    reply = office.chat(user, text)
    assert reply and reply != APOLOGY
    after = counts(office)
    if after != before:
        assert user == "sw1" and normalise(text).startswith(WRITE_WORDS), (text, reply)
        assert {t for t in SCORED if after[t] != before[t]} == {"submissions"}
        assert "已记录" in reply or "已收到" in reply


# ---- the callbacks --------------------------------------------------------------------------

@pytest.fixture
def app(office: Office) -> Any:
    return create_app({**office.settings, **WECOM, "DINGTALK_APP_SECRET": SECRET,
                       "MAX_BODY_BYTES": BODY_LIMIT})


def signed() -> dict[str, str]:
    ts = str(unique_ms())
    return {"timestamp": ts, "sign": callback_sign(ts, SECRET)}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                 max_size=4),
    max_leaves=12)
FIELDS = ["msgId", "senderStaffId", "createAt", "conversationType", "msgtype", "text",
          "conversationId", "sessionWebhook", "content", "atUsers", "robotCode"]


def valid_body(text: str = "得分") -> dict[str, Any]:
    return {"conversationId": "cid1", "msgId": uuid.uuid4().hex, "senderNick": "张敏",
            "senderStaffId": "sw1", "createAt": int(time.time() * 1000),
            "conversationType": "1", "senderId": "$:sw1", "msgtype": "text",
            "text": {"content": text}}


dingtalk_bodies = st.one_of(
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
    st.builds(lambda body, key, value: json.dumps({**body, key: value}).encode(),
              st.builds(valid_body, chat_text), st.sampled_from(FIELDS), json_values),
    st.builds(lambda n, ch: json.dumps(valid_body(ch * n)).encode(),
              st.integers(1000, 30000), st.sampled_from(["得", "a", "\u0000", "😀"])),
    st.builds(lambda body, cut: json.dumps(body).encode()[:cut],
              st.builds(valid_body), st.integers(0, 200)),
)
def header_text(size: int) -> st.SearchStrategy[str]:
    """What can travel in an HTTP header (no control characters)."""
    return st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=size)


bad_headers = st.one_of(
    st.just({}),
    st.fixed_dictionaries({"timestamp": header_text(20), "sign": header_text(60)}),
    st.builds(lambda ts: {"timestamp": ts, "sign": callback_sign(ts, SECRET)},
              st.integers(0, 10**14).map(str)),  # correctly signed, stale
    st.builds(lambda h: {**h, "sign": h["sign"][:-2] + "=="}, st.builds(signed)),
    # digits int() refuses ("²", "①") and numbers too long for any clock
    st.fixed_dictionaries({"timestamp": st.text(st.characters(whitelist_categories=("Nd", "No")),
                                                min_size=1, max_size=30),
                           "sign": header_text(60)}),
    st.builds(lambda n: {"timestamp": "9" * n, "sign": "x"}, st.integers(14, 6000)),
)


@FUZZ
@given(body=dingtalk_bodies, headers=st.one_of(st.builds(signed), bad_headers))
def test_dingtalk_callback_never_500(app: Any, body: bytes, headers: dict[str, str]) -> None:
    resp = app.test_client().post("/dingtalk/callback", data=body, headers=headers,
                                  content_type="application/json")
    assert resp.status_code in (200, 400, 403, 413), resp.status_code
    if resp.status_code == 200:
        assert resp.get_json()["text"]["content"] not in ("", APOLOGY)


@FUZZ
@given(body=dingtalk_bodies.filter(lambda b: len(b) <= BODY_LIMIT))
def test_dingtalk_with_a_valid_sign_answers_200_or_400(app: Any, body: bytes) -> None:
    resp = app.test_client().post("/dingtalk/callback", data=body, headers=signed(),
                                  content_type="application/json")
    assert resp.status_code in (200, 400)


def wecom_envelope(inner: bytes, ts: str | None = None, nonce: str = "42") -> tuple[str, str]:
    ts = ts or str(int(time.time()))  # fresh: the fuzzing reaches the parser, not the window
    encrypt, signature = CRYPTO.encrypt(inner, ts, nonce)
    query = urlencode({"msg_signature": signature, "timestamp": ts, "nonce": nonce})
    return query, f"<xml><ToUserName>x</ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"


def inner_xml(text: str) -> bytes:
    return (f"<xml><ToUserName>wx5823bf96d3bd56c7</ToUserName><FromUserName>sw1</FromUserName>"
            f"<CreateTime>1700000000</CreateTime><MsgType>text</MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{uuid.uuid4().int % 10**18}</MsgId>"
            f"<AgentID>1</AgentID></xml>").encode()


xml_fragments = st.lists(st.sampled_from(
    ["<xml>", "</xml>", "<Encrypt>", "</Encrypt>", "<![CDATA[", "]]>", "&lol;", "<!DOCTYPE x [",
     "<!ENTITY a SYSTEM 'file:///etc/passwd'>", "]>", "&a;", "\x00", "<?xml version='1.0'?>",
     "AAAA", "==", "<MsgType>text</MsgType>", "<FromUserName>sw1</FromUserName>"]),
    max_size=12).map(lambda parts: "".join(parts).encode())

wecom_requests = st.one_of(
    # random query, random body
    st.tuples(st.dictionaries(st.sampled_from(["msg_signature", "timestamp", "nonce", "echostr",
                                               "x"]), st.text(max_size=50), max_size=4)
              .map(urlencode),
              st.one_of(st.binary(max_size=300), xml_fragments)),
    # correctly encrypted and signed, hostile or random plaintext
    st.one_of(st.text(max_size=80).map(inner_xml), xml_fragments, st.binary(max_size=200))
      .map(wecom_envelope),
    # a valid envelope, truncated / re-encoded
    st.builds(lambda env, cut, enc: (env[0], env[1][:cut].encode(enc, "replace")),
              st.builds(lambda t: wecom_envelope(inner_xml(t)), st.text(max_size=20)),
              st.integers(0, 400), st.sampled_from(["utf-8", "gbk", "utf-16", "latin-1"])),
)


@FUZZ
@given(req=wecom_requests, method=st.sampled_from(["POST", "GET"]))
def test_wecom_callback_never_500(app: Any, req: tuple[str, Any], method: str) -> None:
    query, body = req
    body = body.encode() if isinstance(body, str) else body
    resp = app.test_client().open(f"/wecom/callback?{query}", method=method, data=body,
                                  content_type="text/xml")
    assert resp.status_code in (200, 400, 403, 404, 413), resp.status_code


def test_oversized_bodies_get_413(app: Any) -> None:
    client = app.test_client()
    big = b"<xml>" + b"A" * (BODY_LIMIT + 1)
    fresh = int(time.time())  # a stale timestamp is refused (403) before the body is read
    assert client.post(f"/wecom/callback?msg_signature=a&timestamp={fresh}&nonce=2", data=big,
                       content_type="text/xml").status_code == 413
    body = json.dumps(valid_body("得" * BODY_LIMIT)).encode()
    assert client.post("/dingtalk/callback", data=body, headers=signed(),
                       content_type="application/json").status_code == 413


def test_the_server_is_healthy_after_the_fuzzing(app: Any, office: Office) -> None:
    client = app.test_client()
    for n in range(50):  # a burst of garbage first
        client.post("/dingtalk/callback", data=bytes([n]) * n, headers=signed())
        client.post(f"/wecom/callback?msg_signature={n}", data=b"<xml>" * n)
    with app_server(app) as base, requests.Session() as s:
        assert s.get(f"{base}/healthz", timeout=5).status_code == 200
        resp = s.post(f"{base}/dingtalk/callback", data=json.dumps(valid_body("得分")),
                      headers={**signed(), "Content-Type": "application/json"}, timeout=10)
        assert resp.status_code == 200 and "总分" in resp.json()["text"]["content"]
