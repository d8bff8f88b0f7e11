"""The `creditbot.db.serving` marker: released when the server stops, taken over after a
crash (a SIGKILL leaves it behind with a dead pid), shared by workers that run together, and
never taken from a live server."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import requests

from ledger.serving import marker_path, restoring, server_running
from servers import ROOT, free_port, serve_process
from traffic import seed_office


def _stop(proc: subprocess.Popen) -> int:
    os.killpg(proc.pid, signal.SIGTERM)  # what systemctl stop sends
    return proc.wait(timeout=30)


def test_a_stopped_server_releases_the_marker(tmp_path: Path):
    env = seed_office(tmp_path, units=1)
    marker = marker_path(env["CREDITBOT_DB"])
    with serve_process(env) as (base, proc):
        assert marker.exists() and str(proc.pid) in marker.read_text()
        assert server_running(env["CREDITBOT_DB"])
        assert _stop(proc) == 0
    assert not marker.exists()
    assert not server_running(env["CREDITBOT_DB"])


def test_a_killed_servers_marker_is_taken_over(tmp_path: Path):
    env = seed_office(tmp_path, units=1)
    marker = marker_path(env["CREDITBOT_DB"])
    with serve_process(env) as (_, proc):
        dead = proc.pid
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert marker.exists() and str(dead) in marker.read_text()  # left behind
    # What the kill left: a file with the dead pid that no process holds (the kernel dropped
    # the dead server's lock). Kept, to be put back for the restore below.
    leftover = marker.read_bytes()
    with serve_process(env) as (base, proc):  # the next server takes it over
        assert requests.get(f"{base}/healthz", timeout=5).status_code == 200
        assert marker.read_text().split() == [str(proc.pid)]
        assert server_running(env["CREDITBOT_DB"])  # and is never mistaken for the dead one
        assert _stop(proc) == 0
    assert not marker.exists()
    # A restore finds a killed server's marker and takes it over too: the same leftover, put
    # back as the kill left it (no third server need start and die to write it again).
    marker.write_bytes(leftover)
    assert marker.exists()
    assert not server_running(env["CREDITBOT_DB"]) and not marker.exists()


def test_two_workers_share_it_and_the_last_one_out_removes_it(tmp_path: Path):
    env = seed_office(tmp_path, units=1)
    marker = marker_path(env["CREDITBOT_DB"])
    with serve_process(env, port=free_port()) as (_, a), \
            serve_process(env, port=free_port()) as (_, b):
        assert _stop(a) == 0
        assert marker.exists() and server_running(env["CREDITBOT_DB"])  # b still serves
        with restoring(env["CREDITBOT_DB"]) as held:
            assert held is False
        assert _stop(b) == 0
    assert not marker.exists()


def test_no_server_starts_while_a_restore_holds_the_ledger(tmp_path: Path):
    env = seed_office(tmp_path, units=1)
    with restoring(env["CREDITBOT_DB"]) as held:
        assert held
        out = subprocess.run([sys.executable, "-m", "bot.cli", "serve", "--port",
                              str(free_port())], cwd=ROOT, env={**os.environ, **env},
                             capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and "正在恢复" in out.stderr
    assert "Traceback" not in out.stderr
    assert not marker_path(env["CREDITBOT_DB"]).exists()
