"""A city's evaluation whose document scores each 责任单位 separately (issue 20 item 8), from the
document to chat on loopback through the DingTalk callback: the draft proposes `per_unit` as the
text says (全市取平均 / 全市为各单位得分之和), checks, serves, and each unit's reports and the
office's 打分 stay each unit's own, while the city's points are made from them as declared."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import yaml

from bot.app import create_app
from fake_dingtalk import FakeDingTalk
from ledger.db import open_db
from ledger.facts import init_office
from ledger.units import add_member, add_unit
from schemes.loader import load_scheme
from scoring.engine import score_all
from servers import app_server
from test_e2e_dingtalk import Robot
from test_e2e_new_scheme import creditbot

UNITS = "市发展改革委、市市场监管局、市税务局"
# COMPOSED in the wording of a 示范城市 任务分解 whose office assesses each department on its share
DOCUMENT = "\n".join([
    "云川市2025年社会信用体系建设示范城市评估指标",
    "序号\t考核指标\t分值\t评分标准\t责任单位",
    "1\t信用承诺\t5\t每归集100份信用承诺书得0.5分，最高5分。\t市发展改革委、市市场监管局",
    f"2\t双公示数据报送\t5\t各责任单位分别计分，全市取平均。按时报送率95%及以上得5分，80%至95%得3分，低于80%不得分。\t{UNITS}",
    f"3\t信用工作考评\t10\t各责任单位分别计分，全市取平均。由市信用办根据工作开展情况酌情计分。\t{UNITS}",
    f"4\t联合奖惩案例\t9\t各责任单位分别计分，全市为各单位得分之和。按报送案例数排名，第1名得5分，第2名得3分，第3名得1分。\t{UNITS}",
])


def test_a_city_document_scoring_each_unit_from_the_draft_to_dingtalk(tmp_path: Path):
    env = {"CREDITBOT_DB": str(tmp_path / "creditbot.db"), "CREDITBOT_DATA": str(tmp_path / "data"),
           "CREDITBOT_NOW": "2025-06-10T10:00:00"}
    (tmp_path / "评估指标.txt").write_text(DOCUMENT + "\n", encoding="utf-8")
    out = creditbot("scheme", "draft", "评估指标.txt", "-o", "方案.yaml", cwd=tmp_path, env=env)
    assert "1 个类别，4 个指标，0 处待确认" in out
    draft = yaml.safe_load((tmp_path / "方案.yaml").read_text(encoding="utf-8"))
    inds = draft["categories"][0]["indicators"]
    assert draft["audience"] == "city" and [i.get("per_unit") for i in inds] == [None, "mean", "mean", "sum"]
    assert inds[3]["metrics"][0]["label"] == "报送案例数"
    assert "检查通过" in creditbot("scheme", "check", "方案.yaml", cwd=tmp_path, env=env)

    with FakeDingTalk() as fake:
        settings = {**env, **fake.settings()}
        db = open_db(settings["CREDITBOT_DB"])
        init_office(db, str(tmp_path / "方案.yaml"), 2025)
        people = {}
        for n, name in enumerate(UNITS.split("、")):
            people[name] = f"u{n}"
            add_member(db, f"u{n}", f"联络员{n}", "liaison", add_unit(db, name).id)
        add_member(db, "xyb", "刘洋", "staff", None)
        db.close()
        with app_server(create_app(settings)) as base:
            robot = Robot(base, fake, settings)
            fgw, scj, sw = (people[n] for n in UNITS.split("、"))
            robot.say(fgw, "报送 信用承诺 300")
            pledges = robot.say(scj, "报送 信用承诺 200")
            rates = [robot.say(u, f"报送 双公示数据报送 {v}") for u, v in ((fgw, "98%"), (scj, "90%"), (sw, "70%"))]
            first = robot.say("xyb", "打分 市发展改革委 信用工作考评 8 工作扎实")
            second = robot.say("xyb", "打分 市市场监管局 信用工作考评 6")
            cases = [robot.say(u, f"报送 联合奖惩案例 {v}") for u, v in ((fgw, 12), (scj, 12), (sw, 3))]
            ranking = robot.say("xyb", "排名")
            own = robot.say(sw, "得分")
    # the city-wide item adds the departments' counts: 500 份, 0.5 per 100 = 2.5
    assert "本项暂计 2.5/5 分" in pledges
    # each unit's rate is its own: 5, 3, 0; the city's mean 8/3
    assert ["本项暂计 5/5 分" in rates[0], "本项暂计 3/5 分" in rates[1], "本项暂计 0/5 分" in rates[2]] == [True] * 3
    assert "全市本项 2.6667 分" in rates[2]
    # two departments' 打分 are two records: 8, then (8 + 6 + 0) / 3
    assert "这是市发展改革委自己的数值" in first and "现为 2.6667/10 分" in first
    assert "替换" not in second and "现为 4.6667/10 分" in second
    # ranked among the three: 12 and 12 tie for the first place (5 each), 3 is third (1); sum 11, capped at 9
    assert "本项暂计 5/9 分" in cases[1] and "排第1名" in cases[1] and "全市本项 9 分" in cases[2]
    # 2.5 + 8/3 + 14/3 + 9 = 18.8333
    assert "总分 18.83" in ranking
    assert re.search(r"4 联合奖惩案例（全市 9/9）：\n  1\. 市发展改革委 5.*\n  1\. 市市场监管局 5.*\n  3\. 市税务局 1", ranking)
    assert "全市（预计）·市税务局" in own and "3 信用工作考评 0/10" in own
    # the engine on the same figures gives the same city points
    facts = {"1": {"count": 500},
             "2": {"_units": {"市发展改革委": {"rate": Decimal("0.98")}, "市市场监管局": {"rate": Decimal("0.9")},
                              "市税务局": {"rate": Decimal("0.7")}}},
             "3": {"_units": {"市发展改革委": {"points": 8}, "市市场监管局": {"points": 6}, "市税务局": {}}},
             "4": {"_units": {"市发展改革委": {"value": 12}, "市市场监管局": {"value": 12}, "市税务局": {"value": 3}}}}
    assert score_all(load_scheme(tmp_path / "方案.yaml"), {"全市": facts})["全市"].total == Decimal("18.8333")
