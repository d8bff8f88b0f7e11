"""A city scheme scores the city as one (issue 20 item 8): staff 打分 / 代报 for any unit sets the
city's figure, and the reply says so and what it replaced — two departments' entries are not
two records."""
from __future__ import annotations

from conftest import Office


def test_staff_points_on_a_city_item_say_they_set_the_citys_figure(tmp_path):
    city = Office(tmp_path, "huangshi-2019-demo-city", 2019)
    city.unit("市发展改革委")
    city.unit("市市场监管局")
    city.staff()
    first = city.chat("staff1", "打分 市发展改革委 一.1 2.5 贯彻落实到位")
    assert "酌情计 2.5/4 分" in first and "全市计分：这是全市的数值，市发展改革委只是录入单位）" in first
    second = city.chat("staff1", "打分 市市场监管局 一.1 3")
    assert "替换了此前市发展改革委录入的 2.5分" in second
    card = city.chat("staff1", "单位 市发展改革委")
    assert "3/4" in card  # the city keeps the last figure, whoever entered it


def test_entering_figures_for_a_city_item_says_it_is_the_citys(tmp_path):
    city = Office(tmp_path, "huangshi-2019-demo-city", 2019)
    city.unit("市发展改革委")
    city.staff()
    city.unit("市市场监管局")
    reply = city.chat("staff1", "代报 市发展改革委 四.1 fields=2")
    # a count: the departments' entries add up to the city's figure
    assert "本项现为 0.2/1 分" in reply and "各单位的数量相加为全市的数值，这是市发展改革委的部分" in reply
    assert "此前全市没有「已建立信用记录的商务诚信领域个数（共10个）」的数值" in reply
    second = city.chat("staff1", "代报 市市场监管局 四.1 fields=3")
    assert "本项现为 0.5/1 分" in second and "合计由 2个 变为 5个" in second


def test_entering_a_rate_for_a_city_item_says_which_figure_it_replaced(tmp_path):
    city = Office(tmp_path, "huangshi-2019-demo-city", 2019)
    city.unit("市发展改革委")
    city.unit("市市场监管局")
    city.staff()
    first = city.chat("staff1", "代报 市发展改革委 七.1 npl_rate=3%")
    # 不良贷款率 3%: 2/3 × (5 − 3) = 1.33
    assert "本项现为 1.33/2 分" in first and "这是全市的数值，市发展改革委只是录入单位" in first
    second = city.chat("staff1", "代报 市市场监管局 七.1 npl_rate=1.5%")
    assert "本项现为 2/2 分" in second and "替换了此前全市的「地区不良贷款率」3%" in second


def test_a_department_scheme_reply_is_unchanged(lvliang):
    reply = lvliang.chat("staff1", "打分 市税务局 双公示 concealed_cut=1.5 瞒报2条")
    assert "全市计分" not in reply
