"""The chat language's registry: a command word -> a small function (words, ctx) -> Reply.

Each command has a Chinese help line and the roles allowed to use it. A `CommandError` becomes
the reply text; anything else is logged by the pipeline and answered with an apology. Command
modules (bot.commands, bot.liaison, bot.staff, bot.operations) import this one and register
with `@command`; nothing here imports them, so the command modules form no cycle.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from bot.context import Ctx
from bot.parse import CommandError, normalise
from channels.message import Reply
from ledger.db import LedgerError

__all__ = ["COMMANDS", "Command", "command", "dispatch", "split_commands", "help_text", "run",
           "LIAISON", "STAFF", "EVERYONE", "Handler"]

Handler = Callable[[list[str], Ctx], Reply]


@dataclass(frozen=True)
class Command:
    words: tuple[str, ...]
    roles: tuple[str, ...]
    usage: str
    help: str
    fn: Handler
    free_text: bool = False  # its text runs on over the following lines (a 月报)


COMMANDS: list[Command] = []
LIAISON, STAFF = ("liaison",), ("staff", "admin")
EVERYONE = ("liaison", "staff", "admin")


def command(words: tuple[str, ...], roles: tuple[str, ...], usage: str, help: str,
            free_text: bool = False):
    def deco(fn: Handler) -> Handler:
        COMMANDS.append(Command(words, roles, usage, help, fn, free_text))
        return fn
    return deco


def _lookup(word: str) -> Command | None:
    w = word.lower()
    for c in COMMANDS:
        if w in c.words:
            return c
    return None


def _command_of(line: str, exact: bool = False) -> Command | None:
    """The command a line begins with: its first word (「报送 …」), or unless `exact` a command
    word it starts with (「我的得分」)."""
    text = normalise(line)
    if not text:
        return None
    cmd = _lookup(text.split(" ")[0])
    if cmd is not None or exact:
        return cmd
    return next((c for c in COMMANDS for w in c.words if len(w) >= 2 and text.startswith(w)), None)


def split_commands(text: str) -> list[str]:
    """Several lines, several commands: a line that starts with a command word begins a new
    one; any other line continues the one before it. After a 月报, whose lines often begin with
    words such as 报送 or 报告期内, only a line whose first word is a command word begins one."""
    groups: list[list[str]] = []
    free = False
    for line in (text or "").splitlines():
        cmd = _command_of(line, exact=free) if groups and line.strip() else None
        if not groups or cmd is not None:
            groups.append([line])
            first = _command_of(line)
            free = first is not None and first.free_text
        else:
            groups[-1].append(line)
    return ["\n".join(g).strip() for g in groups if "".join(g).strip()]


def dispatch(text: str, ctx: Ctx) -> Reply:
    """Answer every command in the message, in one reply; each runs on its own, so one that
    is refused changes nothing and does not stop the others."""
    parts = split_commands(text)
    if len(parts) <= 1:
        return _dispatch_one(parts[0] if parts else text, ctx)
    msg, answers, files = ctx.msg, [], []
    for n, part in enumerate(parts, start=1):
        # Each command is its own record (a retry of the message is still caught as a whole).
        ctx.msg = replace(msg, text=part, msg_id=msg.msg_id if n == 1 else f"{msg.msg_id}#{n}")
        try:
            with ctx.db.atomic():
                reply = _dispatch_one(part, ctx)
            answers.append(reply.text)
            files += reply.files
        except (CommandError, LedgerError) as exc:
            answers.append(str(exc))
        ctx._cards = None
    ctx.msg = msg
    return Reply("\n\n".join(f"【{n}】{normalise(p)[:16]}\n{a}" for n, (p, a) in
                              enumerate(zip(parts, answers), start=1)), files=files)


def _dispatch_one(text: str, ctx: Ctx) -> Reply:
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
            return _dispatch_one(squeezed, ctx)
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
