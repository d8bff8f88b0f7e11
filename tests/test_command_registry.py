"""One command registry: what a message starts with, and which path (read or write) it takes."""
from __future__ import annotations

import pytest

from bot.pipeline import Pipeline, _is_question, _looks_like_command
from bot.registry import COMMANDS, match, split_commands


def _words(found) -> tuple[str, list[str]] | None:
    return (found.command.words[0], found.words) if found else None


@pytest.mark.parametrize("text, expect", [
    ("报送 信用承诺 35", ("报送", ["信用承诺", "35"])),
    ("我的得分", ("得分", [])),
    ("得分多少", ("得分", ["多少"])),
    ("得 分", ("得分", [])),                       # a command word typed with a space in it
    ("单位列表", ("单位列表", [])),                 # the longest word, not 单位
    ("单位 市税务局", ("单位", ["市税务局"])),
    ("ＨＥＬＰ", ("帮助", [])),                     # full-width, any case
    ("报告期内开展宣传", ("月报", ["期内开展宣传"])),
    ("看看这份材料", None),                         # one-character words only stand alone
    ("今天天气不错", None),
    ("", None),
])
def test_match_finds_the_command_a_message_starts_with(text, expect):
    assert _words(match(text)) == expect


def test_exact_match_reads_the_first_word_only():
    assert _words(match("报送 双公示", exact=True)) == ("报送", ["双公示"])
    assert match("报告期内开展宣传", exact=True) is None
    assert match("得 分", exact=True) is None
    assert _looks_like_command("佐证 双公示") and not _looks_like_command("双公示台账2022Q3")


def test_lines_after_a_briefing_begin_a_command_only_by_their_first_word():
    parts = split_commands("月报 8月工作\n报告期内开展宣传\n得分")
    assert parts == ["月报 8月工作\n报告期内开展宣传", "得分"]


def test_the_decorator_says_which_commands_only_read():
    reads = {c.words[0] for c in COMMANDS if c.read_only}
    assert {"得分", "缺项", "排名", "帮助"} <= reads
    assert not reads & {"报送", "月报", "审核", "撤回", "代报"}
    for c in COMMANDS:
        assert _is_question(c.words[0]) is c.read_only, c.words


def _paths(lvliang, monkeypatch) -> list[bool]:
    """Each time a command runs: was the ledger read-only (the question path)?"""
    seen: list[bool] = []
    real = Pipeline._answer

    def spy(self, msg, db, *args, **kw):
        seen.append(bool(db.execute("PRAGMA query_only").fetchone()[0]))
        return real(self, msg, db, *args, **kw)

    monkeypatch.setattr(Pipeline, "_answer", spy)
    return seen


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: c.words[0])
def test_a_read_only_command_never_takes_the_write_path_and_a_write_command_always_does(
        lvliang, monkeypatch, cmd):
    user = "sw1" if "liaison" in cmd.roles else "staff1"
    seen = _paths(lvliang, monkeypatch)
    lvliang.chat(user, cmd.words[0])
    assert seen == [cmd.read_only], cmd.words
