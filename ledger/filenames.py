"""File names people send: cleaned once, when they arrive, so nothing downstream (the Excel
export, download headers, chat replies, logs) ever sees control characters or paths."""
from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

__all__ = ["clean_file_name", "MAX_NAME_CHARS"]

MAX_NAME_CHARS = 120
_SEPARATORS = re.compile(r"[\\/:*?\"<>|]+")
_SPACES = re.compile(r"\s+")


def _printable(ch: str) -> bool:
    # Cc control, Cf format (bidi overrides that disguise "fdp.exe"), Cs/Co/Cn unusable.
    return not unicodedata.category(ch).startswith("C")


def clean_file_name(name: str, fallback: str = "file") -> str:
    """A display name: NFC, no control or bidi characters, no path parts or characters Windows
    refuses, no leading dots, at most MAX_NAME_CHARS (the suffix kept)."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = "".join(ch if _printable(ch) else "" for ch in text)
    text = _SPACES.sub(" ", _SEPARATORS.sub("_", text)).strip(" ._")
    if not text:
        return fallback
    if len(text) > MAX_NAME_CHARS:
        suffix = PurePosixPath(text).suffix[:16]
        text = text[:MAX_NAME_CHARS - len(suffix)].rstrip(" .") + suffix
    return text
