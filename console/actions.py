"""The console's forms act through the chat: each form becomes the chat command a staff member
would type, run by the same pipeline as that member. So a form has exactly the chat's
permissions, checks, Chinese messages, audit entries and notifications — nothing is written
twice — and a form sent twice (a double click, a reload) is recorded once, like a retried
message."""
from __future__ import annotations

import secrets
from pathlib import Path

from channels.message import Attachment, Message, Reply
from console.bridge import Chat
from ledger.units import Member

__all__ = ["nonce", "run_as", "web_channel"]


def nonce() -> str:
    """A form's one-time id: the message id its submission is recorded under."""
    return secrets.token_urlsafe(12)


def web_channel(member: Member) -> str:
    """The channel a console act is recorded under: the member's own binding when it names
    one (so notices go where that binding reaches), else "web"."""
    return member.channel if member.channel != "*" else "web"


def run_as(chat: Chat, member: Member, text: str, form_id: str,
           files: list[tuple[Path, str, str]] | None = None) -> Reply:
    """Run one chat command as `member`. `files` are (stored path, original name, type)."""
    now = chat.clock()
    atts = tuple(Attachment("file", name, path=str(path), size=path.stat().st_size,
                            content_type=ctype) for path, name, ctype in files or [])
    msg = Message(web_channel(member), member.user_id, member.user_id, text,
                  f"web:{form_id}", now, atts, sender_name=member.name)
    return chat.handle(msg)
