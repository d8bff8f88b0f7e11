"""The platform's figures for every unit at once: a sheet out (one row per unit, the current
values filled in), the same sheet back in chat — a preview, then 确认 — recorded as one act
that one 撤销 undoes, one notice per affected liaison; a bad cell is named and nothing is
applied."""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook, load_workbook

from ledger import submissions as subs
from ledger.units import find_unit, set_aliases


def _template(office, text: str = "导入模板 双公示 2022-Q3") -> Path:
    reply = office.pipeline.handle(office.message("staff1", text))
    assert reply.files, reply.text
    return Path(reply.files[0])


def _rows(path: Path) -> list[tuple]:
    return [r for r in load_workbook(path)["填报"].iter_rows(values_only=True)]


def _fill(path: Path, out: Path, cells: dict[str, object]) -> Path:
    wb = load_workbook(path)
    ws = wb["填报"]
    for ref, value in cells.items():
        ws[ref] = value
    wb.save(out)
    return out


def _live(office, unit_id: int, code: str = "3") -> dict:
    return {s.period: s.metrics for s in subs.list_submissions(office.db, unit_id, statuses=subs.LIVE)
            if s.indicator == code and s.kind == "data"}


def _notices(office) -> list[tuple[str, str]]:
    return office.db.execute("SELECT key, payload FROM outbox ORDER BY id").fetchall()


def test_the_template_has_a_row_per_unit_and_the_current_values(lvliang):
    set_aliases(lvliang.db, find_unit(lvliang.db, "市税务局"), ["税务"], lvliang.now, "test")
    lvliang.chat("sw1", "报送 双公示 准确率=95%")
    rows = _rows(_template(lvliang))
    assert rows[0] == ("单位", "简称", "数据准确率（报送正确数据量/报送数据量）", "“双公示”信息瞒报条数（条）")
    assert rows[1] == ("市税务局", "税务", 0.95, None)
    assert rows[2] == ("市民政局", None, None, None)
    note = dict((r[0], r[1]) for r in load_workbook(_template(lvliang))["说明"].iter_rows(values_only=True)
                if r and r[0])
    assert (note["指标"], note["期别"], note["年度"]) == ("3", "2022-Q3", "2022")


def test_preview_then_confirm_records_one_act_and_tells_each_liaison_once(lvliang, tmp_path):
    lvliang.chat("sw1", "报送 双公示 准确率=95%")
    sheet = _fill(_template(lvliang), tmp_path / "f.xlsx", {"C2": "98%", "D2": "三", "C3": 0.97})
    load = load_workbook(sheet)
    load["填报"]["C3"].number_format = "0.00%"  # what Excel keeps when 97% is typed
    load.save(sheet)
    preview = lvliang.chat("staff1", "", files=[sheet])
    assert "市税务局：数据准确率（报送正确数据量/报送数据量） 95% → 98%；“双公示”信息瞒报条数 （空） → 3" in preview
    assert "市民政局：数据准确率（报送正确数据量/报送数据量） （空） → 97%" in preview
    assert "回复「确认」" in preview
    assert _live(lvliang, 1)["2022-Q3"] == {"accuracy": 0.95}  # nothing applied before 确认
    assert _notices(lvliang) == []

    done = lvliang.chat("staff1", "确认")
    assert "2 个单位 3 项" in done and "编号 1（撤销请发：撤销 1）" in done
    assert _live(lvliang, 1)["2022-Q3"] == {"accuracy": 0.98, "concealed": 3}
    assert _live(lvliang, 2)["2022-Q3"] == {"accuracy": 0.97}
    notices = _notices(lvliang)
    assert [k for k, _ in notices] == ["import:1:1", "import:1:2"]
    assert "95% → 98%" in notices[0][1] and "（空） → 97%" in notices[1][1]
    acts = lvliang.db.execute("SELECT kind, undone_at FROM staff_acts").fetchall()
    assert acts == [("导入", None)]

    undone = lvliang.chat("staff1", "撤销 1")
    assert "已撤销编号 1（导入）" in undone
    told = [p for k, p in _notices(lvliang) if k.startswith("notice:")]
    assert len(told) == 2 and all("撤销了对您单位的一条记录（导入）" in p for p in told)
    assert _live(lvliang, 1)["2022-Q3"] == {"accuracy": 0.95}  # the liaison's own figure is back
    assert "2022-Q3" not in _live(lvliang, 2)


def test_a_bad_cell_is_named_by_sheet_row_and_column_and_nothing_is_applied(lvliang, tmp_path):
    sheet = _template(lvliang)
    wb = load_workbook(sheet)
    ws = wb["填报"]
    ws["C2"] = "很好"          # text where a number belongs
    ws["C3"] = "150%"         # outside the metric's range
    ws.append(["市不存在局", None, "90%"])  # unknown unit
    wb.save(tmp_path / "bad.xlsx")
    reply = lvliang.chat("staff1", "", files=[tmp_path / "bad.xlsx"])
    assert "未导入任何数据" in reply
    assert "「填报」表第2行 C列（数据准确率（报送正确数据量/报送数据量））：「很好」不是有效的数字" in reply
    assert "「填报」表第3行 C列" in reply and "150%" in reply
    assert "「填报」表第4行 A列：没有单位「市不存在局」" in reply
    assert "已导入" not in lvliang.chat("staff1", "确认")  # no import waits for it
    assert _live(lvliang, 1) == {} and _live(lvliang, 2) == {}


def test_a_figure_changed_after_the_preview_asks_again(lvliang, tmp_path):
    sheet = _fill(_template(lvliang), tmp_path / "f.xlsx", {"C2": "百分之九十九"})
    assert "（空） → 99%" in lvliang.chat("staff1", "", files=[sheet])
    lvliang.chat("sw1", "报送 双公示 准确率=90%")  # the liaison sends a figure meanwhile
    again = lvliang.chat("staff1", "确认")
    assert "预览之后有单位的数据发生了变化" in again and "90% → 99%" in again
    assert _live(lvliang, 1)["2022-Q3"] == {"accuracy": 0.9}
    assert "编号" in lvliang.chat("staff1", "确认")
    assert _live(lvliang, 1)["2022-Q3"] == {"accuracy": 0.99}


def test_cancel_and_other_commands_around_a_preview(lvliang, tmp_path):
    sheet = _fill(_template(lvliang), tmp_path / "f.xlsx", {"C2": "96%"})
    assert "→ 96%" in lvliang.chat("staff1", "", files=[sheet])
    assert "市民政局" in lvliang.chat("staff1", "排名")  # another command in between …
    assert "编号" in lvliang.chat("staff1", "确认")  # … keeps the preview waiting
    assert "→ 97%" in lvliang.chat("staff1", "", files=[_fill(sheet, tmp_path / "g.xlsx", {"C2": "97%"})])
    assert lvliang.chat("staff1", "取消") == "已取消，表格中的数据没有导入。"
    assert _live(lvliang, 1)["2022-Q3"] == {"accuracy": 0.96}


def test_an_unchanged_sheet_and_a_foreign_workbook(lvliang, tmp_path):
    assert "没有需要导入的变化" in lvliang.chat("staff1", "", files=[_template(lvliang)])
    wb = Workbook()
    wb.active.append(["单位", "分数"])
    wb.save(tmp_path / "other.xlsx")
    assert "这不是数据导入模板" in lvliang.chat("staff1", "", files=[tmp_path / "other.xlsx"])


def test_the_template_refuses_a_period_that_does_not_fit(lvliang):
    reply = lvliang.chat("staff1", "导入模板 双公示 2022-08")
    assert "按季度记录，期别应写作 2022-Q3" in reply
    assert "没有 2030 考核年度" in lvliang.chat("staff1", "导入模板 双公示 2030-Q1")
    assert "没有可批量导入的数据项" in lvliang.chat("staff1", "导入模板 月报 2022-08")


def test_a_liaison_cannot_import(lvliang, tmp_path):
    sheet = _fill(_template(lvliang), tmp_path / "f.xlsx", {"C2": "99%"})
    reply = lvliang.chat("sw1", "", files=[sheet])
    assert "导入预览" not in reply
    assert _live(lvliang, 1) == {}


def test_deduction_cases_are_not_imported(lvliang):
    assert "请用「扣分」逐条记录" in lvliang.chat("staff1", "导入模板 乱收费 2022")
