"""Nothing acknowledged is lost when the server is killed, and a reminder round cut short by a
kill neither repeats nor drops a push after the restart.

`creditbot serve` runs as a real process (waitress) and is killed with SIGKILL mid-load; the
ledger is then read by `creditbot submissions --json` with a connection of its own.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import requests

from ledger.db import open_db
from ledger.outbox import list_items
from reminders.jobs import send_due_reminders
from reminders.outbox import LEASE, deliver_due
from servers import ROOT, serve_process
from traffic import Load, seed_office, send, submissions


def test_a_killed_server_loses_no_acknowledged_submission(tmp_path: Path) -> None:
    env = seed_office(tmp_path, units=4)
    users = [f"l{n}" for n in range(4)]
    with serve_process(env) as (base, proc):
        load = Load([base], users, per_thread=60, threads=4)  # ≤ 240 requests
        threads = load.run()
        deadline = time.monotonic() + 10
        while len(load.acked) < 25 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)  # mid-load: requests are in flight
        proc.wait(timeout=10)
        load.stop.set()
        for t in threads:
            t.join(timeout=15)
    acked = dict(load.acked)
    assert len(acked) >= 25, f"only {len(acked)} acknowledged before the kill"
    assert load.sent < 240, "the kill came after the load had finished"

    with serve_process(env) as (base, _):  # restart on the same database
        # A platform retry of an acknowledged message gets the same answer, recorded once.
        retried = sorted(acked)[:3]
        with requests.Session() as s:
            for msg_id in retried:
                status, text = send(s, base, users[0], "报送 7 99", msg_id)
                assert status == 200 and text == acked[msg_id]
    rows = submissions(env)
    recorded = Counter(r["source_msg_id"] for r in rows if r["source_msg_id"])
    missing = [m for m in acked if recorded[m] == 0]
    assert not missing, f"{len(missing)} acknowledged submissions lost: {missing[:5]}"
    assert all(recorded[m] == 1 for m in acked)


# ---- reminders ------------------------------------------------------------------------------

ROUND = """
import json, sys, time
from datetime import datetime
from reminders.jobs import send_due_reminders
from reminders.outbox import deliver_due
from ledger.db import open_db

settings, log, now = json.loads(sys.argv[1]), sys.argv[2], datetime.fromisoformat(sys.argv[3])
send_due_reminders(settings["CREDITBOT_DB"], now, settings)

def push(target, payload):
    time.sleep(0.05)  # the platform call
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"to": target["users"], "text": payload["text"]}) + "\\n")
        fh.flush()

deliver_due(open_db(settings["CREDITBOT_DB"], migrate=False), now, {"console": push})
"""


def test_a_reminder_round_killed_midway_neither_repeats_nor_drops(tmp_path: Path) -> None:
    env = seed_office(tmp_path, units=30)
    settings = {k: v for k, v in env.items() if k != "DINGTALK_APP_SECRET"}  # console channel
    log = tmp_path / "pushes.jsonl"
    now = datetime(2022, 8, 1, 10, 0)  # the day before the July briefing is due
    proc = subprocess.Popen([sys.executable, "-c", ROUND, json.dumps(settings), str(log),
                             now.isoformat()], cwd=ROOT, env={**os.environ, **settings},
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and (not log.exists()
                                               or len(log.read_text().splitlines()) < 8):
            time.sleep(0.01)
        # Land the kill inside the next push's platform call (its 50 ms sleep), not in the
        # instant between a push and its mark_sent, which at-least-once delivery may repeat.
        time.sleep(0.025)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    before_restart = log.read_text().splitlines()
    assert 8 <= len(before_restart) < 30, "the kill should land in the middle of the round"

    # The restart: the scheduler runs the round again and the outbox worker picks up what is
    # left (the item in flight at the kill is leased; its lease ends after LEASE).
    later = now + LEASE + timedelta(minutes=1)
    assert send_due_reminders(settings["CREDITBOT_DB"], later, settings) == []

    def push(target: dict, payload: dict) -> None:
        with log.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"to": target["users"], "text": payload["text"]}) + "\n")

    db = open_db(settings["CREDITBOT_DB"])
    try:
        deliver_due(db, later, {"console": push})
        items = list_items(db)
    finally:
        db.close()
    pushes = Counter(tuple(json.loads(line)["to"]) for line in log.read_text().splitlines())
    assert len(items) == 30 and all(i.status == "sent" for i in items)
    assert len({i.key for i in items}) == 30
    assert set(pushes) == {(f"l{n}",) for n in range(30)}  # nobody dropped
    # Nobody pushed twice. (The outbox is at-least-once: a kill in the instant between the
    # platform accepting a push and mark_sent would repeat that one push; the fake platform
    # here takes its time before accepting, so the kill lands before it.)
    assert max(pushes.values()) == 1, [k for k, v in pushes.items() if v > 1]
