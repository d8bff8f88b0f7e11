"""Evidence files (佐证材料): attach to an indicator, ask which one when the file does not say,
and the one-time upload link for channels that cannot send documents to the bot."""
from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from bot.context import Ctx
from channels.message import Attachment, Reply
from bot.parse import Ambiguous, CommandError, find_indicator, period_in_text
from ledger import pending, submissions as subs
from ledger.db import LedgerError
from ledger.facts import filing_year
from ledger.links import add_upload_link
from ledger.units import Unit
from schemes.model import Indicator
from worktime.period import Period

__all__ = ["accept_files", "remember_target", "take_pending", "handle_attachments",
           "upload_link", "PENDING_MINUTES", "filing_period"]

PENDING_MINUTES = 30


def _member_key(ctx: Ctx) -> str:
    return f"{ctx.msg.channel.split('_')[0]}:{ctx.msg.sender_id}"


def _set_pending(ctx: Ctx, kind: str, data: dict) -> None:
    pending.set_pending(ctx.db, _member_key(ctx), kind, data,
                        ctx.now + timedelta(minutes=PENDING_MINUTES))


def take_pending(ctx: Ctx) -> tuple[str, dict] | None:
    """The member's open question (which indicator? a file is coming), consumed once."""
    return pending.take_pending(ctx.db, _member_key(ctx), ctx.now)


def upload_link(ctx: Ctx, unit: Unit, ind: Indicator, period: str | None = None) -> str | None:
    """A one-time upload page for `ind`; a period named in chat goes with it."""
    base = str(ctx.settings.get("PUBLIC_BASE_URL") or "").rstrip("/")
    if not base:
        return None
    token = secrets.token_urlsafe(24)
    hours = int(ctx.settings.get("UPLOAD_LINK_HOURS") or 24)
    add_upload_link(ctx.db, token, unit.id, ind.code, ctx.member.id,
                    ctx.now + timedelta(hours=hours), period)
    return f"{base}/upload/{token}"


def remember_target(ctx: Ctx, unit: Unit, ind: Indicator, period: str | None = None) -> Reply:
    _set_pending(ctx, "evidence_for", {"indicator": ind.code, "period": period})
    link = upload_link(ctx, unit, ind, period)
    of = "" if not period else f"{period}年度" if period.isdigit() else f"{period} 期"
    text = (f"请在{PENDING_MINUTES}分钟内发送「{ind.code} {ind.name}」{of}的佐证材料（文件或图片）。"
            + (f"\n要求：{ind.evidence}" if ind.evidence else ""))
    if link:
        hours = int(ctx.settings.get("UPLOAD_LINK_HOURS") or 24)
        text += f"\n也可以用浏览器打开上传页面（{hours}小时内有效，仅限本项）：{link}"
    return Reply(text)


def _download(ctx: Ctx, att: Attachment) -> tuple[bytes, str, str]:
    """The file as Pipeline._fetch_first stored it (downloads happen there, outside locks)."""
    try:
        return Path(att.path).read_bytes(), att.name or Path(att.path).name, att.content_type
    except OSError:
        raise CommandError("文件已过期，请重新发送。") from None


def filing_period(ind: Indicator, today, cal) -> str | None:
    """The period files sent today count for, when the sender names none: a periodic item's
    current reporting period (January: last year's Q4 until its deadline); None otherwise."""
    due = ind.due
    if due is None or due.frequency not in ("monthly", "quarterly"):
        return None
    from worktime.period import period_of_submission
    return period_of_submission(due.frequency, today, due.day, cal=cal)


def accept_files(ctx: Ctx, unit: Unit, ind: Indicator, period: str | None = None) -> Reply:
    """Store the message's files for `ind`, in `period` (a year for an item not reported per
    period; default: the period or year they count for today)."""
    if period is None and (ind.due is None or ind.due.frequency not in ("monthly", "quarterly")):
        # January: last year's year-end items
        period = str(filing_year(ctx.db, ind, ctx.today, ctx.cal, ctx.office.year,
                                 lambda y: subs.has_standing_files(ctx.db, unit.id, ind.code, y)))
    period = period or filing_period(ind, ctx.today, ctx.cal)
    ctx.use_period(unit, period)  # January: last year's Q4 台账 is last year's
    if period is not None and Period.from_label(period).kind == "year":
        period = None  # a yearly item's files are the year's (as they always were)
    stored = []
    for att in ctx.msg.attachments:
        content, name, ctype = _download(ctx, att)
        try:
            row = subs.store_evidence(
                ctx.db, ctx.data_dir, unit_id=unit.id, indicator=ind.code, content=content,
                original_name=name or att.name or f"{att.kind}", content_type=ctype, now=ctx.now,
                member_id=ctx.member.id, channel=ctx.msg.channel, source_msg_id=ctx.msg.msg_id,
                actor=ctx.actor, year=ctx.office.year, period=period)
        except LedgerError as exc:
            raise CommandError(str(exc)) from None
        stored.append(row)
    report = record_period_report(ctx.db, ctx.cal, unit.id, ind, ctx.now, ctx.member.id,
                                  ctx.msg.channel, len(stored), ctx.actor, period,
                                  int(ctx.settings.get("REVIEW_GRACE_WORKDAYS", 3) or 0))
    names = "、".join(r["original_name"] for r in stored)
    return Reply(f"已收到「{ind.code} {ind.name}」的佐证材料：{names}（编号 "
                 f"{'、'.join(str(r['id']) for r in stored)}），待信用办审核。{report}")


def record_period_report(db, cal, unit_id: int, ind: Indicator, now: datetime,
                         member_id: int | None, channel: str, files: int, actor: str,
                         period: str | None = None, grace_workdays: int = 3) -> str:
    """For a periodic item (季度台账, 月报) the files are that period's report: record it with
    on-time/late against the calendar, which the timeliness rules count. Chat and the upload
    page both come here."""
    due = ind.due
    if due is None or due.frequency not in ("monthly", "quarterly"):
        return ""
    from worktime.period import deadline_info, period_of_submission
    today = now.date()
    period = period or period_of_submission(due.frequency, today, due.day, cal=cal)
    info = deadline_info(cal, due.frequency, period, due.day, due.date)
    on_time = today <= info.deadline
    # a corrected 台账 within the grace window after a rejection keeps the original's receipt
    kept = not on_time and subs.keeps_on_time(db, cal, unit_id, ind.code, period, "report",
                                              today, grace_workdays)
    on_time = on_time or kept
    subs.record_submission(
        db, unit_id=unit_id, indicator=ind.code, period=period, kind="report", metrics={},
        text=f"佐证材料 {files} 个文件", now=now, member_id=member_id, channel=channel,
        source_msg_id=None, deadline=info.deadline.isoformat(), on_time=on_time, actor=actor)
    state = "按时（更正，保留原按时报送记录）" if kept else "按时" if on_time else "逾期"
    return f"\n已计为 {period} 的报送，{state}（截止{info.deadline.month}月{info.deadline.day}日）。"


def handle_attachments(ctx: Ctx) -> Reply:
    """A file/image with no command: its caption or file name may name the indicator; else a
    pending 佐证 says which; else ask (and keep the file reference for the answer)."""
    unit = ctx.unit
    if unit is None:
        raise CommandError("只有单位联络员可以上传佐证材料。")
    pending = take_pending(ctx)
    caption = _caption_indicator(ctx)
    if pending and pending[0] == "evidence_for":
        # Screenshots come several at a time: the 佐证 target holds for the whole window, but
        # a caption naming another indicator wins for its own file.
        _set_pending(ctx, "evidence_for", pending[1])
        if caption is not None and caption.code != pending[1]["indicator"]:
            return accept_files(ctx, unit, caption)
        target = ctx.office.scheme.indicator(pending[1]["indicator"])
        if target is None:  # the scheme was replaced since the 佐证 command
            raise CommandError(f"方案中已没有指标「{pending[1]['indicator']}」，请重新发送「佐证 指标」后再上传。")
        return accept_files(ctx, unit, target, pending[1].get("period"))
    # A caption may be loosely written; a file name must name the indicator plainly
    # ("微信图片_2022…" must not fuzzy-match anything).
    hints = [(ctx.msg.text, True)] + [(a.name.rsplit(".", 1)[0], False) for a in ctx.msg.attachments]
    for hint, loose in ((h.strip(), loose) for h, loose in hints if h and h.strip()):
        named: Indicator | None
        try:
            named = find_indicator(ctx.office.scheme, hint, fuzzy=loose)
        except Ambiguous:
            continue
        except CommandError as exc:
            if "没有找到指标" not in str(exc):
                raise
            named = named_inside(ctx.office.scheme, hint)  # 双公示台账2022Q3, 宣传活动方案
        if named is not None:  # a period in the name (2022Q3) is the period it reports
            period = period_in_text(hint, named.due.frequency if named.due else None,
                                    ctx.office.year)
            return accept_files(ctx, unit, named, period)
    waiting = pending[1]["attachments"] if pending and pending[0] == "file_waiting" else []
    waiting += [a.__dict__ for a in ctx.msg.attachments]
    _set_pending(ctx, "file_waiting", {"attachments": waiting})
    n = f"已收到 {len(waiting)} 个文件。" if len(waiting) > 1 else "收到文件。"
    return Reply(f"{n}请问这是哪一项指标的佐证材料？请回复指标编号或名称，例如：双公示")


def named_inside(scheme, text: str) -> Indicator | None:
    """The one indicator whose alias (2+ characters) or name (4+) appears anywhere in a file
    name or caption; None when none or several do (the bot then asks)."""
    key = re.sub(r"[\s_\-—()（）【】\[\]《》“”\"'、，,.。]", "", unicodedata.normalize("NFKC", text))
    if not key:
        return None
    hits = {i.code: i for _, i in scheme.indicators()
            if any(len(a) >= 2 and a in key for a in i.aliases)
            or (len(i.name) >= 4 and re.sub(r"[“”\"()（）]", "", i.name) in key)}
    return next(iter(hits.values())) if len(hits) == 1 else None


def _caption_indicator(ctx: Ctx) -> Indicator | None:
    text = ctx.msg.text.strip()
    if not text:
        return None
    try:
        return find_indicator(ctx.office.scheme, text)
    except CommandError:
        return named_inside(ctx.office.scheme, text)


def resolve_waiting_file(ctx: Ctx, data: dict, text: str) -> Reply:
    unit = ctx.unit
    if unit is None:  # the file was kept for a liaison who has no unit now
        raise CommandError("只有单位联络员可以上传佐证材料。")
    ind = find_indicator(ctx.office.scheme, text)
    atts = tuple(Attachment(**a) for a in data["attachments"])
    ctx.msg = replace(ctx.msg, attachments=atts)
    return accept_files(ctx, unit, ind)
