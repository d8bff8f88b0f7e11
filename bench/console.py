"""Server time of each console page at N units (in-process WSGI calls: no network, no browser).

    .venv/bin/python bench/console.py [--units 200] [--repeat 15]

Seeds a year (Jan–Nov briefings and data for every indicator) with bench/_common.seed_ledger,
logs in as staff and as one liaison through one-time login links, then times each page: the
first request (cold: scorecards and the month-by-month history computed), and the median and
worst of the next `--repeat` (warm); a 单位 page right after a new submission (the cards are
rescored incrementally and past months come from the history cache); and the first 单位 page
of a restarted process (past months read back from the ledger).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import NOW, machine, seed_ledger, server_env

from bot.app import create_app
from channels.message import Message
from ledger.db import open_db
from ledger.sessions import issue_login
from ledger.units import find_member, list_units


def _client(app, db, user: str):
    client = app.test_client()
    token = issue_login(db, find_member(db, "web", user), NOW)
    resp = client.post(f"/console/login/{token}")
    assert resp.status_code == 303, resp.status_code
    return client


def _timed(client, path: str) -> float:
    t0 = time.perf_counter()
    resp = client.get(path)
    elapsed = (time.perf_counter() - t0) * 1000
    assert resp.status_code == 200, (path, resp.status_code)
    return elapsed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args(argv)
    print(f"console bench: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        db_path, data = Path(tmp) / "bench.db", Path(tmp) / "data"
        t0 = time.perf_counter()
        counts = seed_ledger(db_path, args.units)
        print(f"seeded {counts['units']} units, {counts['submissions']} submissions "
              f"in {time.perf_counter() - t0:.1f} s; clock {NOW:%Y-%m-%d}")
        settings = {k: v for k, v in server_env(db_path, data).items()
                    if not k.startswith("WECOM") and not k.startswith("DINGTALK")}
        app = create_app({**settings, "PUBLIC_BASE_URL": "http://127.0.0.1:5000"})
        db = open_db(db_path)
        staff, liaison = _client(app, db, "staff1"), _client(app, db, "u0007")
        unit_id = list_units(db)[7].id
        pages = [("总览", staff, "/console/overview"), ("单位", staff, f"/console/units/{unit_id}"),
                 ("待审", staff, "/console/reviews"), ("截止", staff, "/console/calendar"),
                 ("推送", staff, "/console/outbox"), ("审计", staff, "/console/audit"),
                 ("本单位 (联络员)", liaison, "/console/mine")]
        print(f"\n{'page':18} {'cold ms':>9} {'warm p50':>9} {'warm max':>9}")
        for name, client, path in pages:
            cold = _timed(client, path)
            warm = [_timed(client, path) for _ in range(args.repeat)]
            print(f"{name:18} {cold:9.0f} {statistics.median(warm):9.1f} {max(warm):9.1f}")
        pipeline = app.extensions["creditbot"]
        after = []
        for n in range(5):
            reply = pipeline.handle(Message("console", "u0003", "u0003",
                                            f"报送 信用承诺 {300 + n}", f"bench-{n}", NOW))
            assert reply.text.startswith("已记录"), reply.text  # a real write each round
            after.append(_timed(staff, f"/console/units/{unit_id}"))
        print(f"{'单位 after a 报送':18} {'':9} {statistics.median(after):9.1f} {max(after):9.1f}"
              "   (5 rounds: one 报送 from another unit, then the page)")
        # A restart: a new app on the same ledger (month totals are kept in the ledger).
        again = create_app({**settings, "PUBLIC_BASE_URL": "http://127.0.0.1:5000"})
        restarted = _timed(_client(again, db, "staff1"), f"/console/units/{unit_id}")
        print(f"{'单位 after restart':18} {restarted:9.0f}   (first request of a new process:"
              " cards scored, past months read back)")
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
