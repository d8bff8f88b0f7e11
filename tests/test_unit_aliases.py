"""Units by any name: a 简称/别名 column in the CSV, `unit alias`, and every command that names
a unit finds it by its short name."""
from __future__ import annotations

import pytest

from command_line import creditbot
from ledger.db import LedgerError
from ledger.units import find_unit, import_units, list_units


def test_csv_short_names_are_found_everywhere(lvliang, tmp_path):
    csv = tmp_path / "units.csv"
    csv.write_text("单位,类型,联络员,用户ID,简称\n市发展改革委,市直,王强,fgw1,发改委、发改\n"
                   "市税务局,市直,,,税务局\n", encoding="utf-8")
    assert import_units(lvliang.db, csv) == (1, 1)
    assert find_unit(lvliang.db, "发改委").name == "市发展改革委"
    assert find_unit(lvliang.db, "税务局").name == "市税务局"  # added to an existing unit
    assert "市发展改革委" in lvliang.chat("staff1", "单位 发改委") and "总分" in lvliang.chat("staff1", "单位 发改委")
    lvliang.chat("fgw1", "报送 信用承诺 35")
    assert "已通过" in lvliang.chat("staff1", "审核 发改委 信用承诺 通过")
    assert "编号" in lvliang.chat("staff1", "代报 发改 履约践诺 12")
    assert "发改委" in lvliang.chat("sw1", "单位列表")


def test_a_short_name_cannot_belong_to_two_units(lvliang, tmp_path):
    csv = tmp_path / "units.csv"
    csv.write_text("单位,类型,简称\n市发展改革委,市直,民政局\n", encoding="utf-8")
    with pytest.raises(LedgerError, match="units.csv:2 .*市民政局"):
        import_units(lvliang.db, csv)
    assert [u.name for u in list_units(lvliang.db)] == ["市税务局", "市民政局"]


def test_cli_adds_a_short_name(lvliang):
    r = creditbot("unit", "alias", "市税务局", "税务", "市税务",
                  env={"CREDITBOT_DB": lvliang.settings["CREDITBOT_DB"]})
    assert r.returncode == 0, r.stderr
    assert "税务、市税务" in r.stdout
    assert find_unit(lvliang.db, "税务").name == "市税务局"
