"""What synchronous=FULL costs: acknowledged writes with FULL (the default) vs NORMAL.

    .venv/bin/python bench/durability.py [--commits 300] [--messages 60] [--dir .]

Two measures per mode, on a file in --dir (default: the working directory, i.e. the disk the
ledger lives on; /tmp may be RAM and would hide the fsyncs):
  * raw commits: one `record_submission` per transaction (what every acknowledged 报送 does);
  * chat 报送 through the real pipeline (`make_pipeline(...).handle`), rescoring included.
Prints throughput and p50/p99 latency. Nothing is asserted; figures go in bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import functools
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _common import NOW, machine, pct, seed_ledger  # sets sys.path

import bot.app  # noqa: E402
import ledger.db  # noqa: E402
from channels.message import Message  # noqa: E402
from ledger.submissions import record_submission  # noqa: E402

ORIGINAL_OPEN = ledger.db.open_db


def raw_commits(path: Path, mode: str, n: int) -> list[float]:
    db = ORIGINAL_OPEN(path, synchronous=mode)
    unit_id = db.execute("SELECT id FROM units LIMIT 1").fetchone()[0]
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        record_submission(db, unit_id=unit_id, indicator="1", period="2022", kind="data",
                          metrics={}, text=f"bench {i}", now=NOW, member_id=None,
                          channel="bench", source_msg_id=f"raw-{mode}-{i}")
        times.append(time.perf_counter() - t0)
    db.close()
    return times


def chat_messages(path: Path, data: Path, mode: str, n: int) -> list[float]:
    opener = functools.partial(ORIGINAL_OPEN, synchronous=mode)
    bot.app.open_db = opener  # the pipeline's connections use this mode
    try:
        pipeline = bot.app.make_pipeline({"CREDITBOT_DB": str(path), "CREDITBOT_DATA": str(data),
                                          "CREDITBOT_NOW": NOW.isoformat()})
        times = []
        for i in range(n):
            msg = Message("console", "u0000", "u0000", f"报送 信用承诺 {100 + i}",
                          f"chat-{mode}-{i}", NOW)
            t0 = time.perf_counter()
            reply = pipeline.handle(msg)
            times.append(time.perf_counter() - t0)
            assert reply.text, "no reply"
        return times
    finally:
        bot.app.open_db = ORIGINAL_OPEN


def report(label: str, times: list[float]) -> str:
    ms = [t * 1000 for t in times]
    return (f"{label:28} {len(ms) / sum(times):8.1f}/s   p50 {pct(ms, 50):7.2f} ms   "
            f"p99 {pct(ms, 99):7.2f} ms")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--commits", type=int, default=300)
    ap.add_argument("--messages", type=int, default=60)
    ap.add_argument("--units", type=int, default=30)
    ap.add_argument("--dir", default=".")
    args = ap.parse_args(argv)
    print(machine())
    work = Path(tempfile.mkdtemp(prefix="bench-durability-", dir=args.dir))
    try:
        seeded = work / "seed.db"
        seed_ledger(seeded, args.units)
        for mode in ("NORMAL", "FULL"):
            path = work / f"{mode}.db"
            shutil.copy(seeded, path)
            print(report(f"raw commits, {mode}", raw_commits(path, mode, args.commits)))
            print(report(f"chat 报送, {mode}",
                         chat_messages(path, work / f"data-{mode}", mode, args.messages)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
