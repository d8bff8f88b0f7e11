"""The office clock. Deadlines, on-time verdicts, quiet hours and reminder hours are Beijing
time whatever zone the host runs in, so the clock never reads the host's local time."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["SHANGHAI", "ClockError", "shanghai_now", "to_shanghai", "make_clock"]

SHANGHAI = ZoneInfo("Asia/Shanghai")


class ClockError(ValueError):
    """CREDITBOT_NOW is not a time."""


def to_shanghai(at: datetime) -> datetime:
    """Naive Beijing wall time (how the ledger stores times); a naive input is taken as Beijing
    time already."""
    return at.astimezone(SHANGHAI).replace(tzinfo=None) if at.tzinfo else at


def shanghai_now() -> datetime:
    return datetime.now(timezone.utc).astimezone(SHANGHAI).replace(tzinfo=None)


def make_clock(settings: Mapping[str, Any]) -> Callable[[], datetime]:
    """CREDITBOT_NOW fixes the clock (demos, tests; an offset is converted to Beijing time);
    otherwise Beijing wall time now."""
    fixed = str(settings.get("CREDITBOT_NOW") or "").strip()
    if fixed:
        try:
            at = to_shanghai(datetime.fromisoformat(fixed))
        except ValueError:
            raise ClockError(f"CREDITBOT_NOW 格式错误：{fixed}（应为 2022-09-01T10:00:00）") from None
        return lambda: at
    return shanghai_now
