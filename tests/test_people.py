"""People and their platform bindings: one person may be bound on WeCom and on DingTalk (or
bound again with --channel once both platforms are on) and stays one person — their records,
their 撤销 and one reminder each. `member list` and `member remove` manage them."""
from __future__ import annotations

import json
import re
import secrets
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from bot.app import create_app
from channels.dingtalk import callback_sign
from callbacks import wecom_say
from command_line import creditbot
from ledger import acts
from ledger.db import MIGRATIONS, _statements, open_db
from ledger.outbox import list_items
from ledger.units import add_member, find_member, liaison_contacts, list_members, list_units

SECRET = "people-secret"
TOKEN, AES_KEY, CORP = "peopleToken", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wwpeople"
PLATFORMS = {"DINGTALK_APP_SECRET": SECRET, "WECOM_CORP_ID": CORP, "WECOM_TOKEN": TOKEN,
             "WECOM_AES_KEY": AES_KEY}


class Both:
    """The office with both platforms on: messages through the real WeCom and DingTalk
    callbacks, and `creditbot …` in-process against the same ledger."""

    def __init__(self, office: Any) -> None:
        self.office = office
        office.settings.update(PLATFORMS)
        office.pipeline.settings.update(office.settings)
        self.app = create_app(office.settings)
        self.app.extensions["creditbot"].clock = lambda: office.now

    def cli(self, *args: str) -> str:
        env = {k: v for k, v in self.office.settings.items() if isinstance(v, str)}
        run = creditbot(*args, env=env)
        assert run.returncode == 0, run.stderr + run.stdout
        return run.stdout

    def cli_refused(self, *args: str) -> str:
        env = {k: v for k, v in self.office.settings.items() if isinstance(v, str)}
        run = creditbot(*args, env=env)
        assert run.returncode != 0, run.stdout
        return run.stderr + run.stdout

    def dingtalk(self, user: str, text: str) -> str:
        ts = str(int(time.time() * 1000))
        body = {"conversationId": "c", "msgId": f"d-{secrets.token_hex(6)}", "senderStaffId": user,
                "createAt": int(ts), "conversationType": "1", "msgtype": "text",
                "text": {"content": f" {text}"}}
        resp = self.app.test_client().post(
            "/dingtalk/callback", data=json.dumps(body, ensure_ascii=False),
            content_type="application/json",
            headers={"timestamp": ts, "sign": callback_sign(ts, SECRET)})
        assert resp.status_code == 200, resp.data
        return resp.get_json()["text"]["content"]

    def wecom(self, user: str, text: str) -> str:
        return wecom_say(self.app, user, text, token=TOKEN, aes_key=AES_KEY, corp=CORP) or ""


def _number(reply: str) -> int:
    found = re.search(r"编号 (\d+)（撤销请发", reply)
    assert found, reply
    return int(found.group(1))


@pytest.fixture
def both(lvliang: Any) -> Both:
    return Both(lvliang)


def test_a_staff_member_rebound_on_each_platform_undoes_their_own_records(lvliang, both):
    # made before the platforms were on (the '*' binding, through the chat command line)
    earlier = _number(lvliang.chat("staff1", "扣分 市民政局 乱收费 被省通报"))
    refused = both.cli_refused("member", "add", "staff1", "--name", "刘洋", "--role", "staff")
    assert "--channel" in refused  # serve and member add ask which platform once both are on
    said = both.cli("member", "add", "staff1", "--name", "刘洋", "--role", "staff",
                    "--channel", "wecom")
    assert "已绑定：刘洋（企业微信 staff1，信用办工作人员）" in said
    on_wecom = _number(both.wecom("staff1", "扣分 市税务局 乱收费 1 被省通报"))
    said = both.cli("member", "add", "liuyang_dd", "--channel", "dingtalk",
                    "--same-as", "wecom:staff1")
    assert "钉钉 liuyang_dd" in said and "企业微信 staff1 是同一人" in said

    assert f"已撤销编号 {earlier}" in both.dingtalk("liuyang_dd", f"撤销 {earlier}")
    assert f"已撤销编号 {on_wecom}" in both.dingtalk("liuyang_dd", f"撤销 {on_wecom}")
    # the list of one's own records, asked on DingTalk, holds what was made on WeCom
    third = _number(both.wecom("staff1", "扣分 市税务局 乱收费 1 再次被通报"))
    assert f"#{third}" in both.dingtalk("liuyang_dd", "撤销")
    # someone else is still someone else
    add_member(lvliang.db, "staff2", "王芳", "staff", None, channel="wecom")
    assert "其他工作人员" in both.wecom("staff2", f"撤销 {third}")
    assert len({m.person_id for m in list_members(lvliang.db, role="staff")}) == 2


def test_rebound_liaisons_get_each_reminder_once_on_their_newest_binding(lvliang, both):
    # both liaisons were bound before the platforms were on; staff bind them again
    both.cli("member", "add", "sw1", "--name", "张敏", "--unit", "税务", "--role", "liaison",
             "--channel", "wecom")
    # what serve asks for: the id and its platform; who they are is known already
    said = both.cli("member", "add", "mz1", "--channel", "wecom")
    assert "已绑定：赵磊（企业微信 mz1，联络员），单位：市民政局" in said
    both.cli("member", "add", "zm_dd", "--channel", "dingtalk", "--same-as", "sw1")
    planned = json.loads(both.cli("remind", "--dry-run", "--json", "--at", "2022-09-01T10:00"))
    direct = [(r["unit"], r["channel"], tuple(r["to"])) for r in planned if r["kind"] != "digest"]
    assert sorted(direct) == [("市民政局", "wecom", ("mz1",)), ("市税务局", "dingtalk", ("zm_dd",))]
    assert liaison_contacts(lvliang.db, list_units(lvliang.db)[0].id) == [("dingtalk", "zm_dd")]
    # staff on WeCom reject with a reason typed with 「，」: the liaison hears it once, on the
    # platform they are reached on, as typed
    both.cli("member", "add", "staff1", "--name", "刘洋", "--role", "staff", "--channel", "wecom")
    assert "记录编号" in both.dingtalk("zm_dd", "月报 8月开展诚信宣传")
    said = both.wecom("staff1", "审核 市税务局 月报 2022-08 驳回 内容过于简单，请补充数据")
    assert "驳回（内容过于简单，请补充数据）" in said
    notices = [i for i in list_items(lvliang.db) if "驳回" in i.payload.get("text", "")]
    assert [(i.channel, i.target["users"]) for i in notices] == [("dingtalk", ["zm_dd"])]
    assert "驳回（内容过于简单，请补充数据）" in notices[0].payload["text"]
    # the liaison writes from either platform as the same unit's liaison
    assert "市税务局" in both.wecom("sw1", "得分") and "市税务局" in both.dingtalk("zm_dd", "得分")


def test_member_list_shows_people_bindings_and_counts_with_filters(lvliang, both):
    both.cli("member", "add", "sw1", "--name", "张敏", "--unit", "税务", "--role", "liaison",
             "--channel", "wecom")
    both.cli("member", "add", "zm_dd", "--channel", "dingtalk", "--same-as", "wecom:sw1")
    listing = both.cli("member", "list")
    assert "张敏｜联络员｜市税务局｜企业微信 sw1、钉钉 zm_dd（提醒发此）" in listing
    assert listing.count("张敏") == 1
    assert "共 3 人（信用办工作人员 1，联络员 2）；绑定 4 个：企业微信 1，钉钉 1，未指定平台 2" in listing
    only = both.cli("member", "list", "--unit", "市税务局")
    assert "张敏" in only and "赵磊" not in only and "共 1 人" in only
    on_dingtalk = both.cli("member", "list", "--channel", "dingtalk")
    assert "张敏" in on_dingtalk and "刘洋" not in on_dingtalk
    staff = both.cli("member", "list", "--role", "工作人员")
    assert "刘洋｜信用办工作人员" in staff and "张敏" not in staff
    data = json.loads(both.cli("member", "list", "--json", "--unit", "市税务局"))
    assert data[0]["bindings"] == [{"channel": "wecom", "user_id": "sw1", "reminders": False},
                                   {"channel": "dingtalk", "user_id": "zm_dd", "reminders": True}]


def test_member_list_at_two_hundred_units(office, tmp_path: Path):
    rows = ["单位,类型,联络员,用户ID"] + [f"单位{n:03d},市直,联络员{n},u{n}" for n in range(200)]
    (tmp_path / "units.csv").write_text("\n".join(rows), encoding="utf-8")
    env = {k: v for k, v in office.settings.items() if isinstance(v, str)}
    assert creditbot("unit", "import", str(tmp_path / "units.csv"), env=env).returncode == 0
    listing = creditbot("member", "list", env=env).stdout
    assert listing.count("｜联络员｜") == 200 and "共 200 人（联络员 200）" in listing
    one = creditbot("member", "list", "--unit", "单位123", env=env).stdout
    assert "联络员123｜联络员｜单位123｜未指定平台 u123" in one and "共 1 人" in one


def test_member_remove_keeps_records_and_their_author(lvliang, both):
    lvliang.chat("sw1", "月报 8月开展诚信宣传活动2次")
    sub_id = lvliang.db.execute("SELECT max(id) FROM submissions").fetchone()[0]
    said = both.cli("member", "remove", "sw1")
    assert "已解除 张敏（联络员）的绑定" in said and "以往的记录保留并仍署其姓名" in said
    assert "还没有绑定单位" in lvliang.chat("sw1", "得分")
    shown = lvliang.chat("staff1", f"查看 {sub_id}")
    assert "（张敏）" in shown and "开展诚信宣传活动2次" in shown
    listing = both.cli("member", "list")
    assert "张敏" not in listing and "注意：没有联络员的单位（提醒无人接收）：市税务局" in listing
    # bound again: the same person, the same records
    both.cli("member", "add", "sw1", "--name", "张敏", "--unit", "市税务局", "--role", "liaison",
             "--channel", "wecom")
    assert f"#{sub_id} " in both.wecom("sw1", "记录")


def test_removing_one_platform_keeps_the_other_and_the_last_admin_stays(lvliang, both):
    both.cli("member", "add", "sw1", "--name", "张敏", "--unit", "市税务局", "--role", "liaison",
             "--channel", "wecom")
    both.cli("member", "add", "zm_dd", "--channel", "dingtalk", "--same-as", "wecom:sw1")
    said = both.cli("member", "remove", "dingtalk:zm_dd", "--only-this-platform")
    assert "钉钉 zm_dd" in said and "仍保留：企业微信 sw1" in said
    planned = json.loads(both.cli("remind", "--dry-run", "--json", "--at", "2022-09-01T10:00"))
    assert [tuple(r["to"]) for r in planned if r["unit"] == "市税务局"] == [("sw1",)]
    add_member(lvliang.db, "boss", "李主任", "admin", None, channel="wecom")
    assert "唯一的管理员" in both.cli_refused("member", "remove", "boss")
    assert "没有" in both.cli_refused("member", "remove", "nobody")


def test_unit_list_speaks_chinese_and_member_add_echoes_the_full_name(lvliang, both):
    both.cli("unit", "alias", "市税务局", "税务")
    listing = both.cli("unit", "list")
    assert "市税务局（市直单位，简称：税务）" in listing and "department" not in listing
    assert "共 2 个单位：市直单位 2 个" in listing
    said = both.cli("member", "add", "sw2", "--name", "陈晨", "--unit", "税务", "--role",
                    "liaison", "--channel", "dingtalk")
    assert "单位：市税务局" in said and "单位：税务" not in said


def test_a_namesake_on_the_other_platform_is_the_same_person_unless_told(lvliang, both):
    both.cli("member", "add", "sw1", "--name", "张敏", "--unit", "市税务局", "--role", "liaison",
             "--channel", "wecom")
    said = both.cli("member", "add", "zm_dd", "--name", "张敏", "--unit", "市税务局", "--role",
                    "liaison", "--channel", "dingtalk")
    assert "企业微信 sw1 是同一人" in said and "--new-person" in said
    other = both.cli("member", "add", "zm2_dd", "--name", "赵磊", "--unit", "市民政局", "--role",
                     "liaison", "--channel", "dingtalk", "--new-person")
    assert "同一人" not in other
    people = {m.person_id for m in list_members(lvliang.db) if m.name == "赵磊"}
    assert len(people) == 2


def test_the_migration_joins_bindings_made_again_with_a_channel(tmp_path: Path):
    """A ledger from before people: staff1 and sw1 were bound unscoped, then bound again with
    --channel (a second row each); records were made by the first rows."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    for script in MIGRATIONS[:-1]:
        for stmt in _statements(script):
            conn.execute(stmt)
    conn.execute("INSERT INTO meta(key, value) VALUES ('schema_version', ?)",
                 [str(len(MIGRATIONS) - 1)])
    conn.execute("INSERT INTO units(id, name, created_at) VALUES (1, '市税务局', '2022-01-01')")
    for row in [(1, "staff1", "*", "刘洋", "staff", None), (2, "sw1", "*", "张敏", "liaison", 1),
                (3, "staff1", "wecom", "刘洋", "staff", None), (4, "sw1", "wecom", "张敏", "liaison", 1),
                (5, "x1", "wecom", "某甲", "liaison", 1), (6, "x1", "dingtalk", "某乙", "liaison", 1),
                (7, "x1", "*", "某甲", "liaison", 1)]:
        conn.execute("INSERT INTO members(id, user_id, channel, name, role, unit_id, created_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, '2022-01-01')", row)
    conn.execute("INSERT INTO staff_acts(kind, unit_id, member_id, summary, created_at) "
                 "VALUES ('扣分', 1, 1, '扣分', '2022-03-01')")
    conn.commit()
    conn.close()

    db = open_db(path)
    staff = find_member(db, "wecom", "staff1")
    assert staff is not None and staff.id == 3 and staff.person_id == 1
    act, _ = acts.undo_act(db, 1, __import__("datetime").datetime(2022, 9, 1), "t",
                           member_id=staff.id, may_undo_others=False)
    assert act.undone_at
    assert {(m.user_id, m.channel) for m in list_members(db) if m.user_id in ("sw1", "staff1")} \
        == {("sw1", "wecom"), ("staff1", "wecom")}
    # x1 is on both platforms as two people: nothing is guessed, the '*' row stays its own
    assert len({m.person_id for m in list_members(db) if m.user_id == "x1"}) == 3
    assert ("wecom", "sw1") in liaison_contacts(db, 1)
    assert sum(1 for _, uid in liaison_contacts(db, 1) if uid == "sw1") == 1


def test_show_over_the_callbacks_gives_the_message_and_the_answer_as_sent(lvliang, both):
    both.cli("member", "add", "zm_dd", "--name", "张敏", "--unit", "市税务局", "--role", "liaison",
             "--channel", "dingtalk")
    both.cli("member", "add", "staff1", "--name", "刘洋", "--role", "staff", "--channel", "wecom")
    lvliang.at("2022-09-06T10:00")
    assert "哪个月" in both.dingtalk("zm_dd", "月报 完成环境信用评价工作，无新增事项")
    done = both.dingtalk("zm_dd", "1")
    sub_id = int(re.search(r"记录编号 (\d+)", done).group(1))
    shown = both.wecom("staff1", f"查看 {sub_id}")
    assert "原文：月报 完成环境信用评价工作，无新增事项\n对追问的回答：1" in shown
