"""WeCom callback crypto against Tencent's official samples, plus the ways it must fail."""
from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from channels.wecom_crypto import WeComCrypto, WeComCryptoError, pkcs7_pad, pkcs7_unpad

SAMPLES: dict[str, Any] = json.loads(
    (Path(__file__).parent / "fixtures" / "wecom_official_samples.json").read_text("utf-8")
)
APP = SAMPLES["app"]
APP2 = SAMPLES["app2"]


def crypto_for(sample: dict[str, Any], receive_id: str | None = None) -> WeComCrypto:
    rid = sample["corp_id"] if receive_id is None else receive_id
    return WeComCrypto(sample["token"], sample["encoding_aes_key"], rid)


@pytest.mark.parametrize("sample", [APP, APP2], ids=["QDG6eK", "hJqcu3"])
def test_official_url_verification_samples(sample: dict[str, Any]) -> None:
    v = sample["verify"]
    plain = crypto_for(sample).verify_url(v["msg_signature"], v["timestamp"], v["nonce"], v["echostr"])
    assert plain == v["plaintext"]


def test_official_message_sample_decrypts_to_hello_from_mycreate() -> None:
    m = APP["message"]
    xml = crypto_for(APP).decrypt(m["msg_signature"], m["timestamp"], m["nonce"], m["encrypt"])
    text = xml.decode("utf-8")
    assert "<FromUserName><![CDATA[mycreate]]></FromUserName>" in text
    assert "<Content><![CDATA[hello]]></Content>" in text
    assert "<MsgId>4561255354251345929</MsgId>" in text
    assert "<AgentID>218</AgentID>" in text


def test_signature_is_sha1_of_sorted_parts() -> None:
    m = APP["message"]
    assert crypto_for(APP).signature(m["timestamp"], m["nonce"], m["encrypt"]) == m["msg_signature"]


@pytest.mark.parametrize("plaintext", [b"", b"x", "总分 87.5 分".encode(), b"a" * 5000])
def test_encrypt_decrypt_round_trip(plaintext: bytes) -> None:
    crypto = crypto_for(APP)
    encrypt, signature = crypto.encrypt(plaintext, "1700000000", "12345")
    assert crypto.decrypt(signature, "1700000000", "12345", encrypt) == plaintext


def test_encrypt_uses_fresh_randomness() -> None:
    crypto = crypto_for(APP)
    assert crypto.encrypt(b"same", "1", "2")[0] != crypto.encrypt(b"same", "1", "2")[0]


def test_wrong_signature_is_refused() -> None:
    m = APP["message"]
    bad = "0" * 40
    with pytest.raises(WeComCryptoError, match="签名"):
        crypto_for(APP).decrypt(bad, m["timestamp"], m["nonce"], m["encrypt"])


def test_signature_over_other_timestamp_is_refused() -> None:
    m = APP["message"]
    with pytest.raises(WeComCryptoError):
        crypto_for(APP).decrypt(m["msg_signature"], "1409659814", m["nonce"], m["encrypt"])


def test_wrong_corp_id_is_refused() -> None:
    m = APP["message"]
    crypto = crypto_for(APP, receive_id="wwsomeothercorp")
    with pytest.raises(WeComCryptoError, match="ReceiveId"):
        crypto.decrypt(m["msg_signature"], m["timestamp"], m["nonce"], m["encrypt"])


def test_empty_receive_id_skips_the_check_for_aibot() -> None:
    m = APP["message"]
    crypto = crypto_for(APP, receive_id="")
    assert b"hello" in crypto.decrypt(m["msg_signature"], m["timestamp"], m["nonce"], m["encrypt"])


def test_aibot_round_trip_with_empty_receive_id() -> None:
    crypto = crypto_for(APP, receive_id="")
    encrypt, signature = crypto.encrypt(b'{"msgid":"1"}', "1", "2")
    assert crypto.decrypt(signature, "1", "2", encrypt) == b'{"msgid":"1"}'


@pytest.mark.parametrize(
    "encrypt",
    [
        "not base64 at all!!",
        "",
        base64.b64encode(b"short").decode(),  # not a multiple of the AES block
        base64.b64encode(b"\x00" * 48).decode(),  # decrypts to garbage padding
        APP["message"]["encrypt"][:64],  # truncated ciphertext
    ],
    ids=["garbage", "empty", "short", "garbage-blocks", "truncated"],
)
def test_malformed_ciphertext_is_a_crypto_error(encrypt: str) -> None:
    crypto = crypto_for(APP)
    signature = crypto.signature("1", "2", encrypt)  # correctly signed, so decryption is reached
    with pytest.raises(WeComCryptoError):
        crypto.decrypt(signature, "1", "2", encrypt)


def test_length_field_beyond_plaintext_is_refused() -> None:
    crypto = crypto_for(APP, receive_id="")
    encrypt, _ = crypto.encrypt(b"hello", "1", "2")
    raw = bytearray(crypto._aes_decrypt(base64.b64decode(encrypt)))  # noqa: SLF001
    raw[16:20] = (10_000).to_bytes(4, "big")
    forged = base64.b64encode(crypto._aes_encrypt(bytes(raw))).decode()  # noqa: SLF001
    with pytest.raises(WeComCryptoError, match="长度"):
        crypto.decrypt(crypto.signature("1", "2", forged), "1", "2", forged)


def test_bad_encoding_aes_key_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="EncodingAESKey"):
        WeComCrypto("t", "tooshort", "corp")


def test_pkcs7_uses_32_byte_blocks() -> None:
    assert len(pkcs7_pad(b"")) == 32
    assert len(pkcs7_pad(b"a" * 31)) == 32
    assert len(pkcs7_pad(b"a" * 32)) == 64
    assert pkcs7_unpad(pkcs7_pad(b"abc")) == b"abc"
    with pytest.raises(WeComCryptoError):
        pkcs7_unpad(b"a" * 31 + b"\x21")


def test_decrypt_file_undoes_plain_aes() -> None:
    crypto = crypto_for(APP, receive_id="")
    blob = crypto._aes_encrypt(b"%PDF-1.7 evidence")  # noqa: SLF001
    assert crypto.decrypt_file(blob) == b"%PDF-1.7 evidence"


def test_repr_hides_secrets() -> None:
    text = repr(crypto_for(APP))
    assert APP["token"] not in text and APP["encoding_aes_key"] not in text
