"""The web console without a browser: logins, sessions, CSRF, roles, the forms (which are the
chat's own commands), files, the outbox retry, the monthly history and the period grid."""
from __future__ import annotations

import json

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import create_app
from console import readers
from console_office import PDF, PNG
from fake_dingtalk import FakeDingTalk
from fake_wecom import FakeWeCom
from ledger.db import open_db
from ledger.outbox import enqueue, list_items, mark_failed, mark_sent
from ledger.units import find_unit

BASE = "http://127.0.0.1:5000"


class Console:
    """The app for a test office, its clock tied to the office's, and a client per person."""

    def __init__(self, office: Any, **settings: Any) -> None:
        self.office = office
        office.settings.update({"PUBLIC_BASE_URL": BASE, **settings})
        office.pipeline.settings.update(office.settings)
        self.app = create_app(office.settings)
        self.app.extensions["creditbot"].clock = lambda: office.now

    def link(self, user: str) -> str:
        reply = self.office.chat(user, "控制台")
        found = re.search(r"/console/login/(\S+)", reply)
        assert found, reply
        return f"/console/login/{found.group(1)}"

    def client(self, user: str | None = None, base_url: str = "http://localhost") -> Any:
        c = self.app.test_client()
        c.environ_base["HTTP_HOST"] = base_url.split("//")[1]
        c.base = base_url
        if user:
            resp = c.post(self.link(user), base_url=base_url)
            assert resp.status_code == 303, resp.data.decode()
        return c

    def csrf(self, client: Any, path: str = "/console/entry") -> dict[str, str]:
        html = client.get(path).data.decode()
        form_id = re.search(r'name="form_id" value="([^"]+)"', html)
        return {"csrf": re.search(r'name="csrf" value="([^"]+)"', html).group(1),
                "form_id": form_id.group(1) if form_id else "none"}

    def count(self, sql: str, *args: Any) -> int:
        return self.office.db.execute(sql, args).fetchone()[0]


@pytest.fixture
def console(lvliang: Any) -> Console:
    return Console(lvliang)


def test_a_login_link_opens_one_session_once_and_only_within_ten_minutes(console: Console):
    link = console.link("staff1")
    c = console.client()
    page = c.get(link)  # a link preview in chat must not use the link up
    assert page.status_code == 200 and "进入控制台" in page.data.decode()
    resp = c.post(link)
    assert resp.status_code == 303
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # plain http on the intranet; see the https test
    assert c.get("/console/overview").status_code == 200
    again = console.client().post(link)
    assert again.status_code == 410 and "已使用过" in again.data.decode()
    late = console.link("staff1")
    console.office.at("2022-09-01T10:10:01")
    expired = console.client().post(late)
    assert expired.status_code == 410 and "已过期" in expired.data.decode()
    assert console.client().post("/console/login/forged").status_code == 410
    other_site = console.client().post(console.link("staff1"), headers={"Origin": "https://evil.example"})
    assert other_site.status_code == 403


def test_the_session_cookie_is_secure_behind_https(lvliang: Any):
    console = Console(lvliang, PUBLIC_BASE_URL="https://xyb.example.gov.cn")
    found = re.search(r"/console/login/\S+", lvliang.chat("staff1", "控制台"))
    resp = console.app.test_client().post(found.group(0), base_url="https://xyb.example.gov.cn")
    assert "Secure" in resp.headers["Set-Cookie"]


def test_without_a_public_address_the_chat_says_the_console_is_not_set_up(lvliang: Any):
    assert "PUBLIC_BASE_URL" in lvliang.chat("staff1", "控制台")


def test_an_idle_session_ends_and_logout_ends_it_at_once(lvliang: Any):
    console = Console(lvliang, CONSOLE_IDLE_HOURS=1)
    c = console.client("staff1")
    lvliang.at("2022-09-01T10:50:00")
    assert c.get("/console/overview").status_code == 200  # activity keeps it alive
    lvliang.at("2022-09-01T11:49:00")
    assert c.get("/console/overview").status_code == 200
    lvliang.at("2022-09-01T12:50:00")
    gone = c.get("/console/overview")
    assert gone.status_code == 401 and "控制台" in gone.data.decode()
    c = console.client("staff1")
    form = console.csrf(c, "/console/overview")
    assert c.post("/console/logout", data=form).status_code == 200
    assert c.get("/console/overview").status_code == 401
    lvliang.at("2022-11-01T09:00:00")
    console.client("staff1")  # a login clears sessions and links unused for 30 days
    assert console.count("SELECT count(*) FROM console_sessions") == 1
    assert console.count("SELECT count(*) FROM console_logins") == 1


def test_every_form_needs_its_csrf_token_and_a_forged_post_changes_nothing(console: Console):
    c = console.client("staff1")
    unit = find_unit(console.office.db, "市税务局")
    before = console.count("SELECT count(*) FROM adjustments")
    forged = c.post("/console/entry", data={"kind": "deduction", "unit_id": unit.id, "code": "八.1",
                                            "cases": "1", "form_id": "x"})
    assert forged.status_code == 403 and "安全校验" in forged.data.decode()
    wrong = c.post("/console/entry", data={"kind": "deduction", "unit_id": unit.id, "code": "八.1",
                                           "csrf": "guess", "form_id": "x"})
    assert wrong.status_code == 403
    assert console.count("SELECT count(*) FROM adjustments") == before
    garbled = c.post("/console/entry", data={**console.csrf(c), "kind": "deduction", "unit_id": "市税务局"})
    assert garbled.status_code == 400 and "刷新页面" in garbled.data.decode()


def test_a_liaison_sees_only_their_own_unit(console: Console):
    db = console.office.db
    own, other = find_unit(db, "市税务局"), find_unit(db, "市民政局")
    c = console.client("sw1")
    assert c.get("/console/").headers["Location"].endswith("/console/mine")
    assert c.get("/console/mine").status_code == 200
    assert c.get(f"/console/units/{own.id}").status_code == 200
    refused = c.get(f"/console/units/{other.id}")
    assert refused.status_code == 403 and "只能查看本单位" in refused.data.decode()
    for path in ("/console/overview", "/console/reviews", "/console/entry", "/console/outbox",
                 "/console/audit", "/console/export"):
        assert c.get(path).status_code == 403, path
    assert console.client().get("/console/overview").status_code == 401


def test_forms_are_the_chat_commands_with_their_checks_notices_and_retry_safety(console: Console):
    c = console.client("staff1")
    unit = find_unit(console.office.db, "市民政局")
    form = console.csrf(c)
    # 打分 a staff-only value through the form: the chat's bounds apply.
    bad = c.post("/console/entry", data={**form, "kind": "points", "unit_id": unit.id,
                                         "code": "3|3", "points": "99"})
    assert "应在 0 到" in bad.data.decode()
    assert console.count("SELECT count(*) FROM adjustments") == 0
    data = {**console.csrf(c), "kind": "deduction", "unit_id": unit.id, "code": "八.1", "cases": "2",
            "reason": "被省通报"}
    first = c.post("/console/entry", data=data).data.decode()
    assert "已记录 市民政局" in first and "2 起" in first
    c.post("/console/entry", data=data)  # a double click: the same form is recorded once
    assert console.count("SELECT count(*) FROM adjustments WHERE status = 'active'") == 2
    told = [i for i in list_items(console.office.db) if i.target.get("users") == ["mz1"]]
    assert len(told) == 1 and "乱收费" in told[0].payload["text"]
    event = c.post("/console/entry", data={**console.csrf(c), "kind": "deduction", "unit_id": unit.id,
                                           "code": "重大失信事件", "reason": "某事件"}).data.decode()
    assert "降低1个档次" in event
    actions = [r[0] for r in console.office.db.execute("SELECT action FROM audit").fetchall()]
    assert actions.count("adjust.deduction") == 2 and "adjust.event" in actions


def test_staff_score_an_item_from_the_unit_page_and_come_back_to_it(console: Console):
    unit = find_unit(console.office.db, "市税务局")
    c = console.client("staff1")
    page = c.get(f"/console/units/{unit.id}").data.decode()
    assert 'class="inline-points"' in page and 'value="3|3"' in page
    form = console.csrf(c, f"/console/units/{unit.id}")
    back = c.post("/console/entry", data={**form, "kind": "points", "back": "unit", "unit_id": unit.id,
                                          "code": "3|3", "points": "2", "reason": "瞒报3条"})
    text = back.data.decode()
    assert back.status_code == 200 and "<h1>市税务局" in text and "已记录" in text
    assert console.count("SELECT count(*) FROM adjustments WHERE reason = '瞒报3条'") == 1
    liaison_page = console.client("sw1").get(f"/console/units/{unit.id}").data.decode()
    assert "inline-points" not in liaison_page


def test_any_chat_command_can_be_sent_from_the_console_with_the_chat_s_permissions(console: Console):
    staff = console.client("staff1")
    out = staff.post("/console/entry", data={**console.csrf(staff), "kind": "command",
                                             "text": "绑定 zs9 市税务局 张三"}).data.decode()
    assert "张三" in out and console.count("SELECT count(*) FROM members WHERE user_id = 'zs9'") == 1
    unknown = staff.post("/console/entry", data={**console.csrf(staff), "kind": "command",
                                                 "text": "随便说点什么"}).data.decode()
    assert "没有看懂" in unknown
    # A liaison cannot reach the page at all, so cannot send staff commands through it.
    assert console.client("sw1").post("/console/entry", data={"kind": "command", "text": "排名"}).status_code == 403


def test_review_in_the_console_needs_a_reason_to_reject_and_tells_the_liaison(console: Console):
    office = console.office
    office.chat("sw1", "月报 8月开展诚信宣传2次")
    c = console.client("staff1")
    unit = find_unit(office.db, "市税务局")
    form = console.csrf(c, "/console/reviews")
    page = c.get("/console/reviews").data.decode()
    assert "8月开展诚信宣传2次" in page
    base = {**form, "unit_id": unit.id, "code": "11"}
    refused = c.post("/console/reviews", data={**base, "verdict": "reject"}).data.decode()
    assert "驳回时请写明理由" in refused
    assert console.count("SELECT count(*) FROM submissions WHERE status = 'submitted'") == 1
    done = c.post("/console/reviews", data={**base, "verdict": "reject", "reason": "缺少 数据",
                                            "reject_period": "2022-08"}).data.decode()
    assert "已驳回（缺少 数据）" in done
    assert console.count("SELECT count(*) FROM submissions WHERE status = 'rejected'") == 1
    told = [i.payload["text"] for i in list_items(office.db) if i.target.get("users") == ["sw1"]]
    assert told and "驳回" in told[0]


def test_evidence_is_shown_inline_or_downloaded_never_sniffed(console: Console, tmp_path: Path):
    office = console.office
    (tmp_path / "截图.png").write_bytes(PNG)
    (tmp_path / "台账.pdf").write_bytes(PDF)
    (tmp_path / "统计表.xlsx").write_bytes(b"PK\x03\x04" + b"\0" * 60)
    office.chat("sw1", "佐证 双公示")
    office.chat("sw1", "", files=[tmp_path / "截图.png", tmp_path / "台账.pdf", tmp_path / "统计表.xlsx"])
    ids = {r[1]: r[0] for r in office.db.execute("SELECT id, original_name FROM evidence")}
    c = console.client("staff1")
    png = c.get(f"/console/files/{ids['截图.png']}")
    assert png.mimetype == "image/png" and png.data == PNG
    assert png.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" not in png.headers.get("Content-Disposition", "attachment")
    pdf = c.get(f"/console/files/{ids['台账.pdf']}")
    assert pdf.mimetype == "application/pdf" and "inline" in pdf.headers["Content-Disposition"]
    xlsx = c.get(f"/console/files/{ids['统计表.xlsx']}")
    assert "attachment" in xlsx.headers["Content-Disposition"]
    assert "attachment" in c.get(f"/console/files/{ids['截图.png']}?download=1").headers["Content-Disposition"]
    page = c.get("/console/reviews").data.decode()
    # Images as lazy thumbnails; a PDF only on request (a page of embedded viewers is slow).
    assert 'loading="lazy"' in page and "统计表.xlsx" in page and "<iframe" not in page
    assert f'data-src="/console/files/{ids["台账.pdf"]}"' in page
    assert console.client("mz1").get(f"/console/files/{ids['截图.png']}").status_code == 403


def test_a_liaison_uploads_evidence_from_the_console(console: Console, tmp_path: Path):
    c = console.client("sw1")
    form = console.csrf(c, "/console/mine")
    from io import BytesIO
    ok = c.post("/console/mine", data={**form, "code": "3", "file": (BytesIO(PDF), "二季度台账.pdf")},
                content_type="multipart/form-data").data.decode()
    assert "已收到" in ok and "二季度台账.pdf" in ok
    rows = console.office.db.execute("SELECT original_name, channel FROM evidence").fetchall()
    assert rows == [("二季度台账.pdf", "web")]
    bad = c.post("/console/mine", data={**console.csrf(c, "/console/mine"), "code": "3",
                                        "file": (BytesIO(b"MZ\x90\x00" * 20), "表格.pdf")},
                 content_type="multipart/form-data").data.decode()
    assert "可执行程序" in bad
    assert console.count("SELECT count(*) FROM evidence") == 1


def test_a_liaison_s_upload_in_january_goes_to_the_period_and_year_named_or_due(
        console: Console):
    """Both years open on 1月20日: a 期别 typed with the files stores them as that period's
    (2022-Q4, late); none, as the period due now (2023-Q1); a yearly item's as its year's."""
    from io import BytesIO
    from ledger.office import open_year
    office = console.office
    open_year(office.db, 2023, office.now, "test")
    office.at("2023-01-20T10:00")
    c = console.client("sw1")
    for code, period, name in (("3", "2022-Q4", "四季度.pdf"), ("3", "", "一季度.pdf"),
                               ("1", "2022", "机制.pdf")):
        reply = c.post("/console/mine", data={**console.csrf(c, "/console/mine"), "code": code,
                                              "period": period, "file": (BytesIO(PDF), name)},
                       content_type="multipart/form-data").data.decode()
        assert "已收到" in reply and name in reply
    rows = office.db.execute("SELECT original_name, year, period FROM evidence").fetchall()
    assert sorted(rows) == [("一季度.pdf", 2023, "2023-Q1"), ("四季度.pdf", 2022, "2022-Q4"),
                            ("机制.pdf", 2022, None)]


def test_staff_retry_a_failed_push_from_the_outbox_page(console: Console):
    db, now = console.office.db, console.office.now
    enqueue(db, "remind:x", "wecom", {"users": ["sw1"]}, {"text": "月报截止提醒"}, now)
    enqueue(db, "remind:y", "wecom", {"users": ["mz1"]}, {"text": "已送达"}, now)
    failed, sent = list_items(db)
    mark_failed(db, failed.id, now, "errcode 60020 not allow to access from your ip", None)
    mark_sent(db, sent.id, now)
    c = console.client("staff1")
    page = c.get("/console/outbox?status=failed").data.decode()
    assert "月报截止提醒" in page and "60020" in page and "已送达" not in page
    form = console.csrf(c, "/console/outbox")
    assert c.post(f"/console/outbox/{failed.id}/retry", data=form).status_code == 303
    again = {i.id: i for i in list_items(db)}[failed.id]
    assert again.status == "pending" and again.attempts == 0
    assert c.post(f"/console/outbox/{sent.id}/retry", data=form).status_code == 409
    assert "outbox.retry" in c.get("/console/audit").data.decode()


def test_export_downloads_the_year_s_workbook(console: Console):
    resp = console.client("staff1").get("/console/export")
    assert resp.status_code == 200 and resp.data[:2] == b"PK"
    assert ".xlsx" in resp.headers["Content-Disposition"]


def test_files_and_exports_are_found_when_the_data_folder_is_relative(tmp_path: Path, monkeypatch):
    from conftest import Office
    monkeypatch.chdir(tmp_path)
    office = Office(tmp_path)
    office.settings["CREDITBOT_DATA"] = "data"  # as in creditbot.toml: relative to where it runs
    office.pipeline.data_dir = Path("data")
    office.unit("市税务局", "sw1")
    office.staff()
    console = Console(office)
    (tmp_path / "截图.png").write_bytes(PNG)
    office.chat("sw1", "佐证 双公示")
    office.chat("sw1", "", files=[tmp_path / "截图.png"])
    c = console.client("staff1")
    assert c.get("/console/files/1").data == PNG
    assert c.get("/console/export").data[:2] == b"PK"


def _desk(console: Console) -> readers.Desk:
    from bot.app import console_chat
    from ledger.units import find_member
    db = open_db(console.office.settings["CREDITBOT_DB"])
    return readers.make_desk(console_chat(console.app.extensions["creditbot"]), db,
                             find_member(db, "web", "staff1"), -1)


def test_the_monthly_line_follows_the_ledger_and_a_late_review_redraws_only_later_months(console: Console):
    office = console.office
    for period, received in (("2022-01", "2022-03-01"), ("2022-03", "2022-04-01"),
                             ("2022-05", "2022-06-01")):
        office.at(f"{received}T09:00:00").chat("sw1", f"月报 {period} 工作总结")
    office.at("2022-04-10T09:00:00").chat("sw1", "报送 信用承诺 20")
    office.at("2022-06-15T10:00:00")
    cache = readers.HistoryCache()
    months, series = readers.unit_history(_desk(console), cache)
    assert months == [f"2022-{m:02d}" for m in range(1, 7)]
    line = series["市税务局"]
    assert line[:3] == [0, 0, 0]  # by the end of March only a late briefing (it scores nothing)
    assert line[3] > 0 and line[4] >= line[3]  # April: an on-time briefing and 信用承诺
    assert series["市民政局"] == [0] * 6
    assert cache.computed == 5  # January to May; June is the live card
    assert readers.unit_history(_desk(console), cache) == (months, series)
    assert cache.computed == 5  # nothing changed: nothing recomputed
    # A rejection today of the April data redraws April and May only.
    office.chat("staff1", "审核 市税务局 信用承诺 驳回 数据不实")
    months2, series2 = readers.unit_history(_desk(console), cache)
    assert cache.computed == 7
    assert series2["市税务局"][:3] == line[:3]


def test_in_january_the_old_year_is_whole_and_its_december_still_open_to_late_filings(console: Console):
    office = console.office
    office.at("2022-11-01T09:00:00").chat("sw1", "月报 2022-10 十月")
    office.at("2023-01-05T10:00:00")  # the January rollover: the 2022 office is still open
    desk = _desk(console)
    months, series = readers.unit_history(desk, readers.HistoryCache())
    assert months == [f"2022-{m:02d}" for m in range(1, 13)]
    assert series["市税务局"][-1] == desk.cards()["市税务局"].total
    grid = readers.period_grid(desk)[0]
    cells = dict(zip(grid.periods, {r.unit.name: r.cells for r in grid.rows}["市税务局"]))
    assert cells["2022-10"].state == "on_time"
    assert cells["2022-12"].state == "missing"  # due 2023-01-03 (元旦), now past
    before = series["市税务局"][-1]
    office.chat("sw1", "月报 2022-12 十二月")  # late, but it still lands in 2022
    _, later = readers.unit_history(_desk(console), readers.HistoryCache())
    assert later["市税务局"][:11] == series["市税务局"][:11]
    assert readers.period_grid(_desk(console))[0].rows[0][1][11].state == "late"
    assert later["市税务局"][-1] >= before
    c = console.client("staff1")
    assert "2023年1月" in c.get("/console/calendar").data.decode()


def test_the_grid_marks_each_period_on_time_late_rejected_missing_or_open(console: Console):
    office = console.office
    office.at("2022-02-08T09:00:00").chat("sw1", "月报 2022-01 一月")   # 春节: due 2-07 → late
    office.at("2022-03-02T09:00:00").chat("sw1", "月报 2022-02 二月")   # on time
    office.at("2022-04-01T09:00:00").chat("sw1", "月报 2022-03 三月")
    office.at("2022-04-02T09:00:00").chat("staff1", "审核 市税务局 月报 2022-03 驳回 内容过简")
    office.at("2022-05-05T09:00:00")
    grid = readers.period_grid(_desk(console))[0]
    assert grid.indicator.code == "11"
    cells = dict(zip(grid.periods, {r.unit.name: r.cells for r in grid.rows}["市税务局"]))
    assert [cells[f"2022-{m:02d}"].state for m in (1, 2, 3, 4, 5)] == \
        ["late", "on_time", "rejected", "open", "open"]
    assert {r.unit.name: r.cells for r in grid.rows}["市民政局"][0].state == "missing"


def test_wecom_in_client_login_uses_the_oauth_code(lvliang: Any):
    with FakeWeCom() as fake:
        console = Console(lvliang, **fake.settings(), WECOM_OAUTH_BASE="https://open.example")
        c = console.client()
        ua = {"User-Agent": "Mozilla/5.0 wxwork/4.1.0 MicroMessenger/7.0.1"}
        go = c.get("/console/", headers=ua)
        assert go.status_code == 302
        url = go.headers["Location"]
        assert url.startswith("https://open.example/connect/oauth2/authorize?appid=wwfakecorp")
        assert "scope=snsapi_base" in url and url.endswith("#wechat_redirect")
        state = re.search(r"state=([^&#]+)", url).group(1)
        assert c.get(f"/console/oauth/wecom?code=C1&state=wrong").status_code == 403
        fake.add_oauth_code("C1", "staff1")
        back = c.get(f"/console/oauth/wecom?code=C1&state={state}")
        assert back.status_code == 200 and 'http-equiv="refresh"' in back.data.decode()
        assert c.get("/console/overview").status_code == 200
        fake.add_oauth_code("C2", "stranger")
        refused = console.client()
        refused.get("/console/", headers=ua)
        state2 = re.search(r"state=([^&#]+)", refused.get("/console/", headers=ua).headers["Location"]).group(1)
        denied = refused.get(f"/console/oauth/wecom?code=C2&state={state2}")
        assert denied.status_code == 403 and "stranger" in denied.data.decode()
        assert console.client().get("/console/oauth/wecom?code=C9&state=x").status_code == 403
        fake.fail_http(502, times=5)  # WeCom down: a clear page, not a 500
        down = console.client()
        state3 = re.search(r"state=([^&#]+)", down.get("/console/", headers=ua).headers["Location"]).group(1)
        fake.add_oauth_code("C3", "staff1")
        outage = down.get(f"/console/oauth/wecom?code=C3&state={state3}")
        assert outage.status_code == 502 and "暂时无法连接企业微信" in outage.data.decode()


def test_dingtalk_mianden_code_logs_in_and_a_used_code_does_not(lvliang: Any):
    with FakeDingTalk() as fake:
        console = Console(lvliang, **fake.settings())
        fake.auth_codes["A1"] = "sw1"
        c = console.client()
        page = c.get("/console/", headers={"User-Agent": "Mozilla/5.0 DingTalk/7.0"})
        state = re.search(r'data-state="([^"]+)"', page.data.decode()).group(1)
        ok = c.get(f"/console/oauth/dingtalk?code=A1&state={state}")
        assert ok.status_code == 200
        assert c.get("/console/mine").status_code == 200
        assert console.client().get(f"/console/oauth/dingtalk?code=A1&state={state}").status_code == 403
        page = console.client().get("/console/", headers={"User-Agent": "Mozilla/5.0 DingTalk/7.0"})
        assert page.status_code == 401 and "dingtalk-login.js" in page.data.decode()


@pytest.mark.parametrize("scheme", ["zhengzhou-2019-departments", "zhengzhou-2019-counties",
                                    "huangshi-2019-demo-city", "puyang-2021-demo-city",
                                    "zhengzhou-2022-workplan", "lvliang-2022-counties"])
def test_every_shipped_scheme_renders_every_page(tmp_path: Path, scheme: str):
    from conftest import Office
    from ledger.facts import init_office
    office = Office(tmp_path)
    init_office(office.db, scheme, 2022)
    office.unit("市发展改革委", "fgw1")
    office.unit("市税务局", "sw1")
    office.staff()
    office.chat("fgw1", "月报 8月工作总结")
    console = Console(office)
    staff, liaison = console.client("staff1"), console.client("fgw1")
    unit = find_unit(office.db, "市发展改革委")
    for path in ("/console/overview", f"/console/units/{unit.id}", "/console/reviews",
                 "/console/entry", "/console/calendar", "/console/outbox", "/console/audit"):
        assert staff.get(path).status_code == 200, path
    for path in ("/console/mine", f"/console/units/{unit.id}", "/console/calendar"):
        assert liaison.get(path).status_code == 200, path


def test_an_office_with_two_schemes_and_two_years(tmp_path: Path):
    """吕梁 assesses departments and counties under two schemes; in January two years are open."""
    from conftest import Office
    from ledger.office import init_office, open_year
    from ledger.units import add_member, add_unit
    office = Office(tmp_path)
    init_office(office.db, ["lvliang-2022-departments", "lvliang-2022-counties"], 2022)
    office.unit("市税务局", "sw1")
    county = add_unit(office.db, "离石区", kind="county", now=office.now)
    add_member(office.db, "ls1", "县联络员", "liaison", county.id, now=office.now)
    office.staff()
    office.chat("sw1", "月报 8月工作总结")
    office.chat("ls1", "月报 8月工作总结")
    console = Console(office)
    c = console.client("staff1")
    first = c.get("/console/overview").data.decode()
    assert "市税务局" in first and "离石区" not in first and 'name="scheme"' in first
    counties = c.get("/console/overview?scheme=lvliang-2022-counties").data.decode()
    assert "离石区" in counties and 'data-unit="市税务局"' not in counties
    county_page = c.get(f"/console/units/{county.id}").data.decode()
    assert "吕梁" in county_page and "离石区" in county_page
    queue = c.get("/console/reviews").data.decode()
    assert queue.count("工作报送") >= 2  # each unit's item named by its own scheme
    mine = console.client("ls1").get("/console/mine").data.decode()
    assert "离石区" in mine
    office.at("2023-01-04T10:00:00")
    open_year(office.db, 2023, office.now)
    c = console.client("staff1")  # months later: a new login
    new_year = c.get("/console/overview").data.decode()
    assert "2023年度" in new_year and 'name="year"' in new_year
    old_year = c.get("/console/overview?year=2022").data.decode()
    assert "2022年度" in old_year
    assert c.get("/console/overview?year=2019").status_code == 404


def test_staff_enter_for_a_unit_and_undo_it_from_the_console(console: Console):
    unit = find_unit(console.office.db, "市民政局")
    c = console.client("staff1")
    entered = c.post("/console/entry", data={**console.csrf(c), "kind": "enter", "unit_id": unit.id,
                                              "code": "信用承诺", "values": "35"}).data.decode()
    assert "35" in entered
    act = re.search(r"编号\s*(\d+)", entered.split('id="reply"')[1])
    assert act, entered
    live = "SELECT count(*) FROM submissions WHERE unit_id = ? AND status IN ('submitted', 'accepted')"
    assert console.count(live, unit.id) == 1
    undone = c.post("/console/entry", data={**console.csrf(c), "kind": "undo",
                                            "act": act.group(1)}).data.decode()
    assert "已撤销编号" in undone
    assert console.count(live, unit.id) == 0


def test_staff_enter_a_finding_in_the_console_entry_form(console: Console):
    """瞒报条数 is the office's (entered_by: office): the 代报 form takes it by its words; the
    打分 form does not offer it (it is a figure, not points)."""
    unit = find_unit(console.office.db, "市税务局")
    c = console.client("staff1")
    page = c.get("/console/entry").data.decode()
    assert "瞒报5条以下时信用办酌情扣分" in page and "“双公示”信息瞒报条数" not in page
    entered = c.post("/console/entry", data={**console.csrf(c), "kind": "enter", "unit_id": unit.id,
                                              "code": "双公示", "values": "瞒报=2"}).data.decode()
    assert "已代报" in entered and "瞒报条数 2条" in entered
    rows = console.office.db.execute("SELECT metrics FROM submissions WHERE unit_id = ?",
                                     [unit.id]).fetchall()
    assert [json.loads(r[0]) for r in rows] == [{"concealed": 2}]


def test_a_card_with_two_quarters_approves_both_as_it_says(console: Console, tmp_path: Path):
    office = console.office
    (tmp_path / "一季度台账.pdf").write_bytes(PDF)
    (tmp_path / "二季度台账.pdf").write_bytes(PDF)
    for quarter in ("2022-Q1", "2022-Q2"):
        office.chat("sw1", f"佐证 双公示 {quarter}")
        office.chat("sw1", "", files=[tmp_path / f"{'一' if quarter.endswith('1') else '二'}季度台账.pdf"])
    office.chat("sw1", "报送 双公示 accuracy=97.5%")
    c = console.client("staff1")
    page = c.get("/console/reviews").data.decode()
    card = page[page.index('data-code="3"'):]
    card = card[:card.index("</article>")]
    assert "97.5%" in card and "0.975" not in card  # as the chat says it
    button = re.search(r'class="primary accept">([^<]+)</button>', card).group(1)
    assert button.startswith("通过 2022") and "2022-Q1" in button and "2022-Q2" in button
    pick = re.search(r'<input type="hidden" name="pick" value="([^"]+)"', card).group(1)
    unit = find_unit(office.db, "市税务局")
    form = console.csrf(c, "/console/reviews")
    done = c.post("/console/reviews", data={**form, "unit_id": unit.id, "code": "3", "pick": pick,
                                            "verdict": "accept"}).data.decode()
    assert "已通过" in done and 'data-code="3"' not in done
    assert console.count("SELECT count(*) FROM evidence WHERE status = 'submitted'") == 0
    assert console.count("SELECT count(*) FROM submissions WHERE indicator = '3' AND status = 'submitted'") == 0
    # One record: one 撤销 puts both quarters and the figures back.
    act = re.search(r"撤销请发：撤销 (\d+)", done).group(1)
    form = console.csrf(c, "/console/reviews")
    undone = c.post("/console/reviews", data={**form, "action": "undo", "act": act}).data.decode()
    assert f"已撤销编号 {act}" in undone
    assert console.count("SELECT count(*) FROM evidence WHERE status = 'submitted'") == 2


def test_batch_approval_asks_first_and_a_forged_pick_changes_nothing(console: Console):
    office = console.office
    for user in ("sw1", "mz1"):
        office.chat(user, "月报 8月开展诚信宣传2次")
    c = console.client("staff1")
    form = console.csrf(c, "/console/reviews")
    before = console.count("SELECT count(*) FROM submissions WHERE status = 'submitted'")
    preview = c.post("/console/reviews", data={**form, "action": "preview", "scope": "filter",
                                               "ind": "11"}).data.decode()
    assert "确认批量通过" in preview and 'id="confirm-items">2<' in preview and "2022-08" in preview
    assert console.count("SELECT count(*) FROM submissions WHERE status = 'submitted'") == before
    empty = c.post("/console/reviews", data={**form, "action": "preview", "scope": "picked"}).data.decode()
    assert "请先勾选" in empty
    forged = c.post("/console/reviews", data={**form, "action": "apply",
                                              "pick": ["x|y", "99999|11|2022-08|briefing"]}).data.decode()
    assert "没有待审核" in forged or "没有选中" in forged
    assert console.count("SELECT count(*) FROM submissions WHERE status = 'submitted'") == before
    picks = re.findall(r'name="pick" value="([^"]+)"', preview)
    form = {**form, "form_id": re.search(r'name="form_id" value="([^"]+)"', preview).group(1)}
    applied = c.post("/console/reviews", data={**form, "action": "apply", "pick": picks,
                                               "summary": "批量通过 2 项"}).data.decode()
    assert "已通过 2 条记录（2 个单位）" in applied
    assert console.count("SELECT count(*) FROM submissions WHERE status = 'submitted'") == before - 2


def test_a_closed_year_s_waiting_items_are_neither_listed_counted_nor_approved(console: Console,
                                                                                tmp_path: Path):
    """2022 closed with its file of 10 宣传活动 (no period) still 待审; 2023's file of the same
    item waits. 待审, the batch's confirmation and the approval count 2023's only; the unit's
    page calls the frozen file what it is."""
    from ledger.office import open_year
    office = console.office
    f = tmp_path / "宣传.pdf"
    f.write_bytes(PDF)
    office.at("2022-12-05T10:00").chat("sw1", "佐证 宣传活动", files=[f])
    open_year(office.db, 2023, office.now, "test")
    office.at("2023-01-20T10:00").chat("sw1", "佐证 宣传活动", files=[f])
    assert "已关闭 2022" in office.chat("staff1", "关闭年度 2022 确认")
    c = console.client("staff1")
    page = c.get("/console/reviews").data.decode()
    assert set(re.findall(r'name="pick" value="([^"]+)"', page)) == {'1|10||file'}
    form = console.csrf(c, "/console/reviews")
    preview = c.post("/console/reviews", data={**form, "action": "preview",
                                               "scope": "filter"}).data.decode()
    assert 'id="confirm-items">1<' in preview and 'id="confirm-records">1<' in preview
    picks = re.findall(r'name="pick" value="([^"]+)"', preview)
    form = {**form, "form_id": re.search(r'name="form_id" value="([^"]+)"', preview).group(1)}
    applied = c.post("/console/reviews", data={**form, "action": "apply",
                                               "pick": picks}).data.decode()
    assert "已通过 1 条记录（1 个单位）" in applied
    assert console.count("SELECT count(*) FROM evidence WHERE status = 'submitted' "
                         "AND year = 2022") == 1
    unit = find_unit(office.db, "市税务局")
    assert "未审核（年度已关闭）" in c.get(f"/console/units/{unit.id}").data.decode()
