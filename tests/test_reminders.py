"""Reminders: who is pushed, when, with what, and that each push is written once.

No scheduler and no sleeping: the jobs are plain functions of `now`, run against the `lvliang`
office (吕梁 市直: 市税务局 with liaison sw1, 市民政局 with liaison mz1, staff1).
"""
from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import pytest

from bot.app import make_calendar
from command_line import creditbot
from ledger.db import open_db
from ledger.outbox import list_items
from ledger.units import find_unit
from reminders.jobs import Reminder, plan_reminders, remind_command, send_due_reminders
from reminders.policy import ReminderPolicy


def plan(office, when: str, **settings) -> list[Reminder]:
    return plan_reminders(office.db, datetime.fromisoformat(when),
                          make_calendar(office.settings), {**office.settings, **settings})


def send(office, when: str, **settings) -> list[Reminder]:
    return send_due_reminders(office.settings["CREDITBOT_DB"], datetime.fromisoformat(when),
                              {**office.settings, **settings})


def who(reminders: list[Reminder], kind: str | None = None) -> list[str]:
    return sorted(u for r in reminders if kind in (None, r.kind) for u in r.to)


def outbox_count(office) -> int:
    return len(list_items(office.db))


# ---- the monthly briefing, 吕梁 市直 ------------------------------------------------------------

def test_day_before_the_deadline_both_liaisons_are_reminded(lvliang):
    sent = plan(lvliang, "2022-08-01T10:00")
    assert who(sent) == ["mz1", "sw1"]
    assert {r.kind for r in sent} == {"before_deadline"}
    assert {r.indicator for r in sent} == {"11"} and {r.period for r in sent} == {"2022-07"}
    text = next(r.text for r in sent if r.to == ("sw1",))
    assert text.startswith("【提醒】市税务局：")
    for part in ("2022年7月月报", "8月2日", "明天", "尚未报送", "缺 1 项", "最多可失 5 分",
                 "月报 <内容>"):
        assert part in text, part


def test_on_the_deadline_day_only_the_unit_that_has_not_sent_is_reminded(lvliang):
    assert "按时" in lvliang.at("2022-08-01T15:00").chat("sw1", "月报 7月开展诚信宣传活动2次")
    sent = plan(lvliang, "2022-08-02T09:00")
    assert who(sent) == ["mz1"]
    assert sent[0].kind == "deadline_day"
    assert "今天（8月2日）截止" in sent[0].text and "市民政局" in sent[0].text


def test_a_data_submission_is_not_a_briefing(lvliang):
    lvliang.at("2022-08-01T11:00").chat("sw1", "报送 信用承诺 35")
    assert who(plan(lvliang, "2022-08-02T09:00")) == ["mz1", "sw1"]


def test_digest_to_staff_on_the_first_workday_after_the_deadline(lvliang):
    lvliang.at("2022-08-02T11:00").chat("sw1", "月报 七月工作总结")
    assert plan(lvliang, "2022-08-03T08:30") == []  # before the reminder hour
    sent = plan(lvliang, "2022-08-03T09:30")
    assert [r.kind for r in sent] == ["late_digest"]
    assert sent[0].to == ("staff1",) and sent[0].target == {"users": ["staff1"]}
    assert "市民政局" in sent[0].text and "市税务局" not in sent[0].text
    assert "2022年7月月报" in sent[0].text and "截止8月2日" in sent[0].text


def test_digest_goes_to_the_staff_group_when_one_is_set(lvliang):
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=staff"
    sent = plan(lvliang, "2022-08-03T09:30", STAFF_GROUP_WEBHOOK=url)
    assert len(sent) == 1 and sent[0].target == {"webhook": url, "group": "staff"}
    assert sent[0].channel == "wecom"
    assert "市税务局" in sent[0].text and "市民政局" in sent[0].text


def test_a_late_briefing_shows_as_late_in_the_digest(lvliang):
    lvliang.at("2022-08-03T08:00").chat("mz1", "月报 七月工作总结")
    text = plan(lvliang, "2022-08-03T09:30")[0].text
    assert "未报送 1 个：市税务局" in text and "逾期补报：市民政局" in text


# ---- holidays --------------------------------------------------------------------------------

def test_national_day_moves_the_september_briefing_to_october_8(lvliang):
    due = lvliang.at("2022-09-28T10:00").chat("sw1", "截止")
    line = next(li for li in due.splitlines() if "2022-09" in li)
    assert "10月8日" in line and "国庆节" in line
    assert plan(lvliang, "2022-10-02T10:00") == []  # a holiday: nothing at all
    assert plan(lvliang, "2022-10-07T10:00") == []
    before = plan(lvliang, "2022-09-30T10:00")
    assert who(before) == ["mz1", "sw1"] and "10月8日" in before[0].text
    assert "按时" in lvliang.at("2022-10-08T16:00").chat("sw1", "月报 九月工作总结")
    assert who(plan(lvliang, "2022-10-08T17:00")) == ["mz1"]


def test_nothing_is_sent_on_the_holiday_even_by_the_command(lvliang, capsys):
    lvliang.settings["CREDITBOT_NOW"] = "2022-10-02T10:00:00"
    assert remind_command(lvliang.settings, dry_run=False, as_json=False, at=None) == 0
    assert "国庆节" in capsys.readouterr().out
    assert outbox_count(lvliang) == 0


# ---- who gets it -------------------------------------------------------------------------------

def test_a_paused_unit_gets_nothing(lvliang):
    assert "已暂停" in lvliang.at("2022-07-29T10:00").chat("staff1", "暂停提醒 市税务局 至 2022-08-05")
    assert who(plan(lvliang, "2022-08-01T10:00")) == ["mz1"]
    assert who(plan(lvliang, "2022-08-02T10:00")) == ["mz1"]
    digest = plan(lvliang, "2022-08-03T10:00")[0]
    assert "市税务局（已暂停提醒）" in digest.text  # staff still see who is late
    lvliang.chat("staff1", "恢复提醒 市税务局")
    assert who(plan(lvliang, "2022-08-01T10:00")) == ["mz1", "sw1"]


def test_a_deputy_receives_the_liaisons_reminder_while_on_leave(lvliang):
    from ledger.units import add_member
    from ledger.units import find_unit
    add_member(lvliang.db, "sw2", "王五", "liaison", find_unit(lvliang.db, "市税务局").id)
    assert "已设置" in lvliang.at("2022-07-29T10:00").chat("sw1", "代理 sw2 至 2022-08-01")
    assert who(plan(lvliang, "2022-08-01T10:00")) == ["mz1", "sw2"]
    assert who(plan(lvliang, "2022-08-02T10:00")) == ["mz1", "sw1", "sw2"]  # leave is over


def test_group_mention_as_well_as_a_direct_message(lvliang):
    url = "https://oapi.dingtalk.com/robot/send?access_token=x"
    lvliang.db.execute("UPDATE units SET group_webhook = ? WHERE name = '市税务局'", [url])
    lvliang.db.conn.commit()
    sent = [r for r in plan(lvliang, "2022-08-01T10:00") if r.unit == "市税务局"]
    direct, group = sorted(sent, key=lambda r: "webhook" in r.target)
    assert direct.target == {"users": ["sw1"]} and direct.channel == "console"
    assert group.target == {"webhook": url, "mentions": ["sw1"]} and group.channel == "dingtalk"
    assert group.payload["mentions"] == ["sw1"] and group.key.endswith(":group")
    only_group = plan(lvliang, "2022-08-01T10:00", REMIND_DIRECT="0")
    assert [r.target.get("webhook") for r in only_group] == [url]
    no_group = plan(lvliang, "2022-08-01T10:00", REMIND_MENTION_IN_GROUP="false")
    assert all("users" in r.target for r in no_group)


def test_a_tiaoxiu_sunday_is_a_workday(lvliang):
    # 9 October 2022 is a 调休 working Sunday: the day before the 2022-Q3 台账 deadline
    # (10 October) and the first workday after the September briefing's (8 October).
    sent = plan(lvliang, "2022-10-09T10:00")
    kinds = {(r.unit, r.kind) for r in sent}
    assert kinds == {("市税务局", "before_deadline"), ("市民政局", "before_deadline"),
                     ("信用办", "late_digest")}
    quarterly = next(r for r in sent if r.unit == "市税务局")
    assert quarterly.indicator == "3" and "2022年第三季度" in quarterly.text
    # Q1 and Q2 were never sent: the 台账's points are lost already, none are claimed at stake
    assert "10月10日" in quarterly.text and "最多可失" not in quarterly.text
    assert "佐证 双公示 2022-Q3" in quarterly.text  # the 台账 is completed by its files


def test_items_sharing_a_deadline_are_grouped_and_city_items_go_to_their_units(office):
    """黄石 (a city scheme): every item is due 2019-02-15; each unit hears only of the items
    naming it among their 牵头/责任单位, all in one message."""
    from ledger.facts import init_office
    from ledger.responsibility import answers_for
    from ledger.units import find_unit
    scheme = init_office(office.db, "huangshi-2019-demo-city", 2019).scheme
    office.unit("市信用办", "xy1")
    office.unit("市统计局", "tj1")
    office.unit("市无关局", "wg1")  # named by no item except the ones for 市直各部门
    sent = plan(office, "2019-02-14T10:00")
    for r in sent:
        codes = r.indicator.split("+")
        assert len(r.to) == 1 and r.deadline.isoformat() == "2019-02-15"
        assert codes == [i.code for _, i in scheme.indicators()
                         if answers_for(i, find_unit(office.db, r.unit))
                         and i.due and i.due.date.isoformat() == "2019-02-15"]
    unrelated = next((r for r in sent if r.unit == "市无关局"), None)
    if unrelated is not None:  # only what every 市直 department answers for
        assert all(any("市直" in n or "成员单位" in n for n in
                       scheme.indicator(c).lead + scheme.indicator(c).responsible)
                   for c in unrelated.indicator.split("+"))
        assert f"缺 {len(codes)} 项" in r.text
    xy = next(r for r in sent if r.unit == "市信用办")
    assert len(xy.indicator.split("+")) > 1 and "以下" in xy.text and "最多可失" in xy.text
    assert len(xy.text.encode()) < 2048  # long lists are cut to one group-robot message
    office.staff()
    digest = plan(office, "2019-02-18T10:00")  # Monday after the Friday deadline
    assert [r.kind for r in digest] == ["late_digest"]
    assert "市信用办" in digest[0].text
    assert len(digest[0].text.encode()) < 2048


# ---- when --------------------------------------------------------------------------------------

@pytest.mark.parametrize("when", ["2022-08-01T07:00", "2022-08-01T08:30", "2022-08-01T21:00",
                                  "2022-08-01T23:30"])
def test_quiet_hours_and_before_the_reminder_hour_send_nothing(lvliang, when):
    assert send(lvliang, when) == []
    assert outbox_count(lvliang) == 0


def test_policy_settings_override_the_defaults(lvliang):
    assert plan(lvliang, "2022-08-01T08:30", REMIND_HOUR="8") != []
    assert plan(lvliang, "2022-08-01T10:00", QUIET_START="10", QUIET_END="12") == []
    # three workdays ahead of 2 August: Thursday 28 July
    assert who(plan(lvliang, "2022-07-28T10:00", REMIND_DAYS_BEFORE="3,1")) == ["mz1", "sw1"]
    assert plan(lvliang, "2022-07-28T10:00") == []
    policy = ReminderPolicy.from_settings({"REMIND_DAYS_BEFORE": "3，1", "REMIND_DIGEST": "0"})
    assert policy.days_before == (3, 1) and not policy.digest
    with pytest.raises(ValueError, match="REMIND_HOUR"):
        ReminderPolicy.from_settings({"REMIND_HOUR": "25"})


def test_a_missed_reminder_is_not_sent_after_its_day(lvliang):
    # Down all of 1 August: on 2 August only the deadline-day reminder goes out.
    sent = send(lvliang, "2022-08-02T15:00")
    assert {r.kind for r in sent} == {"deadline_day"}
    assert all(":2022-08-02" in r.key for r in sent)


# ---- written once --------------------------------------------------------------------------------

def test_running_twice_enqueues_once(lvliang):
    first = send(lvliang, "2022-08-01T09:00")
    assert len(first) == 2 and outbox_count(lvliang) == 2
    assert {i.key for i in list_items(lvliang.db)} == {
        "remind:before_deadline:11:2022-07:1:2022-08-01",
        "remind:before_deadline:11:2022-07:2:2022-08-01"}
    assert send(lvliang, "2022-08-01T09:10") == []
    assert send(lvliang, "2022-08-01T16:50") == []
    assert outbox_count(lvliang) == 2
    item = list_items(lvliang.db)[0]
    assert item.channel == "console" and item.target == {"users": ["sw1"]}
    assert "2022年7月月报" in item.payload["text"]


def test_a_restart_sends_no_reminder_twice(lvliang):
    path = lvliang.settings["CREDITBOT_DB"]
    send(lvliang, "2022-08-01T09:00")
    lvliang.db.close()
    db = open_db(path)  # a new process: new connection, same file
    try:
        again = plan_reminders(db, datetime(2022, 8, 1, 9, 20), make_calendar(lvliang.settings),
                               lvliang.settings)
        assert again == []
        assert send_due_reminders(path, datetime(2022, 8, 1, 11, 0), lvliang.settings) == []
        assert len(list_items(db)) == 2
    finally:
        db.close()


def test_an_item_that_becomes_due_later_in_the_day_is_sent_alone(lvliang):
    send(lvliang, "2022-08-01T09:00")
    u = find_unit(lvliang.db, "市民政局")
    lvliang.unit("市财政局", "cz1")
    later = send(lvliang, "2022-08-01T10:00")
    assert who(later) == ["cz1"] and u.id != later[0].unit_id
    assert outbox_count(lvliang) == 3


# ---- the command line ------------------------------------------------------------------------------

def _cli_env(office, now: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECOM_", "DINGTALK_",
                                                                    "CREDITBOT_", "STAFF_"))}
    env.update(CREDITBOT_DB=office.settings["CREDITBOT_DB"], CREDITBOT_NOW=now,
               CREDITBOT_CONFIG=str(Path(office.settings["CREDITBOT_DB"]).with_name("none.toml")))
    return env


def test_cli_dry_run_json_prints_the_days_reminders(lvliang):
    lvliang.db.conn.commit()
    proc = creditbot("remind", "--dry-run", "--json", env=_cli_env(lvliang, "2022-08-01T07:00:00"))
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert sorted(u for r in rows for u in r["to"]) == ["mz1", "sw1"]
    for r in rows:
        assert {"to", "channel", "kind", "indicator", "deadline", "text"} <= set(r)
        assert r["channel"] == "console" and r["kind"] == "before_deadline"
        assert r["indicator"] == "11" and r["deadline"] == "2022-08-02"
        assert "8月2日" in r["text"]
    assert outbox_count(lvliang) == 0  # a dry run writes nothing


def test_cli_remind_queues_once(lvliang):
    env = _cli_env(lvliang, "2022-08-01T09:30:00")
    first = creditbot("remind", env=env)
    assert first.returncode == 0, first.stderr
    assert "2 条" in first.stdout
    second = creditbot("remind", env=env)
    assert "0 条" in second.stdout
    assert outbox_count(lvliang) == 2


def test_remind_command_at_a_day_plans_it_from_the_reminder_hour(lvliang, capsys):
    assert remind_command(lvliang.settings, dry_run=True, as_json=False, at="2022-08-02") == 0
    out = capsys.readouterr().out
    assert "今日截止" in out and "sw1" in out and "mz1" in out


def test_a_withdrawn_briefing_brings_its_reminder_back_once(lvliang):
    reply = lvliang.at("2022-07-29T10:00").chat("sw1", "月报 2022-07 七月工作总结")
    assert who(send(lvliang, "2022-08-01T09:00")) == ["mz1"]
    number = reply.split("记录编号 ")[1].split("）")[0]
    assert "已撤回" in lvliang.at("2022-08-01T09:30").chat("sw1", f"撤回 {number}")
    assert who(send(lvliang, "2022-08-01T10:00")) == ["sw1"]
    assert send(lvliang, "2022-08-01T10:10") == []
    assert outbox_count(lvliang) == 2


def test_evidence_meets_a_one_off_item_for_reminders_and_deadlines(office):
    """濮阳 2021: 佐证材料 due 1 June; a unit that has sent the file for an item is not chased."""
    from ledger.facts import init_office
    from ledger.submissions import store_evidence
    from ledger.responsibility import answers_for
    scheme = init_office(office.db, "puyang-2021-demo-city", 2021).scheme
    unit = office.unit("市民政局", "mz1")
    mine = [i.code for _, i in scheme.indicators() if answers_for(i, unit)
            and i.due and i.due.date.isoformat() == "2021-06-01"]
    assert len(mine) >= 2
    first = plan(office, "2021-05-31T10:00")
    assert [r.indicator.split("+") for r in first] == [mine]
    store_evidence(office.db, office.settings["CREDITBOT_DATA"], unit_id=unit.id,
                   indicator=mine[0], content=b"%PDF-1.4 test", original_name="佐证.pdf",
                   content_type="application/pdf", now=datetime(2021, 5, 31, 11),
                   member_id=None, channel="console", source_msg_id=None)
    assert [r.indicator.split("+") for r in plan(office, "2021-06-01T09:00")] == [mine[1:]]
    due = office.at("2021-05-31T12:00").chat("mz1", "截止")
    line = next(li for li in due.splitlines() if li.startswith(f"· {mine[0]} "))
    assert "✓已报送" in line
