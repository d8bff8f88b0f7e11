"""The deadline calendar against the real national holiday table (no mocks)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from worktime.calendar import DEFAULT_HOLIDAYS_FILE, WorkCalendar
from worktime.period import (
    Deadline,
    deadline,
    deadline_info,
    is_on_time,
    next_period,
    nominal_deadline,
    parse_period,
    period_of_submission,
    periods_in_year,
    previous_period,
    upcoming_deadlines,
)


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


# -- workdays -----------------------------------------------------------------------------------


def test_national_day_2022_and_its_working_weekend(cal):
    for day in range(1, 8):
        assert cal.is_holiday(date(2022, 10, day)), f"2022-10-0{day}"
    assert cal.is_workday(date(2022, 10, 8))  # Saturday, 调休
    assert cal.is_workday(date(2022, 10, 9))  # Sunday, 调休
    assert cal.holiday_name(date(2022, 10, 2)) == "国庆节"
    assert cal.holiday_name(date(2022, 10, 8)) is None


def test_spring_festival_2023(cal):
    for day in range(21, 28):
        assert cal.is_holiday(date(2023, 1, day)), f"2023-01-{day}"
    assert cal.is_workday(date(2023, 1, 28))  # Saturday, 调休
    assert cal.is_workday(date(2023, 1, 29))  # Sunday, 调休
    assert cal.adjust_deadline(date(2023, 1, 25)) == date(2023, 1, 28)
    assert cal.holiday_name(date(2023, 1, 23)) == "春节"


def test_ordinary_weekend_and_weekday(cal):
    assert cal.is_holiday(date(2022, 9, 3))  # Saturday
    assert cal.is_workday(date(2022, 9, 2))  # Friday
    assert cal.holiday_name(date(2022, 9, 3)) == "周末"


def test_datetime_is_treated_as_its_date(cal):
    assert cal.is_holiday(datetime(2022, 10, 2, 9, 30))
    assert cal.adjust_deadline(datetime(2022, 10, 2, 9, 30)) == date(2022, 10, 8)


def test_next_and_previous_workday(cal):
    assert cal.next_workday(date(2022, 9, 30)) == date(2022, 9, 30)
    assert cal.next_workday(date(2022, 9, 30), include_self=False) == date(2022, 10, 8)
    assert cal.previous_workday(date(2022, 10, 8)) == date(2022, 9, 30)
    assert cal.previous_workday(date(2022, 10, 8), include_self=True) == date(2022, 10, 8)


def test_add_workdays(cal):
    # 10 Oct 2022 is a Monday; the 8th and 9th before it are 调休 workdays.
    assert cal.add_workdays(date(2022, 10, 10), -2) == date(2022, 10, 8)
    assert cal.add_workdays(date(2022, 10, 10), -3) == date(2022, 9, 30)
    assert cal.add_workdays(date(2022, 9, 29), 2) == date(2022, 10, 8)
    assert cal.add_workdays(date(2022, 9, 29), 0) == date(2022, 9, 29)


def test_workdays_between(cal):
    assert cal.workdays_between(date(2022, 9, 30), date(2022, 10, 10)) == 3  # 8th, 9th, 10th
    assert cal.workdays_between(date(2022, 9, 5), date(2022, 9, 9)) == 4  # Tue..Fri
    assert cal.workdays_between(date(2022, 9, 9), date(2022, 9, 9)) == 0
    assert cal.workdays_between(date(2022, 9, 9), date(2022, 9, 1)) == 0
    assert cal.workdays_between(date(2022, 9, 30), date(2022, 10, 7)) == 0  # all holiday


# -- 民法典第二百零三条 --------------------------------------------------------------------------


def test_deadline_on_national_day_moves_to_the_working_saturday(cal):
    assert cal.adjust_deadline(date(2022, 10, 2)) == date(2022, 10, 8)


def test_saturday_deadline_moves_to_monday(cal):
    assert cal.adjust_deadline(date(2022, 9, 3)) == date(2022, 9, 5)
    assert cal.adjust_deadline(date(2022, 9, 4)) == date(2022, 9, 5)


def test_workday_deadline_stays(cal):
    assert cal.adjust_deadline(date(2022, 9, 2)) == date(2022, 9, 2)


# -- years beyond the table and the extension file ------------------------------------------


def test_uncovered_year_falls_back_to_weekends(cal):
    assert cal.uncovered_years == set()
    assert cal.is_workday(date(2099, 1, 1))  # a Thursday; 元旦 unknown for 2099
    assert cal.is_holiday(date(2099, 1, 3))  # Saturday
    assert cal.adjust_deadline(date(2099, 1, 3)) == date(2099, 1, 5)
    assert cal.uncovered_years == {2099}
    assert cal.warnings() == ["节假日表未覆盖2099年，仅按周末计算"]


def test_extension_file_adds_holiday_and_workday(tmp_path):
    path = tmp_path / "holidays.yaml"
    path.write_text(
        "# 2099年安排\n"
        "holidays:\n"
        "  - 2099-01-01\n"
        '  - "2099-01-20..2099-01-26"\n'
        "workdays:\n"
        "  - 2099-01-17  # Saturday, 调休\n"
        "  - 2022-10-08\n",
        encoding="utf-8",
    )
    cal = WorkCalendar.from_file(path)
    assert cal.is_holiday(date(2099, 1, 1))
    assert all(cal.is_holiday(date(2099, 1, d)) for d in range(20, 27))
    assert cal.is_workday(date(2099, 1, 17))
    assert cal.adjust_deadline(date(2099, 1, 22)) == date(2099, 1, 27)
    assert cal.uncovered_years == set()  # the file holds 2099's schedule
    # The table still answers for other days.
    assert cal.is_holiday(date(2022, 10, 2))


def test_extension_overrides_the_table():
    cal = WorkCalendar(extra_holidays={date(2022, 10, 8)}, extra_workdays={date(2022, 10, 7)})
    assert cal.is_holiday(date(2022, 10, 8))
    assert cal.is_workday(date(2022, 10, 7))
    assert cal.adjust_deadline(date(2022, 10, 2)) == date(2022, 10, 7)


def test_empty_and_shipped_extension_files(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("# 暂无\n", encoding="utf-8")
    assert WorkCalendar.from_file(empty).extra_holidays == frozenset()
    assert DEFAULT_HOLIDAYS_FILE.exists()
    shipped = WorkCalendar.default()
    assert shipped.extra_holidays == frozenset() and shipped.extra_workdays == frozenset()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("holidays:\n  - 2099-13-01\n", r"holidays\.yaml:2: holidays: “2099-13-01”不是有效日期"),
        ("holidays:\n  - 1月1日\n", r"holidays\.yaml:2: .*不是 YYYY-MM-DD"),
        ("workdays:\n  - 2099-01-09..2099-01-03\n", r"holidays\.yaml:2: .*结束日早于开始日"),
        ("holiday:\n  - 2099-01-01\n", r"holidays\.yaml:1: 未知的键“holiday”"),
        ("holidays: 2099-01-01\n", r"holidays\.yaml:1: holidays 应为列表"),
        ("holidays: [2099-01-01\n", r"holidays\.yaml:\d+: YAML 格式错误"),
        ("holidays: [2099-01-01]\nworkdays: [2099-01-01]\n", r"既在 holidays 又在 workdays"),
    ],
)
def test_bad_extension_file_names_file_and_line(tmp_path, content, message):
    path = tmp_path / "holidays.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        WorkCalendar.from_file(path)


def test_missing_extension_file(tmp_path):
    with pytest.raises(ValueError, match="无法读取节假日扩展文件"):
        WorkCalendar.from_file(tmp_path / "nope.yaml")


# -- periods and deadlines ------------------------------------------------------------------


def test_monthly_briefing_due_on_the_2nd_of_next_month(cal):
    assert nominal_deadline("monthly", "2022-08", day=2) == date(2022, 9, 2)
    assert deadline(cal, "monthly", "2022-08", day=2) == date(2022, 9, 2)  # Friday, unchanged
    assert deadline(cal, "monthly", "2022-12", day=2) == date(2023, 1, 3)  # 元旦 Monday 2 Jan
    assert deadline(cal, "monthly", "2022-09", day=2) == date(2022, 10, 8)


def test_day_is_clamped_to_month_end():
    assert nominal_deadline("monthly", "2023-01", day=31) == date(2023, 2, 28)


def test_quarter_deadlines(cal):
    assert nominal_deadline("quarterly", "2022-Q3", day=10) == date(2022, 10, 10)
    assert deadline(cal, "quarterly", "2022-Q3", day=10) == date(2022, 10, 10)
    assert nominal_deadline("quarterly", "2022-Q3") == date(2022, 10, 10)  # default day 10
    assert nominal_deadline("quarterly", "2022-Q4", day=15) == date(2023, 1, 15)
    assert deadline(cal, "quarterly", "2022-Q4", day=15) == date(2023, 1, 16)  # Sunday → Monday
    assert nominal_deadline("quarterly", "2022-Q1") == date(2022, 4, 10)


def test_yearly_and_once_deadlines(cal):
    assert nominal_deadline("yearly", "2022") == date(2023, 1, 31)
    assert nominal_deadline("yearly", "2019", fixed=date(2019, 2, 15)) == date(2020, 2, 15)
    assert nominal_deadline("yearly", "2019", fixed="2019-01-18") == date(2020, 1, 18)
    assert nominal_deadline("once", "2021-06-01", fixed=date(2021, 6, 1)) == date(2021, 6, 1)
    assert deadline(cal, "once", "2022-10-02") == date(2022, 10, 8)


def test_deadline_info_says_why_it_moved(cal):
    info = deadline_info(cal, "once", "2022-10-02", fixed=date(2022, 10, 2))
    assert info == Deadline("2022-10-02", date(2022, 10, 2), date(2022, 10, 8), True, "国庆节")
    assert info.describe() == "原定10月2日，因国庆节假期顺延至10月8日"
    weekend = deadline_info(cal, "monthly", "2022-08", day=3)
    assert weekend.moved and weekend.describe() == "原定9月3日，因周末顺延至9月5日"
    plain = deadline_info(cal, "monthly", "2022-08", day=2)
    assert not plain.moved and plain.reason is None and plain.describe() == "9月2日"


def test_is_on_time(cal):
    assert is_on_time(cal, "quarterly", "2022-Q3", date(2022, 10, 10), day=10)
    assert not is_on_time(cal, "quarterly", "2022-Q3", date(2022, 10, 11), day=10)
    assert is_on_time(cal, "monthly", "2022-09", date(2022, 10, 8), day=2)  # moved by 国庆
    assert not is_on_time(cal, "monthly", "2022-09", date(2022, 10, 9), day=2)


@pytest.mark.parametrize(
    ("frequency", "when", "day", "period"),
    [
        ("monthly", date(2022, 9, 1), 2, "2022-08"),
        ("monthly", date(2022, 1, 1), 2, "2021-12"),
        ("monthly", date(2022, 9, 30), 2, "2022-08"),
        ("quarterly", date(2022, 10, 9), 10, "2022-Q3"),
        ("quarterly", date(2022, 10, 10), 10, "2022-Q3"),
        ("quarterly", date(2022, 10, 11), 10, "2022-Q4"),
        ("quarterly", date(2022, 1, 5), None, "2021-Q4"),
        ("quarterly", date(2022, 8, 1), 10, "2022-Q3"),
        ("yearly", date(2022, 9, 1), None, "2022"),
    ],
)
def test_period_of_submission(frequency, when, day, period):
    assert period_of_submission(frequency, when, day=day) == period


def test_period_of_submission_once():
    assert period_of_submission("once", date(2021, 5, 3), fixed=date(2021, 6, 1)) == "2021-06-01"


def test_stepping_periods():
    assert previous_period("monthly", "2022-01") == "2021-12"
    assert next_period("monthly", "2022-12") == "2023-01"
    assert previous_period("quarterly", "2022-Q1") == "2021-Q4"
    assert next_period("quarterly", "2022-Q4") == "2023-Q1"
    assert next_period("yearly", "2022") == "2023"
    with pytest.raises(ValueError, match="一次性事项"):
        next_period("once", "2022-10-02")


def test_periods_in_year():
    assert periods_in_year("monthly", 2022)[0] == "2022-01"
    assert len(periods_in_year("monthly", 2022)) == 12
    assert periods_in_year("quarterly", 2022) == ["2022-Q1", "2022-Q2", "2022-Q3", "2022-Q4"]
    assert periods_in_year("yearly", 2022) == ["2022"]
    assert periods_in_year("once", 2021, fixed=date(2021, 6, 1)) == ["2021-06-01"]
    assert periods_in_year("once", 2022, fixed=date(2021, 6, 1)) == []


def test_upcoming_deadlines(cal):
    assert upcoming_deadlines(cal, "monthly", date(2022, 9, 1), day=2) == [
        ("2022-08", date(2022, 9, 2)),
        ("2022-09", date(2022, 10, 8)),
        ("2022-10", date(2022, 11, 2)),
    ]
    # The deadline day itself is still upcoming.
    assert upcoming_deadlines(cal, "monthly", date(2022, 9, 2), day=2, horizon_days=10) == [
        ("2022-08", date(2022, 9, 2)),
    ]
    assert upcoming_deadlines(cal, "quarterly", date(2022, 9, 1), day=10) == [
        ("2022-Q3", date(2022, 10, 10)),
    ]
    assert upcoming_deadlines(cal, "yearly", date(2022, 12, 15)) == [("2022", date(2023, 1, 31))]
    assert upcoming_deadlines(cal, "once", date(2021, 5, 1), fixed=date(2021, 6, 1)) == [
        ("2021-06-01", date(2021, 6, 1)),
    ]
    assert upcoming_deadlines(cal, "once", date(2021, 6, 2), fixed=date(2021, 6, 1)) == []


def test_upcoming_deadlines_are_sorted_and_within_horizon(cal):
    today = date(2022, 11, 20)
    found = upcoming_deadlines(cal, "monthly", today, day=2, horizon_days=120)
    dates = [d for _, d in found]
    assert dates == sorted(dates)
    assert all(today <= d <= today + timedelta(days=120) for d in dates)
    assert [p for p, _ in found] == ["2022-11", "2022-12", "2023-01", "2023-02"]


# -- reading periods from chat --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2022-08", "2022-08"),
        ("2022-8", "2022-08"),
        ("2022/8", "2022-08"),
        ("2022年8月", "2022-08"),
        ("2022年08月份", "2022-08"),
        ("2022年八月", "2022-08"),
        ("２０２２年８月", "2022-08"),
        ("8月", "2023-08"),
        ("十二月", "2023-12"),
        ("2022-Q3", "2022-Q3"),
        ("2022q3", "2022-Q3"),
        ("2022年第三季度", "2022-Q3"),
        ("2022年3季度", "2022-Q3"),
        ("三季度", "2023-Q3"),
        ("第四季度", "2023-Q4"),
        ("Q1", "2023-Q1"),
        ("2022", "2022"),
        ("2022年度", "2022"),
        ("2022-10-02", "2022-10-02"),
    ],
)
def test_parse_period(text, period):
    assert parse_period(text, default_year=2023) == period


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("下个月", "无法识别的期别“下个月”"),
        ("2022-13", "月份“2022-13”应在1到12之间"),
        ("第五季度", "应为第一至第四季度"),
        ("2022-Q5", "无法识别的期别"),
        ("8", "无法识别的期别"),
        ("", "无法识别的期别"),
    ],
)
def test_parse_period_rejects(text, message):
    with pytest.raises(ValueError, match=message):
        parse_period(text, default_year=2023)


def test_parse_period_needs_a_year_for_a_bare_month():
    with pytest.raises(ValueError, match="没有写年份"):
        parse_period("8月")
    with pytest.raises(ValueError, match="没有写年份"):
        parse_period("三季度")


def test_bad_frequency_and_period():
    with pytest.raises(ValueError, match="未知的报送频率“weekly”"):
        nominal_deadline("weekly", "2022-08")
    with pytest.raises(ValueError, match="月度期别“2022-Q3”应写成 2022-08"):
        nominal_deadline("monthly", "2022-Q3")
    with pytest.raises(ValueError, match="截止日“0”应为1到31之间的整数"):
        nominal_deadline("monthly", "2022-08", day=0)


def test_calendar_rejects_a_day_in_both_sets():
    with pytest.raises(ValueError, match="既是节假日又是工作日"):
        WorkCalendar(extra_holidays={date(2099, 1, 1)}, extra_workdays={date(2099, 1, 1)})
