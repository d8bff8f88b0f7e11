"""A text message through the app's real WeCom callback (signed, encrypted, answered
passively), for tests that talk to an app in-process rather than over loopback."""
from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import urlencode

import defusedxml.ElementTree as SafeET

from channels.wecom_crypto import WeComCrypto


def wecom_say(app: Any, user: str, text: str, *, token: str, aes_key: str, corp: str) -> str | None:
    """The passive reply's text to `text` from `user`, through /wecom/callback."""
    inner = (f"<xml><ToUserName>{corp}</ToUserName><FromUserName>{user}</FromUserName>"
             f"<CreateTime>{int(time.time())}</CreateTime><MsgType>text</MsgType>"
             f"<Content><![CDATA[{text}]]></Content><MsgId>{secrets.randbelow(10**12)}</MsgId>"
             f"<AgentID>1</AgentID></xml>").encode()
    crypto = WeComCrypto(token, aes_key, corp)
    ts, nonce = str(int(time.time())), str(secrets.randbelow(10**9))
    encrypt, signature = crypto.encrypt(inner, ts, nonce)
    resp = app.test_client().post(
        "/wecom/callback?" + urlencode({"msg_signature": signature, "timestamp": ts, "nonce": nonce}),
        data=f"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>", content_type="text/xml")
    assert resp.status_code == 200, resp.data
    env = SafeET.fromstring(resp.data)
    plain = crypto.decrypt(env.findtext("MsgSignature"), env.findtext("TimeStamp"),
                           env.findtext("Nonce"), env.findtext("Encrypt"))
    return SafeET.fromstring(plain).findtext("Content")
