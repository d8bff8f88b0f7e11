"""The chat language's registry: a command word -> a small function (words, ctx) -> Reply.

Each command carries its Chinese help line, the roles allowed to use it, and whether it only
reads the ledger (the pipeline answers those from a read-only snapshot). `match(text)` finds the
command a message starts with; splitting a message into commands, dispatching and the
pipeline's read/write choice all ask it. A `CommandError` becomes the reply text; anything else
is logged by the pipeline and answered with an apology. Command modules (bot.commands,
bot.liaison, bot.staff, bot.entries, bot.inbox, bot.operations, bot.console_link) import this
one and register with `@command`; nothing here imports them, so they form no cycle.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable

from bot.context import Ctx
from bot.parse import Ambiguous, AskValue, CommandError, normalise
from channels.message import Reply
from ledger.db import LedgerError
from ledger.submissions import keep_sent

__all__ = ["COMMANDS", "Command", "Match", "command", "dispatch", "match", "split_commands",
           "help_text", "run", "take_year", "RELATIVE_YEARS", "echo", "LIAISON", "STAFF", "EVERYONE",
           "Handler"]

Handler = Callable[[list[str], Ctx], Reply]


@dataclass(frozen=True)
class Command:
    words: tuple[str, ...]
    roles: tuple[str, ...]
    usage: str
    help: str
    fn: Handler
    free_text: bool = False  # its text runs on over the following lines (a 月报)
    read_only: bool = False  # only reads the ledger: answered without the write lock
    # Takes a year word (「2022」「2022年」「上年度」) and answers for that year: "any" reads a
    # bare 2022 as the year, "marked" only 2022年/上年度 (where a bare number is a value).
    year_word: str | None = None
    each_year: bool = False  # no year word, two years open: answered once per open year
    runs_on: bool = False  # its values may run on, one per line (报送 双公示 ⏎ 准确率 96%)


COMMANDS: list[Command] = []
LIAISON, STAFF = ("liaison",), ("staff", "admin")
EVERYONE = ("liaison", "staff", "admin")


def command(words: tuple[str, ...], roles: tuple[str, ...], usage: str, help: str,
            free_text: bool = False, read_only: bool = False, year_word: str | None = None,
            each_year: bool = False, runs_on: bool = False) -> Callable[[Handler], Handler]:
    """Register a handler. `read_only=True` promises it writes nothing; the pipeline holds it
    to that (a write in its snapshot fails, and the message takes the write path instead).
    `year_word` lets it be asked for one assessment year; `each_year` answers, while two years
    are open and none is named, under each year in turn, labelled."""
    def deco(fn: Handler) -> Handler:
        COMMANDS.append(Command(words, roles, usage, help, fn, free_text=free_text,
                                read_only=read_only, year_word=year_word, each_year=each_year,
                                runs_on=runs_on))
        return fn
    return deco


@dataclass(frozen=True)
class Match:
    """The command a message starts with, and the words after its command word."""

    command: Command
    words: list[str]


def _lookup(word: str) -> Command | None:
    w = word.lower()
    for c in COMMANDS:
        if w in c.words:
            return c
    return None


def match(text: str, exact: bool = False) -> Match | None:
    """The command a message begins with: its first word (「报送 …」); unless `exact`, else the
    longest command word it starts with (「我的得分」), else a command word typed with a space
    in it (「得 分」). None when it begins with no command."""
    text = normalise(text)
    if not text:
        return None
    word, *rest = text.split(" ")
    cmd = _lookup(word)
    if cmd is not None:
        return Match(cmd, [w for w in rest if w])
    if exact:
        return None
    dated = _dated(text)
    if dated is not None:
        return dated
    # two-character words and longer only: 看 alone must not swallow 看看这份材料
    prefixes = [(w, c) for c in COMMANDS for w in c.words if len(w) >= 2 and text.startswith(w)]
    if prefixes:
        w, cmd = max(prefixes, key=lambda wc: len(wc[0]))  # the first registered among equals
        return Match(cmd, [x for x in normalise(text[len(w):]).split(" ") if x])
    squeezed = _lookup(text.replace(" ", "")) if " " in text else None
    return Match(squeezed, []) if squeezed is not None else None


_MONTH_WORD = re.compile(r"(?:20\d\d\s*[-/.年]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})(?:\s*月份?)?"
                         r"|(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*月份?|本月|这个月|当月|上月|上个月)")


def _dated(text: str) -> Match | None:
    """「9月月报 …」「2022年9月份月报 …」「上月月报」: a month written before a command whose text
    runs on (the 月报) is that command with the month as its first word; 「9月报」 shares the 月."""
    for k in range(1, min(len(text), 14)):
        head = text[:k].strip()
        if not _MONTH_WORD.fullmatch(head):
            continue
        for tail, shared in ((text[k:].lstrip(), False),
                             (text[k - 1:] if head.endswith("月") else "", True)):
            for w in _DATED_WORDS:
                after = tail[len(w):len(w) + 1]
                # 「12月报送…」 is not a 月报: a shared 月 needs the word to end there
                if tail.startswith(w) and (not shared or after in ("", " ", ":", "：", ",", "，")):
                    cmd = _lookup(w)
                    rest = normalise(tail[len(w):].lstrip(":：,，"))
                    if cmd is not None:
                        return Match(cmd, [head.replace(" ", ""), *[x for x in rest.split(" ") if x]])
    return None


# the words a month may stand before (not 报告: 「8月报告期内…」 is a sentence, not a command)
_DATED_WORDS = ("月报", "工作总结")


def split_commands(text: str) -> list[str]:
    """Several lines, several commands: a line that starts with a command word begins a new
    one; any other line continues the one before it. After a 月报, whose lines often begin with
    words such as 报送 or 报告期内, and after a 报送 whose values run on one per line (a label
    such as 报告期…执结数 begins like 报告), only a line whose first word is a command word
    begins one."""
    groups: list[list[str]] = []
    free = False
    for line in (text or "").splitlines():
        found = match(line, exact=free) if groups and line.strip() else None
        if not groups or found is not None:
            groups.append([line])
            first = match(line)
            free = first is not None and (first.command.free_text or first.command.runs_on)
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
    return Reply("\n\n".join(f"【{n}】{echo(p)}\n{a}" for n, (p, a) in
                              enumerate(zip(parts, answers), start=1)), files=files)


ECHO_CHARS = 24  # about one line of a phone's chat bubble


def echo(text: str) -> str:
    """A command of a several-line message as its answer's heading: its first line as typed,
    in whole words up to about a phone line (「报送 联合奖惩 参与=3 发起=2」), never a word cut
    in two, so a value is shown whole or not at all; … marks what is left out."""
    lines = [x for x in (text or "").splitlines() if x.strip()]
    words = re.sub(r"\s+", " ", lines[0] if lines else "").strip().split(" ")
    if len(words[0]) > ECHO_CHARS:  # one long word (a 月报 typed without a space): its start
        return words[0][:ECHO_CHARS] + "…"
    out = words[0]
    for w in words[1:]:
        if len(out) + 1 + len(w) > ECHO_CHARS:
            return out + " …"
        out += " " + w
    return out + (" …" if len(lines) > 1 else "")


def _dispatch_one(text: str, ctx: Ctx) -> Reply:
    text = normalise(text)
    if not text:
        raise CommandError("收到空消息。发送「帮助」查看可用的命令。")
    found = match(text)
    if found is None:
        raise CommandError(f"没有看懂「{text[:20]}」。发送「帮助」查看可用的命令，例如：得分、缺项、截止、"
                           f"月报 8月工作…、报送 信用承诺 35。")
    cmd = found.command
    if ctx.member.role not in cmd.roles:
        who = "信用办工作人员" if cmd.roles == STAFF else "单位联络员"
        raise CommandError(f"「{cmd.words[0]}」仅限{who}使用。发送「帮助」查看您可用的命令。")
    words = found.words
    if cmd.year_word:
        year, words = take_year(words, ctx, bare=cmd.year_word == "any")
        if year is not None:
            ctx.speak_of_year(year)
        elif cmd.each_year and len(ctx.open_years()) > 1:
            return _each_year(cmd, words, ctx)
    reply = cmd.fn(words, ctx)
    if not cmd.read_only:  # what it recorded keeps the message(s) as sent, for 查看
        keep_sent(ctx.db, ctx.msg.channel, ctx.msg.msg_id, ctx.sent())
    return reply


_YEAR_WORD = re.compile(r"(20\d\d)(年度?)?")
RELATIVE_YEARS = {"上年度": -1, "上一年度": -1, "上年": -1, "去年": -1, "本年度": 0, "今年": 0,
                   "本年": 0}


def take_year(words: list[str], ctx: Ctx, bare: bool = True) -> tuple[int | None, list[str]]:
    """The year a command names (「2022」「2022年」「2022年度」「上年度」) and the other words.
    A year the office never assessed is refused here, so no command answers for it."""
    for n, w in enumerate(words):
        m = _YEAR_WORD.fullmatch(w)
        if m and (bare or m.group(2)):
            year = int(m.group(1))
        elif w in RELATIVE_YEARS:
            year = ctx.today.year + RELATIVE_YEARS[w]
        else:
            continue
        from ledger.office import year_status
        if year_status(ctx.db, year) is None:
            known = "、".join(map(str, ctx.all_years()))
            raise CommandError(f"{year} 不是本办的考核年度（本办的考核年度：{known}）。")
        return year, words[:n] + words[n + 1:]
    return None, words


def _each_year(cmd: Command, words: list[str], ctx: Ctx) -> Reply:
    """January: last year's items and this year's, each under its own year."""
    parts, files, refused = [], [], []
    for year in ctx.open_years():
        ctx.speak_of_year(year)
        try:
            reply = cmd.fn(list(words), ctx)
        except (Ambiguous, AskValue):
            raise  # a question back (which unit?) holds whatever the year
        except CommandError as exc:
            reply = Reply(str(exc))
            refused.append(str(exc))
        parts.append(f"【{year}年度】{reply.text}")
        files += reply.files
    if len(refused) == len(parts) and len(set(refused)) == 1:
        raise CommandError(refused[0])  # the same refusal for every year: said once
    ctx.labelled = True
    return Reply("\n\n".join(parts), files=files)


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
