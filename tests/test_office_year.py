"""One office, several schemes and years: the migration of a one-scheme ledger, `creditbot init
--scheme A --scheme B`, `scheme add ID|FILE`, `unit import` type words, `year open/close`."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from conftest import Office
from ledger import db as ledger_db
from ledger.db import open_db
from ledger.office import offices, open_years, years
from ledger.units import list_units

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("CREDITBOT_DB", str(tmp_path / "c.db"))
    monkeypatch.setenv("CREDITBOT_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("CREDITBOT_NOW", "2022-09-01T10:00:00")
    monkeypatch.setenv("CREDITBOT_CONFIG", str(tmp_path / "none.toml"))
    return tmp_path


def run(*args: str) -> int:
    return main(list(args))


def test_a_one_scheme_ledger_from_before_is_migrated_and_keeps_scoring(tmp_path):
    """A database built by the first five migrations (one scheme, one year, in meta) opens
    with its scheme, year, units and submissions intact."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for n, script in enumerate(ledger_db.MIGRATIONS[:5], start=1):
        for stmt in ledger_db._statements(script):
            conn.execute(stmt)
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(n)])
    conn.execute("INSERT INTO meta VALUES ('scheme_id', 'lvliang-2022-departments')")
    conn.execute("INSERT INTO meta VALUES ('year', '2022')")
    conn.execute("INSERT INTO units(name, kind, created_at) VALUES ('市税务局', 'department', '')")
    conn.execute("INSERT INTO submissions(unit_id, indicator, period, kind, metrics, received_at,"
                 " channel) VALUES (1, '7', '2022', 'data', '{\"commitments\": 420}', "
                 "'2022-08-01T10:00:00', 'console')")
    conn.execute("INSERT INTO adjustments(unit_id, kind, indicator, value, created_at) "
                 "VALUES (1, 'points', '14', '3', '')")
    conn.commit()
    conn.close()

    db = open_db(path)
    assert years(db) == [(2022, "open")]
    [off] = offices(db)
    assert off.scheme.id == "lvliang-2022-departments" and off.year == 2022 and off.kinds is None
    from datetime import date
    from ledger.facts import all_facts
    from worktime.calendar import WorkCalendar
    facts = all_facts(db, off, date(2022, 9, 1), WorkCalendar.default())
    assert facts["市税务局"]["7"]["commitments"] == 420  # a year figure from before stays
    assert facts["市税务局"]["14"]["points"] == 3  # old adjustments belong to the first year


def test_init_with_two_schemes_assesses_each_unit_under_its_kind(env, capsys):
    assert run("init", "--scheme", "lvliang-2022-departments", "--scheme",
               "lvliang-2022-counties", "--year", "2022") == 0
    csv = env / "units.csv"
    csv.write_text("单位,类型,简称,联络员,用户ID\n市税务局,市直单位,税务,张敏,sw1\n"
                   "离石区,县区,,王刚,ls1\n孝义市,县（市、区）,孝义、孝义市政府,李娜,xy1\n"
                   "市民政局,部门,,赵磊,mz1\n", encoding="utf-8")
    assert run("unit", "import", str(csv)) == 0
    db = open_db(env / "c.db")
    kinds = {u.name: (u.kind, u.aliases) for u in list_units(db)}
    assert kinds == {"市税务局": ("department", ("税务",)), "离石区": ("county", ()),
                     "孝义市": ("county", ("孝义", "孝义市政府")), "市民政局": ("department", ())}
    capsys.readouterr()
    assert run("score") == 0
    out = capsys.readouterr().out
    assert all(name in out for name in kinds)
    dep, cty = offices(db)
    assert dep.kinds == ("department",) and cty.kinds == ("county",)


@pytest.mark.parametrize("line, expect", [
    ("离石区,乡镇", ":3 无法识别的单位类型「乡镇」"),
    (",县区", ":3 缺少单位名称"),
])
def test_a_bad_line_names_the_line_and_imports_nothing(env, capsys, line, expect):
    run("init", "--scheme", "lvliang-2022-departments", "--scheme", "lvliang-2022-counties",
        "--year", "2022")
    csv = env / "units.csv"
    csv.write_text(f"单位,类型\n市税务局,市直\n{line}\n", encoding="utf-8")
    capsys.readouterr()
    assert run("unit", "import", str(csv)) == 1
    err = capsys.readouterr().err
    assert expect in err
    if "类型" in expect:
        assert "县区" in err and "市直单位" in err  # the accepted words
    assert list_units(open_db(env / "c.db")) == []


def test_a_county_cannot_slip_into_a_departments_only_office(env, capsys):
    """Reproduction 5: `离石区,县区` was imported into the 市直 scheme and scored on its items."""
    run("init", "--scheme", "lvliang-2022-departments", "--year", "2022")
    csv = env / "units.csv"
    csv.write_text("单位,类型\n市税务局,市直\n离石区,县区\n", encoding="utf-8")
    capsys.readouterr()
    assert run("unit", "import", str(csv)) == 1
    err = capsys.readouterr().err
    assert ":3" in err and "离石区" in err and "scheme add" in err
    assert list_units(open_db(env / "c.db")) == []
    assert run("scheme", "add", "lvliang-2022-counties") == 0
    assert run("unit", "import", str(csv)) == 0
    assert {u.name: u.kind for u in list_units(open_db(env / "c.db"))} == {
        "市税务局": "department", "离石区": "county"}


def test_scheme_add_takes_a_checked_yaml_file(env, capsys):
    run("init", "--scheme", "lvliang-2022-departments", "--year", "2022")
    text = (ROOT / "schemes" / "lvliang-2022-counties.yaml").read_text(encoding="utf-8")
    bad = env / "bad.yaml"
    bad.write_text(text.replace("max_points: 15", "max_points: 16", 1), encoding="utf-8")
    capsys.readouterr()
    assert run("scheme", "add", str(bad)) == 1
    assert "bad.yaml:" in capsys.readouterr().err  # the `scheme check` lines, file:line
    good = env / "mine.yaml"
    good.write_text(text.replace("id: lvliang-2022-counties", "id: lvliang-2023-counties", 1),
                    encoding="utf-8")
    assert run("scheme", "add", str(good)) == 0
    good.unlink()  # installed: the office no longer needs the file
    db = open_db(env / "c.db")
    assert [o.scheme.id for o in offices(db)] == ["lvliang-2022-departments",
                                                   "lvliang-2023-counties"]
    again = env / "dup.yaml"
    again.write_text(text, encoding="utf-8")
    assert run("scheme", "add", str(again)) == 1  # a second scheme for counties
    assert "同一类单位只能按一个方案考核" in capsys.readouterr().err


def test_year_open_keeps_the_previous_year_until_closed(env, capsys):
    run("init", "--scheme", "lvliang-2022-departments", "--year", "2022")
    run("unit", "add", "市税务局")
    assert run("year", "open", "2023") == 0
    db = open_db(env / "c.db")
    assert open_years(db) == [2022, 2023]
    capsys.readouterr()
    assert run("score", "--year", "2022") == 0 and "市税务局" in capsys.readouterr().out
    assert run("export", str(env / "2022.xlsx"), "--year", "2022") == 0
    assert (env / "2022.xlsx").exists()
    assert run("year", "close", "2022") == 1  # lists what is pending, asks for --yes
    assert open_years(db) == [2022, 2023]
    assert run("year", "close", "2022", "--yes") == 0
    assert open_years(db) == [2023]
    assert run("year", "close", "2023") == 1  # the only open year: open the next first
    assert run("year", "open", "2022") == 1  # a closed year stays final
    assert "不能重新开启" in capsys.readouterr().err


def test_a_restart_with_init_leaves_one_open_year(tmp_path):
    from ledger.office import init_office
    o = Office(tmp_path)
    init_office(o.db, "puyang-2021-demo-city", 2021)
    assert open_years(o.db) == [2021]
    assert [off.scheme.id for off in offices(o.db)] == ["puyang-2021-demo-city"]


def test_staff_chat_speaks_of_each_scheme(tmp_path):
    from ledger.office import add_scheme
    from ledger.units import add_member, add_unit
    o = Office(tmp_path)
    add_scheme(o.db, "lvliang-2022-counties", o.now)
    dep = add_unit(o.db, "市税务局", "department", now=o.now)
    cty = add_unit(o.db, "离石区", "county", now=o.now)
    add_member(o.db, "sw1", "张敏", "liaison", dep.id, now=o.now)
    add_member(o.db, "ls1", "王刚", "liaison", cty.id, now=o.now)
    o.staff()
    o.at("2022-09-01T10:00").chat("sw1", "月报 8月工作")
    late = o.at("2022-09-06T10:00").chat("staff1", "未交 2022-08")
    assert "离石区" in late and "市税务局" not in late
    export = o.pipeline.handle(o.message("staff1", "导出"))
    assert len(export.files) == 2 and any("县区" in f for f in export.files)
    assert all(Path(f).exists() for f in export.files)
    card = o.chat("staff1", "单位 离石区")
    assert "吕梁市各县（市、区）" in card
    # a liaison sees their own scheme only
    assert "吕梁市各县（市、区）" in o.chat("ls1", "得分")
    assert "吕梁市市直成员单位" in o.chat("sw1", "得分")


def test_next_years_document_replaces_last_years_from_a_year_on(env, capsys):
    """This year's scheme for the same kind of unit takes over from a year on; a closed year
    keeps the scheme it closed with, so its results stay final."""
    run("init", "--scheme", "lvliang-2022-departments", "--year", "2022")
    run("unit", "add", "市税务局")
    run("year", "open", "2023")
    run("year", "close", "2022", "--yes")
    capsys.readouterr()
    assert run("score", "--year", "2022", "--json") == 0
    closed = capsys.readouterr().out
    text = (ROOT / "schemes" / "zhengzhou-2019-departments.yaml").read_text(encoding="utf-8")
    new = env / "2023方案.yaml"
    new.write_text(text.replace("id: zhengzhou-2019-departments", "id: shi-2023-departments", 1),
                   encoding="utf-8")
    assert run("scheme", "add", str(new)) == 1  # two schemes for departments in one year
    err = capsys.readouterr().err
    assert "同一类单位只能按一个方案考核" in err and f"scheme add {new} --from" in err
    assert run("scheme", "add", str(new), "--from", "2022") == 1  # into the closed year
    assert "2022 年度已关闭，结果已定稿" in capsys.readouterr().err
    assert run("scheme", "add", str(new), "--from", "2023") == 0
    assert "2023 年度起使用" in capsys.readouterr().out
    db = open_db(env / "c.db")
    assert [o.scheme.id for o in offices(db, 2022)] == ["lvliang-2022-departments"]
    assert [o.scheme.id for o in offices(db, 2023)] == ["shi-2023-departments"]
    assert run("score", "--year", "2022", "--json") == 0
    assert capsys.readouterr().out == closed  # the closed year is not rescored
    assert run("score", "--year", "2023") == 0
    assert "推进落实（5分）" in capsys.readouterr().out  # an item of the new scheme
    # the copy that closed 2022 is final: a corrected file of it is refused
    old = env / "lvliang.yaml"
    old.write_text((ROOT / "schemes" / "lvliang-2022-departments.yaml").read_text(encoding="utf-8"),
                   encoding="utf-8")
    assert run("scheme", "add", str(old)) == 1
    assert "已用于已关闭的 2022 年度" in capsys.readouterr().err
