"""Throughput and latency of `creditbot serve` (waitress, 8 threads) on a seeded ledger.

    .venv/bin/python bench/pipeline.py [--units 30] [--seconds 5] [--max-requests 4000]

Phases, each with 8 client threads (one requests.Session each) for a fixed time or count:
/healthz, signed DingTalk 得分, encrypted WeCom 得分, DingTalk 报送 (unique msgIds), and a mix.
Prints requests/s and p50/p99 per kind and the ratio 得分/healthz throughput.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests

from _common import (wecom_reply_text, ROOT, dingtalk_post, machine, median, pct, seed_ledger, server_env,
                     wecom_post)

sys.path.insert(0, str(ROOT))
from tests.servers import serve_process  # noqa: E402

THREADS = 8
Call = Callable[[requests.Session, random.Random], requests.Response]


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (Linux /proc), in seconds; 0 where unavailable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def run_phase(name: str, calls: dict[str, Call], seconds: float, max_requests: int,
              check: Callable[[str, requests.Response], bool],
              server_pid: int) -> dict[str, dict[str, float]]:
    """Hammer with THREADS clients; returns per-kind {n, rps, p50, p99, errors}."""
    lat: dict[str, list[float]] = {k: [] for k in calls}
    errors: dict[str, int] = {k: 0 for k in calls}
    lock = threading.Lock()
    budget = [max_requests]
    kinds = list(calls)
    stop_at = time.monotonic() + seconds

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        with requests.Session() as s:
            while time.monotonic() < stop_at:
                with lock:
                    if budget[0] <= 0:
                        return
                    budget[0] -= 1
                kind = kinds[rng.randrange(len(kinds))]
                t0 = time.perf_counter()
                try:
                    resp = calls[kind](s, rng)
                    ok = check(kind, resp)
                except requests.RequestException:
                    ok = False
                dt = time.perf_counter() - t0
                with lock:
                    lat[kind].append(dt)
                    errors[kind] += 0 if ok else 1

    started = time.monotonic()
    server_cpu, client_cpu = cpu_seconds(server_pid), time.process_time()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    server_cpu, client_cpu = cpu_seconds(server_pid) - server_cpu, time.process_time() - client_cpu
    total = sum(len(xs) for xs in lat.values()) or 1
    print(f"  [{name}] CPU per request: server {server_cpu / total * 1000:.2f} ms, "
          f"bench client {client_cpu / total * 1000:.2f} ms (2 cores shared)", flush=True)
    out = {}
    for kind, xs in lat.items():
        out[kind] = {"n": len(xs), "rps": len(xs) / elapsed, "p50": median(xs) * 1000,
                     "p99": pct(xs, 99) * 1000, "errors": errors[kind]}
        print(f"  [{name}] {kind:14} n={len(xs):5}  {len(xs) / elapsed:7.1f} req/s  "
              f"p50 {median(xs) * 1000:6.1f} ms  p99 {pct(xs, 99) * 1000:6.1f} ms  "
              f"errors {errors[kind]}", flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=5.0, help="per phase")
    ap.add_argument("--max-requests", type=int, default=4000, help="per phase")
    args = ap.parse_args(argv)
    print(f"pipeline bench: {machine()}")
    with tempfile.TemporaryDirectory(prefix="creditbot-bench-") as tmp:
        db_path = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        counts = seed_ledger(db_path, args.units)
        print(f"seeded {counts['units']} units, {counts['submissions']} submissions "
              f"in {time.perf_counter() - t0:.1f} s", flush=True)
        users = [f"u{n:04d}" for n in range(args.units)]
        serial = iter(range(10**9))

        def healthz(s: requests.Session, rng: random.Random) -> requests.Response:
            return s.get(f"{base}/healthz", timeout=10)

        def ding_score(s: requests.Session, rng: random.Random) -> requests.Response:
            return dingtalk_post(s, base, rng.choice(users), "得分")

        def wecom_score(s: requests.Session, rng: random.Random) -> requests.Response:
            return wecom_post(s, base, rng.choice(users), "得分")

        def ding_submit(s: requests.Session, rng: random.Random) -> requests.Response:
            return dingtalk_post(s, base, rng.choice(users), f"报送 7 {rng.randint(1, 999)}",
                                 msg_id=f"bench-{next(serial)}-{rng.random()}")

        def check(kind: str, resp: requests.Response) -> bool:
            if resp.status_code != 200:
                return False
            if kind.startswith("dingtalk"):
                text = ((resp.json().get("text") or {}).get("content") or "")
                return ("已记录" if kind.endswith("报送") else "总分") in text
            if kind.startswith("wecom"):
                return "总分" in wecom_reply_text(resp)
            return True

        phases: list[tuple[str, dict[str, Call]]] = [
            ("healthz", {"healthz": healthz}),
            ("得分 dingtalk", {"dingtalk_得分": ding_score}),
            ("得分 wecom", {"wecom_得分": wecom_score}),
            ("报送 dingtalk", {"dingtalk_报送": ding_submit}),
            ("mixed", {"healthz": healthz, "dingtalk_得分": ding_score,
                       "wecom_得分": wecom_score, "dingtalk_报送": ding_submit}),
        ]
        results: dict[str, dict[str, dict[str, float]]] = {}
        with serve_process(server_env(db_path, Path(tmp) / "data")) as (base, proc):
            # Warm up (imports, first scheme load) outside the measured phases.
            with requests.Session() as s:
                for n in range(5):
                    dingtalk_post(s, base, users[n % len(users)], "得分")
            for name, calls in phases:
                print(f"phase {name}: {THREADS} threads, ≤{args.seconds:g} s, "
                      f"≤{args.max_requests} requests", flush=True)
                results[name] = run_phase(name, calls, args.seconds, args.max_requests, check,
                                          proc.pid)
        h = results["healthz"]["healthz"]
        d = results["得分 dingtalk"]["dingtalk_得分"]
        w = results["得分 wecom"]["wecom_得分"]
        print(f"RESULT units={args.units} healthz={h['rps']:.1f}/s "
              f"得分(dingtalk)={d['rps']:.1f}/s p99={d['p99']:.1f}ms "
              f"得分(wecom)={w['rps']:.1f}/s p99={w['p99']:.1f}ms "
              f"ratio 得分/healthz={d['rps'] / h['rps']:.2f} (wecom {w['rps'] / h['rps']:.2f})")
        bad = sum(k["errors"] for r in results.values() for k in r.values())
        if bad:
            print(f"WARNING: {bad} failed requests", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
