"""Messages as people send them: several commands in one message, slips of the pen, 取消, file
names that name an indicator, and text stored exactly as sent."""
from __future__ import annotations

from ledger.submissions import list_evidence, list_submissions


def test_every_command_line_is_answered_in_one_reply(lvliang):
    reply = lvliang.chat("sw1", "得分\n缺项")
    assert "【1】得分" in reply and "总分" in reply
    assert "【2】缺项" in reply and "待补" in reply


def test_two_submissions_in_one_message_are_both_recorded(lvliang):
    reply = lvliang.chat("sw1", "报送 信用承诺 35\n报送 履约践诺 20")
    assert reply.count("已记录") == 2
    assert sorted(s.indicator for s in list_submissions(lvliang.db)) == ["7", "8"]


def test_one_bad_line_changes_nothing_and_the_good_one_stands(lvliang):
    reply = lvliang.chat("sw1", "报送 信用承诺 35\n报送 行政强制 7")
    assert "已记录" in reply and "5类" in reply
    assert [s.indicator for s in list_submissions(lvliang.db)] == ["7"]


def test_a_briefing_over_several_lines_is_one_briefing_kept_exactly(lvliang):
    text = "月报 8月工作总结：\n一、开展诚信宣传２次，发放材料５００份！\n二、走访企业30家。"
    assert "已收到" in lvliang.chat("sw1", text)
    (sub,) = list_submissions(lvliang.db)
    assert sub.text == "8月工作总结：\n一、开展诚信宣传２次，发放材料５００份！\n二、走访企业30家。"


def test_slips_of_the_pen_are_understood(lvliang):
    assert "总分" in lvliang.chat("sw1", "得份")
    assert "总分" in lvliang.chat("sw1", "我的的分")
    assert "截止" in lvliang.chat("sw1", "截至")


def test_cancel_ends_an_open_question(lvliang, tmp_path):
    assert "请回复序号" in lvliang.chat("sw1", "报送 行政 3")
    assert "已取消" in lvliang.chat("sw1", "取消")
    assert "没看懂" in lvliang.chat("sw1", "1") or "没有看懂" in lvliang.chat("sw1", "1")
    f = tmp_path / "微信图片_20220901.jpg"
    f.write_bytes(b"\xff\xd8\xff\xe0 jpeg")
    assert "哪一项" in lvliang.chat("sw1", "", files=[f])
    assert "文件没有保存" in lvliang.chat("sw1", "取消")
    assert list_evidence(lvliang.db) == []
    assert "没有需要取消" in lvliang.chat("sw1", "取消")
    assert list_submissions(lvliang.db) == []


def test_file_names_that_name_an_indicator_need_no_command(lvliang, tmp_path):
    for name, code in (("双公示台账2022Q3.pdf", "3"), ("宣传活动方案.docx", "10")):
        f = tmp_path / name
        f.write_bytes(b"%PDF-1.4 " + name.encode())
        assert "已收到" in lvliang.chat("sw1", "", files=[f])
        assert list_evidence(lvliang.db)[0]["indicator"] == code


def test_a_late_ledger_named_for_its_quarter_counts_for_that_quarter(lvliang, tmp_path):
    f = tmp_path / "2022年第二季度双公示台账.pdf"
    f.write_bytes(b"%PDF-1.4 q2")
    reply = lvliang.at("2022-08-15T10:00").chat("sw1", "", files=[f])
    assert "已计为 2022-Q2 的报送，逾期" in reply
    assert [s.period for s in list_submissions(lvliang.db)] == ["2022-Q2"]


def test_briefing_lines_that_start_like_a_command_stay_in_the_briefing(lvliang):
    text = "月报 8月工作：\n报送信用信息120条；\n报告期内开展宣传2次。\n得分"
    reply = lvliang.chat("sw1", text)
    assert "【1】" in reply and "【2】得分" in reply and "总分" in reply
    (sub,) = list_submissions(lvliang.db)
    assert sub.text == "8月工作：\n报送信用信息120条；\n报告期内开展宣传2次。"
