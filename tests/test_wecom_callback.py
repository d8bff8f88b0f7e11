"""The /wecom blueprint through Flask's test client, driven by Tencent's official samples."""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import defusedxml.ElementTree as SafeET
import pytest
from flask import Flask, request
from flask.testing import FlaskClient

from channels.message import Message, Reply
from channels.message import APOLOGY
from channels.wecom import (
    MORE_NOTE, TRUNCATED_NOTE,
    WeComPayloadError,
    parse_aibot_message,
    parse_app_message,
    split_utf8,
)
from channels.wecom_routes import make_blueprint
from channels.wecom_crypto import WeComCrypto

SAMPLES: dict[str, Any] = json.loads(
    (Path(__file__).parent / "fixtures" / "wecom_official_samples.json").read_text("utf-8")
)
APP = SAMPLES["app"]
SAMPLE_MSG = APP["message"]

SETTINGS = {
    "WECOM_CORP_ID": APP["corp_id"],
    "WECOM_TOKEN": APP["token"],
    "WECOM_AES_KEY": APP["encoding_aes_key"],
    "WECOM_AGENT_ID": "218",
}
AIBOT_TOKEN = "aibotToken123"
AIBOT_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<xml><ToUserName>x</ToUserName><Encrypt>&lol3;</Encrypt></xml>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>x</ToUserName><Encrypt>&xxe;</Encrypt></xml>"""


class Recorder:
    """A handler that records each Message and answers with a scripted reply."""

    def __init__(self, reply: Reply | Callable[[Message], Reply] | None = None) -> None:
        self.messages: list[Message] = []
        self.reply = Reply("总分 87.5 分") if reply is None else reply

    def __call__(self, msg: Message) -> Reply:
        self.messages.append(msg)
        return self.reply(msg) if callable(self.reply) else self.reply


def make_client(
    handler: Recorder,
    push_overflow: Callable[[str, Reply], None] | None = None,
    settings: dict[str, Any] | None = None,
) -> FlaskClient:
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 5 * 1024 * 1024
    app.register_blueprint(make_blueprint(SETTINGS if settings is None else settings, handler,
                                          push_overflow, now_s=signed_time))
    return app.test_client()


def signed_time() -> float:
    """The clock of these tests stands at the moment each sample was signed (Tencent's are from
    2014); the freshness window has its own tests."""
    value = request.args.get("timestamp", "")
    return float(value) if value.isascii() and value.isdigit() else 0.0


def app_crypto() -> WeComCrypto:
    return WeComCrypto(APP["token"], APP["encoding_aes_key"], APP["corp_id"])


def sample_post(client: FlaskClient, signature: str | None = None) -> Any:
    query = urlencode(
        {
            "msg_signature": signature or SAMPLE_MSG["msg_signature"],
            "timestamp": SAMPLE_MSG["timestamp"],
            "nonce": SAMPLE_MSG["nonce"],
        }
    )
    body = (
        f"<xml><ToUserName><![CDATA[{SAMPLE_MSG['to_user']}]]></ToUserName>"
        f"<AgentID><![CDATA[{SAMPLE_MSG['agent_id']}]]></AgentID>"
        f"<Encrypt><![CDATA[{SAMPLE_MSG['encrypt']}]]></Encrypt></xml>"
    )
    return client.post(f"/wecom/callback?{query}", data=body, content_type="text/xml")


def signed_post(client: FlaskClient, inner: bytes, crypto: WeComCrypto | None = None) -> Any:
    """POST an arbitrary decrypted message, correctly encrypted and signed."""
    crypto = crypto or app_crypto()
    encrypt, signature = crypto.encrypt(inner, "1700000000", "4242")
    query = urlencode({"msg_signature": signature, "timestamp": "1700000000", "nonce": "4242"})
    body = f"<xml><ToUserName>x</ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    return client.post(f"/wecom/callback?{query}", data=body, content_type="text/xml")


def open_reply(response: Any, crypto: WeComCrypto | None = None) -> Any:
    """Verify the encrypted passive reply's signature and return its plaintext XML root."""
    crypto = crypto or app_crypto()
    envelope = SafeET.fromstring(response.data)
    encrypt = envelope.findtext("Encrypt")
    timestamp, nonce = envelope.findtext("TimeStamp"), envelope.findtext("Nonce")
    signature = envelope.findtext("MsgSignature")
    assert signature == crypto.signature(timestamp, nonce, encrypt)
    return SafeET.fromstring(crypto.decrypt(signature, timestamp, nonce, encrypt))


# -- URL verification ------------------------------------------------------------------------
def verify_query(v: dict[str, str]) -> str:
    return urlencode({k: v[k] for k in ("msg_signature", "timestamp", "nonce", "echostr")})


def test_url_verification_answers_the_bare_plaintext() -> None:
    v = APP["verify"]
    client = make_client(Recorder())
    response = client.get("/wecom/callback?" + verify_query(v))
    assert response.status_code == 200
    assert response.data == b"1616140317555161061"
    assert response.mimetype == "text/plain"


def test_second_official_sample_verifies_too() -> None:
    s = SAMPLES["app2"]
    v = s["verify"]
    settings = {"WECOM_CORP_ID": s["corp_id"], "WECOM_TOKEN": s["token"], "WECOM_AES_KEY": s["encoding_aes_key"]}
    client = make_client(Recorder(), settings=settings)
    response = client.get("/wecom/callback?" + verify_query(v))
    assert response.data == b"1288432023552776189"


def test_url_verification_with_bad_signature_is_403() -> None:
    v = dict(APP["verify"], msg_signature="0" * 40)
    response = make_client(Recorder()).get("/wecom/callback?" + urlencode(v))
    assert response.status_code == 403
    assert "签名" in response.get_data(as_text=True)


def test_url_verification_without_params_is_400() -> None:
    assert make_client(Recorder()).get("/wecom/callback").status_code == 400


# -- messages --------------------------------------------------------------------------------
def test_official_message_reaches_the_handler() -> None:
    handler = Recorder()
    response = sample_post(make_client(handler))
    assert response.status_code == 200
    (msg,) = handler.messages
    assert (msg.channel, msg.sender_id, msg.chat_id) == ("wecom", "mycreate", "mycreate")
    assert (msg.text, msg.msg_id, msg.raw_type) == ("hello", "4561255354251345929", "text")
    assert msg.at.utcoffset() == timedelta(hours=8)
    assert msg.at.timestamp() == SAMPLE_MSG["create_time"]  # 2014: old timestamps are accepted
    assert msg.at == datetime.fromisoformat("2014-09-02T20:10:13+08:00")


def test_passive_reply_is_encrypted_signed_and_addressed_to_the_user() -> None:
    response = sample_post(make_client(Recorder()))
    assert response.mimetype == "application/xml"
    inner = open_reply(response)
    assert inner.findtext("ToUserName") == "mycreate"
    assert inner.findtext("FromUserName") == APP["corp_id"]
    assert inner.findtext("MsgType") == "text"
    assert inner.findtext("Content") == "总分 87.5 分"
    assert int(inner.findtext("CreateTime")) > 1_600_000_000


def test_replayed_message_is_passed_to_the_idempotent_handler_again() -> None:
    handler = Recorder()
    client = make_client(handler)
    first, second = sample_post(client), sample_post(client)
    assert [m.msg_id for m in handler.messages] == ["4561255354251345929"] * 2
    assert open_reply(first).findtext("Content") == open_reply(second).findtext("Content")


def test_bad_signature_is_403_and_handler_not_called() -> None:
    handler = Recorder()
    response = sample_post(make_client(handler), signature="f" * 40)
    assert response.status_code == 403
    assert handler.messages == []


def test_message_for_another_corp_is_403() -> None:
    handler = Recorder()
    other = WeComCrypto(APP["token"], APP["encoding_aes_key"], "wwanothercorp")
    response = signed_post(make_client(handler), b"<xml/>", crypto=other)
    assert response.status_code == 403
    assert handler.messages == []


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "xxe"])
def test_hostile_outer_xml_is_400(body: bytes) -> None:
    handler = Recorder()
    query = urlencode({"msg_signature": "a" * 40, "timestamp": "1", "nonce": "2"})
    response = make_client(handler).post(f"/wecom/callback?{query}", data=body, content_type="text/xml")
    assert response.status_code == 400
    assert "不安全的 XML" in response.get_data(as_text=True)
    assert handler.messages == []


@pytest.mark.parametrize("inner", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "xxe"])
def test_hostile_inner_xml_is_400_even_when_signed(inner: bytes) -> None:
    handler = Recorder()
    response = signed_post(make_client(handler), inner)
    assert response.status_code == 400
    assert handler.messages == []


@pytest.mark.parametrize(
    "body", [b"", b"hello", b'{"encrypt": "x"}', b"<xml><ToUserName>x</ToUserName></xml>", b"<xml><Encrypt>"]
)
def test_malformed_bodies_are_400_in_chinese(body: bytes) -> None:
    handler = Recorder()
    query = urlencode({"msg_signature": "a" * 40, "timestamp": "1", "nonce": "2"})
    response = make_client(handler).post(f"/wecom/callback?{query}", data=body)
    assert response.status_code == 400
    assert "请求" in response.get_data(as_text=True)
    assert handler.messages == []


def test_post_without_signature_params_is_400() -> None:
    response = make_client(Recorder()).post("/wecom/callback", data=b"<xml><Encrypt>x</Encrypt></xml>")
    assert response.status_code == 400


def test_handler_exception_becomes_an_encrypted_apology(caplog: pytest.LogCaptureFixture) -> None:
    def boom(msg: Message) -> Reply:
        raise RuntimeError("database is locked")

    response = sample_post(make_client(Recorder(boom)))
    assert response.status_code == 200
    assert open_reply(response).findtext("Content") == APOLOGY
    assert "database is locked" in caplog.text  # logged with the traceback


def test_empty_reply_is_an_empty_200() -> None:
    response = sample_post(make_client(Recorder(Reply(""))))
    assert response.status_code == 200
    assert response.data == b""


def long_card() -> str:
    return "\n".join(f"第{i:03d}项 守信激励 得分 2.5 分，依据：红名单认定文件。" for i in range(80))


def test_long_reply_is_split_and_the_rest_pushed() -> None:
    pushed: list[tuple[str, Reply]] = []
    text = long_card()
    client = make_client(Recorder(Reply(text)), push_overflow=lambda user, reply: pushed.append((user, reply)))
    content = open_reply(sample_post(client)).findtext("Content")
    assert len(content.encode("utf-8")) <= 2048
    assert content.endswith(MORE_NOTE)  # the user is told the rest follows
    head = content[: -len(MORE_NOTE)]
    assert text.startswith(head)
    ((user, rest),) = pushed
    assert user == "mycreate"
    assert rest.text.startswith("（续）\n")
    assert head + "\n" + rest.text.removeprefix("（续）\n") == text


def test_long_reply_without_push_is_truncated_with_a_note() -> None:
    content = open_reply(sample_post(make_client(Recorder(Reply(long_card()))))).findtext("Content")
    assert len(content.encode("utf-8")) <= 2048
    assert content.endswith(TRUNCATED_NOTE)


def test_push_overflow_failure_still_answers_the_first_part() -> None:
    def broken(user: str, reply: Reply) -> None:
        raise ConnectionError("down")

    response = sample_post(make_client(Recorder(Reply(long_card())), push_overflow=broken))
    assert response.status_code == 200
    assert open_reply(response).findtext("Content").startswith("第000项")


def test_unexpected_adapter_failure_is_an_empty_200_not_500(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> bytes:
        raise RuntimeError("bug in rendering")

    monkeypatch.setattr("channels.wecom_routes.render_app_reply", broken)
    response = sample_post(make_client(Recorder()))
    assert (response.status_code, response.data) == (200, b"")


def test_unconfigured_endpoint_is_404() -> None:
    client = make_client(Recorder(), settings={})
    assert client.get("/wecom/callback").status_code == 404
    assert client.post("/wecom/aibot").status_code == 404


def test_token_without_corp_id_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="WECOM_CORP_ID"):
        make_blueprint({"WECOM_TOKEN": "t", "WECOM_AES_KEY": APP["encoding_aes_key"]}, Recorder())


def test_body_over_max_content_length_is_413_not_500() -> None:
    query = urlencode({"msg_signature": "a" * 40, "timestamp": "1", "nonce": "2"})
    response = make_client(Recorder()).post(f"/wecom/callback?{query}", data=b"x" * (5 * 1024 * 1024 + 1))
    assert response.status_code == 413


# -- parsing ---------------------------------------------------------------------------------
def xml_message(msg_type: str, extra: str, msg_id: str = "<MsgId>1234567890123456</MsgId>") -> bytes:
    return (
        "<xml><ToUserName><![CDATA[wwcorp]]></ToUserName><FromUserName><![CDATA[lisi]]></FromUserName>"
        f"<CreateTime>1700000000</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>{extra}{msg_id}"
        "<AgentID>1000002</AgentID></xml>"
    ).encode()


def test_image_message_carries_the_media_id() -> None:
    msg = parse_app_message(
        xml_message("image", "<PicUrl><![CDATA[https://p.qpic.cn/x]]></PicUrl><MediaId><![CDATA[MEDIA1]]></MediaId>")
    )
    (att,) = msg.attachments
    assert (att.kind, att.fetch_ref, att.url) == ("image", "MEDIA1", "https://p.qpic.cn/x")
    assert (msg.text, msg.raw_type) == ("", "image")


def test_voice_and_file_messages() -> None:
    voice = parse_app_message(xml_message("voice", "<MediaId>V1</MediaId><Format>amr</Format>"))
    assert voice.attachments[0].kind == "voice" and voice.attachments[0].fetch_ref == "V1"
    doc = parse_app_message(xml_message("file", "<MediaId>F1</MediaId><FileName>考核材料.pdf</FileName>"))
    assert (doc.attachments[0].kind, doc.attachments[0].name) == ("file", "考核材料.pdf")


@pytest.mark.parametrize("event", ["subscribe", "enter_agent"])
def test_events_have_empty_text_and_a_synthetic_msg_id(event: str) -> None:
    msg = parse_app_message(xml_message("event", f"<Event><![CDATA[{event}]]></Event><EventKey/>", msg_id=""))
    assert (msg.text, msg.raw_type, msg.msg_id) == ("", f"event:{event}", "lisi-1700000000")


def test_event_callback_reaches_the_handler() -> None:
    handler = Recorder(Reply("欢迎使用信用考核助手"))
    inner = xml_message("event", "<Event>enter_agent</Event>", msg_id="")
    response = signed_post(make_client(handler), inner)
    assert handler.messages[0].raw_type == "event:enter_agent"
    assert open_reply(response).findtext("Content") == "欢迎使用信用考核助手"


def test_message_without_sender_is_a_payload_error() -> None:
    with pytest.raises(WeComPayloadError):
        parse_app_message(b"<xml><MsgType>text</MsgType><CreateTime>1</CreateTime></xml>")


def test_split_never_breaks_a_character() -> None:
    text = "信" * 1000  # one line of 3000 bytes
    chunks = split_utf8(text, 2048)
    assert "".join(chunks) == text
    assert all(len(c.encode()) <= 2048 for c in chunks)


# -- 智能机器人 ------------------------------------------------------------------------------
AIBOT_SETTINGS = {**SETTINGS, "WECOM_AIBOT_TOKEN": AIBOT_TOKEN, "WECOM_AIBOT_AES_KEY": AIBOT_KEY}


def aibot_crypto() -> WeComCrypto:
    return WeComCrypto(AIBOT_TOKEN, AIBOT_KEY, "")


def aibot_post(client: FlaskClient, payload: dict[str, Any]) -> Any:
    encrypt, signature = aibot_crypto().encrypt(json.dumps(payload).encode(), "1750000000", "777")
    query = urlencode({"msg_signature": signature, "timestamp": "1750000000", "nonce": "777"})
    return client.post(f"/wecom/aibot?{query}", json={"encrypt": encrypt})


def open_aibot_reply(response: Any) -> dict[str, Any]:
    body = response.get_json()
    crypto = aibot_crypto()
    assert body["msgsignature"] == crypto.signature(body["timestamp"], body["nonce"], body["encrypt"])
    return json.loads(crypto.decrypt(body["msgsignature"], body["timestamp"], body["nonce"], body["encrypt"]))


GROUP_TEXT = {
    "msgid": "CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=",
    "aibotid": "AIBOTID",
    "chatid": "wrkSFfCgAAxxxx",
    "chattype": "group",
    "from": {"userid": "wangwu"},
    "response_url": "https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=RC",
    "msgtype": "text",
    "text": {"content": "@信用考核助手 得分"},
}


def test_aibot_json_round_trip() -> None:
    handler = Recorder(Reply("**总分** 87.5 分", markdown=True))
    response = aibot_post(make_client(handler, settings=AIBOT_SETTINGS), GROUP_TEXT)
    assert response.status_code == 200
    (msg,) = handler.messages
    assert (msg.channel, msg.sender_id, msg.chat_id) == ("wecom_aibot", "wangwu", "wrkSFfCgAAxxxx")
    assert (msg.text, msg.is_group, msg.msg_id) == ("得分", True, GROUP_TEXT["msgid"])
    assert msg.reply_hint == GROUP_TEXT["response_url"]
    plain = open_aibot_reply(response)
    assert plain["msgtype"] == "stream"
    assert plain["stream"]["finish"] is True
    assert plain["stream"]["content"] == "**总分** 87.5 分"


def test_aibot_url_verification_uses_empty_receive_id() -> None:
    encrypt, signature = aibot_crypto().encrypt(b"8412390458", "1750000000", "99")
    query = urlencode({"msg_signature": signature, "timestamp": "1750000000", "nonce": "99", "echostr": encrypt})
    response = make_client(Recorder(), settings=AIBOT_SETTINGS).get(f"/wecom/aibot?{query}")
    assert response.data == b"8412390458"


def test_aibot_is_off_without_its_own_token_and_key() -> None:
    # It used to borrow the app's token and key, leaving the endpoint live when switched off.
    crypto = WeComCrypto(APP["token"], APP["encoding_aes_key"], "")
    encrypt, signature = crypto.encrypt(b"echo", "1", "2")
    query = urlencode({"msg_signature": signature, "timestamp": "1", "nonce": "2", "echostr": encrypt})
    assert make_client(Recorder()).get(f"/wecom/aibot?{query}").status_code == 404


def test_aibot_single_chat_file_and_image() -> None:
    handler = Recorder(Reply(""))
    client = make_client(handler, settings=AIBOT_SETTINGS)
    single = {"msgid": "m2", "chattype": "single", "from": {"userid": "zhaoliu"}, "response_url": "u"}
    aibot_post(client, {**single, "msgtype": "file", "file": {"url": "https://example.invalid/f"}})
    response = aibot_post(client, {**single, "msgid": "m3", "msgtype": "image", "image": {"url": "https://example.invalid/i"}})
    assert response.status_code == 200 and response.data == b""  # empty Reply → empty body
    file_msg, image_msg = handler.messages
    assert (file_msg.is_group, file_msg.chat_id) == (False, "zhaoliu")
    assert (file_msg.attachments[0].kind, file_msg.attachments[0].url) == ("file", "https://example.invalid/f")
    assert image_msg.attachments[0].kind == "image"


def test_aibot_mixed_message() -> None:
    payload = {
        **GROUP_TEXT,
        "msgtype": "mixed",
        "mixed": {
            "msg_item": [
                {"msgtype": "text", "text": {"content": "@信用考核助手 提交材料"}},
                {"msgtype": "image", "image": {"url": "https://example.invalid/a"}},
            ]
        },
    }
    msg = parse_aibot_message(payload)
    assert msg.text == "提交材料"
    assert [a.url for a in msg.attachments] == ["https://example.invalid/a"]


def test_aibot_single_chat_keeps_a_leading_at() -> None:
    payload = {**GROUP_TEXT, "chattype": "single", "text": {"content": "@张三 的得分"}}
    assert parse_aibot_message(payload).text == "@张三 的得分"


def test_aibot_welcome_event_is_answered_with_text() -> None:
    handler = Recorder(Reply("您好，我是信用考核助手"))
    payload = {"msgid": "e1", "from": {"userid": "wangwu"}, "msgtype": "event", "event": {"eventtype": "enter_chat"}}
    plain = open_aibot_reply(aibot_post(make_client(handler, settings=AIBOT_SETTINGS), payload))
    assert handler.messages[0].raw_type == "event:enter_chat"
    assert plain == {"msgtype": "text", "text": {"content": "您好，我是信用考核助手"}}


def test_aibot_handler_exception_becomes_the_apology() -> None:
    def boom(msg: Message) -> Reply:
        raise KeyError("x")

    plain = open_aibot_reply(aibot_post(make_client(Recorder(boom), settings=AIBOT_SETTINGS), GROUP_TEXT))
    assert plain["stream"]["content"] == APOLOGY


@pytest.mark.parametrize("body", [b"", b"<xml/>", b"[1,2]", b'{"encrypt": 5}', b"{not json"])
def test_aibot_malformed_bodies_are_400(body: bytes) -> None:
    handler = Recorder()
    query = urlencode({"msg_signature": "a" * 40, "timestamp": "1", "nonce": "2"})
    response = make_client(handler, settings=AIBOT_SETTINGS).post(f"/wecom/aibot?{query}", data=body)
    assert response.status_code == 400
    assert "JSON" in response.get_data(as_text=True) or "encrypt" in response.get_data(as_text=True)
    assert handler.messages == []


def test_aibot_bad_signature_is_403() -> None:
    handler = Recorder()
    query = urlencode({"msg_signature": "a" * 40, "timestamp": "1", "nonce": "2"})
    encrypt, _ = aibot_crypto().encrypt(b"{}", "1", "2")
    response = make_client(handler, settings=AIBOT_SETTINGS).post(f"/wecom/aibot?{query}", json={"encrypt": encrypt})
    assert response.status_code == 403
    assert handler.messages == []


def test_aibot_signed_garbage_json_is_400() -> None:
    handler = Recorder()
    encrypt, signature = aibot_crypto().encrypt(b"not json", "1", "2")
    query = urlencode({"msg_signature": signature, "timestamp": "1", "nonce": "2"})
    response = make_client(handler, settings=AIBOT_SETTINGS).post(f"/wecom/aibot?{query}", json={"encrypt": encrypt})
    assert response.status_code == 400
    assert handler.messages == []
