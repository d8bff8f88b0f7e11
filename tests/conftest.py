"""Shared fixtures: a fresh ledger, a small 吕梁 市直 office, and a `chat` helper that sends one
message through the real pipeline (the same one the channel adapters call)."""
from __future__ import annotations

import itertools
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings as hypothesis_settings

# One Hypothesis profile for the whole suite. CI runs on a loaded 2-core machine, so nothing may
# depend on timing: no deadline and no health check (too_slow, data_too_large, …) that measures
# generation speed. Derandomized so a failure reproduces on the next run.
hypothesis_settings.register_profile(
    "creditbot", deadline=None, derandomize=True, print_blob=True,
    suppress_health_check=list(HealthCheck))
hypothesis_settings.load_profile("creditbot")

from bot.app import make_pipeline
from channels.message import Attachment, Message
from ledger.db import open_db
from ledger.facts import init_office
from ledger.units import add_member, add_unit

_ids = itertools.count(1)


class Office:
    """A test office: settings, a pipeline with a movable clock, and chat()."""

    def __init__(self, tmp_path: Path, scheme: str = "lvliang-2022-departments", year: int = 2022):
        self.settings = {"CREDITBOT_DB": str(tmp_path / "t.db"),
                         "CREDITBOT_DATA": str(tmp_path / "data"),
                         "CREDITBOT_NOW": "2022-09-01T10:00:00"}
        self.now = datetime(2022, 9, 1, 10, 0)
        self.pipeline = make_pipeline(self.settings)
        self.pipeline.clock = lambda: self.now
        self.db = open_db(self.settings["CREDITBOT_DB"])
        init_office(self.db, scheme, year)

    def unit(self, name: str, liaison: str | None = None, person: str = "联络员"):
        u = add_unit(self.db, name, now=self.now)
        if liaison:
            add_member(self.db, liaison, person, "liaison", u.id, now=self.now)
        return u

    def staff(self, user_id: str = "staff1", name: str = "刘洋") -> None:
        add_member(self.db, user_id, name, "staff", None, now=self.now)

    def at(self, when: str) -> "Office":
        self.now = datetime.fromisoformat(when)
        return self

    def message(self, user: str, text: str, msg_id: str | None = None,
                files: list[Path] | None = None, channel: str = "console") -> Message:
        atts = tuple(Attachment("file", Path(f).name, path=str(f)) for f in (files or []))
        return Message(channel, user, user, text, msg_id or f"m{next(_ids)}", self.now, atts)

    def chat(self, user: str, text: str, **kw) -> str:
        return self.pipeline.handle(self.message(user, text, **kw)).text


@pytest.fixture
def office(tmp_path: Path) -> Office:
    return Office(tmp_path)


@pytest.fixture
def lvliang(office: Office) -> Office:
    """吕梁 市直 with two units, two liaisons and a staff member."""
    office.unit("市税务局", "sw1", "张敏")
    office.unit("市民政局", "mz1", "赵磊")
    office.staff()
    return office
