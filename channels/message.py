"""The one normalised inbound `Message` and outbound `Reply`.

Channel adapters turn platform payloads into `Message` and render `Reply` back; nothing below
the adapters knows WeCom from DingTalk.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["Attachment", "Message", "Reply", "APOLOGY"]

# The one answer when handling a message failed unexpectedly (the pipeline, or a channel's own
# guard around it): never a 500, which would make the platform retry.
APOLOGY = "抱歉，系统出了点问题，请稍后再试。如果一直不行，请联系市信用办。"


@dataclass(frozen=True)
class Attachment:
    """A file or image the user sent. `fetch_ref` is what the adapter needs to download it
    later (WeCom MediaId, DingTalk downloadCode); `path` is set once it is stored locally."""

    kind: str  # "image" | "file" | "voice" | "video"
    name: str = ""
    fetch_ref: str = ""
    url: str = ""
    path: str = ""
    size: int | None = None
    content_type: str = ""


@dataclass(frozen=True)
class Message:
    channel: str  # "wecom" | "wecom_aibot" | "dingtalk" | "console"
    sender_id: str
    chat_id: str  # conversation id; equals sender_id for 1:1 when the platform has none
    text: str
    msg_id: str
    at: datetime
    attachments: tuple[Attachment, ...] = ()
    sender_name: str = ""
    is_group: bool = False
    raw_type: str = "text"  # the platform's message type, for logs
    reply_hint: str = ""  # e.g. DingTalk sessionWebhook / WeCom aibot response_url


@dataclass
class Reply:
    text: str
    markdown: bool = False
    title: str = "信用考核助手"
    mentions: list[str] = field(default_factory=list)  # user ids to @
    files: list[str] = field(default_factory=list)  # local paths to send as files (e.g. export)

    def __bool__(self) -> bool:
        return bool(self.text or self.files)
