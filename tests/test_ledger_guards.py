"""Ledger guards found by the hardening review: a database from a newer creditbot, and outbox
leases that must run from the claim, not from the start of a slow run."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from command_line import creditbot
from ledger.db import SCHEMA_VERSION, LedgerError, open_db, set_meta
from ledger.outbox import enqueue, list_items
from reminders.outbox import deliver_due


def test_a_newer_schema_is_refused_not_used(tmp_path: Path):
    db = open_db(tmp_path / "new.db")
    set_meta(db, "schema_version", str(SCHEMA_VERSION + 3))
    db.conn.commit()
    db.close()
    with pytest.raises(LedgerError, match="比本程序支持的"):
        open_db(tmp_path / "new.db")
    out = creditbot("unit", "list", env={"CREDITBOT_DB": str(tmp_path / "new.db"),
                                         "CREDITBOT_CONFIG": str(tmp_path / "none.toml")})
    assert out.returncode == 1 and "creditbot restore" in out.stderr


def test_each_outbox_lease_runs_from_its_own_claim(tmp_path: Path):
    db = open_db(tmp_path / "o.db")
    t0 = datetime(2022, 9, 1, 9, 0)
    for n in range(3):
        enqueue(db, f"k{n}", "console", {"users": [f"u{n}"]}, {"text": "提醒"}, t0)
    clock = {"now": t0}
    leases: list[str] = []

    def slow_sender(target, payload):  # each send takes four minutes of the run
        leases.append(db.execute("SELECT next_try_at FROM outbox WHERE key = ?",
                                 [f"k{len(leases)}"]).fetchone()[0])
        clock["now"] += timedelta(minutes=4)

    counts = deliver_due(db, t0, {"console": slow_sender}, clock=lambda: clock["now"])
    assert counts["sent"] == 3
    assert leases == ["2022-09-01T09:05:00", "2022-09-01T09:09:00", "2022-09-01T09:13:00"]
    assert all(i.status == "sent" for i in list_items(db))
    db.close()
