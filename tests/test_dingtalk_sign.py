"""DingTalk signatures, checked against the platforms' published test vectors."""
from __future__ import annotations

import pytest

from channels.dingtalk import DingTalkAuthError, callback_sign, robot_sign, verify_callback

TIMESTAMP = "1577262236757"
APP_SECRET = "this is a secret"
CALLBACK_SIGN = "DJrE6qdyVGCQz9z5r2MDuNcNAhwYnuAkyj13cx169CA="
ROBOT_SECRET = "this is secret"
ROBOT_SIGN = "hmPWwU%2B7lVdm3ZZz0r9tSfx0L4Q26jWOZr9%2BGs6EZQM%3D"  # urlencoded hmPWwU+7lVdm…EZQM=
NOW = int(TIMESTAMP) + 5_000


def test_callback_sign_vector() -> None:
    assert callback_sign(TIMESTAMP, APP_SECRET) == CALLBACK_SIGN


def test_robot_sign_vector_is_url_encoded() -> None:
    assert robot_sign(TIMESTAMP, ROBOT_SECRET) == ROBOT_SIGN


def test_valid_headers_pass() -> None:
    verify_callback({"timestamp": TIMESTAMP, "sign": CALLBACK_SIGN}, APP_SECRET, NOW)


@pytest.mark.parametrize("skew_s", [-3600, 3600])
def test_exactly_one_hour_is_still_accepted(skew_s: int) -> None:
    verify_callback(
        {"timestamp": TIMESTAMP, "sign": CALLBACK_SIGN}, APP_SECRET, int(TIMESTAMP) + skew_s * 1000
    )


@pytest.mark.parametrize(
    ("headers", "now_ms"),
    [
        ({"sign": CALLBACK_SIGN}, NOW),  # no timestamp
        ({"timestamp": TIMESTAMP}, NOW),  # no sign
        ({"timestamp": "", "sign": CALLBACK_SIGN}, NOW),
        ({"timestamp": "15772622e3", "sign": CALLBACK_SIGN}, NOW),  # not numeric
        ({"timestamp": "-1577262236757", "sign": CALLBACK_SIGN}, NOW),
        ({"timestamp": TIMESTAMP, "sign": CALLBACK_SIGN}, int(TIMESTAMP) + 3601_000),  # too old
        ({"timestamp": TIMESTAMP, "sign": CALLBACK_SIGN}, int(TIMESTAMP) - 3601_000),  # future
        ({"timestamp": TIMESTAMP, "sign": CALLBACK_SIGN[:-3] + "DA="}, NOW),  # wrong sign
        ({"timestamp": str(int(TIMESTAMP) + 1), "sign": CALLBACK_SIGN}, NOW),  # sign for other ts
    ],
)
def test_bad_headers_are_refused(headers: dict[str, str], now_ms: int) -> None:
    with pytest.raises(DingTalkAuthError):
        verify_callback(headers, APP_SECRET, now_ms)


def test_wrong_secret_is_refused() -> None:
    with pytest.raises(DingTalkAuthError):
        verify_callback({"timestamp": TIMESTAMP, "sign": CALLBACK_SIGN}, "another secret", NOW)


def test_missing_app_secret_refuses_everything() -> None:
    with pytest.raises(DingTalkAuthError):
        verify_callback({"timestamp": TIMESTAMP, "sign": callback_sign(TIMESTAMP, "")}, "", NOW)
