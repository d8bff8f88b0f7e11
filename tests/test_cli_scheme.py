"""The JSON contracts of `creditbot scheme list|show` and `creditbot score --scheme`, through the
command line's main(argv), as staff and scripts would run it."""
from __future__ import annotations

import json

import pytest
from command_line import Run, creditbot
from schemes.loader import shipped_schemes

IDS = ["zhengzhou-2019-departments", "zhengzhou-2019-counties", "huangshi-2019-demo-city",
       "puyang-2021-demo-city", "zhengzhou-2022-workplan", "lvliang-2022-departments",
       "lvliang-2022-counties"]
RULE_KINDS = {"checklist", "per_item", "formula", "piecewise", "bands", "rank", "deduction",
              "discretionary", "pass_fail", "task", "composite"}


def cli(*args: str, ok: bool = True) -> Run:
    r = creditbot(*args)
    if ok:
        assert r.returncode == 0, r.stderr
    return r


def cli_json(*args: str):
    return json.loads(cli(*args).stdout)


def test_scheme_list_json():
    rows = cli_json("scheme", "list", "--json")
    assert sorted(r["id"] for r in rows) == sorted(IDS)
    for r in rows:
        assert {"id", "title", "year", "audience"} <= set(r)
        assert isinstance(r["year"], int) and r["title"]
    assert {r["id"]: r["audience"] for r in rows}["zhengzhou-2022-workplan"] == "tasks"


@pytest.fixture(scope="module")
def shown() -> dict[str, dict]:
    return {sid: cli_json("scheme", "show", sid, "--json") for sid in IDS}


@pytest.mark.parametrize("sid", IDS)
def test_scheme_show_shape(shown, sid):
    d = shown[sid]
    assert {"id", "title", "base_total", "bonus_cap", "deduction_cap", "bands",
            "indicators"} <= set(d)
    assert d["id"] == sid and d["indicators"]
    for ind in d["indicators"]:
        assert {"code", "name", "category", "max_points", "kind", "metrics", "responsible",
                "due", "note"} <= set(ind), ind["code"]
        assert isinstance(ind["kind"], str) and ind["kind"] in RULE_KINDS
        assert ind["kind"] == "composite" or {p["kind"] for p in ind["parts"]} == {ind["kind"]}
        assert isinstance(ind["metrics"], list)
        assert ind["responsible"] is None or (isinstance(ind["responsible"], list)
                                              and ind["responsible"])
        assert ind["due"] is None or "frequency" in ind["due"]
        assert ind["note"] is None or ind["note"]
        assert ind["max_points"] is None or isinstance(ind["max_points"], (int, float))
    codes = [i["code"] for i in d["indicators"]]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("sid, base, bonus, deduction", [
    ("zhengzhou-2019-departments", 100, 10, None),
    ("zhengzhou-2019-counties", 100, 10, None),
    ("huangshi-2019-demo-city", 100, 10, None),
    ("puyang-2021-demo-city", 100, 13, None),
    ("zhengzhou-2022-workplan", None, None, None),
    ("lvliang-2022-departments", 100, None, 20),
    ("lvliang-2022-counties", 100, None, 30),
])
def test_scheme_show_totals(shown, sid, base, bonus, deduction):
    d = shown[sid]
    assert (d["base_total"], d["bonus_cap"], d["deduction_cap"]) == (base, bonus, deduction)


def test_scheme_show_details(shown):
    lv = shown["lvliang-2022-departments"]
    assert lv["bands"] == [{"name": "优秀", "min": 90}, {"name": "良好", "min": 80},
                           {"name": "一般", "min": 60}, {"name": "较差", "min": 0}]
    assert shown["zhengzhou-2019-departments"]["bands"] is None
    by_code = {i["code"]: i for i in lv["indicators"]}
    assert by_code["1"]["kind"] == "checklist" and by_code["1"]["max_points"] == 5
    assert by_code["3"]["kind"] == "composite"  # rank + piecewise + checklist
    assert [p["kind"] for p in by_code["3"]["parts"]] == ["rank", "piecewise", "checklist"]
    assert by_code["11"]["due"] == {"frequency": "monthly", "day": 2, "text": "每月2日前报送上月工作开展情况总结"}
    assert by_code["八.1"]["kind"] == "deduction"
    assert by_code["1"]["metrics"][0]["name"] == "staffed"
    hs = {i["code"]: i for i in shown["huangshi-2019-demo-city"]["indicators"]}
    assert any(i["responsible"] for i in hs.values())
    wp = shown["zhengzhou-2022-workplan"]["indicators"]
    assert len(wp) == 27 and all(i["kind"] == "task" and i["max_points"] is None for i in wp)


def test_scheme_show_unknown_id_is_a_clear_error():
    r = cli("scheme", "show", "no-such-scheme", "--json", ok=False)
    assert r.returncode != 0 and "no-such-scheme" in r.stderr and "Traceback" not in r.stderr


# Points that stand before anyone reports: what the office finds and has not entered is nothing
# found (seed 000 三 and 001 三.2: 无政府重大失信事件得3/2分; seed 002 五(二) 2+1, 五(四) 2+4, 五(六) 2).
NOTHING_FOUND = {"zhengzhou-2019-departments": 3, "zhengzhou-2019-counties": 3,
                 "huangshi-2019-demo-city": 2, "puyang-2021-demo-city": 11}


@pytest.mark.parametrize("sid", IDS)
def test_score_without_facts(sid):
    d = cli_json("score", "--scheme", sid, "--json")
    assert {"total", "base", "bonus", "deductions", "band", "gates_passed", "indicators"} <= set(d)
    scheme = shipped_schemes()[sid]
    for ind in d["indicators"]:
        assert {"code", "points", "max_points", "status", "explain"} <= set(ind)
        metrics = scheme.indicator(ind["code"]).metrics
        if ind["code"].startswith(("八.", "七.")) and sid.startswith("lvliang"):
            # no reported case means no deduction: scored, 0, and it says so
            assert ind["status"] == "scored" and ind["points"] == 0
            assert "不扣分" in ind["explain"]
        elif metrics and all(m.entered_by == "office" for m in metrics):
            # nothing the unit sends: the office's "nothing found" stands, scored
            assert ind["status"] == "scored" and "信用办未录入" in ind["explain"], ind
        else:
            assert ind["status"] == "missing", ind
            assert ind["explain"]
    if sid == "zhengzhou-2022-workplan":
        assert d["total"] is None and d["base"] is None
    else:
        assert d["total"] == NOTHING_FOUND.get(sid, 0) and d["deductions"] == 0
    if sid.startswith("lvliang"):
        assert d["band"] == "较差"
    if sid in ("huangshi-2019-demo-city", "puyang-2021-demo-city"):
        assert d["gates_passed"] is False  # a gate with no data has not passed


def score_facts(tmp_path, scheme: str, text: str) -> tuple[dict, dict]:
    """Score a facts file through the CLI: the card, and its items by code."""
    f = tmp_path / "facts.yaml"
    f.write_text(text, encoding="utf-8")
    d = cli_json("score", "--scheme", scheme, "--facts", str(f), "--json")
    return d, {i["code"]: i for i in d["indicators"]}


def test_score_with_facts_file(tmp_path):
    d, items = score_facts(tmp_path, "lvliang-2022-departments",
                           "'1': {staffed: 是, mechanism: 是}\n'八.1': {cases: 3}\n'八.2': {cases: 2}\n"
                           "'5': {classes: '3'}\n")
    assert items["1"]["points"] == 5 and items["1"]["status"] == "scored"
    assert items["5"]["points"] == 6  # numeric text is read as a number
    assert items["八.1"]["points"] == -10 and items["八.2"]["points"] == -10
    assert d["base"] == 11 and d["deductions"] == 20 and d["total"] == 0
    j = tmp_path / "facts.json"
    j.write_text(json.dumps({"1": {"staffed": True}}), encoding="utf-8")
    d = cli_json("score", "--scheme", "lvliang-2022-departments", "--facts", str(j), "--json")
    assert d["total"] == 2


def test_score_text_output():
    r = cli("score", "--scheme", "lvliang-2022-counties")
    assert "总分" in r.stdout and "较差" in r.stdout


def test_score_warns_about_unknown_keys_and_refuses_a_per_unit_file(tmp_path):
    f = tmp_path / "f.yaml"
    f.write_text('"99": {x: 1}\n"7": {commitments: 3, foo: 1}\n', encoding="utf-8")
    out = creditbot("score", "--scheme", "lvliang-2022-departments", "--facts", str(f), "--json")
    assert out.returncode == 0 and "「99」" in out.stderr and "「foo」" in out.stderr
    g = tmp_path / "g.yaml"
    g.write_text('市A局: {"7": {commitments: 3}}\n', encoding="utf-8")
    out = creditbot("score", "--scheme", "lvliang-2022-departments", "--facts", str(g))
    assert out.returncode == 1 and "不按单位分组" in out.stderr


def test_score_facts_refuses_a_percent_above_one_and_reads_percent_text(tmp_path):
    f = tmp_path / "f.yaml"
    f.write_text("五: {platform_linked: 是, licensing_penalty_rate: 98}\n", encoding="utf-8")
    out = cli("score", "--scheme", "zhengzhou-2019-departments", "--facts", str(f), "--json", ok=False)
    assert out.returncode == 1 and "licensing_penalty_rate" in out.stderr and "0.98" in out.stderr
    _, items = score_facts(tmp_path, "zhengzhou-2019-departments",
                           "五: {platform_linked: 是, licensing_penalty_rate: '98%'}\n")
    assert items["五"]["points"] == 10  # 98% is not 100%
    # a growth rate may be negative (and above 100%)
    _, items = score_facts(tmp_path, "huangshi-2019-demo-city", "七.5: {growth: -0.1}\n")
    assert items["七.5"]["points"] == 1


def test_score_facts_rank_items_take_given_points_or_peers(tmp_path):
    _, items = score_facts(tmp_path, "lvliang-2022-departments",
                           "'7': {commitments: 35, peers: {市A局: 120, 市B局: 80, 市C局: 10}}\n"
                           "'8': {fulfilments: 20, rank_points: 3}\n")
    assert items["7"]["points"] == 2.3333  # 5 − 4×(3−1)/(4−1)
    assert "在4个单位中排第3名" in items["7"]["explain"]
    assert items["8"]["points"] == 3 and "给定" in items["8"]["explain"]
    _, items = score_facts(tmp_path, "lvliang-2022-departments", "'7': {commitments: 35}\n")
    assert items["7"]["points"] == 5  # ranked alone


def test_score_facts_refuses_rank_points_out_of_range_or_on_a_non_rank_item(tmp_path):
    f = tmp_path / "f.yaml"
    f.write_text("'8': {fulfilments: 20, rank_points: 9}\n'1': {staffed: 是, rank_points: 1}\n",
                 encoding="utf-8")
    out = cli("score", "--scheme", "lvliang-2022-departments", "--facts", str(f), ok=False)
    assert out.returncode == 1 and "0 到 5" in out.stderr and "不是排名计分项" in out.stderr
