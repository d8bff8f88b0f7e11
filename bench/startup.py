"""How long `creditbot serve` takes to start: from the process's launch to its first 200 on
/healthz, then to the answer of its first 得分 (a signed DingTalk callback), on a seeded office.

    .venv/bin/python bench/startup.py [--runs 8] [--units 30]

Prints wall and CPU seconds (the server process's own user+sys, read from /proc) for each
phase, median and best. What a restart costs an office, and every test that starts a server.
Nothing is asserted; figures go in bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, dingtalk_post, machine, median, seed_ledger, server_env  # sets sys.path

import requests  # noqa: E402


def _cpu_s(pid: int) -> float:
    """User + system seconds the process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def one_start(env: dict[str, str]) -> tuple[float, float, float, float]:
    """(wall, cpu) to the first healthy answer and (wall, cpu) to the first 得分's answer."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1",
                             "--port", str(port)], cwd=ROOT, env={**os.environ, **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        with requests.Session() as s:
            while True:
                if proc.poll() is not None:
                    raise SystemExit(f"creditbot serve exited ({proc.returncode})")
                try:
                    if s.get(f"{base}/healthz", timeout=5).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                time.sleep(0.005)
            healthy, healthy_cpu = time.perf_counter() - t0, _cpu_s(proc.pid)
            resp = dingtalk_post(s, base, "u0000", "得分")
            text = ((resp.json().get("text") or {}).get("content") or "")
            assert resp.status_code == 200 and "总分" in text, (resp.status_code, text)
            answered, answered_cpu = time.perf_counter() - t0, _cpu_s(proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    return healthy, healthy_cpu, answered, answered_cpu


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=8)
    ap.add_argument("--units", type=int, default=30)
    args = ap.parse_args(argv)
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        db_path, data = Path(tmp) / "bench.db", Path(tmp) / "data"
        seed_ledger(db_path, args.units)
        env = server_env(db_path, data)
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # as `make test`: bytecode is kept
        one_start(env)  # writes the bytecode caches; not counted
        runs = [one_start(env) for _ in range(args.runs)]
    print(f"`creditbot serve`, {args.units} units, {args.runs} starts (wall / the server's CPU, s):")
    for name, w, c in (("first /healthz 200", 0, 1), ("first 得分 answered", 2, 3)):
        walls, cpus = [r[w] for r in runs], [r[c] for r in runs]
        print(f"  {name:20s} wall median {median(walls):.2f} best {min(walls):.2f}   "
              f"CPU median {median(cpus):.2f} best {min(cpus):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
