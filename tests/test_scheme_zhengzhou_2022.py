"""郑州市社会信用体系建设2022年工作要点 (seed 003): 27 tasks, no points, tracked by progress."""
from __future__ import annotations

from schemes.loader import scheme_by_id
from scoring.engine import score

ID = "zhengzhou-2022-workplan"


def scheme():
    return scheme_by_id(ID)


def test_loads_as_task_list():
    s = scheme()
    assert s.id == ID
    assert s.year == 2022
    assert s.audience == "tasks"
    assert s.issuer == "郑州市社会信用体系建设工作领导小组"
    assert s.doc_number == ""
    assert s.base_total is None and s.bonus_cap is None and s.deduction_cap is None
    assert s.bands == [] and s.downgrade_events == []
    assert [c.name for c in s.categories] == ["重点工作", "保障措施"]
    assert all(c.section == "tasks" for c in s.categories)


def test_27_tasks_each_with_units_and_a_task_part():
    s = scheme()
    items = s.indicators()
    assert [i.code for _, i in items] == [str(n) for n in range(1, 28)]
    assert [len(c.indicators) for c in s.categories] == [23, 4]
    for _, ind in items:
        assert ind.lead or ind.responsible, ind.code
        assert ind.max_points is None
        assert [p.kind for p in ind.parts] == ["task"]
        assert [(m.name, m.label, m.type) for m in ind.metrics] == [("progress", "工作进展", "text")]
        assert ind.content


def test_units_as_printed():
    s = scheme()
    t6 = s.indicator("6")
    assert t6.lead == ["市发展改革委", "市大数据局"]
    assert "郑州公积金中心" in t6.responsible and "市热力公司" in t6.responsible
    t15 = s.indicator("15")
    assert t15.lead == ["市市场监管局(知识产权局)"]
    assert len(t15.responsible) == 16
    t18 = s.indicator("18")
    assert t18.lead == ["市发展改革委", "市金融局", "市大数据局", "市财政局"]
    assert t18.responsible == ["市级各行业主管部门", "各开发区管委会", "各区县(市)人民政府"]
    assert s.indicator("17").responsible == ["市直各预算单位"]
    assert s.indicator("1").responsible == ["市发展改革委"] and s.indicator("1").lead == []
    assert s.indicator("5").name == "全力做好全市“双公示”信息报送工作"
    assert "双公示" in s.indicator("5").aliases


def test_no_facts_all_missing_total_none():
    card = score(scheme(), {})
    assert len(card.items) == 27
    assert all(i.status == "missing" for i in card.items)
    assert all(i.points is None for i in card.items)
    assert card.total is None and card.band is None


def test_progress_report_marks_task_reported():
    card = score(scheme(), {"5": {"progress": "已完成第一季度“双公示”数据报送，上报率100%"}})
    by_code = {i.code: i for i in card.items}
    assert by_code["5"].status == "reported"
    assert "已完成" in by_code["5"].explain
    assert by_code["5"].points is None
    assert all(i.status == "missing" for c, i in by_code.items() if c != "5")
    assert card.total is None


OFFICES = ["各开发区管委会", "各区县(市)人民政府"]
TRADES = "市级各行业主管部门"
UNITS_AS_PRINTED = {  # code: (牵头单位, 责任单位), in the printed order
    "1": ([], ["市发展改革委"]),
    "2": (["市发展改革委"], [TRADES, *OFFICES]),
    "3": ([], ["市发展改革委"]),
    "4": (["市发展改革委"], [TRADES, *OFFICES]),
    "5": ([], ["市发展改革委", *OFFICES, TRADES]),
    "6": (["市发展改革委", "市大数据局"],
          ["市市场监管局", "市人社局", "市医保局", "市税务局", "郑州公积金中心", "市物流口岸局",
           "市邮政局", "市交通局", "市自然资源规划局", "市科技局", "市生态环境局等行业主管部门",
           "市自来水公司", "郑州华润燃气公司", "市热力公司"]),
    "7": ([], [TRADES, "市发展改革委"]),
    "8": ([], ["市发展改革委", *OFFICES, TRADES]),
    "9": ([], ["市发展改革委", *OFFICES, TRADES]),
    "10": ([], ["市发展改革委", *OFFICES, TRADES]),
    "11": ([], [TRADES, "市发展改革委", *OFFICES]),
    "12": ([], ["市发展改革委", *OFFICES, TRADES]),
    "13": ([], ["市司法局", "市检察院"]),
    "14": ([], ["市公安局", "市司法局"]),
    "15": (["市市场监管局(知识产权局)"],
           ["市法院", "市检察院", "市发展改革委", "市公安局", "市司法局", "市财政局", "市农委",
            "市林业局", "市卫健委", "市文化广电和旅游局", "市工信局", "市商务局", "市金融局",
            "市税务局", "市仲裁办", "市邮政局"]),
    "16": (["市市场监管局", "市司法局"], [TRADES, *OFFICES]),
    "17": (["市财政局", "市发展改革委"], ["市直各预算单位"]),
    "18": (["市发展改革委", "市金融局", "市大数据局", "市财政局"], [TRADES, *OFFICES]),
    "19": ([], ["市文明办", "市发展改革委", TRADES, *OFFICES]),
    "20": ([], [*OFFICES, TRADES]),
    "21": ([], [*OFFICES, "市发展改革委"]),
    "22": ([], [*OFFICES, "市委宣传部", "市发展改革委", "市教育局", TRADES]),
    "23": ([], ["市发展改革委", "市文明办", *OFFICES]),
    "24": ([], [*OFFICES, TRADES]),
    "25": ([], ["市财政局", "市发展改革委"]),
    "26": ([], [*OFFICES, TRADES]),
    "27": ([], ["市发展改革委"]),
}


def test_every_tasks_units_exactly_as_printed():
    s = scheme()
    got = {i.code: (i.lead, i.responsible) for _, i in s.indicators()}
    assert got == UNITS_AS_PRINTED


def test_no_invented_deadlines_and_aliases_unique():
    from bot.parse import find_indicator
    s = scheme()
    for _, ind in s.indicators():
        assert ind.due is None, ind.code  # the 工作要点 prints no dates or frequencies
        assert 1 <= len(ind.aliases) <= 3, ind.code
        for a in ind.aliases:
            assert find_indicator(s, a).code == ind.code, a
    assert "2020年版" in s.indicator("12").content  # as printed in a 2022 document
