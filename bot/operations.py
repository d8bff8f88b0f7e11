"""Operations staff need in chat: which pushes failed or still wait (推送状态), and sending
failed ones again (重发)."""
from __future__ import annotations

from bot.commands import STAFF, command
from bot.context import Ctx
from channels.message import Reply
from bot.parse import CommandError
from ledger.outbox import OutboxItem, backlog, retry_failed, waiting_items

__all__ = ["cmd_push_status", "cmd_push_retry", "describe_item"]

_PURPOSE = (("remind:", "提醒"), ("digest:", "逾期汇总"), ("overflow:", "长回复续发"),
            ("bind:", "绑定通知"), ("review:", "审核通知"), ("notice:", "通知"))


def describe_item(item: OutboxItem) -> str:
    """One line a person can act on: number, what, to whom, state, last error."""
    what = next((zh for prefix, zh in _PURPOSE if item.key.startswith(prefix)), "推送")
    users = item.target.get("users") or []
    to = "群机器人" if item.target.get("webhook") else "、".join(users[:3]) + (
        f" 等{len(users)}人" if len(users) > 3 else "")
    state = "已失败" if item.status == "failed" else f"重试中（第{item.attempts}次失败）"
    error = (item.last_error or "").splitlines()[0][:60] if item.last_error else ""
    when = item.created_at[5:16].replace("T", " ")
    return f"#{item.id} {when} {what}→{to}（{item.channel}）{state}" + (f"：{error}" if error else "")


@command(("推送状态", "推送"), STAFF, "推送状态", "查看发送失败或等待重试的推送")
def cmd_push_status(words: list[str], ctx: Ctx) -> Reply:
    counts = backlog(ctx.db, ctx.now)
    items = waiting_items(ctx.db, limit=15)
    head = (f"推送队列：待发送 {counts['pending']} 条（其中已到时间 {counts['due']} 条），"
            f"已失败 {counts['failed']} 条。")
    if not items:
        return Reply(head + "\n没有失败或重试中的推送。")
    lines = [head] + [describe_item(i) for i in items]
    if counts["failed"]:
        lines.append("处理好原因（如用户ID、网络、群机器人地址）后发送：重发 <编号> 或 重发 全部")
    return Reply("\n".join(lines))


@command(("重发",), STAFF, "重发 <编号>|全部", "把发送失败的推送重新放入队列")
def cmd_push_retry(words: list[str], ctx: Ctx) -> Reply:
    if not words:
        raise CommandError("格式：重发 <编号>（可写多个）或 重发 全部。编号见「推送状态」。")
    if words[0] in ("全部", "所有", "all"):
        ids = None
    else:
        try:
            ids = [int(w.lstrip("#＃")) for w in words]
        except ValueError:
            raise CommandError("编号应为数字，例如：重发 12 15；或 重发 全部") from None
    n = retry_failed(ctx.db, ids, ctx.now, ctx.actor)
    if n == 0:
        return Reply("没有发送失败的推送。")
    return Reply(f"已重新排队 {n} 条推送，将在一分钟内发送。发送「推送状态」查看结果。")
