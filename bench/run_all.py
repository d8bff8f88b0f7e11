"""Run every bench script in turn (`make bench`) and print their figures.

    .venv/bin/python bench/run_all.py [--quick]

--quick shortens the load phases and skips the 2000-unit scoring run.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    runs = [
        ["pipeline.py", "--units", "30"] + (["--seconds", "2"] if args.quick else []),
        ["pipeline.py", "--units", "200"] + (["--seconds", "2"] if args.quick else []),
        ["scoring.py"] + (["--units", "20", "200"] if args.quick else []),
        ["reminders.py", "--liaisons", "500"],
        ["integrity.py"] + (["--rows", "10000", "100000"] if args.quick else []),
        ["durability.py"] + (["--commits", "100", "--messages", "20"] if args.quick else []),
        ["draft_accuracy.py"],
        ["rule_phrasings.py"],
        ["new_shapes.py"],
        ["staff.py"] + (["--history", "0", "2000", "--repeat", "5"] if args.quick else []),
        ["console.py", "--units", "200"],
        ["statements.py", "--units", "200"],
        ["staff_month.py", "--units", "120"],
        ["startup.py"] + (["--runs", "3"] if args.quick else []),
    ]
    failed = 0
    for run in runs:
        print(f"\n$ {Path(sys.executable).name} bench/{' '.join(run)}", flush=True)
        t0 = time.perf_counter()
        code = subprocess.call([sys.executable, str(HERE / run[0]), *run[1:]], cwd=HERE.parent,
                               timeout=900)
        print(f"(exit {code}, {time.perf_counter() - t0:.0f} s)", flush=True)
        failed += code != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
