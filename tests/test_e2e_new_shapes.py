"""Issue 20's two table shapes from a Word file to scores in chat, on loopback: a points-only
监测指标 table (categories in a merged 一级指标 column, no scoring column, no year) and a
district table (项目 merged without 一、 or points, no 分值 column: the points are in the rules,
one row's name cell empty). Each drafts, checks once its one question is answered, is added to
a served office, and a report in chat scores what the document's arithmetic gives."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml

from bot.app import create_app
from channels.wecom_crypto import WeComCrypto
from fake_wecom import FakeWeCom
from ledger.db import open_db
from ledger.facts import init_office
from new_shapes import MONITOR_ROWS, write_district, write_monitor
from schemes.loader import load_scheme
from scoring.engine import score_all
from servers import app_server
from test_e2e_new_scheme import creditbot
from test_e2e_wecom import AES_KEY, TOKEN, Platform

ENV = {"CREDITBOT_NOW": "2025-03-10T10:00:00"}


def _env(tmp_path: Path) -> dict[str, str]:
    return {"CREDITBOT_DB": str(tmp_path / "creditbot.db"), "CREDITBOT_DATA": str(tmp_path / "data"), **ENV}


def _serve(tmp_path: Path, scheme_file: str, units: list[tuple[str, ...]], talk, alone: bool = False):
    """An office serving on loopback: running 吕梁 市直 when the new scheme is added to it, or
    started with the new scheme `alone` (a city's own evaluation)."""
    env = _env(tmp_path)
    with FakeWeCom() as wecom:
        settings = {**env, "WECOM_TOKEN": TOKEN, "WECOM_AES_KEY": AES_KEY, **wecom.settings()}
        db = open_db(settings["CREDITBOT_DB"])
        init_office(db, str(tmp_path / scheme_file) if alone else "lvliang-2022-departments", 2025)
        db.close()
        with app_server(create_app(settings)) as base:
            cli_env = {k: str(v) for k, v in settings.items()}
            added = "" if alone else creditbot("scheme", "add", scheme_file, "--from", "2025", cwd=tmp_path,
                                                   env=cli_env)
            for args in units:
                creditbot(*args, cwd=tmp_path, env=cli_env)
            wx = Platform(base, wecom, settings, WeComCrypto(TOKEN, AES_KEY, wecom.corp_id), None)
            return added, talk(wx)


def test_points_only_table_to_staff_points_in_chat(tmp_path: Path):
    write_monitor(tmp_path / "监测指标.docx")
    out = creditbot("scheme", "draft", "监测指标.docx", "-o", "草稿.yaml", cwd=tmp_path, env=_env(tmp_path))
    assert "4 个类别，15 个指标，1 处待确认" in out  # one question for the table, not one per row
    draft = yaml.safe_load((tmp_path / "草稿.yaml").read_text(encoding="utf-8"))
    assert "没有写考核年度" in draft["待确认"] and "本表只有分值" in draft["待确认"]
    assert [(c["name"], len(c["indicators"])) for c in draft["categories"]] == [
        ("信用制度和基础建设", 4), ("信用监管", 4), ("信用惠民便企", 3), ("诚信文化建设", 4)]
    assert [(i["name"], i["max_points"]) for c in draft["categories"] for i in c["indicators"]] == [
        (r[2], int(r[3])) for r in MONITOR_ROWS]
    assert draft["base_total"] == 100
    # staff answer: the year is 2025, each indicator is the office's judgement within its points
    kept = [ln for ln in (tmp_path / "草稿.yaml").read_text(encoding="utf-8").splitlines()
            if not ln.startswith("待确认:")]
    text = "\n".join(kept).replace("year: 2026", "year: 2025").replace("draft-2026", "draft-2025")
    (tmp_path / "方案.yaml").write_text(text + "\n", encoding="utf-8")
    assert "检查通过" in creditbot("scheme", "check", "方案.yaml", cwd=tmp_path, env=_env(tmp_path))

    def talk(wx):
        return (wx.say("xyb", "打分 市发展改革委 2 6.5 归集共享基本到位", "t-1"),
                wx.say("xyb", "打分 市发展改革委 信用修复 4", "t-2"),
                wx.say("xyb", "单位 市发展改革委", "t-3"))
    _, (first, second, card) = _serve(tmp_path, "方案.yaml", [
        ("unit", "add", "市发展改革委", "--kind", "市直"),
        ("member", "add", "xyb", "--name", "刘洋", "--role", "staff", "--channel", "wecom")], talk, alone=True)
    assert "6.5/8" in first and "4/6" in second
    total = score_all(load_scheme(tmp_path / "方案.yaml"), {"市发展改革委": {"2": {"points": 6.5}, "8": {"points": 4}}})
    assert total["市发展改革委"].total == Decimal("10.5") and "总分 10.5" in card


def test_merged_category_table_with_points_in_the_rules_to_a_liaisons_report(tmp_path: Path):
    write_district(tmp_path / "评价表.docx")
    out = creditbot("scheme", "draft", "评价表.docx", "-o", "方案.yaml", cwd=tmp_path, env=_env(tmp_path))
    assert "3 个类别，6 个指标，0 处待确认" in out
    scheme = load_scheme(tmp_path / "方案.yaml")
    assert [c.name for c in scheme.categories] == ["工作绩效", "配置效益", "社会效益"]
    assert [(i.code, i.name, i.max_points) for _, i in scheme.indicators()] == [
        ("1", "工作机制", 4), ("2", "信息报送", 6), ("3", "信用联合奖惩案例", 5), ("4", "信用承诺", 5),
        ("5", "信用修复", 5), ("6", "诚信宣传", 5)]
    assert scheme.base_total == 30 and scheme.year == 2025

    def talk(wx):
        return (wx.say("qs1", "报送 信用修复 97%", "d-1"),
                wx.say("qs1", "报送 信息报送 2", "d-2"),
                wx.say("qs1", "报送 信用联合奖惩案例 3", "d-3"),
                wx.say("qs1", "得分", "d-4"))
    _, (repair, late, cases, card) = _serve(tmp_path, "方案.yaml", [
        ("unit", "add", "区市场监管局", "--kind", "市直"),
        ("member", "add", "qs1", "--name", "周婷", "--unit", "区市场监管局", "--role", "liaison",
         "--channel", "wecom")], talk)
    # 办结率97%: 5 − 0.5×3 = 3.5; 迟报2次: 6 − 1×2 = 4; 3个案例: 3×1 = 3
    assert "本项暂计 3.5/5 分" in repair and "本项暂计 4/6 分" in late and "本项暂计 3/5 分" in cases
    cards = score_all(scheme, {"区市场监管局": {"5": {"rate": Decimal("0.97")}, "2": {"count": 2},
                                          "3": {"count": 3}}})
    assert cards["区市场监管局"].total == Decimal("10.5") and "总分 10.5" in card
