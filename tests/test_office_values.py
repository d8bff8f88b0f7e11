"""Values only the office knows (瞒报条数, cases notified by higher authorities): declared in the
scheme as `entered_by: office` with the value that holds until the office enters one. A liaison
cannot set them, is never asked for them, and no unit loses points because nobody entered 0.
Worked numbers from seed 004 (吕梁 市直 3 双公示: 未出现瞒报得4分，出现5条以上扣4分，出现5条以下的
酌情扣分; 每个季度按时报送台账得3分，未按时报送的不得分且第二条也不得分)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from conftest import Office
from ledger.submissions import list_submissions
from schemes.asks import liaison_metrics
from schemes.loader import SchemeError, load_text, shipped_schemes
from scoring.engine import score

LEDGER = b"PK\x03\x04 quarter rows"


def dept() -> object:
    return shipped_schemes()["lvliang-2022-departments"]


def part(card, code: str, label: str):
    item = next(i for i in card.items if i.code == code)
    return next(p for p in item.parts if p.label == label)


# ---- the scheme --------------------------------------------------------------------------------

def test_every_office_value_in_the_shipped_schemes_has_its_default():
    found = {(sid, ind.code, m.name): m.default for sid, s in shipped_schemes().items()
             for _, ind in s.indicators() for m in ind.metrics if m.entered_by == "office"}
    assert found[("lvliang-2022-departments", "3", "concealed")] == 0
    for code in ("八.1", "八.2"):
        assert found[("lvliang-2022-departments", code, "cases")] == 0
    for code in ("七.1", "七.2", "七.3"):
        assert found[("lvliang-2022-counties", code, "cases")] == 0
    assert all(v is not None for v in found.values())


def test_a_scheme_without_the_default_is_refused_naming_item_and_metric():
    data = dept().model_dump(mode="json", exclude_defaults=True)
    concealed = data["categories"][1]["indicators"][0]["metrics"][1]
    assert concealed["name"] == "concealed"
    del concealed["default"]
    with pytest.raises(SchemeError) as err:
        load_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "x.yaml")
    line = str(err.value)
    assert "指标 3「“双公示”(行政许可和行政处罚信息)归集共享情况」" in line
    assert "concealed（“双公示”信息瞒报条数）由信用办录入" in line and "default" in line


# ---- scoring -----------------------------------------------------------------------------------

def test_nothing_entered_is_no_concealment_found_and_says_so():
    """A unit that sent accuracy 100% and every 台账 on time, with no finding entered: 15/15."""
    card = score(dept(), {"3": {"accuracy": 1, "ledger_on_time": True}})
    item = next(i for i in card.items if i.code == "3")
    assert item.points == 15 and item.status == "scored"
    concealment = part(card, "3", "瞒报情况")
    assert concealment.points == 4 and not concealment.missing
    assert "“双公示”信息瞒报条数：信用办未录入，按0条计" in concealment.explain


@pytest.mark.parametrize("found, cut, points", [
    (2, None, 0),  # 5条以下: the office's 酌情扣分 is still to be entered, so nothing yet
    (2, 1, 3),     # 4 − 1
    (5, None, 0),  # 出现5条以上扣4分 (以上 includes 5)
])
def test_an_entered_finding_scores_as_the_seed_says(found, cut, points):
    values: dict[str, object] = {"accuracy": 1, "ledger_on_time": True, "concealed": found}
    if cut is not None:
        values["concealed_cut"] = cut
    concealment = part(score(dept(), {"3": values}), "3", "瞒报情况")
    assert concealment.points == points
    assert "未录入" not in concealment.explain


def test_the_default_alone_is_not_a_submission():
    """An item the unit has not sent stays 未报送: the office's default does not fill it."""
    item = next(i for i in score(dept(), {}).items if i.code == "3")
    assert item.status == "missing"


def test_no_case_notified_deducts_nothing():
    card = score(dept(), {})
    item = next(i for i in card.items if i.code == "八.1")
    assert item.points == 0 and "无扣分记录" in item.explain
    notified = score(dept(), {"八.1": {"cases": 1}})
    assert notified.deductions == Decimal(5)


# ---- liaisons and staff through the pipeline ---------------------------------------------------

def test_a_liaison_cannot_certify_their_own_concealment(lvliang: Office):
    assert [m.name for m in liaison_metrics(dept().indicator("3"))] == ["accuracy"]
    before = list_submissions(lvliang.db)
    reply = lvliang.chat("sw1", "报送 双公示 瞒报=0")
    assert "「“双公示”信息瞒报条数」由市信用办核查后录入" in reply and "未记录" in reply
    assert list_submissions(lvliang.db) == before


def test_a_message_with_an_office_value_is_refused_whole_with_the_rest_to_send(lvliang: Office):
    reply = lvliang.chat("sw1", "报送 双公示 准确率=96% 瞒报=0")
    assert "瞒报条数」由市信用办核查后录入" in reply
    assert "只报送其余数据请发：报送 双公示 准确率=96%" in reply
    assert list_submissions(lvliang.db) == []
    assert "已记录" in lvliang.chat("sw1", "报送 双公示 准确率=96%")


def test_a_liaison_cannot_report_a_notified_case(lvliang: Office):
    reply = lvliang.chat("sw1", "报送 乱收费 0")
    assert "信用办" in reply and "已记录" not in reply
    assert list_submissions(lvliang.db) == []


def test_missing_never_asks_a_liaison_for_it_and_the_card_shows_the_default(lvliang: Office,
                                                                           tmp_path: Path):
    f = tmp_path / "台账.xlsx"
    f.write_bytes(LEDGER)
    lvliang.at("2022-04-07T10:00").chat("sw1", "佐证 双公示 2022-Q1", files=[f])
    sent = lvliang.chat("sw1", "报送 双公示 准确率=100%")
    assert "本项还缺" not in sent and "信用办未录入，按0条计" in sent
    for text in (lvliang.chat("sw1", "缺项"), lvliang.chat("staff1", "缺项 市税务局")):
        assert "瞒报" not in text
    assert "瞒报" not in lvliang.chat("sw1", "截止")


def test_reminders_never_ask_for_it(lvliang: Office):
    from bot.app import make_calendar
    from reminders.jobs import plan_reminders
    lvliang.at("2022-04-01T10:00").chat("sw1", "报送 双公示 准确率=99%")
    for when in ("2022-04-08T09:00", "2022-04-12T09:00", "2022-07-08T09:00"):
        sent = plan_reminders(lvliang.db, datetime.fromisoformat(when),
                              make_calendar(lvliang.settings), lvliang.settings)
        assert sent and not any("瞒报" in r.text for r in sent)


def test_staff_enter_a_finding_by_its_label(lvliang: Office, tmp_path: Path):
    f = tmp_path / "台账.xlsx"
    f.write_bytes(LEDGER)
    lvliang.at("2022-04-07T10:00").chat("sw1", "佐证 双公示 2022-Q1", files=[f])
    sent = lvliang.chat("sw1", "报送 双公示 准确率=100%")
    assert "本项暂计 15/15 分" in sent  # 8 + 4 (no finding entered) + 3
    reply = lvliang.chat("staff1", "代报 市税务局 双公示 瞒报=2")
    assert "已代报" in reply and "“双公示”信息瞒报条数 2条" in reply
    assert "本项现为 11/15 分" in reply  # 8 + 3: the 酌情扣分 for 1–4 条 is still to be entered
    owed = reply.split("还需信用办录入「瞒报5条以下时信用办酌情扣分（0–4分）」：")[1].split("\n")[0]
    assert owed.startswith("打分 市税务局 双公示 ") and "=<分>" in owed
    cut = lvliang.chat("staff1", owed.replace("<分>", "1").replace("理由", "瞒报2条"))  # as told
    assert "本项现为 14/15 分" in cut  # 8 + (4 − 1) + 3
    # the same quarter corrected to 5: 出现5条以上扣4分, whatever the cut
    assert "本项现为 11/15 分" in lvliang.chat("staff1", "代报 市税务局 双公示 瞒报=5")
    assert "瞒报" not in lvliang.chat("sw1", "缺项")


# ---- end to end: the served app behind each platform's callback --------------------------------

def _recorded(tmp_path: Path) -> list:
    from ledger.db import open_db
    return list_submissions(open_db(tmp_path / "office.db"))


def test_through_the_wecom_callback_the_liaison_is_refused_and_staff_enter_it(tmp_path: Path):
    from servers import tax_office_settings
    from test_e2e_wecom import served_wecom
    with served_wecom(lambda p: tax_office_settings(tmp_path, "2022-09-01T10:00:00", p)) as wecom:
        refused = wecom.say("sw1", "报送 双公示 准确率=98% 瞒报=0", "o1")
        assert "由市信用办核查后录入" in refused and "报送 双公示 准确率=98%" in refused
        assert _recorded(tmp_path) == []
        assert "瞒报" not in wecom.say("sw1", "缺项", "o2")
        entered = wecom.say("staff1", "代报 市税务局 双公示 瞒报=2", "o3")
        assert "已代报" in entered and "瞒报条数 2条" in entered
    assert [s.metrics for s in _recorded(tmp_path)] == [{"concealed": 2}]


def test_through_the_dingtalk_callback_the_liaison_is_refused(tmp_path: Path):
    import requests
    from bot.app import create_app
    from servers import app_server, tax_office_settings
    from traffic import SECRET, send
    settings = tax_office_settings(tmp_path, "2022-09-01T10:00:00", {"DINGTALK_APP_SECRET": SECRET})
    with app_server(create_app(settings)) as base, requests.Session() as s:
        status, reply = send(s, base, "sw1", "报送 双公示 瞒报=0")
        assert status == 200 and "由市信用办核查后录入" in reply and "未记录" in reply
        _, card = send(s, base, "sw1", "报送 双公示 准确率=98%")
        assert "已记录" in card and "信用办未录入，按0条计" in card
    assert [s.metrics for s in _recorded(tmp_path)] == [{"accuracy": 0.98}]
