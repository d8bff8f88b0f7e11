"""Scheduled work as plain functions of time (filled in by the reminders issue)."""
from __future__ import annotations

from typing import Any

__all__ = ["outbox_tick", "reminder_tick", "remind_command"]


def outbox_tick(settings: dict[str, Any]) -> None:
    return None


def reminder_tick(settings: dict[str, Any]) -> None:
    return None


def remind_command(settings: dict[str, Any], dry_run: bool, as_json: bool, at: str | None) -> int:
    print("提醒功能尚未实现")
    return 1
