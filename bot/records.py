"""Staff records: the `recorded` decorator that runs a staff command as one act (ledger.acts),
so that what it changed gets a 编号 that 撤销 undoes and the reply shows it. `unit_of` names the
unit whose rows the act may change; `member_of` a binding it may change (绑定)."""
from __future__ import annotations

import functools
from typing import Callable

from bot.commands import _unit_and_rest
from bot.registry import Handler
from bot.context import Ctx
from channels.message import Reply
from ledger import acts
from ledger.units import Unit

__all__ = ["recorded", "number_line", "bound_unit"]


def number_line(act_id: int) -> str:
    return f"编号 {act_id}（撤销请发：撤销 {act_id}）"


def _unit_of(words: list[str], ctx: Ctx) -> Unit:
    return _unit_and_rest(ctx, words)[0]


def bound_unit(words: list[str], ctx: Ctx) -> Unit | None:
    """绑定 <用户ID> <单位>: the unit named after the user id (None for 工作人员)."""
    if len(words) < 2 or words[1] in ("工作人员", "信用办"):
        return None
    return _unit_and_rest(ctx, words[1:])[0]


def recorded(kind: str, unit_of: Callable[[list[str], Ctx], Unit | None] = _unit_of,
             member_of: Callable[[list[str], Ctx], tuple[str, str] | None] | None = None,
             ) -> Callable[[Handler], Handler]:
    """Run a staff command as one act: what it changed gets a 编号 that 撤销 undoes, and the
    reply shows it. A command that fails records nothing."""
    def deco(fn: Handler) -> Handler:
        @functools.wraps(fn)
        def run(words: list[str], ctx: Ctx) -> Reply:
            unit = unit_of(words, ctx)
            member = member_of(words, ctx) if member_of else None  # a binding (user id, channel)
            with acts.recording(ctx.db, kind, unit.id if unit else None, ctx.member.id, ctx.now,
                                ctx.actor, member=member) as rec:
                reply = fn(words, ctx)
                rec.summary = reply.text.splitlines()[0][:200].rstrip("。") if reply.text else kind
                if kind == "扣分" and "档次" in reply.text:
                    rec.kind = "事件"
            assert rec.id is not None  # recording() files the act when the block ends
            # the year it counts in, always: after a close, one open year is no longer obvious
            reply.text = f"{reply.text}\n记入{ctx.office.year}年度，{number_line(rec.id)}"
            return reply
        return run
    return deco
