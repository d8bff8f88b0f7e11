"""The chat command 控制台: a one-time link that logs this member into the web console
(registered in bot.commands)."""
from __future__ import annotations

from bot.registry import EVERYONE, command
from bot.context import Ctx
from channels.message import Reply
from bot.parse import CommandError
from ledger.sessions import LOGIN_MINUTES, issue_login

__all__: list[str] = []  # the command registers itself with @command


@command(("控制台", "网页", "console"), EVERYONE, "控制台", "获取网页控制台的一次性登录链接（10分钟内有效）")
def cmd_console(words: list[str], ctx: Ctx) -> Reply:
    base = str(ctx.settings.get("PUBLIC_BASE_URL") or "").rstrip("/")
    if not base:
        raise CommandError("网页控制台尚未开通（管理员需配置 PUBLIC_BASE_URL）。请联系市信用办。")
    token = issue_login(ctx.db, ctx.member, ctx.now)
    what = "审核、打分、排名和导出" if ctx.member.is_staff else "查看本单位得分、缺项和上传佐证材料"
    return Reply(f"网页控制台登录链接（{LOGIN_MINUTES}分钟内有效，仅可使用一次，请勿转发）：\n"
                 f"{base}/console/login/{token}\n在浏览器中打开即可{what}。")
