"""The outbox worker: send due pushes through the channel adapters, with retries and a
per-group-robot rate limit.

An outbox item (ledger.outbox) is `{channel, target, payload}`:

* target `{"users": [...]}` — WeCom app message/send (≤1000 users a call) or DingTalk robot
  batchSend (≤20 a call); `{"webhook": url, "secret": "SEC…"?, "mentions": [...]}` — a WeCom
  group robot or a DingTalk custom robot (加签 when a secret is given);
* payload `{"text": …, "markdown": bool, "title"?: …}`, or `{"file": path, "name": …}` — a
  file sent to users (WeCom media upload + file message; DingTalk media upload + sampleFile).

Delivery guarantee: each item is *claimed* (its next_try_at moves a lease ahead), sent, then
marked sent. A crash between the send and `mark_sent` leaves the item pending, so it is sent
again when the lease ends: at worst one extra copy per crash, never a lost push. Items that
keep failing are marked `failed` with the last error after `max_attempts` tries, where staff
can see them; nothing is deleted.

Group robots take 20 messages a minute (DingTalk then throttles for 10 minutes). The count is
read from the outbox table's `sent_at`, so the limit holds across restarts; an item over the
limit is postponed (not counted as an attempt) to when the oldest send in the window is a
minute old. One item counts as one message: keep webhook texts within one message
(2048 bytes for WeCom text, 4096 for markdown) or the robot may see a few more.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlite_utils

from channels.dingtalk_client import THROTTLE_CODES
from channels.platform import SendError, mask_secrets, mask_url
from ledger.outbox import (OutboxItem, claim, defer, due_items, mark_failed, mark_sent, retarget,
                           webhook_sent_times)

if TYPE_CHECKING:
    import requests

__all__ = ["DeliveryError", "Sender", "WeComSender", "DingTalkSender", "console_sender",
           "deliver_due", "make_senders", "tick", "retry_delay", "MAX_ATTEMPTS",
           "WEBHOOK_PER_MINUTE"]

log = logging.getLogger("creditbot.outbox")

# Sends one item; raises on failure (DeliveryError, or the platform client's SendError).
Sender = Callable[[Mapping[str, Any], Mapping[str, Any]], None]

MAX_ATTEMPTS = 6
WEBHOOK_PER_MINUTE = 20
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
THROTTLE_DELAY = timedelta(minutes=10)  # DingTalk throttles a robot for 10 min after 410100
LEASE = timedelta(minutes=5)
WECOM_BATCH = 1000


class DeliveryError(Exception):
    """A push failed. `remaining` is the narrower target still to reach after a partial send."""

    def __init__(self, message: str, retryable: bool, code: str = "",
                 remaining: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.code = code
        self.remaining = remaining


def retry_delay(attempts: int, code: str = "") -> timedelta:
    """Exponential backoff after the `attempts`-th failure (1-based): 30 s, 1 min, 2 min, …
    capped at an hour; a throttled robot waits at least its 10-minute penalty."""
    delay = min(BASE_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)
    return max(delay, THROTTLE_DELAY) if code in THROTTLE_CODES else delay


def _classify(exc: Exception) -> DeliveryError:
    """Any sender exception → DeliveryError with a retryable verdict."""
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, SendError):  # the platform client knows its codes: its verdict stands
        users = list(exc.user_ids)
        return DeliveryError(mask_secrets(str(exc)), exc.retryable, str(exc.code),
                             {"users": users} if users else None)
    import requests  # here, not at start: a process that pushes nothing skips ~0.1 s
    if isinstance(exc, requests.RequestException):
        return DeliveryError(f"网络错误：{type(exc).__name__}", True, "network")
    if isinstance(exc, (ValueError, KeyError, TypeError)):  # configuration or a malformed item
        return DeliveryError(mask_secrets(f"{type(exc).__name__}: {exc}"), False, "invalid")
    return DeliveryError(mask_secrets(f"{type(exc).__name__}: {exc}"), True, "unexpected")


def _text(payload: Mapping[str, Any]) -> str:
    text = str(payload.get("text") or "")
    if not text.strip():
        raise DeliveryError("推送内容为空", retryable=False, code="invalid")
    return text


def _file(payload: Mapping[str, Any]) -> tuple[bytes, str] | None:
    """The file a payload carries (bytes, name), or None for a text push."""
    path = payload.get("file")
    if not path:
        return None
    try:
        with open(str(path), "rb") as fh:
            content = fh.read()
    except OSError:
        raise DeliveryError("要发送的文件已不存在", retryable=False, code="invalid") from None
    return content, str(payload.get("name") or os.path.basename(str(path)))


def _users(target: Mapping[str, Any]) -> list[str]:
    users = target.get("users")
    if not isinstance(users, list) or not all(isinstance(u, str) for u in users):
        raise DeliveryError("推送目标格式不对：应为 {\"users\": [...]} 或 {\"webhook\": ...}",
                            retryable=False, code="invalid")
    return [u for u in dict.fromkeys(users) if u]


def _mentions(target: Mapping[str, Any], payload: Mapping[str, Any]) -> list[str]:
    """Who to @ in a group: the target's list, else the payload's."""
    return [str(m) for m in (target.get("mentions") or payload.get("mentions") or [])]


def _setting(settings: Mapping[str, Any], key: str) -> str:
    value = settings.get(key)
    return "" if value is None else str(value).strip()


class _ChannelSender:
    """A channel's API client, created on first use and kept (with its cached access token)
    as long as this sender lives."""

    def __init__(self, settings: Mapping[str, Any], session: requests.Session | None = None) -> None:
        self.settings = settings
        self.session = session
        self._client: Any = None

    def _make_client(self) -> Any:
        raise NotImplementedError

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = self._make_client()
        return self._client


class WeComSender(_ChannelSender):
    """WeCom app message/send to users, or a group robot webhook."""

    def _make_client(self) -> Any:
        from channels.wecom_client import WeComClient
        return WeComClient(self.settings, session=self.session)

    def __call__(self, target: Mapping[str, Any], payload: Mapping[str, Any]) -> None:
        file = _file(payload)
        text, markdown = ("", False) if file else (_text(payload), bool(payload.get("markdown")))
        if target.get("webhook"):
            if file:
                raise DeliveryError("群机器人不发送文件，文件只发给成员本人", retryable=False,
                                    code="invalid")
            mentions = _mentions(target, payload)
            self.client.webhook_send(str(target["webhook"]), text, mentions, markdown)
            return
        users = _users(target)
        missing = [k for k in ("WECOM_CORP_ID", "WECOM_SECRET", "WECOM_AGENT_ID")
                   if not _setting(self.settings, k)]
        if missing:
            raise DeliveryError(f"企业微信应用未配置（缺少 {'、'.join(missing)}），无法推送给成员",
                                retryable=False, code="config")
        if file:
            self.client.send_file(users, *file)
            return
        send = self.client.send_markdown if markdown else self.client.send_text
        for start in range(0, len(users), WECOM_BATCH):
            try:
                send(users[start:start + WECOM_BATCH], text)
            except Exception as exc:
                error = _classify(exc)
                if start:  # earlier batches went out: retry only the rest
                    error.remaining = {"users": users[start:]}
                raise error from exc


class DingTalkSender(_ChannelSender):
    """DingTalk robot batchSend to users (≤20 a call), or a custom group robot with 加签."""

    def _make_client(self) -> Any:
        from channels.dingtalk_client import DingTalkClient
        return DingTalkClient(self.settings, session=self.session)

    def __call__(self, target: Mapping[str, Any], payload: Mapping[str, Any]) -> None:
        file = _file(payload)
        text, markdown = ("", False) if file else (_text(payload), bool(payload.get("markdown")))
        title = str(payload.get("title") or "信用考核助手")
        if target.get("webhook"):
            if file:
                raise DeliveryError("群机器人不发送文件，文件只发给成员本人", retryable=False,
                                    code="invalid")
            mentions = _mentions(target, payload)
            secret = str(target.get("secret") or "") or None
            self.client.group_robot_send(str(target["webhook"]), secret, text, mentions,
                                         markdown, title)
            return
        users = _users(target)
        if not (_setting(self.settings, "DINGTALK_APP_KEY")
                and _setting(self.settings, "DINGTALK_APP_SECRET")):
            raise DeliveryError("钉钉应用未配置（缺少 DINGTALK_APP_KEY 或 DINGTALK_APP_SECRET），"
                                "无法推送给成员", retryable=False, code="config")
        if file:
            self.client.send_file(users, *file)
            return
        self.client.batch_send(users, text, markdown, title)


def console_sender(target: Mapping[str, Any], payload: Mapping[str, Any]) -> None:
    """The console channel has no transport: the push is only logged."""
    who = target.get("users") or mask_url(str(target.get("webhook") or ""))
    log.info("console push to %s: %s", who, str(payload.get("text") or payload.get("name") or "")[:200])


def make_senders(settings: Mapping[str, Any],
                 session: requests.Session | None = None) -> dict[str, Sender]:
    """One sender per channel. Build once and reuse, so access tokens are cached."""
    return {"wecom": WeComSender(settings, session), "dingtalk": DingTalkSender(settings, session),
            "console": console_sender}


def _webhook_slot(db: sqlite_utils.Database, item: OutboxItem, now: datetime,
                  per_minute: int) -> datetime | None:
    """None if the item's robot can take a message now, else when the next slot frees."""
    webhook = item.target.get("webhook")
    if not webhook or per_minute <= 0:
        return None
    # sent_at has whole seconds: a send at t counts while t > now - 60 s.
    times = webhook_sent_times(db, str(webhook), now - timedelta(seconds=59))
    if len(times) < per_minute:
        return None
    return times[len(times) - per_minute] + timedelta(seconds=60)


def _describe(item: OutboxItem) -> str:
    kind = "webhook" if item.target.get("webhook") else f"{len(item.target.get('users') or [])} users"
    return f"#{item.id} {item.channel} ({kind})"


def deliver_due(db: sqlite_utils.Database, now: datetime, senders: Mapping[str, Sender],
                limit: int = 100, *, max_attempts: int = MAX_ATTEMPTS,
                per_webhook_minute: int = WEBHOOK_PER_MINUTE,
                clock: Callable[[], datetime] | None = None) -> dict[str, int]:
    """Send what is due at `now`. Returns counts: sent, retried, failed (final), deferred
    (rate limit). Items of channels without a sender stay pending untouched. `clock` reads the
    time at each claim, so each lease runs from its own claim."""
    counts = {"sent": 0, "retried": 0, "failed": 0, "deferred": 0}
    for item in due_items(db, now, limit, channels=list(senders)):
        slot = _webhook_slot(db, item, now, per_webhook_minute)
        if slot is not None:
            defer(db, item.id, slot, "群机器人每分钟最多20条，已顺延")
            counts["deferred"] += 1
            continue
        if not claim(db, item.id, now, LEASE, clock() if clock else None):
            continue  # another worker has it
        try:
            senders[item.channel](item.target, item.payload)
        except Exception as exc:  # every failure is recorded; none escapes the job
            error = _classify(exc)
            attempts = item.attempts + 1
            if error.remaining:
                retarget(db, item.id, {**item.target, **error.remaining})
            if error.retryable and attempts < max_attempts:
                delay = retry_delay(attempts, error.code)
                mark_failed(db, item.id, now, error.message, delay)
                counts["retried"] += 1
                log.warning("push %s failed (try %d), retry in %s: %s", _describe(item),
                            attempts, delay, error.message)
            else:
                mark_failed(db, item.id, now, error.message, None)
                counts["failed"] += 1
                log.error("push %s failed for good after %d tries: %s", _describe(item),
                          attempts, error.message)
            continue
        mark_sent(db, item.id, now)
        counts["sent"] += 1
    return counts


def tick(settings: Mapping[str, Any], senders: Mapping[str, Sender] | None = None,
         now: datetime | None = None) -> dict[str, int]:
    """One outbox run for the scheduler: its own connection, the configured clock."""
    from worktime.clock import make_clock
    from ledger.db import open_db

    db = open_db(str(settings["CREDITBOT_DB"]), migrate=False)
    try:
        clock = make_clock(dict(settings))
        return deliver_due(db, now or clock(), senders if senders is not None
                           else make_senders(settings), clock=None if now else clock)
    finally:
        db.close()
