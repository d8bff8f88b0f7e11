"""The chat language end to end through the real pipeline, as dialogues."""
from __future__ import annotations

import json
import re

import pytest
from openpyxl import load_workbook

from bot.commands import COMMANDS
from command_line import creditbot
from ledger.submissions import list_submissions


def test_every_command_has_a_chinese_help_line():
    for c in COMMANDS:
        assert c.help and any("\u4e00" <= ch <= "\u9fff" for ch in c.help), c.words
        assert c.usage


def test_briefing_on_time_and_late(lvliang):
    assert "按时" in lvliang.at("2022-09-01T10:00").chat("sw1", "月报 8月开展诚信宣传活动2次")
    late = lvliang.at("2022-09-05T09:00").chat("mz1", "月报 8月工作总结")
    assert "逾期" in late and "9月2日" in late


def test_named_period_and_national_day_deadline(lvliang):
    reply = lvliang.at("2022-10-08T16:00").chat("sw1", "月报 2022-09 九月工作")
    assert "按时" in reply and "10月8日" in reply


def test_score_card_has_total(lvliang):
    reply = lvliang.chat("sw1", "得分")
    assert "总分" in reply and "市税务局" in reply


def test_missing_names_shuanggongshi_before_it_is_sent(lvliang):
    reply = lvliang.chat("sw1", "缺项 全部")
    assert "双公示" in reply
    # most points first: the points each line offers are the engine's (a 双公示 whose first
    # quarters' 台账 were missed no longer offers its 15, so it is not always first now)
    offered = [float(m.group(1)) for line in reply.splitlines()[1:]
               if (m := re.search(r"（(\d+(?:\.\d+)?)分）", line))]
    assert offered and offered == sorted(offered, reverse=True)


def test_submit_reports_points(lvliang):
    reply = lvliang.chat("sw1", "报送 信用承诺 35")
    assert "已记录" in reply and "5/5" in reply
    lvliang.chat("mz1", "报送 信用承诺 10")
    # two units now: the lower one gets the bottom of the 5..1 range
    assert "1/5" in lvliang.chat("mz1", "报送 信用承诺 10")


def test_stranger_is_told_about_binding_and_nothing_is_recorded(lvliang):
    reply = lvliang.chat("nobody", "报送 信用承诺 35")
    assert "绑定" in reply and "nobody" in reply
    assert list_submissions(lvliang.db) == []


def test_staff_ranking_lists_both_units(lvliang):
    lvliang.chat("sw1", "报送 信用承诺 35")
    reply = lvliang.chat("staff1", "排名")
    assert "市税务局" in reply and "市民政局" in reply
    assert reply.index("市税务局") < reply.index("市民政局")


def test_not_sent_lists_the_unit_without_september(lvliang):
    lvliang.at("2022-10-08T09:00").chat("sw1", "月报 2022-09 九月工作")
    reply = lvliang.at("2022-10-12T10:00").chat("staff1", "未交 2022-09")
    assert "市民政局" in reply and "市税务局" not in reply


def test_liaison_cannot_read_another_units_card(lvliang):
    reply = lvliang.chat("sw1", "单位 市民政局")
    assert "仅限信用办" in reply and "总分" not in reply


def test_staff_reads_any_unit_card(lvliang):
    assert "市民政局" in lvliang.chat("staff1", "单位 民政") and "总分" in lvliang.chat("staff1", "单位 民政")


@pytest.mark.parametrize("text, expect", [
    ("报送 不存在的指标 3", "没有找到指标"),
    ("报送 共享 3", "请回复序号"),
    ("报送 信用承诺 abc", "不是有效的数字"),
    ("报送 信用承诺 -3", "不能为负数"),
    ("报送 信用承诺 3.5", "应是整数"),
    ("报送 宣传 5", "名称=数值"),  # two values (活动次数, 参与) and one number
    ("月报", "不能为空"),
    ("", "空消息"),
    ("随便说点什么", "帮助"),
    ("排名", "仅限信用办"),
    ("撤回 abc", "编号"),
])
def test_refusals_are_clear_and_change_nothing(lvliang, text, expect):
    reply = lvliang.chat("sw1", text)
    assert expect in reply
    assert list_submissions(lvliang.db) == []


def test_ambiguous_indicator_then_choose_by_number(lvliang):
    assert "请回复序号" in lvliang.chat("sw1", "报送 行政 3")
    reply = lvliang.chat("sw1", "1")
    assert "已记录" in reply or "名称=数值" in reply


def test_resent_message_id_is_recorded_once(lvliang):
    first = lvliang.chat("sw1", "报送 信用承诺 35", msg_id="same")
    again = lvliang.chat("sw1", "报送 信用承诺 35", msg_id="same")
    assert first == again
    assert len(list_submissions(lvliang.db)) == 1


def test_withdrawn_submission_stays_in_the_ledger(lvliang):
    lvliang.chat("sw1", "报送 信用承诺 35")
    sub = list_submissions(lvliang.db)[0]
    assert "已撤回" in lvliang.chat("sw1", f"撤回 {sub.id}")
    assert [s.status for s in list_submissions(lvliang.db)] == ["withdrawn"]
    assert "不是本单位" in lvliang.chat("mz1", f"撤回 {sub.id}")


def test_review_reject_notifies_liaison_and_shows_in_missing(lvliang):
    lvliang.chat("sw1", "报送 信用承诺 35")
    assert "驳回" in lvliang.chat("staff1", "审核 市税务局 信用承诺 驳回 数据无盖章")
    rows = list(lvliang.db.query("SELECT * FROM outbox"))
    assert rows and "sw1" in rows[0]["target"] and "驳回" in rows[0]["payload"]
    assert "被驳回" in lvliang.chat("sw1", "缺项 全部")


def test_review_needs_a_reason_to_reject(lvliang):
    lvliang.chat("sw1", "报送 信用承诺 35")
    assert "理由" in lvliang.chat("staff1", "审核 市税务局 信用承诺 驳回")


def test_deduction_and_downgrade_event(lvliang):
    for _ in range(3):
        lvliang.chat("staff1", "扣分 市民政局 乱收费 被省通报")
    assert "合计扣 10 分" in lvliang.chat("staff1", "扣分 市民政局 乱收费 又一起")  # capped
    card = lvliang.chat("staff1", "单位 市民政局")
    assert "扣分 10" in card
    assert "降低1个档次" in lvliang.chat("staff1", "扣分 市民政局 重大失信事件 监测排名下滑")


def test_evidence_file_with_command_and_with_caption(lvliang, tmp_path):
    f = tmp_path / "双公示台账.pdf"
    f.write_bytes(b"%PDF-1.4 test")
    assert "请在" in lvliang.chat("sw1", "佐证 双公示")
    assert "已收到" in lvliang.chat("sw1", "", files=[f])
    assert "已收到" in lvliang.chat("sw1", "", files=[f])  # the file name names the indicator


def test_file_too_large_is_refused(lvliang, tmp_path):
    big = tmp_path / "big.pdf"
    big.write_bytes(b"0" * (20 * 1024 * 1024 + 1))
    reply = lvliang.chat("sw1", "佐证 双公示", files=[big])
    assert "过大" in reply
    assert list(lvliang.db.query("SELECT * FROM evidence")) == []


def test_export_opens_and_lists_units(lvliang):
    lvliang.chat("sw1", "报送 信用承诺 35")
    reply = lvliang.pipeline.handle(lvliang.message("staff1", "导出"))
    wb = load_workbook(reply.files[0])
    names = [row[1] for row in wb["总分及排名"].iter_rows(min_row=2, values_only=True)]
    assert set(names) == {"市税务局", "市民政局"}


def test_cli_submissions_json_includes_withdrawn(lvliang, tmp_path):
    lvliang.chat("sw1", "报送 信用承诺 35", msg_id="cli-1")
    sub = list_submissions(lvliang.db)[0]
    lvliang.chat("sw1", f"撤回 {sub.id}")
    out = creditbot("submissions", "--json", env={"CREDITBOT_DB": lvliang.settings["CREDITBOT_DB"]})
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert rows[0]["status"] == "withdrawn" and rows[0]["source_msg_id"] == "cli-1"


def test_discretionary_points_by_part_and_liaisons_cannot_self_score(office):
    from ledger.facts import init_office
    init_office(office.db, "zhengzhou-2019-counties", 2019)
    office.unit("中原区", "zy1")
    office.staff()
    office.at("2019-06-01T10:00")
    one = office.chat("staff1", "打分 中原区 一 1.5 机制健全")
    assert "分项序号=分" in one and "1=" in one
    assert "酌情计 1.5/2" in office.chat("staff1", "打分 中原区 一 1=1.5 机制健全")
    assert "酌情计 2/2" in office.chat("staff1", "打分 中原区 一 2=2")
    assert "0 到 2 之间" in office.chat("staff1", "打分 中原区 一 3=5")
    card = office.chat("staff1", "单位 中原区")
    # 1.5 + 2 酌情, and 三's 3 for no 政府失信事件 found (the office's to enter; none entered)
    assert "总分 6.5" in card
    assert "信用办" in office.chat("zy1", "报送 一 mechanism_points=2")


def test_staff_binds_a_new_liaison_in_chat(lvliang):
    assert "绑定" in lvliang.chat("newbie", "得分")
    assert "已绑定" in lvliang.chat("staff1", "绑定 newbie 市税务局 王五")
    assert "总分" in lvliang.chat("newbie", "得分")
    assert "管理员" in lvliang.chat("staff1", "绑定 other 工作人员 李四")
    assert "市税务局" in lvliang.chat("sw1", "单位列表")


def test_staff_enter_the_concealment_cut(lvliang):
    lvliang.chat("sw1", "报送 双公示 accuracy=100%")
    assert "已代报" in lvliang.chat("staff1", "代报 市税务局 双公示 瞒报=2")  # the office's finding
    reply = lvliang.chat("staff1", "打分 市税务局 双公示 concealed_cut=1.5 瞒报2条")
    assert "已记录" in reply and "瞒报" in reply and "本项现为" in reply
    assert "信用办" in lvliang.chat("sw1", "报送 双公示 concealed_cut=0")  # not the liaison's to set


def test_staff_see_what_waits_for_review(lvliang, tmp_path):
    assert "没有等待审核" in lvliang.chat("staff1", "待审")
    f = tmp_path / "台账.pdf"
    f.write_bytes(b"%PDF-1.4 x")
    lvliang.chat("sw1", "报送 信用承诺 35")
    lvliang.chat("sw1", "佐证 双公示", files=[f])
    reply = lvliang.chat("staff1", "待审")
    # the data, the quarter's 台账 the file counts as, and the file itself, each on its own line
    assert "待审核 3 条" in reply and "市税务局" in reply and "文件 台账.pdf" in reply
    lvliang.chat("staff1", "审核 市税务局 信用承诺 通过")
    assert "待审核 2 条" in lvliang.chat("staff1", "待审 市税务局")
    assert "仅限信用办" in lvliang.chat("sw1", "待审")


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: c.words[0])
def test_every_command_answers_each_role_without_an_apology(lvliang, cmd):
    from bot.pipeline import APOLOGY
    for user, role in (("sw1", "liaison"), ("staff1", "staff")):
        reply = lvliang.chat(user, cmd.words[0])
        assert reply and reply != APOLOGY, (cmd.words[0], user)
        if role not in cmd.roles:
            assert "仅限" in reply


def test_records_list_own_submissions_with_ids(lvliang):
    lvliang.chat("sw1", "月报 8月工作")
    lvliang.chat("sw1", "报送 信用承诺 35")
    lvliang.chat("mz1", "报送 信用承诺 9")
    reply = lvliang.chat("sw1", "记录")
    assert "月报" in reply and "2022-08" in reply and "按时" in reply and "撤回" in reply
    assert reply.count("#") == 2  # only its own unit's two records


def test_several_files_after_one_evidence_command_all_land(lvliang, tmp_path):
    files = []
    for n in range(3):
        f = tmp_path / f"shot{n}.png"
        f.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes([n]) * 10)
        files.append(f)
    lvliang.chat("sw1", "佐证 双公示")
    for f in files:
        assert "已收到" in lvliang.chat("sw1", "", files=[f])
    rows = list(lvliang.db.query("SELECT original_name, indicator FROM evidence"))
    assert sorted(r["original_name"] for r in rows) == ["shot0.png", "shot1.png", "shot2.png"]
    assert {r["indicator"] for r in rows} == {"3"}


def test_files_waiting_for_an_indicator_are_all_kept(lvliang, tmp_path):
    for n in range(2):
        f = tmp_path / f"IMG_{n}.png"
        f.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes([n]) * 10)
        reply = lvliang.chat("sw1", "", files=[f])
    assert "已收到 2 个文件" in reply
    assert "IMG_0.png" in lvliang.chat("sw1", "双公示")
    assert len(list(lvliang.db.query("SELECT id FROM evidence"))) == 2


@pytest.mark.parametrize("raw_type, text, expect", [
    ("link", "月报 吕梁市信用办工作动态\nhttps://example.org/a", "暂不支持链接"),
    ("location", "月报 我在这里", "暂不支持位置"),
    ("voice", "", "暂不支持语音"),
    ("interactiveCard", "暂不支持识别该类消息", "暂不支持此类消息"),
    ("event:subscribe", "", "帮助"),
])
def test_non_text_messages_get_one_polite_answer_and_change_nothing(lvliang, raw_type, text, expect):
    from dataclasses import replace
    msg = replace(lvliang.message("sw1", text), raw_type=raw_type)
    assert expect in lvliang.pipeline.handle(msg).text
    assert list_submissions(lvliang.db) == []


def test_invisible_characters_and_lone_surrogates_are_harmless(lvliang):
    assert "总分" in lvliang.chat("sw1", "\u200b得分")
    assert "总分" in lvliang.chat("sw1", "\ufeff得分")
    reply = lvliang.chat("sw1", "得分\ud800")
    assert reply and "抱歉" not in reply


def test_group_answers_mention_the_sender(lvliang):
    from dataclasses import replace
    msg = replace(lvliang.message("sw1", "得分"), is_group=True)
    assert lvliang.pipeline.handle(msg).mentions == ["sw1"]


@pytest.mark.parametrize("text, expect", [
    ("月报 2022-13 内容", "月份"),
    ("月报 2023-01 内容", "不在2022年度"),
    ("月报 2022-11 内容", "还没到"),
])
def test_briefing_month_must_be_real_and_in_the_year(lvliang, text, expect):
    assert expect in lvliang.at("2022-09-20T10:00").chat("sw1", text)
    assert list_submissions(lvliang.db) == []


def test_december_briefing_sent_in_january_is_last_year(lvliang):
    reply = lvliang.at("2023-01-03T10:00").chat("sw1", "月报 12月 全年总结")
    assert "2022年12月" in reply and "按时" in reply  # 1月2日 is a holiday: due 1月3日


def test_a_late_correction_keeps_the_on_time_briefing(lvliang):
    assert "按时" in lvliang.at("2022-10-08T18:00").chat("mz1", "月报 9月工作")
    reply = lvliang.at("2022-10-09T18:00").chat("mz1", "月报 9月工作（修改版）")
    assert "保留原按时" in reply


def test_one_briefing_month_can_be_rejected_and_then_does_not_count(lvliang):
    from ledger.facts import all_facts, office
    lvliang.at("2022-08-01T10:00").chat("mz1", "月报 7月工作")
    lvliang.at("2022-09-01T10:00").chat("mz1", "月报 8月工作")
    reply = lvliang.chat("staff1", "审核 市民政局 月报 2022-08 驳回 内容空洞")
    assert "2022-08" in reply and "1 条" in reply
    facts = all_facts(lvliang.db, office(lvliang.db), lvliang.now.date(), lvliang.pipeline.cal)
    assert facts["市民政局"]["11"]["on_time_reports"] == 1


def test_binding_never_demotes_staff_and_moving_a_liaison_needs_confirmation(lvliang):
    assert "不能改绑" in lvliang.chat("staff1", "绑定 staff1 市税务局")
    assert "总分排名" in lvliang.chat("staff1", "排名")  # still staff
    assert "改绑" in lvliang.chat("staff1", "绑定 sw1 市民政局")
    assert "市税务局" in lvliang.chat("sw1", "得分")  # not moved
    assert "已绑定" in lvliang.chat("staff1", "绑定 sw1 市民政局 改绑")
    assert "市民政局" in lvliang.chat("sw1", "得分") and "张敏" in lvliang.chat("staff1", "绑定 sw1 市民政局")


def test_a_late_quarterly_ledger_is_filed_for_its_own_quarter(lvliang, tmp_path):
    f = tmp_path / "台账.pdf"
    f.write_bytes(b"%PDF-1.4 q3")
    reply = lvliang.at("2022-11-15T10:00").chat("sw1", "佐证 双公示 2022-Q3", files=[f])
    assert "2022-Q3" in reply and "逾期" in reply
    assert "不符" in lvliang.chat("sw1", "佐证 双公示 2022-08")


def test_not_sent_after_the_deadline_names_late_senders_and_how_late(lvliang):
    lvliang.at("2022-09-01T10:00").chat("sw1", "月报 8月工作")
    lvliang.at("2022-09-06T10:00").chat("mz1", "月报 8月工作总结")  # deadline Fri 9月2日
    reply = lvliang.at("2022-09-08T10:00").chat("staff1", "未交 2022-08")
    assert "全部单位已报送" in reply
    assert "逾期报送 1 个单位" in reply and "市民政局 9月6日报送，晚 4 天（2 个工作日）" in reply
    assert "市税务局" not in reply
    waiting = lvliang.at("2022-10-12T10:00").chat("staff1", "未交 2022-09")
    assert "未报送 2 个单位，已超期" in waiting
