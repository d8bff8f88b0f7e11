"""docs/restore-drill.md, step by step: a backup restored into a fresh folder, a copy of the
server started on that folder alone (the live data folder moved away), and every evidence file
opened through the copy — by 查看 F<n> in chat and by /console/files/<n>."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
import requests

from channels.dingtalk import callback_sign
from command_line import Run, creditbot
from fake_dingtalk import FakeDingTalk
from ledger.db import MIGRATIONS, _statements, open_db
from ledger.facts import init_office
from ledger.files import locate
from ledger.submissions import list_evidence, store_evidence
from ledger.units import add_member, add_unit
from servers import free_port, serve_process
from traffic import unique_ms

FILES = [("双公示台账.pdf", b"%PDF-1.4\n" + b"1" * 300, "application/pdf"),
         ("截图.png", b"\x89PNG\r\n\x1a\n" + b"2" * 300, "image/png"),
         ("信用承诺.xlsx", b"PK\x03\x04" + b"3" * 300, "application/vnd.ms-excel")]


def _cli(env: dict, *args: str) -> Run:
    return creditbot(*args, env=env)


def _say(base: str, fake: FakeDingTalk, user: str, text: str) -> str:
    ts = str(unique_ms())
    body = {"conversationId": "c", "msgId": f"drill-{ts}", "senderStaffId": user,
            "createAt": int(ts), "conversationType": "1", "msgtype": "text",
            "text": {"content": text}}
    resp = requests.post(f"{base}/dingtalk/callback", json=body, timeout=15,
                         headers={"timestamp": ts, "sign": callback_sign(ts, fake.app_secret)})
    assert resp.status_code == 200, resp.text
    return resp.json()["text"]["content"]


@pytest.fixture
def live_office(tmp_path: Path):
    """A production office with three evidence files, as `store_evidence` writes them."""
    with FakeDingTalk() as fake:
        live = tmp_path / "production"
        env = {"CREDITBOT_DB": str(live / "creditbot.db"), "CREDITBOT_DATA": str(live / "data"),
               "CREDITBOT_CONFIG": str(tmp_path / "absent.toml"),
               "CREDITBOT_NOW": "2022-09-01T10:00:00", "CREDITBOT_NO_SCHEDULER": "1",
               **{k: str(v) for k, v in fake.settings().items()}}
        db = open_db(env["CREDITBOT_DB"])
        at = datetime(2022, 9, 1, 10, 0)
        init_office(db, "lvliang-2022-departments", 2022)
        unit = add_unit(db, "市税务局", now=at)
        add_member(db, "sw1", "张敏", "liaison", unit.id, now=at)
        add_member(db, "st1", "刘洋", "staff", None, now=at)
        for n, (name, content, ctype) in enumerate(FILES):
            store_evidence(db, env["CREDITBOT_DATA"], unit_id=unit.id, indicator="3",
                           content=content, original_name=name, content_type=ctype, now=at,
                           member_id=None, channel="dingtalk", source_msg_id=f"f{n}", year=2022)
        db.close()
        yield env, fake


def test_the_drill_restores_into_a_fresh_folder_and_every_file_opens(live_office, tmp_path):
    env, fake = live_office
    made = _cli(env, "backup", str(tmp_path / "backups"))
    assert made.returncode == 0, made.stderr
    folder = made.stdout.split("：", 1)[1].strip()
    # The drill's own folder; production's is gone (another host, or a lost disk).
    shutil.move(str(tmp_path / "production"), tmp_path / "elsewhere")
    port = free_port()
    drill = {**env, "CREDITBOT_DB": str(tmp_path / "drill" / "creditbot.db"),
             "CREDITBOT_DATA": str(tmp_path / "drill" / "data"),
             "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
    checked = _cli(drill, "restore", folder)  # step 1: check only
    assert checked.returncode == 1 and "--yes" in checked.stderr
    done = _cli(drill, "restore", folder, "--yes")  # step 2
    assert done.returncode == 0, done.stderr
    listed = _cli(drill, "evidence", "check")  # step 3: every file there, bytes unchanged
    assert listed.returncode == 0, listed.stderr
    assert f"{len(FILES)} 个佐证文件全部可以打开" in listed.stdout
    with serve_process(drill, port=port) as (base, _):  # step 4: a copy on its own folder
        assert requests.get(f"{base}/healthz", timeout=5).json()["status"] == "ok"
        web = requests.Session()
        login = re.search(r"/console/login/\S+", _say(base, fake, "st1", "控制台")).group(0)
        assert web.post(f"{base}{login}", timeout=10).status_code == 200
        for n, (name, content, _) in enumerate(FILES, start=1):
            shown = _say(base, fake, "st1", f"查看 F{n}")
            assert "文件已不在服务器上" not in shown
            link = re.search(r"http://127\.0\.0\.1:\d+/download/\S+", shown)
            assert link, shown
            got = requests.get(link.group(0), timeout=10)
            assert got.status_code == 200 and got.content == content
            page = web.get(f"{base}/console/files/{n}", timeout=10)
            assert page.status_code == 200 and page.content == content


def test_absolute_evidence_paths_of_an_older_ledger_become_relative(tmp_path: Path):
    """A ledger written before paths were relative: the migration rewrites its rows, whatever
    folder they named, and the files open in the folder the ledger now lives beside."""
    data = tmp_path / "srv" / "evidence" / "data"  # a folder name that repeats "evidence"
    content = FILES[0][1]
    digest = hashlib.sha256(content).hexdigest()
    absolute = data.resolve() / "evidence" / digest[:2] / f"{digest}.pdf"
    absolute.parent.mkdir(parents=True)
    absolute.write_bytes(content)
    # The ledger as the release before relative paths left it: its migrations only.
    before = next(n for n, m in enumerate(MIGRATIONS) if "instr(path, sha256)" in m)
    conn = sqlite3.connect(tmp_path / "old.db")
    for script in MIGRATIONS[:before]:
        for stmt in _statements(script):
            conn.execute(stmt)
    conn.execute("INSERT INTO meta(key, value) VALUES ('schema_version', ?)", [str(before)])
    conn.execute("INSERT INTO units(id, name, created_at) VALUES (1, '市税务局', '')")
    conn.execute("INSERT INTO evidence(unit_id, indicator, sha256, path, original_name, size, "
                 "received_at, channel) VALUES (1, '3', ?, ?, 'a.pdf', ?, '', 'x')",
                 [digest, str(absolute), len(content)])
    conn.commit()
    conn.close()
    db = open_db(tmp_path / "old.db")
    [migrated] = list_evidence(db)
    db.close()
    assert migrated["path"] == f"evidence/{digest[:2]}/{digest}.pdf"
    moved = tmp_path / "restored" / "data"
    shutil.copytree(data, moved)
    assert locate(moved, migrated["path"]).read_bytes() == FILES[0][1]


def test_a_backup_whose_rows_name_missing_files_is_refused(live_office, tmp_path):
    env, _ = live_office
    made = _cli(env, "backup", str(tmp_path / "b"))
    folder = Path(made.stdout.split("：", 1)[1].strip())
    conn = sqlite3.connect(folder / "creditbot.db")
    conn.execute("UPDATE evidence SET path = 'evidence/zz/none.pdf' WHERE id = 2")
    conn.commit()
    conn.close()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["database"]["sha256"] = hashlib.sha256((folder / "creditbot.db").read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    out = _cli({**env, "CREDITBOT_DB": str(tmp_path / "d" / "c.db"),
                "CREDITBOT_DATA": str(tmp_path / "d" / "data")}, "restore", str(folder))
    assert out.returncode == 1 and "F2" in out.stderr
