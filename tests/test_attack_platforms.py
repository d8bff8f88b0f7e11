"""Platform answers that used to hurt: a gateway's HTML page with status 200 from WeCom, and
DingTalk error messages echoing secrets into the logs and the outbox."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask, jsonify

from ledger.db import open_db
from ledger.outbox import enqueue, list_items
from reminders.outbox import deliver_due, make_senders
from servers import app_server

SECRET_TOKEN = "9f8e7d6c5b4a39281716151413121110"


def test_one_html_200_from_wecom_is_retried_not_failed_for_good(tmp_path: Path):
    gateway = Flask("gateway")
    calls = []

    @gateway.get("/cgi-bin/gettoken")
    def token():
        calls.append("token")
        if len(calls) == 1:
            return "<html><body>502 Bad Gateway (proxy)</body></html>", 200
        return jsonify(errcode=0, access_token="tok", expires_in=7200)

    @gateway.post("/cgi-bin/message/send")
    def send():
        return jsonify(errcode=0, invaliduser="")

    db = open_db(tmp_path / "o.db")
    t0 = datetime(2022, 9, 1, 9, 0)
    enqueue(db, "k", "wecom", {"users": ["sw1"]}, {"text": "请报送"}, t0)
    with app_server(gateway) as base:
        senders = make_senders({"WECOM_API_BASE": base, "WECOM_CORP_ID": "ww1",
                                "WECOM_SECRET": "s", "WECOM_AGENT_ID": "1000002"})
        assert deliver_due(db, t0, senders)["retried"] == 1
        assert list_items(db)[0].status == "pending"
        assert deliver_due(db, t0 + timedelta(minutes=1), senders)["sent"] == 1
    db.close()


def test_dingtalk_error_messages_are_redacted_in_logs_and_outbox(tmp_path: Path, caplog):
    api = Flask("dingtalk")

    @api.post("/v1.0/oauth2/accessToken")
    def token():
        return jsonify(accessToken="tok", expireIn=7200)

    @api.post("/v1.0/robot/oToMessages/batchSend")
    def batch():
        return jsonify(code="InvalidParameter",
                       message=f"bad request access_token={SECRET_TOKEN}&x=1 "
                               f"appSecret: {SECRET_TOKEN} sign={SECRET_TOKEN}"), 400

    db = open_db(tmp_path / "o.db")
    t0 = datetime(2022, 9, 1, 9, 0)
    enqueue(db, "k", "dingtalk", {"users": ["sw1"]}, {"text": "请报送"}, t0)
    caplog.set_level(logging.DEBUG)
    with app_server(api) as base:
        senders = make_senders({"DINGTALK_API_BASE": base, "DINGTALK_OAPI_BASE": base,
                                "DINGTALK_APP_KEY": "k", "DINGTALK_APP_SECRET": "s"})
        deliver_due(db, t0, senders)
    item = list_items(db)[0]
    db.close()
    assert item.last_error and "InvalidParameter" in item.last_error
    assert SECRET_TOKEN not in item.last_error
    assert SECRET_TOKEN not in caplog.text and "***" in caplog.text
