"""Staff acts through the real pipeline: 代报, 确认-style staff values, 扣分 and 撤销 on a seeded
ledger, and what the per-act snapshot (ledger/acts.py) costs as a unit's history grows.

    .venv/bin/python bench/staff.py [--units 200] [--history 0 500 2000] [--repeat 20]

Each act snapshots the unit's submissions, evidence and adjustments before and after, so its
cost grows with that unit's rows; `--history` adds that many extra submissions to the unit.
"""
from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from pathlib import Path

from _common import NOW, machine, median, pct, seed_ledger

from bot.app import make_pipeline
from channels.message import Message
from ledger.db import immediate, open_db
from ledger.submissions import record_submission

_ids = itertools.count(1)


def say(pipeline, user: str, text: str) -> tuple[float, str]:
    msg = Message("console", user, user, text, f"bench-{next(_ids)}", NOW)
    t0 = time.perf_counter()
    reply = pipeline.handle(msg).text
    return (time.perf_counter() - t0) * 1000, reply


def add_history(db_path: Path, rows: int) -> None:
    db = open_db(db_path)
    with immediate(db):
        for n in range(rows):
            record_submission(db, unit_id=1, indicator="7", period=f"2022-h{n}", kind="data",
                              metrics={"commitments": n}, text="history", now=NOW,
                              member_id=None, channel="seed", source_msg_id=None)
    db.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=200)
    ap.add_argument("--history", type=int, nargs="+", default=[0, 500, 2000])
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args(argv)
    print(f"staff bench: {machine()}")
    for history in args.history:
        with tempfile.TemporaryDirectory() as tmp:
            db_path = Path(tmp) / "bench.db"
            seed_ledger(db_path, args.units)
            add_history(db_path, history)
            settings = {"CREDITBOT_DB": str(db_path), "CREDITBOT_DATA": str(Path(tmp) / "data"),
                        "CREDITBOT_NOW": NOW.isoformat()}
            pipeline = make_pipeline(settings)
            pipeline.clock = lambda: NOW
            times: dict[str, list[float]] = {"代报": [], "扣分": [], "撤销": []}
            for n in range(args.repeat):
                ms, reply = say(pipeline, "staff1", f"代报 市单位0000局 行政强制 {n % 6}")
                times["代报"].append(ms)
                ms, reply = say(pipeline, "staff1", "扣分 市单位0000局 乱收费 1 通报")
                times["扣分"].append(ms)
                number = reply.rsplit("撤销 ", 1)[1].split("）")[0]
                ms, reply = say(pipeline, "staff1", f"撤销 {number}")
                assert "已撤销" in reply, reply
                times["撤销"].append(ms)
            line = "，".join(f"{k} 中位 {median(v):.1f} ms / p95 {pct(v, 95):.1f} ms"
                            for k, v in times.items())
            print(f"{args.units} 个单位，该单位另有 {history} 条历史记录：{line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
