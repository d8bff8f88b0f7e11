"""WeCom callback crypto (企业微信 / 政务微信 / 智能机器人).

Signature: sha1 over the sorted concatenation of token, timestamp, nonce and the ciphertext.
Ciphertext: base64(AES-256-CBC(key, iv=key[:16], pkcs7_32(random16 + len32be + msg + receiveid))),
key = base64(EncodingAESKey + "="). AES itself comes from `cryptography`; only the 32-byte PKCS#7
padding that WeCom defines is done here.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

__all__ = ["WeComCrypto", "WeComCryptoError", "pkcs7_pad", "pkcs7_unpad"]

_BLOCK = 32  # WeCom pads to 32 bytes, not the AES block size of 16
_RANDOM_LEN = 16
_LEN_FIELD = 4


class WeComCryptoError(ValueError):
    """Signature, ciphertext or receiveid did not check out."""


def pkcs7_pad(data: bytes, block: int = _BLOCK) -> bytes:
    pad = block - len(data) % block
    return data + bytes([pad]) * pad


def pkcs7_unpad(data: bytes, block: int = _BLOCK) -> bytes:
    if not data:
        raise WeComCryptoError("密文为空")
    pad = data[-1]
    if not 1 <= pad <= block or data[-pad:] != bytes([pad]) * pad:
        raise WeComCryptoError("填充无效")
    return data[:-pad]


def _decode_aes_key(encoding_aes_key: str) -> bytes:
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("EncodingAESKey 不是有效的 43 位 Base64 字符串") from None
    if len(key) != 32:
        raise ValueError("EncodingAESKey 长度不对：应为 43 个字符")
    return key


class WeComCrypto:
    """One callback endpoint's token + EncodingAESKey + receiveid.

    `receive_id` is the CorpID for app callbacks and "" for the 智能机器人. It is checked when
    non-empty, or always with `check_receive_id=True` (the 智能机器人: it must then be "").
    """

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str,
                 check_receive_id: bool | None = None) -> None:
        if not token:
            raise ValueError("缺少回调 Token")
        self.token = token
        self.receive_id = receive_id
        self._check_id = bool(receive_id) if check_receive_id is None else check_receive_id
        self._key = _decode_aes_key(encoding_aes_key)

    def __repr__(self) -> str:  # never show the token or key
        return f"WeComCrypto(receive_id={self.receive_id!r})"

    # -- signature ---------------------------------------------------------------------------
    def signature(self, timestamp: str, nonce: str, encrypt: str) -> str:
        parts = sorted([self.token, str(timestamp), str(nonce), encrypt])
        return hashlib.sha1("".join(parts).encode("utf-8")).hexdigest()

    def _check_signature(self, msg_signature: str, timestamp: str, nonce: str, encrypt: str) -> None:
        expected = self.signature(timestamp, nonce, encrypt)
        if not hmac.compare_digest(expected.encode("ascii"), (msg_signature or "").encode("utf-8")):
            raise WeComCryptoError("签名校验失败")

    # -- AES ---------------------------------------------------------------------------------
    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))

    def _aes_decrypt(self, data: bytes) -> bytes:
        if not data or len(data) % 16:
            raise WeComCryptoError("密文长度无效")
        decryptor = self._cipher().decryptor()
        return pkcs7_unpad(decryptor.update(data) + decryptor.finalize())

    def _aes_encrypt(self, data: bytes) -> bytes:
        encryptor = self._cipher().encryptor()
        return encryptor.update(pkcs7_pad(data)) + encryptor.finalize()

    # -- public API --------------------------------------------------------------------------
    def decrypt(self, msg_signature: str, timestamp: str, nonce: str, encrypt: str) -> bytes:
        """Verify the signature, decrypt, check the receiveid; return the inner message."""
        self._check_signature(msg_signature, timestamp, nonce, encrypt)
        try:
            raw = base64.b64decode(encrypt, validate=True)
        except (binascii.Error, ValueError):
            raise WeComCryptoError("密文不是有效的 Base64") from None
        plain = self._aes_decrypt(raw)
        return self._unwrap(plain)

    def _unwrap(self, plain: bytes) -> bytes:
        header = _RANDOM_LEN + _LEN_FIELD
        if len(plain) < header:
            raise WeComCryptoError("明文过短")
        (length,) = struct.unpack(">I", plain[_RANDOM_LEN:header])
        if header + length > len(plain):
            raise WeComCryptoError("明文长度字段无效")
        message = plain[header : header + length]
        receive_id = plain[header + length :].decode("utf-8", errors="replace")
        if self._check_id and not hmac.compare_digest(receive_id.encode(), self.receive_id.encode()):
            raise WeComCryptoError("ReceiveId 不匹配")
        return message

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """URL verification: the decrypted echostr, to be answered as the bare body."""
        try:
            return self.decrypt(msg_signature, timestamp, nonce, echostr).decode("utf-8")
        except UnicodeDecodeError:
            raise WeComCryptoError("echostr 明文不是 UTF-8") from None

    def encrypt(self, plaintext: bytes, timestamp: str, nonce: str) -> tuple[str, str]:
        """Encrypt a passive reply; returns (Encrypt base64, MsgSignature)."""
        body = (
            secrets.token_bytes(_RANDOM_LEN)
            + struct.pack(">I", len(plaintext))
            + plaintext
            + self.receive_id.encode("utf-8")
        )
        encrypt_b64 = base64.b64encode(self._aes_encrypt(body)).decode("ascii")
        return encrypt_b64, self.signature(timestamp, nonce, encrypt_b64)

    def decrypt_file(self, data: bytes) -> bytes:
        """Files/images fetched from 智能机器人 URLs are AES-256-CBC with the bot's key
        (IV = key[:16], PKCS#7 to 32) and no random/length framing."""
        return self._aes_decrypt(data)
