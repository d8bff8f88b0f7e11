"""What a command handler gets: the ledger, the office, who is asking, and the clock."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

import sqlite_utils

from bot.message import Attachment, Message
from ledger.facts import CITY, Office, all_facts
from ledger.outbox import enqueue
from ledger.units import Member, Unit, get_unit
from reminders.calendar import WorkCalendar
from scoring.card import Scorecard
from scoring.engine import score_all

__all__ = ["Ctx", "Fetcher"]

# Downloads an attachment: returns (bytes, file name, content type).
Fetcher = Callable[[Attachment], tuple[bytes, str, str]]


@dataclass
class Ctx:
    db: sqlite_utils.Database
    office: Office
    member: Member
    msg: Message
    now: datetime
    cal: WorkCalendar
    data_dir: Path
    fetch: Fetcher | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    _cards: dict[str, Scorecard] | None = None

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def unit(self) -> Unit | None:
        return get_unit(self.db, self.member.unit_id) if self.member.unit_id else None

    @property
    def actor(self) -> str:
        return f"{self.member.name}({self.member.user_id})"

    def cards(self) -> dict[str, Scorecard]:
        """Every unit's card (rank rules over all units), computed once per message."""
        if self._cards is None:
            facts = all_facts(self.db, self.office, self.today, self.cal)
            self._cards = score_all(self.office.scheme, facts)
        return self._cards

    def card_of(self, unit: Unit) -> Scorecard:
        cards = self.cards()
        return cards[CITY] if self.office.city_level else cards[unit.name]

    def notify(self, user_ids: list[str], text: str, key: str) -> None:
        """Queue a direct message through the outbox (sent by the worker, with retries)."""
        if user_ids:
            enqueue(self.db, key, self.msg.channel.split("_")[0] if self.msg.channel != "console"
                    else "console", {"users": user_ids}, {"text": text}, self.now)
