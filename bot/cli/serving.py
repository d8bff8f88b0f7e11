"""`creditbot chat | serve | demo | stream`: the bot at work — one conversation at the terminal,
the callback server with its scheduler, the demo office, DingTalk's stream mode."""
from __future__ import annotations

import argparse
import secrets
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import Settings, add, refuse

if TYPE_CHECKING:
    from bot.cli.common import Subcommands

__all__ = ["register"]


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import make_pipeline
    from channels.message import Attachment, Message
    pipeline = make_pipeline(settings)

    def send(text: str, files: list[str]) -> None:
        atts = tuple(Attachment("file", Path(f).name, path=str(Path(f).resolve())) for f in files)
        msg = Message("console", args.as_user, args.as_user, text,
                      f"console-{datetime.now():%Y%m%d%H%M%S%f}-{secrets.token_hex(3)}",
                      pipeline.clock(), atts)
        reply = pipeline.handle(msg)
        print(reply.text)
        for f in reply.files:
            print(f"[文件] {f}")

    if args.text or args.file:
        send(" ".join(args.text), args.file or [])
        return 0
    print(f"以 {args.as_user} 的身份对话；输入「帮助」查看命令，Ctrl-D 退出。")
    while True:
        try:
            line = input("> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if line in ("退出", "exit", "quit"):
            return 0
        if line:
            send(line, [])


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.server import serve
    return serve(settings, args.host, args.port)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo import ensure_demo, pinned_now
    from bot.server import serve
    ensure_demo(settings)
    if not settings.get("CREDITBOT_NOW"):  # a demo made just now keeps its day from the start
        settings = {**settings, "CREDITBOT_NOW": pinned_now(settings["CREDITBOT_DB"]) or ""}
    return serve(settings, args.host, args.port)


def cmd_stream(args: argparse.Namespace, settings: Settings) -> int:
    """DingTalk stream mode: an outbound connection, no public callback URL needed."""
    from bot.app import make_pipeline
    from bot.logs import setup_logging
    from channels.dingtalk_stream import DingTalkStreamUnavailable, run_stream
    from ledger.backup import serving
    missing = [k for k in ("DINGTALK_APP_KEY", "DINGTALK_APP_SECRET") if not settings.get(k)]
    if missing:
        return refuse(f"钉钉 Stream 模式需要配置 {'、'.join(missing)}")
    setup_logging(settings)
    from bot.server import stop_on_sigterm
    from ledger.integrity import refuse_damaged
    refuse_damaged(settings)  # on a damaged file every message would get an apology
    scheduler = None
    if not settings.get("CREDITBOT_NO_SCHEDULER"):
        from reminders.scheduler import start_scheduler
        scheduler = start_scheduler(settings)
    stop_on_sigterm()
    try:
        with serving(settings["CREDITBOT_DB"]):
            run_stream(settings, make_pipeline(settings).handle)
    except DingTalkStreamUnavailable as exc:
        return refuse(str(exc))
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
    return 0


def register(sub: Subcommands) -> None:
    a = add(sub, "chat", cmd_chat, "以某个用户身份对话（不经过渠道）")
    a.add_argument("--as", dest="as_user", required=True, help="用户ID")
    a.add_argument("--file", action="append", help="随消息发送的本地文件")
    a.add_argument("text", nargs="*")

    for name, fn, help in (("serve", cmd_serve, "启动服务（渠道回调 + 定时提醒）"),
                           ("demo", cmd_demo, "用演示数据启动服务")):
        a = add(sub, name, fn, help)
        a.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
        a.add_argument("--port", type=int, default=5000, help="端口（默认 5000）")

    add(sub, "stream", cmd_stream, "钉钉 Stream 模式（无需公网回调地址；需 pip install '.[stream]'）")
