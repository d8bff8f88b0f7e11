"""How each channel downloads what users send: bytes, a file name and a content type per
attachment. Clients are created on first use; the pipeline calls these before it takes any
lock, so a slow platform holds up nobody else."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

from channels.message import Attachment

__all__ = ["Fetcher", "fetchers", "sniff_suffix"]

log = logging.getLogger("creditbot")

# Downloads an attachment: returns (bytes, file name, content type).
Fetcher = Callable[[Attachment], tuple[bytes, str, str]]

# Leading bytes of the file types evidence may have → the suffix to store them under.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", ".pdf"), (b"\x89PNG", ".png"), (b"\xff\xd8\xff", ".jpg"), (b"GIF8", ".gif"),
    (b"PK\x03\x04", ".zip"), (b"\xd0\xcf\x11\xe0", ".doc"), (b"Rar!", ".rar"),
    (b"7z\xbc\xaf", ".7z"), (b"BM", ".bmp"),
)


def sniff_suffix(data: bytes) -> str:
    """A file suffix from the content's magic bytes, or "" if unknown."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    return next((suffix for magic, suffix in _MAGIC if data.startswith(magic)), "")


def _aibot_file_mode(settings: dict[str, Any]) -> str:
    """WECOM_AIBOT_FILE_ENCRYPTED: true (always decrypt), false (never), auto (default:
    decrypt unless the bytes already look like a known file type)."""
    value = str(settings.get("WECOM_AIBOT_FILE_ENCRYPTED", "auto")).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return "always"
    if value in ("0", "false", "no", "off"):
        return "never"
    return "auto"


def _named(name: str, data: bytes, default: str = "") -> str:
    return name if Path(name).suffix else name + (sniff_suffix(data) or default)


def fetchers(settings: dict[str, Any]) -> dict[str, Fetcher]:
    """The download function of each channel (the console and web pages hand in local files)."""
    from channels import dingtalk_client, wecom
    from channels import wecom_client as wecom_api

    cache: dict[str, Any] = {}

    def wecom_client() -> Any:
        return cache.setdefault("wecom", wecom_api.WeComClient(settings))

    def aibot_fetch(att: Attachment) -> tuple[bytes, str, str]:
        # 智能机器人 files/images come as a short-lived URL whose bytes are AES-256-CBC with the
        # bot's EncodingAESKey; the name, if any, is in the download's Content-Disposition.
        problem = wecom_api.aibot_file_url_problem(att.url, settings)
        if problem:  # the URL is inside the (signed) message, but never fetch the intranet
            log.warning("智能机器人 file URL refused: %s", problem)
            raise ValueError(f"文件地址不可信：{problem}")
        data, name, ctype = wecom_client().download_url_named(att.url)
        mode = _aibot_file_mode(settings)
        if mode == "always" or (mode == "auto" and not sniff_suffix(data)):
            crypto = wecom.aibot_crypto(settings)
            if crypto is None:
                raise ValueError("未配置 WECOM_AIBOT_TOKEN/WECOM_AIBOT_AES_KEY，无法解密智能机器人文件")
            data = crypto.decrypt_file(data)
        name = _named(name or att.name or ("image" if att.kind == "image" else "file"), data)
        if ctype in ("", "application/octet-stream"):
            ctype = att.content_type or ctype
        return data, name, ctype

    def wecom_fetch(att: Attachment) -> tuple[bytes, str, str]:
        if att.fetch_ref:
            data, name, ctype = wecom_client().download_media(att.fetch_ref)
            return data, _named(name, data), ctype
        return aibot_fetch(att)

    def dingtalk_fetch(att: Attachment) -> tuple[bytes, str, str]:
        client = cache.setdefault("dingtalk", dingtalk_client.DingTalkClient(settings))
        data, ctype = client.download_file(att.fetch_ref)
        name = att.name or ("image" if att.kind == "image" else "file")
        return data, _named(name, data, ".jpg" if att.kind == "image" else ""), ctype

    def local_fetch(att: Attachment) -> tuple[bytes, str, str]:
        path = Path(att.path)
        return path.read_bytes(), att.name or path.name, att.content_type

    return {"wecom": wecom_fetch, "wecom_aibot": aibot_fetch, "dingtalk": dingtalk_fetch,
            "console": local_fetch, "web": local_fetch}
