"""`creditbot …` — thin subcommands over the library, grouped by job in this package's modules
(scheme, authoring, office, results, documents, serving, operations). Domain errors become a clear message
and a non-zero exit code here, at the edge; anything else is a bug and shows its traceback."""
from __future__ import annotations

import argparse
import os
import sqlite3
import sys

from bot.cli import authoring, documents, office, operations, results, scheme, serving
from bot.cli.common import CliError, settings_of

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="creditbot", description="信用考核助手 — 信用办考核聊天机器人")
    p.add_argument("--config", help="配置文件（默认 ./creditbot.toml）")
    sub = p.add_subparsers(dest="command", required=True)
    authoring.register(scheme.register(sub))
    office.register(sub)
    results.register(sub)
    documents.register(sub)
    serving.register(sub)
    operations.register(sub)
    return p


def _domain_errors() -> tuple[type[Exception], ...]:
    """The refusals the library raises on purpose, each with a message for staff."""
    from bot.config import ConfigError
    from bot.facts_file import FactsFileError
    from ledger.db import LedgerError
    from reminders.policy import PolicyError
    from authoring.document import DocumentError
    from schemes.loader import SchemeError
    from worktime.calendar import CalendarError
    from worktime.clock import ClockError
    return (CliError, ConfigError, LedgerError, SchemeError, DocumentError, FactsFileError,
            PolicyError, CalendarError, ClockError)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = None
    try:
        settings = settings_of(args)
        return int(args.fn(args, settings))
    except _domain_errors() as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except sqlite3.DatabaseError as exc:  # a damaged file or a full disk is no bug: say so
        from ledger.integrity import trouble
        said = trouble(settings, exc)
        if said is None:
            raise
        print(f"错误：{said}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `creditbot … | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so exit's flush is quiet
        return 0
