"""`creditbot serve`: the WSGI app under waitress, plus the scheduler — started here and only
here, once per process (never in create_app, tests or a reloader)."""
from __future__ import annotations

import logging
from typing import Any

from bot.app import create_app
from bot.config import channel_status

__all__ = ["serve"]

log = logging.getLogger("creditbot")


def serve(settings: dict[str, Any], host: str, port: int, demo: bool = False) -> int:
    from waitress import serve as waitress_serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    status = channel_status(settings)
    names = {"wecom": "企业微信/政务微信 自建应用", "wecom_aibot": "企业微信 智能机器人", "dingtalk": "钉钉"}
    for key, on in status.items():
        print(f"渠道 {names[key]}：{'已启用' if on else '未配置，已关闭'}")
    scheduler = None
    if not settings.get("CREDITBOT_NO_SCHEDULER"):
        from reminders.scheduler import start_scheduler
        scheduler = start_scheduler(settings)
    print(f"信用考核助手启动中：http://{host}:{port}/healthz  数据库：{settings['CREDITBOT_DB']}")
    console = str(settings.get("PUBLIC_BASE_URL") or f"http://{host}:{port}").rstrip("/")
    print(f"网页控制台：{console}/console/（在聊天中发送「控制台」获取登录链接）")
    try:
        waitress_serve(app, host=host, port=port, threads=8, ident="creditbot")
    except OSError as exc:
        print(f"错误：无法在 {host}:{port} 上启动（{exc.strerror or exc}）。端口可能已被占用，"
              f"请用 --port 换一个端口。")
        return 1
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
    return 0
