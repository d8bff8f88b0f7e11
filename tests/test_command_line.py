"""The command line's edge: every subcommand says what it does, a refusal is one Chinese line
and exit code 1, a bug is a traceback (never `错误：'x'`), and the real process — the installed
`creditbot` script, `python -m bot.cli`, a closed pipe — behaves as main(argv) does."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from bot.cli import build_parser, main
from command_line import ROOT, creditbot


def _verbs(parser: argparse.ArgumentParser, path: str = "creditbot"):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                yield f"{path} {name}", helps.get(name), sub
                yield from _verbs(sub, f"{path} {name}")


def test_every_subcommand_has_its_help():
    verbs = list(_verbs(build_parser()))
    assert len(verbs) >= 30
    missing = [path for path, help, sub in verbs if not help or not sub.description]
    assert missing == []
    for path, _, sub in verbs:
        if sub._subparsers is None:  # a verb: it runs something
            assert sub.get_default("fn") is not None, path


def test_the_installed_script_is_this_main():
    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "creditbot"]
    assert script.value == "bot.cli:main" and script.load() is main


def test_a_real_process_prints_what_main_prints():
    proc = subprocess.run([sys.executable, "-m", "bot.cli", "scheme", "list", "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    inside = creditbot("scheme", "list", "--json")
    assert json.loads(proc.stdout) == json.loads(inside.stdout) and len(json.loads(proc.stdout)) == 7


def test_a_closed_pipe_ends_any_command_quietly():
    """`creditbot … | head`: once the reader has gone, the command stops without a traceback.
    The read end is closed before the command starts, so its first write meets the closed pipe."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run([sys.executable, "-m", "bot.cli", "scheme", "show",
                               "huangshi-2019-demo-city"], cwd=ROOT, stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_end)
    assert proc.returncode == 0
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


@pytest.fixture(scope="module")
def office_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One office for the module: every test here is refused or raises, and the refusals check
    that nothing changed."""
    tmp_path = tmp_path_factory.mktemp("office")
    env = {"CREDITBOT_DB": str(tmp_path / "c.db"), "CREDITBOT_DATA": str(tmp_path / "data"),
           "CREDITBOT_NOW": "2022-09-01T10:00:00", "CREDITBOT_CONFIG": str(tmp_path / "none.toml")}
    assert creditbot("init", "--scheme", "lvliang-2022-departments", "--year", "2022",
                     env=env).returncode == 0
    return env


@pytest.mark.parametrize("args, extra, says", [
    (("scheme", "show", "no-such-scheme"), {}, "没有编号为 no-such-scheme 的方案"),
    (("year", "open", "2023"), {"CREDITBOT_NOW": "九月一日"}, "CREDITBOT_NOW 格式错误"),
    (("remind", "--dry-run"), {"REMIND_HOUR": "25"}, "REMIND_HOUR 应为0到23之间的整数"),
    (("remind", "--dry-run", "--at", "明天"), {}, "--at 时间格式错误"),
    (("unit", "import", "没有这个文件.csv"), {}, "没有这个文件.csv: 无法读取文件"),
    (("unit", "add", "市税务局", "--kind", "县区"), {}, "本办没有考核"),
    (("export", "考核表.txt"), {}, "应以 .xlsx 结尾"),
])
def test_a_refusal_is_one_chinese_line_and_exit_code_1(office_env, args, extra, says):
    before = creditbot("unit", "list", "--json", env=office_env).stdout
    r = creditbot(*args, env={**office_env, **extra})
    assert r.returncode == 1 and r.stderr.startswith("错误：") and says in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert creditbot("unit", "list", "--json", env=office_env).stdout == before  # nothing changed


def test_a_broken_config_file_is_named(tmp_path: Path):
    config = tmp_path / "creditbot.toml"
    config.write_text("[wecom\ncorp_id = 1\n", encoding="utf-8")
    r = creditbot("year", "list", cwd=tmp_path)
    assert r.returncode == 1 and "creditbot.toml: 配置文件格式错误" in r.stderr


def test_a_bug_is_a_traceback_not_a_message(office_env, monkeypatch):
    """A KeyError from a mistake in the code is not a refusal: it reaches the caller whole (a
    process prints its traceback) instead of `错误：'x'`."""
    import ledger.units

    def broken(*args, **kwargs):
        return {}["x"]

    monkeypatch.setattr(ledger.units, "list_units", broken)
    with pytest.raises(KeyError, match="x"):
        creditbot("submissions", env=office_env)
