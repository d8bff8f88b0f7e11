"""DingTalk Stream mode: receive robot messages over an outbound websocket.

No public callback URL is needed, which suits government intranets. The payload is the same as
the HTTP callback, so it goes through `parse_callback` and the same `handle`; replies are posted
to the message's sessionWebhook with `DingTalkClient.session_reply`.

The official `dingtalk-stream` SDK is an optional dependency (`pip install '.[stream]'`); it is
imported only when `run_stream` is called.
"""
from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

from channels.dingtalk import DingTalkError, parse_callback, render_reply
from channels.dingtalk_client import DEFAULT_API_BASE, DingTalkClient
from channels.dingtalk_routes import safe_handle
from channels.message import Message, Reply

__all__ = ["DingTalkStreamUnavailable", "load_sdk", "make_stream_handler", "run_stream"]

log = logging.getLogger(__name__)

MISSING_SDK_TEXT = (
    "未安装钉钉 Stream 模式所需的 dingtalk-stream 组件，请执行 pip install '.[stream]' 后重试，"
    "或改用 HTTP 回调模式。"
)


class DingTalkStreamUnavailable(RuntimeError):
    """The optional dingtalk-stream SDK is not installed."""


def load_sdk(api_base: str = DEFAULT_API_BASE) -> ModuleType:
    """Import the SDK, pointing it at `api_base` (专有钉钉 hosts its gateway elsewhere)."""
    os.environ["DINGTALK_OPENAPI_ENDPOINT"] = api_base  # read by the SDK at import time
    try:
        import dingtalk_stream
    except ImportError as exc:
        raise DingTalkStreamUnavailable(MISSING_SDK_TEXT) from exc
    stream_client = getattr(dingtalk_stream, "DingTalkStreamClient", None)
    if stream_client is not None and hasattr(stream_client, "OPEN_CONNECTION_API"):
        stream_client.OPEN_CONNECTION_API = f"{api_base}/v1.0/gateway/connections/open"
    return dingtalk_stream


def make_stream_handler(
    sdk: ModuleType, handle: Callable[[Message], Reply], client: DingTalkClient
) -> Any:
    """A `sdk.CallbackHandler` that parses, handles in a worker thread and replies.

    It always acknowledges with OK: a payload we cannot parse will not parse better on redelivery.
    """

    class CreditBotHandler(sdk.CallbackHandler):  # type: ignore[name-defined]
        async def process(self, callback: Any) -> tuple[int, str]:
            try:
                msg = parse_callback(callback.data)
            except DingTalkError as exc:
                log.warning("DingTalk stream message rejected: %s", exc)
                return sdk.AckMessage.STATUS_OK, "OK"
            reply = await asyncio.to_thread(safe_handle, handle, msg)
            if reply and msg.reply_hint:
                await asyncio.to_thread(_send_reply, client, msg, reply)
            return sdk.AckMessage.STATUS_OK, "OK"

    return CreditBotHandler()


def _send_reply(client: DingTalkClient, msg: Message, reply: Reply) -> None:
    try:
        client.session_reply(msg.reply_hint, render_reply(reply))
    except DingTalkError as exc:
        log.warning("DingTalk stream reply for msgId=%s failed: %s", msg.msg_id, exc)


def run_stream(settings: Mapping[str, Any], handle: Callable[[Message], Reply]) -> None:
    """Connect with DINGTALK_APP_KEY/SECRET and serve robot messages until interrupted."""
    sdk = load_sdk(str(settings.get("DINGTALK_API_BASE") or DEFAULT_API_BASE).rstrip("/"))
    credential = sdk.Credential(settings["DINGTALK_APP_KEY"], settings["DINGTALK_APP_SECRET"])
    stream = sdk.DingTalkStreamClient(credential)
    handler = make_stream_handler(sdk, handle, DingTalkClient(settings))
    stream.register_callback_handler(sdk.ChatbotMessage.TOPIC, handler)
    log.info("DingTalk stream mode starting")
    stream.start_forever()
