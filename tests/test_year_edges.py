"""The year's edges (issue 19, items 1, 2, 4, 5): January with two years open, closing a year
with items pending, amounts that are honest about what acting now can win, and rank rules that
overlap for a small office — through chat (the pipeline both platforms' callbacks feed) and
the command line."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from command_line import creditbot
from conftest import Office
from ledger.office import open_year
from ledger.submissions import list_evidence, list_submissions

LEDGER = b"PK\x03\x04 quarter rows"


@pytest.fixture
def january(lvliang: Office) -> Office:
    """市税务局 sent December on time; 2023 is open beside 2022."""
    lvliang.at("2022-12-30T10:00").chat("sw1", "月报 12月工作总结")
    open_year(lvliang.db, 2023, lvliang.now, "test")
    return lvliang.at("2023-01-03T10:00")


def test_a_year_word_answers_for_that_year(january: Office):
    assert january.chat("sw1", "得分 2022").startswith("【2022年度】【市税务局】2022年度")
    assert january.chat("sw1", "得分 2022年").startswith("【2022年度】")
    assert january.chat("sw1", "得分 上年度").startswith("【2022年度】")
    assert january.chat("sw1", "得分").startswith("【2023年度】")
    assert january.chat("staff1", "缺项 市民政局 2022").startswith("【2022年度】市民政局")
    refused = january.chat("sw1", "缺项 2031")
    assert "2031 不是本办的考核年度" in refused and "2022" in refused


def test_in_january_each_item_is_under_its_own_year(january: Office):
    due = january.chat("sw1", "截止")
    last, this = due.split("【2023年度】")
    assert last.startswith("【2022年度】") and "2022-12" in last and "2022-Q4" in last
    assert "2022-" not in this and "2023-01" in this
    missing = january.chat("sw1", "缺项").split("【2023年度】")[1]
    assert "今天" not in missing  # December, sent for 2022, is not this year's deadline
    assert "截止2024年1月31日" in missing  # a year-end deadline names its year
    only = january.chat("sw1", "截止 2022")
    assert only.startswith("【2022年度】") and "【2023年度】" not in only


def test_before_the_first_year_ends_nothing_of_the_year_before_is_asked(office: Office):
    """2022-01-04 in an office that starts with 2022: December 2021 and 2021-Q4 are not its."""
    office.unit("市税务局", "sw1")
    due = office.at("2022-01-04T10:00").chat("sw1", "截止")
    assert "2021" not in due and "2022-01" in due


def test_a_quarter_ledger_is_asked_for_only_once_the_quarter_has_ended(lvliang: Office):
    reply = lvliang.at("2022-04-20T10:00").chat("sw1", "报送 双公示 准确率=95%")
    assert "2022-Q2" in reply and "台账尚未报送" not in reply
    ended = lvliang.at("2022-07-05T10:00").chat("mz1", "报送 双公示 2022-Q2 准确率=95%")
    assert "2022-Q2 的台账尚未报送" in ended


def test_a_late_briefing_is_not_offered_with_points(lvliang: Office):
    lvliang.at("2022-10-20T10:00")
    line = next(x for x in lvliang.chat("sw1", "缺项 全部").splitlines() if "11 工作报送" in x)
    assert "补报（逾期，不计入按时）：月报 2022-09" in line
    assert "工作报送（" not in line  # no points at stake for what cannot be won back


def test_the_upload_route_and_chat_store_last_years_ledger_under_last_year(january: Office,
                                                                          tmp_path: Path):
    f = tmp_path / "台账.xlsx"
    f.write_bytes(LEDGER)
    reply = january.chat("sw1", "佐证 双公示", files=[f])
    assert reply.startswith("【2022年度】") and "2022-Q4" in reply
    [row] = list_evidence(january.db)
    assert (row["year"], row["period"]) == (2022, "2022-Q4")


def test_closing_a_year_lists_what_is_pending_and_asks_first(january: Office):
    ask = january.chat("staff1", "关闭年度 2022")
    assert "待审核 1 条（市税务局 1）" in ask and "逾期未报" in ask
    assert "关闭年度 2022 确认" in ask
    assert "月报 2022-12" in january.chat("staff1", "待审")  # nothing closed yet
    assert "已关闭 2022" in january.chat("staff1", "关闭年度 2022 确认")
    assert january.chat("staff1", "待审") == "没有等待审核的报送或材料。"


def test_a_staff_record_names_its_year_and_refuses_a_reason_of_another(tmp_path: Path):
    o = Office(tmp_path, "lvliang-2022-counties")
    o.unit("汾阳市", "fy1")
    o.staff()
    open_year(o.db, 2023, o.now, "test")
    o.at("2023-01-20T10:00").chat("staff1", "关闭年度 2022 确认")
    wrong = o.chat("staff1", "扣分 汾阳 乱收费 1 2022年案例")
    assert "2022年度已关闭" in wrong and "已记录" not in wrong
    assert "已关闭" in o.chat("staff1", "扣分 汾阳 乱收费 1 上年度")
    ok = o.chat("staff1", "扣分 汾阳 乱收费 1 2023年案例")
    assert "已记录" in ok and "记入2023年度" in ok


@pytest.fixture
def office_env(tmp_path: Path) -> dict[str, str]:
    env = {"CREDITBOT_DB": str(tmp_path / "c.db"), "CREDITBOT_DATA": str(tmp_path / "data"),
           "CREDITBOT_NOW": "2023-01-20T10:00:00", "CREDITBOT_CONFIG": str(tmp_path / "none.toml")}
    assert creditbot("init", "--scheme", "lvliang-2022-counties", "--year", "2022",
                     env=env).returncode == 0
    return env


def test_year_close_on_the_command_line_asks_for_yes(office_env):
    assert creditbot("unit", "add", "离石区", env=office_env).returncode == 0
    assert creditbot("year", "open", "2023", env=office_env).returncode == 0
    first = creditbot("year", "close", "2022", env=office_env)
    assert first.returncode == 1 and "逾期未报" in first.stdout and "--yes" in first.stderr
    assert "2022 开启" in creditbot("year", "list", env=office_env).stdout
    done = creditbot("year", "close", "2022", "--yes", env=office_env)
    assert done.returncode == 0 and "已关闭 2022" in done.stdout
    assert "2022 已关闭" in creditbot("year", "list", env=office_env).stdout


def test_top_and_bottom_rules_that_overlap_for_a_small_office_are_named(office_env):
    check = creditbot("scheme", "check", "schemes/lvliang-2022-counties.yaml")
    assert check.returncode == 0 and "前3名 与 后3名" in check.stdout and "6 个单位" in check.stdout
    three = [creditbot("unit", "add", name, env=office_env) for name in ("离石区", "孝义市", "汾阳市")]
    assert "只有 3 个单位" in three[-1].stdout and "前3名 与 后3名" in three[-1].stdout
    for name in ("文水县", "交城县", "兴县"):
        last = creditbot("unit", "add", name, env=office_env)
    assert "注意" not in last.stdout  # six units: the groups are apart


def test_departments_scheme_has_no_overlap_note():
    check = creditbot("scheme", "check", "schemes/lvliang-2022-departments.yaml")
    assert check.returncode == 0 and "注意" not in check.stdout


def test_a_reminder_claims_only_the_points_sending_on_time_can_still_win(lvliang: Office,
                                                                       tmp_path: Path):
    """Q2's 台账 is worth its 3 points and the 4 of 瞒报 that require it — to 市税务局, whose Q1
    台账 was on time; to 市民政局, who missed Q1, nothing any more (not the item's 15)."""
    from datetime import datetime
    from bot.app import make_calendar
    from reminders.jobs import plan_reminders
    f = tmp_path / "台账.xlsx"
    f.write_bytes(LEDGER)
    lvliang.at("2022-04-07T10:00").chat("sw1", "佐证 双公示 2022-Q1", files=[f])
    lvliang.chat("sw1", "报送 双公示 2022-Q1 准确率=95%")
    sent = plan_reminders(lvliang.db, datetime(2022, 7, 8, 10, 0), make_calendar(lvliang.settings),
                          lvliang.settings)
    ledger = {r.unit: r.text for r in sent if r.items == (("3", "2022-Q2"),)}
    assert "最多可失 7 分" in ledger["市税务局"]
    assert "最多可失" not in ledger["市民政局"] and "15 分" not in ledger["市民政局"]


def _january_env(tmp_path: Path, extra: dict[str, str]) -> dict[str, str]:
    from datetime import datetime
    from ledger.db import open_db
    from ledger.facts import init_office
    from ledger.units import add_member, add_unit
    db = open_db(tmp_path / "c.db")
    init_office(db, "lvliang-2022-departments", 2022)
    add_member(db, "sw1", "张敏", "liaison", add_unit(db, "市税务局").id)
    add_member(db, "staff1", "刘洋", "staff", None)
    open_year(db, 2023, datetime(2023, 1, 3, 10, 0), "test")
    db.close()
    return {"CREDITBOT_DB": str(tmp_path / "c.db"), "CREDITBOT_DATA": str(tmp_path / "data"),
            "CREDITBOT_NOW": "2023-01-05T10:00:00", **extra}


PUBLIC = "https://credit.example.gov.cn"


def _january_through(say: Callable[[str, str], str], base: str, db_path: str) -> None:
    """January with both years open, then 2022's close with items pending, as each platform's
    people would go through it: the year word, each item under its year, evidence for a named
    period over the upload link, the close that asks first, and what is frozen after it."""
    import re
    import requests
    from ledger.db import open_db
    assert say("sw1", "得分 2022").startswith("【2022年度】【市税务局】2022年度")
    due = say("sw1", "截止")
    assert due.startswith("【2022年度】") and "【2023年度】" in due
    assert "2022-Q4" in due.split("【2023年度】")[0] and "2022-" not in due.split("【2023年度】")[1]
    assert say("staff1", "缺项 市税务局 2022").startswith("【2022年度】市税务局")
    asked = say("sw1", "佐证 双公示 2022年第四季度")
    assert asked.startswith("【2022年度】") and "2022-Q4 期的佐证材料" in asked
    link = re.search(r"https?://\S+/upload/[\w-]+", asked).group(0).replace(PUBLIC, base)
    got = requests.post(link, files={"file": ("四季度台账.pdf", b"%PDF-1.4\n%%EOF\n",
                                              "application/pdf")}, timeout=10)
    assert got.status_code == 200 and "已计为 2022-Q4 的报送，按时" in got.text
    db = open_db(db_path)
    try:
        assert [(e["year"], e["period"]) for e in list_evidence(db)] == [(2022, "2022-Q4")]
    finally:
        db.close()
    waiting = say("staff1", "待审")
    assert "2022-Q4" in waiting and "年度】" not in waiting
    ask = say("staff1", "关闭年度 2022")
    assert "待审核" in ask and "逾期未报" in ask and "关闭年度 2022 确认" in ask
    assert "2022-Q4" in say("staff1", "待审")  # nothing closed yet
    assert "已关闭 2022" in say("staff1", "关闭年度 2022 确认")
    assert say("staff1", "待审") == "没有等待审核的报送或材料。"
    assert "已关闭" in say("staff1", "审核 市税务局 双公示 2022-Q4 通过")
    assert "已关闭" in say("staff1", "审核 全部 双公示 2022 通过")
    assert "2022年度已关闭" in say("staff1", "扣分 市税务局 乱收费 1 2022年案例")
    assert "未审核（年度已关闭）" in say("sw1", "记录")


def test_january_years_and_the_close_through_the_wecom_callback(tmp_path: Path):
    from test_e2e_wecom import served_wecom
    with served_wecom(lambda p: _january_env(tmp_path, {**p, "PUBLIC_BASE_URL": PUBLIC})) as wecom:
        ids = iter(range(1, 100))
        _january_through(lambda user, text: wecom.say(user, text, f"w{next(ids)}"), wecom.base,
                         wecom.settings["CREDITBOT_DB"])


def test_january_years_and_the_close_through_the_dingtalk_callback(tmp_path: Path):
    import requests
    from bot.app import create_app
    from servers import app_server
    from traffic import SECRET, send
    settings = _january_env(tmp_path, {"DINGTALK_APP_SECRET": SECRET, "PUBLIC_BASE_URL": PUBLIC})
    with app_server(create_app(settings)) as base, requests.Session() as s:
        def say(user: str, text: str) -> str:
            status, reply = send(s, base, user, text)
            assert status == 200
            return reply
        _january_through(say, base, settings["CREDITBOT_DB"])


def test_a_refusal_that_holds_for_every_year_is_said_once(january: Office):
    reply = january.chat("staff1", "缺项")
    assert reply.count("请写单位名称") == 1


def test_a_unit_name_that_fits_several_is_asked_once_in_january(january: Office):
    reply = january.chat("staff1", "缺项 市")
    assert reply.count("市税务局") == 1 and "年度】" not in reply


def test_totals_add_exact_points_and_round_once():
    """Two rank items of 3.6666… and 2.6666… make 6.3333…: the total shows 6.3333 (rounded
    once), not 6.3334 (the sum of the rounded items); each item still shows its own rounding."""
    from decimal import Decimal
    from schemes.loader import load_scheme
    from scoring.card import pts
    from scoring.engine import score_all
    scheme = load_scheme("schemes/lvliang-2022-departments.yaml")
    facts = {"甲": {"11": {"on_time_reports": 4}, "3": {"accuracy": 1}},
             "乙": {"11": {"on_time_reports": 2}, "3": {"accuracy": Decimal("0.99")}},
             "丙": {"11": {"on_time_reports": 3}, "3": {"accuracy": Decimal("0.98")}},
             "丁": {"11": {"on_time_reports": 1}}}
    card = score_all(scheme, facts)["丙"]
    assert card.item("11").points == Decimal("3.6667")
    assert card.item("3").points == Decimal("2.6667")
    assert card.total == Decimal("6.3333") and pts(card.total) == "6.33"


@pytest.fixture
def closed(lvliang: Office, tmp_path: Path) -> Office:
    """2022 closed with a file (10 宣传活动, for no period) and November's 月报 still 待审;
    2023's file for the same item waits too."""
    f = tmp_path / "宣传.pdf"
    f.write_bytes(b"%PDF-1.4\n%%EOF\n")
    lvliang.at("2022-12-05T10:00").chat("sw1", "佐证 宣传活动", files=[f])
    lvliang.chat("sw1", "月报 11月工作总结")
    open_year(lvliang.db, 2023, lvliang.now, "test")
    assert "【2023年度】" in lvliang.at("2023-01-20T10:00").chat("sw1", "佐证 宣传活动", files=[f])
    assert "已关闭 2022" in lvliang.chat("staff1", "关闭年度 2022 确认")
    return lvliang


def _statuses(o: Office) -> dict[tuple[str, int], str]:
    return {**{("F", e["year"]): e["status"] for e in list_evidence(o.db)},
            **{("S", int(s.period[:4])): s.status for s in list_submissions(o.db)}}


def test_a_batch_approval_leaves_a_closed_year_frozen(closed: Office):
    """The whole item for everyone takes 2023's file only; the frozen 2022 file and month are
    neither counted, nor approved, nor offered."""
    reply = closed.chat("staff1", "审核 全部 宣传活动 通过")
    assert "已通过 1 条记录（1 个单位）" in reply
    assert "没有待审核" in closed.chat("staff1", "审核 全部 月报 通过")
    assert "已关闭" in closed.chat("staff1", "审核 全部 月报 2022-11 通过")
    assert _statuses(closed) == {("F", 2022): "submitted", ("F", 2023): "accepted",
                                 ("S", 2022): "submitted"}


def test_a_single_review_does_not_touch_a_closed_year(closed: Office):
    assert "共 1 条记录" in closed.chat("staff1", "审核 市税务局 宣传活动 通过")
    assert _statuses(closed)[("F", 2022)] == "submitted"
    assert "已关闭" in closed.chat("staff1", "审核 市税务局 月报 通过")  # only 2022's waits
    assert _statuses(closed)[("S", 2022)] == "submitted"


def test_frozen_records_are_not_called_waiting(closed: Office):
    mine = closed.chat("sw1", "记录")
    assert "月报 2022-11｜未审核（年度已关闭）" in mine and "待审核" not in mine
    [briefing] = list_submissions(closed.db)
    assert "状态：未审核（年度已关闭）" in closed.chat("staff1", f"查看 {briefing.id}")
    [old] = [e for e in list_evidence(closed.db) if e["year"] == 2022]
    assert "状态：未审核（年度已关闭）" in closed.chat("staff1", f"查看 F{old['id']}")
    assert "2022" not in closed.chat("staff1", "待审")


def test_every_staff_command_answers_for_the_year_it_names(january: Office):
    """January: 上年度 / 2022 on 排名, 单位, 导出, 通报, 待审 and 未交 answer for 2022, labelled
    2022; the queue of both years is labelled by its rows, not by this year."""
    for text in ("排名 上年度", "单位 市民政局 上年度", "导出 上年度", "通报 上年度", "通报 2022",
                 "待审 上年度"):
        reply = january.chat("staff1", text)
        assert reply.startswith("【2022年度】") and "2023年" not in reply.split("\n")[0], text
    assert "2022年度 总分排名" in january.chat("staff1", "排名 上年度")
    assert "已导出 2022 年度考核表" in january.chat("staff1", "导出 上年度")
    queue = january.chat("staff1", "待审")
    assert "年度】" not in queue and "月报 2022-12" in queue
    december = january.chat("staff1", "未交")  # due 1-3: 2022's December, 2022's schemes
    assert december.startswith("【2022年度】2022-12 月报") and "市民政局" in december
    assert january.chat("staff1", "未交 2022") == "请写月份，例如：未交 2022-12"


def test_a_liaison_names_the_year_of_a_yearly_item(january: Office, tmp_path: Path):
    """2022's year-end items are due 1-31: in January they go to 2022 unless 2023 is named."""
    f = tmp_path / "机制.pdf"
    f.write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert january.chat("sw1", "报送 工作机制 上年度 是 是").startswith("【2022年度】已记录")
    assert january.chat("sw1", "佐证 工作机制", files=[f]).startswith("【2022年度】已收到")
    assert january.chat("sw1", "佐证 工作机制 2023", files=[f]).startswith("【2023年度】已收到")
    asked = january.chat("sw1", "佐证 工作机制 上年度")
    assert asked.startswith("【2022年度】") and "2022年度的佐证材料" in asked
    assert january.chat("sw1", "", files=[f]).startswith("【2022年度】已收到")
    assert sorted(e["year"] for e in list_evidence(january.db)) == [2022, 2022, 2023]
    assert all(e["period"] is None for e in list_evidence(january.db))
    hint = january.chat("sw1", "佐证 双公示 上年度")
    assert "按季度报送" in hint and "佐证 3 2022-Q4" in hint


def test_the_january_reminder_on_the_command_line_claims_what_sending_can_still_win(
        lvliang: Office, tmp_path: Path):
    """`remind --dry-run --at 2023-01-09`: 2022-Q4's 台账 is due the next day. 市税务局 sent
    Q1–Q3 on time, so Q4 on time still wins the 台账's 3 points (and the 4 of 瞒报 that require
    it, once the office's 瞒报 figure is known); 市民政局 missed Q1, so nothing is at stake
    for it any more — neither is the item's 15 claimed for anyone."""
    import re
    f = tmp_path / "台账.xlsx"
    f.write_bytes(LEDGER)
    for quarter, day in (("2022-Q1", "2022-04-07"), ("2022-Q2", "2022-07-05"),
                         ("2022-Q3", "2022-10-09")):
        assert "按时" in lvliang.at(f"{day}T10:00").chat("sw1", f"佐证 双公示 {quarter}",
                                                          files=[f])
    open_year(lvliang.db, 2023, lvliang.now, "test")
    lvliang.db.conn.commit()
    env = {"CREDITBOT_DB": lvliang.settings["CREDITBOT_DB"],
           "CREDITBOT_DATA": lvliang.settings["CREDITBOT_DATA"],
           "CREDITBOT_NOW": "2023-01-09T09:00:00", "CREDITBOT_CONFIG": str(tmp_path / "none.toml")}
    run = creditbot("remind", "--dry-run", "--at", "2023-01-09T09:00", env=env)
    assert run.returncode == 0, run.stderr
    ledger = {unit: text for unit, text in re.findall(r"【提醒】(市\w+局)：(.*)", run.stdout)
              if "2022年第四季度" in text}
    assert set(ledger) == {"市税务局", "市民政局"}
    claimed = re.search(r"最多可失 (\d+) 分", ledger["市税务局"])
    assert claimed and int(claimed.group(1)) in (3, 7)
    assert "最多可失" not in ledger["市民政局"] and "15 分" not in run.stdout


def test_a_unit_import_that_makes_rank_rules_overlap_says_so(office_env, tmp_path: Path):
    sheet = tmp_path / "units.csv"
    sheet.write_text("单位,类型,简称,联络员,用户ID\n离石区,县区,离石,陈静,ls\n"
                     "孝义市,县区,孝义,周涛,xy\n汾阳市,县区,汾阳,吴刚,fy\n", encoding="utf-8")
    run = creditbot("unit", "import", str(sheet), env=office_env)
    assert run.returncode == 0 and "已导入" in run.stdout
    assert "只有 3 个单位" in run.stdout and "前3名 与 后3名" in run.stdout


def test_a_closed_year_s_card_is_final_not_waiting_for_review(january: Office):
    """December's 月报 waited for review when 2022 closed: the card (read before, so cached)
    no longer calls it 待审核 or its points 暂计."""
    before = january.chat("staff1", "单位 市税务局 2022")
    assert "项待信用办审核，分数为暂计" in before
    assert "已关闭 2022" in january.chat("staff1", "关闭年度 2022 确认")
    after = january.chat("staff1", "单位 市税务局 2022")
    assert "待信用办审核" not in after and "暂计" not in after and "待审核" not in after
    assert before.split("\n")[1] == after.split("\n")[1]  # the same total and rank
    assert "暂计" not in january.chat("sw1", "得分 2022")
