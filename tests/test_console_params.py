"""Every console route takes whatever a browser (or an attacker) sends without a 500: each route of
the Flask url_map is requested with arbitrary path values and query strings (and, for a form,
arbitrary fields with a valid CSRF token), as staff and as a liaison. The cases issue 17 found
(`?year=²`, ids larger than SQLite stores) are spelled out first."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console_office import PNG
from test_console import Console

HUGE = str(2**63)  # one more than SQLite's largest integer
NASTY = ["²", "٣", "9" * 40, HUGE, "-1", "0", "1e3", " 1 ", "", "\x00", "２０２２", "2022²"]
# Parameters the console's pages read; arbitrary other names are drawn too.
KNOWN = ["year", "scheme", "unit", "unit_id", "q", "page", "ind", "period", "kind", "status",
         "download", "action", "act", "who", "actor", "from", "to", "since", "until", "sort",
         "dir", "band", "cat", "gaps", "pending", "only", "pick", "scope", "code", "verdict",
         "reason", "points", "cases", "values", "text", "back", "form_id", "format"]


@pytest.fixture
def desk(lvliang: Any, tmp_path: Path) -> tuple[Console, dict[str, Any]]:
    lvliang.chat("sw1", "月报 8月开展诚信宣传2次")
    lvliang.chat("sw1", "报送 信用承诺 120")
    shot = tmp_path / "shot.png"
    shot.write_bytes(PNG)
    lvliang.chat("sw1", "佐证 双公示", files=[shot])
    lvliang.chat("staff1", "扣分 市民政局 乱收费 1 被通报")
    console = Console(lvliang)
    return console, {"staff": console.client("staff1"), "liaison": console.client("sw1")}


def _rules(console: Console) -> list[Any]:
    return sorted((r for r in console.app.url_map.iter_rules() if r.endpoint.startswith("console.")
                   and r.endpoint != "console.static"), key=lambda r: r.rule)


def _csrf(client: Any) -> str:
    html = client.get("/console/calendar").data.decode()
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:300]
    return found.group(1)


def test_the_cases_issue_17_found_are_a_page_not_a_500(desk):
    console, clients = desk
    staff, liaison = clients["staff"], clients["liaison"]
    for path in ("/console/overview?year=²", "/console/calendar?year=²", "/console/mine?year=²",
                 f"/console/overview?year={HUGE}", f"/console/calendar?year={HUGE}",
                 f"/console/reviews?unit={HUGE}", f"/console/reviews?unit=²",
                 f"/console/units/{HUGE}", f"/console/files/{HUGE}", f"/console/audit?page={HUGE}",
                 f"/console/export?year={HUGE}", f"/console/mine?year={HUGE}"):
        for who, client in (("staff", staff), ("liaison", liaison)):
            resp = client.get(path)
            assert resp.status_code < 500, (who, path, resp.status_code)
    assert staff.get(f"/console/units/{HUGE}").status_code == 404
    assert staff.get(f"/console/files/{HUGE}").status_code == 404
    assert staff.get("/console/overview?year=²").status_code == 200  # the default year
    # A form's hidden id out of range is a clear 400 and records nothing.
    before = console.count("SELECT count(*) FROM adjustments")
    resp = staff.post("/console/entry", data={"csrf": _csrf(staff), "form_id": "x1", "kind": "deduction",
                                              "unit_id": HUGE, "code": "乱收费"})
    assert resp.status_code == 400 and "表单内容不完整" in resp.data.decode()
    assert console.count("SELECT count(*) FROM adjustments") == before
    # A batch approval whose picks name no unit SQLite could hold approves nothing.
    waiting = console.count("SELECT count(*) FROM submissions WHERE status = 'submitted'")
    for pick in ("²|11|2022-08|", f"{HUGE}|11|2022-08|", "9" * 40 + "|11||"):
        resp = staff.post("/console/reviews", data={"csrf": _csrf(staff), "action": "apply", "pick": pick})
        assert resp.status_code < 500, (pick, resp.status_code)
    assert console.count("SELECT count(*) FROM submissions WHERE status = 'submitted'") == waiting


_values = st.one_of(st.sampled_from(NASTY), st.text(max_size=12),
                    st.integers(min_value=-2**70, max_value=2**70).map(str))
_query = st.dictionaries(st.one_of(st.sampled_from(KNOWN), st.text(min_size=1, max_size=6)),
                         _values, max_size=5)


def _path_values(rule: Any) -> st.SearchStrategy[dict[str, Any]]:
    """Arbitrary values for a rule's path arguments, as its converters accept them."""
    parts = {}
    for name in rule.arguments:
        kind = type(rule._converters[name]).__name__
        parts[name] = (st.integers(min_value=0, max_value=2**70) if kind == "IntegerConverter"
                       else st.text(st.characters(blacklist_characters="/", blacklist_categories=("Cs",)),
                                    min_size=1, max_size=20))
    return st.fixed_dictionaries(parts)


@pytest.mark.parametrize("who", ["staff", "liaison"])
def test_every_route_with_arbitrary_path_values_and_queries_is_never_a_500(desk, who):
    console, clients = desk
    client = clients[who]
    csrf = _csrf(client)
    adapter = console.app.url_map.bind("localhost")
    rules = _rules(console)
    assert len(rules) >= 14  # the console's pages, its files, its forms and its logins
    seen: list[str] = []

    for rule in rules:
        @settings(max_examples=15)
        @given(values=_path_values(rule), query=_query, form=_query)
        def request_it(values: dict[str, Any], query: dict[str, str], form: dict[str, str]) -> None:
            path = adapter.build(rule.endpoint, values)
            if "GET" in rule.methods:
                resp = client.get(path, query_string=query)
                assert resp.status_code < 500, (who, path, query, resp.status_code)
            if "POST" in rule.methods and rule.endpoint != "console.login.logout":
                resp = client.post(path, query_string=query, data={**form, "csrf": csrf})
                assert resp.status_code < 500, (who, path, query, form, resp.status_code)
        request_it()
        seen.append(rule.endpoint)
    assert {"console.overview.overview", "console.units.unit", "console.units.evidence_file",
            "console.audit.audit_log", "console.calendar.calendar", "console.liaison.mine"} <= set(seen)
    # Still signed in: the fuzzing reached the pages, not only the login wall.
    assert client.get("/console/calendar").status_code == 200
