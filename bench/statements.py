"""SQL statements per chat message through the real pipeline, counted with sqlite3's trace
callback on the pipeline's own connection.

    .venv/bin/python bench/statements.py [--units 200] [--repeat 5] [--show]

Prints the statements one `得分` costs from a bound liaison (the scorecards cached, as in
service), and beside it, measured in the same run, two baselines: `帮助` (a question that reads
nothing but the sender) and `得分` right after a write (the unit's card recomputed). "queries"
are the statements that read or write a table; "all" adds transaction control (BEGIN, COMMIT,
ROLLBACK, SAVEPOINT, RELEASE, PRAGMA). --show lists the statements of the last `得分`.
"""
from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from pathlib import Path

from _common import NOW, machine, seed_ledger

from bot.app import make_pipeline
from channels.message import Message

_ids = itertools.count(1)
_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")


def queries(statements: list[str]) -> int:
    return sum(not s.lstrip().upper().startswith(_CONTROL) for s in statements)


def statements(pipeline, user: str, text: str) -> tuple[list[str], str]:
    """The statements the pipeline ran for one message, and the reply."""
    seen: list[str] = []
    conn = pipeline.thread_db().conn
    conn.set_trace_callback(seen.append)
    try:
        reply = pipeline.handle(Message("console", user, user, text, f"bench-{next(_ids)}",
                                        NOW)).text
    finally:
        conn.set_trace_callback(None)
    return seen, reply


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--show", action="store_true")
    args = ap.parse_args(argv)
    print(f"statements bench: {machine()}")
    with tempfile.TemporaryDirectory(prefix="creditbot-bench-") as tmp:
        db_path = Path(tmp) / "bench.db"
        seed_ledger(db_path, args.units)
        pipeline = make_pipeline({"CREDITBOT_DB": str(db_path),
                                  "CREDITBOT_DATA": str(Path(tmp) / "data"),
                                  "CREDITBOT_NOW": NOW.isoformat()})
        pipeline.clock = lambda: NOW
        statements(pipeline, "u0000", "得分")  # warms the scorecard cache
        counts: dict[str, list[list[str]]] = {"帮助": [], "得分": [], "得分 after a write": []}
        for n in range(args.repeat):
            seen, reply = statements(pipeline, "u0000", "帮助")
            counts["帮助"].append(seen)
            seen, reply = statements(pipeline, "u0000", "得分")
            assert "总分" in reply, reply
            counts["得分"].append(seen)
            statements(pipeline, "staff1", f"代报 市单位0000局 行政强制 {n % 6}")
            seen, reply = statements(pipeline, "u0000", "得分")
            counts["得分 after a write"].append(seen)
        for label, runs in counts.items():
            print(f"RESULT {label}: {max(queries(r) for r in runs)} queries, "
                  f"{max(len(r) for r in runs)} statements in all per message "
                  f"({args.units} units, worst of {args.repeat})", flush=True)
        last = counts["得分"][-1]
        if args.show:
            print("\n".join(f"  {s}" for s in last))
    return 0


if __name__ == "__main__":
    sys.exit(main())
