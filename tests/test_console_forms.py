"""The staff's forms and pages that must not misfire at 200 units, without a browser: 打分扣分 with
no default unit, the new total and rank after a record and 撤销 by button; 审计 in Chinese with
filters, pages and an Excel export; 截止's counts agreeing with the chat's 未交; the liaison's
驳回 with reason and deadline, and 月报/报送 forms that are the chat's own commands."""
from __future__ import annotations

import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook

from console import audit_words
from ledger.units import find_unit, set_aliases
from test_console import Console


def _main(html: str) -> str:
    """The page's main text, tags out."""
    body = html.split("<main>", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


@pytest.fixture
def desk(lvliang: Any) -> Console:
    set_aliases(lvliang.db, find_unit(lvliang.db, "市民政局"), ["民政"], lvliang.now)
    return Console(lvliang)


def _post(console: Console, client: Any, path: str, **data: str) -> str:
    token = console.csrf(client, path)
    resp = client.post(path, data={**token, **data})
    assert resp.status_code == 200, resp.status_code
    return resp.data.decode()


# ---- 打分扣分 -----------------------------------------------------------------------------------

def test_no_unit_is_chosen_until_staff_choose_one_and_a_part_of_a_name_records_nothing(desk):
    staff = desk.client("staff1")
    html = staff.get("/console/entry").data.decode()
    for form in ("points-form", "deduct-form", "enter-form", "confirm-form"):
        part = html.split(f'id="{form}"', 1)[1].split("</form>", 1)[0]
        box = re.search(r'<input name="unit"[^>]*>', part).group(0)
        assert 'value=""' in box and "required" in box and "请选择单位" in box, box
        assert "<select name=\"unit_id\"" not in part  # no list whose first entry is preselected
    assert 'label="市民政局"' in html and 'value="民政"' in html  # the chooser finds 简称 too
    for unit, said in (("", "请选择单位"), ("市", "可能是：市税务局、市民政局"), ("民", "没有名称或简称为「民」")):
        page = _post(desk, staff, "/console/entry", kind="deduction", unit=unit, code="八.1", reason="x")
        assert said in _main(page)
    assert desk.count("SELECT count(*) FROM adjustments") == 0
    assert desk.count("SELECT count(*) FROM staff_acts") == 0


def test_a_record_by_short_name_shows_the_unit_s_new_total_and_rank_and_undoes_by_button(desk):
    for text in ("报送 信用承诺 35", "报送 履约践诺 20", "报送 联合奖惩 6", "报送 工作机制 staffed=是 mechanism=是"):
        desk.office.chat("mz1", text)
    staff = desk.client("staff1")
    page = _post(desk, staff, "/console/entry", kind="deduction", unit="民政", code="八.1",
                 cases="1", reason="被省通报")
    text = _main(page)
    assert "已记录 市民政局「八.1 行业协会乱收费」1 起" in text
    card = desk.office.chat("staff1", "单位 市民政局")
    total, place = re.search(r"总分 ([\d.]+).*排名 (\d+)/2", card).groups()
    standing = re.search(r'id="standing">([^<]+)<', page).group(1)
    assert standing.startswith("市民政局 现总分 ") and f"第 {place}/2 名" in standing
    assert float(standing.split("现总分 ")[1].split("（")[0]) == pytest.approx(float(total), abs=0.005)
    # The staff member's own records, each with a 撤销 button; the 编号 is never typed.
    acts = re.findall(r'<tr data-act="(\d+)"', page)
    assert len(acts) == 1
    after = _post(desk, staff, "/console/entry", kind="undo", act=acts[0])
    assert f"已撤销编号 {acts[0]}" in _main(after)
    back = re.search(r'id="standing">([^<]+)<', after).group(1)  # the total as it was before
    before = re.search(r"总分 ([\d.]+)", desk.office.chat("staff1", "单位 市民政局")).group(1)
    assert back.startswith(f"市民政局 现总分 {float(before):.2f}")
    assert float(before) == pytest.approx(float(total) + 5)  # the one case's 5 points back
    assert desk.count("SELECT count(*) FROM adjustments WHERE status = 'active'") == 0
    assert re.search(rf'<tr data-act="{acts[0]}" class="undone"', after)


def test_a_refused_record_keeps_what_was_typed_and_shows_no_standing(desk):
    staff = desk.client("staff1")
    page = _post(desk, staff, "/console/entry", kind="points", unit="市税务局", code="3|", points="99")
    assert 'id="standing"' not in page and desk.count("SELECT count(*) FROM adjustments") == 0
    part = page.split('id="points-form"', 1)[1].split("</form>", 1)[0]
    assert 'value="市税务局"' in part  # correct the figure, not choose the unit again


# ---- 审计 -----------------------------------------------------------------------------------------

def _office_with_history(desk: Console, tmp_path: Any) -> None:
    o = desk.office
    o.chat("sw1", "月报 8月开展诚信宣传2次")
    shot = tmp_path / "台账.png"
    shot.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    o.chat("sw1", "佐证 双公示", files=[shot])
    o.chat("staff1", "扣分 市民政局 乱收费 1 =HYPERLINK(\"http://x\")")
    o.chat("staff1", "审核 市税务局 月报 驳回 缺少盖章")
    o.at("2022-09-03T10:00:00")
    o.chat("mz1", "报送 信用承诺 35")


def test_the_audit_speaks_chinese_with_names_not_codes_ids_or_digests(desk, tmp_path):
    _office_with_history(desk, tmp_path)
    staff = desk.client("staff1")
    text = _main(staff.get("/console/audit").data.decode())
    for word in ("审核驳回", "扣分", "上传佐证材料", "报送", "登录控制台", "信用办记录（扣分）",
                 "市民政局 · 八.1 行业协会乱收费", "市税务局 · 11 工作报送", "理由：缺少盖章", "刘洋", "张敏"):
        assert word in text, word
    for code in ("act.add", "adjust.deduction", "review.rejected", "sha256", "evidence.add"):
        assert code not in text, code
    assert not re.search(r"\b\d+/\d+\b", text)  # no bare "unit id/indicator" targets
    # Every action the ledger writes has its Chinese name.
    written = {r[0] for r in desk.office.db.execute("SELECT DISTINCT action FROM audit").fetchall()}
    assert written <= set(audit_words.ACTIONS)


def test_the_audit_filters_by_who_unit_action_and_dates_and_pages(desk, tmp_path):
    _office_with_history(desk, tmp_path)
    staff = desk.client("staff1")

    def rows(query: str) -> list[str]:
        html = staff.get("/console/audit" + query).data.decode()
        return re.findall(r'<tr data-code="([^"]+)"', html)
    everything = rows("")
    assert rows("?who=张敏") and set(rows("?who=张敏")) <= {"submission.add", "evidence.add", "console.login"}
    assert "console.login" not in rows("?who=张敏")  # 张敏 never opened the console
    assert set(rows("?action=adjust")) == {"adjust.deduction"}
    assert set(rows("?action=reject")) == {"review.rejected"}
    mz = rows("?unit=民政")  # by 简称
    assert "adjust.deduction" in mz and "submission.add" in mz and "review.rejected" not in mz
    # 市民政局's 信用承诺 came on the 3rd; the login and the rest on the 1st
    assert rows("?from=2022-09-03&to=2022-09-03&action=submit") == ["submission.add"]
    assert "review.rejected" in rows("?from=2022-09-01&to=2022-09-01")
    assert "submission.add" not in rows("?to=2022-09-02&unit=市民政局")
    bad = _main(staff.get("/console/audit?from=昨天").data.decode())
    assert "起始日期「昨天」不是日期" in bad
    # Pages of 50, newest first, each row once.
    for n in range(60):
        desk.office.chat("staff1", f"暂停提醒 市税务局 至 2022-10-{n % 28 + 1:02d}")
    total = desk.count("SELECT count(*) FROM audit")
    first = staff.get("/console/audit").data.decode()
    assert f"共 {total} 条" in first and 'id="next-page"' in first
    seen = []
    for page in range(1, -(-total // 50) + 1):
        html = staff.get(f"/console/audit?page={page}").data.decode()
        seen += [int(i) for i in re.findall(r'<tr data-code="[^"]*" data-id="(\d+)"', html)]
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) == total


def test_the_audit_export_is_the_filtered_rows_in_words_and_codes_with_text_kept_as_text(desk, tmp_path):
    _office_with_history(desk, tmp_path)
    staff = desk.client("staff1")
    resp = staff.get("/console/audit.xlsx?unit=市民政局")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(resp.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:7] == ("编号", "时间", "操作人", "用户ID", "操作", "对象", "详情")
    page = staff.get("/console/audit?unit=市民政局").data.decode()
    assert len(rows) - 1 == int(re.search(r"共 (\d+) 条", page).group(1))
    ids = [r[0] for r in rows[1:]]
    assert ids == sorted(ids)  # oldest first, as an audit is read
    deduction = next(r for r in rows[1:] if r[7] == "adjust.deduction")
    assert deduction[4] == "扣分" and deduction[5] == "市民政局 · 八.1 行业协会乱收费"
    cell = next(c for c in ws[rows.index(deduction) + 1] if c.column == 7)
    assert cell.data_type == "s" and "=HYPERLINK" in cell.value  # never a formula


# ---- 截止 -----------------------------------------------------------------------------------------

def test_deadline_counts_agree_with_the_chat_s_not_sent_and_open_their_lists(desk):
    o = desk.office
    o.unit("市教育局", "jy1", "周涛")
    o.at("2022-08-01T10:00:00").chat("sw1", "月报 7月开展诚信宣传2次")
    o.at("2022-08-10T10:00:00").chat("mz1", "月报 7月开展诚信宣传2次")
    o.at("2022-09-05T10:00:00")
    said = o.chat("staff1", "未交 2022-07")
    missing = int(re.search(r"未报送 (\d+) 个单位", said).group(1))
    late = int(re.search(r"逾期报送 (\d+) 个单位", said).group(1))
    staff = desk.client("staff1")
    html = staff.get("/console/calendar").data.decode()
    row = html.split('data-code="11" data-period="2022-07"', 1)[1].split("</tr>", 1)[0]
    counts = {s: int(n) for s, n in re.findall(r'data-state="(\w+)"[^>]*>[^<\d]*(\d+)<', row)}
    assert counts == {"on_time": 1, "late": late, "missing": missing}
    link = re.search(r'href="([^"]*state=late[^"]*)"', row).group(1).replace("&amp;", "&")
    listed = _main(staff.get(link).data.decode())
    assert "市民政局" in listed and "晚 8 天" in listed and "市税务局" not in listed
    # A briefing that comes in now moves the counts at once (they are kept only while the
    # ledger is unchanged).
    o.chat("jy1", "月报 7月开展诚信宣传1次")
    html = staff.get("/console/calendar").data.decode()
    row = html.split('data-code="11" data-period="2022-07"', 1)[1].split("</tr>", 1)[0]
    counts = {s: int(n) for s, n in re.findall(r'data-state="(\w+)"[^>]*>[^<\d]*(\d+)<', row)}
    assert counts == {"on_time": 1, "late": late + 1, "missing": missing - 1}
    # A liaison's 截止 has no counts of other units, and no way to their lists.
    liaison = desk.client("sw1")
    assert 'data-state=' not in liaison.get("/console/calendar").data.decode()
    assert liaison.get(link).status_code == 403


# ---- 本单位 ---------------------------------------------------------------------------------------

def test_a_rejection_shows_its_reason_and_correction_deadline_and_the_form_corrects_it(desk):
    o = desk.office
    o.chat("sw1", "月报 8月开展诚信宣传2次")
    o.chat("staff1", "审核 市税务局 月报 驳回 缺少盖章")  # 2022-09-01, a Thursday
    liaison = desk.client("sw1")
    html = liaison.get("/console/mine").data.decode()
    block = _main("<main>" + html.split('id="rejections"', 1)[1].split("</section>", 1)[0])
    assert "11 工作报送 · 2022-08" in block and "驳回理由： 缺少盖章" in block
    assert "补正截止： 2022年9月6日" in block and "保留原按时记录" in block  # 3 workdays on
    assert "月报 2022-08" in block
    page = _post(desk, liaison, "/console/mine", kind="briefing", month="2022-08",
                 text="8月开展诚信宣传2次（已盖章）")
    assert "已收到市税务局 2022年8月月报" in _main(page) and "按时" in _main(page)
    assert 'id="rejections"' not in page


def test_the_liaison_s_submit_form_is_the_chat_s_report_command(desk):
    liaison = desk.client("mz1")
    html = liaison.get("/console/mine").data.decode()
    assert 'name="m_commitments"' in html
    page = _main(_post(desk, liaison, "/console/mine", kind="submit", code="7", m_commitments="三十五"))
    assert "已记录" in page and "35条" in page  # read as the chat reads it
    refused = _main(_post(desk, liaison, "/console/mine", kind="submit", code="7", m_commitments="很多"))
    assert "已记录" not in refused
    assert desk.count("SELECT count(*) FROM submissions WHERE indicator = '7' AND status = 'submitted'") == 1
