"""What waits for the office's review: 待审 lists the items themselves, 查看 shows one in full
and sends its evidence files to the staff member in chat (registered in bot.commands).

Submissions are numbered by their record id (#12), files by F and their id (F7). Files go out
through the outbox as file messages (WeCom media upload + file message, DingTalk media upload +
robot file message), or as one-time download links when PUBLIC_BASE_URL is set.
"""
from __future__ import annotations

from pathlib import Path

from bot.commands import STAFF, _find_unit, command
from bot.context import Ctx
from channels.dingtalk_client import FILE_TYPES
from channels.message import Reply
from bot.numbers import show_value
from bot.parse import CommandError
from ledger import submissions as subs
from ledger.db import LedgerError
from ledger.files import locate
from ledger.labels import SUBMISSION_KIND_ZH, record_status_zh
from ledger.office import office_for_kind, years
from ledger.units import Unit, get_unit, list_units, member_names
from worktime.period import Period

__all__: list[str] = []  # commands register themselves with @command

MAX_FILES = 5


def _first_words(text: str, n: int = 24) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= n else flat[:n] + "…"


def _when(iso: str) -> str:
    return iso[5:16].replace("T", " ")


def _indicator(ctx: Ctx, unit: Unit | None, code: str):
    """The indicator as the scheme assessing this unit defines it (an office may run a 市直 and
    a 县区 scheme side by side, with the same codes meaning different items)."""
    scheme = ctx.office.scheme
    if unit is not None:
        try:
            scheme = office_for_kind(ctx.db, unit.kind, ctx.office.year).scheme
        except LedgerError:
            pass
    return scheme.indicator(code)


def _metrics_text(ind, metrics: dict, short: bool = False) -> str:
    """The values in words; `short` keeps each label to its head (the list shows many rows)."""
    if ind is None:
        return ""
    out = []
    for m in ind.metrics:
        if m.name in metrics:
            v = metrics[m.name]
            shown = ("是" if v else "否") if m.type == "bool" else str(v) if m.type == "text" \
                else show_value(m, v)
            label = m.label.split("（")[0][:12] if short else m.label
            out.append(f"{label} {shown}")
    return "，".join(out)


@command(("待审", "待审核"), STAFF, "待审 [单位] [年度]", "等待审核的报送和材料（逐条，最早的在前），查看：查看 <编号>",
         read_only=True)
def cmd_pending_reviews(words: list[str], ctx: Ctx) -> Reply:
    from bot.registry import take_year
    year, words = take_year(words, ctx)  # default: every open year (a closed one is frozen)
    if year is not None and year not in ctx.open_years():
        return Reply(f"{year}年度已关闭，结果已定稿：其未审核的报送和材料不再审核。")
    both = year is None and len(ctx.open_years()) > 1
    if year is not None:
        ctx.speak_of_year(year)
    else:
        ctx.labelled = True  # January: one queue of both years, each row naming its own
    unit = _find_unit(ctx, " ".join(words)) if words else None
    units = {u.id: u for u in list_units(ctx.db)}
    names = {u.id: u.name for u in units.values()}
    rows: list[tuple[str, int, str]] = []  # (received, order, line)
    waiting, files = subs.awaiting_review(ctx.db, unit.id if unit else None, year)
    for s in waiting:
        ind = _indicator(ctx, units.get(s.unit_id), s.indicator)
        what = _first_words(s.text) if s.kind != "data" else _first_words(
            _metrics_text(ind, s.metrics, short=True) or s.text, 40)
        rows.append((s.received_at, s.id, f"#{s.id}｜{names.get(s.unit_id, s.unit_id)}｜{s.indicator} "
                                    f"{ind.name if ind else ''}｜{SUBMISSION_KIND_ZH.get(s.kind, s.kind)} "
                                    f"{s.period}｜{_when(s.received_at)}｜{what}"))
    for e in files:
        ind = _indicator(ctx, units.get(e["unit_id"]), e["indicator"])
        # the period the file counts for; in January, a file for no period names its year
        of = e.get("period") or (f"{e['year']}年度" if e.get("year") and both else "")
        rows.append((e["received_at"], e["id"], f"F{e['id']}｜{names.get(e['unit_id'], e['unit_id'])}｜"
                                       f"{e['indicator']} {ind.name if ind else ''}｜文件 "
                                       f"{e['original_name']}" + (f"（{of}）" if of else "")
                                       + f"｜{_when(e['received_at'])}"))
    if not rows:
        return Reply(f"{year}年度没有等待审核的报送或材料。" if year else "没有等待审核的报送或材料。")
    rows.sort(key=lambda r: r[:2])
    lines = [f"待审核 {len(rows)} 条（最早的在前）："] + [line for *_, line in rows[:20]]
    if len(rows) > 20:
        lines.append(f"……另有 {len(rows) - 20} 条")
    lines.append("看全文和材料：查看 <编号>（如 查看 12、查看 F3）；审核：审核 <单位> <指标> 通过/驳回 [理由]")
    return Reply("\n".join(lines))


@command(("查看", "看"), STAFF, "查看 <编号>", "看一条报送的全文，佐证材料以文件发给您")
def cmd_show(words: list[str], ctx: Ctx) -> Reply:
    key = words[0].lstrip("#").upper() if words else ""
    if key.startswith("F") and key[1:].isdigit() and len(key) <= 13:
        return _show_file(ctx, int(key[1:]))
    if not key.isdigit() or len(key) > 12:
        raise CommandError("请写上编号，例如：查看 12 或 查看 F3（发送「待审」查看编号）")
    try:
        sub = subs.get(ctx.db, int(key))
    except LedgerError as exc:
        raise CommandError(str(exc)) from None
    unit = get_unit(ctx.db, sub.unit_id)
    ind = _indicator(ctx, unit, sub.indicator)
    who = member_names(ctx.db).get(sub.member_id or 0, "")  # ended bindings keep their name
    closed = _closed(ctx)
    lines = [f"#{sub.id}｜{unit.name}｜{sub.indicator} {ind.name if ind else ''}｜"
             f"{SUBMISSION_KIND_ZH.get(sub.kind, sub.kind)} {sub.period}",
             f"收到：{sub.received_at[:16].replace('T', ' ')}" + (f"（{who}）" if who else "")
             + (f"，{'按时' if sub.on_time else '逾期'}" if sub.on_time is not None else "")
             + f"｜状态：{record_status_zh(sub.status, Period.from_label(sub.period).year, closed)}"
             + (f"（{sub.review_reason}）" if sub.review_reason else "")]
    data = _metrics_text(ind, sub.metrics) if sub.kind == "data" else ""
    if data:
        lines.append(f"数据：{data}")
    if sub.sent:  # verbatim: as the person typed it, and their answers to the bot's question
        lines.append(f"原文：{sub.sent[0]}")
        lines += [f"对追问的回答：{answer}" for answer in sub.sent[1:]]
    elif sub.text:
        lines.append(f"原文：{sub.text}")
    files = [e for e in subs.list_evidence(ctx.db, sub.unit_id)
             if e["indicator"] == sub.indicator and e["status"] in subs.LIVE][:MAX_FILES]
    reply = Reply("\n".join(lines))
    _attach(ctx, reply, files)
    if ind is not None:
        reply.text += f"\n审核：审核 {unit.name} {ind.aliases[0] if ind.aliases else ind.code} " \
                      f"{sub.period} 通过/驳回 [理由]"
    return reply


def _show_file(ctx: Ctx, file_id: int) -> Reply:
    row = next((e for e in subs.list_evidence(ctx.db) if e["id"] == file_id), None)
    if row is None:
        raise CommandError(f"没有编号为 F{file_id} 的佐证材料")
    unit = get_unit(ctx.db, row["unit_id"])
    ind = _indicator(ctx, unit, row["indicator"])
    reply = Reply(f"F{row['id']}｜{unit.name}｜{row['indicator']} {ind.name if ind else ''}｜"
                  f"收到 {row['received_at'][:16].replace('T', ' ')}｜"
                  f"状态：{record_status_zh(row['status'], _file_year(ctx, row), _closed(ctx))}")
    _attach(ctx, reply, [row])
    return reply


def _closed(ctx: Ctx) -> set[int]:
    return {y for y, status in years(ctx.db) if status == "closed"}


def _file_year(ctx: Ctx, row: dict) -> int | None:
    """A file's year (files from before years existed: the office's first year)."""
    return row["year"] if row["year"] is not None else min(ctx.all_years(), default=None)


def _attach(ctx: Ctx, reply: Reply, files: list[dict]) -> None:
    """Send the files to the staff member: download links when PUBLIC_BASE_URL is set, else
    as file messages through the outbox (the console gets the paths)."""
    if not files:
        reply.text += "\n佐证材料：无"
        return
    from bot.staff import download_link
    listing = []
    for e in files:
        path = locate(ctx.data_dir, e["path"])
        size = f"{max(1, e['size'] // 1024)} KB"
        link = download_link(ctx, path, name=e["original_name"], once=True) if path.exists() else None
        if link:
            listing.append(f"· F{e['id']} {e['original_name']}（{size}）：{link}")
            continue
        listing.append(f"· F{e['id']} {e['original_name']}（{size}）")
        if not path.exists():
            listing[-1] += "（文件已不在服务器上）"
        elif ctx.msg.channel.startswith("dingtalk") and path.suffix.lower().lstrip(".") not in FILE_TYPES:
            listing[-1] += "（钉钉只能发送 Word、Excel、PDF 和压缩包；此文件请配置 PUBLIC_BASE_URL 后用下载链接查看）"
        elif ctx.msg.channel == "console":
            reply.files.append(str(path))
        else:
            ctx.notify([ctx.msg.sender_id], "", key=f"show:{ctx.msg.channel}:{ctx.msg.msg_id}:{e['id']}",
                       file=(str(path), e["original_name"]))
    sent = "下载链接一次有效" if str(ctx.settings.get("PUBLIC_BASE_URL") or "") else \
        "文件随后单独发给您" if ctx.msg.channel != "console" else "文件路径见下"
    reply.text += f"\n佐证材料 {len(files)} 个（{sent}）：\n" + "\n".join(listing)
