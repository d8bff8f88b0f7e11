"""The office keeps Beijing time whatever the host says. `make test` runs the suite under
TZ=UTC; these tests start real processes under other zones."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests

from channels.dingtalk import callback_sign
from ledger.db import open_db
from ledger.facts import init_office
from ledger.units import add_member, add_unit
from servers import ROOT, serve_process
from worktime.clock import SHANGHAI

PROBE = ("import json; from datetime import datetime, timezone; from worktime.clock import "
         "make_clock; print(json.dumps([make_clock({})().isoformat(), "
         "datetime.now(timezone.utc).isoformat(), datetime.now().isoformat()]))")


@pytest.mark.parametrize("zone", ["UTC", "America/Los_Angeles", "Pacific/Kiritimati"])
def test_the_clock_reads_beijing_time_under_any_host_zone(zone: str):
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, env={**os.environ, "TZ": zone}, check=True)
    office, utc, host = (datetime.fromisoformat(v) for v in json.loads(out.stdout))
    beijing = utc.astimezone(SHANGHAI).replace(tzinfo=None)
    assert abs(office - beijing) < timedelta(seconds=5)  # two reads in a row, not a race
    assert abs(host - beijing) > timedelta(hours=1)  # the host really was elsewhere


def test_a_server_in_utc_minus_12_dates_a_briefing_in_beijing_time(tmp_path: Path):
    db_path = tmp_path / "s.db"
    db = open_db(db_path)
    init_office(db, "lvliang-2022-departments", datetime.now(SHANGHAI).year)
    add_member(db, "sw1", "张敏", "liaison", add_unit(db, "市税务局").id)
    db.close()
    secret = "tz-secret"
    env = {"CREDITBOT_DB": str(db_path), "CREDITBOT_DATA": str(tmp_path / "d"),
           "CREDITBOT_CONFIG": str(tmp_path / "absent.toml"), "CREDITBOT_NO_SCHEDULER": "1",
           "DINGTALK_APP_SECRET": secret, "TZ": "Etc/GMT+12"}
    with serve_process(env) as (base, _):
        ts = str(int(time.time() * 1000))
        body = {"conversationId": "c", "msgId": "tz-1", "senderStaffId": "sw1",
                "createAt": int(ts), "conversationType": "1", "msgtype": "text",
                "text": {"content": "月报 本月完成信用承诺公示"}}
        resp = requests.post(f"{base}/dingtalk/callback", json=body, timeout=10,
                             headers={"timestamp": ts, "sign": callback_sign(ts, secret)})
        assert resp.status_code == 200, resp.text
    db = open_db(db_path)
    received = db.execute("SELECT received_at FROM submissions").fetchone()[0]
    db.close()
    beijing = datetime.now(timezone.utc).astimezone(SHANGHAI).replace(tzinfo=None)
    assert abs(datetime.fromisoformat(received) - beijing) < timedelta(minutes=5)
