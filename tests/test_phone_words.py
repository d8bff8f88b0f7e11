"""Replies read on a phone (issue 19, item 10): every explanation speaks in the metrics' labels,
never in the names a scheme file gives them (`water_records / enterprises`) nor in any other
ASCII identifier. Every shipped scheme is scored over a range of facts, and everything an
explanation, a 缺项 line or a card can show is searched; the ASCII a scheme's own printed texts
carry (the 0.5m of 黄石's 计分公式为0.5m) is the only ASCII let through."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import pytest

from schemes.expr import in_words
from schemes.loader import load_scheme
from schemes.model import Scheme
from scoring.engine import score_all

SCHEMES = sorted(Path(__file__).resolve().parents[1].joinpath("schemes").glob("*.yaml"))
ASCII_WORD = re.compile(r"[A-Za-z_]+")


def printed_texts(scheme: Scheme) -> list[str]:
    """What the scheme prints for people (names, labels, units, notes…): ASCII in these is the
    document's own. Ids and formulas are not among them."""
    texts = [scheme.title]
    for cat in scheme.categories:
        texts += [cat.name, getattr(cat, "code", "") or ""]
    for ev in scheme.downgrade_events:
        texts += [ev.name, ev.text]
    for _, ind in scheme.indicators():
        texts += [ind.code, ind.name, ind.evidence, ind.note, *ind.aliases]
        if ind.applies is not None:
            texts.append(ind.applies.text)
        for m in ind.metrics:
            texts += [m.label, m.unit]
        for part in ind.parts:
            texts += [part.label or "", getattr(part, "tie_rule", "") or ""]
            texts += [item.label or "" for item in getattr(part, "items", [])]
    return sorted({t for t in texts if t}, key=len, reverse=True)


def leaks(text: str, printed: list[str]) -> list[str]:
    for t in printed:
        text = text.replace(t, "")
    return ASCII_WORD.findall(text)


def _value(kind: str, level: int) -> Any:
    """A value of each metric type at a level: 0 lowest, 1 middle, 2 high."""
    return {
        "bool": (False, True, True),
        "percent": (Decimal(0), Decimal("0.5"), Decimal(1)),
        "ratio": (Decimal(0), Decimal("0.7"), Decimal("1.2")),
        "count": (0, 3, 120),
        "money": (Decimal(0), Decimal("35.5"), Decimal(5000)),
        "number": (Decimal(0), Decimal("0.7"), Decimal("12.5")),
        "text": ("未开展", "已部署", "已完成全部任务"),
    }[kind][level]


def fact_sets(scheme: Scheme) -> Iterator[dict[str, dict[str, dict[str, Any]]]]:
    """Four units' facts per variant: all low, all middle, all high, mixed, only the first
    metric of each item, nothing at all; with statuses (provisional, rejected, overdue)."""
    inds = [ind for _, ind in scheme.indicators()]
    for variant in range(6):
        units: dict[str, dict[str, dict[str, Any]]] = {}
        for u in range(4):
            facts: dict[str, dict[str, Any]] = {}
            for n, ind in enumerate(inds):
                level = (u + n) % 3 if variant == 3 else min(variant, 2)
                values: dict[str, Any] = {}
                for k, m in enumerate(ind.metrics):
                    if variant == 5 or (variant == 4 and k > 0):
                        continue
                    values[m.name] = _value(m.type, level)
                values["_status"] = ("provisional", "accepted", "rejected", "accepted")[(u + n) % 4]
                values["_reject_reason"] = "缺少盖章"
                values["_overdue"] = (u + n) % 2 == 0
                values["_reason"] = "工作突出"
                facts[ind.code] = values
            if variant == 2:
                facts["_events"] = [ev.id for ev in scheme.downgrade_events]  # type: ignore
            units[f"单位{u + 1}"] = facts
        yield units


@pytest.mark.parametrize("path", SCHEMES, ids=lambda p: p.stem)
def test_no_explanation_shows_an_identifier(path: Path):
    scheme = load_scheme(path)
    printed = printed_texts(scheme)
    seen = 0
    for facts in fact_sets(scheme):
        for unit, card in score_all(scheme, facts).items():
            for item in card.items:
                texts = [item.explain, *item.missing]
                for part in item.parts:
                    texts += [part.explain, *part.missing]
                for text in texts:
                    seen += 1
                    assert not leaks(text, printed), (path.stem, item.code, text)
    assert seen > 100  # the search covered something


@pytest.mark.parametrize(("expr", "words"), [
    ("water_records / enterprises", "水电气记录数 ÷ 企业数"),
    ("2/3*(5 - x*100)", "2 ÷ 3 × (5 − 不良贷款率 × 100)"),
    ("a - (b - 1)", "甲 − (乙 − 1)"),
    ("a / (b * 2)", "甲 ÷ (乙 × 2)"),
    ("loans / entities * 0.00002", "放款金额 ÷ 市场主体数 × 0.00002"),
    ("fields + min(other, 3)", "领域数 + 其他领域数（最多按3计）"),
    ("round((1 - a) * 100, 6)", "(1 − 甲) × 100"),
    ("0.3 if a >= 5 and b >= 5 else 0", "若甲 ≥ 5且乙 ≥ 5则为0.3，否则为0"),
    ("a or b", "甲或乙"),
])
def test_a_formula_in_words(expr: str, words: str):
    names = {"water_records": "水电气记录数", "enterprises": "企业数", "x": "不良贷款率",
             "a": "甲", "b": "乙", "loans": "放款金额", "entities": "市场主体数",
             "fields": "领域数", "other": "其他领域数"}
    assert in_words(expr, names) == words


def test_the_counties_water_ratio_reads_in_labels():
    scheme = load_scheme(next(p for p in SCHEMES if p.stem == "lvliang-2022-counties"))
    ind = next(i for _, i in scheme.indicators() if any(m.name == "water_records" for m in i.metrics))
    labels = {m.name: m.label for m in ind.metrics}
    facts = {"孝义市": {ind.code: {"water_records": 9, "enterprises": 8}}}
    item = score_all(scheme, facts)["孝义市"].item(ind.code)
    assert f"{labels['water_records']} ÷ {labels['enterprises']} = 1.125" in item.explain
    assert "water_records" not in item.explain and "/" not in item.explain


# ---- through the pipeline -----------------------------------------------------------------------

POINTS = re.compile(r"（(\d+(?:\.\d+)?)分）")


def _lines(reply: str) -> list[str]:
    return [x for x in reply.splitlines() if x.startswith("· ")]


def test_missing_shows_one_screen_most_points_first_and_the_rest_on_request(lvliang):
    from bot.screen import SCREEN_CHARS, SCREEN_LINES
    lvliang.at("2022-10-20T10:00")
    reply = lvliang.chat("sw1", "缺项")
    shown = _lines(reply)
    total = int(re.search(r"待补 (\d+) 项", reply).group(1))
    assert total > SCREEN_LINES  # a unit that sent nothing: more than a screen
    assert 0 < len(shown) <= SCREEN_LINES and len(reply) <= SCREEN_CHARS + 40
    assert f"……另有 {total - len(shown)} 项未列出，查看全部请发：缺项 全部" in reply
    everything = lvliang.chat("sw1", "缺项 全部")
    assert len(_lines(everything)) == total and "另有" not in everything
    assert _lines(everything)[:len(shown)] == shown  # the screen is the list's head
    offered = [Decimal(m.group(1)) for line in _lines(everything) if (m := POINTS.search(line))]
    assert offered == sorted(offered, reverse=True) and offered
    staff = lvliang.chat("staff1", "缺项 市税务局")
    assert "查看全部请发：缺项 市税务局 全部" in staff
    assert len(_lines(lvliang.chat("staff1", "缺项 市税务局 全部"))) >= total


def test_missing_offers_the_engines_figure_for_what_is_sent_on_time(lvliang):
    """A briefing missed in September: its line offers no points for the late month, and the
    next month on time is worth what the engine says against the other unit."""
    from ledger.facts import all_facts
    from ledger.office import office
    from scoring.stakes import on_time_stake
    from scoring.card import pts
    from worktime.calendar import make_calendar
    lvliang.at("2022-08-01T10:00").chat("mz1", "月报 7月工作总结")
    lvliang.at("2022-09-01T10:00").chat("mz1", "月报 8月工作总结")
    lvliang.at("2022-08-01T10:00").chat("sw1", "月报 7月工作总结")
    lvliang.at("2022-10-20T10:00")
    line = next(x for x in _lines(lvliang.chat("sw1", "缺项 全部")) if "11 工作报送" in x)
    assert "工作报送（" not in line and "补报（逾期，不计入按时）" in line
    off = office(lvliang.db, 2022)
    worth = on_time_stake(off.scheme, all_facts(lvliang.db, off, lvliang.now.date(),
                                                make_calendar(lvliang.settings)),
                          "市税务局", "11")
    assert worth is not None and worth > 0
    assert f"按时可得{pts(worth)}分" in line


PERIOD = re.compile(r"\d{4}-Q[1-4]")


def _chat_leaks(text: str, printed: list[str]) -> list[str]:
    return leaks(PERIOD.sub("", text), printed)


@pytest.mark.parametrize("path", SCHEMES, ids=lambda p: p.stem)
def test_cards_missing_lists_and_the_console_speak_in_labels(tmp_path: Path, path: Path):
    """Through the pipeline and the console: each scheme's figures entered for two units (one
    with the middle values, one with the high ones), then the card, 单位, 缺项 全部 and the
    console's unit page with every explanation."""
    from conftest import Office
    from ledger.facts import init_office
    from ledger.submissions import record_submission
    from ledger.units import find_unit
    from test_console import Console
    office = Office(tmp_path)
    scheme = load_scheme(path)
    init_office(office.db, scheme.id, 2022)
    units = [office.unit("市发展改革委", "fgw1"), office.unit("市税务局", "sw1")]
    office.staff()
    printed = printed_texts(scheme)
    for level, unit in enumerate(units, start=1):
        for _, ind in scheme.indicators():
            values = {m.name: _value(m.type, level) for m in ind.metrics if not m.derived}
            if not values:
                continue
            values = {k: float(v) if isinstance(v, Decimal) else v for k, v in values.items()}
            record_submission(office.db, unit_id=unit.id, indicator=ind.code, period="2022",
                              kind="data", metrics=values, text="", now=office.now,
                              member_id=None, channel="console", source_msg_id=None)
    replies = [office.chat("fgw1", "得分"), office.chat("fgw1", "缺项 全部"),
               office.chat("staff1", "单位 市税务局"), office.chat("staff1", "缺项 市发展改革委 全部")]
    for reply in replies:
        assert not _chat_leaks(reply, printed), reply
    from openpyxl import load_workbook
    from bot.export import export_xlsx
    from ledger.office import office as office_of
    from worktime.calendar import make_calendar
    book = tmp_path / "考核表.xlsx"
    export_xlsx(office.db, office_of(office.db, 2022), book, office.now.date(),
                make_calendar(office.settings))
    for sheet in load_workbook(book):
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert not _chat_leaks(cell.value, printed), (sheet.title, cell.value)
    console = Console(office)
    unit = find_unit(office.db, "市税务局")
    page = console.client("staff1").get(f"/console/units/{unit.id}").data.decode()
    cells = re.findall(r'<td class="explain">(.*?)</td>', page, re.S)
    assert cells
    for cell in cells:
        text = re.sub(r"<[^>]+>", " ", cell)
        assert not _chat_leaks(text, [*printed, "&amp;", "&lt;", "&gt;", "&#34;", "&#39;"]), text


TIE = "（并列者名次相同并取较好名次（如 1、2、2、4），末名（含并列）得最低分）"


def test_the_tie_rule_is_said_once_per_reply(lvliang):
    reply = lvliang.chat("sw1", "报送 信用承诺 35\n报送 履约践诺 20\n报送 联合奖惩 3")
    assert reply.count("排第1名") == 3  # three rank items explained…
    assert reply.count(TIE) == 1  # …one tie rule
    single = lvliang.chat("mz1", "报送 信用承诺 30")
    assert single.count(TIE) == 1  # a reply with one rank item keeps it


def test_the_echo_of_each_command_keeps_its_values_whole(lvliang):
    from bot.registry import ECHO_CHARS, echo
    text = "报送 联合奖惩 参与=3 发起=2\n报送 信用承诺 36\n月报 本月开展了诚信宣传活动两次，走访企业十二家，发放资料三百份"
    reply = lvliang.chat("sw1", text)
    heads = re.findall(r"^【\d】(.*)$", reply, re.M)
    assert heads[:2] == ["报送 联合奖惩 参与=3 发起=2", "报送 信用承诺 36"]
    assert heads[2].endswith("…") and len(heads[2]) <= ECHO_CHARS + 1
    long = "报送 双公示 准确率=98.5% 瞒报=0 数据量=1200 期别=2022-Q3"
    cut = echo(long)
    assert cut.endswith(" …") and len(cut) <= ECHO_CHARS + 2
    assert all(w in long.split(" ") for w in cut.removesuffix(" …").split(" "))  # whole words
    assert echo("月报 九月工作总结\n第二行") == "月报 九月工作总结 …"


def test_the_evidence_sheet_names_each_files_period(lvliang, tmp_path: Path):
    from openpyxl import load_workbook
    from bot.export import export_xlsx
    from ledger.office import office
    from worktime.calendar import make_calendar
    ledger = tmp_path / "双公示台账.xlsx"
    ledger.write_bytes(b"PK\x03\x04 rows")
    lvliang.at("2022-10-09T10:00").chat("sw1", "佐证 双公示 2022-Q3", files=[ledger])
    path = tmp_path / "考核表.xlsx"
    export_xlsx(lvliang.db, office(lvliang.db, 2022), path, lvliang.now.date(),
                make_calendar(lvliang.settings))
    sheet = load_workbook(path)["佐证材料"]
    head = [c.value for c in sheet[1]]
    assert head[:4] == ["单位", "指标", "期别", "文件名"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert ["市税务局", "3", "2022年第三季度", "双公示台账.xlsx"] in [r[:4] for r in rows]


@pytest.fixture
def two_hundred(office):
    """200 units: 20 sent September's briefing late, 180 not at all."""
    office.staff()
    for n in range(200):
        office.unit(f"市测试单位{n:03d}局", f"u{n}")
    for n in range(20):
        office.at("2022-10-09T10:00").chat(f"u{n}", "月报 9月工作")
    return office.at("2022-10-12T10:00")


def test_staff_lists_of_200_units_show_counts_a_screen_and_the_rest_on_request(two_hundred):
    from bot.screen import SCREEN_CHARS, SCREEN_LINES
    o = two_hundred
    not_sent = o.chat("staff1", "未交 2022-09")
    assert "未报送 180 个单位" in not_sent and "逾期报送 20 个单位" in not_sent
    hidden = [int(n) for n in re.findall(r"另有 (\d+) 个单位未列出", not_sent)]
    names = not_sent.split("\n")[1]
    assert len(names) <= SCREEN_CHARS and hidden[0] == 180 - len(names.split("、"))
    assert hidden[1] == 20 - SCREEN_LINES and "查看全部请发：未交 2022-09 全部" in not_sent
    everything = o.chat("staff1", "未交 2022-09 全部")
    assert "另有" not in everything and all(f"市测试单位{n:03d}局" in everything for n in range(200))
    ranking = o.chat("staff1", "排名")
    assert "另有 140 个单位未列出（共 200 个），查看全部请发：排名 全部" in ranking
    assert len(o.chat("staff1", "排名 全部").splitlines()) == 201
    assert "共 200 个单位" in o.chat("staff1", "单位")
