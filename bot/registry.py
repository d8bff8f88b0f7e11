"""The chat language's registry: a command word -> a small function (words, ctx) -> Reply.

Each command has a Chinese help line and the roles allowed to use it. A `CommandError` becomes
the reply text; anything else is logged by the pipeline and answered with an apology. Command
modules (bot.commands, bot.liaison, bot.staff, bot.operations) import this one and register
with `@command`; nothing here imports them, so the command modules form no cycle.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from bot.context import Ctx
from bot.parse import CommandError, normalise
from channels.message import Reply

__all__ = ["COMMANDS", "Command", "command", "dispatch", "help_text", "run", "LIAISON", "STAFF",
           "EVERYONE"]

Handler = Callable[[list[str], Ctx], Reply]


@dataclass(frozen=True)
class Command:
    words: tuple[str, ...]
    roles: tuple[str, ...]
    usage: str
    help: str
    fn: Handler


COMMANDS: list[Command] = []
LIAISON, STAFF = ("liaison",), ("staff", "admin")
EVERYONE = ("liaison", "staff", "admin")


def command(words: tuple[str, ...], roles: tuple[str, ...], usage: str, help: str):
    def deco(fn: Handler) -> Handler:
        COMMANDS.append(Command(words, roles, usage, help, fn))
        return fn
    return deco


def _lookup(word: str) -> Command | None:
    w = word.lower()
    for c in COMMANDS:
        if w in c.words:
            return c
    return None


def dispatch(text: str, ctx: Ctx) -> Reply:
    text = normalise(text)
    if not text:
        raise CommandError("收到空消息。发送「帮助」查看可用的命令。")
    word, *rest = text.split(" ")
    cmd = _lookup(word)
    if cmd is None:
        # "我的得分" and friends: try the longest known command word at the start.
        for c in COMMANDS:
            for w in sorted(c.words, key=len, reverse=True):
                if text.startswith(w) and len(w) >= 2:
                    cmd, rest = c, normalise(text[len(w):]).split(" ") if text[len(w):].strip() else []
                    break
            if cmd:
                break
    if cmd is None and " " in text:  # 「得 分」: a command word typed with a space in it
        squeezed = text.replace(" ", "")
        if any(squeezed == w for c in COMMANDS for w in c.words):
            return dispatch(squeezed, ctx)
    if cmd is None:
        raise CommandError(f"没有看懂「{text[:20]}」。发送「帮助」查看可用的命令，例如：得分、缺项、截止、"
                           f"月报 8月工作…、报送 信用承诺 35。")
    if ctx.member.role not in cmd.roles:
        who = "信用办工作人员" if cmd.roles == STAFF else "单位联络员"
        raise CommandError(f"「{cmd.words[0]}」仅限{who}使用。发送「帮助」查看您可用的命令。")
    return cmd.fn([w for w in rest if w], ctx)


def help_text(role: str) -> str:
    lines = ["信用考核助手 可用命令："]
    for c in COMMANDS:
        if role in c.roles:
            lines.append(f"· {c.usage} — {c.help}")
    return "\n".join(lines)


def run(word: str, words: list[str], ctx: Ctx) -> Reply:
    """Call the command registered for `word` (a command handing over to another, without
    importing the module that defines it)."""
    cmd = _lookup(word)
    if cmd is None:  # a programming error: every caller names a shipped command
        raise LookupError(f"no command {word!r}")
    return cmd.fn(words, ctx)
