"""A rate rule written as 达到X%得满分，每低1个百分点扣Y分 (or 起评N分，X率每降低…) from a new
city's Word table to a liaison's 报送 in WeCom: the draft asks for the rate itself, the liaison
sends it as typed (92%), and the reply's points are the document's: full points less Y for
each whole 百分点 below the bar, never below 0."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from bot.app import create_app
from fake_wecom import FakeWeCom
from ledger.db import open_db
from ledger.facts import init_office
from office_documents import write_docx
from schemes.loader import load_scheme
from scoring.engine import score_all
from servers import app_server
from test_e2e_new_scheme import creditbot
from test_e2e_wecom import AES_KEY, TOKEN, Platform
from channels.wecom_crypto import WeComCrypto

ROWS = [
    ("一、信息报送（14分）", "1", "信用承诺公示", "8",
     ["信用承诺书公示率达到95%的得8分，每低1个百分点扣2分，扣完为止。"], [], "市发展改革委"),
    ("", "2", "红黑名单报送", "6",
     ["起评6分，红黑名单报送及时率每降低1个百分点减0.5分。"], [], "市发展改革委"),
]


def test_a_liaison_sends_the_rate_and_gets_the_documents_points(tmp_path: Path):
    write_docx(tmp_path / "细则.docx", rows=ROWS, title="青岚市2026年度县（市、区）信用建设考核细则")
    env = {"CREDITBOT_DB": str(tmp_path / "creditbot.db"), "CREDITBOT_DATA": str(tmp_path / "data"),
           "CREDITBOT_NOW": "2026-03-10T10:00:00"}
    out = creditbot("scheme", "draft", "细则.docx", "-o", "方案.yaml", cwd=tmp_path, env=env)
    assert "0 处待确认" in out
    scheme = load_scheme(tmp_path / "方案.yaml")
    # what liaisons are asked for is the rate, under its own name
    assert [(m.label, m.type) for _, i in scheme.indicators() for m in i.metrics] == [
        ("信用承诺书公示率", "percent"), ("红黑名单报送及时率", "percent")]

    with FakeWeCom() as wecom:
        settings = {**env, "WECOM_TOKEN": TOKEN, "WECOM_AES_KEY": AES_KEY, **wecom.settings()}
        db = open_db(settings["CREDITBOT_DB"])
        init_office(db, "lvliang-2022-departments", 2026)
        db.close()
        with app_server(create_app(settings)) as base:
            cli_env = {k: str(v) for k, v in settings.items()}
            creditbot("scheme", "add", "方案.yaml", cwd=tmp_path, env=cli_env)
            for args in (("unit", "add", "东岭县", "--kind", "县"),
                         ("member", "add", "dl1", "--name", "陈静", "--unit", "东岭县", "--role", "liaison",
                          "--channel", "wecom")):
                creditbot(*args, cwd=tmp_path, env=cli_env)
            wx = Platform(base, wecom, settings, WeComCrypto(TOKEN, AES_KEY, wecom.corp_id), None)
            promise = wx.say("dl1", "报送 信用承诺公示 92%", "m-1")
            lists = wx.say("dl1", "报送 红黑名单报送 97%", "m-2")
            above = wx.say("dl1", "报送 信用承诺公示 96%", "m-3")
            lists_low = wx.say("dl1", "报送 红黑名单报送 80%", "m-4")

    # 8 − 2×3 (92% is 3 百分点 below 95%); 6 − 0.5×3; at or above the bar full; 6 − 0.5×20 < 0 → 0
    assert "本项暂计 2/8 分" in promise and "低于95% 3个百分点" in promise
    assert "本项暂计 4.5/6 分" in lists and "低于100% 3个百分点" in lists
    assert "本项暂计 8/8 分" in above and "本项暂计 0/6 分" in lists_low
    cards = score_all(scheme, {"东岭县": {"1": {"rate": Decimal("0.96")}, "2": {"rate": Decimal("0.8")}}})
    assert [i.points for i in cards["东岭县"].items] == [8, 0]
