"""Real servers on 127.0.0.1 for end-to-end tests: the app in a thread, or `creditbot serve`
as a subprocess (for kill/restart tests)."""
from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import requests
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent


# Ports handed to servers started later (a subprocess, a browser's driver) come from a band of
# this worker's own, below the kernel's ephemeral range (32768+): a port asked of the kernel is
# free when asked, but under pytest-xdist another worker may be given the same one before our
# server binds it. Bands are disjoint per worker, and the pid spreads two runs on one machine.
_BAND = 1000
_worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
_ports = itertools.cycle(range(20000 + (_worker % 12) * _BAND,
                               20000 + (_worker % 12 + 1) * _BAND))
for _ in range(os.getpid() % _BAND):
    next(_ports)


def free_port() -> int:
    """A loopback port free now and in no other test worker's band."""
    for _ in range(_BAND):
        port = next(_ports)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free loopback port in this worker's band")


@contextmanager
def app_server(app: Any, port: int = 0) -> Iterator[str]:
    """Serve a Flask app on a loopback port (a free one by default) in a thread; yields the
    base URL."""
    server = make_server("127.0.0.1", port, app, threaded=True)
    # a short poll: shutdown() waits for the loop's next look (0.5 s by default, per server)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def wait_healthy(base: str, timeout: float = 20.0,
                 proc: subprocess.Popen | None = None) -> None:
    """Until /healthz answers 200. While the port refuses connections a bare connect is
    tried every 20 ms (an HTTP request each time would cost the test process more); a
    server process that exits meanwhile fails at once instead of after `timeout`."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server at {base} exited ({proc.returncode}) before it answered")
        try:
            socket.create_connection((host, int(port)), timeout=1).close()
        except OSError:
            time.sleep(0.02)
            continue
        try:
            if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.05)  # up but not ready: each /healthz asks the server for work
    raise TimeoutError(f"{base} did not become healthy")


@contextmanager
def serve_process(env: dict[str, str], port: int | None = None,
                  args: tuple[str, ...] = ()) -> Iterator[tuple[str, subprocess.Popen]]:
    """`creditbot serve` in a subprocess on loopback; killed (SIGKILL) on exit if still alive."""
    port = port or free_port()
    full_env = {**os.environ, **env}
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1",
                             "--port", str(port), *args], cwd=ROOT, env=full_env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc=proc)
        yield base, proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def tax_office_settings(tmp_path: Path, now: str, extra: dict[str, str]) -> dict[str, str]:
    """Settings for a served 吕梁 市直 2022 office with 市税务局's liaison `sw1` (张敏) and the
    staff member `staff1` (刘洋), at Beijing time `now`; `extra` adds a platform's settings."""
    from ledger.db import open_db
    from ledger.facts import init_office
    from ledger.units import add_member, add_unit
    db = open_db(tmp_path / "office.db")
    init_office(db, "lvliang-2022-departments", 2022)
    add_member(db, "sw1", "张敏", "liaison", add_unit(db, "市税务局").id)
    add_member(db, "staff1", "刘洋", "staff", None)
    db.close()
    return {"CREDITBOT_DB": str(tmp_path / "office.db"), "CREDITBOT_DATA": str(tmp_path / "data"),
            "CREDITBOT_NOW": now, "CREDITBOT_NO_SCHEDULER": "1", **extra}
