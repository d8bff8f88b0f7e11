"""Gaps issue 19 left (items 1 and 6): in January, with 2022 and 2023 both open, a yearly item
sent without a year word goes to the year still missing it (last year's, until its deadline),
and the reply names that year and shows how to file it for the other; a bare year before the
values (`代报 单位 工作机制 2022 是 是`) is the year, while a count's value 2022 stays a value;
a document's own mark with a space before its value (`① 98.5%`) reads as `①=98.5%` in 报送,
代报 and 打分 — through the pipeline both callbacks feed, and the WeCom callback itself."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from callbacks import wecom_say
from conftest import Office
from ledger.office import open_year
from ledger.submissions import list_adjustments, list_evidence, list_submissions


def _year_end(office: Office, when: str = "2023-01-05T10:00") -> Office:
    """Across the rollover: 市税务局 sent December in 2022; 2023 opens beside 2022."""
    office.at("2022-12-30T10:00").chat("sw1", "月报 12月工作总结")
    open_year(office.db, 2023, office.now, "test")
    return office.at(when)


def _data(office: Office, code: str) -> list[tuple[str, dict]]:
    """(period, figures) of each standing data record on an item, oldest first."""
    return [(s.period, s.metrics) for s in sorted(list_submissions(office.db), key=lambda s: s.id)
            if s.indicator == code and s.kind == "data" and s.status in ("submitted", "accepted")]


# ---- 1. a yearly item in January ----------------------------------------------------------------

def test_a_yearly_item_goes_to_last_year_while_last_year_still_misses_it(lvliang: Office):
    january = _year_end(lvliang)
    first = january.chat("sw1", "报送 工作机制 是 是")
    assert first.startswith("【2022年度】已记录"), first
    assert "如为2023年度，请发送：报送 工作机制 是 是 2023年" in first
    # the command the reply shows files it for the other year, and needs no hint itself
    other = january.chat("sw1", "报送 工作机制 是 是 2023年")
    assert other.startswith("【2023年度】已记录") and "如为" not in other
    assert _data(january, "1") == [("2022", {"staffed": True, "mechanism": True}),
                                   ("2023", {"staffed": True, "mechanism": True})]


def test_once_last_years_record_is_in_the_item_is_the_new_years(lvliang: Office):
    """Sent in December for 2022; the same item sent again in January is 2023's."""
    lvliang.at("2022-12-20T10:00")
    december = lvliang.chat("sw1", "报送 工作机制 是 是")
    assert "如为" not in december and "年度】" not in december  # one year open: nothing to choose
    january = _year_end(lvliang)
    again = january.chat("sw1", "报送 工作机制 是 否")
    assert again.startswith("【2023年度】已记录"), again
    assert "如为2022年度，请发送：报送 工作机制 是 否 2022年" in again
    assert _data(january, "1") == [("2022", {"staffed": True, "mechanism": True}),
                                   ("2023", {"staffed": True, "mechanism": False})]


def test_a_figure_last_year_still_misses_goes_to_last_year(lvliang: Office):
    lvliang.at("2022-12-20T10:00").chat("sw1", "报送 工作机制 明确分管领导=是")
    january = _year_end(lvliang)
    rest = january.chat("sw1", "报送 工作机制 制定工作机制=是")
    assert rest.startswith("【2022年度】") and "本项暂计 5/5 分" in rest, rest
    assert "如为2023年度" in rest
    assert _data(january, "1") == [("2022", {"staffed": True, "mechanism": True})]  # merged


def test_after_last_years_deadline_the_item_is_the_new_years(lvliang: Office):
    """2022's year-end items were due 2023-01-31: in February a missing one is 2023's, and the
    reply still shows how to send it late for 2022."""
    february = _year_end(lvliang, "2023-02-06T10:00")
    late = february.chat("sw1", "报送 工作机制 是 是")
    assert late.startswith("【2023年度】") and "如为2022年度，请发送：报送 工作机制 是 是 2022年" in late
    assert february.chat("sw1", "报送 工作机制 是 是 2022年").startswith("【2022年度】已记录")


def test_evidence_of_a_yearly_item_goes_to_the_year_still_missing_files(lvliang: Office,
                                                                        tmp_path: Path):
    f = tmp_path / "机制.pdf"
    f.write_bytes(b"%PDF-1.4\n%%EOF\n")
    january = _year_end(lvliang)
    first = january.chat("sw1", "佐证 工作机制", files=[f])
    assert first.startswith("【2022年度】已收到") and "如为2023年度，请发送：佐证 工作机制 2023" in first
    second = january.chat("sw1", "佐证 工作机制", files=[f])
    assert second.startswith("【2023年度】已收到") and "如为2022年度，请发送：佐证 工作机制 2022" in second
    asked = january.chat("sw1", "佐证 工作机制")  # no file yet: the year it will go to, and the other
    assert asked.startswith("【2023年度】") and "如为2022年度，请发送：佐证 工作机制 2022" in asked
    assert sorted(e["year"] for e in list_evidence(january.db)) == [2022, 2023]


def test_office_entries_in_january_follow_the_same_rule(lvliang: Office):
    january = _year_end(lvliang)
    first = january.chat("staff1", "代报 市民政局 工作机制 是 是")
    assert first.startswith("【2022年度】已代报") and "如为2023年度，请发送：代报 市民政局 工作机制 是 是 2023年" in first
    second = january.chat("staff1", "代报 市民政局 工作机制 是 是")
    assert second.startswith("【2023年度】已代报") and "如为2022年度" in second


def test_a_periodic_item_in_january_names_no_other_year(lvliang: Office):
    """A quarter belongs to one year: no 如为… line for 双公示."""
    reply = _year_end(lvliang).chat("sw1", "报送 双公示 准确率=98%")
    assert reply.startswith("【2022年度】") and "2022-Q4" in reply and "如为" not in reply


def test_a_yearly_item_in_january_through_the_wecom_callback(lvliang: Office):
    from bot.app import create_app
    token, aes_key, corp = "janToken", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wwjan"
    january = _year_end(lvliang)
    january.settings.update({"WECOM_CORP_ID": corp, "WECOM_TOKEN": token, "WECOM_AES_KEY": aes_key})
    app = create_app(january.settings)
    app.extensions["creditbot"].clock = lambda: january.now

    def say(user: str, text: str) -> str:
        return wecom_say(app, user, text, token=token, aes_key=aes_key, corp=corp) or ""
    first = say("sw1", "报送 工作机制 是 是")
    assert first.startswith("【2022年度】已记录") and "报送 工作机制 是 是 2023年" in first
    assert say("sw1", "报送 工作机制 是 是").startswith("【2023年度】已记录")
    assert say("staff1", "代报 市民政局 工作机制 2022 是 否").startswith("【2022年度】已代报")
    assert say("sw1", "报送 双公示 ① 98.5%").startswith("【2022年度】已记录")
    assert [p for p, _ in _data(january, "1")] == ["2022", "2023", "2022"]


# ---- 2. a bare year before the values -----------------------------------------------------------

@pytest.mark.parametrize("year", ["2022", "2022年", "上年度"])
def test_a_bare_year_before_the_values_is_the_year(lvliang: Office, year: str):
    january = _year_end(lvliang)
    reply = january.chat("staff1", f"代报 市税务局 工作机制 {year} 是 否")
    assert reply.startswith("【2022年度】已代报") and "如为" not in reply, reply
    liaison = january.chat("sw1", f"报送 工作机制 {year} 否 是")
    assert liaison.startswith("【2022年度】已记录"), liaison
    assert _data(january, "1") == [("2022", {"staffed": False, "mechanism": True})]  # the newer


def test_a_bare_year_names_the_new_year_too(lvliang: Office):
    reply = _year_end(lvliang).chat("staff1", "代报 市税务局 工作机制 2023 是 是")
    assert reply.startswith("【2023年度】已代报"), reply


def test_a_count_of_2022_stays_a_value(lvliang: Office):
    """信用承诺 is a count: `2022` alone, or after the metric's name, is 2022 条."""
    january = _year_end(lvliang)
    alone = january.chat("sw1", "报送 信用承诺 2022")
    named = january.chat("staff1", "代报 市民政局 信用承诺 企业信用承诺信息 2022")
    assert "2022条" in alone and "2022条" in named, (alone, named)
    assert [m for _, m in _data(january, "7")] == [{"commitments": 2022}, {"commitments": 2022}]


def test_values_in_order_that_begin_with_2022_stay_values(tmp_path: Path):
    """Two counts written in order (2022 then 35) are the two values, not a year and a value."""
    from bot.liaison import _bare_year
    from schemes.model import Indicator

    class Ctx:  # only the ledger is asked: is 2022 one of the office's years?
        db = Office(tmp_path).db
    ind = Indicator.model_validate({
        "code": "9", "name": "归集", "max_points": 4, "due": {"frequency": "yearly"},
        "metrics": [{"name": "a", "label": "归集数据量", "type": "count"},
                    {"name": "b", "label": "共享数据量", "type": "count"}],
        "parts": [{"kind": "per_item", "value": "a", "points": 1},
                  {"kind": "per_item", "value": "b", "points": 1}]})
    assert not _bare_year(ind, ["2022", "35"], Ctx())  # type: ignore[arg-type]
    assert _bare_year(ind, ["2022", "归集数据量=35"], Ctx())  # type: ignore[arg-type]
    assert not _bare_year(ind, ["2031", "归集数据量=35"], Ctx())  # type: ignore[arg-type]


# ---- 3. a mark, a space, a value ------------------------------------------------------------------

@pytest.mark.parametrize("text", ["报送 双公示 ① 98.5%", "报送 双公示 ①=98.5%", "报送 双公示 ①98.5%",
                                  "报送 双公示 ① 98.5 %", "报送 双公示 ⑴ 98.5%"])
def test_a_mark_then_its_value_in_a_report(lvliang: Office, text: str):
    reply = lvliang.at("2022-05-05T10:00").chat("sw1", text)
    assert "已记录" in reply and "98.5%" in reply, reply
    assert [m for _, m in _data(lvliang, "3")] == [{"accuracy": 0.985}]


def test_marks_then_values_for_yes_no_items(lvliang: Office):
    reply = lvliang.chat("sw1", "报送 工作机制 ① 是 ② 否")
    assert "已记录" in reply, reply
    assert _data(lvliang, "1") == [("2022", {"staffed": True, "mechanism": False})]


def test_a_mark_then_its_value_in_an_office_entry(lvliang: Office):
    reply = lvliang.at("2022-05-05T10:00").chat("staff1", "代报 市税务局 双公示 ① 98.5% ② 2")
    assert "已代报" in reply, reply
    (figures,) = [m for _, m in _data(lvliang, "3")]
    assert Decimal(str(figures["accuracy"])) == Decimal("0.985") and figures["concealed"] == 2


@pytest.mark.parametrize("text", ["打分 市税务局 双公示 ③ 1 核查发现", "打分 市税务局 双公示 ③=1 核查发现"])
def test_a_mark_then_its_value_in_points(lvliang: Office, text: str):
    reply = lvliang.at("2022-05-05T10:00").chat("staff1", text)
    assert reply.startswith("已记录") and "酌情扣分" in reply and "= 1" in reply, reply
    (entry,) = list_adjustments(lvliang.db)  # the office's own value, as 「③=1」 records it
    assert entry["indicator"] == "3" and entry["value"]["metric"] == "concealed_cut"
    assert Decimal(str(entry["value"]["points"])) == 1 and entry["reason"] == "核查发现"


def test_a_mark_inside_a_label_is_still_the_label(lvliang: Office):
    """`报送 双公示 准确率 98.5%` and a 月报 with ①② in its text are untouched."""
    assert "已记录" in lvliang.chat("sw1", "报送 双公示 准确率 98.5%")
    brief = lvliang.at("2022-09-01T10:00").chat("sw1", "月报 8月 ①开展宣传 ②组织培训")
    assert "月报" in brief and "按时" in brief
    (sub,) = [s for s in list_submissions(lvliang.db) if s.kind == "briefing"]
    assert sub.text == "①开展宣传 ②组织培训"
