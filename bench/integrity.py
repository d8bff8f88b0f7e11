"""What `PRAGMA quick_check` costs, so readiness can run it often enough to notice damage and
rarely enough not to matter (ledger/integrity.py, HEALTH_QUICK_CHECK_S).

    .venv/bin/python bench/integrity.py [--rows 10000 100000 400000] [--dir .]

For each size: a ledger with that many submissions (200 units, text as long as a real
briefing), then quick_check timed 3 times (median; the file is in the page cache, as on a
server that just wrote it), integrity_check beside it for comparison. Prints the file size,
milliseconds, and the share of one core the check takes at the default interval. Nothing is
asserted.
"""
from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from _common import NOW, machine  # sets sys.path

from ledger.db import now_iso, open_db  # noqa: E402
from ledger.facts import init_office  # noqa: E402
from ledger.integrity import quick_check  # noqa: E402
from ledger.units import add_unit  # noqa: E402

INTERVAL_S = 300  # HEALTH_QUICK_CHECK_S default


def build(path: Path, rows: int) -> None:
    db = open_db(path, synchronous="NORMAL")
    init_office(db, "lvliang-2022-departments", 2022)
    units = [add_unit(db, f"市测试{n}局").id for n in range(200)]
    rng = random.Random(1)
    text = "本月组织开展信用承诺、双公示、联合奖惩等工作，" * 12
    with db.conn:
        db.conn.executemany(
            "INSERT INTO submissions(unit_id, indicator, period, kind, metrics, text, received_at,"
            " channel, source_msg_id) VALUES (?, ?, ?, 'data', ?, ?, ?, 'bench', ?)",
            ((rng.choice(units), str(rng.randint(1, 30)), f"2022-{rng.randint(1, 12):02d}",
              f'{{"count": {rng.randint(0, 400)}}}', text, now_iso(NOW), f"b{i}")
             for i in range(rows)))
    db.close()


def timed(fn, repeat: int = 3) -> float:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out) * 1000


def integrity_check(path: Path) -> None:
    conn = sqlite3.connect(str(path))
    try:
        conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[10000, 100000, 400000])
    ap.add_argument("--dir", default=".")
    args = ap.parse_args(argv)
    print(machine())
    print(f"{'submissions':>12} {'file MB':>8} {'quick_check ms':>15} {'integrity_check ms':>19}"
          f" {'core share @300 s':>18}")
    for rows in args.rows:
        folder = Path(tempfile.mkdtemp(prefix="bench-integrity-", dir=args.dir))
        try:
            path = folder / "creditbot.db"
            build(path, rows)
            assert quick_check(path) == []
            quick = timed(lambda: quick_check(path))
            full = timed(lambda: integrity_check(path))
            mb = path.stat().st_size / 1024 / 1024
            print(f"{rows:>12} {mb:>8.1f} {quick:>15.0f} {full:>19.0f} "
                  f"{quick / 1000 / INTERVAL_S:>17.4%}", flush=True)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
