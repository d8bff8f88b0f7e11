"""The upload page, strangers, admins and a full disk, attacked on a real server."""
from __future__ import annotations

import errno
from pathlib import Path

import pytest
import requests

from ledger.db import LedgerError, open_db
from ledger.units import add_member, add_unit, list_members
from test_upload import PDF, Site, site  # noqa: F401  (fixture)


def _db(site: Site):
    return open_db(site.settings["CREDITBOT_DB"])


def test_an_upload_link_dies_when_its_liaison_is_rebound(site: Site):
    url = site.link()
    db = _db(site)
    other = add_unit(db, "市民政局")
    add_member(db, "sw1", "张敏", "liaison", other.id)  # moved to another unit
    db.close()
    assert requests.get(url, timeout=5).status_code == 410
    resp = requests.post(url, files={"file": ("台账.pdf", PDF)}, timeout=10)
    assert resp.status_code == 410 and "失效" in resp.text
    assert site.evidence() == []


def test_pages_send_security_headers(site: Site):
    resp = requests.get(site.link(), timeout=5)
    assert resp.status_code == 200
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["Cache-Control"] == "no-store"
    health = requests.get(f"{site.base}/healthz", timeout=5)
    assert health.headers["X-Content-Type-Options"] == "nosniff"


def test_a_full_disk_gives_a_clear_page_and_no_part_files(site: Site, monkeypatch):
    url = site.link()
    import builtins
    real_open = builtins.open

    def full_disk(path, mode="r", *a, **kw):
        if "w" in mode and str(path).endswith(".part"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(path, mode, *a, **kw)

    monkeypatch.setattr(builtins, "open", full_disk)
    resp = requests.post(url, files={"file": ("台账.pdf", PDF)}, timeout=10)
    monkeypatch.undo()
    assert resp.status_code == 400 and "存储空间不足" in resp.text and "Traceback" not in resp.text
    data = Path(site.settings["CREDITBOT_DATA"])
    assert list(data.rglob("*.part")) == []
    assert site.evidence() == []
    # The link was not spent: after space is freed the same upload works.
    assert requests.post(url, files={"file": ("台账.pdf", PDF)}, timeout=10).status_code == 200


def test_a_strangers_words_are_not_stored(site: Site):
    from channels.message import Message
    from test_upload import NOW
    pipeline = site.app.extensions["creditbot"]
    reply = pipeline.handle(Message("dingtalk", "nobody", "nobody", "我的身份证号 110101…", "s-1", NOW))
    assert "绑定" in reply.text
    db = _db(site)
    rows = db.execute("SELECT sender, text FROM inbound WHERE msg_id = 's-1'").fetchall()
    db.close()
    assert rows == [("nobody", "")]


def test_the_last_admin_cannot_demote_themself(site: Site):
    db = _db(site)
    add_member(db, "boss", "王主任", "admin", None)
    with pytest.raises(LedgerError, match="唯一的管理员"):
        add_member(db, "boss", "王主任", "staff", None)
    add_member(db, "boss2", "李副主任", "admin", None)
    add_member(db, "boss", "王主任", "staff", None)  # allowed: another admin remains
    assert {m.user_id: m.role for m in list_members(db)}["boss"] == "staff"
    db.close()


def test_two_posts_racing_on_one_link_store_one_upload(site: Site):
    import threading
    url = site.link()
    results: list[int] = []
    go = threading.Barrier(2)

    def post(n: int) -> None:
        go.wait()
        resp = requests.post(url, files={"file": (f"台账{n}.pdf", PDF + bytes([n]))}, timeout=20)
        results.append(resp.status_code)

    threads = [threading.Thread(target=post, args=(n,)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 410]
    assert len(site.evidence()) == 1
