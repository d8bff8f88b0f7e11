"""One Period and one Chinese-numerals reader, as every command reads them."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.submissions import list_submissions
from worktime.calendar import WorkCalendar
from worktime.numerals import read_int, read_number, write_int
from worktime.period import Period, nominal_deadline, parse_period


@pytest.mark.parametrize("text, value", [
    ("二十", 20), ("十二", 12), ("十", 10), ("两", 2), ("八", 8), ("二十一", 21),
    ("二〇一九", 2019), ("一千零五", 1005), ("12", 12), ("１２", 12),
])
def test_chinese_numerals_read_as_written(text, value):
    assert read_int(text) == value


@pytest.mark.parametrize("text", ["十十", "", "abc", "1e5", "nan", "一点五", "百"])
def test_what_is_not_a_whole_number_is_refused(text):
    with pytest.raises(ValueError):
        read_int(text)


def test_headings_count_past_ten():
    assert [write_int(n) for n in (1, 10, 11, 20)] == ["一", "十", "十一", "二十"]
    assert all(read_int(write_int(n)) == n for n in range(1, 100))


def test_lone_units_count_only_where_asked():
    assert read_int("百", lone_units=True) == 100
    assert read_number("一点五") == read_number("1.5")
    assert read_number("负十") == -10


@pytest.mark.parametrize("text, label, kind", [
    ("2022-08", "2022年8月", "month"), ("2022年八月份", "2022年8月", "month"),
    ("2022-Q3", "2022年第三季度", "quarter"), ("2022年第三季度", "2022年第三季度", "quarter"),
    ("三季度", "2022年第三季度", "quarter"), ("2022年度", "2022年度", "year"),
    ("2022-10-02", "2022年10月2日", "day"), ("十二月", "2022年12月", "month"),
])
def test_a_period_reads_as_typed_and_says_itself_in_chinese(text, label, kind):
    p = Period.parse(text, default_year=2022)
    assert (p.label, p.kind, p.year) == (label, kind, 2022)
    assert Period.from_label(str(p)) == p  # the stored label reads back as the same period


def test_neighbours_cross_the_year():
    assert str(Period.from_label("2022-01").previous()) == "2021-12"
    assert str(Period.from_label("2022-Q4").next()) == "2023-Q1"
    assert str(Period.from_label("2022").shift(-2)) == "2020"
    with pytest.raises(ValueError):
        Period.from_label("2022-10-02").next()


def test_a_label_of_another_kind_is_refused_with_the_form_to_write():
    with pytest.raises(ValueError, match="2022-08"):
        Period.from_label("2022-Q3", "month")


def test_the_due_date_moves_past_national_day():
    p = Period.from_label("2022-09")
    assert p.nominal_due(day=2) == date(2022, 10, 2)
    assert p.due(WorkCalendar(), day=2) == date(2022, 10, 8)


@given(st.integers(2000, 2100), st.integers(1, 12), st.integers(-30, 30))
def test_month_labels_sort_and_step_like_dates(year, month, by):
    p = Period.of_month(year, month)
    q = p.shift(by)
    assert (q > p) == (by > 0) and (str(q) > str(p)) == (by > 0)
    assert q.shift(-by) == p
    assert parse_period(str(q)) == str(q)
    assert nominal_deadline("monthly", str(q)) == q.nominal_due()


@pytest.mark.parametrize("month", ["二十月", "十三月", "三十月"])
def test_briefing_for_a_month_that_does_not_exist_is_refused(lvliang, month):
    reply = lvliang.at("2022-09-01T10:00").chat("sw1", f"月报 {month} 开展诚信宣传活动")
    assert "月份" in reply and "不对" in reply
    assert list_submissions(lvliang.db) == []


def test_briefing_month_in_chinese_numerals(lvliang):
    reply = lvliang.at("2022-11-01T10:00").chat("sw1", "月报 十月份 开展诚信宣传活动")
    assert "2022年10月月报" in reply
