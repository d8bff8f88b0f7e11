"""The ledger: units and members, imports, migrations, nothing deleted, city-level schemes."""
from __future__ import annotations

from datetime import datetime

import pytest

from ledger import audit
from ledger.db import SCHEMA_VERSION, get_meta, open_db
from ledger.facts import init_office
from ledger.submissions import list_submissions
from ledger.units import (add_member, add_unit, find_member, find_unit, import_units,
                          liaisons_of, list_units)
from ledger.db import LedgerError


def test_fresh_db_is_migrated_and_reopening_is_harmless(tmp_path):
    path = tmp_path / "x.db"
    db = open_db(path)
    assert get_meta(db, "schema_version") == str(SCHEMA_VERSION)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()
    db = open_db(path)
    assert get_meta(db, "schema_version") == str(SCHEMA_VERSION)


def test_import_sixty_units_with_liaisons(tmp_path):
    db = open_db(tmp_path / "x.db")
    csv = tmp_path / "units.csv"
    lines = ["单位,类型,联络员,用户ID"] + [f"单位{n:02d},{'县区' if n % 3 == 0 else '市直'},联络员{n},u{n}"
                                          for n in range(60)]
    csv.write_text("\n".join(lines), encoding="utf-8-sig")
    assert import_units(db, csv, channel="wecom") == (60, 60)
    assert import_units(db, csv, channel="wecom") == (0, 0)  # importing again adds nothing
    units = list_units(db)
    assert len(units) == 60 and sum(u.kind == "county" for u in units) == 20
    assert find_member(db, "wecom", "u7").unit_id == find_unit(db, "单位07").id
    assert find_member(db, "dingtalk", "u7") is None  # the same id there is someone else


def test_import_reports_the_bad_line(tmp_path):
    db = open_db(tmp_path / "x.db")
    csv = tmp_path / "units.csv"
    csv.write_text("单位,类型,联络员,用户ID\n市税务局,市直,张,u1\n,市直,李,u2\n", encoding="utf-8")
    with pytest.raises(LedgerError, match=r"units.csv:3"):
        import_units(db, csv)
    assert list_units(db) == []  # all or nothing


def test_a_binding_answers_only_on_its_own_platform(tmp_path):
    db = open_db(tmp_path / "x.db")
    u1, u2 = add_unit(db, "市税务局"), add_unit(db, "市民政局")
    add_member(db, "same", "张", "liaison", u1.id, channel="wecom")
    add_member(db, "same", "赵", "liaison", u2.id, channel="dingtalk")
    add_member(db, "legacy", "钱", "liaison", u1.id)  # unscoped ('*'): not yet pinned
    assert find_member(db, "wecom", "same").unit_id == u1.id
    assert find_member(db, "wecom_aibot", "same").unit_id == u1.id
    assert find_member(db, "dingtalk", "same").unit_id == u2.id
    assert find_member(db, "wecom", "other") is None
    assert find_member(db, "wecom", "legacy") is None and find_member(db, "dingtalk", "legacy") is None
    assert find_member(db, "console", "legacy").name == "钱"  # the operator on the server


def test_liaison_needs_a_unit_and_roles_are_checked(tmp_path):
    db = open_db(tmp_path / "x.db")
    with pytest.raises(LedgerError, match="单位"):
        add_member(db, "x", "x", "liaison", None)
    with pytest.raises(LedgerError, match="角色"):
        add_member(db, "x", "x", "boss", None)


def test_deputy_receives_reminders_while_on_leave(lvliang):
    assert "还没有绑定" in lvliang.chat("sw1", "代理 li4 至 2022-09-30")
    unit = find_unit(lvliang.db, "市税务局")
    add_member(lvliang.db, "li4", "李四", "liaison", unit.id)  # a colleague in the same unit
    assert "已经过去" in lvliang.chat("sw1", "代理 li4 至 2022-08-30")
    assert "请写明代理到哪一天" in lvliang.chat("sw1", "代理 li4")  # leave has an end
    assert "已设置" in lvliang.chat("sw1", "代理 li4 至 2022-09-30")
    assert liaisons_of(lvliang.db, unit.id, "2022-09-10") == ["li4"]
    assert liaisons_of(lvliang.db, unit.id, "2022-10-01") == ["sw1", "li4"]  # both, once over
    assert any(e["action"] == "member.deputy" for e in audit.entries(lvliang.db))


def test_a_deputy_outside_the_unit_needs_the_office(lvliang):
    add_member(lvliang.db, "xyb2", "王芳", "staff", None)
    refused = lvliang.chat("sw1", "代理 mz1 至 2022-09-30")  # another unit's liaison
    assert "本单位的联络员" in refused and "批准代理 sw1 mz1 至 2022-09-30" in refused
    assert "本单位的联络员" in lvliang.chat("sw1", "代理 xyb2 至 2022-09-30")  # a staff member
    assert "最长半年" in lvliang.chat("staff1", "批准代理 sw1 mz1 至 2023-09-30")
    assert "已批准" in lvliang.chat("staff1", "批准代理 sw1 mz1 至 2022-09-30")
    unit = find_unit(lvliang.db, "市税务局")
    assert liaisons_of(lvliang.db, unit.id, "2022-09-30") == ["mz1"]
    assert liaisons_of(lvliang.db, unit.id, "2022-10-01") == ["sw1"]  # it ends on its date
    assert "仅限信用办" in lvliang.chat("sw1", "批准代理 sw1 mz1 至 2022-09-30")


def test_every_change_is_in_the_audit_log(lvliang):
    lvliang.chat("sw1", "报送 信用承诺 35")
    lvliang.chat("staff1", "审核 市税务局 信用承诺 通过")
    actions = [e["action"] for e in audit.entries(lvliang.db)]
    assert "submission.add" in actions and "review.accepted" in actions


def test_superseded_data_is_kept(lvliang):
    lvliang.chat("sw1", "报送 信用承诺 35")
    lvliang.chat("sw1", "报送 信用承诺 40")
    assert [s.status for s in list_submissions(lvliang.db)] == ["submitted", "superseded"]


def test_demo_city_department_sees_its_own_items_and_staff_the_city(office):
    init_office(office.db, "huangshi-2019-demo-city", 2019)
    office.unit("市法院", "fy1")
    office.staff()
    office.at("2019-01-20T10:00")
    missing = office.chat("fy1", "缺项 全部")
    assert "待补" in missing and "六" in missing  # 司法公信 items name 市法院
    assert "金融" in missing or "执结率" in missing
    card = office.chat("staff1", "得分")
    assert "全市（预计）" in card and "总分" in card


def test_quarterly_ledger_sent_on_a_moved_deadline_counts_for_the_previous_quarter(lvliang, tmp_path):
    # 2022-07-10 is a Sunday: the Q2 双公示台账 is due Monday 2022-07-11.
    f = tmp_path / "双公示台账.pdf"
    f.write_bytes(b"%PDF-1.4 q2")
    reply = lvliang.at("2022-07-11T10:00").chat("sw1", "佐证 双公示", files=[f])
    assert "2022-Q2" in reply and "按时" in reply


def test_unit_group_robot_settings_survive_in_the_ledger(tmp_path):
    from ledger.units import set_group
    db = open_db(tmp_path / "x.db")
    unit = add_unit(db, "市税务局")
    set_group(db, unit, "http://127.0.0.1:9/robot/send?access_token=x", "dingtalk", "SECabc",
              False, datetime(2022, 9, 1), "test")
    again = find_unit(db, "市税务局")
    assert again.group_secret == "SECabc" and again.group_channel == "dingtalk"
    assert again.mention_in_group is False
    with pytest.raises(LedgerError):
        set_group(db, unit, "x", "email", None, True, datetime(2022, 9, 1), "test")


def test_an_older_database_is_migrated_forward_keeping_its_rows(tmp_path):
    import sqlite3
    from ledger.db import MIGRATIONS, _statements
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for stmt in _statements(MIGRATIONS[0]):
        conn.execute(stmt)
    conn.execute("INSERT INTO meta(key, value) VALUES ('schema_version', '1')")
    conn.execute("INSERT INTO units(name, kind, created_at) VALUES ('市税务局', 'department', 'x')")
    conn.commit()
    conn.close()
    db = open_db(path)
    assert get_meta(db, "schema_version") == str(SCHEMA_VERSION)
    assert find_unit(db, "市税务局").group_secret is None


def test_group_names_in_responsible_units_reach_every_unit_of_that_kind(office):
    init_office(office.db, "huangshi-2019-demo-city", 2019)
    office.unit("市园林局", "yl1")
    county = add_unit(office.db, "阳新县", kind="county")
    add_member(office.db, "yx1", "阳", "liaison", county.id)
    office.at("2019-01-20T10:00")
    assert "待补" in office.chat("yl1", "缺项")  # 市直各部门 items
    assert "待补" in office.chat("yx1", "缺项")  # 县（市）区人民政府 items


def test_workplan_units_see_only_their_tasks_in_task_order(office):
    init_office(office.db, "zhengzhou-2022-workplan", 2022)
    office.unit("市教育局", "jy1")
    office.at("2022-05-01T10:00")
    reply = office.chat("jy1", "缺项")
    codes = [line.split()[1] for line in reply.splitlines() if line.startswith("· ")]
    assert "1" not in codes  # task 1 is 市发展改革委's alone
    assert codes == sorted(codes, key=int) and "按任务序号" in reply


def test_import_reads_gbk_and_refuses_a_person_in_two_units(tmp_path):
    db = open_db(tmp_path / "x.db")
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("单位,类型,联络员,用户ID\n市教育局,市直,王,a1\n中原区,区县,李,b1\n".encode("gbk"))
    assert import_units(db, gbk) == (2, 2)
    assert find_unit(db, "中原区").kind == "county"
    dup = tmp_path / "dup.csv"
    dup.write_text("单位,类型,联络员,用户ID\n市科技局,市直,王,c1\n市商务局,市直,王,c1\n",
                   encoding="utf-8")
    with pytest.raises(LedgerError, match=r"dup.csv:3.*c1"):
        import_units(db, dup)
    assert [u.name for u in list_units(db)] == ["市教育局", "中原区"]


def test_a_department_owes_evidence_for_its_basic_indicators_until_sent(office, tmp_path):
    init_office(office.db, "puyang-2021-demo-city", 2021)
    office.unit("市中级人民法院", "fy1")
    office.at("2021-05-20T10:00")
    assert "基础3" in office.chat("fy1", "缺项")  # 失信被执行人整改 names 市中级人民法院
    f = tmp_path / "说明.pdf"
    f.write_bytes(b"%PDF-1.4 basic 3")
    assert "已收到" in office.chat("fy1", "佐证 基础3", files=[f])
    assert "基础3" not in office.chat("fy1", "缺项")
    assert "信用办" in office.chat("fy1", "报送 基础3 passed=是")  # the office confirms gates


def test_every_status_a_record_can_take_has_its_words(tmp_path):
    """The chat, the console and the workbook read one table (ledger/labels.py): each status
    the schema allows for a submission or an evidence file is in it."""
    import re

    from ledger.labels import RECORD_STATUS_ZH
    db = open_db(tmp_path / "l.db")
    for table in ("submissions", "evidence"):
        sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
        allowed = re.search(r"status IN \(([^)]*)\)", sql)[1]
        assert {s.strip(" '") for s in allowed.split(",")} <= set(RECORD_STATUS_ZH), table
