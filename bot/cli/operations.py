"""`creditbot outbox | audit | backup | restore | evidence check | prune | remind`: the operator's subcommands,
thin over ledger and reminder functions."""
from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import TYPE_CHECKING

from bot.cli.common import Settings, add, office_now, open_ledger, real_now, refuse

if TYPE_CHECKING:
    from bot.cli.common import Subcommands

__all__ = ["register"]


def cmd_outbox_list(args: argparse.Namespace, settings: Settings) -> int:
    from bot.operations import describe_item
    from ledger.outbox import backlog, list_items, waiting_items
    db = open_ledger(settings)
    items = list_items(db, args.status) if (args.status or args.all) else waiting_items(db, 200)
    if args.json:
        print(json.dumps({"backlog": backlog(db, office_now(settings)),
                          "items": [i.to_json() for i in items]}, ensure_ascii=False, indent=2))
        return 0
    counts = backlog(db, office_now(settings))
    print(f"待发送 {counts['pending']}（已到时间 {counts['due']}），已失败 {counts['failed']}")
    for item in items:
        print(describe_item(item) if item.status != "sent" else f"#{item.id} 已发送 {item.key}")
    return 0


def cmd_outbox_retry(args: argparse.Namespace, settings: Settings) -> int:
    from ledger.outbox import retry_failed
    if not args.ids and not args.all:
        return refuse("请写推送编号，或用 --all 重发全部失败的推送")
    n = retry_failed(open_ledger(settings), None if args.all else args.ids, office_now(settings), "cli")
    print(f"已重新排队 {n} 条推送" if n else "没有发送失败的推送")
    return 0


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    from ledger.audit import entries
    rows = entries(open_ledger(settings), limit=None, action=args.action, since=args.since,
                   oldest_first=True)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    out = csv.writer(sys.stdout)
    out.writerow(["编号", "时间", "操作人", "操作", "对象", "详情"])
    for r in rows:
        out.writerow([r["id"], r["at"], r["actor"], r["action"], r["target"],
                      json.dumps(r["detail"], ensure_ascii=False, sort_keys=True)])
    sys.stdout.flush()  # a closed pipe shows here, inside main()'s handler
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from ledger.backup import backup, rotate
    folder = backup(settings["CREDITBOT_DB"], settings["CREDITBOT_DATA"], args.dir,
                    real_now())
    removed = rotate(args.dir, args.keep) if args.keep else []
    print(f"已备份到：{folder}" + (f"（删除旧备份 {len(removed)} 个）" if removed else ""))
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from ledger.backup import verify
    from ledger.serving import restoring
    manifest = verify(args.dir)
    with restoring(settings["CREDITBOT_DB"]) as held:  # no server starts while this runs
        if not held and not args.force:
            return refuse("creditbot serve 仍在使用此数据库，请先停止服务再恢复。")
        return _restore(args, settings, manifest)


def _restore(args: argparse.Namespace, settings: Settings, manifest: dict) -> int:
    from ledger.backup import restore
    if not args.yes:
        print(f"将用 {args.dir}（{manifest['created_at']}，{len(manifest['files'])} 个文件）"
              f"替换 {settings['CREDITBOT_DB']} 和 {settings['CREDITBOT_DATA']}。"
              f"现有数据会移到一旁保留。确认请加 --yes。", file=sys.stderr)
        return 1
    aside = restore(args.dir, settings["CREDITBOT_DB"], settings["CREDITBOT_DATA"], real_now())
    print(f"已恢复 {manifest['created_at']} 的备份。原有数据已移到：{aside}")
    return 0


def cmd_evidence_check(args: argparse.Namespace, settings: Settings) -> int:
    from ledger.files import check_evidence
    count, bad = check_evidence(open_ledger(settings), settings["CREDITBOT_DATA"])
    for line in bad:
        print(line, file=sys.stderr)
    if bad:
        return refuse(f"{len(bad)} 个佐证文件打不开（共 {count} 个）。"
                      f"数据目录：{settings['CREDITBOT_DATA']}")
    print(f"{count} 个佐证文件全部可以打开（数据目录：{settings['CREDITBOT_DATA']}）")
    return 0


def cmd_prune(args: argparse.Namespace, settings: Settings) -> int:
    from ledger.retention import Retention, prune
    counts = prune(open_ledger(settings), settings["CREDITBOT_DATA"], real_now(),
                   Retention.from_settings(settings))
    names = {"inbound": "消息副本", "pending": "过期的待答问题", "upload_tokens": "上传链接",
             "downloads": "下载链接", "signatures": "回调签名记录", "exports": "旧导出文件",
             "orphan_files": "无主文件"}
    print("已清理：" + "，".join(f"{names[k]} {v}" for k, v in counts.items()))
    return 0


def cmd_remind(args: argparse.Namespace, settings: Settings) -> int:
    from reminders.jobs import remind_command
    return remind_command(settings, dry_run=args.dry_run, as_json=args.json, at=args.at)


def register(sub: Subcommands) -> None:
    op = add(sub, "outbox", None, "推送队列：查看、重发")
    os_ = op.add_subparsers(dest="outbox_command", required=True)
    a = add(os_, "list", cmd_outbox_list, "列出失败或重试中的推送（--all 全部）")
    a.add_argument("--all", action="store_true", help="列出全部推送（含已发送）")
    a.add_argument("--status", choices=["pending", "sent", "failed"], help="只列某种状态")
    a.add_argument("--json", action="store_true", help="以 JSON 输出")
    a = add(os_, "retry", cmd_outbox_retry, "把发送失败的推送重新排队")
    a.add_argument("ids", nargs="*", type=int, help="推送编号")
    a.add_argument("--all", action="store_true", help="重发全部失败的推送")

    a = add(sub, "audit", cmd_audit, "导出审计日志（CSV，或 --json）")
    a.add_argument("--since", help="从此日期/时间起（北京时间，如 2022-09-01）")
    a.add_argument("--action", help="只看某种操作，如 member.add")
    a.add_argument("--json", action="store_true", help="以 JSON 输出")

    a = add(sub, "backup", cmd_backup, "在线备份数据库和数据目录（服务运行时也可以）")
    a.add_argument("dir", help="备份存放目录")
    a.add_argument("--keep", type=int, default=0, help="只保留最新的 N 个备份")
    a = add(sub, "restore", cmd_restore, "从备份恢复（需先停止服务；原数据移到一旁保留）")
    a.add_argument("dir", help="一个备份目录（creditbot-YYYYmmdd-HHMMSS）")
    a.add_argument("--yes", action="store_true", help="确认替换现有数据")
    a.add_argument("--force", action="store_true", help="即使检测到服务仍在运行也执行（不建议）")

    es = add(sub, "evidence", None, "佐证文件：检查").add_subparsers(
        dest="evidence_command", required=True)
    add(es, "check", cmd_evidence_check, "逐个打开数据目录里的佐证文件，核对内容与记录一致（恢复演练用）")

    add(sub, "prune", cmd_prune, "按保留期限清理消息副本、过期链接、旧导出和无主文件")

    a = add(sub, "remind", cmd_remind, "按当前时间生成提醒（--dry-run 只显示不发送）")
    a.add_argument("--dry-run", action="store_true")
    a.add_argument("--json", action="store_true", help="以 JSON 输出")
    a.add_argument("--at", help="按指定时间计算（ISO 格式），默认当前时间或 CREDITBOT_NOW")
