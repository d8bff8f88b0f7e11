"""WeComClient against a real local HTTP fake of the WeCom API (tests/fake_wecom.py)."""
from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from clock import FakeClock
from fake_wecom import FakeWeCom

from channels.wecom_client import WeComClient, WeComSendError


@pytest.fixture
def wecom() -> Iterator[FakeWeCom]:
    with FakeWeCom(expires_in=7200) as fake:
        yield fake


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(wecom: FakeWeCom, clock: FakeClock) -> WeComClient:
    return WeComClient(wecom.settings(), clock=clock)


# -- access_token ----------------------------------------------------------------------------
def test_token_is_fetched_once_and_cached(wecom: FakeWeCom, client: WeComClient) -> None:
    client.send_text(["zhangsan"], "第一条")
    client.send_text(["zhangsan"], "第二条")
    assert wecom.token_requests == 1
    assert wecom.send_tokens == ["fake-token-1", "fake-token-1"]


def test_token_is_refreshed_shortly_before_expiry(wecom: FakeWeCom, client: WeComClient, clock: FakeClock) -> None:
    client.send_text(["zhangsan"], "早上好")
    clock.now += 7200 - 600  # well inside the lifetime
    client.send_text(["zhangsan"], "中午好")
    assert wecom.token_requests == 1
    clock.now += 400  # within the safety margin before expiry
    client.send_text(["zhangsan"], "晚上好")
    assert wecom.token_requests == 2
    assert wecom.send_tokens == ["fake-token-1", "fake-token-1", "fake-token-2"]


@pytest.mark.parametrize("errcode", [40014, 42001])
def test_rejected_token_is_refreshed_and_the_call_retried(wecom: FakeWeCom, client: WeComClient, errcode: int) -> None:
    client.send_text(["zhangsan"], "一")
    wecom.invalidate_tokens(errcode)
    client.send_text(["zhangsan"], "二")
    assert wecom.token_requests == 2
    assert [m["text"]["content"] for m in wecom.sent] == ["一", "二"]
    assert wecom.send_tokens[-1] == "fake-token-2"


def test_short_expires_in_still_caches(wecom: FakeWeCom, clock: FakeClock) -> None:
    wecom.expires_in = 60
    client = WeComClient(wecom.settings(), clock=clock)
    client.access_token()
    clock.now += 50
    client.access_token()
    assert wecom.token_requests == 1
    clock.now += 5  # past 60 - 10% margin
    client.access_token()
    assert wecom.token_requests == 2


def test_wrong_secret_is_not_retryable_and_not_leaked(wecom: FakeWeCom, clock: FakeClock) -> None:
    client = WeComClient(wecom.settings(WECOM_SECRET="wrong-secret-xyz"), clock=clock)
    with pytest.raises(WeComSendError) as info:
        client.send_text(["zhangsan"], "hi")
    assert (info.value.code, info.value.retryable) == (40001, False)
    assert "wrong-secret-xyz" not in str(info.value)
    assert wecom.token_requests == 1  # no refresh loop on a bad secret


# -- message/send ----------------------------------------------------------------------------
def test_send_text_payload(wecom: FakeWeCom, client: WeComClient) -> None:
    client.send_text(["zhangsan", "lisi", "zhangsan"], "请于周五前提交材料")
    (body,) = wecom.sent
    assert body == {
        "touser": "zhangsan|lisi",
        "msgtype": "text",
        "agentid": wecom.agent_id,
        "text": {"content": "请于周五前提交材料"},
    }
    assert isinstance(body["agentid"], int)


def test_send_markdown_payload(wecom: FakeWeCom, client: WeComClient) -> None:
    client.send_markdown(["zhangsan"], "**总分** 87.5")
    assert wecom.sent[0]["msgtype"] == "markdown"
    assert wecom.sent[0]["markdown"] == {"content": "**总分** 87.5"}


def test_more_than_1000_users_go_in_two_calls(wecom: FakeWeCom, client: WeComClient) -> None:
    users = [f"user{i:04d}" for i in range(1500)]
    client.send_text(users, "提醒")
    assert [len(m["touser"].split("|")) for m in wecom.sent] == [1000, 500]
    assert "|".join(m["touser"] for m in wecom.sent) == "|".join(users)


def test_long_text_is_split_into_several_messages(wecom: FakeWeCom, client: WeComClient) -> None:
    text = "\n".join(f"第{i}条：信用承诺书公示不及时，扣 0.5 分。" for i in range(150))
    client.send_text(["zhangsan"], text)
    contents = [m["text"]["content"] for m in wecom.sent]
    assert len(contents) > 1
    assert all(len(c.encode("utf-8")) <= 2048 for c in contents)
    assert "\n".join(contents) == text


def test_invalid_users_are_reported(wecom: FakeWeCom, client: WeComClient) -> None:
    wecom.mark_invalid_users("ghost")
    assert client.send_text(["zhangsan", "ghost"], "hi") == ["ghost"]


def test_frequency_limit_is_a_retryable_error(wecom: FakeWeCom, client: WeComClient) -> None:
    wecom.script_send_errors(45009, times=2)
    for _ in range(2):
        with pytest.raises(WeComSendError) as info:
            client.send_text(["zhangsan"], "hi")
        assert (info.value.code, info.value.retryable) == (45009, True)
    client.send_text(["zhangsan"], "hi")  # the third attempt goes through
    assert len(wecom.sent) == 1


@pytest.mark.parametrize(("errcode", "retryable"), [(45033, True), (-1, True), (60020, False), (81013, False)])
def test_errcode_retryability(wecom: FakeWeCom, client: WeComClient, errcode: int, retryable: bool) -> None:
    wecom.script_send_errors(errcode)
    with pytest.raises(WeComSendError) as info:
        client.send_text(["zhangsan"], "hi")
    assert (info.value.code, info.value.retryable) == (errcode, retryable)


def test_http_5xx_is_retryable(wecom: FakeWeCom, client: WeComClient) -> None:
    client.access_token()
    wecom.fail_http(502)
    with pytest.raises(WeComSendError) as info:
        client.send_text(["zhangsan"], "hi")
    assert (info.value.code, info.value.retryable) == (502, True)


def test_connection_error_is_retryable_and_hides_the_token(clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    with FakeWeCom() as fake:
        settings = fake.settings()
        client = WeComClient(settings, clock=clock)
        token = client.access_token()
    # the server is gone now: the next call fails to connect with the token in the URL
    caplog.set_level(logging.DEBUG)
    with pytest.raises(WeComSendError) as info:
        client.send_text(["zhangsan"], "hi")
    assert info.value.retryable is True
    assert token not in str(info.value)
    assert settings["WECOM_SECRET"] not in str(info.value)
    assert token not in caplog.text
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_missing_agent_id_is_a_clear_error(wecom: FakeWeCom) -> None:
    client = WeComClient(wecom.settings(WECOM_AGENT_ID=None))
    with pytest.raises(ValueError, match="WECOM_AGENT_ID"):
        client.send_text(["zhangsan"], "hi")


def test_nothing_to_send_makes_no_calls(wecom: FakeWeCom, client: WeComClient) -> None:
    client.send_text([], "hi")
    client.send_text(["zhangsan"], "  ")
    assert wecom.token_requests == 0 and wecom.sent == []


# -- media -----------------------------------------------------------------------------------
def test_media_download(wecom: FakeWeCom, client: WeComClient) -> None:
    wecom.add_media("MEDIA1", b"\xff\xd8\xff jpeg bytes", "红名单 认定.jpg", "image/jpeg")
    data, filename, content_type = client.download_media("MEDIA1")
    assert (data, filename, content_type) == (b"\xff\xd8\xff jpeg bytes", "红名单 认定.jpg", "image/jpeg")


def test_media_errcode_body_is_an_error(wecom: FakeWeCom, client: WeComClient) -> None:
    with pytest.raises(WeComSendError) as info:
        client.download_media("NOPE")
    assert (info.value.code, info.value.retryable) == (40007, False)


def test_media_download_refreshes_a_rejected_token(wecom: FakeWeCom, client: WeComClient) -> None:
    wecom.add_media("M2", b"%PDF-1.7", "a.pdf", "application/pdf")
    client.access_token()
    wecom.invalidate_tokens(42001)
    assert client.download_media("M2")[0] == b"%PDF-1.7"
    assert wecom.token_requests == 2


def test_media_size_cap(wecom: FakeWeCom) -> None:
    wecom.add_media("BIG", b"x" * 2000, "big.bin", "application/octet-stream")
    client = WeComClient(wecom.settings(WECOM_MAX_MEDIA_BYTES=1000))
    with pytest.raises(WeComSendError, match="过大"):
        client.download_media("BIG")


def test_download_url(wecom: FakeWeCom, client: WeComClient) -> None:
    url = wecom.add_file("abc", b"encrypted-bytes")
    assert client.download_url(url) == b"encrypted-bytes"
    with pytest.raises(WeComSendError) as info:
        client.download_url(f"{wecom.base_url}/files/missing")
    assert (info.value.code, info.value.retryable) == (404, False)


# -- group robot webhook ---------------------------------------------------------------------
def test_webhook_text_with_mentions(wecom: FakeWeCom, client: WeComClient) -> None:
    client.webhook_send(wecom.webhook_url("k1"), "本周材料请尽快提交", mentions=["zhangsan", "@all"])
    (call,) = wecom.webhook_calls
    assert call == {
        "msgtype": "text",
        "text": {"content": "本周材料请尽快提交", "mentioned_list": ["zhangsan", "@all"]},
        "_key": "k1",
    }
    assert wecom.token_requests == 0  # robots need no access_token


def test_webhook_markdown_mentions_inline_and_4096_limit(wecom: FakeWeCom, client: WeComClient) -> None:
    text = "\n".join(f"- 单位{i}：**{i}.5 分**" for i in range(400))
    client.webhook_send(wecom.webhook_url(), text, mentions=["lisi"], markdown=True)
    calls = wecom.webhook_calls
    assert len(calls) > 1
    assert all(c["msgtype"] == "markdown" for c in calls)
    assert all(len(c["markdown"]["content"].encode("utf-8")) <= 4096 for c in calls)
    assert calls[-1]["markdown"]["content"].endswith("<@lisi>")


def test_webhook_rate_limit_is_retryable() -> None:
    with FakeWeCom(webhook_rate_limit=True) as fake:
        client = WeComClient(fake.settings())
        for i in range(20):
            client.webhook_send(fake.webhook_url(), f"消息{i}")
        with pytest.raises(WeComSendError) as info:
            client.webhook_send(fake.webhook_url(), "第21条")
        assert (info.value.code, info.value.retryable) == (45009, True)
        assert len(fake.webhook_calls) == 20


def test_webhook_error_does_not_leak_the_key(wecom: FakeWeCom, client: WeComClient) -> None:
    wecom.fail_http(503)
    with pytest.raises(WeComSendError) as info:
        client.webhook_send(wecom.webhook_url("secret-robot-key"), "hi")
    assert info.value.retryable is True
    assert "secret-robot-key" not in str(info.value)


def test_api_base_is_a_setting() -> None:
    client = WeComClient({"WECOM_API_BASE": "https://zwwx.example.gov.cn/", "WECOM_AGENT_ID": "5"})
    assert client.base == "https://zwwx.example.gov.cn"
    assert "secret" not in repr(client).lower()


def test_send_file_uploads_then_sends_a_file_message_refreshing_a_stale_token(
        wecom: FakeWeCom, client: WeComClient) -> None:
    client.send_text(["zhangsan"], "一")
    wecom.invalidate_tokens(42001)
    client.send_file(["zhangsan", "lisi"], b"%PDF-1.4 ledger", "双公示台账.pdf")
    assert wecom.token_requests == 2
    (upload,) = wecom.uploads
    assert upload.data == b"%PDF-1.4 ledger" and upload.filename == "双公示台账.pdf"
    assert wecom.sent[-1] == {"touser": "zhangsan|lisi", "msgtype": "file", "agentid": client.agent_id,
                              "file": {"media_id": "up-1"}}


def test_a_file_too_small_for_wecom_is_refused_not_retried(client: WeComClient) -> None:
    from channels.wecom_client import WeComSendError
    with pytest.raises(WeComSendError) as err:
        client.send_file(["zhangsan"], b"x", "a.txt")  # media/upload takes 5 B to 20 MB
    assert err.value.code == 40006 and not err.value.retryable
