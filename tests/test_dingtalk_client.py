"""DingTalkClient against a real local HTTP fake of the DingTalk APIs."""
from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from clock import FakeClock
from fake_dingtalk import FakeDingTalk

from channels.dingtalk import render_reply
from channels.dingtalk_client import DingTalkClient, DingTalkSendError
from channels.message import Reply


@pytest.fixture
def fake() -> Iterator[FakeDingTalk]:
    with FakeDingTalk() as server:
        yield server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(fake: FakeDingTalk, clock: FakeClock, sleeps: list[float]) -> DingTalkClient:
    return DingTalkClient(fake.settings(), session=fake.session(), clock=clock, sleep=sleeps.append)


# ---- access token


def test_token_is_fetched_once_and_cached(client: DingTalkClient, fake: FakeDingTalk) -> None:
    client.batch_send(["u1"], "你好")
    client.batch_send(["u2"], "你好")
    assert fake.token_requests == 1
    assert client.access_token() == fake.issued_tokens[0]


def test_token_is_refreshed_before_it_expires(
    client: DingTalkClient, fake: FakeDingTalk, clock: FakeClock
) -> None:
    first = client.access_token()
    clock.now += 7200 - 600  # still inside the margin
    assert client.access_token() == first
    clock.now += 400  # less than 5 minutes before DingTalk's expiry
    assert client.access_token() != first
    assert fake.token_requests == 2


def test_rejected_token_is_refreshed_once_and_call_retried(
    client: DingTalkClient, fake: FakeDingTalk, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG", logger="channels.dingtalk")
    client.batch_send(["u1"], "第一条")
    fake.invalidate_tokens()
    client.batch_send(["u2"], "第二条")
    assert fake.token_requests == 2
    assert [call["userIds"] for call in fake.batch_calls] == [["u1"], ["u2"]]
    bot_logs = " ".join(r.getMessage() for r in caplog.records if r.name == "channels.dingtalk")
    assert "refreshing" in bot_logs
    assert "fake-token" not in bot_logs and "app-secret" not in bot_logs


def test_wrong_app_secret_is_not_retryable(fake: FakeDingTalk) -> None:
    client = DingTalkClient(fake.settings(DINGTALK_APP_SECRET="wrong"), session=fake.session())
    with pytest.raises(DingTalkSendError) as info:
        client.access_token()
    assert info.value.code == "invalidClientIdOrSecret"
    assert not info.value.retryable
    assert "wrong" not in str(info.value)


def test_repr_hides_secret(client: DingTalkClient) -> None:
    assert "app-secret" not in repr(client)


# ---- batchSend


def test_45_users_go_out_in_3_batches_of_at_most_20(client: DingTalkClient, fake: FakeDingTalk) -> None:
    users = [f"user{i:02d}" for i in range(45)]
    client.batch_send(users, "请于周五前提交双公示数据")
    assert [len(call["userIds"]) for call in fake.batch_calls] == [20, 20, 5]
    assert [u for call in fake.batch_calls for u in call["userIds"]] == users
    call = fake.batch_calls[0]
    assert call["robotCode"] == "dingrobotcode"
    assert call["msgKey"] == "sampleText"
    assert json.loads(call["msgParam"]) == {"content": "请于周五前提交双公示数据"}


def test_markdown_uses_sample_markdown(client: DingTalkClient, fake: FakeDingTalk) -> None:
    client.batch_send(["u1"], "**总分 92.5**", markdown=True, title="本月得分")
    call = fake.batch_calls[0]
    assert call["msgKey"] == "sampleMarkdown"
    assert json.loads(call["msgParam"]) == {"title": "本月得分", "text": "**总分 92.5**"}


def test_flow_controlled_users_are_retried(
    client: DingTalkClient, fake: FakeDingTalk, sleeps: list[float]
) -> None:
    fake.flow_control_once = {"u2", "u3"}
    client.batch_send(["u1", "u2", "u3"], "提醒")
    assert [call["userIds"] for call in fake.batch_calls] == [["u1", "u2", "u3"], ["u2", "u3"]]
    assert len(sleeps) == 1


def test_users_still_flow_controlled_raise_retryable_error_naming_them(
    client: DingTalkClient, fake: FakeDingTalk, sleeps: list[float]
) -> None:
    fake.flow_control_always = {"u2"}
    with pytest.raises(DingTalkSendError) as info:
        client.batch_send(["u1", "u2"], "提醒")
    assert info.value.retryable
    assert info.value.user_ids == ("u2",)
    assert "u2" in info.value.message
    assert len(fake.batch_calls) == 1 + 3  # first try plus three bounded rounds
    assert len(sleeps) == 3


def test_429_is_retryable_and_names_unsent_users(client: DingTalkClient, fake: FakeDingTalk) -> None:
    users = [f"u{i}" for i in range(25)]
    client.batch_send(users[:1], "预热")  # token cached
    fake.batch_status_script = [429]
    with pytest.raises(DingTalkSendError) as info:
        client.batch_send(users, "提醒")
    assert info.value.retryable
    assert info.value.user_ids == tuple(users)


def test_system_busy_is_retryable(client: DingTalkClient, fake: FakeDingTalk) -> None:
    fake.batch_status_script = [503]
    with pytest.raises(DingTalkSendError) as info:
        client.batch_send(["u1"], "提醒")
    assert info.value.retryable


def test_unreachable_host_is_retryable(fake: FakeDingTalk) -> None:
    settings = fake.settings(DINGTALK_API_BASE="http://127.0.0.1:9", DINGTALK_TIMEOUT=2)
    client = DingTalkClient(settings, session=fake.session())
    with pytest.raises(DingTalkSendError) as info:
        client.batch_send(["u1"], "提醒")
    assert info.value.retryable
    assert info.value.code == "network"


# ---- files


def test_download_file(client: DingTalkClient, fake: FakeDingTalk) -> None:
    fake.files["code/with+chars=="] = (b"%PDF-1.7 fake", "application/pdf")
    content, content_type = client.download_file("code/with+chars==")
    assert content == b"%PDF-1.7 fake"
    assert content_type == "application/pdf"
    assert fake.download_requests == [{"downloadCode": "code/with+chars==", "robotCode": "dingrobotcode"}]


def test_download_unknown_code_fails(client: DingTalkClient, fake: FakeDingTalk) -> None:
    with pytest.raises(DingTalkSendError) as info:
        client.download_file("nope")
    assert not info.value.retryable


def test_download_too_large_is_refused(fake: FakeDingTalk) -> None:
    client = DingTalkClient(fake.settings(DINGTALK_MAX_DOWNLOAD_BYTES=10), session=fake.session())
    fake.files["big"] = (b"x" * 100, "image/png")
    with pytest.raises(DingTalkSendError) as info:
        client.download_file("big")
    assert info.value.code == "too_large"


# ---- custom group robot


def test_signed_group_robot_message_is_accepted(client: DingTalkClient, fake: FakeDingTalk) -> None:
    client.group_robot_send(
        fake.robot_webhook, fake.robot_secret, "本周有 3 家单位未提交", at_user_ids=["manager1"]
    )
    assert fake.robot_messages == [
        {
            "msgtype": "text",
            "text": {"content": "本周有 3 家单位未提交"},
            "at": {"atUserIds": ["manager1"]},
        }
    ]


def test_group_robot_markdown(client: DingTalkClient, fake: FakeDingTalk) -> None:
    client.group_robot_send(fake.robot_webhook, fake.robot_secret, "## 排名", markdown=True, title="排名")
    assert fake.robot_messages[0]["markdown"] == {"title": "排名", "text": "## 排名"}


def test_relative_robot_webhook_uses_oapi_base(client: DingTalkClient, fake: FakeDingTalk) -> None:
    client.group_robot_send(f"/robot/send?access_token={fake.robot_access_token}", fake.robot_secret, "hi")
    assert len(fake.robot_messages) == 1


def test_wrong_robot_secret_is_refused_and_not_retryable(
    client: DingTalkClient, fake: FakeDingTalk, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(DingTalkSendError) as info:
        client.group_robot_send(fake.robot_webhook, "SECwrong", "hi")
    bot_logs = " ".join(r.getMessage() for r in caplog.records if r.name == "channels.dingtalk")
    assert "sign not match" in bot_logs
    assert fake.robot_access_token not in bot_logs
    assert info.value.code == "310000"
    assert not info.value.retryable
    assert fake.robot_messages == []


def test_stale_robot_timestamp_is_refused(fake: FakeDingTalk) -> None:
    two_hours_ago = int(time.time() * 1000) - 2 * 3600 * 1000
    client = DingTalkClient(fake.settings(), session=fake.session(), now_ms=lambda: two_hours_ago)
    with pytest.raises(DingTalkSendError) as info:
        client.group_robot_send(fake.robot_webhook, fake.robot_secret, "hi")
    assert info.value.code == "310000"


@pytest.mark.parametrize("errcode", [410100, 130101])
def test_robot_throttling_is_retryable(client: DingTalkClient, fake: FakeDingTalk, errcode: int) -> None:
    fake.robot_errcode_script = [errcode]
    with pytest.raises(DingTalkSendError) as info:
        client.group_robot_send(fake.robot_webhook, fake.robot_secret, "hi")
    assert info.value.code == str(errcode)
    assert info.value.retryable


def test_21st_robot_message_in_a_minute_is_throttled(client: DingTalkClient, fake: FakeDingTalk) -> None:
    for i in range(20):
        client.group_robot_send(fake.robot_webhook, fake.robot_secret, f"第{i}条")
    with pytest.raises(DingTalkSendError) as info:
        client.group_robot_send(fake.robot_webhook, fake.robot_secret, "第21条")
    assert info.value.code == "410100" and info.value.retryable
    assert len(fake.robot_messages) == 20


def test_robot_without_secret_sends_no_sign(fake: FakeDingTalk) -> None:
    fake.robot_secret = ""
    client = DingTalkClient(fake.settings(), session=fake.session())
    client.group_robot_send(fake.robot_webhook, None, "hi")
    assert len(fake.robot_messages) == 1


# ---- sessionWebhook


def test_session_reply(client: DingTalkClient, fake: FakeDingTalk) -> None:
    client.session_reply(fake.session_webhook(), render_reply(Reply("总分 92.5")))
    assert fake.session_messages[0]["text"] == {"content": "总分 92.5"}


def test_expired_session_is_not_retryable(client: DingTalkClient, fake: FakeDingTalk) -> None:
    fake.expired_sessions.add("old")
    with pytest.raises(DingTalkSendError) as info:
        client.session_reply(fake.session_webhook("old"), render_reply(Reply("迟到的回复")))
    assert not info.value.retryable
    assert fake.session_messages == []


def test_send_file_uploads_then_sends_sample_file_refreshing_a_stale_token(
        client: DingTalkClient, fake: FakeDingTalk) -> None:
    client.batch_send(["u1"], "第一条")
    fake.invalidate_tokens()
    client.send_file(["u1", "u2"], b"PK\x03\x04 sheet", "考核表.xlsx")
    assert fake.token_requests == 2
    (media_id,) = fake.uploads
    assert fake.uploads[media_id] == (b"PK\x03\x04 sheet", "考核表.xlsx")
    call = fake.batch_calls[-1]
    assert call["msgKey"] == "sampleFile" and call["userIds"] == ["u1", "u2"]
    assert json.loads(call["msgParam"]) == {"mediaId": media_id, "fileName": "考核表.xlsx",
                                            "fileType": "xlsx"}
