"""Scheduled work as plain functions of time.

`plan_reminders` says what should go out at `now` (a pure read of the ledger);
`send_due_reminders` writes those pushes to the outbox under stable keys, so a second run, a
second process or a restart writes each push once; the outbox worker (`outbox_tick`) sends them.
Catching up after downtime is automatic and limited to what is still useful: the plan is a
function of the day, so a reminder missed on the day before a deadline is not sent after it.

Outbox rows written here (for the sender):

    direct message   channel = the member's channel   target {"users": [ids]}
    unit group       channel = the group's channel    target {"webhook": url, "mentions": [ids]}
    staff group      channel = STAFF_GROUP_CHANNEL    target {"webhook": url, "group": "staff"}

and payload {"text": …, "mentions": [ids]}.
"""
from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlite_utils

from ledger import audit
from ledger.db import LedgerError, immediate, open_db
from ledger.facts import Office, all_facts
from ledger.office import offices, open_years
from ledger.outbox import enqueue, keys_like
from ledger.submissions import live_evidence_receipts, live_receipts
from ledger.responsibility import answers_for
from ledger.units import Unit, by_channel, liaison_contacts, list_units, staff_contacts
from worktime.calendar import WorkCalendar
from worktime.period import deadline_info, periods_in_year
from schemes.asks import liaison_can_send, needs_report
from scoring.stakes import on_time_stake
from reminders.policy import (BEFORE, DAY, DIGEST, DueItem, PolicyError, ReminderKind,
                              ReminderPolicy, digest_text, liaison_text)

__all__ = ["Reminder", "plan_reminders", "send_due_reminders", "outbox_tick", "outbox_senders",
           "reminder_tick", "remind_command", "default_channel"]

log = logging.getLogger("creditbot")

STAFF_SLOT = "staff"


@dataclass(frozen=True)
class Reminder:
    """One push: one outbox row."""

    key: str
    kind: ReminderKind
    channel: str
    to: tuple[str, ...]  # user ids messaged or @-mentioned
    target: dict[str, Any]
    text: str
    items: tuple[tuple[str, str], ...]  # (indicator code, period)
    deadline: date
    unit_id: int | None = None
    unit: str = ""
    mentions: tuple[str, ...] = field(default=())

    @property
    def indicator(self) -> str:
        return "+".join(code for code, _ in self.items)

    @property
    def period(self) -> str:
        return "+".join(period for _, period in self.items)

    @property
    def payload(self) -> dict[str, Any]:
        return {"text": self.text, "mentions": list(self.mentions)}

    def to_json(self) -> dict[str, Any]:
        return {"to": list(self.to), "channel": self.channel, "kind": self.kind,
                "indicator": self.indicator, "period": self.period,
                "deadline": self.deadline.isoformat(), "unit": self.unit, "key": self.key,
                "text": self.text}


# --------------------------------------------------------------------------------------------
# Planning
# --------------------------------------------------------------------------------------------


def default_channel(settings: Mapping[str, Any]) -> str:
    """Where a binding valid on every channel ('*') is reached: the first configured channel
    that can push to a person (the WeCom app, then DingTalk), else the local console."""
    from channels.status import channel_status

    status = channel_status(settings)
    for name in ("wecom", "dingtalk"):
        if status.get(name):
            return name
    return "console"


def _webhook_channel(url: str, named: str | None, fallback: str) -> str:
    if named:
        return named.split("_")[0]
    if "dingtalk" in url:
        return "dingtalk"
    if "weixin.qq.com" in url or "wecom" in url:
        return "wecom"
    return fallback


def _briefing_code(off: Office) -> str | None:
    from ledger.facts import briefing_indicator  # one definition of "the 月报 indicator"

    ind = briefing_indicator(off.scheme)
    return ind.code if ind else None


def _due_items(off: Office, today: date, cal: WorkCalendar,
               policy: ReminderPolicy) -> dict[ReminderKind, list[DueItem]]:
    """The assessment year's periods whose deadline calls for a push today, by kind."""
    briefing = _briefing_code(off)
    out: dict[ReminderKind, list[DueItem]] = defaultdict(list)
    for _, ind in off.scheme.indicators():
        due = ind.due
        if due is None:
            continue
        for period in periods_in_year(due.frequency, off.year, due.date):
            info = deadline_info(cal, due.frequency, period, due.day, due.date)
            for kind in policy.kinds_for(today, info.deadline, cal):
                out[kind].append(DueItem(ind, period, info, briefing=ind.code == briefing))
    return out


def _received(db: sqlite_utils.Database, off: Office) -> dict[tuple[int, str, str], date]:
    """(unit, indicator, period) -> the first day a live submission arrived. For the 月报
    indicator only briefings count; for a one-off item a live evidence file counts too."""
    briefing = _briefing_code(off)
    out: dict[tuple[int, str, str], date] = {}

    def note(key: tuple[int, str, str], at: str) -> None:
        day = date.fromisoformat(at[:10])
        if key not in out or day < out[key]:
            out[key] = day

    reports = {ind.code for _, ind in off.scheme.indicators() if needs_report(ind)}
    for unit_id, code, period, kind, at in live_receipts(db):
        if code == briefing and kind != "briefing":
            continue
        if code in reports and kind not in ("report", "briefing"):
            continue  # figures do not complete a 台账: only its files do
        note((unit_id, code, period), at)
    once = {ind.code: ind.due.date.isoformat() for _, ind in off.scheme.indicators()
            if ind.due and ind.due.frequency == "once" and ind.due.date}
    for unit_id, code, at in live_evidence_receipts(db):
        if code in once:
            note((unit_id, code, once[code]), at)
    return out


def _queued(db: sqlite_utils.Database, today: date) -> set[tuple[str, str, str, str, str]]:
    """(kind, code, period, unit slot, route) already in the outbox for today, read back from
    the keys, so an item is pushed once a day even if its unit's list changes in between."""
    day = today.isoformat()
    out: set[tuple[str, str, str, str, str]] = set()
    for key in keys_like(db, f"remind:%:{day}%"):
        parts = key.split(":")
        if len(parts) < 6 or parts[5] != day:
            continue
        route = "group" if parts[6:7] == ["group"] else "dm"
        codes, periods = parts[2].split("+"), parts[3].split("+")
        if len(periods) == 1:
            periods *= len(codes)
        for code, period in zip(codes, periods):
            out.add((parts[1], code, period, parts[4], route))
    return out


def _recipients(db: sqlite_utils.Database, unit_id: int, today: date,
                fallback: str) -> dict[str, list[str]]:
    """channel -> user ids to message for a unit: its liaisons, or their deputies while on
    leave, each person once, on the binding they are reached on (ledger.units)."""
    return by_channel(liaison_contacts(db, unit_id, today.isoformat()), fallback)


def _paused(unit: Unit, today: date) -> bool:
    until = unit.paused_until
    return bool(until and until >= today.isoformat())


def _key(kind: str, items: Iterable[DueItem], slot: str, today: date, suffix: str = "") -> str:
    items = list(items)
    periods = list(dict.fromkeys(i.period for i in items))  # one period when all share it
    if len(periods) > 1:
        periods = [i.period for i in items]
    key = (f"remind:{kind}:{'+'.join(i.code for i in items)}:"
           f"{'+'.join(periods)}:{slot}:{today.isoformat()}")
    return f"{key}:{suffix}" if suffix else key


def _answers(off: Office, item: DueItem, unit: Unit) -> bool:
    if off.scheme.audience in ("city", "tasks"):
        return answers_for(item.indicator, unit)
    return True


def _unit_reminders(db: sqlite_utils.Database, off: Office, kind: ReminderKind,
                    items: list[DueItem], unit: Unit, received: Mapping, queued: set,
                    today: date, cal: WorkCalendar, policy: ReminderPolicy,
                    fallback: str, stakes: Callable[[Unit, str], Decimal | None] | None = None,
                    ) -> list[Reminder]:
    # a liaison is asked only for what they can send; gates and staff-only items go to the
    # staff digest
    owed = [i for i in items if _answers(off, i, unit) and liaison_can_send(i.indicator)
            and (unit.id, i.code, i.period) not in received]
    by_deadline: dict[date, list[DueItem]] = defaultdict(list)
    for i in owed:
        by_deadline[i.deadline.deadline].append(i)
    slot = str(unit.id)
    out: list[Reminder] = []
    worth = {i.code: v for i in owed
             if stakes is not None and (v := stakes(unit, i.code)) is not None}
    for dl, group in sorted(by_deadline.items()):
        people = _recipients(db, unit.id, today, fallback)
        everyone = tuple(u for ids in people.values() for u in ids)
        if policy.direct:
            fresh = [i for i in group if (kind, i.code, i.period, slot, "dm") not in queued]
            for channel, ids in sorted(people.items()) if fresh else ():
                suffix = channel if len(people) > 1 else ""
                out.append(Reminder(
                    _key(kind, fresh, slot, today, suffix), kind, channel, tuple(ids),
                    {"users": list(ids)}, liaison_text(kind, unit.name, fresh, today, cal, worth),
                    tuple((i.code, i.period) for i in fresh), dl, unit.id, unit.name))
        if policy.mention_in_group and unit.group_webhook and unit.mention_in_group:
            fresh = [i for i in group if (kind, i.code, i.period, slot, "group") not in queued]
            if fresh:
                channel = _webhook_channel(unit.group_webhook, unit.group_channel, fallback)
                out.append(Reminder(
                    _key(kind, fresh, slot, today, "group"), kind, channel, everyone,
                    {"webhook": unit.group_webhook, "mentions": list(everyone),
                     **({"secret": unit.group_secret} if unit.group_secret else {})},
                    liaison_text(kind, unit.name, fresh, today, cal, worth),
                    tuple((i.code, i.period) for i in fresh), dl, unit.id, unit.name,
                    mentions=everyone))
    return out


def _digest(db: sqlite_utils.Database, off: Office, items: list[DueItem], units: list[Unit],
            received: Mapping, queued: set, today: date, settings: Mapping[str, Any],
            fallback: str, slot: str = STAFF_SLOT) -> list[Reminder]:
    webhook = str(settings.get("STAFF_GROUP_WEBHOOK") or "").strip()
    route = "group" if webhook else "dm"
    rows = []
    for item in items:
        if (DIGEST, item.code, item.period, slot, route) in queued:
            continue
        missing, late = [], []
        for unit in units:
            if not _answers(off, item, unit):
                continue
            name = unit.name + ("（已暂停提醒）" if _paused(unit, today) else "")
            got = received.get((unit.id, item.code, item.period))
            if got is None:
                missing.append(name)
            elif got > item.deadline.deadline:
                late.append(name)
        if missing or late:
            rows.append((item, missing, late))
    if not rows:
        return []
    text = digest_text(today, rows)
    done = [item for item, _, _ in rows]
    pairs = tuple((i.code, i.period) for i in done)
    dl = done[0].deadline.deadline
    if webhook:
        channel = _webhook_channel(webhook, settings.get("STAFF_GROUP_CHANNEL"), fallback)
        target = {"webhook": webhook, "group": "staff"}
        secret = str(settings.get("STAFF_GROUP_SECRET") or "").strip()
        if secret:  # DingTalk 加签; the sender reads it from the target
            target["secret"] = secret
        return [Reminder(_key(DIGEST, done, slot, today, "group"), DIGEST, channel, (),
                         target, text, pairs, dl, unit="信用办")]
    people = by_channel(staff_contacts(db), fallback)  # each person once
    return [Reminder(_key(DIGEST, done, slot, today, channel if len(people) > 1 else ""),
                     DIGEST, channel, tuple(ids), {"users": list(ids)}, text, pairs, dl,
                     unit="信用办")
            for channel, ids in sorted(people.items())]


def _stakes_for(db: sqlite_utils.Database, off: Office, today: date,
                cal: WorkCalendar) -> Callable[[Unit, str], Decimal | None]:
    """(unit, item code) -> what sending the period on time is worth to that unit now, by the
    engine against the other units; the office's facts are read once, on first use."""
    facts: dict[str, dict[str, Any]] | None = None
    worth: dict[tuple[str, str], Decimal | None] = {}

    def stake(unit: Unit, code: str) -> Decimal | None:
        nonlocal facts
        if off.city_level:  # one card for the city: the item's value is the city's
            return None
        if (unit.name, code) not in worth:
            if facts is None:
                facts = all_facts(db, off, today, cal)
            worth[(unit.name, code)] = on_time_stake(off.scheme, facts, unit.name, code)
        return worth[(unit.name, code)]
    return stake


def plan_reminders(db: sqlite_utils.Database, now: datetime, cal: WorkCalendar,
                   settings: Mapping[str, Any], *, whole_day: bool = False) -> list[Reminder]:
    """What should be pushed at `now`, leaving out what the outbox already holds for today.
    `whole_day` ignores the hour (a dry run showing the day's plan); rest days stay silent."""
    policy = ReminderPolicy.from_settings(settings)
    if policy.why_not_now(now, cal, whole_day=whole_day):
        return []
    today = now.date()
    # every scheme of every open year (January: last year's Q4 台账 is still due)
    offs = [o for y in open_years(db) for o in offices(db, y)]
    queued = _queued(db, today)
    fallback = default_channel(settings)
    out: list[Reminder] = []
    for off in offs:
        due = _due_items(off, today, cal, policy)
        if not due:
            continue
        units = [u for u in list_units(db) if off.assesses(u.kind)]
        received = _received(db, off)
        stakes = _stakes_for(db, off, today, cal)
        for kind in (BEFORE, DAY):
            if not due.get(kind):
                continue
            for unit in units:
                if _paused(unit, today):
                    continue
                out += _unit_reminders(db, off, kind, due[kind], unit, received, queued, today,
                                       cal, policy, fallback, stakes)
        if due.get(DIGEST):
            # one digest per scheme: the same item code may exist in both annexes
            slot = STAFF_SLOT if len(offs) == 1 else f"{STAFF_SLOT}~{off.scheme.id}~{off.year}"
            out += _digest(db, off, due[DIGEST], units, received, queued, today, settings,
                           fallback, slot)
    return out


# --------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------


def _enqueue_all(db: sqlite_utils.Database, reminders: list[Reminder],
                 now: datetime) -> list[Reminder]:
    queued = [r for r in reminders
              if enqueue(db, r.key, r.channel, r.target, r.payload, now)]
    if queued:
        audit.log(db, now, "scheduler", "remind.queue", "", keys=[r.key for r in queued])
    return queued


def send_due_reminders(db_path: str | Path, now: datetime, settings: Mapping[str, Any],
                       cal: WorkCalendar | None = None) -> list[Reminder]:
    """Plan and enqueue in one write transaction (two runners serialise), on a connection of
    its own. Returns the reminders written this time; a repeat run returns []."""
    if cal is None:
        from worktime.calendar import make_calendar
        cal = make_calendar(dict(settings))
    db = open_db(db_path)
    try:
        with immediate(db):
            queued = _enqueue_all(db, plan_reminders(db, now, cal, settings), now)
    finally:
        db.close()
    if queued:
        log.info("reminders queued: %d (%s)", len(queued), ", ".join(r.key for r in queued))
    return queued


def reminder_tick(settings: dict[str, Any]) -> None:
    """The scheduler's job (every few minutes): queue whatever is due now."""
    from worktime.calendar import make_calendar
    from worktime.clock import make_clock

    try:
        send_due_reminders(settings["CREDITBOT_DB"], make_clock(settings)(), settings,
                           make_calendar(settings))
        from reminders.maintenance import REMINDERS_RUN, mark
        mark(settings["CREDITBOT_DB"], REMINDERS_RUN)
    except LedgerError as exc:  # e.g. no scheme chosen yet: nothing to remind about
        log.warning("reminders skipped: %s", exc)
    except Exception:
        log.exception("reminder tick failed")


def _outbox_worker() -> tuple[Callable[..., Any], Callable[..., Any]] | None:
    """(deliver_due, make_senders) from reminders.outbox, or None in a build without it."""
    try:
        from reminders.outbox import deliver_due, make_senders
    except ModuleNotFoundError as exc:
        if exc.name != "reminders.outbox":
            raise
        return None
    return deliver_due, make_senders


def outbox_senders(settings: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The channel senders, built once per scheduler so access tokens stay cached."""
    worker = _outbox_worker()
    return worker[1](settings) if worker else None


def outbox_tick(settings: dict[str, Any], senders: Mapping[str, Any] | None = None) -> None:
    """The scheduler's job (every 15 s): hand due outbox rows to the channel senders."""
    worker = _outbox_worker()
    if worker is None:
        log.debug("outbox sender not available in this build")
        return
    deliver_due, make_senders = worker
    from worktime.clock import make_clock

    db = open_db(settings["CREDITBOT_DB"], migrate=False)
    try:
        clock = make_clock(settings)
        deliver_due(db, clock(), senders if senders is not None else make_senders(settings),
                    clock=clock)
    except Exception:
        log.exception("outbox tick failed")
    finally:
        db.close()


def _parse_at(at: str | None, settings: Mapping[str, Any]) -> datetime:
    from worktime.clock import make_clock

    if not at:
        return make_clock(dict(settings))()
    text = at.strip()
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise PolicyError(f"--at 时间格式错误：{at}（应为 2022-08-01 或 2022-08-01T09:00）") from None
    if len(text) == 10:  # a day: plan it as of the reminder hour
        when = datetime.combine(when.date(), time(ReminderPolicy.from_settings(settings).remind_hour))
    return when


def remind_command(settings: dict[str, Any], dry_run: bool, as_json: bool,
                   at: str | None) -> int:
    """`creditbot remind`: with --dry-run show the day's reminders not yet queued, whatever
    the hour (nothing is written); else queue what is due now, under the scheduler's keys."""
    from worktime.calendar import make_calendar

    now = _parse_at(at, settings)
    cal = make_calendar(settings)
    policy = ReminderPolicy.from_settings(settings)
    if dry_run:
        db = open_db(settings["CREDITBOT_DB"])
        try:
            planned = plan_reminders(db, now, cal, settings, whole_day=True)
        finally:
            db.close()
        if as_json:
            print(json.dumps([r.to_json() for r in planned], ensure_ascii=False, indent=2))
            return 0
        why = policy.why_not_now(now, cal)
        if why:
            print(f"注意：{why}。")
        if not planned:
            print(f"{now:%Y-%m-%d} 没有需要发送的提醒。")
        for r in planned:
            print(f"→ {r.channel} {','.join(r.to) or r.target.get('group', '群')}"
                  f"｜{r.kind}｜{r.indicator}｜截止 {r.deadline.isoformat()}\n  "
                  + r.text.replace("\n", "\n  "))
        return 0
    why = policy.why_not_now(now, cal)
    queued = [] if why else send_due_reminders(settings["CREDITBOT_DB"], now, settings, cal)
    if as_json:
        print(json.dumps([r.to_json() for r in queued], ensure_ascii=False, indent=2))
    else:
        print(f"{why}。" if why else f"已加入发送队列 {len(queued)} 条提醒。")
    return 0
