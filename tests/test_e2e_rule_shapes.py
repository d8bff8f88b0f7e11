"""Issue 20's rule shapes from a Word file to scores in chat, on loopback through the WeCom
callback: a district's 考核细则 (tests/new_shapes.py RULE_SHAPES, composed) whose rows are points
by rank place, grades written without 得, a rule continued after 。 with an exemption, a bare
formula, two metrics marked ①②, and 一票否优 in a row without points. It drafts (one question:
the exemption), checks once answered, is added to a served 吕梁 office from 2025, and the
liaisons' reports score what the document's arithmetic gives — the ranking among seven units,
with a tie and a unit that never reports, as its declared policy says."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import yaml

from bot.app import create_app
from channels.wecom_crypto import WeComCrypto
from fake_wecom import FakeWeCom
from ledger.db import open_db
from ledger.facts import init_office
from ledger.units import add_member, add_unit
from new_shapes import write_rule_shapes
from schemes.loader import load_scheme
from scoring.engine import score_all
from servers import app_server
from test_e2e_new_scheme import creditbot
from test_e2e_wecom import AES_KEY, TOKEN, Platform

ENV = {"CREDITBOT_NOW": "2025-06-10T10:00:00"}
BANDS = "bands: [{name: 优秀, min: 90}, {name: 良好, min: 80}, {name: 一般, min: 60}, {name: 较差, min: 0}]"
# 归集数据量 of 市A局…市F局; 市G局 never reports. Places 1, 2, 2 (a tie takes the better place),
# 4, 5, 6: 60, 57, 57, 51, 48 and 其余 40; 市G局 takes no place (未报送的单位不参加排名): 0.
FIGURES = {"市A局": 900, "市B局": 800, "市C局": 800, "市D局": 600, "市E局": 500, "市F局": 400}
PLACES = {"市A局": 60, "市B局": 57, "市C局": 57, "市D局": 51, "市E局": 48, "市F局": 40, "市G局": 0}


def _env(tmp_path: Path) -> dict[str, str]:
    return {"CREDITBOT_DB": str(tmp_path / "creditbot.db"), "CREDITBOT_DATA": str(tmp_path / "data"), **ENV}


def test_rule_shapes_from_the_document_to_a_liaisons_report(tmp_path: Path):
    write_rule_shapes(tmp_path / "细则.docx")
    env = _env(tmp_path)
    out = creditbot("scheme", "draft", "细则.docx", "-o", "草稿.yaml", cwd=tmp_path, env=env)
    assert "1 个类别，7 个指标，1 处待确认" in out and "因上级政策调整的可不扣分" in out
    draft = yaml.safe_load((tmp_path / "草稿.yaml").read_text(encoding="utf-8"))
    inds = {i["name"]: i for i in draft["categories"][0]["indicators"]}
    assert draft["audience"] == "departments" and draft["base_total"] == 100
    assert inds["信用信息归集"]["parts"][0]["method"] == "places"
    assert inds["信用信息申报"]["parts"][0]["one_of"] is True and len(inds["信用信息申报"]["parts"]) == 1
    assert inds["诚信建设"]["gate"]["kind"] == "no_excellent" and "max_points" not in inds["诚信建设"]
    # staff answer the one question (the office adjusts by hand when the exemption applies) and
    # give the office's grade bands, which this document does not print
    kept = [ln for ln in (tmp_path / "草稿.yaml").read_text(encoding="utf-8").splitlines()
            if "待确认: " not in ln]
    text = "\n".join(kept).replace("bands: []", BANDS)
    (tmp_path / "方案.yaml").write_text(text + "\n", encoding="utf-8")
    assert "检查通过" in creditbot("scheme", "check", "方案.yaml", cwd=tmp_path, env=env)

    with FakeWeCom() as wecom:
        settings = {**env, "WECOM_TOKEN": TOKEN, "WECOM_AES_KEY": AES_KEY, **wecom.settings()}
        db = open_db(settings["CREDITBOT_DB"])
        init_office(db, "lvliang-2022-departments", 2025)
        for n, name in enumerate(PLACES):
            unit = add_unit(db, name)
            add_member(db, f"l{n}", f"联络员{n}", "liaison", unit.id, channel="wecom")
        add_member(db, "xyb", "刘洋", "staff", None, channel="wecom")
        db.close()
        with app_server(create_app(settings)) as base:
            added = creditbot("scheme", "add", "方案.yaml", "--from", "2025", cwd=tmp_path,
                              env={k: str(v) for k, v in settings.items()})
            wx = Platform(base, wecom, settings, WeComCrypto(TOKEN, AES_KEY, wecom.corp_id), None)
            liaison = {name: f"l{n}" for n, name in enumerate(PLACES)}
            ranked = [wx.say(liaison[u], f"报送 信用信息归集 {v}", f"r-{u}") for u, v in FIGURES.items()]
            a = liaison["市A局"]
            replies = [wx.say(a, t, f"a-{n}") for n, t in enumerate([
                "报送 信用信息申报 申报信息不完整=是",
                "报送 双公示报送 96%",
                "报送 信用修复办结 按时办结数=45 受理数=50",
                "报送 信用承诺 归集信用承诺书=400 承诺履约公示率=100%",
                "报送 信用建设经费 3%"])]
            before = wx.say("xyb", "单位 市A局", "s-1")
            barred = wx.say("xyb", "确认 市A局 诚信建设 未达标 发生重大失信事件", "s-2")
            after = wx.say("xyb", "单位 市A局", "s-3")
            ranking = wx.say("xyb", "排名", "s-4")
            g_card = wx.say("xyb", "单位 市G局", "s-5")
    assert "2025" in added
    # each report's reply, as the ranking stood when it came: the tie takes the better place
    assert "本项暂计 57/60 分" in ranked[2] and "排第2名" in ranked[2]
    assert "本项暂计 40/60 分" in ranked[5] and "其余名次得40分" in ranked[5]
    grades, rate, formula, pledges, funds = replies
    assert "本项暂计 5/10 分" in grades and "本项还缺" not in grades  # one grade chosen, not 15
    assert "10−0.5×4 = 8" in rate and "本项暂计 8/10 分" in rate  # 96%: 4 points short of 100%
    assert "本项暂计 7.2/8 分" in formula  # 45 / 50 × 8
    assert "本项暂计 9/10 分" in pledges  # ① 400 份: 4 × 1; ② 100%: 5
    assert "2−0.1×3 = 1.7" in funds and "本项暂计 1.7/2 分" in funds  # 3% short: not 0/2
    # 60 + 5 + 8 + 7.2 + 9 + 1.7 = 90.9: 优秀, until 一票否优 keeps it out of the top band
    assert "总分 90.9，优秀" in before and "总分 90.9，良好" in after and "一票否优" in after
    # the ranking among all seven, each with its place's points; 市G局 sent nothing: 0
    for name, points in PLACES.items():
        if name != "市A局":
            assert re.search(rf"\d\. {name} {points} ", ranking), (name, ranking)
    assert "1 信用信息归集 0/60（未报送）" in g_card
    # the engine on the same figures gives the same points
    scheme = load_scheme(tmp_path / "方案.yaml")
    cards = score_all(scheme, {u: {"1": {"value": v}} for u, v in FIGURES.items()} | {"市G局": {}})
    assert {u: int(c.item("1").points) for u, c in cards.items()} == PLACES
    assert cards["市B局"].item("1").points == Decimal(57) == cards["市C局"].item("1").points
    assert "已确认 市A局 一票否优项「7 诚信建设」未达标（发生重大失信事件）" in barred
