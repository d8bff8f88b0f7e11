"""A reminder round for many liaisons against the fake WeCom and DingTalk servers.

    .venv/bin/python bench/reminders.py [--liaisons 500]

Half the liaisons are bound to WeCom, half to DingTalk. At 2022-08-01 10:00 (the day before
the July briefing is due) `reminders.jobs.send_due_reminders` plans and enqueues the round, then
`reminders.outbox.deliver_due` sends it (in batches of 100 until nothing is due) through the
real senders to tests/fake_wecom.py and tests/fake_dingtalk.py on 127.0.0.1. Prints the outbox
size, the number of outbound API calls and the time of each step.
"""
from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from _common import ROOT, machine

sys.path.insert(0, str(ROOT / "tests"))
from fake_dingtalk import FakeDingTalk  # noqa: E402
from fake_wecom import FakeWeCom  # noqa: E402

from ledger.db import immediate, open_db  # noqa: E402
from ledger.facts import init_office  # noqa: E402
from ledger.outbox import list_items  # noqa: E402
from ledger.units import add_member, add_unit  # noqa: E402
from reminders.jobs import send_due_reminders  # noqa: E402
from reminders.outbox import deliver_due, make_senders  # noqa: E402

NOW = datetime(2022, 8, 1, 10, 0)


class CountingSession(requests.Session):
    """Counts outbound HTTP calls by path (token, send …)."""

    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False  # really reach 127.0.0.1, whatever the proxy variables say
        self.calls: Counter[str] = Counter()

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        self.calls[url.split("?")[0].split("/", 3)[-1]] += 1
        return super().request(method, url, *args, **kwargs)


def seed(db_path: Path, liaisons: int) -> None:
    db = open_db(db_path)
    init_office(db, "lvliang-2022-departments", 2022)
    at = datetime(2022, 1, 1, 9, 0)
    with immediate(db):
        for n in range(liaisons):
            unit = add_unit(db, f"市单位{n:04d}局", now=at)
            channel = "wecom" if n % 2 == 0 else "dingtalk"
            add_member(db, f"u{n:04d}", f"联络员{n}", "liaison", unit.id, channel=channel, now=at)
    db.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--liaisons", type=int, default=500)
    args = ap.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the fakes' access log
    print(f"reminders bench: {machine()}")
    with tempfile.TemporaryDirectory(prefix="creditbot-bench-") as tmp, \
            FakeWeCom() as wecom, FakeDingTalk() as ding:
        db_path = Path(tmp) / "bench.db"
        seed(db_path, args.liaisons)
        settings = {"CREDITBOT_DB": str(db_path), "CREDITBOT_DATA": str(Path(tmp) / "data"),
                    **wecom.settings(), **ding.settings(),
                    "WECOM_TOKEN": "QDG6eK", "WECOM_AES_KEY": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"}
        t0 = time.perf_counter()
        queued = send_due_reminders(str(db_path), NOW, settings)
        plan_s = time.perf_counter() - t0
        session = CountingSession()
        senders = make_senders(settings, session)
        db = open_db(db_path, migrate=False)
        totals: Counter[str] = Counter()
        t0 = time.perf_counter()
        rounds = 0
        while rounds < 50:
            rounds += 1
            counts = deliver_due(db, NOW, senders, limit=100)
            totals.update(counts)
            if not any(counts.values()):
                break
        send_s = time.perf_counter() - t0
        items = list_items(db)
        db.close()
        by_status = Counter(i.status for i in items)
        by_channel = Counter(i.channel for i in items)
        print(f"liaisons={args.liaisons}: queued {len(queued)} pushes in {plan_s * 1000:.0f} ms "
              f"(outbox {dict(by_channel)})")
        print(f"delivered in {rounds - 1} deliver_due batches: {dict(totals)}; "
              f"outbox status {dict(by_status)}")
        print("outbound API calls: " + ", ".join(f"{k} {v}" for k, v in sorted(session.calls.items())))
        print(f"fake WeCom received {len(wecom._state.sent)} message/send, "
              f"fake DingTalk {len(ding.batch_calls)} batchSend")
        calls = sum(session.calls.values())
        print(f"RESULT reminders liaisons={args.liaisons}: {len(queued)} pushes, {calls} API calls, "
              f"plan+enqueue {plan_s * 1000:.0f} ms, send {send_s * 1000:.0f} ms "
              f"({send_s / max(len(queued), 1) * 1000:.2f} ms per push)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
