"""Full recompute of a scheme with rank rules, and building facts from a seeded ledger.

    .venv/bin/python bench/scoring.py [--units 20 200 2000] [--ledger-units 200] [--repeat 3]

`score_all` (scoring/engine.py) on synthetic facts for each unit count: best-of-N time per full
recompute and per unit; then `all_facts` (ledger/facts.py) on a ledger seeded for 200 units.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from _common import NOW, SCHEME, machine, seed_ledger, synthetic_facts

from ledger.db import open_db
from ledger.facts import all_facts, office
from worktime.calendar import WorkCalendar
from schemes.loader import scheme_by_id
from scoring.engine import score_all


def best_of(repeat: int, fn) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, nargs="+", default=[20, 200, 2000])
    ap.add_argument("--ledger-units", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    print(f"scoring bench: {machine()}")
    scheme = scheme_by_id(SCHEME)
    print(f"scheme {SCHEME}: {len(scheme.indicators())} indicators, "
          f"{sum(p.kind == 'rank' for _, i in scheme.indicators() for p in i.parts)} rank parts")
    previous: tuple[int, float] | None = None
    for n in args.units:
        facts = synthetic_facts(scheme, n)
        repeat = args.repeat if n <= 500 else 1
        secs, cards = best_of(repeat, lambda: score_all(scheme, facts))
        assert len(cards) == n
        growth = ""
        if previous:
            growth = (f", ×{secs / previous[1]:.1f} time for ×{n / previous[0]:.0f} units "
                      f"(per unit {previous[1] / previous[0] * 1000:.2f} → {secs / n * 1000:.2f} ms)")
        print(f"RESULT score_all units={n:5}: {secs * 1000:8.1f} ms per full recompute, "
              f"{secs / n * 1000:.2f} ms per unit{growth}", flush=True)
        previous = (n, secs)
    with tempfile.TemporaryDirectory(prefix="creditbot-bench-") as tmp:
        path = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        counts = seed_ledger(path, args.ledger_units)
        print(f"seeded {counts['units']} units, {counts['submissions']} submissions in "
              f"{time.perf_counter() - t0:.1f} s")
        db = open_db(path)
        off = office(db)
        cal = WorkCalendar.default()
        secs, facts = best_of(args.repeat, lambda: all_facts(db, off, NOW.date(), cal))
        print(f"RESULT all_facts units={args.ledger_units}: {secs * 1000:.1f} ms", flush=True)
        secs2, _ = best_of(args.repeat, lambda: score_all(off.scheme, facts))
        print(f"RESULT ledger recompute units={args.ledger_units} (all_facts + score_all): "
              f"{(secs + secs2) * 1000:.1f} ms", flush=True)
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
