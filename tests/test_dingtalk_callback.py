"""`POST /dingtalk/callback` and `parse_callback`, from DingTalk-shaped sample payloads."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from flask.testing import FlaskClient

from channels.dingtalk import (
    DingTalkPayloadError,
    callback_sign,
    parse_callback,
    render_reply,
)
from channels.dingtalk_routes import make_blueprint
from channels.message import APOLOGY, Attachment, Message, Reply

FIXTURES = Path(__file__).parent / "fixtures"
APP_SECRET = "this is a secret"
TIMESTAMP = "1577262236757"
SIGNED = {"timestamp": TIMESTAMP, "sign": "DJrE6qdyVGCQz9z5r2MDuNcNAhwYnuAkyj13cx169CA="}
NOW_MS = int(TIMESTAMP) + 2_000


def sample(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"dingtalk_{name}.json").read_text(encoding="utf-8"))


class RecordingHandler:
    """Answers every message with a score line and remembers what it saw."""

    def __init__(self) -> None:
        self.seen: list[Message] = []
        self.fail = False

    def __call__(self, msg: Message) -> Reply:
        self.seen.append(msg)
        if self.fail:
            raise RuntimeError("database is locked")
        mentions = [msg.sender_id] if msg.is_group else []
        return Reply("总分 92.5（第 3 名）", mentions=mentions)


@pytest.fixture
def handler() -> RecordingHandler:
    return RecordingHandler()


@pytest.fixture
def client(handler: RecordingHandler) -> FlaskClient:
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 5 * 1024 * 1024
    settings = {"DINGTALK_APP_SECRET": APP_SECRET}
    app.register_blueprint(make_blueprint(settings, handler, now_ms=lambda: NOW_MS))
    return app.test_client()


def post(client: FlaskClient, body: Any, headers: dict[str, str] | None = None) -> Any:
    data = body if isinstance(body, (bytes, str)) else json.dumps(body, ensure_ascii=False)
    return client.post(
        "/dingtalk/callback",
        data=data,
        headers=SIGNED if headers is None else headers,
        content_type="application/json; charset=utf-8",
    )


# ---- the conversation


def test_signed_text_callback_gets_the_reply(client: FlaskClient, handler: RecordingHandler) -> None:
    resp = post(client, sample("text"))
    assert resp.status_code == 200
    assert resp.get_json() == {
        "msgtype": "text",
        "text": {"content": "总分 92.5（第 3 名）"},
        "at": {"atUserIds": []},
    }
    [msg] = handler.seen
    assert (msg.channel, msg.sender_id, msg.text, msg.is_group) == ("dingtalk", "manager0123", "得分", False)
    assert msg.msg_id == "msgHmq0VhTydMZGnMuA3bS3Lg=="
    assert msg.chat_id == "cidp9lTJwpRx9JvOQpY+LTjDA=="
    assert msg.sender_name == "张科长"
    assert msg.reply_hint == "https://oapi.dingtalk.com/robot/sendBySession?session=c6f8a1e9"
    assert msg.at == datetime(2019, 12, 25, 16, 23, 56, 757000, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_group_message_mentions_the_sender(client: FlaskClient, handler: RecordingHandler) -> None:
    resp = post(client, sample("group_text"))
    assert resp.status_code == 200
    assert resp.get_json()["at"] == {"atUserIds": ["unit07"]}
    [msg] = handler.seen
    assert msg.is_group
    assert msg.text == "排名 市场监管局"  # leading @王五 removed


def test_picture_becomes_an_image_attachment(client: FlaskClient, handler: RecordingHandler) -> None:
    assert post(client, sample("picture")).status_code == 200
    [msg] = handler.seen
    assert msg.raw_type == "picture"
    assert msg.attachments == (
        Attachment(kind="image", fetch_ref="mIofN681YE3f/+m+NntqpTitDownloadCodePic"),
    )


def test_file_becomes_a_file_attachment(client: FlaskClient, handler: RecordingHandler) -> None:
    assert post(client, sample("file")).status_code == 200
    [msg] = handler.seen
    assert msg.attachments == (
        Attachment(
            kind="file",
            name="2024年第三季度双公示数据.xlsx",
            fetch_ref="QmFzZTY0RG93bmxvYWRDb2RlRmlsZQ==",
        ),
    )


def test_handler_exception_is_an_apology_not_a_500(
    client: FlaskClient, handler: RecordingHandler, caplog: pytest.LogCaptureFixture
) -> None:
    handler.fail = True
    resp = post(client, sample("text"))
    assert resp.status_code == 200
    assert resp.get_json()["text"] == {"content": APOLOGY}
    assert "database is locked" in caplog.text  # traceback logged


def test_repeated_msg_id_is_passed_on_unchanged(client: FlaskClient, handler: RecordingHandler) -> None:
    first = post(client, sample("text")).get_json()
    second = post(client, sample("text")).get_json()
    assert first == second
    assert [m.msg_id for m in handler.seen] == ["msgHmq0VhTydMZGnMuA3bS3Lg=="] * 2


# ---- refused requests never reach the handler


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(
            {
                "timestamp": str(NOW_MS - 2 * 3600 * 1000),
                "sign": callback_sign(str(NOW_MS - 2 * 3600 * 1000), APP_SECRET),
            },
            id="two-hours-old",
        ),
        pytest.param({"timestamp": TIMESTAMP, "sign": callback_sign(TIMESTAMP, "wrong")}, id="wrong-sign"),
        pytest.param({}, id="missing-headers"),
        pytest.param({"timestamp": "yesterday", "sign": SIGNED["sign"]}, id="non-numeric"),
    ],
)
def test_bad_signature_is_403(client: FlaskClient, handler: RecordingHandler, headers: dict[str, str]) -> None:
    resp = post(client, sample("text"), headers=headers)
    assert resp.status_code == 403
    assert resp.mimetype == "text/plain"
    assert "签名" in resp.get_data(as_text=True)
    assert handler.seen == []


def test_unconfigured_secret_refuses(handler: RecordingHandler) -> None:
    app = Flask(__name__)
    app.register_blueprint(make_blueprint({}, handler, now_ms=lambda: NOW_MS))
    assert post(app.test_client(), sample("text")).status_code == 403
    assert handler.seen == []


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"not json", id="not-json"),
        pytest.param(b"\xff\xfe", id="not-utf8"),
        pytest.param([1, 2], id="array"),
        pytest.param({**sample("text"), "msgId": None}, id="no-msgId"),
        pytest.param({**sample("text"), "createAt": "soon"}, id="bad-createAt"),
        pytest.param({**sample("text"), "createAt": 10**30}, id="huge-createAt"),
        pytest.param({**sample("text"), "text": {"content": 5}}, id="content-not-str"),
        pytest.param({**sample("file"), "content": {"fileName": "a.xlsx"}}, id="file-no-code"),
    ],
)
def test_malformed_body_is_400(client: FlaskClient, handler: RecordingHandler, body: Any) -> None:
    resp = post(client, body)
    assert resp.status_code == 400
    assert handler.seen == []


def test_oversized_body_is_refused(client: FlaskClient, handler: RecordingHandler) -> None:
    body = {**sample("text"), "text": {"content": "x" * (6 * 1024 * 1024)}}
    assert post(client, body).status_code == 413
    assert handler.seen == []


# ---- parse_callback details


def test_rich_text_joins_text_and_collects_pictures() -> None:
    msg = parse_callback(sample("richtext"))
    assert msg.text == "提交 佐证材料"
    assert msg.attachments == (Attachment(kind="image", fetch_ref="richPicCode1"),)


def test_audio_keeps_recognition_and_download_code() -> None:
    msg = parse_callback(sample("audio"))
    assert msg.text == "得分"
    assert msg.attachments == (Attachment(kind="voice", fetch_ref="audioCode1"),)


@pytest.mark.parametrize("msgtype", ["video", "audio", "interactiveCard"])
def test_unsupported_content_gets_a_polite_text(msgtype: str) -> None:
    body = {**sample("text"), "msgtype": msgtype}
    del body["text"]
    msg = parse_callback(body)
    assert "暂不支持" in msg.text
    assert msg.attachments == ()


def test_sender_falls_back_to_sender_id() -> None:
    body = sample("text")
    del body["senderStaffId"]
    assert parse_callback(body).sender_id == "$:LWCP_v1:$senderid=="


@pytest.mark.parametrize("field", ["msgtype", "msgId", "conversationId", "createAt", "text"])
def test_missing_required_field_is_a_chinese_error(field: str) -> None:
    body = sample("text")
    del body[field]
    with pytest.raises(DingTalkPayloadError, match="字段|消息"):
        parse_callback(body)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
KEYS = st.sampled_from(["msgtype", "msgId", "createAt", "conversationId", "senderStaffId",
                        "senderId", "text", "content", "conversationType", "sessionWebhook"])


@given(st.dictionaries(KEYS, JSON | st.sampled_from(["text", "file", "richText", "picture"])))
def test_any_json_object_parses_or_raises_payload_error(body: dict[str, Any]) -> None:
    try:
        parse_callback(body)
    except DingTalkPayloadError:
        pass


def test_wrong_type_is_an_error() -> None:
    with pytest.raises(DingTalkPayloadError):
        parse_callback({**sample("text"), "senderStaffId": 42})


# ---- render_reply


def test_markdown_reply() -> None:
    reply = Reply("## 本月排名\n1. 市场监管局", markdown=True, title="排名")
    assert render_reply(reply) == {
        "msgtype": "markdown",
        "markdown": {"title": "排名", "text": "## 本月排名\n1. 市场监管局"},
        "at": {"atUserIds": []},
    }


def test_markdown_reply_mentions_appear_in_text() -> None:
    rendered = render_reply(Reply("**总分 92.5**", markdown=True, mentions=["unit07"]))
    assert rendered["markdown"]["text"].endswith("@unit07")
    assert rendered["at"] == {"atUserIds": ["unit07"]}


def test_empty_reply_is_empty_msgtype() -> None:
    assert render_reply(Reply("")) == {"msgtype": "empty"}


def test_empty_reply_over_http() -> None:
    app = Flask(__name__)
    settings = {"DINGTALK_APP_SECRET": APP_SECRET}
    app.register_blueprint(make_blueprint(settings, lambda msg: Reply(""), lambda: NOW_MS))
    assert post(app.test_client(), sample("text")).get_json() == {"msgtype": "empty"}
