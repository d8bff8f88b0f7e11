"""Numbers as people write them (bot.numbers), checked against each metric's declared range,
and the same in chat through the real pipeline."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.numbers import AmbiguousValue, NumberError, read_number, read_value
from ledger.submissions import list_submissions
from schemes.loader import shipped_schemes
from schemes.model import Metric


def metric(scheme: str, code: str, name: str) -> Metric:
    return next(m for m in shipped_schemes()[scheme].indicator(code).metrics if m.name == name)


COMMITMENTS = ("lvliang-2022-departments", "7", "commitments")
ACCURACY = ("lvliang-2022-departments", "3", "accuracy")
CLASSES = ("lvliang-2022-departments", "5", "classes")
GROWTH = ("huangshi-2019-demo-city", "七.5", "growth")
ERROR_RATE = ("puyang-2021-demo-city", "五(一)", "error_rate")
LOANS = ("huangshi-2019-demo-city", "九.4", "loans")


@pytest.mark.parametrize("where, text, expect", [
    (COMMITMENTS, "35份", 35), (COMMITMENTS, "三十五", 35), (COMMITMENTS, "一千二百", 1200),
    (COMMITMENTS, "35个", 35), (COMMITMENTS, "1,200", 1200), (COMMITMENTS, "３５条", 35),
    (COMMITMENTS, "三万五千", 35000), (COMMITMENTS, "两千", 2000),
    (ACCURACY, "95%", Decimal("0.95")), (ACCURACY, "百分之九十八", Decimal("0.98")),
    (ACCURACY, "98", Decimal("0.98")), (ACCURACY, "1", Decimal("1")), (ACCURACY, "0", 0),
    (ACCURACY, "９８％", Decimal("0.98")), (ACCURACY, "980‰", Decimal("0.98")),
    (CLASSES, "五类", 5), (CLASSES, "5", 5),
    (GROWTH, "-10%", Decimal("-0.1")), (GROWTH, "负百分之十", Decimal("-0.1")),
    (GROWTH, "250%", Decimal("2.5")),  # a growth rate may exceed 100%
    (ERROR_RATE, "十万分之三", 3), (ERROR_RATE, "0.003%", 3), (ERROR_RATE, "3", 3),
    (ERROR_RATE, "万分之一", 10),
    (LOANS, "5000万元", 50_000_000), (LOANS, "5000万", 50_000_000), (LOANS, "一亿元", 100_000_000),
])
def test_numbers_as_people_write_them(where, text, expect):
    assert read_value(metric(*where), text) == Decimal(expect)


@pytest.mark.parametrize("where, text, words", [
    (COMMITMENTS, "1e9", ["科学计数法"]), (COMMITMENTS, "2E+3", ["科学计数法"]),
    (COMMITMENTS, "-3", ["不能为负数"]), (COMMITMENTS, "3.5", ["整数"]),
    (COMMITMENTS, "abc", ["不是有效的数字"]), (COMMITMENTS, "3%", ["不是比例"]),
    (COMMITMENTS, "9" * 20, ["数值过大"]), (LOANS, "一万亿亿元", ["数值过大"]),
    (CLASSES, "7", ["0类", "5类", "之间"]),  # five classes of 行政管理信息
    (ACCURACY, "150%", ["0%", "100%"]), (ACCURACY, "百分之一百零五", ["100%"]),
    (GROWTH, "-120%", ["不小于 -100%"]),
    (LOANS, "3‰", ["不是比例"]),
])
def test_out_of_range_or_unreadable_values_say_why(where, text, words):
    with pytest.raises(NumberError) as err:
        read_value(metric(*where), text)
    assert all(w in str(err.value) for w in words), str(err.value)


def test_a_percent_that_reads_two_ways_is_asked_not_guessed():
    with pytest.raises(AmbiguousValue) as err:
        read_value(metric(*GROWTH), "1.5")
    assert err.value.options == ["1.5%", "150%"]
    # with a 0–100% range only one reading fits, so there is nothing to ask
    assert read_value(metric(*ACCURACY), "1.5") == Decimal("0.015")
    # below 1 both fit: 0.8 may be 80%, or 0.8% (a 不良贷款率 usually is)
    with pytest.raises(AmbiguousValue) as err:
        read_value(metric("huangshi-2019-demo-city", "七.1", "npl_rate"), "0.8")
    assert err.value.options == ["80%", "0.8%"]


def test_reading_keeps_the_scale():
    assert read_number("十万分之三").fraction and read_number("十万分之三").value == Decimal("0.00003")
    assert read_number("5000万元").money_scale == 10_000


def test_chat_accepts_chinese_numerals_and_measure_words(lvliang):
    assert "已记录" in lvliang.chat("sw1", "报送 信用承诺 三十五份")
    assert list_submissions(lvliang.db)[0].metrics == {"commitments": 35}
    assert "已记录" in lvliang.chat("sw1", "报送 双公示 准确率=百分之九十八")
    assert list_submissions(lvliang.db)[0].metrics["accuracy"] == pytest.approx(0.98)


def test_chat_refuses_a_sixth_class_and_scientific_notation(lvliang):
    assert "5类" in lvliang.chat("sw1", "报送 行政强制 7")
    assert "科学计数法" in lvliang.chat("sw1", "报送 信用承诺 1e9")
    assert list_submissions(lvliang.db) == []


def test_chat_asks_about_an_ambiguous_percent_and_takes_the_answer(office):
    from ledger.facts import init_office
    init_office(office.db, "huangshi-2019-demo-city", 2019)
    office.unit("市金融办", "jr1")
    office.at("2019-01-20T10:00")
    question = office.chat("jr1", "报送 非法集资 1.5")
    assert "1.5%" in question and "150%" in question and "请回复序号" in question
    assert list_submissions(office.db) == []
    reply = office.chat("jr1", "2")
    assert "已记录" in reply and "150%" in reply
    assert list_submissions(office.db)[0].metrics["growth"] == pytest.approx(1.5)
    # a falling case count reaches the < 0 band: full marks
    assert "1/1" in office.chat("jr1", "报送 非法集资 -10%")


@given(st.integers(min_value=0, max_value=10**12))
def test_chinese_numerals_read_back_to_the_number(n):
    import cn2an
    assert read_value(metric(*COMMITMENTS), cn2an.an2cn(n)) == n
    assert read_value(metric(*COMMITMENTS), f"{n:,}") == n


@given(st.text(max_size=30))
def test_any_text_is_a_number_or_a_clear_refusal(text):
    for where in (COMMITMENTS, ACCURACY, GROWTH, LOANS, ERROR_RATE):
        try:
            value = read_value(metric(*where), text)
        except NumberError as exc:
            assert str(exc)
        else:
            assert value.is_finite()
