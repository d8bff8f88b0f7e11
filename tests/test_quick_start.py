"""The README's Quick start works as written: `make run` seeds the demo office on its fixed
date (2022-09-15, Beijing) with months of history, and every `creditbot chat` line of the Quick
start, run from a second terminal with no CREDITBOT_NOW, answers as the README says."""
from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import pytest
from docx import Document

from bot.config import load_settings
from bot.demo import DEMO_NOW, DEMO_UNITS, ensure_demo, pinned_now
from command_line import ROOT, creditbot
from ledger.db import open_db

# What each line's answer shows: the README promises these (an unlisted line fails the test).
EXPECTED = {
    "帮助": "示例",
    "报送 信用承诺 35": "已记录（编号",
    "得分": "排名 ",
    "排名": "总分排名（12 个单位）",
    "待审": "待审核",
    "未交 2022-08": "未报送",
    "通报 2022-08": "[文件]",
    "": "总分",  # the REPL, fed one line: 得分
    "控制台": "/console/login/",
}


def _quick_start_lines() -> list[tuple[dict[str, str], list[str]]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    out = []
    code = "\n".join(re.findall(r"```sh\n(.*?)```", section, re.S))
    for line in code.splitlines():
        if "creditbot chat" not in line:
            continue
        words = shlex.split(line.split("  #")[0])
        at = next(n for n, w in enumerate(words) if w.endswith("bin/creditbot"))
        env = dict(w.split("=", 1) for w in words[:at])
        out.append((env, words[at + 1:]))
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    settings = load_settings(env={"CREDITBOT_DB": str(folder / "creditbot.db"),
                                  "CREDITBOT_DATA": str(folder / "data")})
    assert settings["CREDITBOT_NOW"] == ""  # an empty ledger: the real clock until the demo
    ensure_demo(settings)
    return folder


def test_the_demo_keeps_its_date_and_has_months_of_history(demo: Path):
    assert pinned_now(demo / "creditbot.db") == DEMO_NOW == "2022-09-15T10:00:00"
    db = open_db(str(demo / "creditbot.db"))
    try:
        late = db.execute("SELECT COUNT(*) FROM submissions WHERE kind = 'briefing' AND on_time = 0").fetchone()[0]
        briefings = db.execute("SELECT COUNT(DISTINCT period) FROM submissions WHERE kind = 'briefing'").fetchone()[0]
        waiting = db.execute("SELECT COUNT(*) FROM submissions WHERE status = 'submitted'").fetchone()[0]
        files = db.execute("SELECT COUNT(*) FROM evidence").fetchone()[0]
        units = db.execute("SELECT COUNT(*) FROM units").fetchone()[0]
    finally:
        db.close()
    assert units == len(DEMO_UNITS) == 12
    assert briefings == 8 and late >= 5 and waiting >= 20 and files >= 40


def test_a_real_office_runs_on_the_real_clock(tmp_path: Path):
    env = {"CREDITBOT_DB": tmp_path / "c.db", "CREDITBOT_DATA": tmp_path / "data"}
    assert creditbot("init", "--scheme", "lvliang-2022-departments", "--year", "2022", env=env).returncode == 0
    assert pinned_now(tmp_path / "c.db") is None
    assert load_settings(env={k: str(v) for k, v in env.items()})["CREDITBOT_NOW"] == ""


def test_every_chat_line_of_the_quick_start_works(demo: Path, monkeypatch: pytest.MonkeyPatch):
    lines = _quick_start_lines()
    assert len(lines) >= 8
    for env, args in lines:
        assert args[:2] == ["chat", "--as"]
        text = " ".join(args[3:])
        assert text in EXPECTED, f"README line without an expectation: {args}"
        monkeypatch.setattr("sys.stdin", io.StringIO("得分\n"))  # the REPL line reads one line
        run = creditbot(*args, cwd=demo, env={"CREDITBOT_DB": demo / "creditbot.db",
                                              "CREDITBOT_DATA": demo / "data", **env})
        assert run.returncode == 0, (args, run.stderr)
        assert EXPECTED[text] in run.stdout, (args, run.stdout)
        assert not re.search(r"^(抱歉|格式|没有找到)", run.stdout, re.M), (args, run.stdout)
        if text == "报送 信用承诺 35":
            assert "2022年9月" in run.stdout  # the demo's date, not today's
        if text == "通报 2022-08":
            path = re.search(r"\[文件\] (\S+\.docx)", run.stdout).group(1)
            doc = Document(demo / path if not Path(path).is_absolute() else path)
            assert doc.paragraphs[0].text == "关于2022年8月社会信用体系建设工作报送情况的通报"


def test_the_demo_starts_ready(demo: Path):
    from bot.readiness import readiness
    settings = load_settings(env={"CREDITBOT_DB": str(demo / "creditbot.db"),
                                  "CREDITBOT_DATA": str(demo / "data")})
    ready, body = readiness(settings, lambda: open_db(settings["CREDITBOT_DB"]))
    assert body["checks"]["outbox"]["pending"] == 0, body  # the seeded notices went out
    assert ready, body
