"""`creditbot serve` as a real subprocess with no channel settings: it starts, says which
channels are off, and answers /healthz."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import requests

from servers import ROOT, serve_process


def test_serve_starts_without_any_channel_settings(tmp_path: Path):
    env = {"CREDITBOT_DB": str(tmp_path / "s.db"), "CREDITBOT_DATA": str(tmp_path / "data"),
           "CREDITBOT_CONFIG": str(tmp_path / "absent.toml")}
    # No WECOM_* / DINGTALK_* from the calling shell either.
    for key in [k for k in os.environ if k.startswith(("WECOM_", "DINGTALK_"))]:
        env[key] = ""
    with serve_process(env) as (base, proc):
        health = requests.get(f"{base}/healthz", timeout=5)
        assert health.status_code == 200
        body = health.json()
        assert body["status"] == "ok" and body["reasons"] == []
        assert body["channels"] == {"wecom": False, "wecom_aibot": False, "dingtalk": False}
        assert body["checks"]["database_writable"] is True
        assert body["checks"]["scheduler_heartbeat_age_s"] is not None  # serve runs one
        # Channel routes are not registered when their settings are missing.
        assert requests.post(f"{base}/dingtalk/callback", json={}, timeout=5).status_code == 404
        assert requests.get(f"{base}/wecom/callback", timeout=5).status_code == 404
        assert proc.poll() is None


def test_serve_prints_each_channel_state(tmp_path: Path, monkeypatch, capsys):
    import waitress

    from bot import server
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: None)
    settings = {"CREDITBOT_DB": str(tmp_path / "p.db"), "CREDITBOT_DATA": str(tmp_path / "d"),
                "CREDITBOT_NO_SCHEDULER": "1", "DINGTALK_APP_SECRET": "s"}
    assert server.serve(settings, "127.0.0.1", 0) == 0
    out = capsys.readouterr().out
    assert "企业微信/政务微信 自建应用：未配置，已关闭" in out
    assert "企业微信 智能机器人：未配置，已关闭" in out
    assert "钉钉：已启用" in out


def test_example_config_parses_to_known_settings_with_channels_off(tmp_path: Path):
    from bot.app import create_app
    from bot.config import DEFAULTS, KNOWN_KEYS, channel_status, load_settings

    example = Path(__file__).resolve().parent.parent / "docs" / "creditbot.example.toml"
    settings = load_settings(example, env={})
    extra = {"WECOM_AGENT_ID", "WECOM_SECRET", "WECOM_HTTP_TIMEOUT", "WECOM_MAX_MEDIA_BYTES",
             "WECOM_AIBOT_FILE_ENCRYPTED", "DINGTALK_TIMEOUT", "DINGTALK_FLOW_CONTROL_ROUNDS",
             "DINGTALK_FLOW_CONTROL_DELAY", "DINGTALK_MAX_DOWNLOAD_BYTES", "CREDITBOT_NO_SCHEDULER",
             "REMIND_DAYS_BEFORE", "REMIND_DIRECT", "REMIND_MENTION_IN_GROUP", "REMIND_DIGEST"}
    assert set(settings) <= KNOWN_KEYS | set(DEFAULTS) | extra
    assert settings["PUBLIC_BASE_URL"] == "" and settings["QUIET_START"] == 21
    assert channel_status(settings) == {"wecom": False, "wecom_aibot": False, "dingtalk": False}
    settings |= {"CREDITBOT_DB": str(tmp_path / "x.db"), "CREDITBOT_DATA": str(tmp_path / "d")}
    assert create_app(settings).test_client().get("/healthz").status_code == 200


def test_serve_starts_without_the_libraries_only_some_answers_need():
    """`creditbot serve` (and every command, which imports less) loads the workbook, Word,
    image, Chinese-numeral and HTTP-client libraries at their first use, not at start: each
    restart, and each test that starts a server, would pay for them again (~0.4 s)."""
    lazy = ["cn2an", "docx", "openpyxl", "PIL", "requests"]
    probe = f"import json, sys, bot.server; print(json.dumps([m for m in {lazy!r} if m in sys.modules]))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, check=True)
    assert json.loads(out.stdout) == []
