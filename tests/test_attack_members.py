"""User ids and channels under attack on a real server: ids that address a crowd (`@all`,
`a|b`), and the same user id arriving from the other platform."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import create_app, make_pipeline
from channels.dingtalk import callback_sign
from command_line import Run, creditbot
from fake_dingtalk import FakeDingTalk
from fake_wecom import FakeWeCom
from ledger.db import LedgerError, open_db
from ledger.facts import init_office
from ledger.outbox import list_items
from ledger.submissions import list_submissions
from ledger.units import add_member, add_unit, list_members, set_deputy
from servers import app_server
from test_e2e_dingtalk import Robot
from test_e2e_wecom import AES_KEY, TOKEN, Platform
from channels.wecom_crypto import WeComCrypto
from traffic import unique_ms


@pytest.fixture
def both(tmp_path: Path):
    """One office on WeCom and DingTalk at once; 张敏 (sw1) is bound on WeCom only."""
    with FakeWeCom() as wecom, FakeDingTalk() as ding:
        settings = {"CREDITBOT_DB": str(tmp_path / "c.db"), "CREDITBOT_DATA": str(tmp_path / "d"),
                    "CREDITBOT_NOW": "2022-09-01T10:00:00", "WECOM_TOKEN": TOKEN,
                    "WECOM_AES_KEY": AES_KEY, **wecom.settings(), **ding.settings()}
        db = open_db(settings["CREDITBOT_DB"])
        init_office(db, "lvliang-2022-departments", 2022)
        tax = add_unit(db, "市税务局")
        add_member(db, "sw1", "张敏", "liaison", tax.id, channel="wecom")
        add_member(db, "xyb", "刘洋", "staff", None, channel="dingtalk")
        db.close()
        with app_server(create_app(settings)) as base:
            yield (Platform(base, wecom, settings, WeComCrypto(TOKEN, AES_KEY, wecom.corp_id),
                            WeComCrypto(TOKEN, AES_KEY, "")),
                   Robot(base, ding, settings))


def test_the_same_id_on_dingtalk_is_a_stranger(both):
    wecom, ding = both
    assert "总分" in wecom.say("sw1", "得分", "w-1")
    reply = ding.say("sw1", "报送 信用承诺 35")
    assert "绑定" in reply and "总分" not in reply
    db = open_db(ding.settings["CREDITBOT_DB"])
    assert list_submissions(db) == []
    db.close()


def test_staff_binding_in_chat_belongs_to_the_staff_platform(both):
    _, ding = both
    assert "已绑定" in ding.say("xyb", "绑定 ding9 市税务局 王强")
    db = open_db(ding.settings["CREDITBOT_DB"])
    bound = {(m.user_id, m.channel) for m in list_members(db)}
    db.close()
    assert ("ding9", "dingtalk") in bound


@pytest.mark.parametrize("evil", ["@all", "u_a|u_b", "-x", "x" * 65, "张三"])
def test_crowd_addressing_ids_are_refused_in_chat(both, evil: str):
    _, ding = both
    reply = ding.say("xyb", f"绑定 {evil} 市税务局")
    assert "用户ID" in reply and "无效" in reply, reply
    db = open_db(ding.settings["CREDITBOT_DB"])
    assert all(m.user_id != evil for m in list_members(db))
    assert list_items(db) == []  # and nobody was notified
    db.close()


def test_ledger_refuses_bad_ids_for_deputies_and_members(tmp_path: Path):
    db = open_db(tmp_path / "x.db")
    unit = add_unit(db, "市税务局")
    liaison = add_member(db, "sw1", "张敏", "liaison", unit.id, channel="wecom")
    with pytest.raises(LedgerError, match="无效"):
        set_deputy(db, liaison, "@all", None, __import__("datetime").datetime(2022, 9, 1), "t")
    with pytest.raises(LedgerError, match="渠道"):
        add_member(db, "sw2", "李", "liaison", unit.id, channel="qq")


def _cli(env: dict, *args: str) -> Run:
    return creditbot(*args, env=env)


def test_cli_member_add_validates_ids_and_needs_a_channel_when_both_are_on(tmp_path: Path):
    env = {"CREDITBOT_DB": str(tmp_path / "c.db"),
           "CREDITBOT_DATA": str(tmp_path / "d"), "CREDITBOT_CONFIG": str(tmp_path / "none.toml"),
           "WECOM_CORP_ID": "ww1", "WECOM_TOKEN": "t", "WECOM_AES_KEY": AES_KEY,
           "DINGTALK_APP_SECRET": "s"}
    assert _cli(env, "init", "--scheme", "lvliang-2022-departments", "--year", "2022").returncode == 0
    bad = _cli(env, "member", "add", "@all", "--name", "全员", "--role", "staff",
               "--channel", "wecom")
    assert bad.returncode == 1 and "无效" in bad.stderr
    ambiguous = _cli(env, "member", "add", "zs", "--name", "张三", "--role", "staff")
    assert ambiguous.returncode == 1 and "--channel" in ambiguous.stderr
    ok = _cli(env, "member", "add", "zs", "--name", "张三", "--role", "staff",
              "--channel", "dingtalk")
    assert ok.returncode == 0, ok.stderr


def test_existing_unscoped_bindings_are_pinned_by_history_or_the_only_platform(tmp_path: Path):
    db_path = tmp_path / "old.db"
    db = open_db(db_path)
    init_office(db, "lvliang-2022-departments", 2022)
    unit = add_unit(db, "市税务局")
    add_member(db, "seen_on_ding", "甲", "liaison", unit.id)  # '*' as before this change
    add_member(db, "never_seen", "乙", "liaison", unit.id)
    db.execute("INSERT INTO inbound(channel, msg_id, sender, received_at) VALUES "
               "('dingtalk', 'm1', 'seen_on_ding', '2022-09-01T09:00:00')")
    db.conn.commit()
    db.close()
    both = {"CREDITBOT_DB": str(db_path), "CREDITBOT_DATA": str(tmp_path / "d"),
            "WECOM_CORP_ID": "ww1", "WECOM_TOKEN": "t", "WECOM_AES_KEY": AES_KEY,
            "DINGTALK_APP_SECRET": "s"}
    make_pipeline(both)
    db = open_db(db_path)
    channels = {m.user_id: m.channel for m in list_members(db)}
    assert channels == {"seen_on_ding": "dingtalk", "never_seen": "*"}
    db.close()
    make_pipeline({**both, "WECOM_TOKEN": "", "WECOM_CORP_ID": ""})  # DingTalk only
    db = open_db(db_path)
    assert {m.channel for m in list_members(db)} == {"dingtalk"}
    db.close()


def test_a_signed_dingtalk_call_cannot_use_a_wecom_staff_id(both):
    wecom, ding = both
    db = open_db(ding.settings["CREDITBOT_DB"])
    add_member(db, "boss", "王主任", "admin", None, channel="wecom")
    db.close()
    ts = str(unique_ms())
    body = ding.body("boss", "text", {"content": "绑定 evil 工作人员 坏人"})
    resp = ding.post(body, timestamp_ms=int(ts), sign=callback_sign(ts, ding.fake.app_secret))
    assert resp.status_code == 200 and "绑定" in resp.json()["text"]["content"]
    db = open_db(ding.settings["CREDITBOT_DB"])
    assert all(m.user_id != "evil" for m in list_members(db))
    db.close()
