"""This year's Word document to a running office, end to end on loopback: `scheme draft` of a
.docx, the 待确认 refused by `scheme check` and resolved, `scheme add` into an office whose app
is serving, then liaisons report through WeCom and DingTalk and staff ask for 排名 and 缺项. Each
score in a reply is the scoring engine's on the same facts."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from bot.app import create_app
from command_line import creditbot as run_creditbot
from fake_dingtalk import FakeDingTalk
from fake_wecom import FakeWeCom
from ledger.db import open_db
from ledger.facts import init_office
from ledger.units import add_member, add_unit
from office_documents import SCHEME_ID, resolve_draft, write_docx
from schemes.loader import load_scheme, load_text
from scoring.card import fmt
from scoring.engine import score_all
from servers import app_server
from test_e2e_dingtalk import Robot
from test_e2e_wecom import AES_KEY, TOKEN, Platform
from channels.wecom_crypto import WeComCrypto


def creditbot(*args: str, cwd: Path, env: dict[str, str]) -> str:
    r = run_creditbot(*args, cwd=cwd, env=env)
    assert r.returncode == 0, (args, r.stdout, r.stderr)
    return r.stdout


def test_word_document_to_scores_in_chat(tmp_path: Path):
    # staff draft the Word file, are refused while 待确认 is left, and resolve it
    write_docx(tmp_path / "2025考核细则.docx")
    env = {"CREDITBOT_DB": str(tmp_path / "creditbot.db"), "CREDITBOT_DATA": str(tmp_path / "data"),
           "CREDITBOT_NOW": "2025-03-10T10:00:00"}
    out = creditbot("scheme", "draft", "2025考核细则.docx", "-o", "2025草稿.yaml", cwd=tmp_path, env=env)
    assert "3 处待确认" in out
    check = run_creditbot("scheme", "check", "2025草稿.yaml", cwd=tmp_path)
    assert check.returncode == 1 and len(re.findall(r"^2025草稿\.yaml:\d+ .*待确认", check.stderr, re.M)) == 3
    draft = (tmp_path / "2025草稿.yaml").read_text(encoding="utf-8")
    resolved = resolve_draft(draft)
    (tmp_path / "2025方案.yaml").write_text(resolved, encoding="utf-8")
    assert "检查通过" in creditbot("scheme", "check", "2025方案.yaml", cwd=tmp_path, env=env)

    with FakeWeCom() as wecom, FakeDingTalk() as dingtalk:
        settings = {**env, "WECOM_TOKEN": TOKEN, "WECOM_AES_KEY": AES_KEY, **wecom.settings(),
                    **dingtalk.settings()}
        # an office already running its 市直 scheme, serving on loopback
        db = open_db(settings["CREDITBOT_DB"])
        init_office(db, "lvliang-2022-departments", 2025)
        add_member(db, "sw1", "张敏", "liaison", add_unit(db, "市税务局", "department").id, channel="wecom")
        db.close()
        with app_server(create_app(settings)) as base:
            cli_env = {k: str(v) for k, v in settings.items()}
            added = creditbot("scheme", "add", "2025方案.yaml", cwd=tmp_path, env=cli_env)
            assert added == f"已加入本办：云川市2025年度县（市、区）社会信用体系建设工作考核细则（{SCHEME_ID}，考核县（市、区））\n"
            for args in (("unit", "add", "青山县", "--kind", "县"), ("unit", "add", "白水县", "--kind", "县"),
                         ("member", "add", "qs1", "--name", "周婷", "--unit", "青山县", "--role", "liaison",
                          "--channel", "wecom"),
                         ("member", "add", "bs1", "--name", "吴刚", "--unit", "白水县", "--role", "liaison",
                          "--channel", "dingtalk"),
                         ("member", "add", "xyb", "--name", "刘洋", "--role", "staff", "--channel", "wecom")):
                creditbot(*args, cwd=tmp_path, env=cli_env)
            wx = Platform(base, wecom, settings, WeComCrypto(TOKEN, AES_KEY, wecom.corp_id), None)
            dd = Robot(base, dingtalk, settings)

            # the draft reads 每低1个百分点扣1分 on the rate itself: the liaison sends 97%
            rate = wx.say("qs1", "报送 双公示报送 97%", "n-1")
            assert "本项暂计 7/10 分" in rate and "低于100% 3个百分点" in rate and "10−1×3 = 7" in rate
            cases = wx.say("qs1", "报送 联合奖惩案例 12", "n-2")
            assert "2025年2月" in cases and "本项暂计 10/10 分" in cases  # 每月5日前报送上月案例
            wx.say("qs1", "报送 工作机构 明确分管领导和信用工作科室=是", "n-3")
            wx.say("qs1", "报送 信用承诺 80", "n-4")
            assert "在2个单位中排第2名" in dd.say("bs1", "报送 信用承诺 40")
            card = wx.say("qs1", "得分", "n-5")
            theirs = dd.say("bs1", "得分")
            ranking = wx.say("xyb", "排名 县区", "n-6")
            missing = wx.say("xyb", "缺项 青山县", "n-7")
            briefing = wx.say("sw1", "得分", "n-8")
            # staff correct the installed scheme (the last place gets 2, not 4) and add it again
            fixed = (tmp_path / "2025方案.yaml").read_text(encoding="utf-8").replace("bottom: 4", "bottom: 2")
            (tmp_path / "2025方案.yaml").write_text(fixed, encoding="utf-8")
            creditbot("scheme", "add", "2025方案.yaml", cwd=tmp_path, env=cli_env)
            corrected = dd.say("bs1", "得分")

    cards = score_all(load_text(resolved), {
        "青山县": {"3": {"rate": Decimal("0.97")}, "5": {"count": 12}, "1": {"p1_done": "是"},
                "4": {"value": 80}},
        "白水县": {"4": {"value": 40}}})
    mine, other = cards["青山县"], cards["白水县"]
    assert (mine.total, other.total) == (29, 4)  # 7 + 10 + 2 + 10; the last of two ranks gets 4
    assert f"【青山县】2025年度 云川市2025年度县（市、区）社会信用体系建设工作考核细则\n总分 {fmt(mine.total)}，" in card
    assert "排名 1/2" in card and f"总分 {fmt(other.total)}，" in theirs and "排名 2/2" in theirs
    assert ranking.splitlines()[-2:] == [f"1. 青山县 {fmt(mine.total)} 不合格", f"2. 白水县 {fmt(other.total)} 不合格"]
    # 缺项 names what 青山县 still owes under the new scheme, most points first
    lines = missing.splitlines()
    assert lines[0].startswith("青山县 待补") and lines[1].startswith("· 6 信用报告使用（10分）")
    assert "2 制度建设（6分）" in missing and "月报" not in missing  # 联合奖惩案例 is data, not a 月报
    assert "总分 2，" in corrected and score_all(load_scheme(tmp_path / "2025方案.yaml"), {
        "青山县": {"4": {"value": 80}}, "白水县": {"4": {"value": 40}}})["白水县"].total == 2
    # the 市直 unit is still scored under its own scheme
    assert "吕梁市市直成员单位" in briefing and "云川" not in briefing
