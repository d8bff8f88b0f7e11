"""A liaison reports a several-value item the way the 截止 line and the help show it: values in
order, or a label (or a clear part of it) before the =; internal metric names never shown."""
from __future__ import annotations

from schemes.asks import send_command
from schemes.loader import scheme_by_id


def _rules_item():
    return scheme_by_id("lvliang-2022-departments").indicator("2")


def test_deadline_line_asks_for_each_value_in_order():
    assert send_command(_rules_item(), "2022") == "报送 2 <是/否> <是/否>"


def test_values_in_order_are_recorded(lvliang):
    reply = lvliang.chat("sw1", "报送 制度建设 是 否")
    assert "已记录" in reply, reply
    assert "推进落实相关制度 是" in reply and "否" in reply


def test_a_shortened_label_finds_its_metric(lvliang):
    reply = lvliang.chat("sw1", "报送 制度建设 推进落实相关制度=是 制定本部门制度=是")
    assert "已记录" in reply, reply


def test_help_names_labels_not_internal_names(lvliang):
    reply = lvliang.chat("sw1", "报送 制度建设")
    assert "implemented" not in reply and "own_rules" not in reply
    assert "报送 制度建设 是 是" in reply and "1. 推进落实相关制度" in reply


def test_wrong_number_of_values_changes_nothing(lvliang):
    before = lvliang.chat("sw1", "记录")
    reply = lvliang.chat("sw1", "报送 制度建设 是")
    assert "按顺序写数值" in reply
    assert lvliang.chat("sw1", "记录") == before
