"""What a command handler gets: the ledger, the office, who is asking, and the clock."""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Mapping

import sqlite_utils

from channels.message import Message
from ledger.db import data_version
from ledger.facts import CITY, Office, all_facts, facts_versions, single_indicator
from ledger.office import open_years
from ledger.outbox import enqueue
from ledger.units import Member, Unit, by_channel, get_unit, liaison_contacts
from worktime.calendar import WorkCalendar
from worktime.period import Period
from scoring.card import ItemCard, Scorecard
from schemes.model import Scheme
from scoring.engine import Scored, rescore, score_all

__all__ = ["Ctx", "CardCache"]



CacheKey = tuple[str, int, date, int]  # scheme id, year, today, data version


@dataclass(frozen=True)
class Baseline:
    """Scored cards with the per-unit facts versions they were computed from."""

    scored: Scored
    versions: dict[str, int]
    scheme: Scheme | None = None  # scored under this copy: a replaced copy starts afresh


class CardCache:
    """Every unit's scorecards per (scheme, year, day, data version), shared by a pipeline's
    threads. Entries are read-only once stored; the data version (bumped by a trigger on every
    write to a scored table) makes a stale entry unreachable, so nothing is ever invalidated by
    hand. One computation per key at a time: threads that miss together wait for the first."""

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._entries: OrderedDict[CacheKey, dict[str, Scorecard]] = OrderedDict()
        self._lock = threading.Lock()
        self._compute_lock = threading.Lock()
        self._states: dict[tuple[str, int, date], Baseline] = {}
        self.hits = self.misses = 0

    def baseline(self, key: CacheKey) -> Baseline | None:
        """The latest committed scoring state for this scheme, year and day (any version)."""
        with self._lock:
            return self._states.get(key[:3])

    def remember(self, key: CacheKey, state: Baseline) -> None:
        """Keep a state computed from committed data as the base for the next recompute."""
        with self._lock:
            # one per scheme and year, today's only: older days are never asked again
            self._states = {k: v for k, v in self._states.items() if k[2] == key[2]}
            self._states[key[:3]] = state

    def put(self, key: CacheKey, cards: dict[str, Scorecard]) -> None:
        with self._lock:
            self._entries[key] = cards
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def get(self, key: CacheKey, compute: Callable[[], dict[str, Scorecard]]) -> dict[str, Scorecard]:
        with self._lock:
            if key in self._entries:
                self.hits += 1
                self._entries.move_to_end(key)
                return self._entries[key]
        with self._compute_lock:
            with self._lock:
                if key in self._entries:
                    self.hits += 1
                    return self._entries[key]
            cards = compute()
            self.misses += 1
            self.put(key, cards)
            return cards


@dataclass
class Ctx:
    db: sqlite_utils.Database
    office: Office
    member: Member
    msg: Message
    now: datetime
    cal: WorkCalendar
    data_dir: Path
    settings: dict[str, Any] = field(default_factory=dict)
    _cards: dict[str, Scorecard] | None = None
    # Set by the pipeline: the shared cache, and the data version this connection saw before it
    # wrote anything. Cards are cached only while the version is still that one, i.e. they are
    # computed from committed data (never from this message's own uncommitted writes).
    card_cache: CardCache | None = None
    base_version: int | None = None
    # Told about cards computed after this message's own writes: (cache key, the connection's
    # total_changes, cards, baseline). The pipeline may cache them once the transaction has
    # committed.
    on_fresh_cards: Callable[[CacheKey, int, dict[str, Scorecard], "Baseline"], None] | None = None
    _state: Baseline | None = None
    # What the pipeline read already in this transaction: (the connection's total_changes then,
    # the sender's unit, the data version). No other connection can write inside the
    # transaction, so both hold until this one writes.
    _known: tuple[int, Unit | None, int | None] | None = None
    # The reply already names the year of each of its parts (answered once per open year).
    labelled: bool = False
    # The messages this command came from, verbatim, when it is not just `msg`: the message
    # the bot asked a follow-up question about, then the answer (see sent()).
    said: list[str] = field(default_factory=list)

    def sent(self) -> list[str]:
        """What the person sent for this command, as sent: the message, or the message and
        the answers to the bot's follow-up questions."""
        return list(self.said) or [self.msg.text.strip()]

    def known(self, unit: Unit | None, version: int | None) -> None:
        """Keep the sender's unit and the data version read for this message, so a command
        does not read them again (a question costs a handful of statements)."""
        self._known = (self.db.conn.total_changes, unit, version)

    def _still_known(self) -> tuple[int, Unit | None, int | None] | None:
        """What was read for this message, while this connection has not written since."""
        known = self._known
        return known if known is not None and known[0] == self.db.conn.total_changes else None

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def unit(self) -> Unit | None:
        if not self.member.unit_id:
            return None
        known = self._still_known()
        if known is not None and known[1] is not None and known[1].id == self.member.unit_id:
            return known[1]
        return get_unit(self.db, self.member.unit_id)

    def open_years(self) -> tuple[int, ...]:
        """The office's open years (as read with the office, unless this message wrote since)."""
        if self._still_known() is not None and self.office.open_years:
            return self.office.open_years
        return tuple(open_years(self.db))

    def _version(self) -> int:
        known = self._still_known()
        if known is not None and known[2] is not None:
            return known[2]
        return data_version(self.db)

    @property
    def actor(self) -> str:
        return f"{self.member.name}({self.member.user_id})"

    def _compute(self, version: int | None, committed: bool) -> dict[str, Scorecard]:
        """All cards; when the cache has a committed baseline, only the units whose facts
        versions moved are re-read, and only the cards they affect are rescored."""
        cache = self.card_cache
        key = self.cache_key(version) if version is not None else None
        base = cache.baseline(key) if cache is not None and key and not self.office.city_level else None
        if base is not None and base.scheme is not self.office.scheme and base.scheme != self.office.scheme:
            base = None  # `scheme add` replaced the installed copy since
        versions = facts_versions(self.db, self.office)
        if base is None:
            scored = rescore(self.office.scheme, all_facts(self.db, self.office, self.today, self.cal))
        else:
            facts, moved = self._facts_since(base, versions)
            scored = rescore(self.office.scheme, facts, base.scored, changed=moved)
        self._state = Baseline(scored, versions, self.office.scheme)
        if committed and key is not None and cache is not None:
            cache.remember(key, self._state)
        return scored.cards

    def cards(self) -> dict[str, Scorecard]:
        """Every unit's card (rank rules over all units), computed once per message."""
        if self._cards is None:
            cache = self.card_cache
            version = self._version() if cache is not None else None
            if cache is not None and version is not None and version == self.base_version:
                self._cards = cache.get(self.cache_key(version),
                                        lambda: self._compute(version, committed=True))
            else:
                self._cards = self._compute(version, committed=False)
                if version is not None and self.on_fresh_cards is not None and self._state is not None:
                    # the key now: a later use_office() must not file these under another
                    self.on_fresh_cards(self.cache_key(version), self.db.conn.total_changes,
                                        self._cards, self._state)
        return self._cards

    def facts(self) -> Mapping[str, Mapping[str, Any]]:
        """Every unit's facts the cards were scored from (read again when the cards came from
        the shared cache, which keeps cards only)."""
        self.cards()
        if self._state is not None and self._state.scheme is self.office.scheme:
            return self._state.scored.facts
        cache = self.card_cache
        base = cache.baseline(self.cache_key(self._version())) \
            if cache is not None and not self.office.city_level else None
        if base is not None and base.scheme is self.office.scheme:
            # the committed baseline's facts, re-read only for units written since (a liaison's
            # 缺项 asks for every unit's facts; reading them all cost ~50 ms at 200 units)
            return self._facts_since(base, facts_versions(self.db, self.office))[0]
        return all_facts(self.db, self.office, self.today, self.cal)

    def _facts_since(self, base: Baseline, versions: Mapping[str, Any]
                     ) -> tuple[dict[str, Mapping[str, Any]], set[str]]:
        """Every unit's facts from `base`, re-read for the units whose facts versions moved;
        and those units."""
        moved = {u for u, v in versions.items() if base.versions.get(u) != v
                 or u not in base.scored.facts}
        fresh = all_facts(self.db, self.office, self.today, self.cal, units=moved) if moved else {}
        return {u: fresh[u] if u in moved else base.scored.facts[u] for u in versions}, moved

    def use_office(self, off: Office) -> None:
        """Speak of another scheme or year (a staff command naming a unit of another kind,
        `排名 2022`): cards computed so far belong to the previous one."""
        if (off.scheme.id, off.year) != (self.office.scheme.id, self.office.year):
            self.office = off
            self._cards = None

    def use_unit(self, unit: Unit, year: int | None = None) -> None:
        """The scheme that assesses `unit` (in `year`, default the year spoken of so far)."""
        from ledger.office import office_for_kind
        self.use_office(office_for_kind(self.db, unit.kind, year or self.office.year))

    def speak_of_year(self, year: int) -> None:
        """Answer for `year`: the sender's unit's scheme that year (staff: the first scheme)."""
        from ledger.office import office
        unit = self.unit if self.member.unit_id else None
        if unit is not None:
            self.use_unit(unit, year)
        else:
            self.use_office(office(self.db, year))

    def all_years(self) -> list[int]:
        """Every year the office has assessed (open or closed)."""
        from ledger.office import years
        return [y for y, _ in years(self.db)]

    def use_period(self, unit: Unit, period: str | Period | None) -> bool:
        """A period of another assessment year (January: last year's December or Q4) is filed
        and scored in that year: speak of it. False when the period's year is not one of the
        office's assessment years (the caller refuses or files it as before)."""
        if period is None:
            return True
        year = (period if isinstance(period, Period) else Period.from_label(period)).year
        if year == self.office.year:
            return True
        from ledger.office import year_status
        if year_status(self.db, year) is None:
            return False
        self.use_unit(unit, year)
        return True

    def cache_key(self, version: int) -> CacheKey:
        return (self.office.scheme.id, self.office.year, self.today, version)

    def item_of(self, unit: Unit, code: str) -> ItemCard:
        """One unit's item on one indicator, ranked against all units, without scoring the
        rest of the scheme (the reply to a 报送 needs nothing more)."""
        narrow = single_indicator(self.office, code)
        # With a committed baseline in the cache, rescoring what this write moved costs less
        # than scoring one indicator over every unit, and the cards it makes are cached for
        # the 得分 that follow.
        warm = (not self.office.city_level  # a city's one card is rescored whole anyway
                and self.card_cache is not None and self.base_version is not None
                and self.card_cache.baseline(self.cache_key(self.base_version)) is not None)
        if self._cards is not None or narrow is None or warm:
            return self.card_of(unit).item(code)
        cards = score_all(narrow.scheme, all_facts(self.db, narrow, self.today, self.cal, only=code))
        if self.office.city_level:
            return cards[CITY].for_unit(unit.name).item(code)
        return cards[unit.name].item(code)

    def card_of(self, unit: Unit) -> Scorecard:
        """The unit's card; on a city scheme the city's, with the items scored per unit showing
        this unit's own points."""
        cards = self.cards()
        return cards[CITY].for_unit(unit.name) if self.office.city_level else cards[unit.name]

    def notify(self, user_ids: list[str], text: str, key: str,
               file: tuple[str, str] | None = None) -> None:
        """Queue a direct message through the outbox (sent by the worker, with retries);
        `file` (path, name) sends that file instead of text."""
        if not user_ids:
            return
        payload = {"file": file[0], "name": file[1]} if file else {"text": text}
        enqueue(self.db, key, self._here(), {"users": user_ids}, payload, self.now)

    def _here(self) -> str:
        channel = self.msg.channel.split("_")[0]
        if channel == "web":  # the web console pushes where the office's people are reached
            from reminders.jobs import default_channel
            channel = default_channel(self.settings)
        return channel

    def notify_liaisons(self, unit_id: int, text: str, key: str) -> None:
        """A unit's liaisons hear what the office did: each person once, on the platform they
        are reached on (their newest binding); an unscoped binding on this message's."""
        groups = by_channel(liaison_contacts(self.db, unit_id, deputies=False), self._here())
        for channel, users in sorted(groups.items()):
            enqueue(self.db, key if len(groups) == 1 else f"{key}:{channel}", channel,
                    {"users": users}, {"text": text}, self.now)
