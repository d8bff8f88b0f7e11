"""`creditbot scheme check FILE`: a broken scheme file is refused with `FILE:LINE` and a Chinese
message; every shipped scheme passes. Each case edits one line of a small valid scheme."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from command_line import Run, creditbot
from schemes.loader import SCHEME_DIR, load_scheme, scheme_by_id, shipped_schemes

ROOT = Path(__file__).resolve().parent.parent

# A valid scheme; line numbers below refer to this text (line 1 is `id:`).
GOOD = """\
id: tiny
title: 测试方案
issuer: 测试信用办
year: 2022
audience: departments
base_total: 10
categories:
  - code: 一
    name: 工作机制
    max_points: 10
    indicators:
      - code: "1"
        name: 工作机制建设
        max_points: 4
        metrics:
          - {name: staffed, label: 明确分管领导, type: bool}
        parts:
          - kind: checklist
            items:
              - {metric: staffed, points: 4}
      - code: "2"
        name: 案例报送
        max_points: 6
        metrics:
          - {name: cases, label: 案例数, type: count}
          - {name: total, label: 总数, type: count}
        parts:
          - kind: formula
            expr: cases / total * 6
"""


def line_of(text: str, needle: str) -> int:
    for n, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return n
    raise AssertionError(needle)


def check(path: Path) -> Run:
    return creditbot("scheme", "check", str(path))


def has_chinese(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


def test_good_scheme_passes(tmp_path):
    f = tmp_path / "good.yaml"
    f.write_text(GOOD, encoding="utf-8")
    r = check(f)
    assert r.returncode == 0, r.stderr
    assert "检查通过" in r.stdout


# (case id, old text, new text, text on the line the error must point at, words in the message)
BROKEN = [
    ("indicator-sum", "        max_points: 4\n", "        max_points: 5\n",
     "    max_points: 10", ["分值", "合计"]),
    ("base-total", "base_total: 10", "base_total: 12", "base_total: 12", ["总分"]),
    ("unknown-kind", "kind: checklist", "kind: checkbox", "kind: checkbox", ["未知的规则类型"]),
    ("undeclared-metric", "expr: cases / total * 6", "expr: cases / totals * 6",
     "expr: cases / totals * 6", ["未声明", "totals"]),
    ("negative-max", "        max_points: 4\n", "        max_points: -4\n",
     "max_points: -4", ["负数"]),
    ("missing-max", "        max_points: 6\n", "", "      - code: \"2\"", ["max_points", "分值"]),
    ("duplicate-code", '      - code: "2"', '      - code: "1"', "name: 案例报送", ["重复"]),
    ("unparseable-formula", "expr: cases / total * 6", "expr: cases / (total * 6",
     "expr: cases / (total * 6", ["无法解析"]),
    ("import", "expr: cases / total * 6", "expr: __import__('os')",
     "expr: __import__('os')", ["公式"]),
    ("attribute", "expr: cases / total * 6", "expr: cases.real / total",
     "expr: cases.real / total", ["不允许"]),
    ("typo-key", "        metrics:\n          - {name: cases",
     "        metrix:\n          - {name: cases", "metrix:", ["未知字段", "metrix"]),
    ("range-order", "{name: cases, label: 案例数, type: count}",
     "{name: cases, label: 案例数, type: count, min: 5, max: 2}", "min: 5, max: 2", ["取值范围", "min"]),
    ("range-count-fraction", "{name: cases, label: 案例数, type: count}",
     "{name: cases, label: 案例数, type: count, max: 2.5}", "max: 2.5", ["整数"]),
    ("range-on-bool", "{name: staffed, label: 明确分管领导, type: bool}",
     "{name: staffed, label: 明确分管领导, type: bool, max: 1}", "type: bool, max: 1", ["取值范围"]),
    # a value only the office enters (a finding) must say what holds until it does
    ("office-without-default", "{name: cases, label: 案例数, type: count}",
     "{name: cases, label: 案例数, type: count, entered_by: office}", "entered_by: office",
     ["指标 2「案例报送」", "cases（案例数）", "由信用办录入", "default"]),
    ("default-for-unit-value", "{name: cases, label: 案例数, type: count}",
     "{name: cases, label: 案例数, type: count, default: 0}", "default: 0", ["default", "信用办录入"]),
    ("default-of-wrong-type", "{name: staffed, label: 明确分管领导, type: bool}",
     "{name: staffed, label: 明确分管领导, type: bool, entered_by: office, default: 0}",
     "entered_by: office, default: 0", ["默认值", "是/否"]),
    ("yaml-syntax", "    name: 工作机制\n", "    name: 工作机制\n   bad: [\n",
     "bad: [", ["YAML"]),
]


@pytest.mark.parametrize("case, old, new, at, words", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_scheme_is_refused_with_file_and_line(tmp_path, case, old, new, at, words):
    assert old in GOOD, case
    text = GOOD.replace(old, new, 1)
    f = tmp_path / f"{case}.yaml"
    f.write_text(text, encoding="utf-8")
    r = check(f)
    assert r.returncode != 0
    if case == "duplicate-code":
        line = line_of(text, "name: 案例报送") - 1  # the second `code: "1"`
    elif case == "yaml-syntax":
        line = None  # the parser reports where it noticed the problem: check only the file
    else:
        line = line_of(text, at)
    if line is not None:
        assert f"{f}:{line} " in r.stderr, r.stderr
    else:
        assert re.search(re.escape(str(f)) + r":\d+ ", r.stderr), r.stderr
    assert has_chinese(r.stderr)
    for w in words:
        assert w in r.stderr, (w, r.stderr)
    assert "Traceback" not in r.stderr


def test_several_problems_are_all_listed(tmp_path):
    text = GOOD.replace("kind: checklist", "kind: checkbox").replace("base_total: 10", "base_total: 12")
    f = tmp_path / "two.yaml"
    f.write_text(text, encoding="utf-8")
    r = check(f)
    assert r.returncode != 0
    assert f"{f}:{line_of(text, 'kind: checkbox')} " in r.stderr


def test_missing_file_is_an_error_not_a_traceback(tmp_path):
    r = check(tmp_path / "nope.yaml")
    assert r.returncode != 0 and "Traceback" not in r.stderr and has_chinese(r.stderr)


@pytest.mark.parametrize("path", sorted(SCHEME_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_scheme_passes(path):
    r = check(path)
    assert r.returncode == 0, r.stderr
    assert "检查通过" in r.stdout


def test_each_shipped_file_is_named_for_its_scheme_id():
    """scheme_by_id reads schemes/<id>.yaml alone; a misnamed file would still be found (by
    reading them all), but the shipped ones keep the rule."""
    paths = sorted(SCHEME_DIR.glob("*.yaml"))
    assert len(paths) >= 7
    for path in paths:
        assert load_scheme(path).id == path.stem
        assert scheme_by_id(path.stem) is shipped_schemes()[path.stem]  # one parse, one object


def test_duplicate_keys_and_division_by_zero_are_refused(tmp_path):
    good = (ROOT / "schemes" / "lvliang-2022-departments.yaml").read_text(encoding="utf-8")
    dup = tmp_path / "dup.yaml"
    dup.write_text(good.replace("id: lvliang-2022-departments\n",
                                "id: lvliang-2022-departments\nid: another\n", 1), encoding="utf-8")
    out = check(dup)
    assert out.returncode != 0 and "重复" in out.stderr and f"{dup}:" in out.stderr
    zero = tmp_path / "zero.yaml"
    zero.write_text(good.replace("value: tax_records / enterprises", "value: tax_records / 0", 1),
                    encoding="utf-8")
    out = check(zero)
    assert out.returncode != 0 and "除以0" in out.stderr


def test_metric_ranges_survive_the_excel_round_trip(tmp_path):
    from schemes.loader import shipped_schemes
    from authoring.workbook import export_workbook, import_workbook
    scheme = shipped_schemes()["huangshi-2019-demo-city"]
    back, text = import_workbook(export_workbook(scheme, tmp_path / "hs.xlsx"))
    bounds = {(i.code, m.name): m.bounds() for _, i in scheme.indicators() for m in i.metrics}
    assert bounds == {(i.code, m.name): m.bounds() for _, i in back.indicators() for m in i.metrics}
    assert "min: -1" in text and "max: null" in text  # 非法集资 growth: may fall, no upper limit


def test_a_control_character_in_a_label_does_not_break_scheme_export(tmp_path):
    """Issue 21 item 8: `\v` passes the loader; the workbook writer shares bot.export's safe cell,
    so the export writes (without the character) and reads back."""
    from schemes.loader import load_text, shipped_schemes
    from authoring.workbook import export_workbook, import_workbook
    src = shipped_schemes()["lvliang-2022-departments"]
    ind = next(i for _, i in src.indicators() if i.metrics)
    label = ind.metrics[0].label
    path = next(p for p in (ROOT / "schemes").glob("lvliang-2022-departments.yaml"))
    text = path.read_text(encoding="utf-8").replace(f"label: {label}", f"label: \"{label}\\v甲\"", 1)
    assert "\\v甲" in text
    scheme = load_text(text, "v.yaml")
    assert any("\v" in m.label for _, i in scheme.indicators() for m in i.metrics)
    back, _ = import_workbook(export_workbook(scheme, tmp_path / "v.xlsx"))
    labels = {m.label for _, i in back.indicators() for m in i.metrics}
    assert f"{label}甲" in labels and not any("\v" in x for x in labels)
