"""What every `creditbot` subcommand shares: its settings, the ledger, the office's clock, and
how a refusal is printed — one copy, so a change to how the command line opens the ledger or
reads the time is made once."""
from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    import sqlite_utils

    Subcommands = argparse._SubParsersAction[argparse.ArgumentParser]

__all__ = ["CliError", "Settings", "Command", "settings_of", "open_ledger", "office_now",
           "real_now", "print_json", "refuse", "add"]

Settings = dict[str, Any]
Command = Callable[[argparse.Namespace, Settings], int]


class CliError(Exception):
    """A refusal in words staff act on: `main` prints it as 错误：… and exits with 1."""


def settings_of(args: argparse.Namespace) -> Settings:
    from bot.config import ConfigError, load_settings
    try:
        return load_settings(getattr(args, "config", None))
    except ConfigError as exc:
        raise CliError(str(exc)) from None


def open_ledger(settings: Settings) -> sqlite_utils.Database:
    from ledger.db import open_db
    return open_db(settings["CREDITBOT_DB"])


def office_now(settings: Settings) -> datetime:
    """The office's clock: Beijing time now, or CREDITBOT_NOW when it fixes the clock."""
    from worktime.clock import ClockError, make_clock
    try:
        return make_clock(settings)()
    except ClockError as exc:
        raise CliError(str(exc)) from None


def real_now() -> datetime:
    """Beijing time now even when CREDITBOT_NOW fixes the office's clock: backups are named and
    aged by the real one."""
    from worktime.clock import shanghai_now
    return shanghai_now()


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def refuse(why: str) -> int:
    print(f"错误：{why}", file=sys.stderr)
    return 1


def add(parent: Subcommands, name: str, fn: Command | None, help: str) -> argparse.ArgumentParser:
    """A subcommand under `parent`, with its help as its description too (every subcommand
    has one); `fn` is None for a group whose verbs are below it."""
    sp = parent.add_parser(name, help=help, description=help)
    sp.set_defaults(fn=fn)
    return sp
