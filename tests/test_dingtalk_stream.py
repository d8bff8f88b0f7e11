"""Stream mode: a clear Chinese message without the optional SDK, and the handler's round trip."""
from __future__ import annotations

import asyncio
import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from channels.dingtalk_client import DingTalkClient
from channels.dingtalk_stream import DingTalkStreamUnavailable, load_sdk, make_stream_handler, run_stream
from channels.message import Message, Reply
from command_line import creditbot
from fake_dingtalk import FakeDingTalk

SETTINGS = {"DINGTALK_APP_KEY": "dingappkey", "DINGTALK_APP_SECRET": "app-secret"}


@pytest.fixture(autouse=True)
def _restore_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DINGTALK_OPENAPI_ENDPOINT", "unset")  # load_sdk overwrites it


def test_missing_sdk_reports_clear_chinese_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "dingtalk_stream", None)  # makes the import fail
    with pytest.raises(DingTalkStreamUnavailable, match=r"未安装.*pip install '\.\[stream\]'"):
        run_stream(SETTINGS, lambda msg: Reply("不会调用"))


def fake_sdk() -> types.ModuleType:
    sdk = types.ModuleType("dingtalk_stream")
    sdk.CallbackHandler = type("CallbackHandler", (), {})  # type: ignore[attr-defined]
    sdk.AckMessage = types.SimpleNamespace(STATUS_OK=200)  # type: ignore[attr-defined]
    sdk.DingTalkStreamClient = type(  # type: ignore[attr-defined]
        "DingTalkStreamClient", (), {"OPEN_CONNECTION_API": "https://api.dingtalk.com/x"}
    )
    return sdk


def test_load_sdk_points_the_gateway_at_the_configured_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "dingtalk_stream", fake_sdk())
    sdk = load_sdk("https://api.example.gov.cn")
    assert sdk.DingTalkStreamClient.OPEN_CONNECTION_API == (
        "https://api.example.gov.cn/v1.0/gateway/connections/open"
    )


def test_stream_handler_replies_on_the_session_webhook() -> None:
    body = json.loads((Path(__file__).parent / "fixtures" / "dingtalk_text.json").read_text("utf-8"))
    seen: list[Message] = []

    def handle(msg: Message) -> Reply:
        seen.append(msg)
        return Reply("总分 92.5")

    with FakeDingTalk() as fake:
        body["sessionWebhook"] = fake.session_webhook()
        client = DingTalkClient(fake.settings(), session=fake.session())
        handler = make_stream_handler(fake_sdk(), handle, client)
        callback: Any = types.SimpleNamespace(data=body)
        assert asyncio.run(handler.process(callback)) == (200, "OK")
    assert [m.text for m in seen] == ["得分"]
    assert fake.session_messages[0]["text"] == {"content": "总分 92.5"}


def test_stream_handler_acks_garbage_without_calling_handle() -> None:
    calls: list[Message] = []
    handler = make_stream_handler(fake_sdk(), calls.append, DingTalkClient({}))  # type: ignore[arg-type]
    callback: Any = types.SimpleNamespace(data={"msgtype": "text"})
    assert asyncio.run(handler.process(callback)) == (200, "OK")
    assert calls == []


def test_cli_stream_says_what_is_missing(tmp_path):
    out = creditbot("stream", env={"CREDITBOT_DB": str(tmp_path / "s.db"),
                                   "CREDITBOT_NO_SCHEDULER": "1"})
    assert out.returncode == 1 and "DINGTALK_APP_KEY" in out.stderr
