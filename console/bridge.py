"""What the console needs from the chat, handed over by the app factory.

The console sits below `bot` (every import points down), yet every page must read the chat's
own scorecards and every form must be the chat's own command. So `bot.app` builds one `Chat`
from its pipeline and gives it to the console: the console calls these functions and never
imports `bot`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import sqlite_utils

from channels.message import Message, Reply
from ledger.approvals import Target
from ledger.office import Office
from ledger.units import Member
from schemes.model import Indicator, Metric
from worktime.calendar import WorkCalendar

__all__ = ["Chat"]


@dataclass(frozen=True)
class Chat:
    # the pipeline's handling of one message (permissions, checks, audit, notices, retries)
    handle: Callable[[Message], Reply]
    # the chat's context for a member, over the pipeline's shared card cache: .cards(),
    # .card_of(unit), .use_unit(unit), .office
    context: Callable[[sqlite_utils.Database, Office, Member, Message, int], Any]
    # a read-only chat command's answer in that context (缺项, 截止), as the chat would word it
    ask: Callable[[str, Any], str]
    # the values only the credit office enters for an indicator (打分 名称=值)
    staff_only_metrics: Callable[[Indicator], list[Metric]]
    # a metric's value as the chat shows it (percents as %: 0.975 → 97.5%)
    show_value: Callable[[Metric, Any], str]
    # approve what the targets name as one act (ledger.approvals), run as `member`'s form
    # `form_id` through the pipeline (notices, 编号, de-duplication): (member, form_id, targets,
    # summary) -> the chat's reply
    approve: Callable[[Member, str, list[Target], str], Reply]
    clock: Callable[[], datetime]
    cal: WorkCalendar
    data_dir: Path
    settings: dict[str, Any]
