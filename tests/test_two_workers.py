"""Two `creditbot serve` processes on one SQLite file: every acknowledged submission is there
exactly once, a message delivered to both is recorded once, and both give the same score."""
from __future__ import annotations

import re
import threading
from collections import Counter
from pathlib import Path

import requests

from servers import free_port, serve_process
from traffic import Load, seed_office, send, submissions


def total(text: str) -> str:
    found = re.search(r"总分 ([\d.]+)", text)
    assert found, text
    return found.group(1)


def test_two_workers_share_one_ledger(tmp_path: Path) -> None:
    env = seed_office(tmp_path, units=4)
    users = [f"l{n}" for n in range(4)]
    with serve_process(env, port=free_port()) as (a, _), serve_process(env, port=free_port()) as (b, _):
        load = Load([a, b], users, per_thread=25, threads=4)  # 100 submissions, both workers
        threads = load.run()

        # The same message delivered to both workers at once (a platform retry that lands on
        # the other worker): both answer, it is recorded once.
        dup_ids = [f"dup-{n}" for n in range(5)]
        replies: dict[tuple[str, str], tuple[int, str]] = {}

        def deliver(base: str, barrier: threading.Barrier) -> None:
            with requests.Session() as s:
                for n, msg_id in enumerate(dup_ids):
                    barrier.wait(timeout=20)
                    replies[(base, msg_id)] = send(s, base, users[n % 4], f"报送 8 {n + 1}", msg_id)

        barrier = threading.Barrier(2)
        dups = [threading.Thread(target=deliver, args=(base, barrier)) for base in (a, b)]
        for t in dups:
            t.start()
        for t in threads + dups:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in threads + dups)

        for msg_id in dup_ids:
            ra, rb = replies[(a, msg_id)], replies[(b, msg_id)]
            assert ra[0] == rb[0] == 200 and "已记录" in ra[1] and ra[1] == rb[1]

        # A worker's cached scorecards notice a write made through the other worker.
        with requests.Session() as s:
            before = send(s, a, "l0", "得分")[1]
            assert send(s, b, "l0", "报送 6 是")[1].startswith("已记录")  # 平台自动对接
            after_a, after_b = send(s, a, "l0", "得分")[1], send(s, b, "l0", "得分")[1]
            staff_a, staff_b = send(s, a, "staff1", "排名")[1], send(s, b, "staff1", "排名")[1]
        assert total(after_a) == total(after_b) and total(after_a) != total(before)
        assert staff_a == staff_b

    assert len(load.acked) == 100, f"{100 - len(load.acked)} submissions were not acknowledged"
    recorded = Counter(r["source_msg_id"] for r in submissions(env) if r["source_msg_id"])
    assert all(recorded[m] == 1 for m in load.acked)
    assert all(recorded[m] == 1 for m in dup_ids)
