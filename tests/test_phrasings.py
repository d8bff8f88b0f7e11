"""The words people write (issue 19, items 9 and 6): a month before 月报, a label followed by its
value (with or without =, stuck to it, in Chinese numerals), one metric per line, yes/no words
the label makes clear; one metric language for 报送, 代报 and 打分; hints that show a command
that works, in the item's own labels — through the pipeline both callbacks feed, the callbacks
themselves, and the reader on its own under Hypothesis."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import cn2an
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.metric_words import enterable, example, find_metric, number_of, read_metrics, short_name
from bot.parse import CommandError, read_yes_no, writable_metrics
from conftest import Office
from ledger.submissions import list_adjustments, list_submissions
from schemes.loader import SCHEME_DIR, load_scheme, scheme_by_id

SCHEMES = sorted(p.stem for p in Path(SCHEME_DIR).glob("*.yaml"))
LVLIANG = scheme_by_id("lvliang-2022-departments")
COUNTIES = scheme_by_id("lvliang-2022-counties")
SHUANG = LVLIANG.indicator("3")          # 数据准确率, “双公示”信息瞒报条数, 酌情扣分 (office)
RECORDS = COUNTIES.indicator("3")        # 年度“双公示”数据报送量, 数据准确率


def _values(office: Office) -> dict[str, object]:
    """Every value recorded so far, by metric name (the latest wins)."""
    out: dict[str, object] = {}
    for s in sorted(list_submissions(office.db), key=lambda s: s.id):
        out.update(s.metrics or {})
    return out


def _every_metric():
    for sid in SCHEMES:
        scheme = scheme_by_id(sid)
        for _, ind in scheme.indicators():
            for m in enterable(ind):
                yield pytest.param(ind, m, id=f"{sid}:{ind.code}:{m.name}")


def _identifiers(text: str) -> set[str]:
    """Internal metric names that leaked into a reply."""
    names = {m.name for sid in SCHEMES for _, i in scheme_by_id(sid).indicators() for m in i.metrics}
    return {w for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]{2,}", text) if w in names}


# ---- the refused forms, now read, through the pipeline ----------------------------------------

def test_a_month_before_the_briefing_word(lvliang: Office):
    reply = lvliang.at("2022-02-01T10:00").chat("sw1", "1月月报 税务局开展诚信宣传2次")
    assert "已收到市税务局 2022年1月月报" in reply and "按时" in reply
    for text, month in [("2022年3月份月报：开展培训", "2022-03"), ("三月月报，开展培训", "2022-03"),
                        ("上月月报 开展培训", "2022-03"), ("3月报 开展培训", "2022-03")]:
        assert "月报" in lvliang.at("2022-04-01T10:00").chat("mz1", text), text
    briefs = sorted((s for s in list_submissions(lvliang.db) if s.kind == "briefing"), key=lambda s: s.id)
    assert briefs[0].period == "2022-01" and briefs[0].text == "税务局开展诚信宣传2次"
    assert {s.period for s in briefs[1:]} == {"2022-03"}
    # 「12月报送…」 is no 月报 (the 月 is not shared unless the word ends there)
    assert "没有看懂" in lvliang.chat("sw1", "12月报送信用承诺35条")


def test_a_hundred_percent_in_words(lvliang: Office):
    # (瞒报 is the office's to enter since 19.3: a liaison sends the accuracy alone)
    assert "已记录" in lvliang.chat("sw1", "报送 双公示 准确率 百分之百")
    assert _values(lvliang) == {"accuracy": 1.0}


@pytest.mark.parametrize("text", ["报送 双公示 准确率 百分之九十八点五", "报送 双公示 准确率98.5%",
                                  "报送 双公示 准确率=98.5%", "报送 双公示 准确率：98.5%",
                                  "报送 双公示 数据准确率 98.5 %", "报送 双公示 准确率 98.5 %"])
def test_a_label_followed_by_its_value(lvliang: Office, text: str):
    reply = lvliang.chat("sw1", text)
    assert "已记录" in reply and "98.5%" in reply, reply
    assert Decimal(str(_values(lvliang)["accuracy"])) == Decimal("0.985")


def test_one_metric_per_line(tmp_path: Path):
    office = Office(tmp_path, "lvliang-2022-counties")
    from ledger.units import add_member, add_unit
    add_member(office.db, "ls1", "联络员", "liaison", add_unit(office.db, "离石区", kind="county").id)
    reply = office.chat("ls1", "报送 双公示\n数据报送量 三千条\n准确率 96%")
    assert "已记录" in reply, reply
    assert _values(office) == {"records": 3000, "accuracy": 0.96}


def test_yes_no_words_the_label_makes_clear(lvliang: Office):
    assert "已记录" in lvliang.chat("sw1", "报送 工作机制 已明确 未制定")
    assert _values(lvliang) == {"staffed": True, "mechanism": False}
    # each names its own item, so the order does not matter
    assert "已记录" in lvliang.chat("mz1", "报送 工作机制 未制定 已明确")
    assert [s.metrics for s in list_submissions(lvliang.db)] == [{"staffed": True, "mechanism": False}] * 2
    refused = lvliang.chat("sw1", "报送 工作机制 已完成了吗 是")
    assert "请填 是 或 否" in refused and len(list_submissions(lvliang.db)) == 2


def test_staff_and_liaisons_name_a_metric_alike(lvliang: Office):
    # the same words name 瞒报条数 for both; only the office may set it (entered_by: office)
    assert "由市信用办核查后录入" in lvliang.chat("sw1", "报送 双公示 瞒报=0")
    assert "已代报" in lvliang.chat("staff1", "代报 市民政局 双公示 瞒报=2")
    assert "已代报" in lvliang.chat("staff1", "代报 市民政局 双公示 2=3")      # its printed number
    assert [s.metrics for s in sorted(list_submissions(lvliang.db), key=lambda s: s.id)] == [
        {"concealed": 2}, {"concealed": 3}]
    # the same words in 打分 mean the same figure, which is 代报's, not a 酌情 score
    told = lvliang.chat("staff1", "打分 市民政局 双公示 瞒报=2")
    assert "代报 市民政局 双公示" in told and "瞒报条数=2" in told
    assert list_adjustments(lvliang.db) == []


def test_points_hints_show_commands_that_work(lvliang: Office):
    for text in ("打分 市税务局 双公示 1", "打分 市税务局 双公示"):
        hint = lvliang.chat("staff1", text)
        assert not _identifiers(hint), hint
        assert "代报 市税务局 双公示 1" not in hint  # would write a figure, not a score
        ways = re.findall(r"((?:打分|代报) 市税务局 双公示 [^；]+)", hint)
        assert len(ways) == 2, hint
        for way in ways:  # each shown command is taken as written
            assert "已记录" in lvliang.chat("staff1", way) or "已代报" in lvliang.chat("staff1", way), way
    assert list_adjustments(lvliang.db)[0]["value"]["metric"] == "concealed_cut"
    assert "已记录" in lvliang.chat("staff1", "打分 市税务局 双公示 酌情扣分=1 瞒报1条")
    assert {a["value"]["metric"] for a in list_adjustments(lvliang.db)} == {"concealed_cut"}


@pytest.mark.parametrize("sid", SCHEMES)
def test_no_points_hint_names_an_internal_identifier(tmp_path: Path, sid: str):
    scheme = scheme_by_id(sid)
    office = Office(tmp_path, sid, scheme.year)
    kind = {"counties": "county"}.get(scheme.audience, "department")
    from ledger.units import add_unit
    add_unit(office.db, "甲单位", kind=kind)
    office.staff()
    office.at(f"{scheme.year}-06-01T10:00")
    for _, ind in scheme.indicators():
        reply = office.chat("staff1", f"打分 甲单位 {ind.code}")
        assert not _identifiers(reply), (ind.code, reply)
        entry = office.chat("staff1", f"代报 甲单位 {ind.code}")
        assert not _identifiers(entry), (ind.code, entry)
    # the console's 打分 targets are the numbers the chat prints, and the chat takes each
    from console.readers import point_targets
    from schemes.asks import staff_only_metrics
    for value, label in point_targets(scheme, staff_only_metrics):
        code, _, number = value.partition("|")
        reply = office.chat("staff1", f"打分 甲单位 {code} {number + '=' if number else ''}0 核对")
        assert "已记录" in reply and not _identifiers(reply), (value, label, reply)


@pytest.mark.parametrize("text, says", [
    ("报送 双公示 准确率 96 98", "「98」不知道是哪一项的数值"),
    ("报送 双公示 准确率", "没有写数值"),
    ("报送 双公示 准确率=九十八点五公斤", "不是有效的数字"),
    ("报送 双公示 准确率=98% 准确率=97%", "写了两次"),
    ("报送 双公示 准确率=98% 数据准确率=97%", "写了两次"),
    ("报送 双公示 准确率=98% 瞒报=2", "由市信用办核查后录入"),
    ("报送 双公示 信用办酌情扣分=1", "由市信用办录入"),
    ("报送 共享信息 条数 5", "可能指"),
])
def test_what_reads_two_ways_or_not_at_all_is_refused_and_changes_nothing(lvliang: Office, text, says):
    reply = lvliang.chat("sw1", text)
    assert says in reply, reply
    assert ("报送 双公示 " in reply or "报送 共享信息 " in reply or "由市信用办录入" in reply) \
        and not _identifiers(reply)
    assert list_submissions(lvliang.db) == []


# ---- the same through the WeCom and DingTalk callbacks ----------------------------------------

def test_phrasings_through_the_wecom_callback(tmp_path: Path):
    from servers import tax_office_settings
    from test_e2e_wecom import served_wecom
    with served_wecom(lambda p: tax_office_settings(tmp_path, "2022-10-09T10:00:00", p)) as wecom:
        assert "已记录" in wecom.say("sw1", "报送 双公示\n准确率 百分之九十八点五", "p1")
        assert "2022年9月月报" in wecom.say("sw1", "9月月报 开展诚信宣传", "p2")
        hint = wecom.say("staff1", "打分 市税务局 双公示", "p3")
        assert "代报 市税务局 双公示" in hint and not _identifiers(hint)


def test_phrasings_through_the_dingtalk_callback(tmp_path: Path):
    import requests
    from bot.app import create_app
    from servers import app_server, tax_office_settings
    from traffic import SECRET, send
    settings = tax_office_settings(tmp_path, "2022-10-09T10:00:00", {"DINGTALK_APP_SECRET": SECRET})
    with app_server(create_app(settings)) as base, \
            requests.Session() as s:
        _, said = send(s, base, "sw1", "报送 双公示 准确率98.5%")
        assert "已记录" in said and "98.5%" in said
        _, entered = send(s, base, "staff1", "代报 市税务局 双公示 瞒报=2")
        assert "已代报" in entered and "瞒报条数 2条" in entered
        _, mixed = send(s, base, "sw1", "报送 工作机制 已明确 未制定")
        assert "明确分管领导、责任科室、联络员 是，制定工作机制 否" in mixed
        _, refused = send(s, base, "sw1", "报送 双公示 准确率 96 98")
        assert "不知道是哪一项" in refused


# ---- the reader on its own -------------------------------------------------------------------

@pytest.mark.parametrize("ind, m", list(_every_metric()))
def test_every_metric_answers_to_its_label_short_words_and_number(ind, m):
    for words in (m.label, short_name(ind, m), str(number_of(ind, m))):
        assert find_metric(ind, words) is m, words
    assert not re.fullmatch(r"[A-Za-z_0-9]+", short_name(ind, m)) or short_name(ind, m).isdigit()


def _every_item():
    for sid in SCHEMES:
        for _, ind in scheme_by_id(sid).indicators():
            if writable_metrics(ind):
                yield pytest.param(ind, id=f"{sid}:{ind.code}")


@pytest.mark.parametrize("ind", list(_every_item()))
def test_every_example_is_read_back(ind):
    from schemes.asks import staff_only_metrics
    # 酌情 values are 打分's; a finding the office enters (瞒报条数) is still a figure
    judged = {m.name for m in staff_only_metrics(ind) if not m.by_office}
    for pool, say in ((writable_metrics(ind), "报送 X"), (enterable(ind), "代报 甲单位 X")):
        shown = [m for m in pool if m.name not in judged] or pool  # 酌情 values are 打分's
        words = example(ind, pool, say).split(" ")[len(say.split(" ")):]
        got = read_metrics(ind, words, pool)
        assert set(got) == {m.name for m in shown[:4]}, (words, got)


PERCENT = st.decimals(min_value=0, max_value=100, places=1)


def _cn(d: Decimal) -> str:
    return cn2an.an2cn(str(d.normalize()) if d != d.to_integral() else str(int(d)))


@given(v=PERCENT, how=st.sampled_from(["{n}={v}%", "{n} {v}%", "{n}{v}%", "{n} 百分之{cn}",
                                       "{n}百分之{cn}", "{n}= {v}%", "{n} {v} %"]),
       name=st.sampled_from(["准确率", "数据准确率", "1", "数据准确率（报送正确数据量/报送数据量）"]))
def test_a_percent_reads_the_same_however_it_is_written(v, how, name):
    if name == "1" and "=" not in how:
        name = "数据准确率"  # a bare number before a value is a value, not a name
    text = how.format(n=name, v=v, cn=_cn(v))
    got = read_metrics(SHUANG, text.split(" "))
    assert Decimal(str(got["accuracy"])) == v / 100, text


@given(n=st.integers(min_value=0, max_value=10**7), p=PERCENT, flip=st.booleans(),
       unit=st.sampled_from(["", "条"]), cn=st.booleans(), glue=st.booleans())
def test_one_metric_per_line_in_any_order(n, p, flip, unit, cn, glue):
    count = f"{cn2an.an2cn(n) if cn else n}{unit}"
    lines = [f"数据报送量{'' if glue else ' '}{count}", f"准确率 {p}%"]
    words = " ".join(reversed(lines) if flip else lines).split(" ")
    got = read_metrics(RECORDS, words)
    assert got["records"] == n and Decimal(str(got["accuracy"])) == p / 100


@given(a=PERCENT, b=st.integers(min_value=0, max_value=1000), c=st.integers(min_value=0, max_value=1000))
def test_a_value_nobody_named_is_refused_not_half_read(a, b, c):
    for words in ([f"准确率", f"{a}%", str(b)], [f"瞒报", str(b), str(c)], [f"准确率={a}%", str(b)]):
        with pytest.raises(CommandError):
            read_metrics(SHUANG, words)


def _bool_metrics():
    return [m for sid in SCHEMES for _, i in scheme_by_id(sid).indicators() for m in i.metrics
            if m.type == "bool"]


@given(m=st.sampled_from(_bool_metrics()), at=st.integers(min_value=0, max_value=200),
       yes=st.sampled_from(["已", "已经", "均已"]), no=st.sampled_from(["未", "尚未", "没有", "无"]))
def test_yes_no_about_what_the_label_says(m, at, yes, no):
    plain = re.sub(r"[^\u4e00-\u9fff]", "", m.label)
    verb = plain[at % max(len(plain) - 1, 1):][:2]
    if len(verb) < 2:
        return
    assert read_yes_no(m, yes + verb) is True
    assert read_yes_no(m, no + verb) is False
    assert read_yes_no(m, "已" + "飞翔") is None  # a verb the label does not have tells nothing


def test_the_documents_own_marks_are_printed_numbers():
    from schemes.model import Indicator
    ind = Indicator.model_validate({
        "code": "3", "name": "数据共享", "max_points": 4,
        "metrics": [{"name": "p1", "label": "归集数据量（①）", "type": "count"},
                    {"name": "p2", "label": "归集数据量（②）", "type": "count"}],
        "parts": [{"kind": "per_item", "value": "p1", "points": 1},
                  {"kind": "per_item", "value": "p2", "points": 1}]})
    assert read_metrics(ind, ["②=5", "归集数据量①", "7"]) == {"p2": 5, "p1": 7}
    with pytest.raises(CommandError, match="可能指"):
        read_metrics(ind, ["归集数据量", "7"])


def test_loading_a_scheme_file_gives_the_same_words():
    """The resolver reads the scheme as loaded from its file, not a cached copy."""
    ind = load_scheme(Path(SCHEME_DIR) / "lvliang-2022-departments.yaml").indicator("3")
    assert find_metric(ind, "瞒报").name == "concealed" and find_metric(ind, "扣分").name == "concealed_cut"


@given(month=st.integers(min_value=1, max_value=12), cn=st.booleans(), fen=st.booleans(),
       year=st.booleans(), gap=st.sampled_from(["", " "]), sep=st.sampled_from([" ", "：", "，"]),
       body=st.text(alphabet="开展诚信宣传活动培训次2", min_size=1, max_size=12))
def test_a_month_before_the_word_is_the_briefings_month(month, cn, fen, year, gap, sep, body):
    from bot.registry import match
    written = f"{'2022年' if year else ''}{cn2an.an2cn(month) if cn else month}月{'份' if fen else ''}"
    found = match(f"{written}{gap}月报{sep}{body}")
    assert found is not None and found.command.words[0] == "月报"
    assert found.words[0] == written and "".join(found.words[1:]) == body
    assert match(f"{month}月报送{body}") is None or match(f"{month}月报送{body}").command.words[0] != "月报"


def test_a_label_that_begins_like_a_command_stays_on_its_item(tmp_path: Path):
    """郑州 县区 七.3: 报告期…执结数 begins like 报告 (a 月报 word); on the lines after a 报送 it
    is the item's value, and no 月报 is recorded."""
    office = Office(tmp_path, "zhengzhou-2019-counties", 2019)
    from ledger.units import add_member, add_unit
    add_member(office.db, "zy1", "联络员", "liaison", add_unit(office.db, "中原区", kind="county").id)
    office.at("2019-06-03T10:00")
    reply = office.chat("zy1", "报送 七.3\n报告期银行业机构债权案件执结数 12\n上期银行业机构债权案件未执结数 30\n"
                               "报告期银行业机构债权案件收案数 8")
    assert "已记录" in reply and "【" not in reply, reply
    (sub,) = list_submissions(office.db)
    assert sub.kind == "data" and sub.metrics == {"cleared_cases": 12, "prior_pending": 30, "new_cases": 8}
