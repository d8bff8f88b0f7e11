"""The rule reader on bullets as documents write them: the seeds' own wording and phrasings
composed here in other cities' styles. Each reading is also scored by the real engine, so a
reading is right only if it gives the points the sentence promises."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from command_line import creditbot
from schemes.model import RULE_KINDS, Scheme
from authoring.rule_words import parse_number
from authoring.rule_reader import read_rule
from scoring.engine import score, score_all


def _scheme(text: str) -> tuple[Scheme, str]:
    r = read_rule(text)
    assert r.kind is not None, r.reason
    part = r.part()
    part.pop("text")
    mx = r.points if r.points is not None else Decimal(10)
    ind = {"code": "1", "name": "试", "max_points": mx if r.kind not in ("pass_fail", "task") else None,
           "metrics": r.metrics, "parts": [part]}
    if r.kind == "pass_fail":
        ind["gate"] = {"kind": r.gate or "basic", "metric": r.metrics[0]["name"]}
    section = {"pass_fail": "gate", "task": "tasks"}.get(r.kind, "deduction" if r.kind == "deduction" and not r.params.get("base") else "base")
    data = {"id": "t", "title": "t", "issuer": "t", "year": 2025,
            "audience": "tasks" if r.kind == "task" else "departments",
            "base_total": None if section != "base" else mx,
            "categories": [{"code": "一", "name": "c", "section": section, "indicators": [ind]}]}
    return Scheme.model_validate(data), r.metrics[0]["name"] if r.metrics else ""


def points(text: str, values: dict) -> Decimal:
    scheme, _ = _scheme(text)
    return score(scheme, {"1": values}).items[0].points


# (bullet, kind, parameters expected in the reading)
READINGS = [
    # the seeds' wording
    ("有联合奖惩案例并上报的，每个得0.1分，最高不超过4分；", "per_item", {"points": Decimal("0.1")}),
    ("有联合奖惩案例的，每10个得0.1分，最高不超过6分；", "per_item", {"per": 10, "points": Decimal("0.1")}),
    ("本单位产生的黑名单主体参加信用修复专题培训或接受约谈的比例达到10%的，得1分，以此为基数每增加10%得1分，最高不超过4分。",
     "per_item", {"base": Decimal("0.1"), "per": Decimal("0.1"), "points": 1}),
    ("本单位无重大政府失信事件，或已全部整改到位的，得3分；每增加1件未整改到位的政府失信事件减1分。",
     "deduction", {"base": 3, "each": 1}),
    ("“信易批”开展情况根据已经实施容缺受理的部门数量计分，计分公式为：已经实施容缺受理的部门数量/具有行政审批权力的部门总量×2，最高得3分；",
     "formula", {"expr": "v1 / max(v2, 1) * 2"}),
    ("本项得分为0、2两档：如果为“是”，得0分；如果为“否”，得2分；", "bands",
     {"pieces": [{"eq": True, "then": 0}, {"eq": False, "then": 2}]}),
    ("向市信用办报送归集的企业（含个体工商户）的信用承诺信息最多的得5分，最少的得1分，中间的依序赋分。",
     "rank", {"method": "linear", "top": 5, "bottom": 1}),
    ("比值达100%得8分, 剩余按排名依次赋分, 比值越低得分越低", "rank",
     {"method": "full_then_rank", "full_at": 1, "top": 8}),
    ("如在考核期内发生行业协会乱收费,被国家、省、市相关部门通报的情况,对该部门进行扣分,每发生1个案例扣5分,最高扣10分。",
     "deduction", {"each": 5, "cap": 10}),
    ("根据全年城市信用监测结果酌情计分，最高得2分。", "discretionary", {}),
    ("统一社会信用代码重错率低于万分之一。", "pass_fail", {}),
    ("纳税信息条数与吕梁市企业数比值 $\\geq 1$ 的得3分, 否则不得分", "bands",
     {"pieces": [{"ge": 1, "then": 3}, {"then": 0}]}),
    ("每共享1类得2分, 总分10分, 未共享的不得分。", "per_item", {"points": 2}),
    # phrasings composed here, as other cities write them
    ("不良贷款率低于2%的得2分，2%-5%之间的得1分，高于5%的不得分", "bands",
     {"pieces": [{"lt": Decimal("0.02"), "then": 2}, {"ge": Decimal("0.02"), "lt": Decimal("0.05"), "then": 1},
                 {"gt": Decimal("0.05"), "then": 0}]}),
    ("数据准确率达到95%以上的得4分，90%-95%的得2分，低于90%不得分", "bands",
     {"pieces": [{"ge": Decimal("0.95"), "then": 4}, {"ge": Decimal("0.9"), "lt": Decimal("0.95"), "then": 2},
                 {"lt": Decimal("0.9"), "then": 0}]}),
    ("案件发案率不超过十万分之三的，得2分", "bands",
     {"pieces": [{"le": Decimal("0.00003"), "then": 2}, {"then": 0}]}),
    ("差错率≤3‰的得1.5分；否则不得分", "bands", {"pieces": [{"le": Decimal("0.003"), "then": Decimal("1.5")}, {"then": 0}]}),
    ("重错码率不高于百分之一的，计2分", "bands", {"pieces": [{"le": Decimal("0.01"), "then": 2}, {"then": 0}]}),
    ("考核起评分为10分，每出现一次迟报扣1分，扣完为止", "deduction", {"base": 10, "each": 1}),
    ("培训覆盖率每降低1个百分点减0.2分", "deduction", {"per": Decimal("0.01"), "each": Decimal("0.2")}),
    ("被国家通报的，每起扣3分，最多扣6分。", "deduction", {"each": 3, "cap": 6}),
    ("每新增一家守信激励对象得0.5分，满分5分", "per_item", {"points": Decimal("0.5")}),
    ("在本地主流媒体发布信用宣传稿件，每篇计0.2分，封顶2分", "per_item", {"points": Decimal("0.2")}),
    ("报送信息数量前三名得5分，后三名得0分，其余按名次线性赋分", "rank",
     {"method": "top_bottom", "top": 5, "bottom": 0, "top_n": 3, "bottom_n": 3}),
    ("平均办理时长最少的得4分，最多的得1分，中间的依排序赋分", "rank",
     {"method": "linear", "top": 4, "bottom": 1, "higher_is_better": False}),
    ("有效异议占比小于十万分之一（含）的，得2分；大于十万分之五的，不得分；介于两者之间的按比例计分。",
     "piecewise", {}),
    ("发生重大失信事件并造成恶劣社会影响的，实行一票否决。", "pass_fail", {}),
    ("出台信用承诺制度的得两分", "checklist", {"items": [{"metric": "done", "points": 2}]}),
    ("建立信用修复机制的，得1分；举办信用修复专题培训的，得2分", "checklist",
     {"items": [{"metric": "done1", "points": 1}, {"metric": "done2", "points": 2}]}),
    ("完善社会信用体系建设工作联席会议制度，明确各成员单位职责分工", "task", {}),
    ("根据各单位信用工作开展情况综合评定，视情况给分", "discretionary", {}),
    ("每月按时报送得0.5分，全年最高6分", "per_item", {"points": Decimal("0.5")}),
    ("满分5分，每少一项扣1分", "deduction", {"base": 5, "each": 1}),
    ("每项0.5分，最高3分", "per_item", {"points": Decimal("0.5")}),
    ("迟报一次扣0.5分，最多扣2分", "deduction", {"each": Decimal("0.5"), "cap": 2}),
    ("处理时间在5个工作日内，得2分；每增加1天减0.4分；此项最低得0分", "deduction",
     {"base": 2, "each": Decimal("0.4")}),
    ("得分=完成率×10", "formula", {"expr": "v1 * 10"}),
]


@pytest.mark.parametrize("text,kind,params", READINGS, ids=[r[0][:16] for r in READINGS])
def test_reading(text, kind, params):
    r = read_rule(text)
    assert r.kind == kind, (r.reason, r.words)
    for key, want in params.items():
        assert r.params[key] == want, (key, r.params)
    assert r.words, "a reading names the words that decided it"
    _scheme(text)  # the reading is a part the scheme model and checks accept


def test_every_engine_kind_is_readable():
    assert {kind for _, kind, _ in READINGS} == set(RULE_KINDS)


@pytest.mark.parametrize("text,values,want", [
    ("有联合奖惩案例并上报的，每个得0.1分，最高不超过4分；", {"count": 25}, "2.5"),
    ("有联合奖惩案例并上报的，每个得0.1分，最高不超过4分；", {"count": 60}, "4"),
    ("有联合奖惩案例的，每10个得0.1分，最高不超过6分；", {"count": 35}, "0.3"),
    ("黑名单主体参加信用修复专题培训的比例达到10%的，得1分，以此为基数每增加10%得1分，最高不超过4分。",
     {"rate": 0.35}, "3"),
    ("黑名单主体参加信用修复专题培训的比例达到10%的，得1分，以此为基数每增加10%得1分，最高不超过4分。",
     {"rate": 0.05}, "0"),
    ("无重大政府失信事件的，得3分；每增加1件未整改到位的政府失信事件减1分。", {"count": 2}, "1"),
    ("无重大政府失信事件的，得3分；每增加1件未整改到位的政府失信事件减1分。", {"count": 5}, "0"),
    ("不良贷款率低于2%的得2分，2%-5%之间的得1分，高于5%的不得分", {"rate": 0.03}, "1"),
    ("不良贷款率低于2%的得2分，2%-5%之间的得1分，高于5%的不得分", {"rate": 0.015}, "2"),
    ("案件发案率不超过十万分之三的，得2分", {"rate": 0.00004}, "0"),
    ("有效异议占比小于十万分之一（含）的，得2分；大于十万分之五的，不得分；介于两者之间的按比例计分。",
     {"rate": 0.00003}, "1"),
    ("有效异议占比小于十万分之一（含）的，得2分；大于十万分之五的，不得分；介于两者之间的按比例计分。",
     {"rate": 0.00001}, "2"),
    ("计分公式为：已经实施容缺受理的部门数量/具有行政审批权力的部门总量×2，最高得3分",
     {"v1": 3, "v2": 4}, "1.5"),
    ("本项得分为0、2两档：如果为“是”，得0分；如果为“否”，得2分；", {"answer": "否"}, "2"),
    ("纳税信息条数与企业数比值≥1的得3分，否则不得分", {"value": 0.8}, "0"),
    ("每月按时报送得0.5分，全年最高6分", {"count": 11}, "5.5"),
    ("满分5分，每少一项扣1分", {"count": 2}, "3"),
    ("处理时间在5个工作日内，得2分；每增加1天减0.4分；此项最低得0分", {"count": 3}, "0.8"),
])
def test_reading_scores_what_the_sentence_says(text, values, want):
    assert points(text, values) == Decimal(want)


def test_deduction_without_base_takes_points_off_with_its_cap():
    scheme, _ = _scheme("每发生1个案例扣5分，最高扣10分")
    assert score(scheme, {"1": {"count": 3}}).items[0].points == Decimal(-10)
    once = read_rule("出现瞒报的，扣2分")  # a one-off: 2 points whatever the count
    assert once.params["each"] == 2 and once.params["cap"] == 2
    each = read_rule("发生一起扣2分，扣完为止")  # per case, until the points run out
    assert each.params["each"] == 2 and "cap" not in each.params


def test_rank_reading_ranks_among_units():
    scheme, _ = _scheme("信用承诺信息最多的得5分，最少的得1分，中间的依序赋分")
    cards = score_all(scheme, {u: {"1": {"value": v}} for u, v in (("甲", 30), ("乙", 20), ("丙", 10))})
    assert [cards[u].items[0].points for u in ("甲", "乙", "丙")] == [5, 3, 1]


def test_linked_bullets():
    r = read_rule("每个季度按时报送“双公示”台账得3分，未按时报送的不得分且第二条也不得分")
    assert r.kind == "checklist" and r.links == [2]


@pytest.mark.parametrize("text", ["", "各单位要高度重视", "请于3月底前将材料报送至信用办"])
def test_unrecognised_says_why(text):
    r = read_rule(text)
    assert r.kind is None and r.reason


@pytest.mark.parametrize("s,v", [("0.5", "0.5"), ("十", "10"), ("十二", "12"), ("两", "2"),
                                 ("二十", "20"), ("半", "0.5"), ("一百", "100")])
def test_numbers_as_written(s, v):
    assert parse_number(s) == Decimal(v)


def test_cli_rule_json_and_text():
    r = creditbot("scheme", "rule", "--json", "每发生1起扣5分，最高扣10分")
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert got["kind"] == "deduction" and got["params"]["each"] == 5 and got["params"]["cap"] == 10
    assert "每发生1起扣5分" in got["words"]
    r = creditbot("scheme", "rule", "各单位要高度重视")
    assert r.returncode == 1 and "未识别" in r.stdout
    r = creditbot("scheme", "rule", "最多的得5分，最少的得1分")
    assert r.returncode == 0 and "排名赋分" in r.stdout and "依据" in r.stdout


# Words documents are made of, so random bullets look like real ones often enough to reach
# every reader, not only the 未识别 path.
_WORDS = ["每", "个", "起", "项", "得", "扣", "减", "分", "最高", "不超过", "达到", "低于", "高于",
          "以上", "以下", "%", "‰", "万分之", "十万分之", "之间", "按比例计分", "最多的", "最少的",
          "前三名", "后三名", "酌情计分", "一票否决", "起评", "扣完为止", "计分公式为", "/", "×",
          "(", ")", "“是”", "“否”", "，", "；", "。", "第二条也不得分", "以此为基数每增加", "满分",
          "信用", "承诺", "案例", "率", "0", "1", "2", "5", "10", "0.5", "十", "两", "半", "-"]


@given(st.lists(st.sampled_from(_WORDS), max_size=30).map("".join) | st.text(max_size=200))
def test_any_bullet_reads_or_says_why(text):
    r = read_rule(text)
    json.dumps(r.to_json(), ensure_ascii=False)
    if r.kind is None:
        assert r.reason
        return
    assert r.kind in RULE_KINDS and r.words and r.part()["text"] == r.text
    _scheme(text)  # whatever was read is a part the scheme model accepts


@pytest.mark.parametrize("text,kind,why,points", [
    ("获得国家级表彰的加3分，省级表彰的加2分，市级表彰的加1分", "checklist", "只取其一", 3),
    ("信用信息归集数量位列全市前三位的得5分，第四至六位的得3分，其余得1分", "checklist", "只取其一", 5),
    ("按要求报送信用信息的得3分，未报送的不得分，报送不及时的扣1分", "deduction", "拆成两条", 1),
    ("对考核期内发生重大失信事件的单位，考核等次降一档", None, "downgrade_events", None),
    ("被列入失信被执行人名单的，本项不得分", None, "requires", None),
])
def test_doubtful_readings_say_what_to_check(text, kind, why, points):
    """What a reader can only guess at is read as best it can and says what staff must decide:
    a draft turns the reason into a 待确认 line."""
    r = read_rule(text)
    assert r.kind == kind and why in r.reason
    assert r.points == (Decimal(points) if points is not None else None)


def test_items_are_named_by_their_own_words():
    r = read_rule("获得国家级表彰的加3分，省级表彰的加2分，市级表彰的加1分")
    assert [m["label"] for m in r.metrics] == ["获得国家级表彰", "省级表彰", "市级表彰"]


def test_each_of_names_one_rule_per_name():
    r = read_rule("水费、电费信息条数与企业数比值≥1的各得2分")
    assert r.kind == "bands" and r.each_of == ["水费", "电费"] and r.points == 2
    assert read_rule("建立信用修复机制的得2分").each_of == []
