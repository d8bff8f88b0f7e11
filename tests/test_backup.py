"""Backups of a live server and the restore drill (docs/restore-drill.md), run for real: a
`creditbot serve` process takes signed DingTalk traffic while `creditbot backup` copies it."""
from __future__ import annotations

import os
import signal
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
import requests

from channels.dingtalk import callback_sign
from command_line import Run, creditbot
from fake_dingtalk import FakeDingTalk
from ledger.backup import backup, rotate, verify
from ledger.db import LedgerError, open_db
from ledger.facts import init_office
from ledger.units import add_member, add_unit
from reminders.maintenance import backup_tick
from servers import serve_process
from traffic import unique_ms

PDF = b"%PDF-1.4\n" + b"1" * 200


def _cli(env: dict, *args: str) -> Run:
    return creditbot(*args, env=env)


def _count(db_file: Path, table: str) -> int:
    conn = sqlite3.connect(db_file)
    try:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


class Liaison:
    def __init__(self, base: str, fake: FakeDingTalk):
        self.base, self.fake, self.n = base, fake, 0

    def send(self, msgtype: str, content: dict) -> requests.Response:
        self.n += 1
        ts = str(unique_ms())
        body = {"conversationId": "c", "msgId": f"b-{self.n}", "senderStaffId": "sw1",
                "createAt": int(ts), "conversationType": "1", "msgtype": msgtype,
                "text" if msgtype == "text" else "content": content}
        resp = requests.post(f"{self.base}/dingtalk/callback", json=body, timeout=15,
                             headers={"timestamp": ts, "sign": callback_sign(ts, self.fake.app_secret)})
        assert resp.status_code == 200, resp.text
        return resp


@pytest.fixture
def office_env(tmp_path: Path):
    with FakeDingTalk() as fake:
        env = {"CREDITBOT_DB": str(tmp_path / "live" / "creditbot.db"),
               "CREDITBOT_DATA": str(tmp_path / "live" / "data"),
               "CREDITBOT_CONFIG": str(tmp_path / "absent.toml"),
               "CREDITBOT_NOW": "2022-09-01T10:00:00",
               **{k: str(v) for k, v in fake.settings().items()}}
        db = open_db(env["CREDITBOT_DB"])
        init_office(db, "lvliang-2022-departments", 2022)
        add_member(db, "sw1", "张敏", "liaison", add_unit(db, "市税务局").id)
        db.close()
        yield env, fake


def test_backup_of_a_live_server_then_the_restore_drill(office_env, tmp_path: Path):
    env, fake = office_env
    backups = tmp_path / "backups"
    with serve_process(env) as (base, proc):
        liaison = Liaison(base, fake)
        for n in range(12):  # acknowledged writes, still in the WAL
            liaison.send("text", {"content": f"报送 信用承诺 {30 + n}"})
        fake.files["DL-1"] = (PDF, "application/pdf")
        liaison.send("text", {"content": "佐证 双公示"})
        assert "已收到" in liaison.send("file", {"fileName": "台账.pdf", "downloadCode": "DL-1"}
                                       ).json()["text"]["content"]
        acknowledged = _count(Path(env["CREDITBOT_DB"]), "submissions")
        made = _cli(env, "backup", str(backups))
        assert made.returncode == 0, made.stderr
        folder = Path(made.stdout.split("：", 1)[1].strip())
        # The server keeps going after the snapshot.
        liaison.send("text", {"content": "报送 信用承诺 99"})
        # A restore while the server runs is refused.
        running = _cli(env, "restore", str(folder), "--yes")
        assert running.returncode == 1 and "请先停止服务" in running.stderr
        os.killpg(proc.pid, signal.SIGKILL)
    manifest = verify(folder)
    snap = folder / "creditbot.db"
    assert acknowledged >= 12
    assert _count(snap, "submissions") == acknowledged  # the WAL's pages too
    assert _count(snap, "evidence") == 1 and len(manifest["files"]) == 1
    live_count = _count(Path(env["CREDITBOT_DB"]), "submissions")
    assert live_count == acknowledged + 1
    # The drill: restore needs --yes, moves the current data aside, and the ledger reads back.
    assert _cli(env, "restore", str(folder)).returncode == 1
    done = _cli(env, "restore", str(folder), "--yes")
    assert done.returncode == 0, done.stderr
    aside = Path(done.stdout.rsplit("：", 1)[1].strip())
    assert (aside / "creditbot.db").exists() and (aside / "data").is_dir()
    assert _count(Path(env["CREDITBOT_DB"]), "submissions") == acknowledged
    listing = _cli(env, "submissions", "--json")
    assert listing.returncode == 0 and "99" not in listing.stdout
    evidence = list((Path(env["CREDITBOT_DATA"]) / "evidence").rglob("*.pdf"))
    assert len(evidence) == 1 and evidence[0].read_bytes() == PDF
    with serve_process(env) as (base, _):  # and the restored office serves again
        assert requests.get(f"{base}/healthz", timeout=5).json()["status"] == "ok"


def test_a_damaged_backup_is_refused(office_env, tmp_path: Path):
    env, _ = office_env
    data = Path(env["CREDITBOT_DATA"]) / "evidence" / "ab"
    data.mkdir(parents=True)
    (data / "x.pdf").write_bytes(PDF)
    folder = backup(env["CREDITBOT_DB"], env["CREDITBOT_DATA"], tmp_path / "b",
                    datetime(2022, 9, 1, 2, 0))
    (folder / "data" / "evidence" / "ab" / "x.pdf").write_bytes(b"short")
    with pytest.raises(LedgerError, match="大小不符"):
        verify(folder)
    out = _cli(env, "restore", str(folder), "--yes")
    assert out.returncode == 1 and "大小不符" in out.stderr
    assert _count(Path(env["CREDITBOT_DB"]), "units") == 1  # untouched


def test_nightly_backups_keep_the_newest(office_env, tmp_path: Path):
    env, _ = office_env
    dest = tmp_path / "nightly"
    for day in (1, 2, 3):
        backup(env["CREDITBOT_DB"], env["CREDITBOT_DATA"], dest, datetime(2022, 9, day, 2, 0))
    removed = rotate(dest, 2)
    assert [p.name for p in removed] == ["creditbot-20220901-020000"]
    assert sorted(p.name for p in dest.iterdir()) == ["creditbot-20220902-020000",
                                                       "creditbot-20220903-020000"]
    settings = {**env, "BACKUP_DIR": str(dest), "BACKUP_KEEP": 2}
    folder = backup_tick(settings)
    assert folder is not None and folder.exists()
    assert len([p for p in dest.iterdir() if p.name.startswith("creditbot-")]) == 2
