"""Replies read on a phone: a list longer than one screen shows its first screen and says how
many lines are left and how to see them; a note every rank explanation ends with (the tie rule)
is said once per reply, however many rank items the reply shows.

One screen: a WeCom or DingTalk chat bubble on a 6-inch phone holds about 16 Chinese characters
a line and about 40 lines of text before the reader scrolls; a 缺项 line (code, name, points,
what is missing, deadline) wraps to three or four such lines. Eight lines and 600 characters
keep a whole list, its heading and its closing hint within that screen.
"""
from __future__ import annotations

from typing import Iterable

__all__ = ["SCREEN_LINES", "SCREEN_CHARS", "one_screen", "notes_once"]

SCREEN_LINES = 8
SCREEN_CHARS = 600


def one_screen(lines: list[str], room: int = SCREEN_CHARS, most: int = SCREEN_LINES) -> int:
    """How many of `lines`, from the first, fit on one screen: at most `most` lines and `room`
    characters, and always at least one (a single long line is shown, not hidden)."""
    used = 0
    for n, line in enumerate(lines[:most]):
        used += len(line) + 1
        if used > room and n:
            return n
    return min(len(lines), most)


def notes_once(text: str, notes: Iterable[str]) -> str:
    """Each note kept where it first appears and dropped where it repeats."""
    for note in notes:
        first = text.find(note)
        if first < 0:
            continue
        cut = first + len(note)
        text = text[:cut] + text[cut:].replace(note, "")
    return text
