"""The one platform client base (channels/platform.py): both clients' errors are one SendError
whose `retryable` the outbox takes as given, one secret masking, one apology, one time zone."""
from __future__ import annotations

import ast
from datetime import datetime

import pytest

from channels.dingtalk_client import DingTalkClient, DingTalkSendError
from channels.message import APOLOGY
from channels.platform import SendError, TokenClient, mask_secrets, mask_url
from channels.wecom_client import WeComClient, WeComSendError
from ledger.db import open_db
from product_code import ROOT, files, tree
from ledger.outbox import enqueue, list_items
from reminders.outbox import deliver_due

T0 = datetime(2022, 9, 1, 9, 0, 0)
CLOCK = ROOT / "worktime" / "clock.py"


def test_both_clients_share_the_base():
    assert issubclass(WeComClient, TokenClient) and issubclass(DingTalkClient, TokenClient)
    assert issubclass(WeComSendError, SendError) and issubclass(DingTalkSendError, SendError)


@pytest.mark.parametrize(("code", "retryable", "status"), [
    ("45009", False, "failed"),   # a code the outbox used to retry on its own: the client decides
    ("60020", True, "pending"),   # a code it did not know: the client's verdict still holds
])
def test_the_outbox_trusts_the_clients_verdict(tmp_path, code, retryable, status):
    db = open_db(tmp_path / "o.db")
    enqueue(db, "k", "wecom", {"users": ["u1"]}, {"text": "提醒"}, T0)

    def sender(target, payload):
        raise SendError(code, "接口错误", retryable)

    deliver_due(db, T0, {"wecom": sender})
    (item,) = list_items(db)
    assert (item.status, item.attempts) == (status, 1) and "接口错误" in (item.last_error or "")


def test_a_partial_push_retries_only_the_users_not_reached(tmp_path):
    db = open_db(tmp_path / "o.db")
    enqueue(db, "k", "dingtalk", {"users": ["u1", "u2", "u3"]}, {"text": "提醒"}, T0)

    def sender(target, payload):
        raise DingTalkSendError("flow_controlled", "限流", True, ["u3"])

    deliver_due(db, T0, {"dingtalk": sender})
    (item,) = list_items(db)
    assert item.status == "pending" and item.target["users"] == ["u3"]


@pytest.mark.parametrize("text", [
    "gettoken?corpid=ww1&corpsecret=S3cretValue failed",           # WeCom query
    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcd-1234",  # WeCom robot key
    '{"appSecret": "S3cretValue", "code": "InvalidAuthentication"}',  # DingTalk echo
    "robot/send?access_token=abc123&timestamp=1&sign=S3cretValue",   # DingTalk robot
])
def test_secrets_are_masked_in_every_shape_the_platforms_echo(text):
    masked = mask_secrets(text)
    assert "S3cretValue" not in masked and "abcd-1234" not in masked and "abc123" not in masked
    assert "***" in masked


def test_long_tokens_are_masked_and_urls_lose_their_query():
    assert "***" in mask_secrets("token rejected: " + "A" * 40)
    assert mask_url("https://oapi.dingtalk.com/robot/send?access_token=x") == \
        "https://oapi.dingtalk.com/robot/send"


def test_one_apology():
    from bot.pipeline import APOLOGY as pipeline_apology
    assert pipeline_apology is APOLOGY


def test_one_asia_shanghai_zone():
    """Times are Beijing time through worktime.clock's one zone, not a copy per module."""
    copies = []
    for path in files():
        if path == CLOCK:
            continue
        for node in ast.walk(tree(path)):
            if isinstance(node, ast.Call) and any(
                    isinstance(arg, ast.Constant) and arg.value == "Asia/Shanghai"
                    for arg in [*node.args, *(k.value for k in node.keywords)]):
                copies.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert copies == []
    assert "ZoneInfo(\"Asia/Shanghai\")" in CLOCK.read_text(encoding="utf-8")  # the one
