"""Login CSRF: an in-client login's code is accepted only with the `state` this browser was
given, for DingTalk 免登 as for WeCom 网页授权. An attacker's own code and state, sent to a
victim's browser, log nobody in."""
from __future__ import annotations

import re
from typing import Any

import pytest

from fake_dingtalk import FakeDingTalk
from fake_wecom import FakeWeCom
from ledger.units import add_member
from test_console import Console

DINGTALK_UA = {"User-Agent": "Mozilla/5.0 DingTalk/7.0"}
WECOM_UA = {"User-Agent": "Mozilla/5.0 wxwork/4.1.0 MicroMessenger/7.0.1"}


def _dingtalk_state(client: Any) -> str:
    page = client.get("/console/", headers=DINGTALK_UA)
    assert page.status_code == 401 and "creditbot_oauth_state=" in page.headers["Set-Cookie"]
    return re.search(r'data-state="([^"]+)"', page.data.decode()).group(1)


def _wecom_state(client: Any) -> str:
    return re.search(r"state=([^&#]+)", client.get("/console/", headers=WECOM_UA)
                     .headers["Location"]).group(1)


@pytest.mark.parametrize("query", ["code=ATTACKER", "code=ATTACKER&state=", "code=ATTACKER&state=x"])
def test_dingtalk_code_without_this_browsers_state_is_refused(lvliang, query):
    with FakeDingTalk() as fake:
        console = Console(lvliang, **fake.settings())
        fake.auth_codes["ATTACKER"] = "staff1"
        victim = console.client()
        _dingtalk_state(victim)  # the victim's browser holds a state of its own
        resp = victim.get(f"/console/oauth/dingtalk?{query}")
        assert resp.status_code == 403 and "state" in resp.data.decode()
        assert victim.get("/console/overview").status_code == 401


def test_an_attackers_code_and_state_do_not_log_a_victim_in(lvliang):
    with FakeDingTalk() as fake, FakeWeCom() as wecom:
        console = Console(lvliang, **fake.settings(), **wecom.settings(),
                          WECOM_OAUTH_BASE="https://open.example")
        attacker, victim = console.client(), console.client()
        add_member(lvliang.db, "dd-staff", "刘洋", "staff", None, channel="dingtalk")
        fake.auth_codes["A9"] = "dd-staff"
        stolen = _dingtalk_state(attacker)
        resp = victim.get(f"/console/oauth/dingtalk?code=A9&state={stolen}")
        assert resp.status_code == 403
        wecom.add_oauth_code("W9", "staff1")
        stolen = _wecom_state(attacker)
        assert victim.get(f"/console/oauth/wecom?code=W9&state={stolen}").status_code == 403
        assert victim.get("/console/overview").status_code == 401
        # the attacker's own browser, with its own state, does log in (the flow still works)
        mine = _dingtalk_state(attacker)
        assert attacker.get(f"/console/oauth/dingtalk?code=A9&state={mine}").status_code == 200
        assert attacker.get("/console/overview").status_code == 200


def test_a_state_in_other_characters_is_refused_not_a_500(lvliang):
    """Both platforms check the state one way: text that is not ASCII is a 403 like any other
    wrong state (comparing it as str raised TypeError, a 500)."""
    with FakeDingTalk() as fake, FakeWeCom() as wecom:
        console = Console(lvliang, **fake.settings(), **wecom.settings(),
                          WECOM_OAUTH_BASE="https://open.example")
        fake.auth_codes["A9"] = "staff1"
        wecom.add_oauth_code("W9", "staff1")
        client = console.client()
        _wecom_state(client)
        _dingtalk_state(client)
        for platform, code in (("wecom", "W9"), ("dingtalk", "A9")):
            resp = client.get(f"/console/oauth/{platform}?code={code}&state=状态")
            assert resp.status_code == 403 and "state" in resp.data.decode(), platform
        assert client.get("/console/overview").status_code == 401
