"""A damaged ledger file: /healthz sees it (a periodic quick_check, not one per request) and
answers 503 with the reason; commands started on it say what is wrong and how to restore,
without a traceback."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import bot.readiness
from bot.app import create_app
from bot.readiness import Readiness
from command_line import Run, creditbot
from ledger.db import open_db
from ledger.facts import init_office
from ledger.integrity import quick_check
from ledger.units import add_member, add_unit
from servers import ROOT

PAGE = 4096


@pytest.fixture(scope="module")
def ledger_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An office of 40 units, written once; each test damages a copy of its own."""
    path = tmp_path_factory.mktemp("ledger") / "creditbot.db"
    db = open_db(path)
    init_office(db, "lvliang-2022-departments", 2022)
    for n in range(40):
        unit = add_unit(db, f"市测试{n}局")
        add_member(db, f"l{n}", f"联络员{n}", "liaison", unit.id)
    db.close()  # the last connection checkpoints the WAL into the file
    assert not Path(f"{path}-wal").exists()  # so the file alone is the whole ledger
    return path


def _office(tmp_path: Path, ledger_file: Path) -> dict[str, str]:
    settings = {"CREDITBOT_DB": str(tmp_path / "creditbot.db"),
                "CREDITBOT_DATA": str(tmp_path / "data"),
                "CREDITBOT_NOW": "2022-09-01T10:00:00", "HEALTH_MIN_FREE_MB": "1",
                "CREDITBOT_CONFIG": str(tmp_path / "absent.toml"),
                "BACKUP_DIR": str(tmp_path / "backups")}
    shutil.copyfile(ledger_file, settings["CREDITBOT_DB"])
    return settings


def _damage(db_file: str) -> None:
    """What the attack did: pages 3–6 overwritten while the server ran."""
    with open(db_file, "r+b") as fh:
        fh.seek(2 * PAGE)
        fh.write(b"\xa5" * (4 * PAGE))


def test_healthz_turns_503_with_the_reason_at_the_next_periodic_check(tmp_path, monkeypatch,
                                                                      ledger_file):
    settings = _office(tmp_path, ledger_file)
    runs = []
    monkeypatch.setattr(bot.readiness, "quick_check",
                        lambda path: runs.append(path) or quick_check(path))
    clock = [1000.0]
    ready = Readiness(settings, lambda: open_db(settings["CREDITBOT_DB"], migrate=False),
                      clock=lambda: clock[0])
    ok, body = ready()
    assert ok and body["checks"]["database_check"] == "ok"
    for _ in range(20):  # a monitor polling every second: one check, not twenty
        clock[0] += 1
        assert ready()[0]
    assert len(runs) == 1
    _damage(settings["CREDITBOT_DB"])
    clock[0] += 300  # HEALTH_QUICK_CHECK_S
    ok, body = ready()
    assert not ok and len(runs) == 2
    assert "数据库已损坏" in body["reasons"][0] and "creditbot restore" in body["reasons"][0]
    assert body["checks"]["database_check"] != "ok"


def test_healthz_of_a_served_app_on_a_damaged_file_is_a_503_not_200(tmp_path, ledger_file):
    settings = _office(tmp_path, ledger_file)
    client = create_app(settings).test_client()
    _damage(settings["CREDITBOT_DB"])  # under the running app
    resp = client.get("/healthz")
    assert resp.status_code == 503
    assert any("已损坏" in r for r in resp.get_json()["reasons"])


def _damaged_office(tmp_path: Path, ledger_file: Path) -> dict[str, str]:
    settings = _office(tmp_path, ledger_file)
    (tmp_path / "backups" / "creditbot-20220901-020000").mkdir(parents=True)
    _damage(settings["CREDITBOT_DB"])
    return {**settings, "CREDITBOT_NO_SCHEDULER": "1"}


def _says_what_and_how_to_restore(out: Run | subprocess.CompletedProcess, tmp_path: Path) -> None:
    assert out.returncode == 1
    assert "Traceback" not in out.stderr + out.stdout
    assert "数据库已损坏" in out.stderr, out.stderr
    assert f"creditbot restore {tmp_path / 'backups' / 'creditbot-20220901-020000'}" in out.stderr


@pytest.mark.parametrize("command", [["unit", "list"], ["score", "--json"], ["prune"]])
def test_a_command_on_a_damaged_file_says_what_and_how_to_restore(tmp_path, ledger_file, command):
    _says_what_and_how_to_restore(creditbot(*command, env=_damaged_office(tmp_path, ledger_file)),
                                  tmp_path)


def test_the_server_on_a_damaged_file_says_what_and_how_to_restore(tmp_path, ledger_file):
    """`creditbot serve` in a process of its own: were the check missed, it would serve on."""
    out = subprocess.run([sys.executable, "-m", "bot.cli", "serve", "--port", "1"], cwd=ROOT,
                         env={**os.environ, **_damaged_office(tmp_path, ledger_file)},
                         capture_output=True, text=True, timeout=120)
    _says_what_and_how_to_restore(out, tmp_path)
