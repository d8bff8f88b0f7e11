"""`creditbot serve`: the WSGI app under waitress, plus the scheduler — started here and only
here, once per process (never in create_app, tests or a reloader)."""
from __future__ import annotations

import logging
import signal
import sys
from typing import Any

from bot.app import create_app
from bot.config import channel_status, platforms_in_use
from bot.logs import setup_logging
from ledger.backup import serving
from ledger.integrity import refuse_damaged

__all__ = ["serve"]

log = logging.getLogger("creditbot")


def serve(settings: dict[str, Any], host: str, port: int) -> int:
    from waitress import serve as waitress_serve

    setup_logging(settings)
    refuse_damaged(settings)  # on a damaged file every message would get an apology
    if not settings.get("CREDITBOT_NO_SCHEDULER"):
        settings = {**settings, "CREDITBOT_SCHEDULER_EXPECTED": True}  # readiness checks it
    try:
        app = create_app(settings)
    except ValueError as exc:  # the platforms' settings, read here once: a key left out or malformed
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    status = channel_status(settings)
    names = {"wecom": "企业微信/政务微信 自建应用", "wecom_aibot": "企业微信 智能机器人", "dingtalk": "钉钉"}
    for key, on in status.items():
        print(f"渠道 {names[key]}：{'已启用' if on else '未配置，已关闭'}")
    _warn_unscoped(settings)
    scheduler = None
    if not settings.get("CREDITBOT_NO_SCHEDULER"):
        from reminders.scheduler import start_scheduler
        scheduler = start_scheduler(settings)
    print(f"信用考核助手启动中：http://{host}:{port}/healthz  数据库：{settings['CREDITBOT_DB']}")
    console = str(settings.get("PUBLIC_BASE_URL") or f"http://{host}:{port}").rstrip("/")
    print(f"网页控制台：{console}/console/（在聊天中发送「控制台」获取登录链接）")
    stop_on_sigterm()
    try:
        with serving(settings["CREDITBOT_DB"]):  # `creditbot restore` refuses while held
            waitress_serve(app, host=host, port=port, threads=8, ident="creditbot")
    except OSError as exc:
        print(f"错误：无法在 {host}:{port} 上启动（{exc.strerror or exc}）。端口可能已被占用，"
              f"请用 --port 换一个端口。")
        return 1
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
    return 0


def stop_on_sigterm() -> None:
    """`systemctl stop` and `kill` send SIGTERM, which by default ends Python without running
    `finally`: turn it into a normal exit, so the serving marker is released."""
    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, stop)


def _warn_unscoped(settings: dict[str, Any]) -> None:
    """With both platforms on, a binding older than per-platform scoping that never wrote in
    matches neither platform's callbacks until staff say which one it is."""
    from ledger.db import open_db
    from ledger.units import unscoped_members

    if len(platforms_in_use(settings)) < 2:
        return
    db = open_db(settings["CREDITBOT_DB"], migrate=False)
    try:
        people = unscoped_members(db)
    finally:
        db.close()
    if people:
        names = "、".join(f"{m.name}（{m.user_id}）" for m in people[:20])
        print(f"注意：{len(people)} 名人员尚未指定平台：{names}。请用 "
              f"creditbot member add <用户ID> --channel wecom|dingtalk 重新绑定"
              f"（同一人，记录和撤销权限不变）。")
